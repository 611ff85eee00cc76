// DeploymentEndpoint with a predictor whose calls block until the test lets
// them go, so that draining, capacity and health can be observed exactly.
#include "serving/deployment_endpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

namespace ads::serving {
namespace {

using ::testing::HasSubstr;

// Calls block until Release(); counts the calls running at once.
class GatedPredictor : public runtime::Predictor {
 public:
  explicit GatedPredictor(Status answer = OkStatus()) : answer_(std::move(answer)) {}
  runtime::RuntimeKind kind() const override { return runtime::RuntimeKind::kOnnx; }
  Result<runtime::PredictResponse> Predict(const runtime::PredictRequest&) const override {
    std::unique_lock<std::mutex> lock(mu_);
    ++running_;
    max_running_ = std::max(max_running_, running_);
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
    --running_;
    if (!answer_.ok()) return answer_;
    return runtime::PredictResponse{R"({"prediction": [0]})"};
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void WaitRunning(int n) const {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return running_ >= n; });
  }
  int max_running() const {
    std::lock_guard<std::mutex> lock(mu_);
    return max_running_;
  }

 private:
  Status answer_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  mutable int running_ = 0;
  mutable int max_running_ = 0;
  bool open_ = false;
};

std::shared_ptr<const LoadedModel> Model(std::shared_ptr<runtime::Predictor> p) {
  auto m = std::make_shared<LoadedModel>();
  m->model_id = "ocid1.datasciencemodel.oc1..m";
  m->runtime = "onnx";
  m->predictor = std::move(p);
  return m;
}

EndpointInfo Info(int instances) {
  EndpointInfo info;
  info.id = "ocid1.datasciencemodeldeployment.oc1..d";
  info.lifecycle_state = "ACTIVE";
  info.instance_count = instances;
  return info;
}

TEST(DeploymentEndpointTest, StopLetsCallsInFlightFinishAndRefusesNewOnes) {
  auto gated = std::make_shared<GatedPredictor>();
  std::weak_ptr<GatedPredictor> watch = gated;
  DeploymentEndpoint endpoint(Info(2), "/nonexistent");
  endpoint.Serve(Model(gated));
  gated.reset();  // the endpoint (and calls) hold it now

  std::vector<std::future<Result<runtime::PredictResponse>>> calls;
  for (int i = 0; i < 3; ++i) {
    calls.push_back(std::async(std::launch::async, [&] { return endpoint.Predict({.body = "[]"}); }));
  }
  watch.lock()->WaitRunning(2);  // two run (capacity 2), one waits in line

  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    endpoint.Stop("INACTIVE");
    stopped = true;
  });
  // New calls are refused at once while the running ones go on.
  for (int i = 0; i < 50 && endpoint.ready(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_FALSE(endpoint.ready());
  auto refused = endpoint.Predict({.body = "[]"});
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(), HasSubstr("is not active (state INACTIVE)"));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(stopped.load());  // waits for the two in flight

  watch.lock()->Release();
  stopper.join();
  int ok = 0, unavailable = 0;
  for (auto& c : calls) {
    auto r = c.get();
    if (r.ok()) ++ok;
    if (r.status().code() == StatusCode::kUnavailable) ++unavailable;
  }
  EXPECT_EQ(ok, 2);           // the two that ran finished normally
  EXPECT_EQ(unavailable, 1);  // the one in line was told the deployment stopped
  EXPECT_TRUE(watch.expired());  // the predictor is freed
}

TEST(DeploymentEndpointTest, CloseRefusesNewCallsAtOnceAndStopThenDropsTheModel) {
  auto gated = std::make_shared<GatedPredictor>();
  std::weak_ptr<GatedPredictor> watch = gated;
  DeploymentEndpoint endpoint(Info(1), "/nonexistent");
  endpoint.Serve(Model(gated));
  gated.reset();

  auto running = std::async(std::launch::async, [&] { return endpoint.Predict({.body = "[]"}); });
  watch.lock()->WaitRunning(1);
  auto waiting = std::async(std::launch::async, [&] { return endpoint.Predict({.body = "[]"}); });

  // Close returns with a call still running: no wait, and from then on
  // nothing new starts; the call waiting in line is told so.
  endpoint.Close("UPDATING");
  EXPECT_FALSE(endpoint.ready());
  EXPECT_EQ(endpoint.info().lifecycle_state, "UPDATING");
  auto refused = endpoint.Predict({.body = "[]"});
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(), HasSubstr("is not active (state UPDATING)"));
  EXPECT_EQ(waiting.get().status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(watch.expired());  // the running call still holds it

  std::thread stopper([&] { endpoint.Stop("INACTIVE"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  watch.lock()->Release();
  stopper.join();
  EXPECT_TRUE(running.get().ok());
  EXPECT_EQ(endpoint.info().lifecycle_state, "INACTIVE");
  EXPECT_TRUE(watch.expired());  // Stop dropped what Close took
}

TEST(DeploymentEndpointTest, InstanceCountBoundsConcurrentCalls) {
  auto gated = std::make_shared<GatedPredictor>();
  DeploymentEndpoint endpoint(Info(3), "/nonexistent");
  endpoint.Serve(Model(gated));
  std::vector<std::future<Result<runtime::PredictResponse>>> calls;
  for (int i = 0; i < 8; ++i) {
    calls.push_back(std::async(std::launch::async, [&] { return endpoint.Predict({.body = "[]"}); }));
  }
  gated->WaitRunning(3);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  gated->Release();
  for (auto& c : calls) EXPECT_TRUE(c.get().ok());
  EXPECT_EQ(gated->max_running(), 3);
}

TEST(DeploymentEndpointTest, RepeatedUnavailableRaisesHealthAndASuccessClearsIt) {
  auto failing = std::make_shared<GatedPredictor>(UnavailableError("worker died"));
  failing->Release();
  DeploymentEndpoint endpoint(Info(1), "/nonexistent", 3);
  std::vector<std::pair<bool, std::string>> events;
  endpoint.SetHealthCallback([&](bool f, const std::string& why) { events.emplace_back(f, why); });
  endpoint.Serve(Model(failing));
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(endpoint.Predict({.body = "[]"}).ok());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].first);
  EXPECT_THAT(events[0].second, HasSubstr("worker died"));

  auto healthy = std::make_shared<GatedPredictor>();
  healthy->Release();
  endpoint.Serve(Model(healthy));
  EXPECT_EQ(endpoint.stats().model_swaps, 1u);
  // Serve resets the count; a model that fails again must fail N times anew.
  EXPECT_TRUE(endpoint.Predict({.body = "[]"}).ok());
  EXPECT_EQ(events.size(), 1u);
  endpoint.SetHealthCallback(nullptr);
}

}  // namespace
}  // namespace ads::serving
