#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "base/version.h"
#include "cli/commands.h"
#include "cli/output.h"

namespace ads::cli {

int RunMain(int argc, char** argv) {
  CLI::App app{
      "ads: prepare, check, save, deploy and call models (ADS and OCI Data Science "
      "compatible)",
      "ads"};
  app.set_version_flag("--version", std::string(kAdsVersion));
  app.require_subcommand(1);

  int exit_code = kExitOk;
  CLI::App* model = app.add_subcommand("model", "Prepare, check, save, deploy and call models");
  model->require_subcommand(1);
  RegisterModelPrepare(*model, &exit_code);
  RegisterModelIntrospect(*model, &exit_code);
  RegisterModelStatus(*model, &exit_code);
  RegisterModelMetadata(*model, &exit_code);
  RegisterModelVerify(*model, &exit_code);
  RegisterModelCatalog(*model, &exit_code);
  RegisterModelSave(*model, &exit_code);
  RegisterModelDownload(*model, &exit_code);
  RegisterModelDeploy(*model, &exit_code);
  RegisterModelPredict(*model, &exit_code);
  RegisterModelPrepareSaveDeploy(*model, &exit_code);
  CLI::App* onnx = app.add_subcommand("onnx",
                                      "Run, benchmark and conformance-test ONNX models with the "
                                      "built-in engine");
  onnx->require_subcommand(1);
  RegisterOnnxRun(*onnx, &exit_code);
  RegisterOnnxBench(*onnx, &exit_code);
  RegisterOnnxShapes(*onnx, &exit_code);
  RegisterOnnxTest(*onnx, &exit_code);
  RegisterServer(app, &exit_code);
  RegisterProject(app, &exit_code);
  RegisterModelVersionSet(app, &exit_code);
  RegisterModelDeployment(app, &exit_code);
  RegisterIam(app, &exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "error: " << e.what() << "\n"
              << "hint: run `ads --help` (or `ads model <command> --help`) for usage\n";
    return kExitUsage;
  }
  return exit_code;
}

}  // namespace ads::cli
