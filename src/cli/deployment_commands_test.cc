// `ads model deploy`, `ads model predict` and `ads model-deployment ...`
// against a real in-process server: the iris forest is saved to the catalog,
// deployed, called, deactivated, updated, activated and deleted through the
// `ads` binary, and bad input is refused with a message naming the problem.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "artifact/zip.h"
#include "base/json.h"
#include "cli/cli_server_test_util.h"
#include "client/client.h"

namespace ads::cli {
namespace {

using ::testing::HasSubstr;

const std::string kSource = ADS_SOURCE_DIR;
constexpr char kRow[] = "[[5.1, 3.5, 1.4, 0.2]]";  // setosa

class DeploymentCliTest : public AdsProjectTest {
 protected:
  // Creates a model whose artifact holds `onnx_bytes` as model.onnx (no
  // score.py: the native ONNX runtime serves it) and returns its OCID.
  std::string SaveModel(const std::string& name, const std::string& onnx_bytes) {
    const std::string dir = root_ + "/" + name;
    EXPECT_TRUE(env_.CreateDirs(dir).ok());
    EXPECT_TRUE(env_.WriteFile(dir + "/model.onnx", onnx_bytes).ok());
    const std::string zip = root_ + "/" + name + ".zip";
    auto packed = artifact::PackArtifact(env_, dir, zip);
    EXPECT_TRUE(packed.ok()) << packed.status().ToString();
    const std::string bytes = env_.ReadFile(zip).value_or("");
    Json model =
        Call("POST", "/20190101/models",
             Json{{"compartmentId", tenancy_id()}, {"projectId", project_}, {"displayName", name}});
    const std::string id = model.value("id", "");
    auto up = client_->Upload(
        "POST", "/20190101/models/" + id + "/artifact",
        [&bytes]() -> Result<http::BodySource> {
          auto offset = std::make_shared<size_t>(0);
          return http::BodySource([&bytes, offset](char* buf, size_t n) -> Result<size_t> {
            const size_t k = std::min(n, bytes.size() - *offset);
            std::memcpy(buf, bytes.data() + *offset, k);
            *offset += k;
            return k;
          });
        },
        bytes.size(),
        {{"content-type", "application/octet-stream"},
         {"content-disposition", "attachment; filename=" + name + ".zip"}});
    EXPECT_TRUE(up.ok()) << up.status().ToString();
    return id;
  }

  std::string SaveIris() {
    return SaveModel("iris", env_.ReadFile(kSource + "/examples/iris/model.onnx").value_or(""));
  }

  static std::vector<std::string> Lines(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < s.size()) {
      size_t end = s.find('\n', start);
      if (end == std::string::npos) end = s.size();
      out.push_back(s.substr(start, end - start));
      start = end + 1;
    }
    return out;
  }
};

TEST_F(DeploymentCliTest, BadArgumentsAreUsageErrors) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"model", "deploy"}, "MODEL_ID"},
      {{"model", "deploy", "ocid1.datasciencemodel.oc1..x", "--env", "NOEQUALS"},
       "--env `NOEQUALS` is not KEY=VALUE"},
      {{"model", "deploy", "ocid1.datasciencemodel.oc1..x", "--instance-count", "0"},
       "--instance-count must be at least 1"},
      {{"model", "predict", "ocid1.datasciencemodeldeployment.oc1..x", "--data", "{\"a\":"},
       "--data is not valid JSON"},
      {{"model", "predict", "ocid1.datasciencemodeldeployment.oc1..x", "--data",
        "@" + root_ + "/missing.json"},
       "missing.json"},
      {{"model", "predict", "ocid1.datasciencemodeldeployment.oc1..x"}, "--data"},
      {{"model-deployment", "update", "ocid1.datasciencemodeldeployment.oc1..x"},
       "nothing to update"},
      {{"model-deployment", "logs", "ocid1.datasciencemodeldeployment.oc1..x", "--type", "debug"},
       "--type"},
      {{"model-deployment", "list"}, "--compartment-id"},
  };
  for (const Case& c : cases) {
    CmdResult r = Ads(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[1] << " " << r.err;
    EXPECT_THAT(r.err, HasSubstr("error: ")) << c.args[1];
    EXPECT_THAT(r.err, HasSubstr(c.message)) << c.args[1];
  }
}

