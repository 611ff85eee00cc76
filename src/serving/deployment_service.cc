#include "serving/deployment_service.h"

#include <algorithm>
#include <utility>

#include "artifact/zip.h"
#include "base/hash.h"
#include "base/ids.h"
#include "base/logging.h"
#include "base/strings.h"
#include "serving/deployment_doc.h"
#include "serving/batcher.h"
#include "serving/metrics.h"

namespace ads::serving {
namespace {

using S = DeploymentState;

std::string EtagOf(const Json& doc) { return Sha256Hex(doc.dump()).substr(0, 32); }

Status CheckIfMatch(const DeploymentRow& row, std::string_view if_match) {
  if (if_match.empty() || if_match == EtagOf(row.doc)) return OkStatus();
  return Status(StatusCode::kFailedPrecondition,
                "The if-match value does not match the current etag of " + row.id + ".",
                catalog::kNoEtagMatch);
}

S StateOf(const DeploymentRow& row) { return ParseState(row.lifecycle_state).value_or(S::kFailed); }

void SetState(DeploymentRow& row, S state, std::string_view details) {
  row.lifecycle_state = std::string(StateName(state));
  row.doc["lifecycleState"] = row.lifecycle_state;
  row.doc["lifecycleDetails"] = details;
}

Status WrongState(const DeploymentRow& row, std::string_view action) {
  return FailedPreconditionError("Cannot " + std::string(action) + " the model deployment " +
                                 row.id + " while it is " + row.lifecycle_state + ".");
}

Json ReadSchema(Env& env, const std::string& path) {
  Result<std::string> text = env.ReadFile(path);
  if (!text.ok()) return Json();
  return ParseJson(*text, path).value_or(Json());
}

}  // namespace

DeploymentService::DeploymentService(std::unique_ptr<DeploymentStore> store,
                                     catalog::Catalog& catalog, Env& env,
                                     DeploymentServiceOptions options)
    : catalog_(catalog),
      env_(env),
      options_(std::move(options)),
      store_(std::move(store)),
      endpoint_url_(options_.endpoint) {
  if (options_.resource_principals.authority != nullptr) {
    principals_ = std::make_unique<ResourcePrincipalKeeper>(env_, options_.resource_principals);
  }
}

Result<std::unique_ptr<DeploymentService>> DeploymentService::Open(
    std::unique_ptr<store::Database> db, catalog::Catalog& catalog, Env& env,
    DeploymentServiceOptions options) {
  if (options.data_dir.empty()) return InvalidArgumentError("the data directory is required");
  ADS_ASSIGN_OR_RETURN(auto store, DeploymentStore::Open(std::move(db), env));
  std::unique_ptr<DeploymentService> service(
      new DeploymentService(std::move(store), catalog, env, std::move(options)));
  std::vector<DeploymentRow> rows;
  {
    std::lock_guard<std::mutex> lock(service->mu_);
    ADS_ASSIGN_OR_RETURN(rows, service->store_->Live());
    for (const DeploymentRow& row : rows) {
      service->endpoints_[row.id] = service->MakeEndpoint(row);
      service->TrackModelUse(row);
    }
  }
  service->Recover(std::move(rows));
  return service;
}

DeploymentService::~DeploymentService() {
  WaitIdle();
  std::map<std::string, std::shared_ptr<DeploymentEndpoint>, std::less<>> endpoints;
  {
    std::lock_guard<std::mutex> lock(mu_);
    endpoints.swap(endpoints_);
  }
  for (auto& [id, endpoint] : endpoints) {
    endpoint->SetHealthCallback(nullptr);
    endpoint->Stop(endpoint->info().lifecycle_state);
  }
}

void DeploymentService::SetEndpoint(std::string endpoint) {
  std::lock_guard<std::mutex> lock(mu_);
  endpoint_url_ = std::move(endpoint);
}

// ---- Background work ----

void DeploymentService::RunInBackground(std::function<void()> work) {
  std::lock_guard<std::mutex> lock(work_mu_);
  // Join the threads that are done so a long-running server does not pile
  // them up.
  for (const std::thread::id& id : finished_) {
    auto it = std::find_if(threads_.begin(), threads_.end(),
                           [&](const std::thread& t) { return t.get_id() == id; });
    if (it != threads_.end()) {
      it->join();
      threads_.erase(it);
    }
  }
  finished_.clear();
  ++work_running_;
  threads_.emplace_back([this, work = std::move(work)] {
    work();
    std::lock_guard<std::mutex> lock(work_mu_);
    finished_.push_back(std::this_thread::get_id());
    --work_running_;
    work_cv_.notify_all();
  });
}

void DeploymentService::WaitIdle() {
  std::vector<std::thread> threads;
  {
    std::unique_lock<std::mutex> lock(work_mu_);
    work_cv_.wait(lock, [&] { return work_running_ == 0; });
    threads.swap(threads_);
    finished_.clear();
  }
  for (std::thread& t : threads) t.join();
}

// ---- Rows, endpoints ----

Result<DeploymentRow> DeploymentService::LoadRow(std::string_view id) {
  ADS_ASSIGN_OR_RETURN(std::optional<DeploymentRow> row, store_->Get(id));
  if (!row) return NotFoundError("No model deployment " + Quoted(id) + ".");
  return std::move(*row);
}

std::shared_ptr<DeploymentEndpoint> DeploymentService::MakeEndpoint(const DeploymentRow& row) {
  auto endpoint = std::make_shared<DeploymentEndpoint>(
      InfoOf(row.doc), JoinPath(JoinPath(options_.data_dir, "logs"), row.id),
      options_.unavailable_limit);
  const std::string id = row.id;
  endpoint->SetHealthCallback(
      [this, id](bool failing, const std::string& why) { OnHealth(id, failing, why); });
  return endpoint;
}

std::shared_ptr<DeploymentEndpoint> DeploymentService::EndpointOf(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = endpoints_.find(id);
  return it == endpoints_.end() ? nullptr : it->second;
}

// Once a deactivation or deletion is admitted (its state saved), the
// endpoint takes no new call: a client that has seen the new state can no
// longer start a prediction. Calls already running finish in the
// background task's Stop().
void DeploymentService::CloseEndpointLocked(const std::string& id, DeploymentState state) {
  auto it = endpoints_.find(id);
  if (it != endpoints_.end()) it->second->Close(std::string(StateName(state)));
}

void DeploymentService::TrackModelUse(const DeploymentRow& row) {
  std::lock_guard<std::mutex> lock(use_mu_);
  if (UsesModel(StateOf(row))) {
    model_use_[row.id] = row.model_id;
  } else {
    model_use_.erase(row.id);
  }
}

bool DeploymentService::HasActiveDeployment(std::string_view model_id) {
  std::lock_guard<std::mutex> lock(use_mu_);
  return std::any_of(model_use_.begin(), model_use_.end(),
                     [&](const auto& use) { return use.second == model_id; });
}

catalog::Resource DeploymentService::ToResource(const DeploymentRow& row) const {
  Json doc = row.doc;
  doc["modelDeploymentUrl"] = endpoint_url_ + "/" + row.id;
  return catalog::Resource{std::move(doc), EtagOf(row.doc)};
}

Status DeploymentService::Save(DeploymentRow& row) {
  row.model_id = ModelIdOf(row.doc);
  row.display_name = StringMemberOr(row.doc, "displayName");
  row.compartment_id = StringMemberOr(row.doc, "compartmentId");
  ADS_RETURN_IF_ERROR(store_->Update(row));
  TrackModelUse(row);
  auto it = endpoints_.find(row.id);
  if (it != endpoints_.end()) it->second->SetInfo(InfoOf(row.doc));
  return OkStatus();
}

void DeploymentService::Finish(const std::string& id, DeploymentState state,
                               const std::string& details, const Status& outcome,
                               const std::function<void(DeploymentRow&)>& change) {
  std::string wr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Result<DeploymentRow> row = LoadRow(id);
    if (!row.ok()) {
      LogError("model deployment " + id + ": " + row.status().ToString());
      return;
    }
    if (change) change(*row);
    SetState(*row, state, details);
    wr = row->work_request_id;
    row->work_request_id.clear();
    row->pending = Json();
    Status saved = Save(*row);
    if (!saved.ok()) LogError("model deployment " + id + ": " + saved.ToString());
    if (state == S::kDeleted) endpoints_.erase(id);
  }
  if (wr.empty()) return;
  catalog_
      .AdvanceDeploymentWorkRequest(
          wr, outcome.ok() ? "SUCCEEDED" : "FAILED",
          outcome.ok() ? "The model deployment is " + std::string(StateName(state)) + "."
                       : outcome.message())
      .IgnoreError();
}

