// `ads model prepare`: the flags of ADS's prepare() that make sense offline.
#include "cli/model_prepare.h"

#include <iostream>
#include <memory>

#include "base/logging.h"
#include "cli/commands.h"
#include "cli/output.h"

namespace ads::cli {

int RunPrepare(const PrepareFlags& flags, std::ostream& out) {
  artifact::PrepareOptions options = flags.options;
  for (const auto& text : flags.custom_metadata) {
    auto arg = artifact::ParseCustomMetadataArg(text);
    if (!arg.ok()) return ReportError(arg.status());
    options.custom_metadata.push_back(*arg);
  }
  auto report = artifact::PrepareArtifact(*Env::Default(), options);
  if (!report.ok()) return ReportError(report.status());
  out << "Prepared artifact " << report->artifact_dir << "\n";
  out << "  framework: " << (report->framework.empty() ? "(unknown)" : report->framework);
  if (!report->framework_version.empty()) out << " " << report->framework_version;
  if (!report->algorithm.empty()) out << ", algorithm " << report->algorithm;
  out << "\n  score.py: "
      << (report->score_py_generated ? "generated" : "provided by you (--score-py)") << "\n";
  out << "  files:\n";
  for (const auto& f : report->files) out << "    " << f << "\n";
  return kExitOk;
}

void AddPrepareFlags(CLI::App* cmd, PrepareFlags* flags) {
  artifact::PrepareOptions& o = flags->options;
  cmd->add_option("MODEL_FILE", o.model_file,
                  "The serialized model (ONNX or XGBoost; any other format with --score-py)")
      ->required();
  cmd->add_option("--artifact-dir", o.artifact_dir, "Folder to write the artifact into")
      ->required();
  cmd->add_option("--inference-conda-env", o.inference_conda_env,
                  "oci:// path of the inference conda pack");
  cmd->add_option("--inference-python-version", o.inference_python_version,
                  "Python version of the inference conda pack, e.g. 3.11");
  cmd->add_option("--training-conda-env", o.training_conda_env,
                  "oci:// path of the training conda pack");
  cmd->add_option("--training-python-version", o.training_python_version,
                  "Python version of the training conda pack");
  cmd->add_option("--model-file-name", o.model_file_name,
                  "Name of the model file inside the artifact (default: MODEL_FILE's name)");
  cmd->add_option("--X-sample", o.x_sample, "Input sample (CSV with header, JSON or NPY)");
  cmd->add_option("--y-sample", o.y_sample, "Output sample (CSV with header, JSON or NPY)");
  cmd->add_option("--use-case-type", o.use_case_type,
                  "e.g. binary_classification, regression, multinomial_classification");
  cmd->add_option("--training-script-path", o.training_script_path,
                  "Training script, for git provenance");
  cmd->add_option("--training-id", o.training_id,
                  "OCID of the training resource (default: $JOB_RUN_OCID or $NB_SESSION_OCID)");
  cmd->add_flag("--ignore-pending-changes,!--check-pending-changes", o.ignore_pending_changes,
                "Do not refuse uncommitted changes in the training script or artifact dir "
                "(default; --check-pending-changes refuses them)");
  cmd->add_option("--max-col-num", o.max_col_num,
                  "Skip schema generation above this many columns (default 2000)");
  cmd->add_flag("--ignore-conda-error", o.ignore_conda_error,
                "Prepare without conda information (container or native runtime)");
  cmd->add_option("--score-py", o.score_py, "Use this score.py instead of generating one");
  cmd->add_flag("--force-overwrite", o.force_overwrite,
                "Overwrite the files of an existing artifact");
  cmd->add_option("--custom-metadata", flags->custom_metadata,
                  "KEY=VALUE[,category=CATEGORY][,description=TEXT]; repeatable");
}

void RegisterModelPrepare(CLI::App& parent, int* exit_code) {
  auto flags = std::make_shared<PrepareFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "prepare",
      "Write an ADS-compatible artifact (runtime.yaml, score.py, schemas, metadata) "
      "for a model file");
  AddPrepareFlags(cmd, flags.get());
  cmd->callback([flags, exit_code] { *exit_code = RunPrepare(*flags, std::cout); });
}

}  // namespace ads::cli
