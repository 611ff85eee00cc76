// `ads model status DIR`: ADS's summary_status() table for a local artifact.
#include <iostream>
#include <memory>

#include "artifact/summary_status.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "metadata/model_metadata.h"

namespace ads::cli {
namespace {

struct StatusFlags {
  std::string dir;
  std::string output = "table";
};

int RunStatus(const StatusFlags& flags) {
  Env& env = *Env::Default();
  const std::string hint =
      "run `ads model prepare MODEL_FILE --artifact-dir " + flags.dir + "` first";
  if (!env.FileExists(JoinPath(flags.dir, artifact::kStatusFile))) {
    return ReportError(NotFoundError(flags.dir + " has no model status: it was not prepared by ads"),
                       hint);
  }
  auto status = artifact::LoadSummaryStatus(env, flags.dir);
  if (!status.ok()) return ReportError(status.status(), hint);
  // As summary_status() does, re-check that the model file is still there.
  auto md = metadata::ModelMetadata::Load(env, flags.dir);
  if (md.ok()) {
    auto name = md->custom.Get(metadata::kModelFileNameKey);
    if (name.ok() && name->value.is_string()) {
      const std::string file = name->value.get<std::string>();
      status->OnModelFileCheck(env.FileExists(JoinPath(flags.dir, file)), file, flags.dir);
    }
  }
  if (flags.output == "json") {
    std::cout << DumpPythonJson(status->ToJson(), {.indent = 2}) << "\n";
  } else {
    std::cout << status->RenderTable();
  }
  return kExitOk;
}

}  // namespace

void RegisterModelStatus(CLI::App& parent, int* exit_code) {
  auto flags = std::make_shared<StatusFlags>();
  CLI::App* cmd = parent.add_subcommand("status", "Show the model summary status of an artifact");
  cmd->add_option("ARTIFACT_DIR", flags->dir, "A folder written by `ads model prepare`")
      ->required();
  cmd->add_option("--output,-o", flags->output, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->callback([flags, exit_code] { *exit_code = RunStatus(*flags); });
}

}  // namespace ads::cli