Result<DeploymentService::Admitted> DeploymentService::Admit(
    std::string_view id, std::string_view if_match, std::initializer_list<DeploymentState> from,
    DeploymentState to, std::string_view action, std::string_view operation, Json pending,
    std::string_view details) {
  ADS_ASSIGN_OR_RETURN(DeploymentRow row, LoadRow(id));
  ADS_RETURN_IF_ERROR(CheckIfMatch(row, if_match));
  const S state = StateOf(row);
  if (std::find(from.begin(), from.end(), state) == from.end() ||
      !TransitionAllowed(state, to)) {
    return WrongState(row, action);
  }
  ADS_ASSIGN_OR_RETURN(std::string wr,
                       catalog_.CreateDeploymentWorkRequest(operation, row.compartment_id, row.id));
  row.work_request_id = wr;
  row.pending = std::move(pending);
  row.pending["from"] = row.lifecycle_state;
  SetState(row, to, details);
  ADS_RETURN_IF_ERROR(Save(row));
  return Admitted{std::move(row), wr};
}

// ---- Loading ----

Status DeploymentService::CheckModel(const std::string& model_id) {
  Result<catalog::Resource> model = catalog_.GetModel(model_id);
  if (!model.ok()) {
    if (model.status().code() == StatusCode::kNotFound) {
      return InvalidArgumentError("modelId " + Quoted(model_id) + " names no model.");
    }
    return model.status();
  }
  const std::string state = StringMemberOr(model->doc, "lifecycleState");
  if (state != "ACTIVE") {
    return InvalidArgumentError("The model " + model_id + " is " + state +
                                "; only ACTIVE models can be deployed.");
  }
  Result<catalog::ArtifactInfo> artifact = catalog_.GetArtifact(model_id);
  if (!artifact.ok()) {
    if (artifact.status().code() == StatusCode::kNotFound) {
      return InvalidArgumentError("The model " + model_id +
                                  " has no artifact; upload one before deploying it.");
    }
    return artifact.status();
  }
  return OkStatus();
}