TEST_F(DeploymentCliTest, UnknownIdsAreServerErrors) {
  CmdResult deploy = Ads({"model", "deploy", "ocid1.datasciencemodel.oc1.iad.nope"});
  EXPECT_EQ(deploy.exit_code, 1);
  EXPECT_THAT(deploy.err, HasSubstr("ocid1.datasciencemodel.oc1.iad.nope"));
  EXPECT_THAT(deploy.err, HasSubstr("NotAuthorizedOrNotFound"));
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"model", "predict", "ocid1.datasciencemodeldeployment.oc1..nope",
                                 "--data", kRow},
        std::vector<std::string>{"model-deployment", "get",
                                 "ocid1.datasciencemodeldeployment.oc1..nope"},
        std::vector<std::string>{"model-deployment", "deactivate",
                                 "ocid1.datasciencemodeldeployment.oc1..nope", "--wait"}}) {
    CmdResult r = Ads(args);
    EXPECT_EQ(r.exit_code, 1) << args[1];
    EXPECT_THAT(r.err, HasSubstr("error: ")) << args[1];
    EXPECT_THAT(r.err, HasSubstr("404")) << args[1] << ": " << r.err;
  }
}

TEST_F(DeploymentCliTest, DeployPredictDeactivateUpdateActivateDelete) {
  const std::string model = SaveIris();
  CmdResult deploy = Ads({"model", "deploy", model, "--display-name", "iris-md", "--wait",
                          "--instance-count", "2", "--env", "ADS_MAX_BATCH_SIZE=4", "-o", "table"});
  ASSERT_EQ(deploy.exit_code, 0) << deploy.err;
  const std::vector<std::string> lines = Lines(deploy.out);
  ASSERT_EQ(lines.size(), 2u) << deploy.out;
  const std::string id = lines[0];
  EXPECT_EQ(lines[1], endpoint() + "/" + id + "/predict");

  Json got = AdsJson({"model-deployment", "get", id});
  EXPECT_EQ(got["lifecycleState"], "ACTIVE");
  const Json& config = got["modelDeploymentConfigurationDetails"];
  EXPECT_EQ(config["modelConfigurationDetails"]["modelId"], model);
  EXPECT_EQ(config["modelConfigurationDetails"]["scalingPolicy"]["instanceCount"], 2);
  EXPECT_EQ(config["environmentConfigurationDetails"]["environmentVariables"]["ADS_MAX_BATCH_SIZE"],
            "4");

  Json list = AdsJson({"model-deployment", "list", "--compartment-id", tenancy_id(),
                       "--lifecycle-state", "ACTIVE"});
  ASSERT_EQ(list.size(), 1u) << list.dump();
  EXPECT_EQ(list[0]["id"], id);
  CmdResult table =
      Ads({"model-deployment", "list", "--compartment-id", tenancy_id(), "-o", "table"});
  EXPECT_THAT(table.out, HasSubstr("iris-md"));
  EXPECT_THAT(table.out, HasSubstr("ACTIVE"));

  CmdResult predict = Ads({"model", "predict", id, "--data", kRow});
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  Json answer = Json::parse(predict.out);
  EXPECT_EQ(answer["prediction"][0], Json::array({0}));
  ASSERT_TRUE(env_.WriteFile(root_ + "/rows.json", "[[6.7, 3.0, 5.2, 2.3]]").ok());
  predict = Ads({"model", "predict", id, "--data", "@" + root_ + "/rows.json"});
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  EXPECT_EQ(Json::parse(predict.out)["prediction"][0], Json::array({2}));
  CmdResult bad = Ads({"model", "predict", id, "--data", "[[\"a\", 1, 2, 3]]"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("400"));

  Json inactive = AdsJson({"model-deployment", "deactivate", id, "--wait"});
  EXPECT_EQ(inactive["lifecycleState"], "INACTIVE");
  predict = Ads({"model", "predict", id, "--data", kRow});
  EXPECT_EQ(predict.exit_code, 1);
  EXPECT_THAT(predict.err, HasSubstr("error: "));

  Json updated = AdsJson({"model-deployment", "update", id, "--instance-count", "3",
                          "--bandwidth-mbps", "20", "--wait"});
  EXPECT_EQ(updated["lifecycleState"], "INACTIVE");
  const Json& model_config =
      updated["modelDeploymentConfigurationDetails"]["modelConfigurationDetails"];
  EXPECT_EQ(model_config["scalingPolicy"]["instanceCount"], 3);
  EXPECT_EQ(model_config["bandwidthMbps"], 20);

  Json active = AdsJson({"model-deployment", "activate", id, "--wait"});
  EXPECT_EQ(active["lifecycleState"], "ACTIVE");
  predict = Ads({"model", "predict", id, "--data", kRow});
  EXPECT_EQ(predict.exit_code, 0) << predict.err;

  Json deleted = AdsJson({"model-deployment", "delete", id, "--wait"});
  EXPECT_EQ(deleted["lifecycleState"], "DELETED");
  // As on OCI, a deleted deployment can still be read for a while, as DELETED.
  EXPECT_EQ(AdsJson({"model-deployment", "get", id})["lifecycleState"], "DELETED");
  predict = Ads({"model", "predict", id, "--data", kRow});
  EXPECT_EQ(predict.exit_code, 1);
  EXPECT_THAT(predict.err, HasSubstr("404"));
}

TEST_F(DeploymentCliTest, DeployDefaultsFollowAdsAndTheModel) {
  const std::string model = SaveIris();
  Json d = AdsJson({"model", "deploy", model});
  EXPECT_TRUE(std::regex_match(d.value("displayName", ""),
                               std::regex(R"([a-z]+-[a-z]+-\d{4}-\d\d-\d\d-\d\d:\d\d\.\d\d)")))
      << d.value("displayName", "");
  EXPECT_EQ(d["compartmentId"], tenancy_id());
  EXPECT_EQ(d["projectId"], project_);
  const Json& mc = d["modelDeploymentConfigurationDetails"]["modelConfigurationDetails"];
  EXPECT_EQ(mc["instanceConfiguration"]["instanceShapeName"], "VM.Standard.E4.Flex");
  EXPECT_EQ(mc["scalingPolicy"]["instanceCount"], 1);
  EXPECT_EQ(mc["bandwidthMbps"], 10);
  EXPECT_EQ(d.count("categoryLogDetails") == 0 || d["categoryLogDetails"].empty() ||
                d["categoryLogDetails"].is_null(),
            true)
      << d.dump();
}

TEST_F(DeploymentCliTest, SwapModelWhileActive) {
  const std::string first = SaveIris();
  const std::string second =
      SaveModel("iris2", env_.ReadFile(kSource + "/examples/iris/model.onnx").value_or(""));
  Json d = AdsJson({"model", "deploy", first, "--wait"});
  const std::string id = d["id"];
  Json swapped = AdsJson({"model-deployment", "update", id, "--model-id", second, "--wait"});
  EXPECT_EQ(swapped["lifecycleState"], "ACTIVE");
  EXPECT_EQ(swapped["modelDeploymentConfigurationDetails"]["modelConfigurationDetails"]["modelId"],
            second);
  CmdResult predict = Ads({"model", "predict", id, "--data", kRow});
  EXPECT_EQ(predict.exit_code, 0) << predict.err;
}

TEST_F(DeploymentCliTest, WaitReportsAFailedDeployment) {
  const std::string broken = SaveModel("broken", "this is not an onnx model");
  CmdResult r = Ads({"model", "deploy", broken, "--wait", "-o", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.err, HasSubstr("FAILED"));
  EXPECT_THAT(r.err, HasSubstr("error: model deployment ocid1."));
}

TEST_F(DeploymentCliTest, LogsShowWhatPredictWrote) {
  const std::string model = SaveIris();
  Json d = AdsJson({"model", "deploy", "--access-log", model, "--wait", "--predict-log-id",
                    "ocid1.log.oc1..predict", "--log-group-id", "ocid1.loggroup.oc1..g"});
  const std::string id = d["id"];
  EXPECT_EQ(d["categoryLogDetails"]["access"]["logGroupId"], "ocid1.loggroup.oc1..g") << d.dump();
  EXPECT_EQ(d["categoryLogDetails"]["predict"]["logId"], "ocid1.log.oc1..predict") << d.dump();
  CmdResult none = Ads({"model-deployment", "logs", id});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_THAT(none.err, HasSubstr("No access log lines"));

  for (int i = 0; i < 3; ++i) {
    CmdResult predict = Ads({"model", "predict", id, "--data", kRow});
    ASSERT_EQ(predict.exit_code, 0) << predict.err;
  }
  CmdResult access = Ads({"model-deployment", "logs", id, "--tail", "2", "-o", "json"});
  ASSERT_EQ(access.exit_code, 0) << access.err;
  const std::vector<std::string> lines = Lines(access.out);
  ASSERT_EQ(lines.size(), 2u) << access.out;
  Json line = Json::parse(lines[1]);
  EXPECT_EQ(line["status"], 200);
  EXPECT_EQ(line["method"], "POST");
  CmdResult predict_log = Ads({"model-deployment", "logs", id, "--type", "predict", "-o", "table"});
  ASSERT_EQ(predict_log.exit_code, 0) << predict_log.err;
  EXPECT_EQ(Lines(predict_log.out).size(), 3u) << predict_log.out;
  EXPECT_THAT(predict_log.out, HasSubstr("  predict  "));
}

}  // namespace
}  // namespace ads::cli
