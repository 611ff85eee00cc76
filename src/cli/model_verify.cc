// `ads model verify DIR --data JSON|@FILE`: one local prediction through the
// same runtime code the server uses (runtime::LoadPredictor), printed as the
// endpoint would answer it; marks verify() done in the artifact's status.
//
//   ads model verify ./iris --data '[[5.1, 3.5, 1.4, 0.2]]'
//   {"prediction": [[0], [[1.0, 0.0, 0.0]]]}
#include <iostream>
#include <memory>

#include "artifact/summary_status.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "runtime/predictor.h"

namespace ads::cli {
namespace {

struct VerifyFlags {
  std::string dir;
  std::string data;
  std::string content_type = "application/json";
};

// --data is the body itself, or @FILE for a file's bytes (as curl reads it).
Result<std::string> RequestBody(Env& env, const std::string& data) {
  if (!data.starts_with("@")) return data;
  auto body = env.ReadFile(data.substr(1));
  if (!body.ok()) {
    return Status(body.status().code(),
                  "Cannot read the payload file " + data.substr(1) + ": " + body.status().message());
  }
  return body;
}

// As ADS's verify(), a successful local prediction marks the verify row Done;
// artifacts that ads did not prepare have no status to update.
Status RecordVerify(Env& env, const std::string& dir) {
  if (!env.FileExists(JoinPath(dir, artifact::kStatusFile))) return OkStatus();
  ADS_ASSIGN_OR_RETURN(artifact::SummaryStatus status, artifact::LoadSummaryStatus(env, dir));
  status.OnVerify();
  return artifact::SaveSummaryStatus(env, dir, status);
}

int RunVerify(const VerifyFlags& flags) {
  Env& env = *Env::Default();
  auto body = RequestBody(env, flags.data);
  if (!body.ok()) return ReportError(body.status());
  auto choice = runtime::ChooseRuntime(env, flags.dir);
  if (!choice.ok()) {
    return ReportError(choice.status(), "run `ads model prepare MODEL_FILE --artifact-dir " +
                                            flags.dir + "` to write a complete artifact");
  }
  std::cerr << "runtime: " << runtime::RuntimeKindName(choice->kind) << " (" << choice->reason
            << ")\n";
  runtime::PredictorOptions options;
  options.python_workers = 1;  // one prediction: one worker is enough
  auto predictor = runtime::LoadPredictor(env, flags.dir, options);
  if (!predictor.ok()) return ReportError(predictor.status(), "check the model file and score.py");
  auto response =
      (*predictor)->Predict({.body = *body, .content_type = flags.content_type});
  if (!response.ok()) {
    return ReportError(response.status(),
                       "send the data as the model expects it; see docs/runtime.md for the formats");
  }
  std::cout << response->body << "\n";
  if (Status recorded = RecordVerify(env, flags.dir); !recorded.ok()) return ReportError(recorded);
  return kExitOk;
}

}  // namespace

void RegisterModelVerify(CLI::App& parent, int* exit_code) {
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "verify", "Predict locally with the runtime the server would use; print the JSON response");
  cmd->add_option("ARTIFACT_DIR", flags->dir, "The artifact folder")->required();
  cmd->add_option("--data,-d", flags->data, "The request body (JSON), or @FILE to read it from a file")
      ->required();
  cmd->add_option("--content-type", flags->content_type,
                  "Content type of the body (default application/json)");
  cmd->callback([flags, exit_code] { *exit_code = RunVerify(*flags); });
}

}  // namespace ads::cli