Result<std::shared_ptr<const LoadedModel>> DeploymentService::LoadModel(const std::string& id,
                                                                        const std::string& model_id,
                                                                        const Json& doc) {
  ADS_ASSIGN_OR_RETURN(catalog::ArtifactInfo artifact, catalog_.GetArtifact(model_id));
  const std::string parent = JoinPath(JoinPath(options_.data_dir, "deployments"), id);
  const std::string dir = JoinPath(parent, model_id);
  // ExtractArtifact renames a complete extraction into place, so a folder
  // that exists is a whole artifact: reuse it (restarts, re-activation).
  if (!env_.Stat(dir).ok()) {
    ADS_RETURN_IF_ERROR(env_.CreateDirs(parent));
    ADS_RETURN_IF_ERROR(
        artifact::ExtractArtifact(env_, catalog_.blobs().BlobPath(artifact.blob.sha256), dir)
            .status());
  }
  runtime::PredictorOptions options = PredictorOptionsOf(doc, options_.predictor);
  if (principals_) {
    // Only score.py code runs in workers that can use the credentials.
    ADS_ASSIGN_OR_RETURN(runtime::RuntimeChoice choice, runtime::ChooseRuntime(env_, dir));
    if (choice.kind == runtime::RuntimeKind::kPython) {
      std::string endpoint;
      {
        std::lock_guard<std::mutex> lock(mu_);
        endpoint = endpoint_url_;
      }
      ADS_ASSIGN_OR_RETURN(
          auto vars, principals_->Provision(id, StringMemberOr(doc, "compartmentId"),
                                            JoinPath(parent, "resource-principal"), endpoint));
      for (auto& [name, value] : vars) options.python_env[name] = std::move(value);
    }
  }
  ADS_ASSIGN_OR_RETURN(std::unique_ptr<runtime::Predictor> predictor,
                       runtime::LoadPredictor(env_, dir, options));
  auto loaded = std::make_shared<LoadedModel>();
  loaded->model_id = model_id;
  loaded->runtime = std::string(runtime::RuntimeKindName(predictor->kind()));
  loaded->predictor = std::shared_ptr<runtime::Predictor>(std::move(predictor));
  const EndpointInfo info = InfoOf(doc);
  if (info.max_batch_size > 1 && loaded->predictor->kind() != runtime::RuntimeKind::kPython) {
    BatchOptions batching{.max_batch_size = info.max_batch_size,
                          .max_queue_delay = std::chrono::microseconds(info.max_queue_delay_us)};
    loaded->predictor = WithBatching(loaded->predictor, WithBatchMetrics(std::move(batching), id));
  }
  loaded->input_schema = ReadSchema(env_, JoinPath(dir, "input_schema.json"));
  loaded->output_schema = ReadSchema(env_, JoinPath(dir, "output_schema.json"));
  return std::shared_ptr<const LoadedModel>(std::move(loaded));
}

