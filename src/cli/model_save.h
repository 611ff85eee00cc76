// Shared pieces of `ads model save`, `ads model download` and `ads model
// prepare-save-deploy` (model_save.cc, model_download.cc,
// model_prepare_save_deploy.cc): connection flags, the save flags and the
// save itself, the 2 GiB small/large rule, and the Object Storage names ADS
// uses for staged artifacts.
//
// Thread-safety: plain functions and values.
#ifndef ADS_CLI_MODEL_SAVE_H_
#define ADS_CLI_MODEL_SAVE_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "client/client.h"
#include "client/transfer.h"

namespace ads::cli {

// Artifacts above this (uncompressed folder size for save, content-length for
// download) must travel through Object Storage, as in ADS.
inline constexpr uint64_t kSmallArtifactLimit = 2ULL << 30;

// ADS's ModelArtifactSizeError text.
std::string LargeArtifactMessage();

struct ConnectionFlags {
  std::string config_file;
  std::string profile;
  std::string endpoint;
  std::string output;  // "table" | "json"; empty: table
};
void AddConnectionFlags(CLI::App* cmd, ConnectionFlags* flags);
client::ClientOptions ClientOptionsOf(const ConnectionFlags& flags);

struct SaveFlags {
  std::string dir;  // the artifact folder
  std::string display_name;
  std::string description;
  std::string project_id;
  std::string compartment_id;
  std::string model_version_set;
  std::string version_label;
  std::vector<std::string> freeform_tags;
  bool ignore_introspection = false;
  std::string bucket_uri;
  bool keep_bucket_object = false;
  int parallel = 9;
  uint64_t part_size = 128ULL << 20;
  ConnectionFlags conn;
};

// The model flags of `ads model save`: all but ARTIFACT_DIR and the
// connection flags.
void AddSaveFlags(CLI::App* cmd, SaveFlags* flags);

// Introspects, creates the model, records provenance and uploads the
// artifact of flags.dir (docs/save-download.md). On success *model is the
// model as CreateModel answered it. A failure is printed (with what exists
// and how to go on) and its exit status returned.
int SaveArtifact(const SaveFlags& flags, Json* model);

// The staging object for a model, as ADS names it: bucket_uri ending in '/'
// gets "<model-ocid>.zip" appended; otherwise ".zip" is appended unless the
// name already ends with it.
Result<client::ObjectUri> StagingObject(const std::string& bucket_uri, const std::string& model_id);

// Prints "error: ..." with the hint a user can act on for a failed call.
int ReportTransferError(const Status& status, const std::string& hint = {});

}  // namespace ads::cli

#endif  // ADS_CLI_MODEL_SAVE_H_
