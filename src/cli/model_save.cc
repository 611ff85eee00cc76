// `ads model save DIR`: introspect, create the model with its metadata and
// schemas, record provenance, upload the artifact (directly, or through an
// Object Storage multipart upload and an export work request), as ADS's
// GenericModel.save() does. See docs/save-download.md.
#include "cli/model_save.h"

#include <iostream>
#include <memory>
#include <vector>

#include "artifact/introspect.h"
#include "artifact/runtime_yaml.h"
#include "artifact/summary_status.h"
#include "artifact/zip.h"
#include "base/hash.h"
#include "base/ids.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "iam/oci_config.h"
#include "metadata/env_defaults.h"
#include "metadata/model_metadata.h"
#include "metadata/serialization.h"

namespace ads::cli {

std::string LargeArtifactMessage() {
  return "The model artifacts size is greater than `2.0GB`. The `bucket_uri` needs to be "
         "specified to copy artifacts to the object storage bucket. Example: "
         "`bucket_uri=oci://<bucket_name>@<namespace>/prefix/`";
}

void AddConnectionFlags(CLI::App* cmd, ConnectionFlags* flags) {
  cmd->add_option("--config-file", flags->config_file, "OCI config file");
  cmd->add_option("--profile", flags->profile, "Config profile (else $OCI_CONFIG_PROFILE)");
  cmd->add_option("--endpoint", flags->endpoint, "Override the profile's endpoint");
  cmd->add_option("--output,-o", flags->output, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
}

client::ClientOptions ClientOptionsOf(const ConnectionFlags& flags) {
  client::ClientOptions options;
  options.config_path = flags.config_file;
  options.profile = flags.profile;
  options.endpoint = flags.endpoint;
  return options;
}

Result<client::ObjectUri> StagingObject(const std::string& bucket_uri,
                                        const std::string& model_id) {
  ADS_ASSIGN_OR_RETURN(client::ObjectUri uri, client::ParseObjectUri(bucket_uri));
  if (uri.object.empty() || uri.object.back() == '/') {
    uri.object += model_id + ".zip";
  } else if (uri.object.size() < 4 || uri.object.substr(uri.object.size() - 4) != ".zip") {
    uri.object += ".zip";
  }
  return uri;
}

int ReportTransferError(const Status& status, const std::string& hint) {
  if (!hint.empty()) return ReportError(status, hint);
  switch (status.code()) {
    case StatusCode::kUnauthenticated:
      return ReportError(status, "check the key and fingerprint in your OCI config");
    case StatusCode::kNotFound:
      return ReportError(status, "the id is wrong or your policies do not allow this");
    case StatusCode::kUnavailable:
      return ReportError(status, "is `ads server` running at the configured endpoint?");
    default:
      return ReportError(status);
  }
}

namespace {

// ADS's GenericModel._PREFIX for display names.
constexpr char kDisplayNamePrefix[] = "generic-model";

// What a failure after CreateModel leaves behind, for the hint.
struct Progress {
  std::string model_id;
  bool provenance = false;
  bool artifact = false;
};

Result<Json> ParseFreeformTags(const std::vector<std::string>& tags) {
  Json out = Json::object();
  for (const std::string& tag : tags) {
    const size_t eq = tag.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgumentError("--freeform-tag `" + tag + "` is not KEY=VALUE");
    }
    out[tag.substr(0, eq)] = tag.substr(eq + 1);
  }
  return out;
}

// The uncompressed size of the folder, as ADS's utils.folder_size measures it
// (every file, ignored ones included).
Result<uint64_t> FolderSize(Env& env, const std::string& dir) {
  ADS_ASSIGN_OR_RETURN(std::vector<std::string> files, env.ListFilesRecursive(dir));
  uint64_t total = 0;
  for (const std::string& f : files) {
    ADS_ASSIGN_OR_RETURN(FileInfo info, env.Stat(JoinPath(dir, f)));
    total += info.size;
  }
  return total;
}

// Introspection as save() runs it: a failure blocks the save and names the
// failing checks.
Result<Json> Introspect(Env& env, const std::string& dir) {
  ADS_ASSIGN_OR_RETURN(artifact::IntrospectionResult r, artifact::IntrospectArtifact(env, dir));
  if (r.status == artifact::IntrospectionStatus::kPassed) return r.tests;
  std::string failing;
  for (const artifact::IntrospectionRow& row : r.rows) {
    if (row.result != "Failed" && row.message.empty()) continue;
    failing += "\n  " + row.key + ": " + (row.message.empty() ? row.name : row.message);
  }
  return FailedPreconditionError(
      "Model introspection not passed. Failing checks:" + failing + "\nRun `ads model introspect " +
      dir + "` for details, or save with --ignore-introspection to skip the checks.");
}

// Provenance from .ads/metadata.json, completed from runtime.yaml's
// MODEL_PROVENANCE (artifacts prepared by ADS itself) and the environment.
Json BuildProvenance(Env& env, const std::string& dir, const metadata::ModelMetadata& md,
                     const metadata::EnvDefaults& defaults) {
  metadata::ModelProvenance p = md.provenance;
  auto runtime =
      artifact::LoadRuntimeYaml(env, JoinPath(dir, artifact::kRuntimeYamlFileName), nullptr);
  if (runtime.ok() && runtime->has_provenance) {
    const artifact::TrainingCodeInfo& code = runtime->provenance.training_code;
    if (p.repository_url.empty()) p.repository_url = code.git_remote;
    if (p.git_branch.empty()) p.git_branch = code.git_branch;
    if (p.git_commit.empty()) p.git_commit = code.git_commit;
    if (p.training_script_path.empty()) p.training_script_path = code.training_script;
    if (p.training_id.empty()) p.training_id = runtime->provenance.training_resource_ocid;
  }
  if (p.training_id.empty()) p.training_id = defaults.training_resource_id;
  if (p.artifact_dir.empty()) p.artifact_dir = env.AbsolutePath(dir);
  return metadata::ProvenanceToOci(p);
}

Result<std::string> OptionalFile(Env& env, const std::string& path) {
  if (!env.FileExists(path)) return std::string();
  ADS_ASSIGN_OR_RETURN(std::string text, env.ReadFile(path));
  // The catalog stores the schema as a string; it must at least be JSON.
  ADS_RETURN_IF_ERROR(ParseJson(text, BaseName(path)).status());
  return text;
}

Result<std::string> ResolveVersionSet(client::Client& c, const SaveFlags& f,
                                      const std::string& compartment,
                                      const metadata::EnvDefaults& defaults) {
  if (f.model_version_set.empty()) return defaults.model_version_set_id;
  if (f.model_version_set.rfind("ocid", 0) == 0) return f.model_version_set;
  std::string path =
      "/20190101/modelVersionSets?compartmentId=" + client::EncodePathSegment(compartment) +
      "&name=" + client::EncodePathSegment(f.model_version_set);
  ADS_ASSIGN_OR_RETURN(Json sets, c.ListAll(path));
  for (const Json& set : sets) {
    if (set.value("name", "") == f.model_version_set &&
        set.value("lifecycleState", "") != "DELETED") {
      return set.value("id", "");
    }
  }
  return NotFoundError("The model version set `" + f.model_version_set + "` not found.");
}

Result<Json> BuildCreateBody(Env& env, const SaveFlags& f, const std::string& compartment,
                             const std::string& project, const std::string& mvs_id,
                             const metadata::ModelMetadata& md) {
  Json body = {{"compartmentId", compartment}, {"projectId", project}};
  body["displayName"] = f.display_name.empty()
                            ? std::string(kDisplayNamePrefix) + "-" + RandomDisplayName(env)
                            : f.display_name;
  if (!f.description.empty()) body["description"] = f.description;
  body["customMetadataList"] = metadata::ToOciList(md.custom);
  body["definedMetadataList"] = metadata::ToOciList(md.taxonomy);
  ADS_ASSIGN_OR_RETURN(std::string input, OptionalFile(env, JoinPath(f.dir, "input_schema.json")));
  ADS_ASSIGN_OR_RETURN(std::string output,
                       OptionalFile(env, JoinPath(f.dir, "output_schema.json")));
  if (!input.empty()) body["inputSchema"] = input;
  if (!output.empty()) body["outputSchema"] = output;
  ADS_ASSIGN_OR_RETURN(Json tags, ParseFreeformTags(f.freeform_tags));
  if (!tags.empty()) body["freeformTags"] = tags;
  if (!mvs_id.empty()) body["modelVersionSetId"] = mvs_id;
  if (!f.version_label.empty()) body["versionLabel"] = f.version_label;
  return body;
}

std::string RetryToken(Env& env) {
  std::string raw;
  for (int i = 0; i < 2; ++i) {
    const uint64_t v = env.RandomU64();
    raw.append(reinterpret_cast<const char*>(&v), sizeof(v));
  }
  return HexEncode(raw);
}

Status UploadSmall(client::Client& c, Env& env, const std::string& zip, const std::string& id) {
  ADS_ASSIGN_OR_RETURN(FileInfo info, env.Stat(zip));
  ProgressBar bar("uploading", info.size);
  ADS_RETURN_IF_ERROR(
      client::UploadFile(c, "POST", "/20190101/models/" + id + "/artifact", env, zip,
                         {{"Content-Disposition", "attachment; filename=\"" + id + ".zip\""}},
                         [&bar](uint64_t done, uint64_t total) { bar.Update(done, total); })
          .status());
  bar.Finish();
  return OkStatus();
}

Status UploadLarge(client::Client& c, Env& env, const SaveFlags& f, const std::string& zip,
                   const std::string& id) {
  ADS_ASSIGN_OR_RETURN(client::ObjectUri dest, StagingObject(f.bucket_uri, id));
  ADS_ASSIGN_OR_RETURN(FileInfo info, env.Stat(zip));
  ProgressBar bar("uploading", info.size);
  client::MultipartOptions mp;
  mp.parallel = f.parallel;
  mp.part_size = f.part_size;
  mp.progress = [&bar](uint64_t done, uint64_t total) { bar.Update(done, total); };
  const client::ClientOptions options = ClientOptionsOf(f.conn);
  ADS_RETURN_IF_ERROR(
      client::MultipartUploadFile(
          c, [options] { return client::Client::FromConfig(options); }, env, zip, dest, mp)
          .status());
  bar.Finish();

  Json details = {{"artifactExportType", "OBJECT_STORAGE"},
                  {"namespace", dest.ns},
                  {"sourceBucket", dest.bucket},
                  {"sourceObjectName", dest.object}};
  auto config = iam::LoadOciConfig(env, f.conn.config_file, f.conn.profile);
  if (config.ok() && !config->region.empty()) details["sourceRegion"] = config->region;
  Status exported = [&]() -> Status {
    ADS_ASSIGN_OR_RETURN(
        client::Response r,
        c.Call("POST", "/20190101/models/" + id + "/actions/exportArtifact", details));
    const std::string wr(r.Header("opc-work-request-id"));
    if (wr.empty()) return DataLossError("exportArtifact answered without a work request id.");
    return client::WaitForWorkRequest(c, wr).status();
  }();
  // The staged object is only a vehicle: remove it whether or not the export
  // worked (ADS's remove_existing_artifact=True), unless asked to keep it.
  if (!f.keep_bucket_object) {
    Status removed = c.Call("DELETE", client::ObjectPath(dest)).status();
    if (!removed.ok()) {
      std::cerr << "warning: could not delete the staging object oci://" << dest.bucket << "@"
                << dest.ns << "/" << dest.object << ": " << removed.message() << "\n";
    }
  }
  return exported;
}

void MarkSavedInArtifact(Env& env, const std::string& dir) {
  if (!env.FileExists(JoinPath(dir, artifact::kStatusFile))) return;
  auto status = artifact::LoadSummaryStatus(env, dir);
  if (!status.ok()) return;
  status->OnSave();
  artifact::SaveSummaryStatus(env, dir, *status).IgnoreError();
}

int ReportHalfSaved(const Status& status, const Progress& p) {
  std::string missing = p.provenance ? "its artifact" : "its provenance and artifact";
  return ReportError(status, "the model " + p.model_id + " was created but " + missing +
                                 " could not be saved; delete it with `ads model delete " +
                                 p.model_id + "` and run `ads model save` again");
}

}  // namespace

int SaveArtifact(const SaveFlags& f, Json* saved) {
  Env& env = *Env::Default();
  if (!env.IsDirectory(f.dir)) {
    return ReportError(NotFoundError("The artifact directory " + f.dir + " does not exist."));
  }
  auto defaults = metadata::ReadEnvDefaults(env);
  if (!defaults.ok()) return ReportError(defaults.status());
  const std::string compartment =
      f.compartment_id.empty() ? defaults->model_compartment_id : f.compartment_id;
  if (compartment.empty()) {
    return ReportError(InvalidArgumentError("Compartment id must be provided."),
                       "pass --compartment-id or set NB_SESSION_COMPARTMENT_OCID");
  }
  const std::string project = f.project_id.empty() ? defaults->project_id : f.project_id;
  if (project.empty()) {
    return ReportError(InvalidArgumentError("Project id must be provided."),
                       "pass --project-id or set PROJECT_OCID");
  }
  if (auto tags = ParseFreeformTags(f.freeform_tags); !tags.ok()) return ReportError(tags.status());
  if (!f.bucket_uri.empty()) {
    if (auto uri = client::ParseObjectUri(f.bucket_uri); !uri.ok()) {
      return ReportError(uri.status());
    }
  }

  auto md = metadata::ModelMetadata::Load(env, f.dir);
  if (!md.ok() && md.status().code() != StatusCode::kNotFound) return ReportError(md.status());
  metadata::ModelMetadata meta = md.ok() ? *md : metadata::ModelMetadata{};
  if (!f.ignore_introspection) {
    auto tests = Introspect(env, f.dir);
    if (!tests.ok()) return ReportError(tests.status());
    Status set = meta.taxonomy.Set(metadata::kArtifactTestResultsKey, *tests);
    if (!set.ok()) return ReportError(set);
  }

  auto size = FolderSize(env, f.dir);
  if (!size.ok()) return ReportError(size.status());
  const bool large = !f.bucket_uri.empty() || *size > kSmallArtifactLimit;
  if (large && f.bucket_uri.empty()) {
    return ReportError(InvalidArgumentError(LargeArtifactMessage()));
  }

  // The zip is built before the model exists, so a packing failure leaves
  // nothing in the catalog.
  auto tmp = env.MakeTempDir("ads-save-");
  if (!tmp.ok()) return ReportError(tmp.status());
  struct Cleanup {
    Env& env;
    std::string dir;
    ~Cleanup() { env.RemoveAll(dir).IgnoreError(); }
  } cleanup{env, *tmp};
  const std::string zip = JoinPath(*tmp, "artifact.zip");
  if (auto packed = artifact::PackArtifact(env, f.dir, zip); !packed.ok()) {
    return ReportError(packed.status());
  }

  auto c = client::Client::FromConfig(ClientOptionsOf(f.conn));
  if (!c.ok()) return ReportError(c.status());
  auto mvs = ResolveVersionSet(**c, f, compartment, *defaults);
  if (!mvs.ok()) return ReportTransferError(mvs.status());
  auto body = BuildCreateBody(env, f, compartment, project, *mvs, meta);
  if (!body.ok()) return ReportError(body.status());
  auto created =
      (*c)->Call("POST", "/20190101/models", *body, {{"opc-retry-token", RetryToken(env)}});
  if (!created.ok()) return ReportTransferError(created.status(), "nothing was saved");
  auto model = created->ParseJson();
  if (!model.ok() || !model->contains("id")) {
    return ReportError(model.ok() ? DataLossError("CreateModel answered without an id.")
                                  : model.status());
  }
  Progress p;
  p.model_id = (*model)["id"].get<std::string>();

  Status s = (*c)->Call("POST", "/20190101/models/" + p.model_id + "/provenance",
                        BuildProvenance(env, f.dir, meta, *defaults))
                 .status();
  if (!s.ok()) return ReportHalfSaved(s, p);
  p.provenance = true;
  s = large ? UploadLarge(**c, env, f, zip, p.model_id) : UploadSmall(**c, env, zip, p.model_id);
  if (!s.ok()) return ReportHalfSaved(s, p);
  p.artifact = true;
  MarkSavedInArtifact(env, f.dir);
  *saved = std::move(*model);
  return kExitOk;
}

namespace {

int RunSave(const SaveFlags& f) {
  Json model;
  if (int code = SaveArtifact(f, &model); code != kExitOk) return code;
  const std::string id = model["id"].get<std::string>();
  if (f.conn.output != "json") {
    std::cout << id << "\n";
    return kExitOk;
  }
  // The model as GET shows it (with its provenance and artifact settled);
  // CreateModel's answer when that read fails.
  if (auto c = client::Client::FromConfig(ClientOptionsOf(f.conn)); c.ok()) {
    auto fresh = (*c)->Call("GET", "/20190101/models/" + id);
    if (fresh.ok()) model = fresh->ParseJson().value_or(model);
  }
  std::cout << model.dump(2) << "\n";
  return kExitOk;
}

}  // namespace

void AddSaveFlags(CLI::App* cmd, SaveFlags* f) {
  cmd->add_option("--display-name", f->display_name, "Model name (default: a random one)");
  cmd->add_option("--description", f->description, "Model description");
  cmd->add_option("--project-id", f->project_id, "Project OCID (else $PROJECT_OCID)");
  cmd->add_option("--compartment-id", f->compartment_id,
                  "Compartment OCID (else $NB_SESSION_COMPARTMENT_OCID, ...)");
  cmd->add_option("--model-version-set", f->model_version_set,
                  "Version set name or OCID (else $MODEL_VERSION_SET_ID)");
  cmd->add_option("--version-label", f->version_label, "Free text version label");
  cmd->add_option("--freeform-tag", f->freeform_tags, "KEY=VALUE; repeatable");
  cmd->add_flag("--ignore-introspection", f->ignore_introspection,
                "Save even when the artifact checks fail");
  cmd->add_option("--bucket-uri", f->bucket_uri,
                  "oci://bucket@namespace/prefix/: stage the artifact in Object Storage "
                  "(required above 2 GiB)");
  cmd->add_flag("--keep-bucket-object", f->keep_bucket_object,
                "Keep the staged object after the export");
  cmd->add_option("--parallel", f->parallel, "Parts uploaded at once (default 9)")
      ->check(CLI::Range(1, 64));
  // For tests and slow links; OCI's own part size is 128 MiB.
  cmd->add_option("--part-size", f->part_size, "Multipart part size in bytes")
      ->check(CLI::Range(uint64_t{1}, uint64_t{5} << 30))
      ->group("");
}

void RegisterModelSave(CLI::App& parent, int* exit_code) {
  auto f = std::make_shared<SaveFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "save", "Save an artifact folder to the model catalog (metadata, provenance, artifact)");
  cmd->add_option("ARTIFACT_DIR", f->dir, "A folder written by `ads model prepare`")->required();
  AddSaveFlags(cmd, f.get());
  AddConnectionFlags(cmd, &f->conn);
  cmd->callback([f, exit_code] { *exit_code = RunSave(*f); });
}

}  // namespace ads::cli
