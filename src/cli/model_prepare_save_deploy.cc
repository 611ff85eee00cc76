// `ads model prepare-save-deploy MODEL_FILE --artifact-dir DIR ...`: the whole
// path in one command, as ADS's GenericModel.prepare_save_deploy(): prepare
// the artifact, introspect it (refused on failure unless
// --ignore-introspection), save it to the catalog, deploy it and wait until
// the deployment is ACTIVE. Each step is the code of its own command
// (model_prepare.h, model_save.h, deployment_commands.h); this file only
// chains them and says, when a step fails, what already exists and how to
// go on from there.
//
// Output: progress on stderr; on stdout the model OCID, the deployment OCID,
// its state, the predict URL and a ready-to-paste `ads model predict` line
// (its --data is the first row of --X-sample when there is one), or with
// --output json one object with the same fields.
#include <iostream>
#include <memory>
#include <string>

#include "artifact/sample_data.h"
#include "base/env.h"
#include "cli/commands.h"
#include "cli/deployment_commands.h"
#include "cli/model_prepare.h"
#include "cli/model_save.h"
#include "cli/output.h"
#include "cli/table.h"

namespace ads::cli {
namespace {

struct PsdFlags {
  PrepareFlags prepare;
  SaveFlags save;
  DeployFlags deploy;
};

// A request body for the predict line: the first row of the input sample as
// a list of rows, which every runtime accepts; a placeholder without one.
std::string ExamplePayload(const std::string& x_sample) {
  constexpr char kPlaceholder[] = "<JSON rows>";
  if (x_sample.empty()) return kPlaceholder;
  auto table = artifact::ReadSampleFile(*Env::Default(), x_sample);
  if (!table.ok() || table->num_rows() == 0) return kPlaceholder;
  Json row = Json::array();
  for (const artifact::Column& column : table->columns) row.push_back(column.values[0]);
  return Json::array({row}).dump();
}

// One POSIX shell word: the text in single quotes, each ' inside closing
// the quotes, escaped, and reopening them.
std::string ShellQuote(const std::string& text) {
  std::string word = "'";
  for (char c : text) {
    if (c == '\'') {
      word += "'\\''";
    } else {
      word.push_back(c);
    }
  }
  word.push_back('\'');
  return word;
}

// What exists after a failed deploy step, and the command that continues
// from there.
std::string AfterSaveHint(const std::string& model_id, const std::string& deployment_id) {
  if (deployment_id.empty()) {
    return "the model " + model_id + " is saved; deploy it with `ads model deploy " + model_id +
           " --wait`";
  }
  return "the model " + model_id + " is saved and the model deployment " + deployment_id +
         " exists; see `ads model-deployment get " + deployment_id +
         "`, or delete it with `ads model-deployment delete " + deployment_id +
         " --wait` and run `ads model deploy " + model_id + " --wait`";
}

void PrintResult(const Json& result, OutputFormat format) {
  if (format == OutputFormat::kJson) {
    std::cout << result.dump(2) << "\n";
    return;
  }
  std::cout << "model       " << FieldText(result, "modelId") << "\n"
            << "deployment  " << FieldText(result, "modelDeploymentId") << "\n"
            << "state       " << FieldText(result, "lifecycleState") << "\n"
            << "predict     " << FieldText(result, "predictUrl") << "\n\n"
            << FieldText(result, "predictCommand") << "\n";
}

int RunPrepareSaveDeploy(PsdFlags& f) {
  // Every check that needs no server comes first: a bad flag must not leave
  // a saved model behind.
  if (Status s = CheckDeployFlags(f.deploy); !s.ok()) {
    return UsageError(std::string(s.message()));
  }
  if (int code = RunPrepare(f.prepare, std::cerr); code != kExitOk) return code;

  const ServerFlags& g = f.deploy.g;
  f.save.dir = f.prepare.options.artifact_dir;
  f.save.conn = ConnectionFlags{g.config_file, g.profile, g.endpoint, ""};
  Json model;
  if (int code = SaveArtifact(f.save, &model); code != kExitOk) return code;
  const std::string model_id = FieldText(model, "id");
  std::cerr << "Saved model " << model_id << "\n";

  DeployFlags& d = f.deploy;
  d.model_id = model_id;
  d.compartment_id = FieldText(model, "compartmentId");
  d.project_id = FieldText(model, "projectId");
  return RunWithClient(g, [&](client::Client& c) -> Status {
    std::string deployment_id;
    auto deployment = CreateDeployment(c, d, [&](const std::string& id) {
      deployment_id = id;
      std::cerr << "Created model deployment " << id
                << (d.w.wait ? "; waiting until it is ACTIVE\n" : "\n");
    });
    if (!deployment.ok()) {
      return deployment.status().WithHint(AfterSaveHint(model_id, deployment_id));
    }
    const Json result = {
        {"artifactDir", Env::Default()->AbsolutePath(f.save.dir)},
        {"modelId", model_id},
        {"modelDeploymentId", deployment_id},
        {"lifecycleState", FieldText(*deployment, "lifecycleState")},
        {"predictUrl", PredictUrl(*deployment)},
        {"predictCommand", "ads model predict " + deployment_id + " --data " +
                               ShellQuote(ExamplePayload(f.prepare.options.x_sample))}};
    PrintResult(result, g.Format());
    return OkStatus();
  });
}

}  // namespace

void RegisterModelPrepareSaveDeploy(CLI::App& model, int* exit_code) {
  auto f = std::make_shared<PsdFlags>();
  f->deploy.w.wait = true;  // the point of this command is an endpoint that answers
  CLI::App* cmd = model.add_subcommand(
      "prepare-save-deploy",
      "Prepare an artifact for a model file, save it to the catalog and deploy it, in one go");
  AddPrepareFlags(cmd, &f->prepare);
  AddSaveFlags(cmd, &f->save);
  cmd->add_option("--deployment-display-name", f->deploy.display_name,
                  "Deployment name (default: an ADS-style random name)");
  cmd->add_option("--deployment-description", f->deploy.description, "Deployment description");
  AddDeploymentConfigFlags(cmd, &f->deploy);
  AddServerFlags(cmd, &f->deploy.g);
  cmd->callback([f, exit_code] { *exit_code = RunPrepareSaveDeploy(*f); });
}

}  // namespace ads::cli
