// `ads model introspect DIR|ZIP`: ADS's artifact checks, as a table or JSON.
#include <iostream>
#include <memory>

#include "artifact/introspect.h"
#include "artifact/summary_status.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "metadata/model_metadata.h"

namespace ads::cli {
namespace {

struct IntrospectFlags {
  std::string path;
  std::string output = "table";
  bool native = false;
  bool no_save = false;
};

// In a prepared artifact, records the result as ADS does: the TESTS dict as the
// ArtifactTestResults taxonomy value, and the introspect row of the status.
Status RecordInArtifact(Env& env, const std::string& dir,
                        const artifact::IntrospectionResult& result) {
  auto md = metadata::ModelMetadata::Load(env, dir);
  if (md.ok()) {
    ADS_RETURN_IF_ERROR(md->taxonomy.Set(metadata::kArtifactTestResultsKey, result.tests));
    ADS_RETURN_IF_ERROR(md->Save(env, dir));
  } else if (md.status().code() != StatusCode::kNotFound) {
    return md.status();
  }
  if (!env.FileExists(JoinPath(dir, artifact::kStatusFile))) return OkStatus();
  auto status = artifact::LoadSummaryStatus(env, dir);
  if (!status.ok()) return status.status();
  status->OnIntrospect(result.status == artifact::IntrospectionStatus::kPassed);
  return artifact::SaveSummaryStatus(env, dir, *status);
}

int RunIntrospect(const IntrospectFlags& flags) {
  Env& env = *Env::Default();
  artifact::IntrospectOptions options;
  if (flags.native) options.check_set = artifact::CheckSet::kNative;
  auto result = artifact::IntrospectArtifact(env, flags.path, options);
  if (!result.ok()) return ReportError(result.status());
  const bool passed = result->status == artifact::IntrospectionStatus::kPassed;
  if (env.IsDirectory(flags.path) && !flags.no_save) {
    // As ADS does, the result lands in the artifact (test_json_output.json) and
    // in the summary status.
    Status saved = artifact::SaveIntrospectionResult(env, flags.path, *result);
    if (saved.ok()) saved = RecordInArtifact(env, flags.path, *result);
    if (!saved.ok()) return ReportError(saved);
  }
  if (flags.output == "json") {
    std::cout << artifact::IntrospectionJsonText(*result) << "\n";
  } else {
    std::cout << artifact::RenderIntrospectionTable(*result);
  }
  return passed ? kExitOk : kExitFailed;
}

}  // namespace

void RegisterModelIntrospect(CLI::App& parent, int* exit_code) {
  auto flags = std::make_shared<IntrospectFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "introspect", "Run ADS's artifact checks; exit status 1 when one fails");
  cmd->add_option("ARTIFACT", flags->path, "Artifact folder or .zip")->required();
  cmd->add_option("--output,-o", flags->output, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_flag("--native", flags->native,
                "Run the native checks (model file, schema) instead of ADS's score.py checks");
  cmd->add_flag("--no-save", flags->no_save,
                "Do not write test_json_output.json or update the status");
  cmd->callback([flags, exit_code] { *exit_code = RunIntrospect(*flags); });
}

}  // namespace ads::cli
