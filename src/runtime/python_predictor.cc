#include "runtime/python_predictor.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "base/logging.h"
#include "runtime/python_worker.h"
#include "runtime/python_worker_script.h"

namespace ads::runtime {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kMaxWorkers = 256;
// Restarts of a worker whose load keeps failing back off up to this pause,
// so a broken artifact does not spin the CPU re-importing score.py.
constexpr milliseconds kFirstRestartPause{200};
constexpr milliseconds kMaxRestartPause{30000};

// ADS sends JSON as application/json and everything else as bytes; an empty
// content type is JSON (predictor.h). Parameters such as charset are ignored.
bool IsJsonContentType(std::string_view content_type) {
  std::string media(content_type.substr(0, content_type.find(';')));
  media.erase(0, media.find_first_not_of(" \t"));
  media.erase(media.find_last_not_of(" \t") + 1);
  std::transform(media.begin(), media.end(), media.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return media.empty() || media == "application/json" ||
         (media.size() > 5 && media.ends_with("+json"));
}

// The server's own environment is not passed on: it may hold credentials
// and settings meant for the server. Workers get a few neutral variables
// and what the deployment asked for.
Result<std::vector<std::string>> WorkerEnvironment(
    Env& server_env, const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"},
                                            {"LANG", "C.UTF-8"}};
  for (const char* name : {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"}) {
    if (std::optional<std::string> value = server_env.GetEnvVar(name)) env[name] = *value;
  }
  for (const auto& [name, value] : extra) {
    if (name.empty() || name.find('=') != std::string::npos ||
        name.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
      return InvalidArgumentError("python_env has an invalid variable name '" + name +
                                  "' (names are non-empty, without '=' or NUL).");
    }
    env[name] = value;
  }
  std::vector<std::string> out;
  for (const auto& [name, value] : env) out.push_back(name + "=" + value);
  return out;
}

Result<PythonWorkerConfig> MakeConfig(Env& env, const std::string& dir,
                                      const PredictorOptions& options,
                                      const PythonRuntimeLimits& limits) {
  if (options.python_workers < 1 || options.python_workers > kMaxWorkers) {
    return InvalidArgumentError("python_workers must be between 1 and " +
                                std::to_string(kMaxWorkers) + ", not " +
                                std::to_string(options.python_workers) + ".");
  }
  if (options.python_timeout.count() <= 0 || limits.load_timeout.count() <= 0) {
    return InvalidArgumentError("The python timeouts must be positive.");
  }
  if (limits.max_output_bytes == 0) {
    return InvalidArgumentError("The python output limit must be positive.");
  }
  if (options.python.empty() || options.python[0] != '/' ||
      access(options.python.c_str(), X_OK) != 0) {
    return FailedPreconditionError("Cannot run the python interpreter '" + options.python +
                                   "': it must be an absolute path to an executable file.");
  }
  char resolved[PATH_MAX];
  if (realpath(dir.c_str(), resolved) == nullptr) {
    return NotFoundError("The artifact directory " + dir +
                         " cannot be opened: " + std::strerror(errno) + ".");
  }
  PythonWorkerConfig config;
  config.artifact_dir = resolved;
  struct stat st;
  if (stat((config.artifact_dir + "/score.py").c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return NotFoundError("There is no score.py in " + dir + "; the python runtime needs one.");
  }
  config.python = options.python;
  ADS_ASSIGN_OR_RETURN(config.env, WorkerEnvironment(env, options.python_env));
  config.max_output_bytes = limits.max_output_bytes;
  config.output_tail_bytes = limits.output_tail_bytes;
  return config;
}

Result<std::unique_ptr<PythonWorker>> StartWorker(const PythonWorkerConfig& config,
                                                  milliseconds load_timeout,
                                                  const std::atomic<bool>* cancel) {
  ADS_ASSIGN_OR_RETURN(std::unique_ptr<PythonWorker> worker, PythonWorker::Spawn(config));
  ADS_RETURN_IF_ERROR(worker->WaitReady(Clock::now() + load_timeout, cancel));
  return worker;
}

class PythonPredictor final : public Predictor {
 public:
  PythonPredictor(PythonWorkerConfig config, const PredictorOptions& options,
                  const PythonRuntimeLimits& limits,
                  std::vector<std::unique_ptr<PythonWorker>> workers)
      : config_(std::move(config)),
        size_(static_cast<int>(workers.size())),
        timeout_(options.python_timeout),
        load_timeout_(limits.load_timeout),
        idle_(std::move(workers)),
        supervisor_([this] { Supervise(); }) {}

  ~PythonPredictor() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cancel_ = true;
    supervisor_cv_.notify_all();
    idle_cv_.notify_all();
    supervisor_.join();
    // Idle workers die with their handles (SIGKILL to each process group).
  }

  RuntimeKind kind() const override { return RuntimeKind::kPython; }
  uint64_t worker_restarts() const override { return restarts_.load(std::memory_order_relaxed); }

  Result<PredictResponse> Predict(const PredictRequest& request) const override {
    const char kind =
        IsJsonContentType(request.content_type) ? kFrameJsonRequest : kFrameBytesRequest;
    std::unique_ptr<PythonWorker> worker;
    for (;;) {
      ADS_ASSIGN_OR_RETURN(worker, Acquire());
      // A worker that died while idle is replaced without failing this request.
      if (worker->CheckAlive()) break;
      Release(std::move(worker), UnavailableError("The score.py worker exited while idle."));
    }
    Result<std::string> out = worker->Call(kind, request.body, timeout_);
    Release(std::move(worker), out.status());
    if (!out.ok()) return out.status();
    PredictResponse response;
    response.body = std::move(out).value();
    return response;
  }

 private:
  Result<std::unique_ptr<PythonWorker>> Acquire() const;
  void Release(std::unique_ptr<PythonWorker> worker, const Status& outcome) const;
  void Supervise();

  const PythonWorkerConfig config_;
  const int size_;
  const milliseconds timeout_;
  const milliseconds load_timeout_;

  // Predict is const, yet taking and returning workers changes the pool.
  mutable std::mutex mu_;
  mutable std::condition_variable idle_cv_;        // a worker became idle, a start failed, stop
  mutable std::condition_variable supervisor_cv_;  // a worker is missing, or stop
  mutable std::vector<std::unique_ptr<PythonWorker>> idle_;  // GUARDED_BY(mu_)
  mutable int missing_ = 0;          // GUARDED_BY(mu_): workers that died and are not yet replaced
  mutable Status start_error_;       // GUARDED_BY(mu_): why the latest restart failed, if it did
  bool stop_ = false;                // GUARDED_BY(mu_)
  std::atomic<bool> cancel_{false};  // interrupts a restart in progress at shutdown
  mutable std::atomic<uint64_t> restarts_{0};  // workers handed to the supervisor
  std::thread supervisor_;           // last member: starts once the rest exists
};

Result<std::unique_ptr<PythonWorker>> PythonPredictor::Acquire() const {
  std::unique_lock<std::mutex> lock(mu_);
  const auto deadline = Clock::now() + timeout_;
  while (idle_.empty()) {
    if (stop_) return UnavailableError("The python predictor is shutting down.");
    // With no worker alive and the last restart failed, waiting is pointless.
    if (missing_ == size_ && !start_error_.ok()) {
      return UnavailableError("No score.py worker is running; restarting one failed: " +
                              start_error_.message());
    }
    if (idle_cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty()) {
      return UnavailableError("No score.py worker became free within " +
                              std::to_string(timeout_.count()) + " ms (" + std::to_string(size_) +
                              " workers, " + std::to_string(missing_) + " being restarted).");
    }
  }
  std::unique_ptr<PythonWorker> worker = std::move(idle_.back());
  idle_.pop_back();
  return worker;
}

void PythonPredictor::Release(std::unique_ptr<PythonWorker> worker, const Status& outcome) const {
  if (!worker->healthy()) {
    LogWarning("python runtime (" + config_.artifact_dir +
               "): replacing a score.py worker: " + outcome.message());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (worker->healthy()) {
      idle_.push_back(std::move(worker));
      idle_cv_.notify_one();
      return;
    }
    ++missing_;
  }
  restarts_.fetch_add(1, std::memory_order_relaxed);
  supervisor_cv_.notify_one();
  // A dead worker was already killed and reaped; dropping it closes its fds.
}

void PythonPredictor::Supervise() {
  milliseconds pause = kFirstRestartPause;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    supervisor_cv_.wait(lock, [this] { return stop_ || missing_ > 0; });
    if (stop_) return;
    lock.unlock();
    Result<std::unique_ptr<PythonWorker>> worker = StartWorker(config_, load_timeout_, &cancel_);
    lock.lock();
    if (worker.ok()) {
      --missing_;
      start_error_ = OkStatus();
      idle_.push_back(std::move(worker).value());
      idle_cv_.notify_one();
      pause = kFirstRestartPause;
      continue;
    }
    if (stop_) return;
    start_error_ = worker.status();
    idle_cv_.notify_all();  // waiters with no live worker can fail now
    LogWarning("python runtime (" + config_.artifact_dir +
               "): restarting a score.py worker failed: " + start_error_.message());
    supervisor_cv_.wait_for(lock, pause, [this] { return stop_; });
    pause = std::min(pause * 2, kMaxRestartPause);
  }
}

}  // namespace

