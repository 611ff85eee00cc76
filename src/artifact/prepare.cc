#include "artifact/prepare.h"

#include <algorithm>
#include <ctime>

#include "artifact/conda_env.h"
#include "artifact/model_ignore.h"
#include "artifact/model_info.h"
#include "artifact/runtime_yaml.h"
#include "artifact/sample_data.h"
#include "artifact/schema.h"
#include "artifact/score_py.h"
#include "artifact/summary_status.h"
#include "base/logging.h"
#include "base/strings.h"
#include "base/version.h"
#include "metadata/env_defaults.h"
#include "metadata/model_metadata.h"
#include "metadata/prepare_keys.h"

namespace ads::artifact {
namespace {

// A taxonomy value larger than this goes to <key>.json, as ADS does.
constexpr size_t kTaxonomyValueFileThreshold = 32000;

// Files prepare writes itself; a model file may not take one of these names.
constexpr std::string_view kReservedNames[] = {
    "runtime.yaml", "score.py", "input_schema.json", "output_schema.json", ".model-ignore",
    "test_json_output.json", "model_artifact_manifest.json", "Hyperparameters.json"};

std::string TimeCreated(Env& env) {
  const std::time_t t = std::chrono::system_clock::to_time_t(env.Now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%d_%H%M%S", &tm);
  return buf;
}

Status CheckModelFileName(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    return InvalidArgumentError("the model file name `" + name +
                                "` must be a plain file name without folders");
  }
  for (std::string_view reserved : kReservedNames) {
    if (name == reserved) {
      return InvalidArgumentError("the model file name `" + name +
                                  "` is a file that prepare writes itself")
          .WithHint("choose another --model-file-name, e.g. model.onnx");
    }
  }
  if (name == kLocalStateDir) return InvalidArgumentError("`.ads` cannot be a model file name");
  return OkStatus();
}

// Everything prepare decides before it writes a byte.
struct Plan {
  std::string artifact_dir;  // absolute
  std::string model_file_name;
  ModelInfo model;
  RuntimeInfo runtime;
  metadata::ModelProvenance provenance;
  std::optional<metadata::TrainingEnv> training_env;
  std::string use_case_type;
};

Status ResolveConda(Env& env, const PrepareOptions& o, Plan& plan) {
  RuntimeInfo& rt = plan.runtime;
  if (!o.ignore_conda_error || !o.inference_conda_env.empty()) {
    auto inference = ResolveCondaEnv(env, o.inference_conda_env, o.inference_python_version);
    if (inference.ok()) {
      rt.inference_conda_env = *inference;
    } else if (!o.ignore_conda_error) {
      return inference.status();
    } else {
      LogWarning("the inference conda environment is ignored (--ignore-conda-error): " +
                 inference.status().message());
    }
  }
  if (!o.training_conda_env.empty()) {
    auto training = ResolveCondaEnv(env, o.training_conda_env, o.training_python_version,
                                    "training");
    if (!training.ok()) return training.status();
    rt.provenance.training_conda_env = *training;
    plan.training_env = metadata::TrainingEnv{training->path, training->type, training->slug};
  }
  return OkStatus();
}

// runtime.yaml's MODEL_PROVENANCE: the artifact folder, the training conda
// pack, and what the notebook/job environment variables say.
Status FillRuntimeProvenance(Env& env, Plan& plan) {
  ADS_ASSIGN_OR_RETURN(metadata::EnvDefaults defaults, metadata::ReadEnvDefaults(env));
  ProvenanceInfo& p = plan.runtime.provenance;
  plan.runtime.has_provenance = true;
  p.training_code.artifact_directory = plan.artifact_dir;
  p.project_ocid = defaults.project_id;
  p.tenancy_ocid = defaults.tenancy_ocid;
  p.user_ocid = defaults.user_ocid;
  p.training_compartment_ocid = defaults.compartment_id;
  p.training_resource_ocid = defaults.training_resource_id;
  p.training_region = defaults.region;
  return OkStatus();
}

Result<Plan> MakePlan(Env& env, const PrepareOptions& o) {
  if (o.model_file.empty()) return InvalidArgumentError("no model file was given");
  if (o.artifact_dir.empty()) {
    return InvalidArgumentError("no artifact folder was given").WithHint("pass --artifact-dir DIR");
  }
  auto model_stat = env.Stat(o.model_file);
  if (!model_stat.ok() || !model_stat->is_file()) {
    return NotFoundError("the model file `" + o.model_file + "` does not exist or is not a file");
  }
  Plan plan;
  plan.artifact_dir = env.AbsolutePath(o.artifact_dir);
  if (env.FileExists(plan.artifact_dir)) {
    if (!env.IsDirectory(plan.artifact_dir)) {
      return InvalidArgumentError("the artifact path `" + o.artifact_dir +
                                  "` exists and is not a folder");
    }
    if (env.FileExists(JoinPath(plan.artifact_dir, "runtime.yaml")) && !o.force_overwrite) {
      return AlreadyExistsError(
                 "runtime.yaml already exists. Set `force_overwrite` to True to overwrite all "
                 "the files.")
          .WithHint("pass --force-overwrite, or choose another --artifact-dir");
    }
  }
  plan.model_file_name = o.model_file_name.empty() ? BaseName(o.model_file) : o.model_file_name;
  ADS_RETURN_IF_ERROR(CheckModelFileName(plan.model_file_name));
  // A model ads cannot read (joblib, pickle, a framework's own format) is
  // only bytes to copy when the user's score.py loads it, as with ADS's
  // framework templates; plan.model then stays empty. Damaged ONNX/XGBoost
  // files, and any model without --score-py, are refused.
  auto model = InspectModelFile(env, o.model_file);
  if (model.ok()) {
    plan.model = std::move(*model);
  } else if (o.score_py.empty() || model.status().code() != StatusCode::kInvalidArgument ||
             !IsForeignModelFile(env.ReadFile(o.model_file).value_or(""), o.model_file)) {
    return model.status();
  }
  plan.use_case_type = o.use_case_type.empty() ? plan.model.use_case_type : o.use_case_type;
  if (o.max_col_num <= 0) {
    return InvalidArgumentError("--max-col-num must be a positive number of columns");
  }
  ADS_RETURN_IF_ERROR(ResolveConda(env, o, plan));
  ADS_RETURN_IF_ERROR(FillRuntimeProvenance(env, plan));
  ADS_ASSIGN_OR_RETURN(plan.provenance,
                       metadata::CollectProvenance(env, {.training_script_path = o.training_script_path,
                                                         .training_id = o.training_id,
                                                         .artifact_dir = plan.artifact_dir,
                                                         .cwd = ""}));
  if (!o.ignore_pending_changes) {
    if (!o.training_script_path.empty()) {
      ADS_RETURN_IF_ERROR(metadata::CheckPathNotDirty(env, plan.provenance, o.training_script_path));
    }
    if (env.FileExists(plan.artifact_dir)) {
      ADS_RETURN_IF_ERROR(metadata::CheckPathNotDirty(env, plan.provenance, plan.artifact_dir));
    }
  }
  return plan;
}

Status CopyFile(Env& env, const std::string& from, const std::string& to) {
  ADS_ASSIGN_OR_RETURN(std::string bytes, env.ReadFile(from));
  ADS_RETURN_IF_ERROR(env.CreateDirs(DirName(to)));
  return env.WriteFile(to, bytes);
}

// Keeps the files of an existing artifact that prepare does not rewrite (as
// ADS's force_overwrite keeps them); our local state is rebuilt.
Status CarryOverExistingFiles(Env& env, const std::string& from, const std::string& to) {
  if (!env.IsDirectory(from)) return OkStatus();
  std::vector<std::string> symlinks;
  ADS_ASSIGN_OR_RETURN(auto files, env.ListFilesRecursive(from, &symlinks));
  for (const auto& link : symlinks) {
    LogWarning("the symlink `" + link + "` in the artifact folder is not kept");
  }
  for (const auto& rel : files) {
    if (rel.starts_with(std::string(kLocalStateDir) + "/")) continue;
    ADS_RETURN_IF_ERROR(CopyFile(env, JoinPath(from, rel), JoinPath(to, rel)));
  }
  return OkStatus();
}

Result<bool> WriteSchema(Env& env, const std::string& sample, const std::string& path,
                         const PrepareOptions& o) {
  ADS_ASSIGN_OR_RETURN(Table table, ReadSampleFile(env, sample));
  ADS_ASSIGN_OR_RETURN(SchemaResult schema,
                       InferSchema(table, {.max_col_num = static_cast<size_t>(o.max_col_num)}));
  if (schema.outcome != SchemaOutcome::kOk) return false;
  ADS_ASSIGN_OR_RETURN(SchemaWriteResult written, WriteSchemaFile(env, path, schema.schema));
  return written.attach_to_catalog;
}

Status WriteScorePy(Env& env, const PrepareOptions& o, const Plan& plan, const std::string& dir,
                    PrepareReport& report) {
  const std::string path = JoinPath(dir, "score.py");
  if (!o.score_py.empty()) {
    if (!env.FileExists(o.score_py)) {
      return NotFoundError("the score.py given with --score-py (`" + o.score_py +
                           "`) does not exist");
    }
    return CopyFile(env, o.score_py, path);
  }
  const bool onnx = plan.model.format == ModelFormat::kOnnx;
  ADS_ASSIGN_OR_RETURN(std::string text,
                       GenerateScorePy({.model_file_name = plan.model_file_name,
                                        .framework = onnx ? "onnx" : "xgboost",
                                        .serialization_format = plan.model.serialization_format,
                                        .ads_version = std::string(kAdsVersion),
                                        .time_created = TimeCreated(env)}));
  report.score_py_generated = true;
  return env.WriteFile(path, text);
}

Status FillTaxonomy(Env& env, const Plan& plan, const std::string& dir,
                    metadata::TaxonomyMetadata& taxonomy) {
  const ModelInfo& m = plan.model;
  if (!plan.use_case_type.empty()) {
    ADS_RETURN_IF_ERROR(taxonomy.Set(metadata::kUseCaseTypeKey, plan.use_case_type));
  }
  if (!m.framework.empty()) ADS_RETURN_IF_ERROR(taxonomy.Set(metadata::kFrameworkKey, m.framework));
  if (!m.framework_version.empty()) {
    ADS_RETURN_IF_ERROR(taxonomy.Set(metadata::kFrameworkVersionKey, m.framework_version));
  }
  if (!m.algorithm.empty()) ADS_RETURN_IF_ERROR(taxonomy.Set(metadata::kAlgorithmKey, m.algorithm));
  if (m.hyperparameters.is_null()) return OkStatus();
  const std::string text = DumpPythonJson(m.hyperparameters);
  if (text.size() > kTaxonomyValueFileThreshold) {
    // ADS moves an oversized value to <key>.json and leaves the item empty.
    ADS_RETURN_IF_ERROR(env.WriteFile(JoinPath(dir, "Hyperparameters.json"), text));
    LogWarning("the hyperparameters are larger than 32000 bytes; they are saved to "
               "Hyperparameters.json instead of the metadata");
    return OkStatus();
  }
  return taxonomy.Set(metadata::kHyperparametersKey, m.hyperparameters);
}

Status WriteMetadataAndStatus(Env& env, const PrepareOptions& o, const Plan& plan,
                              const std::string& dir) {
  metadata::ModelMetadata md;
  ADS_RETURN_IF_ERROR(FillTaxonomy(env, plan, dir, md.taxonomy));
  ADS_ASSIGN_OR_RETURN(auto files, ListArtifactFiles(env, dir));
  metadata::PopulatePrepareKeys({.model_file_name = plan.model_file_name,
                                 .artifact_files = files,
                                 .training_env = plan.training_env},
                                md.custom);
  for (const auto& arg : o.custom_metadata) {
    ADS_RETURN_IF_ERROR(md.custom.Add(arg.key, arg.value, arg.description,
                                      arg.category.empty() ? metadata::kCategoryOther
                                                           : std::string_view(arg.category),
                                      /*replace=*/true)
                            .WithContext("--custom-metadata " + arg.key));
  }
  md.provenance = plan.provenance;
  ADS_RETURN_IF_ERROR(md.Validate());
  ADS_RETURN_IF_ERROR(md.Save(env, dir));

  SummaryStatus status;
  status.OnPrepare({.serialized = true,
                    .model_file_present = true,
                    .score_generated = o.score_py.empty(),
                    .ignore_conda_error = o.ignore_conda_error,
                    .model_file_name = plan.model_file_name,
                    .artifact_dir = plan.artifact_dir});
  return SaveSummaryStatus(env, dir, status);
}

Status BuildArtifact(Env& env, const PrepareOptions& o, const Plan& plan, const std::string& dir,
                     PrepareReport& report) {
  ADS_RETURN_IF_ERROR(CarryOverExistingFiles(env, plan.artifact_dir, dir));
  ADS_RETURN_IF_ERROR(CopyFile(env, o.model_file, JoinPath(dir, plan.model_file_name)));
  ADS_RETURN_IF_ERROR(WriteRuntimeYaml(env, dir, plan.runtime));
  ADS_RETURN_IF_ERROR(WriteScorePy(env, o, plan, dir, report));
  ADS_RETURN_IF_ERROR(WriteDefaultModelIgnore(env, dir));
  if (!o.x_sample.empty()) {
    ADS_ASSIGN_OR_RETURN(report.input_schema_attached,
                         WriteSchema(env, o.x_sample, JoinPath(dir, "input_schema.json"), o));
  }
  if (!o.y_sample.empty()) {
    ADS_ASSIGN_OR_RETURN(report.output_schema_attached,
                         WriteSchema(env, o.y_sample, JoinPath(dir, "output_schema.json"), o));
  }
  return WriteMetadataAndStatus(env, o, plan, dir);
}

// Moves the finished staging folder into place: the target shows the old
// artifact or the new one, never a mixture and never nothing. The old copy
// ends up in the staging folder and is removed.
Status CommitStaging(Env& env, const std::string& staging, const std::string& target) {
  if (!env.FileExists(target)) return env.Rename(staging, target);
  ADS_RETURN_IF_ERROR(env.ExchangePaths(staging, target));
  return env.RemoveAll(staging);
}

std::string StagingPrefix(const std::string& artifact_dir) {
  return "." + BaseName(artifact_dir) + ".prepare-";
}

// A prepare that crashed leaves its hidden staging folder beside the target;
// the next prepare of the same target removes it.
Status RemoveStaleStaging(Env& env, const std::string& artifact_dir) {
  const std::string parent = DirName(artifact_dir);
  auto names = env.ListDir(parent);
  if (!names.ok()) return OkStatus();
  for (const auto& name : *names) {
    if (name.starts_with(StagingPrefix(artifact_dir))) {
      ADS_RETURN_IF_ERROR(env.RemoveAll(JoinPath(parent, name)));
    }
  }
  return OkStatus();
}

}  // namespace

Result<CustomMetadataArg> ParseCustomMetadataArg(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return InvalidArgumentError("--custom-metadata `" + std::string(text) +
                                "` is not KEY=VALUE[,category=...][,description=...]");
  }
  CustomMetadataArg arg;
  arg.key = std::string(Trim(text.substr(0, eq)));
  std::string_view rest = text.substr(eq + 1);
  // The value runs up to the first ",category=" or ",description=" so that it
  // may itself contain commas.
  const auto find_field = [&](std::string_view name) {
    return rest.find("," + std::string(name) + "=");
  };
  const size_t end = std::min(find_field("category"), find_field("description"));
  arg.value = std::string(rest.substr(0, end));
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  while (!rest.empty()) {
    const size_t field_eq = rest.find('=');
    const std::string name(rest.substr(0, field_eq));
    size_t next = std::string_view::npos;
    for (std::string_view other : {"category", "description"}) {
      next = std::min(next, rest.find("," + std::string(other) + "=", field_eq));
    }
    const std::string value(rest.substr(field_eq + 1, next == std::string_view::npos
                                                          ? std::string_view::npos
                                                          : next - field_eq - 1));
    if (name == "category") arg.category = value;
    if (name == "description") arg.description = value;
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
  }
  return arg;
}

