// Predictor: one loaded model artifact that answers predictions many times.
//
//   ADS_ASSIGN_OR_RETURN(std::unique_ptr<Predictor> p,
//                        LoadPredictor(env, "/tmp/iris", {}));
//   ADS_ASSIGN_OR_RETURN(PredictResponse r,
//                        p->Predict({.body = "[[5.1,3.5,1.4,0.2]]",
//                                    .content_type = "application/json"}));
//   // r.body == R"({"prediction": [0]})"
//
// Three implementations sit behind this interface (see DESIGN.md, "Runtimes"):
//   onnx     our engine (engine/), for artifacts without score.py or with the
//            unmodified score.py that `ads model prepare` generated;
//   xgboost  libxgboost's C API, same rule;
//   python   the artifact's own score.py in isolated worker processes.
// LoadPredictor picks one with ChooseRuntime; the server and `ads model verify`
// call the same function, so a local verify exercises the serving code path.
//
// Errors: a payload the model cannot take is kInvalidArgument and the message
// names what is wrong (shape, dtype, missing column); a failure of user code
// (exception, crash, timeout in score.py) is kFailedPrecondition or
// kUnavailable (retryable: the worker was replaced) with the reason.
//
// Thread-safety: Predict is const and may be called from many threads at once.
#ifndef ADS_RUNTIME_PREDICTOR_H_
#define ADS_RUNTIME_PREDICTOR_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/env.h"
#include "base/status.h"

namespace ads::runtime {

enum class RuntimeKind {
  kOnnx,     // engine/
  kXgboost,  // libxgboost
  kPython,   // score.py workers
};

std::string_view RuntimeKindName(RuntimeKind kind);

struct PredictRequest {
  std::string_view body;
  // As sent: "application/json" (the default when empty) or
  // "application/octet-stream" (bytes passed to score.py as they are).
  std::string content_type;
};

struct PredictResponse {
  std::string body;  // JSON, as the generated score.py would return it
  std::string content_type = "application/json";
};

struct PredictorOptions {
  int threads = 0;  // native runtimes: intra-op threads; 0 = one per core
  // python runtime
  int python_workers = 2;
  std::chrono::milliseconds python_timeout{60000};  // per request
  std::string python = "/usr/bin/python3";
  std::map<std::string, std::string> python_env;  // extra environment for workers
};

class Predictor {
 public:
  virtual ~Predictor() = default;
  virtual RuntimeKind kind() const = 0;
  virtual Result<PredictResponse> Predict(const PredictRequest& request) const = 0;
  // Python runtime: score.py workers that died (crash, timeout, exit while
  // idle) and were handed to the supervisor to be replaced. Always 0 for the
  // native runtimes, which have no workers.
  virtual uint64_t worker_restarts() const { return 0; }
};

// Which runtime serves the artifact in `dir`, and why (for logs and `verify`).
struct RuntimeChoice {
  RuntimeKind kind = RuntimeKind::kPython;
  std::string model_file;  // path relative to dir, for native runtimes
  std::string reason;      // e.g. "score.py is the unmodified generated one"
};
Result<RuntimeChoice> ChooseRuntime(Env& env, const std::string& dir);

Result<std::unique_ptr<Predictor>> LoadPredictor(Env& env, const std::string& dir,
                                                 const PredictorOptions& options);

}  // namespace ads::runtime

#endif  // ADS_RUNTIME_PREDICTOR_H_
