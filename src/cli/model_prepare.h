// `ads model prepare`'s flags and its run, shared with `ads model
// prepare-save-deploy` (model_prepare_save_deploy.cc).
//
// Thread-safety: plain functions; the flags belong to one command invocation.
#ifndef ADS_CLI_MODEL_PREPARE_H_
#define ADS_CLI_MODEL_PREPARE_H_

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>
#include <vector>

#include "artifact/prepare.h"

namespace ads::cli {

struct PrepareFlags {
  artifact::PrepareOptions options;
  std::vector<std::string> custom_metadata;  // --custom-metadata, parsed by RunPrepare
};

// MODEL_FILE, --artifact-dir and every option of ADS's prepare() that makes
// sense offline.
void AddPrepareFlags(CLI::App* cmd, PrepareFlags* flags);

// Prepares the artifact and prints what was written to `out`; errors go to
// stderr. Returns the exit status.
int RunPrepare(const PrepareFlags& flags, std::ostream& out);

}  // namespace ads::cli

#endif  // ADS_CLI_MODEL_PREPARE_H_
