// PythonWorker: one python3 process that has imported an artifact's score.py
// and called load_model(), and answers predict requests one at a time over a
// private socket (frames: see python_worker_script.h).
//
//   ADS_ASSIGN_OR_RETURN(std::unique_ptr<PythonWorker> w, PythonWorker::Spawn(config));
//   ADS_RETURN_IF_ERROR(w->WaitReady(deadline, /*cancel=*/nullptr));
//   Result<std::string> json = w->Call(kFrameJsonRequest, "[[1, 2]]", timeout);
//   if (!w->healthy()) { /* it was killed; start another */ }
//
// Failures of user code come back as errors with the reason; after a crash,
// a timeout or a broken frame the process is already killed and reaped, and
// healthy() is false. User output (fd 1 and 2) is drained while the server
// waits, and its tail is quoted in crash and timeout errors.
//
// Thread-safety: none; a worker is owned by one thread at a time (the pool
// hands it out). Destruction kills the worker's process group.
#ifndef ADS_RUNTIME_PYTHON_WORKER_H_
#define ADS_RUNTIME_PYTHON_WORKER_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "runtime/subprocess.h"

namespace ads::runtime {

struct PythonWorkerConfig {
  std::string python;            // absolute path of the interpreter
  std::string artifact_dir;      // absolute path; holds score.py
  std::vector<std::string> env;  // the worker's whole environment, "NAME=value"
  size_t max_output_bytes = 64U << 20;
  size_t output_tail_bytes = 4096;  // how much user output errors may quote
};

class PythonWorker {
 public:
  using Clock = std::chrono::steady_clock;

  static Result<std::unique_ptr<PythonWorker>> Spawn(const PythonWorkerConfig& config);
  ~PythonWorker() = default;  // the ChildProcess member kills and reaps

  // Waits until score.py is imported and load_model() returned. Returns the
  // worker's error (an ImportError, say) or a timeout. `cancel`, when given,
  // is polled so a shutting-down pool need not wait for a slow load.
  Status WaitReady(Clock::time_point deadline, const std::atomic<bool>* cancel);

  // Sends one request (kind: kFrameJsonRequest or kFrameBytesRequest) and
  // returns the result's JSON text, or the error. `timeout` covers sending,
  // predict() and receiving; past it the worker is killed.
  Result<std::string> Call(char kind, std::string_view body, std::chrono::milliseconds timeout);

  // False once the process is gone or was killed; the pool then replaces it.
  bool healthy() const { return healthy_; }
  // Checks, without blocking, that the process has not exited since its last
  // request (user threads can end it while it is idle); reaps it if it has.
  bool CheckAlive();
  pid_t pid() const { return child_.pid(); }

 private:
  struct Frame {
    char kind = 0;
    std::string payload;
  };
  enum class Wake { kReady, kTimeout, kCancelled };

  PythonWorker(PythonWorkerConfig config, ChildProcess child, UniqueFd socket, UniqueFd output)
      : config_(std::move(config)),
        child_(std::move(child)),
        socket_(std::move(socket)),
        output_(std::move(output)) {}

  Wake WaitFor(short events, Clock::time_point deadline, const std::atomic<bool>* cancel);
  void DrainOutput();
  Status SendFrame(char kind, std::string_view payload, Clock::time_point deadline);
  Result<Frame> ReceiveFrame(Clock::time_point deadline, const std::atomic<bool>* cancel);
  Status ReadExact(char* out, size_t n, Clock::time_point deadline,
                   const std::atomic<bool>* cancel);
  // Kills and reaps the worker; returns an error saying what happened.
  Status Crashed();
  Status Stop(const Status& why);
  std::string OutputTail() const;

  PythonWorkerConfig config_;
  ChildProcess child_;
  UniqueFd socket_;
  UniqueFd output_;   // read end of the worker's stdout+stderr
  std::string tail_;  // the last config_.output_tail_bytes of user output
  bool healthy_ = true;
  // Set per phase (loading, predict) so that errors say when things failed.
  std::string phase_;  // "while loading score.py", "during predict()"
  std::string timeout_message_;
};

}  // namespace ads::runtime

#endif  // ADS_RUNTIME_PYTHON_WORKER_H_
