// DeploymentService: the control plane of model deployments (OCI Data
// Science 20190101 `ModelDeployment`). It keeps deployments in ads.db
// (deployment_store.h), loads each deployment's model from the catalog
// (artifact blob -> extracted once to <data-dir>/deployments/<id>/<model-id>/
// -> runtime::LoadPredictor) and serves it through an Endpoint, which the
// data-plane routes find through the EndpointDirectory interface.
//
//   DeploymentServiceOptions options{.data_dir = dir};
//   ADS_ASSIGN_OR_RETURN(auto service,
//       DeploymentService::Open(std::move(db), *catalog, env, options));
//   ADS_ASSIGN_OR_RETURN(Started created, service->Create(details, {user, token}));
//   // created.resource.doc["lifecycleState"] == "CREATING"; the model loads on
//   // a background thread, tracked by work request created.work_request_id.
//   std::shared_ptr<Endpoint> e = service->Find(id);  // e->Predict(...)
//
// States and transitions: deployment_state.h (the state machine, written
// once); an action the state does not allow is FailedPrecondition (409
// IncorrectState) naming the state. Create, update, activate, deactivate and
// delete return at once with a work request (catalog work requests, listed
// under /workRequests) and run on a background thread; change compartment
// finishes before it returns (its work request is already SUCCEEDED).
//
//   update while ACTIVE: displayName/description/tags apply at once; a new
//     modelId, new environment variables or logging go through UPDATING: the
//     new predictor is loaded first, then swapped in (calls in flight finish
//     on the old one); a failed load leaves the old model serving and fails
//     the work request. instanceCount and bandwidthMbps change only while
//     INACTIVE (FailedPrecondition otherwise).
//   deactivate: new calls get Unavailable, calls in flight finish, then the
//     predictor is freed and the state is INACTIVE.
//   NEEDS_ATTENTION: the predictor answered Unavailable `unavailable_limit`
//     times in a row; a later success returns the deployment to ACTIVE.
//
// Environment variables of the deployment (environmentConfigurationDetails)
// reach the predictor: WEB_CONCURRENCY = python workers; ADS_MAX_BATCH_SIZE
// and ADS_MAX_QUEUE_DELAY_US = dynamic batching of native runtimes; all of
// them (plus MD_OCID) are in the environment of python workers.
//
// Resource principals: the workers of a python deployment also get the
// OCI_RESOURCE_PRINCIPAL_* variables of resource_principal.h, with the key
// and a refreshed token in <data-dir>/deployments/<id>/resource-principal/,
// so score.py can call the server as the deployment. Deactivating or
// deleting the deployment revokes its tokens; moving it to another
// compartment re-issues the token at once.
//
// Restart: Open() brings back every deployment that was ACTIVE,
// NEEDS_ATTENTION, CREATING or UPDATING (reloading its model in the
// background), finishes DELETING, and settles the work requests that were in
// progress. A reload that fails leaves the deployment FAILED.
//
// Thread-safety: thread-safe. One mutex guards the table and the endpoint
// map; model loads and drains run without it.
#ifndef ADS_SERVING_DEPLOYMENT_SERVICE_H_
#define ADS_SERVING_DEPLOYMENT_SERVICE_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"
#include "catalog/catalog.h"
#include "serving/deployment_endpoint.h"
#include "serving/deployment_state.h"
#include "serving/deployment_store.h"
#include "serving/endpoint.h"
#include "serving/resource_principal.h"
#include "store/sqlite.h"

namespace ads::serving {

struct DeploymentServiceOptions {
  std::string data_dir;  // required: deployments/ and logs/ live here
  std::string region = "iad";  // in generated OCIDs
  // Where predictions are served ("http://127.0.0.1:8080"); the
  // modelDeploymentUrl of a deployment is <endpoint>/<deployment-ocid>.
  std::string endpoint;
  // Consecutive Unavailable answers that make a deployment NEEDS_ATTENTION.
  int unavailable_limit = 5;
  // Defaults for every predictor (environment variables override some).
  runtime::PredictorOptions predictor;
  // How long an opc-retry-token is remembered.
  std::chrono::hours retry_token_lifetime{24};
  // Resource principals for Python (score.py) deployments; disabled while
  // resource_principals.authority is null.
  ResourcePrincipalOptions resource_principals;
};

// A long action that started: the deployment as it is now and the work
// request that tracks the rest.
struct Started {
  catalog::Resource resource;
  std::string work_request_id;
};

class DeploymentService : public EndpointDirectory {
 public:
  // Migrates the "serving" tables of `db`, keeps the connection, and starts
  // the restart recovery described above. `catalog` must outlive the service.
  static Result<std::unique_ptr<DeploymentService>> Open(std::unique_ptr<store::Database> db,
                                                         catalog::Catalog& catalog, Env& env,
                                                         DeploymentServiceOptions options);
  // Waits for background actions, then stops every endpoint.
  ~DeploymentService() override;
  DeploymentService(const DeploymentService&) = delete;
  DeploymentService& operator=(const DeploymentService&) = delete;

  // The server's address once it listens (tests use port 0).
  void SetEndpoint(std::string endpoint);

