// Registration of the `ads` subcommands. Each Register* adds one command to
// `parent`; its callback stores the process exit status in *exit_code.
#ifndef ADS_CLI_COMMANDS_H_
#define ADS_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace ads::cli {

void RegisterModelPrepare(CLI::App& parent, int* exit_code);
void RegisterModelIntrospect(CLI::App& parent, int* exit_code);
void RegisterModelStatus(CLI::App& parent, int* exit_code);
void RegisterModelMetadata(CLI::App& parent, int* exit_code);
void RegisterModelVerify(CLI::App& parent, int* exit_code);
// The `ads onnx` group (src/cli/onnx_commands.cc).
void RegisterOnnxRun(CLI::App& parent, int* exit_code);
void RegisterOnnxBench(CLI::App& parent, int* exit_code);
void RegisterOnnxShapes(CLI::App& parent, int* exit_code);
void RegisterOnnxTest(CLI::App& parent, int* exit_code);
// `ads server` and `ads server init` (src/cli/server_command.cc).
void RegisterServer(CLI::App& parent, int* exit_code);
// `ads project ...` and `ads model list|get|update|delete|activate|deactivate`
// (src/cli/catalog_commands.cc).
void RegisterProject(CLI::App& parent, int* exit_code);
void RegisterModelCatalog(CLI::App& model, int* exit_code);
// `ads model-version-set ...` (src/cli/catalog_commands.cc).
void RegisterModelVersionSet(CLI::App& parent, int* exit_code);
// `ads iam ...`: users, groups, dynamic groups, API keys, compartments, policies
// (src/cli/iam_commands.cc).
void RegisterIam(CLI::App& parent, int* exit_code);
// `ads model save` and `ads model download` (src/cli/model_save.cc).
void RegisterModelSave(CLI::App& model, int* exit_code);
void RegisterModelDownload(CLI::App& model, int* exit_code);
// `ads model deploy`, `ads model predict` and `ads model-deployment ...`
// (src/cli/deployment_commands.cc).
void RegisterModelDeploy(CLI::App& model, int* exit_code);
void RegisterModelPredict(CLI::App& model, int* exit_code);
void RegisterModelDeployment(CLI::App& parent, int* exit_code);
// `ads model prepare-save-deploy` (src/cli/model_prepare_save_deploy.cc).
void RegisterModelPrepareSaveDeploy(CLI::App& model, int* exit_code);

}  // namespace ads::cli

#endif  // ADS_CLI_COMMANDS_H_