Result<PrepareReport> PrepareArtifact(Env& env, const PrepareOptions& options) {
  std::vector<std::string> warnings;
  Result<PrepareReport> result = [&]() -> Result<PrepareReport> {
    ScopedLogCapture capture;
    auto run = [&]() -> Result<PrepareReport> {
      ADS_ASSIGN_OR_RETURN(Plan plan, MakePlan(env, options));
      const std::string parent = DirName(plan.artifact_dir);
      ADS_RETURN_IF_ERROR(env.CreateDirs(parent));
      ADS_RETURN_IF_ERROR(RemoveStaleStaging(env, plan.artifact_dir));
      ADS_ASSIGN_OR_RETURN(std::string staging,
                           env.MakeTempDir(StagingPrefix(plan.artifact_dir), parent));
      PrepareReport report;
      // mkdtemp makes the folder private; an artifact folder is an ordinary one.
      Status built = env.SetMode(staging, 0755);
      if (built.ok()) built = BuildArtifact(env, options, plan, staging, report);
      if (built.ok()) built = CommitStaging(env, staging, plan.artifact_dir);
      if (!built.ok()) {
        env.RemoveAll(staging).IgnoreError();
        return built;
      }
      report.artifact_dir = plan.artifact_dir;
      report.framework = plan.model.framework;
      report.framework_version = plan.model.framework_version;
      report.algorithm = plan.model.algorithm;
      ADS_ASSIGN_OR_RETURN(report.files, ListArtifactFiles(env, plan.artifact_dir));
      return report;
    };
    auto r = run();
    warnings = capture.warnings();
    return r;
  }();
  for (const auto& w : warnings) LogWarning(w);  // now visible to the caller's sink
  if (result.ok()) result->warnings = warnings;
  return result;
}

}  // namespace ads::artifact