  // CreateModelDeploymentDetails. InvalidArgument naming the bad field (an
  // OCIR_CONTAINER environment, a model that is missing, not ACTIVE or has
  // no artifact, ...). With a retry token seen before from the same caller,
  // the deployment created then.
  Result<Started> Create(const Json& details, const catalog::CreateContext& ctx);
  Result<catalog::Resource> Get(std::string_view id);
  Result<catalog::Page> List(const catalog::ListQuery& query);
  // UpdateModelDeploymentDetails; `if_match` "" = any etag.
  Result<Started> Update(std::string_view id, const Json& details, std::string_view if_match);
  Result<Started> Activate(std::string_view id, std::string_view if_match);
  Result<Started> Deactivate(std::string_view id, std::string_view if_match);
  Result<Started> Delete(std::string_view id, std::string_view if_match);
  Result<Started> ChangeCompartment(std::string_view id, std::string_view compartment_id,
                                    std::string_view if_match);

  // Whether a deployment in a state that serves (or is about to serve)
  // `model_id` uses it: the catalog's has_active_deployment hook.
  bool HasActiveDeployment(std::string_view model_id);

  // The last `tail` lines (1..10000) of a deployment's access or predict
  // log, oldest first; empty when the log is off or has no line yet.
  Result<std::vector<std::string>> ReadLog(std::string_view id, LogType type, int tail);

  // Blocks until no background action runs (tests, shutdown).
  void WaitIdle();

  // EndpointDirectory.
  std::shared_ptr<Endpoint> Find(std::string_view deployment_id) override;
  std::shared_ptr<Endpoint> FindByName(std::string_view name) override;
  std::vector<std::shared_ptr<Endpoint>> All() override;

 private:
  DeploymentService(std::unique_ptr<DeploymentStore> store, catalog::Catalog& catalog, Env& env,
                    DeploymentServiceOptions options);

  // What an admitted action changes, under mu_.
  struct Admitted {
    DeploymentRow row;
    std::string work_request_id;
  };
  Result<DeploymentRow> LoadRow(std::string_view id);  // caller holds mu_
  // Loads the row, checks if-match and that its state is one of `from` and
  // may move to `to` (FailedPrecondition naming the state and `action`
  // otherwise), records a work request of `operation`, and saves the row in
  // `to` with `pending` and `details`. Caller holds mu_.
  Result<Admitted> Admit(std::string_view id, std::string_view if_match,
                         std::initializer_list<DeploymentState> from, DeploymentState to,
                         std::string_view action, std::string_view operation, Json pending,
                         std::string_view details);
  // Saves `row` (under mu_) and refreshes its endpoint's snapshot.
  Status Save(DeploymentRow& row);
  // Moves the deployment to `state` with `details`, clears the pending
  // action, applies `change` to the row first, and settles the work request.
  void Finish(const std::string& id, DeploymentState state, const std::string& details,
              const Status& outcome, const std::function<void(DeploymentRow&)>& change = {});

  // Extracts (once) and loads the model `model_id` for deployment `id` with
  // the environment variables of `doc`.
  Result<std::shared_ptr<const LoadedModel>> LoadModel(const std::string& id,
                                                       const std::string& model_id,
                                                       const Json& doc);
  // Checks that the model can be deployed (InvalidArgument otherwise).
  Status CheckModel(const std::string& model_id);

  void RunInBackground(std::function<void()> work);
  void Recover(std::vector<DeploymentRow> rows);
  // Loads the row's model and serves it: ACTIVE (its work request settles
  // with `outcome`), or FAILED when the load fails.
  void ResumeLoad(const DeploymentRow& row, const Status& outcome);
  void FinishDelete(const DeploymentRow& row);
  void OnHealth(const std::string& id, bool failing, const std::string& why);
  std::shared_ptr<DeploymentEndpoint> EndpointOf(const std::string& id);
  void CloseEndpointLocked(const std::string& id, DeploymentState state);  // caller holds mu_
  std::shared_ptr<DeploymentEndpoint> MakeEndpoint(const DeploymentRow& row);
  catalog::Resource ToResource(const DeploymentRow& row) const;
  void TrackModelUse(const DeploymentRow& row);  // caller holds mu_

  catalog::Catalog& catalog_;
  Env& env_;
  DeploymentServiceOptions options_;

  std::mutex mu_;
  std::unique_ptr<DeploymentStore> store_;  // GUARDED_BY(mu_)
  std::map<std::string, std::shared_ptr<DeploymentEndpoint>, std::less<>>
      endpoints_;                           // GUARDED_BY(mu_); every non-DELETED deployment
  std::string endpoint_url_;                // GUARDED_BY(mu_)
  int64_t last_create_us_ = 0;              // GUARDED_BY(mu_)

  // Deployment id -> model id for the deployments that use their model
  // (UsesModel). A leaf lock: the catalog asks from under its own lock.
  std::mutex use_mu_;
  std::map<std::string, std::string, std::less<>> model_use_;  // GUARDED_BY(use_mu_)

  // Null when resource principals are disabled.
  std::unique_ptr<ResourcePrincipalKeeper> principals_;

  std::mutex work_mu_;
  std::condition_variable work_cv_;
  int work_running_ = 0;                    // GUARDED_BY(work_mu_)
  std::vector<std::thread> threads_;        // GUARDED_BY(work_mu_)
  std::vector<std::thread::id> finished_;   // GUARDED_BY(work_mu_)
};

}  // namespace ads::serving

#endif  // ADS_SERVING_DEPLOYMENT_SERVICE_H_