void DeploymentService::ResumeLoad(const DeploymentRow& row, const Status& outcome) {
  if (!row.work_request_id.empty()) {
    catalog_
        .AdvanceDeploymentWorkRequest(row.work_request_id, "IN_PROGRESS",
                                      "Loading the model " + row.model_id + ".", 10)
        .IgnoreError();
  }
  Result<std::shared_ptr<const LoadedModel>> loaded = LoadModel(row.id, row.model_id, row.doc);
  if (!loaded.ok()) {
    if (principals_) principals_->Withdraw(row.id);
    Finish(row.id, S::kFailed, "The model could not be loaded: " + loaded.status().message(),
           loaded.status());
    return;
  }
  std::shared_ptr<DeploymentEndpoint> endpoint = EndpointOf(row.id);
  if (endpoint) endpoint->Serve(*loaded);
  Finish(row.id, S::kActive, "", outcome);
}

void DeploymentService::FinishDelete(const DeploymentRow& row) {
  if (std::shared_ptr<DeploymentEndpoint> endpoint = EndpointOf(row.id)) {
    endpoint->SetHealthCallback(nullptr);
    endpoint->Stop(std::string(StateName(S::kDeleting)));
  }
  if (principals_) principals_->Withdraw(row.id);
  const std::string dir = JoinPath(JoinPath(options_.data_dir, "deployments"), row.id);
  Status removed = env_.RemoveAll(dir);
  Finish(row.id, S::kDeleted, "", removed);
}

