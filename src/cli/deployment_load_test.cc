// The deployment issue's behaviour under load, over real HTTP: clients call
// POST /{deployment}/predict on an in-process `ads server` while the `ads`
// binary swaps the model or deactivates the deployment, and a restart of the
// server brings deployments back in the state they had. (The same rules are
// tested below the HTTP layer in src/serving/: ModelSwapUnderLoadLosesNoRequest,
// StopLetsCallsInFlightFinishAndRefusesNewOnes, RestartBringsAnActiveDeploymentBack.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "base/json.h"
#include "cli/cli_server_test_util.h"

namespace ads::cli {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

const std::string kSource = ADS_SOURCE_DIR;
constexpr char kRow[] = "[[5.1, 3.5, 1.4, 0.2]]";

// A score.py whose calls take as long as the request says, and which leaves a
// file in $ADS_TEST_MARKERS when a call starts, so the test knows it runs.
constexpr char kSlowScorePy[] = R"(import os
import time


def load_model():
    return None


# Marks the call started, then holds it for data["hold"] seconds at most,
# until the test creates the file "release" next to the markers folder.
def predict(data, model=load_model()):
    markers = os.environ["ADS_TEST_MARKERS"]
    open(os.path.join(markers, "%d-%d" % (os.getpid(), data["echo"])), "w").close()
    release = os.path.join(os.path.dirname(markers), "release")
    deadline = time.time() + data["hold"]
    while time.time() < deadline and not os.path.exists(release):
        time.sleep(0.02)
    return {"prediction": data["echo"]}
)";

class DeploymentLoadTest : public AdsProjectTest {
 protected:
  // `ads model prepare MODEL_FILE --artifact-dir <root>/<name> EXTRA...`
  // then `ads model save`; returns the model OCID.
  std::string PrepareAndSave(const std::string& name, const std::string& model_file,
                             const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"model",          "prepare",          model_file,
                                     "--artifact-dir", root_ + "/" + name, "--inference-conda-env",
                                     kServicePack};
    args.insert(args.end(), extra.begin(), extra.end());
    CmdResult prepared = Ads(args);
    EXPECT_EQ(prepared.exit_code, 0) << prepared.err;
    return AdsJson({"model", "save", root_ + "/" + name, "--compartment-id", tenancy_id(),
                    "--project-id", project_})
        .value("id", "");
  }

  // `ads model deploy MODEL --wait FLAGS...`; returns the deployment OCID.
  std::string Deploy(const std::string& model, std::vector<std::string> flags = {}) {
    flags.insert(flags.begin(), {"model", "deploy", model, "--wait", "--bandwidth-mbps", "10000"});
    Json d = AdsJson(flags);
    EXPECT_EQ(d["lifecycleState"], "ACTIVE") << d.dump();
    return d.value("id", "");
  }

  std::string StateOf(const std::string& id) {
    return Call("GET", "/20190101/modelDeployments/" + id).value("lifecycleState", "");
  }
};

// Which model answered: the iris forest gives [labels, probabilities], the
// XGBoost booster one row of three class probabilities.
char WhichModel(const Json& answer) {
  const Json& p = answer.is_object() ? answer.value("prediction", Json()) : Json();
  if (p.is_array() && p.size() == 2 && p[0] == Json::array({0})) return 'A';
  if (p.is_array() && p.size() == 1 && p[0].is_array() && p[0].size() == 3) return 'B';
  return '?';
}

