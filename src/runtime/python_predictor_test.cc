// Tests of the python runtime against real python3 worker processes. The
// score.py fixtures live in tests/data/runtime/python/; each test copies one
// into a fresh artifact directory.
#include "runtime/python_predictor.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/json.h"
#include "base/test_shell.h"

namespace ads::runtime {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

std::string FixtureDir(const std::string& name) {
  return std::string(ADS_SOURCE_DIR) + "/tests/data/runtime/python/" + name;
}

// A fresh directory holding a copy of one fixture; removed afterwards.
class Artifact {
 public:
  explicit Artifact(const std::string& fixture) {
    std::string pattern = (fs::temp_directory_path() / "ads-python-test-XXXXXX").string();
    const char* made = mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    dir_ = pattern;
    fs::copy(FixtureDir(fixture), dir_, fs::copy_options::recursive);
  }
  ~Artifact() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  const std::string& dir() const { return dir_; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

PredictorOptions Options(int workers = 1, int timeout_ms = 5000) {
  PredictorOptions options;
  options.python_workers = workers;
  options.python_timeout = std::chrono::milliseconds(timeout_ms);
  return options;
}

std::unique_ptr<Predictor> MustLoad(const Artifact& artifact, const PredictorOptions& options,
                                    const PythonRuntimeLimits& limits = {}) {
  Result<std::unique_ptr<Predictor>> p =
      LoadPythonPredictor(*Env::Default(), artifact.dir(), options, limits);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(p).value() : nullptr;
}

Result<PredictResponse> Send(const Predictor& p, const std::string& body,
                             const std::string& content_type = "application/json") {
  return p.Predict({.body = body, .content_type = content_type});
}

// Sends `body` as JSON and parses the JSON answer.
Result<Json> PredictJson(const Predictor& p, const Json& body) {
  ADS_ASSIGN_OR_RETURN(PredictResponse r, Send(p, DumpPythonJson(body)));
  return ParseJson(r.body, "the prediction");
}

// The request every failure test sends afterwards: the worker pool must
// still answer correctly. A replacement worker may still be loading on a
// busy machine; "no worker became free" is the documented retryable answer
// for that, so only that one error is retried.
void ExpectHealthy(const Predictor& p) {
  const auto give_up = Clock::now() + std::chrono::seconds(20);
  Result<Json> out = UnavailableError("not tried");
  do {
    out = PredictJson(p, Json{{"op", "double"}, {"values", {1, 2.5}}});
  } while (!out.ok() && Clock::now() < give_up &&
           out.status().message().find("No score.py worker became free") != std::string::npos);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, Json::parse(R"({"prediction": [2, 5.0]})"));
}

bool ProcessGone(pid_t pid) {
  // A killed grandchild may linger as a zombie of init for a moment.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const size_t close = line.rfind(')');
  return close != std::string::npos && line.size() > close + 2 && line[close + 2] == 'Z';
}

// Up to 10 s: on a loaded CI machine a worker's exit can take seconds to be seen.
bool EventuallyGone(pid_t pid) {
  for (int i = 0; i < 1000; ++i) {
    if (ProcessGone(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// --- an ADS-style sklearn artifact -----------------------------------------

class SklearnTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    artifact_ = new Artifact("sklearn_iris");
    const std::string out = testing_util::RunShell(
        "/usr/bin/python3 " + artifact_->path("train.py") + " " + artifact_->dir());
    std::ifstream in(artifact_->path("expected.json"));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Result<Json> parsed = ParseJson(text, "expected.json");
    ASSERT_TRUE(parsed.ok()) << "training failed: " << out;
    expected_ = new Json(std::move(parsed).value());
    Result<std::unique_ptr<Predictor>> p =
        LoadPythonPredictor(*Env::Default(), artifact_->dir(), Options(2, 20000));
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    predictor_ = std::move(p).value().release();
  }
  static void TearDownTestSuite() {
    delete predictor_;
    delete expected_;
    delete artifact_;
  }
  void SetUp() override {
    ASSERT_NE(predictor_, nullptr);
    ASSERT_NE(expected_, nullptr);
  }

  static Artifact* artifact_;
  static Json* expected_;
  static Predictor* predictor_;
};
Artifact* SklearnTest::artifact_ = nullptr;
Json* SklearnTest::expected_ = nullptr;
Predictor* SklearnTest::predictor_ = nullptr;

// One test for all payload forms: ctest runs each test in its own process,
// and every process pays for training and for importing sklearn.
TEST_F(SklearnTest, PredictsWhatPythonPredictsDirectly) {
  EXPECT_EQ(predictor_->kind(), RuntimeKind::kPython);
  const Json& want = expected_->at("prediction");
  // The classes are not all the same, so the comparisons mean something.
  EXPECT_NE(std::count(want.begin(), want.end(), want[0]), static_cast<long>(want.size()));

  Result<Json> rows = PredictJson(*predictor_, expected_->at("rows"));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->at("prediction"), want);

  // ADS's JSON serializer wraps the payload.
  Json wrapped = {{"data", expected_->at("rows")}, {"data_type", "<class 'list'>"}};
  Result<Json> unwrapped = PredictJson(*predictor_, wrapped);
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
  EXPECT_EQ(unwrapped->at("prediction"), want);

  const std::string body = DumpPythonJson(expected_->at("rows"));
  Result<PredictResponse> r = Send(*predictor_, body, "Application/JSON; charset=utf-8");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Json::parse(r->body).at("prediction"), want);
  EXPECT_EQ(r->content_type, "application/json");

  // A payload of the wrong shape is the model's own error.
  Result<Json> wrong = PredictJson(*predictor_, Json::parse("[[1.0, 2.0]]"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(wrong.status().message(), HasSubstr("score.py predict() raised ValueError"));
  EXPECT_THAT(wrong.status().message(), HasSubstr("features"));
}

TEST_F(SklearnTest, ManyThreadsAtOnceAllGetTheirOwnAnswers) {
  const Json& rows = expected_->at("rows");
  const Json& want = expected_->at("prediction");
  constexpr int kThreads = 12;
  constexpr int kPerThread = 6;
  std::atomic<int> right{0};
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const size_t row = static_cast<size_t>(t * kPerThread + i) % rows.size();
        Result<Json> out = PredictJson(*predictor_, Json::array({rows[row]}));
        if (!out.ok()) {
          failures[t] = out.status().ToString();
        } else if (out->at("prediction") == Json::array({want[row]})) {
          ++right;
        } else {
          failures[t] = "row " + std::to_string(row) + " got " + out->dump();
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(right.load(), kThreads * kPerThread);
  for (const std::string& f : failures) EXPECT_EQ(f, "");
}

// --- failures cost only their own request -----------------------------------

TEST(PythonPredictorTest, ExceptionFailsOnlyItsRequest) {
  Artifact a("misbehaving");
  auto p = MustLoad(a, Options());
  ASSERT_NE(p, nullptr);
  Result<Json> out = PredictJson(*p, Json{{"op", "raise"}, {"value", 42}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kFailedPrecondition);
  const std::string& m = out.status().message();
  EXPECT_THAT(m, HasSubstr("score.py predict() raised ValueError: bad value 42"));
  EXPECT_THAT(m, HasSubstr("Traceback (most recent call last):"));
  EXPECT_THAT(m, HasSubstr("score.py\", line"));
  EXPECT_THAT(m, HasSubstr("raise ValueError"));
  EXPECT_THAT(m, Not(HasSubstr("<string>")));  // the worker's own frames are hidden
  ExpectHealthy(*p);
}

TEST(PythonPredictorTest, ExitInUserCodeIsACrashAndTheWorkerIsReplaced) {
  Artifact a("misbehaving");
  auto p = MustLoad(a, Options());
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->worker_restarts(), 0u);
  Result<Json> out = PredictJson(*p, Json{{"op", "exit"}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(out.status().message(), HasSubstr("score.py worker crashed (exit code 3)"));
  EXPECT_EQ(p->worker_restarts(), 1u);
  ExpectHealthy(*p);
  // A request that fails in user code without killing the worker is no restart.
  EXPECT_FALSE(PredictJson(*p, Json{{"op", "raise"}}).ok());
  EXPECT_EQ(p->worker_restarts(), 1u);
}

TEST(PythonPredictorTest, SegfaultIsACrashWithTheSignalNamed) {
  Artifact a("misbehaving");
  auto p = MustLoad(a, Options());
  ASSERT_NE(p, nullptr);
  Result<Json> out = PredictJson(*p, Json{{"op", "segv"}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(out.status().message(),
              HasSubstr("score.py worker crashed (signal " + std::to_string(SIGSEGV)));
  // faulthandler's dump reaches the error through the captured stderr.
  EXPECT_THAT(out.status().message(), HasSubstr("Fatal Python error"));
  ExpectHealthy(*p);
}

TEST(PythonPredictorTest, CrashOutputIsQuotedAsValidUtf8) {
  Artifact a("misbehaving");
  auto p = MustLoad(a, Options());
  ASSERT_NE(p, nullptr);
  Result<Json> out = PredictJson(*p, Json{{"op", "garbage_then_exit"}});
  ASSERT_FALSE(out.ok());
  const std::string& m = out.status().message();
  EXPECT_THAT(m, HasSubstr("score.py worker crashed (exit code 4)"));
  EXPECT_THAT(m, HasSubstr("Last output of the worker:\nbad utf8 \xEF\xBF\xBD\xEF\xBF\xBD"));
  EXPECT_THAT(m, HasSubstr("here"));
  // The message can go into a JSON error body (nlohmann rejects bad UTF-8).
  EXPECT_NO_THROW(Json(m).dump());
  ExpectHealthy(*p);
}

TEST(PythonPredictorTest, WorkerThatDiesWhileIdleIsReplacedWithoutFailingARequest) {
  Artifact a("misbehaving");
  auto p = MustLoad(a, Options());
  ASSERT_NE(p, nullptr);
  Result<Json> info = PredictJson(*p, Json{{"op", "process"}});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  Result<Json> out = PredictJson(*p, Json{{"op", "exit_soon"}, {"seconds", 0.1}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const pid_t first = info->at("pid").get<pid_t>();
  // Exited (a zombie until the pool notices), while the pool thinks it idle.
  ASSERT_TRUE(EventuallyGone(first));
  ExpectHealthy(*p);
  Result<Json> again = PredictJson(*p, Json{{"op", "process"}});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_NE(again->at("pid").get<pid_t>(), first);
}

TEST(PythonPredictorTest, HangIsKilledAtTheTimeoutWithItsProcessGroup) {
  Artifact a("misbehaving");
  auto p = MustLoad(a, Options(1, 1000));
  ASSERT_NE(p, nullptr);
  const auto start = Clock::now();
  Result<Json> out =
      PredictJson(*p, Json{{"op", "spawn_and_hang"}, {"pid_file", a.path("sleeper.pid")}});
  const auto took = Clock::now() - start;
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(out.status().message(), HasSubstr("did not finish within 1000 ms"));
  EXPECT_GE(took, std::chrono::milliseconds(990));
  EXPECT_LT(took, std::chrono::milliseconds(5000));
  std::ifstream pid_file(a.path("sleeper.pid"));
  pid_t sleeper = 0;
  ASSERT_TRUE(pid_file >> sleeper);
  EXPECT_TRUE(EventuallyGone(sleeper)) << "the worker's child " << sleeper << " survived";
  ExpectHealthy(*p);
}

TEST(PythonPredictorTest, HugeOutputOverTheCapFailsAndTheWorkerStays) {
  Artifact a("misbehaving");
  PythonRuntimeLimits limits;
  limits.max_output_bytes = 1 << 20;
  auto p = MustLoad(a, Options(), limits);
  ASSERT_NE(p, nullptr);
  Result<Json> below = PredictJson(*p, Json{{"op", "huge"}, {"size", 1000}});
  ASSERT_TRUE(below.ok()) << below.status().ToString();
  EXPECT_EQ(below->at("x").get<std::string>().size(), 1000u);
  Result<Json> out = PredictJson(*p, Json{{"op", "huge"}, {"size", 2 << 20}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kOutOfRange);
  EXPECT_THAT(out.status().message(), HasSubstr("over the limit of 1048576 bytes"));
  ExpectHealthy(*p);
}

TEST(PythonPredictorTest, PrintNoiseDoesNotCorruptTheProtocol) {
  Artifact a("misbehaving");
  auto p = MustLoad(a, Options());
  ASSERT_NE(p, nullptr);
  for (int i = 0; i < 3; ++i) {
    Result<Json> out = PredictJson(*p, Json{{"op", "print"}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(*out, Json::parse(R"({"prediction": "after noise"})"));
  }
  ExpectHealthy(*p);
}

TEST(PythonPredictorTest, NonSerialisableResultIsAClearError) {
  Artifact a("misbehaving");
  auto p = MustLoad(a, Options());
  ASSERT_NE(p, nullptr);
  Result<Json> out = PredictJson(*p, Json{{"op", "object"}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(out.status().message(),
              HasSubstr("not JSON serializable: Object of type object is not JSON serializable"));
  ExpectHealthy(*p);
}

TEST(PythonPredictorTest, NumpyResultsAreConverted) {
  Artifact a("misbehaving");
  auto p = MustLoad(a, Options());
  ASSERT_NE(p, nullptr);
  Result<Json> out = PredictJson(*p, Json{{"op", "numpy"}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, Json::parse(R"({"arr": [0, 1, 2], "f": 1.5, "i": 7,
                                  "m": [[1.0, 2.5], [3.0, 4.0]]})"));
}

TEST(PythonPredictorTest, InvalidJsonBodyIsInvalidArgument) {
  Artifact a("misbehaving");
  auto p = MustLoad(a, Options());
  ASSERT_NE(p, nullptr);
  Result<PredictResponse> r = Send(*p, "{\"op\": ");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("The request body is not valid JSON"));
  ExpectHealthy(*p);
}

TEST(PythonPredictorTest, OctetStreamArrivesAsBytes) {
  Artifact a("misbehaving");
  auto p = MustLoad(a, Options());
  ASSERT_NE(p, nullptr);
  const std::string body("\x00\x01{not json}\xff", 13);
  Result<PredictResponse> r = Send(*p, body, "application/octet-stream");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string hex;
  for (unsigned char c : body) {
    const char* digits = "0123456789abcdef";
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  EXPECT_EQ(Json::parse(r->body), (Json{{"type", "bytes"}, {"size", 13}, {"hex", hex}}));
}

TEST(PythonPredictorTest, EmptyContentTypeMeansJson) {
  Artifact a("misbehaving");
  auto p = MustLoad(a, Options());
  ASSERT_NE(p, nullptr);
  Result<PredictResponse> r = Send(*p, R"({"op": "double", "values": [3]})", "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Json::parse(r->body), Json::parse(R"({"prediction": [6]})"));
}

// --- isolation ----------------------------------------------------------------

TEST(PythonPredictorTest, WorkersGetAMinimalEnvironmentPlusPythonEnv) {
  ASSERT_EQ(setenv("ADS_TEST_SERVER_SECRET", "do-not-pass", 1), 0);
  Artifact a("misbehaving");
  PredictorOptions options = Options();
  options.python_env = {{"ADS_TEST_EXTRA", "hello"}, {"PATH", "/usr/bin:/bin"}};
  auto p = MustLoad(a, options);
  unsetenv("ADS_TEST_SERVER_SECRET");
  ASSERT_NE(p, nullptr);
  Result<Json> out = PredictJson(
      *p, Json{{"op", "env"}, {"names", {"ADS_TEST_EXTRA", "ADS_TEST_SERVER_SECRET", "PATH"}}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, Json::parse(R"({"ADS_TEST_EXTRA": "hello", "ADS_TEST_SERVER_SECRET": null,
                                  "PATH": "/usr/bin:/bin"})"));
}

TEST(PythonPredictorTest, WorkersHoldNoServerDescriptorsAndRunInTheArtifactDir) {
  // A descriptor the server opened without O_CLOEXEC must not reach workers.
  int leaky[2];
  ASSERT_EQ(pipe(leaky), 0);
  Artifact a("misbehaving");
  auto p = MustLoad(a, Options());
  close(leaky[0]);
  close(leaky[1]);
  ASSERT_NE(p, nullptr);
  Result<Json> out = PredictJson(*p, Json{{"op", "process"}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->at("cwd"), fs::canonical(a.dir()).string());
  std::vector<std::string> fds;
  for (const auto& [fd, target] : out->at("fds").items()) fds.push_back(fd);
  EXPECT_THAT(fds, ::testing::UnorderedElementsAre("0", "1", "2", "3"));
  EXPECT_EQ(out->at("fds").at("0"), "/dev/null");
  EXPECT_THAT(out->at("fds").at("3").get<std::string>(), HasSubstr("socket:"));
  // Its own process group, so a timeout can kill everything it started.
  EXPECT_EQ(out->at("pgid"), out->at("pid"));
  EXPECT_NE(out->at("pgid").get<pid_t>(), getpgid(0));
  // -B: importing score.py wrote nothing into the artifact.
  EXPECT_FALSE(fs::exists(a.path("__pycache__")));
}

TEST(PythonPredictorTest, DestructorStopsAndReapsEveryWorker) {
  Artifact a("misbehaving");
  auto p = MustLoad(a, Options(3));
  ASSERT_NE(p, nullptr);
  std::set<pid_t> pids;
  std::vector<std::thread> threads;
  std::mutex mu;
  // Three slow requests at once land on three different workers.
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&] {
      Result<Json> info = PredictJson(*p, Json{{"op", "process"}, {"sleep", 1.0}});
      if (info.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        pids.insert(info->at("pid").get<pid_t>());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(pids.size(), 3u);
  for (pid_t pid : pids) EXPECT_EQ(kill(pid, 0), 0);
  p.reset();
  for (pid_t pid : pids) {
    // Reaped by us, so not even a zombie is left.
    EXPECT_FALSE(fs::exists("/proc/" + std::to_string(pid))) << pid;
  }
}

// --- load failures ----------------------------------------------------------------

Status LoadStatus(const std::string& fixture, PredictorOptions options = Options(),
                  PythonRuntimeLimits limits = {}) {
  Artifact a(fixture);
  return LoadPythonPredictor(*Env::Default(), a.dir(), options, limits).status();
}

TEST(PythonPredictorLoadTest, SyntaxErrorIsReported) {
  Status s = LoadStatus("syntax_error");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("score.py failed to load: "));
  EXPECT_THAT(s.message(), HasSubstr("SyntaxError"));
  EXPECT_THAT(s.message(), HasSubstr("line 4"));
}

TEST(PythonPredictorLoadTest, ImportErrorIsReported) {
  Status s = LoadStatus("import_error");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(),
              HasSubstr("ModuleNotFoundError: No module named 'ads_no_such_module_for_tests'"));
}

TEST(PythonPredictorLoadTest, LoadModelExceptionIsReported) {
  Status s = LoadStatus("load_raises", Options(2));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("Exception: model.pkl is not found in model directory"));
}

TEST(PythonPredictorLoadTest, LoadHangEndsAtTheLoadTimeout) {
  PythonRuntimeLimits limits;
  limits.load_timeout = std::chrono::milliseconds(800);
  const auto start = Clock::now();
  Status s = LoadStatus("load_hangs", Options(), limits);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("did not finish loading"));
}

TEST(PythonPredictorLoadTest, BadOptionsAndMissingFilesAreNamed) {
  PredictorOptions zero = Options(0);
  EXPECT_THAT(LoadStatus("misbehaving", zero).message(), HasSubstr("python_workers must be"));
  PredictorOptions no_python = Options();
  no_python.python = "/nonexistent/python3";
  Status s = LoadStatus("misbehaving", no_python);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("/nonexistent/python3"));
  PredictorOptions bad_env = Options();
  bad_env.python_env = {{"A=B", "x"}};
  EXPECT_EQ(LoadStatus("misbehaving", bad_env).code(), StatusCode::kInvalidArgument);

  Artifact a("misbehaving");
  fs::remove(a.path("score.py"));
  Status missing = LoadPythonPredictor(*Env::Default(), a.dir(), Options()).status();
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("There is no score.py in"));
}

// --- the supervisor -----------------------------------------------------------------

TEST(PythonPredictorTest, FailedRestartIsReportedThenRetried) {
  Artifact a("flaky_load");
  { std::ofstream(a.path("allow_load")) << "yes"; }
  auto p = MustLoad(a, Options(1, 2000));
  ASSERT_NE(p, nullptr);
  fs::remove(a.path("allow_load"));
  Result<PredictResponse> crash = Send(*p, "\"crash\"");
  ASSERT_FALSE(crash.ok());
  EXPECT_THAT(crash.status().message(), HasSubstr("exit code 9"));
  // The replacement cannot load; once that is known, requests fail fast
  // with the reason instead of waiting for the timeout.
  Status last;
  for (int i = 0; i < 100; ++i) {
    last = Send(*p, "1").status();
    if (last.message().find("restarting one failed") != std::string::npos) break;
  }
  EXPECT_EQ(last.code(), StatusCode::kUnavailable);
  EXPECT_THAT(last.message(), HasSubstr("RuntimeError: allow_load is missing"));
  // Fixed on disk: the supervisor's next attempt brings a worker back.
  { std::ofstream(a.path("allow_load")) << "yes"; }
  Result<PredictResponse> ok = UnavailableError("not tried");
  const auto give_up = Clock::now() + std::chrono::seconds(20);
  while (!ok.ok() && Clock::now() < give_up) {
    ok = Send(*p, "1");
    if (!ok.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(Json::parse(ok->body), Json::parse(R"({"prediction": "model"})"));
}

TEST(PythonPredictorTest, RequestsQueueForABusyWorker) {
  Artifact a("misbehaving");
  auto p = MustLoad(a, Options(1, 1500));
  ASSERT_NE(p, nullptr);
  std::thread busy([&] {
    Result<Json> out = PredictJson(*p, Json{{"op", "sleep"}, {"seconds", 0.6}});
    EXPECT_TRUE(out.ok()) << out.status().ToString();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto start = Clock::now();
  Result<Json> out = PredictJson(*p, Json{{"op", "double"}, {"values", {1}}});
  busy.join();
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, Json::parse(R"({"prediction": [2]})"));
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(300));  // it did wait
}

TEST(PythonPredictorTest, WaitForAFreeWorkerIsBoundedAndShutdownIsPrompt) {
  Artifact a("misbehaving");
  auto p = MustLoad(a, Options(1, 500));
  ASSERT_NE(p, nullptr);
  // From now on a replacement worker takes 30 s to load.
  { std::ofstream(a.path("slow_load")) << "30"; }
  ASSERT_FALSE(PredictJson(*p, Json{{"op", "exit"}}).ok());
  const auto start = Clock::now();
  Result<Json> waited = PredictJson(*p, Json{{"op", "double"}, {"values", {1}}});
  const auto took = Clock::now() - start;
  ASSERT_FALSE(waited.ok());
  EXPECT_EQ(waited.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(waited.status().message(),
              HasSubstr("No score.py worker became free within 500 ms (1 workers, 1 being"));
  EXPECT_GE(took, std::chrono::milliseconds(490));
  EXPECT_LT(took, std::chrono::milliseconds(3000));
  // The destructor interrupts the replacement's 30 s load.
  const auto stop = Clock::now();
  p.reset();
  EXPECT_LT(Clock::now() - stop, std::chrono::seconds(3));
}

}  // namespace
}  // namespace ads::runtime