void DeploymentService::Recover(std::vector<DeploymentRow> rows) {
  for (DeploymentRow& row : rows) {
    const S state = StateOf(row);
    const std::string action = StringMemberOr(row.pending, "action");
    if (state == S::kActive || state == S::kNeedsAttention ||
        (state == S::kUpdating && action == "restart")) {
      // Reloading happens in UPDATING, so that no other action races it.
      std::lock_guard<std::mutex> lock(mu_);
      row.pending = {{"action", "restart"}, {"from", row.lifecycle_state}};
      SetState(row, S::kUpdating, "Loading the model again after a server restart.");
      Status saved = Save(row);
      if (!saved.ok()) LogError("model deployment " + row.id + ": " + saved.ToString());
    }
    if (state == S::kCreating || state == S::kActive || state == S::kNeedsAttention ||
        (state == S::kUpdating && (action == "activate" || action == "restart"))) {
      RunInBackground([this, row] { ResumeLoad(row, OkStatus()); });
    } else if (state == S::kUpdating && action == "deactivate") {
      Finish(row.id, S::kInactive, "", OkStatus());
    } else if (state == S::kUpdating && action == "update") {
      const Status interrupted = UnavailableError(
          "The update was interrupted by a server restart; the previous configuration stays.");
      if (StringMemberOr(row.pending, "from") == "INACTIVE") {
        Finish(row.id, S::kInactive, "", interrupted);
      } else {
        RunInBackground([this, row, interrupted] { ResumeLoad(row, interrupted); });
      }
    } else if (state == S::kUpdating) {
      Finish(row.id, S::kFailed, "Interrupted by a server restart.",
             UnavailableError("Interrupted by a server restart."));
    } else if (state == S::kDeleting) {
      RunInBackground([this, row] { FinishDelete(row); });
    }
  }
}

void DeploymentService::OnHealth(const std::string& id, bool failing, const std::string& why) {
  std::lock_guard<std::mutex> lock(mu_);
  Result<DeploymentRow> row = LoadRow(id);
  if (!row.ok()) return;
  const S state = StateOf(*row);
  if (failing && state == S::kActive) {
    SetState(*row, S::kNeedsAttention,
             "The model keeps failing: " + std::to_string(options_.unavailable_limit) +
                 " predictions in a row were Unavailable (last: " + why + ").");
  } else if (!failing && state == S::kNeedsAttention) {
    SetState(*row, S::kActive, "");
  } else {
    return;
  }
  Status saved = Save(*row);
  if (!saved.ok()) LogError("model deployment " + id + ": " + saved.ToString());
}

// ---- Actions ----

Result<Started> DeploymentService::Create(const Json& details,
                                          const catalog::CreateContext& ctx) {
  ADS_ASSIGN_OR_RETURN(Json doc, DocFromCreate(details, env_));
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             env_.Now().time_since_epoch()).count();
  const int64_t token_after_us =
      now_us - std::chrono::duration_cast<std::chrono::microseconds>(options_.retry_token_lifetime)
                   .count();
  const auto replay = [&]() -> Result<std::optional<Started>> {
    if (ctx.retry_token.empty()) return std::optional<Started>();
    ADS_ASSIGN_OR_RETURN(std::optional<DeploymentRow> seen,
                         store_->FindByRetryToken(ctx.created_by, ctx.retry_token, token_after_us));
    if (!seen) return std::optional<Started>();
    return std::optional<Started>(Started{ToResource(*seen), seen->create_work_request_id});
  };
  {
    std::lock_guard<std::mutex> lock(mu_);
    ADS_ASSIGN_OR_RETURN(std::optional<Started> again, replay());
    if (again) return std::move(*again);
  }
  ADS_RETURN_IF_ERROR(CheckModel(ModelIdOf(doc)));

  DeploymentRow row;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ADS_ASSIGN_OR_RETURN(std::optional<Started> again, replay());
    if (again) return std::move(*again);
    row.id = GenerateOcid(env_, "datasciencemodeldeployment", options_.region);
    row.time_created_us = last_create_us_ = std::max(now_us, last_create_us_ + 1);
    row.created_by = ctx.created_by;
    row.retry_token = ctx.retry_token;
    row.project_id = StringMemberOr(doc, "projectId");
    doc["id"] = row.id;
    doc["createdBy"] = ctx.created_by;
    doc["timeCreated"] = FormatRfc3339(
        std::chrono::system_clock::time_point(std::chrono::microseconds(row.time_created_us)));
    row.doc = std::move(doc);
    SetState(row, S::kCreating, "Loading the model.");
    row.model_id = ModelIdOf(row.doc);
    row.display_name = StringMemberOr(row.doc, "displayName");
    row.compartment_id = StringMemberOr(row.doc, "compartmentId");
    ADS_ASSIGN_OR_RETURN(row.work_request_id,
                         catalog_.CreateDeploymentWorkRequest("MODEL_DEPLOYMENT_CREATE",
                                                              row.compartment_id, row.id));
    row.create_work_request_id = row.work_request_id;
    row.pending = {{"action", "create"}};
    Status inserted = store_->Insert(row);
    if (!inserted.ok()) {
      catalog_.AdvanceDeploymentWorkRequest(row.work_request_id, "FAILED", inserted.message())
          .IgnoreError();
      return inserted;
    }
    endpoints_[row.id] = MakeEndpoint(row);
    TrackModelUse(row);
  }
  RunInBackground([this, row] { ResumeLoad(row, OkStatus()); });
  std::lock_guard<std::mutex> lock(mu_);
  return Started{ToResource(row), row.create_work_request_id};
}

