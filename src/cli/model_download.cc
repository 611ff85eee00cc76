// `ads model download MODEL_ID --target-dir DIR`: fetch a model's artifact,
// check its size and MD5 against what the server announced, and extract it
// safely and atomically, as ADS's DataScienceModel.download_artifact() does
// (with verification ADS lacks). See docs/save-download.md.
#include <iostream>
#include <memory>

#include "artifact/zip.h"
#include "cli/commands.h"
#include "cli/model_save.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "iam/oci_config.h"

namespace ads::cli {
namespace {

struct DownloadFlags {
  std::string model_id;
  std::string target_dir;
  bool force_overwrite = false;
  std::string bucket_uri;
  bool keep_bucket_object = false;
  ConnectionFlags conn;
};

struct Announced {
  uint64_t size = 0;
  std::string md5;  // base64; empty when the server gave none
};

Result<Announced> ParseAnnounced(const client::Response& head, std::string_view md5_header) {
  Announced a;
  const std::string length(head.Header("content-length"));
  try {
    size_t used = 0;
    a.size = std::stoull(length, &used);
    if (used != length.size()) throw std::invalid_argument(length);
  } catch (const std::exception&) {
    return DataLossError("The server gave no usable content-length (`" + length + "`).");
  }
  a.md5 = std::string(head.Header(md5_header));
  return a;
}

// Fetches `path` into `file` and checks it against `announced`.
Status FetchVerified(client::Client& c, Env& env, const std::string& path,
                     const std::string& file, const Announced& announced) {
  ProgressBar bar("downloading", announced.size);
  ADS_ASSIGN_OR_RETURN(client::DownloadResult got,
                       client::DownloadToFile(
                           c, path, env, file,
                           [&bar](uint64_t done, uint64_t total) { bar.Update(done, total); },
                           announced.size));
  bar.Finish();
  return client::VerifyDownload(got, announced.size, announced.md5);
}

// The large path: the catalog copies the artifact into the bucket (an import
// work request), then the object comes down.
Status FetchThroughBucket(client::Client& c, Env& env, const DownloadFlags& f,
                          const std::string& file) {
  ADS_ASSIGN_OR_RETURN(client::ObjectUri dest, StagingObject(f.bucket_uri, f.model_id));
  Json details = {{"artifactImportType", "OBJECT_STORAGE"},
                  {"namespace", dest.ns},
                  {"destinationBucket", dest.bucket},
                  {"destinationObjectName", dest.object}};
  auto config = iam::LoadOciConfig(env, f.conn.config_file, f.conn.profile);
  if (config.ok() && !config->region.empty()) details["destinationRegion"] = config->region;
  ADS_ASSIGN_OR_RETURN(client::Response r,
                       c.Call("POST",
                              "/20190101/models/" + f.model_id + "/actions/importArtifact",
                              details));
  const std::string wr(r.Header("opc-work-request-id"));
  if (wr.empty()) return DataLossError("importArtifact answered without a work request id.");
  ADS_RETURN_IF_ERROR(client::WaitForWorkRequest(c, wr).status());
  const std::string object_path = client::ObjectPath(dest);
  Status fetched = [&]() -> Status {
    ADS_ASSIGN_OR_RETURN(client::Response head, c.Call("HEAD", object_path));
    // A single PUT carries content-md5; a multipart object only its
    // opc-multipart-md5, which is not the MD5 of the bytes: size only then.
    ADS_ASSIGN_OR_RETURN(Announced announced, ParseAnnounced(head, "content-md5"));
    return FetchVerified(c, env, object_path, file, announced);
  }();
  if (!f.keep_bucket_object) {
    Status removed = c.Call("DELETE", object_path).status();
    if (!removed.ok()) {
      std::cerr << "warning: could not delete the staging object oci://" << dest.bucket << "@"
                << dest.ns << "/" << dest.object << ": " << removed.message() << "\n";
    }
  }
  return fetched;
}

// Moves the extracted folder to the target: a plain rename when the target
// is absent; an exchange then removal of the old content when overwriting,
// so the target never holds a mix.
Status Install(Env& env, const std::string& extracted, const std::string& target) {
  if (!env.FileExists(target)) return env.Rename(extracted, target);
  ADS_RETURN_IF_ERROR(env.ExchangePaths(extracted, target));
  return env.RemoveAll(extracted);
}

int RunDownload(const DownloadFlags& f) {
  Env& env = *Env::Default();
  const std::string target = env.AbsolutePath(f.target_dir);
  if (env.FileExists(target)) {
    if (!env.IsDirectory(target)) {
      return ReportError(FailedPreconditionError(target + " exists and is not a directory."));
    }
    auto entries = env.ListDir(target);
    if (!entries.ok()) return ReportError(entries.status());
    if (!entries->empty() && !f.force_overwrite) {
      return ReportError(FailedPreconditionError(
          "The `" + f.target_dir +
          "` directory already exists. Set `force_overwrite` to `True` if you wish to "
          "overwrite."));
    }
  }
  if (!f.bucket_uri.empty()) {
    if (auto uri = client::ParseObjectUri(f.bucket_uri); !uri.ok()) {
      return ReportError(uri.status());
    }
  }
  auto c = client::Client::FromConfig(ClientOptionsOf(f.conn));
  if (!c.ok()) return ReportError(c.status());
  const std::string content = "/20190101/models/" + f.model_id + "/artifact/content";
  auto head = (*c)->Call("HEAD", content);
  if (!head.ok()) return ReportTransferError(head.status());
  auto announced = ParseAnnounced(*head, "content-md5");
  if (!announced.ok()) return ReportError(announced.status());
  if (announced->size > kSmallArtifactLimit && f.bucket_uri.empty()) {
    return ReportError(InvalidArgumentError(LargeArtifactMessage()));
  }

  // Everything lands in a temp folder beside the target (same file system,
  // so the final rename is atomic) and becomes visible only once verified.
  const std::string parent = DirName(target);
  if (Status s = env.CreateDirs(parent); !s.ok()) return ReportError(s);
  auto tmp = env.MakeTempDir(".ads-download-", parent);
  if (!tmp.ok()) return ReportError(tmp.status());
  struct Cleanup {
    Env& env;
    std::string dir;
    ~Cleanup() { env.RemoveAll(dir).IgnoreError(); }
  } cleanup{env, *tmp};
  const std::string zip = JoinPath(*tmp, "artifact.zip");
  Status fetched = f.bucket_uri.empty() ? FetchVerified(**c, env, content, zip, *announced)
                                        : FetchThroughBucket(**c, env, f, zip);
  if (!fetched.ok()) return ReportTransferError(fetched, "nothing was written to " + target);
  const std::string extracted = JoinPath(*tmp, "artifact");
  auto out = artifact::ExtractArtifact(env, zip, extracted);
  if (!out.ok()) {
    return ReportError(out.status(), "the archive was refused; nothing was written to " + target);
  }
  if (Status s = Install(env, extracted, target); !s.ok()) return ReportError(s);
  if (f.conn.output == "json") {
    Json files = Json::array();
    for (const std::string& name : out->files) files.push_back(name);
    std::cout << Json{{"modelId", f.model_id},
                      {"targetDir", target},
                      {"size", announced->size},
                      {"files", files},
                      {"manifestVerified", out->had_manifest}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << target << "\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterModelDownload(CLI::App& parent, int* exit_code) {
  auto f = std::make_shared<DownloadFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "download", "Download and verify a model's artifact, then extract it into a folder");
  cmd->add_option("MODEL_ID", f->model_id, "Model OCID")->required();
  cmd->add_option("--target-dir", f->target_dir, "Folder to extract into")->required();
  cmd->add_flag("--force-overwrite", f->force_overwrite,
                "Replace the content of a non-empty target folder");
  cmd->add_option("--bucket-uri", f->bucket_uri,
                  "oci://bucket@namespace/prefix/: fetch through Object Storage "
                  "(required above 2 GiB)");
  cmd->add_flag("--keep-bucket-object", f->keep_bucket_object,
                "Keep the staged object after the download");
  AddConnectionFlags(cmd, &f->conn);
  cmd->callback([f, exit_code] { *exit_code = RunDownload(*f); });
}

}  // namespace ads::cli
