// The server side of the worker protocol against a fake interpreter
// (tests/data/runtime/python/fake_python.py) that breaks the protocol on
// purpose; the real worker program is covered by python_predictor_test.cc.
#include "runtime/python_worker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "runtime/python_worker_script.h"

namespace ads::runtime {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

PythonWorkerConfig FakeConfig(const std::string& mode) {
  PythonWorkerConfig config;
  config.python = std::string(ADS_SOURCE_DIR) + "/tests/data/runtime/python/fake_python.py";
  config.artifact_dir = std::string(ADS_SOURCE_DIR) + "/tests/data/runtime/python/misbehaving";
  config.env = {"PATH=/usr/bin:/bin", "FAKE_MODE=" + mode};
  config.max_output_bytes = 1 << 20;
  return config;
}

std::unique_ptr<PythonWorker> ReadyFake(const std::string& mode) {
  Result<std::unique_ptr<PythonWorker>> w = PythonWorker::Spawn(FakeConfig(mode));
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  if (!w.ok()) return nullptr;
  Status ready = (*w)->WaitReady(Clock::now() + std::chrono::seconds(20), nullptr);
  EXPECT_TRUE(ready.ok()) << ready.ToString();
  return std::move(w).value();
}

// Each broken reply must fail fast (the fake then sleeps for 60 s), with a
// clear error, and leave the worker killed.
void ExpectFastFailure(const std::string& mode, StatusCode code, const std::string& text) {
  std::unique_ptr<PythonWorker> w = ReadyFake(mode);
  ASSERT_NE(w, nullptr);
  const auto start = Clock::now();
  Result<std::string> out = w->Call(kFrameJsonRequest, "[1]", milliseconds(10000));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5)) << mode;
  ASSERT_FALSE(out.ok()) << mode;
  EXPECT_EQ(out.status().code(), code) << out.status().ToString();
  EXPECT_THAT(out.status().message(), HasSubstr(text));
  EXPECT_FALSE(w->healthy());
  Result<std::string> again = w->Call(kFrameJsonRequest, "[1]", milliseconds(1000));
  EXPECT_EQ(again.status().code(), StatusCode::kUnavailable);
}

TEST(PythonWorkerTest, OversizedFrameHeaderKillsTheWorker) {
  ExpectFastFailure("oversized", StatusCode::kOutOfRange,
                    "sent a reply of 1099511627776 bytes during predict()");
}

TEST(PythonWorkerTest, UnknownFrameKindKillsTheWorker) {
  ExpectFastFailure("unknown_kind", StatusCode::kInternal, "unexpected frame 'Z'");
}

TEST(PythonWorkerTest, TruncatedFrameIsACrash) {
  ExpectFastFailure("truncated", StatusCode::kUnavailable,
                    "score.py worker crashed (exit code 0) during predict()");
}

TEST(PythonWorkerTest, ClosedSocketWithTheProcessAliveIsReported) {
  ExpectFastFailure("close_socket", StatusCode::kUnavailable,
                    "it closed its connection and was killed");
}

TEST(PythonWorkerTest, CancelEndsAWaitForALoadingWorker) {
  Result<std::unique_ptr<PythonWorker>> w = PythonWorker::Spawn(FakeConfig("silent_load"));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(200));
    cancel = true;
  });
  const auto start = Clock::now();
  Status s = (*w)->WaitReady(Clock::now() + std::chrono::seconds(30), &cancel);
  canceller.join();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("shutting down"));
  EXPECT_FALSE((*w)->healthy());
}

TEST(PythonWorkerTest, TimeoutKillsTheWorker) {
  std::unique_ptr<PythonWorker> w = ReadyFake("no_reply");
  ASSERT_NE(w, nullptr);
  const auto start = Clock::now();
  Result<std::string> out = w->Call(kFrameJsonRequest, "[1]", milliseconds(300));
  const auto took = Clock::now() - start;
  EXPECT_GE(took, milliseconds(295));
  EXPECT_LT(took, std::chrono::seconds(3));
  EXPECT_EQ(out.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(out.status().message(), HasSubstr("did not finish within 300 ms"));
  EXPECT_FALSE(w->healthy());
}

}  // namespace
}  // namespace ads::runtime