Result<catalog::Resource> DeploymentService::Get(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(DeploymentRow row, LoadRow(id));
  return ToResource(row);
}

Result<catalog::Page> DeploymentService::List(const catalog::ListQuery& query) {
  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(catalog::Page page, store_->List(query));
  for (Json& item : page.items) {
    item["modelDeploymentUrl"] = endpoint_url_ + "/" + StringMemberOr(item, "id");
  }
  return page;
}

Result<Started> DeploymentService::Update(std::string_view id, const Json& details,
                                          std::string_view if_match) {
  // The new model is checked first, outside the lock (the catalog has its own).
  std::string current_model;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ADS_ASSIGN_OR_RETURN(DeploymentRow row, LoadRow(id));
    current_model = row.model_id;
  }
  const Json* config = FindMember(details, "modelDeploymentConfigurationDetails");
  const Json* model_config =
      config && config->is_object() ? FindMember(*config, "modelConfigurationDetails") : nullptr;
  const std::string new_model =
      model_config && model_config->is_object() ? StringMemberOr(*model_config, "modelId") : "";
  if (!new_model.empty() && new_model != current_model) ADS_RETURN_IF_ERROR(CheckModel(new_model));

  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(DeploymentRow row, LoadRow(id));
  ADS_RETURN_IF_ERROR(CheckIfMatch(row, if_match));
  const S state = StateOf(row);
  if (state != S::kActive && state != S::kNeedsAttention && state != S::kInactive) {
    return WrongState(row, "update");
  }
  ADS_ASSIGN_OR_RETURN(Json next, DocWithUpdate(row.doc, details));
  if (ModelIdOf(next) != row.model_id && ModelIdOf(next) != new_model) {
    ADS_RETURN_IF_ERROR(CheckModel(ModelIdOf(next)));  // a model id given another way
  }
  if (state != S::kInactive && (InstanceCountOf(next) != InstanceCountOf(row.doc) ||
                                BandwidthMbpsOf(next) != BandwidthMbpsOf(row.doc))) {
    return FailedPreconditionError(
        "instanceCount and bandwidthMbps can change only while the model deployment is "
        "INACTIVE (" + row.id + " is " + row.lifecycle_state + "); deactivate it first.");
  }
  const bool reload = state != S::kInactive && (ModelIdOf(next) != row.model_id ||
                                                EnvironmentOf(next) != EnvironmentOf(row.doc));
  if (!reload) {
    // Names, tags, logging, or anything while INACTIVE: nothing to load.
    ADS_ASSIGN_OR_RETURN(std::string wr, catalog_.CreateDeploymentWorkRequest(
                                             "MODEL_DEPLOYMENT_UPDATE", row.compartment_id, row.id));
    row.doc = std::move(next);
    ADS_RETURN_IF_ERROR(Save(row));
    catalog_.AdvanceDeploymentWorkRequest(wr, "SUCCEEDED", "Updated.").IgnoreError();
    return Started{ToResource(row), wr};
  }
  ADS_ASSIGN_OR_RETURN(std::string wr, catalog_.CreateDeploymentWorkRequest(
                                           "MODEL_DEPLOYMENT_UPDATE", row.compartment_id, row.id));
  row.work_request_id = wr;
  row.pending = {{"action", "update"}, {"from", row.lifecycle_state}};
  SetState(row, S::kUpdating, "Loading the new configuration.");
  ADS_RETURN_IF_ERROR(Save(row));
  const S back = state;
  RunInBackground([this, id = row.id, wr, next, back] {
    catalog_.AdvanceDeploymentWorkRequest(wr, "IN_PROGRESS", "Loading the model " +
                                                                 ModelIdOf(next) + ".", 10)
        .IgnoreError();
    Result<std::shared_ptr<const LoadedModel>> loaded = LoadModel(id, ModelIdOf(next), next);
    if (!loaded.ok()) {
      // Nothing changed: the old model keeps serving.
      Finish(id, back, "The last update failed: " + loaded.status().message(), loaded.status());
      return;
    }
    if (std::shared_ptr<DeploymentEndpoint> endpoint = EndpointOf(id)) endpoint->Serve(*loaded);
    Finish(id, S::kActive, "", OkStatus(), [&next](DeploymentRow& r) {
      // A change of compartment may have landed while the model loaded.
      const Json compartment = r.doc["compartmentId"];
      r.doc = next;
      r.doc["compartmentId"] = compartment;
    });
  });
  return Started{ToResource(row), wr};
}

