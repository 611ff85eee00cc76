// The python runtime: the artifact's own score.py, run in a pool of isolated
// worker processes (Debian's python3). See predictor.h for the contract and
// docs/runtime-python.md for the protocol, limits and error texts.
//
//   PredictorOptions options;
//   options.python_workers = 4;
//   options.python_timeout = std::chrono::seconds(30);
//   ADS_ASSIGN_OR_RETURN(std::unique_ptr<Predictor> p,
//                        LoadPythonPredictor(env, "/srv/artifacts/iris", options));
//   ADS_ASSIGN_OR_RETURN(PredictResponse r, p->Predict({.body = "[[5.1, 3.5, 1.4, 0.2]]"}));
//
// Isolation: each worker is a python3 process in its own process group, with
// a minimal environment (PATH, HOME, LANG, LC_ALL, TZ, TMPDIR from the
// server, then options.python_env), the artifact directory as its working
// directory, and no descriptors of the server but its own. A Python
// exception fails its request only; a crash, a timeout or a broken reply
// kills that worker (and its process group) and a supervisor thread starts a
// replacement, which imports score.py and calls load_model() again.
//
// Timeouts: options.python_timeout bounds the time one request spends in a
// worker (sending, predict(), the reply); past it the worker is killed. The
// wait for a free worker is bounded separately by the same duration and
// ends with kUnavailable without killing anything, so a caller waits at most
// about twice the timeout. Loading is bounded by PythonRuntimeLimits.
//
// Thread-safety: Predict is const and may be called from many threads; each
// call takes one idle worker (waiting on a condition variable) and returns
// it. The predictor must outlive its Predict calls; its destructor stops the
// supervisor and kills every worker.
#ifndef ADS_RUNTIME_PYTHON_PREDICTOR_H_
#define ADS_RUNTIME_PYTHON_PREDICTOR_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "base/env.h"
#include "base/status.h"
#include "runtime/predictor.h"

namespace ads::runtime {

// Limits that PredictorOptions does not carry; the defaults suit serving.
struct PythonRuntimeLimits {
  // A result whose JSON is larger fails its request with kOutOfRange.
  size_t max_output_bytes = 64U << 20;
  // Importing score.py plus load_model(), per worker.
  std::chrono::milliseconds load_timeout{300000};
  // How much of a worker's stdout/stderr a crash or timeout error quotes.
  size_t output_tail_bytes = 4096;
};

// Starts options.python_workers workers for the artifact in `dir` (all in
// parallel); each imports score.py and calls load_model() once. Fails, with
// the worker's own error (an ImportError or SyntaxError from score.py, say),
// when any worker does not come up. `env` supplies the server variables that
// workers inherit (PATH, HOME, ...); the artifact's files are read by python3
// from the real file system, not through `env`.
Result<std::unique_ptr<Predictor>> LoadPythonPredictor(Env& env, const std::string& dir,
                                                       const PredictorOptions& options);
Result<std::unique_ptr<Predictor>> LoadPythonPredictor(Env& env, const std::string& dir,
                                                       const PredictorOptions& options,
                                                       const PythonRuntimeLimits& limits);

}  // namespace ads::runtime

#endif  // ADS_RUNTIME_PYTHON_PREDICTOR_H_
