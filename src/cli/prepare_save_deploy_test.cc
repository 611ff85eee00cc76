// The deployment issue's end-to-end path through the `ads` binary against a
// real in-process `ads server`: prepare -> save -> deploy -> predict for an
// ONNX model (with `ads model prepare-save-deploy`), an XGBoost model served
// natively and an ADS-style score.py model (sklearn via joblib, with the
// separate commands). Each deployed answer is compared with what the model
// computes locally: `ads model verify` on the same artifact, and the
// library's own output (sklearn's predict recorded in the test data, python
// xgboost's predict).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/json.h"
#include "base/test_shell.h"
#include "cli/cli_server_test_util.h"

namespace ads::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kSource = ADS_SOURCE_DIR;

class PrepareSaveDeployTest : public AdsProjectTest {
 protected:
  // The flags that place a model in this test's project.
  std::vector<std::string> Where() const {
    return {"--compartment-id", tenancy_id(), "--project-id", project_};
  }

  // `ads model prepare-save-deploy` of the iris forest into artifact_dir(),
  // in this test's project, with `flags`.
  std::vector<std::string> IrisInOneGo(const std::vector<std::string>& flags) const {
    std::vector<std::string> args = {"model", "prepare-save-deploy",
                                     kSource + "/examples/iris/model.onnx", "--artifact-dir",
                                     artifact_dir()};
    for (const std::string& f : Where()) args.push_back(f);
    args.insert(args.end(), flags.begin(), flags.end());
    return args;
  }

  // `ads model prepare` + `ads model save` + `ads model deploy --wait`, as
  // separate commands; returns the deployment document.
  Json PrepareSaveAndDeploy(const std::vector<std::string>& prepare,
                            const std::vector<std::string>& deploy_flags = {}) {
    std::vector<std::string> args = {"model", "prepare"};
    args.insert(args.end(), prepare.begin(), prepare.end());
    CmdResult prepared = Ads(args);
    EXPECT_EQ(prepared.exit_code, 0) << prepared.err;
    args = {"model", "save", artifact_dir()};
    for (const std::string& f : Where()) args.push_back(f);
    Json model = AdsJson(args);
    EXPECT_THAT(model.value("id", ""), StartsWith("ocid1.datasciencemodel."));
    args = {"model", "deploy", model.value("id", ""), "--wait"};
    args.insert(args.end(), deploy_flags.begin(), deploy_flags.end());
    Json deployment = AdsJson(args);
    EXPECT_EQ(deployment["lifecycleState"], "ACTIVE") << deployment.dump();
    return deployment;
  }

  std::string artifact_dir() const { return root_ + "/artifact"; }

  // The same body through the deployment and through `ads model verify` on
  // the artifact: both answers, parsed; the test fails unless they are equal.
  Json PredictBothWays(const std::string& deployment_id, const std::string& body) {
    CmdResult remote = Ads({"model", "predict", deployment_id, "--data", body});
    EXPECT_EQ(remote.exit_code, 0) << remote.err;
    CmdResult local = Ads({"model", "verify", artifact_dir(), "--data", body});
    EXPECT_EQ(local.exit_code, 0) << local.err;
    Json answer = Json::parse(remote.out, nullptr, false);
    EXPECT_EQ(answer, Json::parse(local.out, nullptr, false)) << remote.out << local.out;
    return answer;
  }
};

// The rows of examples/iris/X.csv as a JSON list of rows.
std::string IrisRows() {
  const std::string csv = Env::Default()->ReadFile(kSource + "/examples/iris/X.csv").value();
  Json rows = Json::array();
  size_t start = csv.find('\n') + 1;  // after the header
  while (start < csv.size()) {
    size_t end = csv.find('\n', start);
    if (end == std::string::npos) end = csv.size();
    if (end > start) rows.push_back(Json::parse("[" + csv.substr(start, end - start) + "]"));
    start = end + 1;
  }
  return rows.dump();
}