Result<Started> DeploymentService::Activate(std::string_view id, std::string_view if_match) {
  DeploymentRow row;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ADS_ASSIGN_OR_RETURN(Admitted a, Admit(id, if_match, {S::kInactive}, S::kUpdating, "activate",
                                           "MODEL_DEPLOYMENT_ACTIVATE", {{"action", "activate"}},
                                           "Activating."));
    row = std::move(a.row);
  }
  RunInBackground([this, row] { ResumeLoad(row, OkStatus()); });
  std::lock_guard<std::mutex> lock(mu_);
  return Started{ToResource(row), row.work_request_id};
}

Result<Started> DeploymentService::Deactivate(std::string_view id, std::string_view if_match) {
  DeploymentRow row;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ADS_ASSIGN_OR_RETURN(Admitted a,
                         Admit(id, if_match, {S::kActive, S::kNeedsAttention}, S::kUpdating,
                               "deactivate", "MODEL_DEPLOYMENT_DEACTIVATE",
                               {{"action", "deactivate"}}, "Deactivating."));
    row = std::move(a.row);
    CloseEndpointLocked(row.id, S::kUpdating);
  }
  RunInBackground([this, row] {
    catalog_.AdvanceDeploymentWorkRequest(row.work_request_id, "IN_PROGRESS",
                                          "Waiting for the predictions in flight.", 50)
        .IgnoreError();
    if (std::shared_ptr<DeploymentEndpoint> endpoint = EndpointOf(row.id)) {
      endpoint->Stop(std::string(StateName(S::kUpdating)));
    }
    if (principals_) principals_->Withdraw(row.id);
    Finish(row.id, S::kInactive, "", OkStatus());
  });
  std::lock_guard<std::mutex> lock(mu_);
  return Started{ToResource(row), row.work_request_id};
}

