// DeploymentEndpoint: the Endpoint (endpoint.h) of one model deployment, as
// DeploymentService drives it. It holds the loaded model behind a
// shared_ptr: a call copies the pointer and runs wholly on that model, so a
// swap (Serve) only changes what new calls see and the old predictor is
// freed after its last call. Capacity is `instance_count` calls at once;
// further calls wait in line. Stop() refuses new calls (Unavailable), wakes
// those waiting with Unavailable, waits for the running ones and drops the
// model.
//
//   auto e = std::make_shared<DeploymentEndpoint>(info, data_dir + "/logs/" + id);
//   e->Serve(loaded);              // now ready()
//   e->Predict({.body = "[[5.1, 3.5, 1.4, 0.2]]"});
//   e->Stop("INACTIVE");           // returns once no call runs
//
// Health: after `unavailable_limit` Unavailable answers from the predictor in
// a row the health callback is told `true` (the service then marks the
// deployment NEEDS_ATTENTION); the next success tells it `false`.
//
// Thread-safety: every method may be called from any thread.
#ifndef ADS_SERVING_DEPLOYMENT_ENDPOINT_H_
#define ADS_SERVING_DEPLOYMENT_ENDPOINT_H_

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "base/json.h"
#include "serving/endpoint.h"

namespace ads::serving {

// A model ready to serve: the predictor with its artifact's schemas.
struct LoadedModel {
  std::string model_id;
  std::string runtime;  // RuntimeKindName
  std::shared_ptr<runtime::Predictor> predictor;
  Json input_schema;   // null when the artifact has none
  Json output_schema;
};

class DeploymentEndpoint : public Endpoint {
 public:
  DeploymentEndpoint(EndpointInfo info, std::string log_dir, int unavailable_limit = 5);
  ~DeploymentEndpoint() override;

  // Endpoint.
  EndpointInfo info() const override;
  bool ready() const override;
  Result<runtime::PredictResponse> Predict(const runtime::PredictRequest& request) override;
  Json input_schema() const override;
  Json output_schema() const override;
  void Log(LogType type, const Json& line) override;
  EndpointStats stats() const override;

  // Replaces the snapshot (state, names, logging, capacity). The model id
  // and runtime of the served model are kept as Serve set them.
  void SetInfo(const EndpointInfo& info);
  // Serves `model` for every call that starts from now on.
  void Serve(std::shared_ptr<const LoadedModel> model);
  // Refuses new calls from now on and wakes those waiting with Unavailable;
  // running calls go on. Returns at once. The snapshot's state becomes
  // `state`. A Stop() must follow to drop the model.
  void Close(const std::string& state);
  // Close(state), then waits until no call runs and drops the model.
  void Stop(const std::string& state);
  // Sets (or with nullptr clears) the health callback. Clearing waits until
  // no callback runs, so its target may be destroyed afterwards.
  void SetHealthCallback(std::function<void(bool failing, const std::string& why)> callback);

 private:
  void NotifyHealth(bool failing, const std::string& why);
  void CloseLocked(const std::string& state);  // REQUIRES(mu_)

  const std::string log_dir_;
  const int unavailable_limit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;         // slots, serving and stopping
  std::condition_variable health_cv_;  // health_running_ reaching 0
  EndpointInfo info_;                          // GUARDED_BY(mu_)
  std::shared_ptr<const LoadedModel> model_;   // GUARDED_BY(mu_); null = not serving
  std::shared_ptr<const LoadedModel> closed_;  // GUARDED_BY(mu_); what Close took from model_
  int running_ = 0;                            // GUARDED_BY(mu_)
  int waiting_ = 0;                            // GUARDED_BY(mu_)
  int unavailable_in_a_row_ = 0;               // GUARDED_BY(mu_)
  bool failing_ = false;                       // GUARDED_BY(mu_)
  EndpointStats stats_;                        // GUARDED_BY(mu_)
  std::function<void(bool, const std::string&)> health_;  // GUARDED_BY(mu_)
  int health_running_ = 0;                     // GUARDED_BY(mu_)

  std::mutex log_mu_;
  int log_fds_[2] = {-1, -1};  // GUARDED_BY(log_mu_); access, predict
};

}  // namespace ads::serving

#endif  // ADS_SERVING_DEPLOYMENT_ENDPOINT_H_