TEST_F(PrepareSaveDeployTest, OnnxModelInOneCommandAnswersAsSklearnDid) {
  Json result = AdsJson(IrisInOneGo(
      {"--inference-conda-env", kServicePack, "--X-sample", kSource + "/examples/iris/X.csv",
       "--y-sample", kSource + "/examples/iris/y.csv", "--display-name", "iris-rf",
       "--version-label", "v1", "--deployment-display-name", "iris-endpoint", "--instance-count",
       "2", "--env", "ADS_MAX_BATCH_SIZE=8"}));
  const std::string model_id = result.value("modelId", "");
  const std::string deployment_id = result.value("modelDeploymentId", "");
  EXPECT_THAT(model_id, StartsWith("ocid1.datasciencemodel."));
  EXPECT_THAT(deployment_id, StartsWith("ocid1.datasciencemodeldeployment."));
  EXPECT_EQ(result["lifecycleState"], "ACTIVE");
  EXPECT_EQ(result["predictUrl"], endpoint() + "/" + deployment_id + "/predict");
  EXPECT_EQ(result["artifactDir"], artifact_dir());

  // Each step did what its own command does.
  Json model = Call("GET", "/20190101/models/" + model_id);
  EXPECT_EQ(model["displayName"], "iris-rf");
  EXPECT_EQ(model["versionLabel"], "v1");
  EXPECT_THAT(model.value("inputSchema", ""), HasSubstr("sepal_length"));
  bool introspected = false;
  for (const Json& item : model["definedMetadataList"]) {
    introspected |= item.value("key", "") == "ArtifactTestResults" && !item["value"].is_null();
  }
  EXPECT_TRUE(introspected) << model["definedMetadataList"].dump();
  Json deployment = Call("GET", "/20190101/modelDeployments/" + deployment_id);
  EXPECT_EQ(deployment["displayName"], "iris-endpoint");
  Json& config = deployment["modelDeploymentConfigurationDetails"];
  EXPECT_EQ(config["modelConfigurationDetails"]["modelId"], model_id);
  EXPECT_EQ(config["modelConfigurationDetails"]["scalingPolicy"]["instanceCount"], 2);

  // The predict line is ready to paste: it runs as printed (with this
  // build's binary for `ads`) and carries the first row of the X sample.
  const std::string line = result.value("predictCommand", "");
  ASSERT_THAT(line,
              StartsWith("ads model predict " + deployment_id + " --data '[[5.0,3.4,1.5,0.2]]'"));
  const std::string pasted = testing_util::RunShell(Quote(ADS_BINARY) + line.substr(3) + " 2>&1");
  EXPECT_EQ(Json::parse(pasted, nullptr, false)["prediction"][0], Json::array({0})) << pasted;

  // All 20 sample rows: sklearn's own predict and predict_proba, recorded by
  // examples/iris/make_iris.py, and the local runtime's exact answer.
  Json expected = Json::parse(env_.ReadFile(kSource + "/examples/iris/expected.json").value());
  Json answer = PredictBothWays(deployment_id, IrisRows());
  ASSERT_EQ(answer["prediction"].size(), 2u) << answer.dump();
  EXPECT_EQ(answer["prediction"][0], expected["predict"]);
  const Json& proba = answer["prediction"][1];
  ASSERT_EQ(proba.size(), expected["predict_proba"].size());
  for (size_t i = 0; i < proba.size(); ++i) {
    for (size_t k = 0; k < 3; ++k) {
      EXPECT_NEAR(proba[i][k].get<double>(), expected["predict_proba"][i][k].get<double>(), 1e-6)
          << "row " << i;
    }
  }
}

TEST_F(PrepareSaveDeployTest, XgboostModelIsServedNativelyAndAnswersAsXgboostDoes) {
  Json deployment =
      PrepareSaveAndDeploy({kSource + "/tests/data/models/xgb_multiclass.json", "--artifact-dir",
                            artifact_dir(), "--inference-conda-env", kServicePack});
  const std::string id = deployment.value("id", "");
  CmdResult runtime = Ads({"model", "verify", artifact_dir(), "--data", "[[0, 0, 0, 0]]"});
  EXPECT_THAT(runtime.err, HasSubstr("runtime: xgboost"));

  const std::string rows = "[[5.1, 3.5, 1.4, 0.2], [0.1, 0.2, 0.3, 0.4], [1, 1, 1, 1]]";
  Json answer = PredictBothWays(id, rows);
  // python3-xgboost's own Booster.predict on the same file and rows.
  const std::string script =
      "import json, numpy, xgboost; b = xgboost.Booster(model_file='" + artifact_dir() +
      "/xgb_multiclass.json'); print(json.dumps(b.predict(xgboost.DMatrix(numpy.array(" + rows +
      ", dtype=numpy.float32))).tolist()))";
  const std::string out = testing_util::RunShell("/usr/bin/python3 -c " + Quote(script));
  // The answer is the last line; anything before it is a warning on stderr.
  const size_t last = out.find_last_of('\n', out.size() - 2);
  Json expected =
      Json::parse(last == std::string::npos ? out : out.substr(last + 1), nullptr, false);
  ASSERT_TRUE(expected.is_array()) << out;
  const Json& got = answer["prediction"];
  ASSERT_EQ(got.size(), expected.size()) << answer.dump();
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].size(), 3u);
    for (size_t k = 0; k < 3; ++k) {
      EXPECT_NEAR(got[i][k].get<double>(), expected[i][k].get<double>(), 1e-6) << "row " << i;
    }
  }
}

