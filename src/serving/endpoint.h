// The data plane's view of model deployments. The control plane
// (serving::DeploymentService, src/serving/deployment_service.h) implements
// EndpointDirectory; the predict, KServe v2 and /metrics routes
// (src/server/predict_routes.cc) use only this header.
//
//   std::shared_ptr<serving::Endpoint> e = directory.Find(deployment_id);
//   if (!e) -> 404;   authorise `use data-science-model-deployments` in
//   e->info().compartment_id;   then
//   ADS_ASSIGN_OR_RETURN(runtime::PredictResponse r, e->Predict({.body = body}));
//
// Lifetimes: an Endpoint is shared. A model swap (update while ACTIVE)
// replaces the predictor inside the Endpoint atomically: a call runs wholly on
// the old model or wholly on the new one, and the old predictor is freed after
// its last in-flight call. Deactivate stops new calls (Unavailable) and lets
// those in flight finish.
//
// Thread-safety: every method may be called from any thread.
#ifndef ADS_SERVING_ENDPOINT_H_
#define ADS_SERVING_ENDPOINT_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "runtime/predictor.h"

namespace ads::serving {

// A snapshot of what the data plane needs to know about a deployment.
struct EndpointInfo {
  std::string id;               // deployment OCID
  std::string display_name;
  std::string compartment_id;
  std::string project_id;
  std::string model_id;         // the model served now
  std::string lifecycle_state;  // CREATING, ACTIVE, UPDATING, INACTIVE, ...
  std::string runtime;          // "onnx" | "xgboost" | "python" ("" until loaded)
  int instance_count = 1;       // serving capacity: predictions run at once
  int bandwidth_mbps = 10;      // request+response bytes; over it -> 429
  bool access_log = false;      // categoryLogDetails.access present
  bool predict_log = false;     // categoryLogDetails.predict present
  // Dynamic batching of native runtimes, from the deployment's environment
  // variables (0 = no batching).
  int max_batch_size = 0;
  int max_queue_delay_us = 0;
};

enum class LogType { kAccess, kPredict };

// Counters the control plane keeps per deployment, for /metrics.
struct EndpointStats {
  // Python workers that died and were replaced, over every model the
  // deployment has served since the server started.
  uint64_t worker_restarts = 0;
  uint64_t model_swaps = 0;
};

class Endpoint {
 public:
  virtual ~Endpoint() = default;
  virtual EndpointInfo info() const = 0;
  // ACTIVE with a loaded predictor.
  virtual bool ready() const = 0;
  // One prediction on the current model. Unavailable ("the model deployment
  // <id> is not active (state INACTIVE)") when not ready; the runtime's own
  // errors otherwise (InvalidArgument for a payload the model cannot take).
  virtual Result<runtime::PredictResponse> Predict(const runtime::PredictRequest& request) = 0;
  // The served model's input_schema.json / output_schema.json as parsed JSON
  // (ADS schema format), null when the artifact has none.
  virtual Json input_schema() const = 0;
  virtual Json output_schema() const = 0;
  // Appends one JSON line to the deployment's access or predict log
  // (<data-dir>/logs/<deployment-id>/<access|predict>.log) when that log is
  // enabled for the deployment; otherwise does nothing.
  virtual void Log(LogType type, const Json& line) = 0;
  virtual EndpointStats stats() const = 0;
};

class EndpointDirectory {
 public:
  virtual ~EndpointDirectory() = default;
  // By deployment OCID; nullptr when there is no such (non-deleted) deployment.
  virtual std::shared_ptr<Endpoint> Find(std::string_view deployment_id) = 0;
  // KServe model name: a deployment OCID or display name; nullptr when none
  // (or when a display name is ambiguous).
  virtual std::shared_ptr<Endpoint> FindByName(std::string_view name) = 0;
  // Every non-deleted deployment (for /metrics and /v2/health/ready).
  virtual std::vector<std::shared_ptr<Endpoint>> All() = 0;
};

}  // namespace ads::serving

#endif  // ADS_SERVING_ENDPOINT_H_