TEST_F(DeploymentLoadTest, ModelSwapUnderHttpLoadLosesNoRequest) {
  const std::string first = PrepareAndSave("iris", kSource + "/examples/iris/model.onnx");
  const std::string second =
      PrepareAndSave("xgb", kSource + "/tests/data/models/xgb_multiclass.json");
  const std::string id = Deploy(first, {"--instance-count", "4"});

  constexpr int kClients = 4;
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0};
  std::vector<std::string> seen(kClients);  // per client, 'A'/'B' per answer in order
  std::vector<std::string> failures(kClients);
  std::vector<std::thread> clients;
  for (int t = 0; t < kClients; ++t) {
    clients.emplace_back([&, t] {
      std::unique_ptr<client::Client> c = NewClient();
      if (c == nullptr) return;
      while (!stop.load()) {
        auto r = c->Call("POST", "/" + id + "/predict", Json::parse(kRow));
        const char which = r.ok() ? WhichModel(r->ParseJson().value_or(Json())) : '?';
        if (which == '?') failures[t] += (r.ok() ? r->body : r.status().ToString()) + "\n";
        seen[t] += which;
        answered.fetch_add(1);
      }
    });
  }
  const auto give_up = Clock::now() + std::chrono::seconds(60);
  while (answered.load() < 40 && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Json swapped = AdsJson({"model-deployment", "update", id, "--model-id", second, "--wait"});
  const int at_swap = answered.load();
  while (answered.load() < at_swap + 40 && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop = true;
  for (std::thread& t : clients) t.join();

  EXPECT_EQ(swapped["lifecycleState"], "ACTIVE");
  EXPECT_EQ(swapped["modelDeploymentConfigurationDetails"]["modelConfigurationDetails"]["modelId"],
            second);
  EXPECT_GE(answered.load(), at_swap + 40) << "the clients stalled";
  for (int t = 0; t < kClients; ++t) {
    EXPECT_EQ(failures[t], "") << "client " << t;
    // Every answer came from the first model, then from the second: never a
    // lost request, never the old model after the new one.
    const size_t first_b = seen[t].find('B');
    EXPECT_NE(first_b, std::string::npos) << "client " << t << ": " << seen[t];
    EXPECT_EQ(seen[t].find('A', first_b), std::string::npos) << "client " << t << ": " << seen[t];
    EXPECT_EQ(seen[t].find('?'), std::string::npos) << "client " << t << ": " << seen[t];
  }
  EXPECT_EQ(seen[0][0], 'A');
}

TEST_F(DeploymentLoadTest, DeactivateUnderHttpLoadLetsCallsInFlightFinish) {
  const std::string markers = root_ + "/markers";
  ASSERT_TRUE(env_.CreateDirs(markers).ok());
  ASSERT_TRUE(env_.WriteFile(root_ + "/score.py", kSlowScorePy).ok());
  ASSERT_TRUE(env_.WriteFile(root_ + "/model.pkl", "opaque model bytes").ok());
  const std::string model =
      PrepareAndSave("slow", root_ + "/model.pkl", {"--score-py", root_ + "/score.py"});
  const std::string id = Deploy(model, {"--instance-count", "2", "--env", "WEB_CONCURRENCY=2",
                                        "--env", "ADS_TEST_MARKERS=" + markers});

  // Two calls held until the test releases them (20 s at most): both run at
  // once (two instances, two workers).
  struct InFlight {
    std::thread thread;
    std::atomic<bool> done{false};
    Clock::time_point finished;
    Result<client::Response> response = UnavailableError("not sent");
  };
  std::vector<InFlight> calls(2);
  for (int i = 0; i < 2; ++i) {
    calls[i].thread = std::thread([&, i] {
      std::unique_ptr<client::Client> c = NewClient();
      if (c == nullptr) return;
      calls[i].response =
          c->Call("POST", "/" + id + "/predict", Json{{"hold", 20}, {"echo", i + 1}});
      calls[i].finished = Clock::now();
      calls[i].done = true;
    });
  }
  const auto give_up = Clock::now() + std::chrono::seconds(30);
  while (env_.ListDir(markers).value_or({}).size() < 2 && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(env_.ListDir(markers).value_or({}).size(), 2u) << "the calls never started";

  CmdResult deactivated;
  Clock::time_point deactivate_returned;
  std::thread deactivate([&] {
    deactivated = Ads({"model-deployment", "deactivate", id, "--wait", "-o", "json"});
    deactivate_returned = Clock::now();
  });
  // Once a client can see the deactivation under way, new calls are refused
  // while the two in flight go on.
  std::string state = "ACTIVE";
  while (state == "ACTIVE" && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    state = StateOf(id);
  }
  const bool in_flight = !calls[0].done && !calls[1].done;
  auto refused = NewClient()->Call("POST", "/" + id + "/predict", Json{{"hold", 0}, {"echo", 9}});
  const bool deactivate_waited = !calls[0].done && !calls[1].done;
  ASSERT_TRUE(env_.WriteFile(root_ + "/release", "").ok());
  deactivate.join();
  for (InFlight& c : calls) c.thread.join();

  EXPECT_TRUE(in_flight) << "the calls ended before the deactivation began (state " << state
                         << "); they are held for 20 s at most";
  EXPECT_NE(state, "ACTIVE");
  EXPECT_TRUE(deactivate_waited) << "the calls ended before they were released";
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().ToString(), HasSubstr("is not active"));
  ASSERT_EQ(deactivated.exit_code, 0) << deactivated.err;
  EXPECT_EQ(Json::parse(deactivated.out)["lifecycleState"], "INACTIVE");
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(calls[i].response.ok()) << calls[i].response.status().ToString();
    EXPECT_EQ(calls[i].response->ParseJson().value_or(Json())["prediction"], i + 1);
    // The deactivation waited for them.
    EXPECT_LE(calls[i].finished, deactivate_returned);
  }
  EXPECT_EQ(env_.ListDir(markers).value_or({}).size(), 2u) << "the refused call ran";
  CmdResult after = Ads({"model", "predict", id, "--data", R"({"hold": 0, "echo": 3})"});
  EXPECT_EQ(after.exit_code, 1);
  EXPECT_THAT(after.err, HasSubstr("INACTIVE"));
}

TEST_F(DeploymentLoadTest, ServerRestartBringsDeploymentsBackAsTheyWere) {
  const std::string model = PrepareAndSave("iris", kSource + "/examples/iris/model.onnx");
  const std::string active = Deploy(model);
  const std::string inactive = Deploy(model);
  ASSERT_EQ(AdsJson({"model-deployment", "deactivate", inactive, "--wait"})["lifecycleState"],
            "INACTIVE");
  CmdResult before = Ads({"model", "predict", active, "--data", kRow});
  ASSERT_EQ(before.exit_code, 0) << before.err;

  RestartServer();
  ASSERT_FALSE(HasFatalFailure());
  std::string state;
  const auto give_up = Clock::now() + std::chrono::seconds(60);
  while ((state = StateOf(active)) != "ACTIVE" && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(state, "ACTIVE");
  CmdResult after = Ads({"model", "predict", active, "--data", kRow});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(Json::parse(after.out), Json::parse(before.out));
  EXPECT_EQ(StateOf(inactive), "INACTIVE");
  CmdResult refused = Ads({"model", "predict", inactive, "--data", kRow});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("INACTIVE"));
}

}  // namespace
}  // namespace ads::cli