TEST_F(PrepareSaveDeployTest, ScorePyModelRunsInPythonWorkersAndAnswersAsSklearnDoes) {
  const std::string fixture = kSource + "/tests/data/runtime/python/sklearn_iris";
  const std::string trained = root_ + "/trained";
  ASSERT_TRUE(env_.CreateDirs(trained).ok());
  const std::string log =
      testing_util::RunShell("/usr/bin/python3 " + fixture + "/train.py " + trained + " 2>&1");
  auto recorded = env_.ReadFile(trained + "/expected.json");
  ASSERT_TRUE(recorded.ok()) << "training failed: " << log;
  Json expected = Json::parse(*recorded);

  Json deployment = PrepareSaveAndDeploy(
      {trained + "/model.joblib", "--artifact-dir", artifact_dir(), "--score-py",
       fixture + "/score.py", "--inference-conda-env", kServicePack},
      {"--env", "WEB_CONCURRENCY=1"});
  const std::string id = deployment.value("id", "");
  CmdResult runtime = Ads({"model", "verify", artifact_dir(), "--data", "[[5.1, 3.5, 1.4, 0.2]]"});
  EXPECT_THAT(runtime.err, HasSubstr("runtime: python"));

  Json answer = PredictBothWays(id, expected["rows"].dump());
  EXPECT_EQ(answer["prediction"], expected["prediction"]);
  // ADS's {"data": ..., "data_type": ...} wrapper reaches score.py too.
  CmdResult wrapped =
      Ads({"model", "predict", id, "--data",
           Json{{"data", expected["rows"]}, {"data_type", "<class 'list'>"}}.dump()});
  ASSERT_EQ(wrapped.exit_code, 0) << wrapped.err;
  EXPECT_EQ(Json::parse(wrapped.out)["prediction"], expected["prediction"]);
}

TEST_F(PrepareSaveDeployTest, BadDeployFlagsStopBeforeAnythingIsWritten) {
  CmdResult r = Ads(IrisInOneGo({"--inference-conda-env", kServicePack, "--env", "NOEQUALS"}));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--env `NOEQUALS` is not KEY=VALUE"));
  EXPECT_FALSE(env_.FileExists(artifact_dir()));
  EXPECT_TRUE(Call("GET", "/20190101/models?compartmentId=" + tenancy_id()).empty());
}

TEST_F(PrepareSaveDeployTest, FailingIntrospectionSavesNothingUnlessIgnored) {
  // Without conda information runtime.yaml has no inference environment,
  // which introspection refuses.
  std::vector<std::string> args = IrisInOneGo({"--ignore-conda-error", "-o", "table"});
  CmdResult refused = Ads(args);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("Model introspection not passed."));
  EXPECT_THAT(refused.err, HasSubstr("runtime_env_path"));
  EXPECT_THAT(refused.err, HasSubstr("--ignore-introspection"));
  EXPECT_TRUE(Call("GET", "/20190101/models?compartmentId=" + tenancy_id()).empty());

  args.insert(args.end(), {"--force-overwrite", "--ignore-introspection"});
  CmdResult forced = Ads(args);
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  // The table form, for a person: one labelled line each, then the command.
  Json models = Call("GET", "/20190101/models?compartmentId=" + tenancy_id());
  ASSERT_EQ(models.size(), 1u);
  EXPECT_THAT(forced.out, HasSubstr("model       " + models[0].value("id", "") + "\n"));
  EXPECT_THAT(forced.out, HasSubstr("state       ACTIVE\n"));
  EXPECT_THAT(forced.out, HasSubstr("predict     " + endpoint() + "/ocid1."));
  // Without --X-sample the payload is a placeholder to fill in.
  EXPECT_THAT(forced.out, HasSubstr(" --data '<JSON rows>'\n"));
}

TEST_F(PrepareSaveDeployTest, AFailedDeploySaysWhichModelExistsAndHowToGoOn) {
  // The server refuses WEB_CONCURRENCY above 64 when the deployment is created.
  CmdResult r =
      Ads(IrisInOneGo({"--inference-conda-env", kServicePack, "--env", "WEB_CONCURRENCY=1000"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("WEB_CONCURRENCY"));
  Json models = Call("GET", "/20190101/models?compartmentId=" + tenancy_id());
  ASSERT_EQ(models.size(), 1u) << models.dump();
  const std::string model_id = models[0].value("id", "");
  EXPECT_THAT(r.err, HasSubstr("the model " + model_id + " is saved"));
  EXPECT_THAT(r.err, HasSubstr("`ads model deploy " + model_id + " --wait`"));

  // The hint works as given.
  Json deployment = AdsJson({"model", "deploy", model_id, "--wait"});
  EXPECT_EQ(deployment["lifecycleState"], "ACTIVE");
}

}  // namespace
}  // namespace ads::cli