Result<Started> DeploymentService::Delete(std::string_view id, std::string_view if_match) {
  DeploymentRow row;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ADS_ASSIGN_OR_RETURN(
        Admitted a, Admit(id, if_match, {S::kActive, S::kInactive, S::kFailed, S::kNeedsAttention},
                          S::kDeleting, "delete", "MODEL_DEPLOYMENT_DELETE", {{"action", "delete"}},
                          "Deleting."));
    row = std::move(a.row);
    CloseEndpointLocked(row.id, S::kDeleting);
  }
  RunInBackground([this, row] { FinishDelete(row); });
  std::lock_guard<std::mutex> lock(mu_);
  return Started{ToResource(row), row.work_request_id};
}

Result<Started> DeploymentService::ChangeCompartment(std::string_view id,
                                                     std::string_view compartment_id,
                                                     std::string_view if_match) {
  if (compartment_id.empty()) return InvalidArgumentError("compartmentId is required.");
  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(DeploymentRow row, LoadRow(id));
  ADS_RETURN_IF_ERROR(CheckIfMatch(row, if_match));
  const S state = StateOf(row);
  if (state == S::kDeleting || state == S::kDeleted) return WrongState(row, "move");
  ADS_ASSIGN_OR_RETURN(std::string wr, catalog_.CreateDeploymentWorkRequest(
                                           "MODEL_DEPLOYMENT_MOVE", compartment_id, row.id));
  row.doc["compartmentId"] = compartment_id;
  ADS_RETURN_IF_ERROR(Save(row));
  if (principals_) principals_->SetCompartment(row.id, std::string(compartment_id));
  catalog_.AdvanceDeploymentWorkRequest(wr, "SUCCEEDED", "Moved.").IgnoreError();
  return Started{ToResource(row), wr};
}

Result<std::vector<std::string>> DeploymentService::ReadLog(std::string_view id, LogType type,
                                                            int tail) {
  if (tail < 1 || tail > 10000) return InvalidArgumentError("tail must be from 1 to 10000.");
  {
    std::lock_guard<std::mutex> lock(mu_);
    ADS_RETURN_IF_ERROR(LoadRow(id).status());
  }
  const std::string path = JoinPath(JoinPath(JoinPath(options_.data_dir, "logs"), id),
                                    type == LogType::kAccess ? "access.log" : "predict.log");
  if (!env_.Stat(path).ok()) return std::vector<std::string>();
  // Logs grow with traffic: read backwards from the end only as far as the
  // last `tail` lines need.
  ADS_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env_.NewRandomAccessFile(path));
  constexpr uint64_t kChunk = 64 * 1024;
  std::string text;
  uint64_t start = file->size();
  while (start > 0 && std::count(text.begin(), text.end(), '\n') <= tail) {
    const uint64_t n = std::min(kChunk, start);
    start -= n;
    std::string chunk(n, '\0');
    ADS_ASSIGN_OR_RETURN(size_t got, file->Read(start, n, chunk.data()));
    chunk.resize(got);
    text.insert(0, chunk);
  }
  std::vector<std::string> lines = Split(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  // The first piece may be the end of an older line.
  if (start > 0 && !lines.empty()) lines.erase(lines.begin());
  if (static_cast<int>(lines.size()) > tail) lines.erase(lines.begin(), lines.end() - tail);
  return lines;
}

// ---- EndpointDirectory ----

std::shared_ptr<Endpoint> DeploymentService::Find(std::string_view deployment_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = endpoints_.find(deployment_id);
  return it == endpoints_.end() ? nullptr : it->second;
}

std::shared_ptr<Endpoint> DeploymentService::FindByName(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = endpoints_.find(name);
  if (it != endpoints_.end()) return it->second;
  std::shared_ptr<Endpoint> found;
  for (const auto& [id, endpoint] : endpoints_) {
    if (endpoint->info().display_name != name) continue;
    if (found) return nullptr;  // ambiguous
    found = endpoint;
  }
  return found;
}

std::vector<std::shared_ptr<Endpoint>> DeploymentService::All() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<Endpoint>> all;
  for (const auto& [id, endpoint] : endpoints_) all.push_back(endpoint);
  return all;
}

}  // namespace ads::serving
