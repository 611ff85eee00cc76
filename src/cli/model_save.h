// Shared pieces of `ads model save` and `ads model download` (model_save.cc,
// model_download.cc): connection flags, the 2 GiB small/large rule, and the
// Object Storage names ADS uses for staged artifacts.
//
// Thread-safety: plain functions and values.
#ifndef ADS_CLI_MODEL_SAVE_H_
#define ADS_CLI_MODEL_SAVE_H_

#include <cstdint>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

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

// The staging object for a model, as ADS names it: bucket_uri ending in '/'
// gets "<model-ocid>.zip" appended; otherwise ".zip" is appended unless the
// name already ends with it.
Result<client::ObjectUri> StagingObject(const std::string& bucket_uri, const std::string& model_id);

// Prints "error: ..." with the hint a user can act on for a failed call.
int ReportTransferError(const Status& status, const std::string& hint = {});

}  // namespace ads::cli

#endif  // ADS_CLI_MODEL_SAVE_H_