Result<std::unique_ptr<Predictor>> LoadPythonPredictor(Env& env, const std::string& dir,
                                                       const PredictorOptions& options) {
  return LoadPythonPredictor(env, dir, options, PythonRuntimeLimits{});
}

Result<std::unique_ptr<Predictor>> LoadPythonPredictor(Env& env, const std::string& dir,
                                                       const PredictorOptions& options,
                                                       const PythonRuntimeLimits& limits) {
  ADS_ASSIGN_OR_RETURN(PythonWorkerConfig config, MakeConfig(env, dir, options, limits));
  // All workers load at once; a failure kills the others as `workers` unwinds.
  std::vector<std::unique_ptr<PythonWorker>> workers;
  for (int i = 0; i < options.python_workers; ++i) {
    ADS_ASSIGN_OR_RETURN(std::unique_ptr<PythonWorker> worker, PythonWorker::Spawn(config));
    workers.push_back(std::move(worker));
  }
  const auto deadline = Clock::now() + limits.load_timeout;
  for (const std::unique_ptr<PythonWorker>& worker : workers) {
    ADS_RETURN_IF_ERROR(worker->WaitReady(deadline, nullptr));
  }
  return std::unique_ptr<Predictor>(
      new PythonPredictor(std::move(config), options, limits, std::move(workers)));
}

}  // namespace ads::runtime
