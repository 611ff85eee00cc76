// Artifacts, provenance and work requests (including the background
// export/import of artifacts through the ObjectStorageLink).
#include "base/hash.h"
#include "base/ids.h"
#include "base/strings.h"
#include "catalog/catalog.h"
#include "catalog/catalog_internal.h"

namespace ads::catalog {
namespace {

std::string Rfc3339Ms(int64_t ms) {
  return FormatRfc3339(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

bool IsTerminal(std::string_view status) {
  return status == "SUCCEEDED" || status == "FAILED" || status == "CANCELED";
}

Result<std::string> Required(const Json& details, std::string_view key) {
  const Json* v = FindMember(details, key);
  if (!v || !v->is_string() || v->get<std::string>().empty()) {
    return InvalidArgumentError(std::string(key) + " is required.");
  }
  return v->get<std::string>();
}

std::string BaseNameOf(const std::string& object) {
  const size_t slash = object.rfind('/');
  return slash == std::string::npos ? object : object.substr(slash + 1);
}

}  // namespace

Result<Row> Catalog::Impl::NewWorkRequest(std::string_view operation_type,
                                          std::string_view compartment_id,
                                          std::string_view entity_type, std::string_view entity_id,
                                          std::string_view entity_uri, std::string_view status) {
  Row row;
  row.id = GenerateOcid(env, "datascienceworkrequest", options.region);
  row.compartment_id = std::string(compartment_id);
  row.lifecycle_state = "ACCEPTED";
  row.name = std::string(operation_type);
  row.time_created_us = NextCreateTimeUs();
  const std::string now = FormatRfc3339(
      std::chrono::system_clock::time_point(std::chrono::microseconds(row.time_created_us)));
  row.doc = {{"id", row.id},
             {"operationType", operation_type},
             {"status", "ACCEPTED"},
             {"compartmentId", compartment_id},
             {"resources", Json::array({{{"entityType", entity_type},
                                         {"actionType", "IN_PROGRESS"},
                                         {"identifier", entity_id},
                                         {"entityUri", entity_uri}}})},
             {"percentComplete", 0.0},
             {"timeAccepted", now}};
  row.extra = {{"logs", Json::array({{{"message", "Accepted."}, {"timestamp", now}}})},
               {"errors", Json::array()}};
  ADS_RETURN_IF_ERROR(store->Insert(Kind::kWorkRequest, row));
  if (status != "ACCEPTED") {
    ADS_RETURN_IF_ERROR(AdvanceWorkRequest(row.id, "IN_PROGRESS", "Started."));
    ADS_RETURN_IF_ERROR(AdvanceWorkRequest(row.id, status, "Finished."));
  }
  return row;
}

Status Catalog::Impl::AdvanceWorkRequest(std::string_view id, std::string_view status,
                                         std::string_view message) {
  ADS_ASSIGN_OR_RETURN(Row row, Load(Kind::kWorkRequest, id));
  const std::string now = Rfc3339Ms(NowMs());
  row.lifecycle_state = std::string(status);
  row.doc["status"] = status;
  if (status == "IN_PROGRESS") row.doc["timeStarted"] = now;
  if (IsTerminal(status)) {
    if (!row.doc.contains("timeStarted")) row.doc["timeStarted"] = now;
    row.doc["timeFinished"] = now;
    row.doc["percentComplete"] = 100.0;
    const bool deleting = row.name.ends_with("_DELETE");
    for (Json& r : row.doc["resources"]) {
      r["actionType"] = status != "SUCCEEDED" ? "FAILED" : deleting ? "DELETED" : "UPDATED";
    }
  }
  row.extra["logs"].push_back({{"message", message}, {"timestamp", now}});
  if (status == "FAILED") {
    row.extra["errors"].push_back(
        {{"code", "InternalError"}, {"message", message}, {"timestamp", now}});
  }
  return store->Update(Kind::kWorkRequest, row);
}

// ---- Artifacts ----

Status Catalog::UploadArtifact(std::string_view model_id,
                               const std::function<Result<size_t>(char*, size_t)>& read,
                               std::string_view content_disposition,
                               std::string_view expected_sha256_base64) {
  {
    // Fail fast, before any byte is read; the insert below re-checks.
    std::lock_guard<std::mutex> lock(impl_->mu);
    ADS_ASSIGN_OR_RETURN(Row model, impl_->Load(Kind::kModel, model_id));
    if (model.lifecycle_state == "DELETED") {
      return FailedPreconditionError("The model " + model.id + " is DELETED.");
    }
    ADS_ASSIGN_OR_RETURN(std::optional<ArtifactRow> existing, impl_->store->GetArtifact(model_id));
    if (existing) {
      return AlreadyExistsError("The model " + model.id +
                                " already has an artifact; artifacts are immutable.");
    }
  }
  std::optional<std::string> expected_hex;
  if (!expected_sha256_base64.empty()) {
    std::string raw;
    if (!Base64Decode(expected_sha256_base64, &raw) || raw.size() != 32) {
      return UnauthenticatedError("The x-content-sha256 header is not a base64 SHA-256.");
    }
    expected_hex = HexEncode(raw);
  }
  ADS_ASSIGN_OR_RETURN(std::unique_ptr<store::Upload> upload, impl_->blobs.BeginUpload());
  std::string buf(64 * 1024, '\0');
  for (;;) {
    ADS_ASSIGN_OR_RETURN(size_t n, read(buf.data(), buf.size()));
    if (n == 0) break;
    ADS_RETURN_IF_ERROR(upload->Append(std::string_view(buf.data(), n)));
  }
  Result<store::BlobInfo> blob = upload->Commit(expected_hex);
  if (!blob.ok()) {
    if (blob.status().code() == StatusCode::kInvalidArgument && expected_hex) {
      return UnauthenticatedError("The body does not match the signed x-content-sha256 header.");
    }
    return blob.status();
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  ADS_ASSIGN_OR_RETURN(store::Transaction txn, impl_->store->Begin());
  ADS_ASSIGN_OR_RETURN(Row model, impl_->Load(Kind::kModel, model_id));
  if (model.lifecycle_state == "DELETED") {
    return FailedPreconditionError("The model " + model.id + " is DELETED.");
  }
  ArtifactRow artifact{*blob, std::string(content_disposition), impl_->NowMs()};
  if (artifact.content_disposition.empty()) {
    artifact.content_disposition = "attachment; filename=\"" + model.id + ".zip\"";
  }
  ADS_RETURN_IF_ERROR(impl_->store->InsertArtifact(model_id, artifact));
  return txn.Commit();
}

Result<ArtifactInfo> Catalog::GetArtifact(std::string_view model_id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ADS_ASSIGN_OR_RETURN(Row model, impl_->Load(Kind::kModel, model_id));
  ADS_ASSIGN_OR_RETURN(std::optional<ArtifactRow> a, impl_->store->GetArtifact(model_id));
  if (!a) return NotFoundError("The model " + model.id + " has no artifact.");
  return ArtifactInfo{a->blob, a->content_disposition,
                      std::chrono::system_clock::time_point(std::chrono::milliseconds(a->time_ms)),
                      model.compartment_id};
}

// ---- Provenance ----

namespace {

Result<Json> ProvenanceFrom(const Json& details, Json base) {
  if (!details.is_object()) return InvalidArgumentError("The provenance must be an object.");
  for (const char* key :
       {"repositoryUrl", "gitBranch", "gitCommit", "scriptDir", "trainingScript", "trainingId"}) {
    const Json* v = FindMember(details, key);
    if (!v || v->is_null()) continue;
    if (!v->is_string()) return InvalidArgumentError(std::string(key) + " must be a string.");
    if (v->get<std::string>().size() > 255) {
      return InvalidArgumentError(std::string(key) + " is longer than 255 characters.");
    }
    base[key] = *v;
  }
  return base;
}

}  // namespace

static Result<Json> WriteProvenance(Catalog::Impl& impl, std::string_view model_id,
                                    const Json& details, bool create) {
  std::lock_guard<std::mutex> lock(impl.mu);
  ADS_ASSIGN_OR_RETURN(store::Transaction txn, impl.store->Begin());
  ADS_ASSIGN_OR_RETURN(Row model, impl.Load(Kind::kModel, model_id));
  if (model.lifecycle_state == "DELETED") {
    return FailedPreconditionError("The model " + model.id + " is DELETED.");
  }
  if (create && !model.extra.is_null()) {
    return AlreadyExistsError("The model " + model.id + " already has a provenance.");
  }
  if (!create && model.extra.is_null()) {
    return NotFoundError("The model " + model.id + " has no provenance.");
  }
  ADS_ASSIGN_OR_RETURN(model.extra, ProvenanceFrom(details, create ? Json::object() : model.extra));
  ADS_RETURN_IF_ERROR(impl.store->Update(Kind::kModel, model));
  ADS_RETURN_IF_ERROR(txn.Commit());
  return model.extra;
}

Result<Json> Catalog::CreateProvenance(std::string_view model_id, const Json& details) {
  return WriteProvenance(*impl_, model_id, details, true);
}

Result<Json> Catalog::UpdateProvenance(std::string_view model_id, const Json& details) {
  return WriteProvenance(*impl_, model_id, details, false);
}

Result<Json> Catalog::GetProvenance(std::string_view model_id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ADS_ASSIGN_OR_RETURN(Row model, impl_->Load(Kind::kModel, model_id));
  if (model.extra.is_null()) return NotFoundError("The model " + model.id + " has no provenance.");
  return model.extra;
}

// ---- Export / import ----

namespace {

// Runs `work` for work request `wr_id`: IN_PROGRESS, then SUCCEEDED or
// FAILED with the error's message.
void RunWork(Catalog::Impl& impl, const std::string& wr_id, const std::function<Status()>& work) {
  {
    std::lock_guard<std::mutex> lock(impl.mu);
    impl.AdvanceWorkRequest(wr_id, "IN_PROGRESS", "Started.").IgnoreError();
  }
  const Status status = work();
  std::lock_guard<std::mutex> lock(impl.mu);
  impl.AdvanceWorkRequest(wr_id, status.ok() ? "SUCCEEDED" : "FAILED",
                          status.ok() ? "Finished." : status.message())
      .IgnoreError();
}

}  // namespace

static Result<std::string> StartArtifactWork(Catalog::Impl& impl, std::string_view model_id,
                                             std::string_view operation, bool need_artifact,
                                             std::function<Status(const Row& model)> work) {
  if (!impl.options.object_storage) {
    return UnimplementedError("Artifact export/import needs Object Storage, which is not set up.");
  }
  std::string wr_id;
  {
    std::lock_guard<std::mutex> lock(impl.mu);
    ADS_ASSIGN_OR_RETURN(store::Transaction txn, impl.store->Begin());
    ADS_ASSIGN_OR_RETURN(Row model, impl.Load(Kind::kModel, model_id));
    if (model.lifecycle_state == "DELETED") {
      return FailedPreconditionError("The model " + model.id + " is DELETED.");
    }
    ADS_ASSIGN_OR_RETURN(std::optional<ArtifactRow> existing, impl.store->GetArtifact(model_id));
    if (need_artifact && !existing) {
      return FailedPreconditionError("The model " + model.id + " has no artifact.");
    }
    if (!need_artifact && existing) {
      return AlreadyExistsError("The model " + model.id +
                                " already has an artifact; artifacts are immutable.");
    }
    ADS_ASSIGN_OR_RETURN(Row wr,
                         impl.NewWorkRequest(operation, model.compartment_id, "model", model.id,
                                             "/20190101/models/" + model.id, "ACCEPTED"));
    ADS_RETURN_IF_ERROR(txn.Commit());
    wr_id = wr.id;
    std::lock_guard<std::mutex> threads_lock(impl.threads_mu);
    std::erase_if(impl.threads, [](Catalog::Impl::Worker& w) {
      if (!w.done->load()) return false;
      w.thread.join();
      return true;
    });
    auto done = std::make_shared<std::atomic<bool>>(false);
    impl.threads.push_back({std::thread([&impl, wr_id, model, work, done] {
                              RunWork(impl, wr_id, [&] { return work(model); });
                              done->store(true);
                            }),
                            done});
  }
  return wr_id;
}

Result<std::string> Catalog::ExportArtifact(std::string_view model_id, const Json& details,
                                            const iam::Principal& who) {
  if (!details.is_object()) return InvalidArgumentError("The export details must be an object.");
  if (StringMemberOr(details, "artifactExportType") != "OBJECT_STORAGE") {
    return InvalidArgumentError("artifactExportType must be OBJECT_STORAGE.");
  }
  ADS_ASSIGN_OR_RETURN(std::string ns, Required(details, "namespace"));
  ADS_ASSIGN_OR_RETURN(std::string bucket, Required(details, "sourceBucket"));
  ADS_ASSIGN_OR_RETURN(std::string object, Required(details, "sourceObjectName"));
  Impl& impl = *impl_;
  return StartArtifactWork(
      impl, model_id, "EXPORT_MODEL_ARTIFACT", false,
      [&impl, ns, bucket, object, who](const Row& model) -> Status {
        Result<store::BlobInfo> blob =
            impl.options.object_storage->GetObjectBlob(ns, bucket, object, who);
        if (!blob.ok()) {
          return NotFoundError("The object " + object + " in bucket " + bucket +
                               " cannot be read: " + blob.status().message());
        }
        ADS_ASSIGN_OR_RETURN(bool exists, impl.blobs.Exists(blob->sha256));
        if (!exists) return DataLossError("The object's bytes are missing from the blob store.");
        std::lock_guard<std::mutex> lock(impl.mu);
        ADS_ASSIGN_OR_RETURN(store::Transaction txn, impl.store->Begin());
        ArtifactRow artifact{*blob, "attachment; filename=\"" + BaseNameOf(object) + "\"",
                             impl.NowMs()};
        ADS_RETURN_IF_ERROR(impl.store->InsertArtifact(model.id, artifact));
        return txn.Commit();
      });
}

Result<std::string> Catalog::ImportArtifact(std::string_view model_id, const Json& details,
                                            const iam::Principal& who) {
  if (!details.is_object()) return InvalidArgumentError("The import details must be an object.");
  if (StringMemberOr(details, "artifactImportType") != "OBJECT_STORAGE") {
    return InvalidArgumentError("artifactImportType must be OBJECT_STORAGE.");
  }
  ADS_ASSIGN_OR_RETURN(std::string ns, Required(details, "namespace"));
  ADS_ASSIGN_OR_RETURN(std::string bucket, Required(details, "destinationBucket"));
  ADS_ASSIGN_OR_RETURN(std::string object, Required(details, "destinationObjectName"));
  Impl& impl = *impl_;
  return StartArtifactWork(impl, model_id, "IMPORT_MODEL_ARTIFACT", true,
                           [&impl, ns, bucket, object, who](const Row& model) -> Status {
                             std::optional<ArtifactRow> artifact;
                             {
                               std::lock_guard<std::mutex> lock(impl.mu);
                               ADS_ASSIGN_OR_RETURN(artifact, impl.store->GetArtifact(model.id));
                             }
                             if (!artifact)
                               return NotFoundError("The model " + model.id + " has no artifact.");
                             return impl.options.object_storage->PutObjectBlob(ns, bucket, object,
                                                                               artifact->blob, who);
                           });
}

// ---- Work requests ----

Result<Json> Catalog::GetWorkRequest(std::string_view id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ADS_ASSIGN_OR_RETURN(Row row, impl_->Load(Kind::kWorkRequest, id));
  return row.doc;
}

Result<Page> Catalog::ListWorkRequests(const ListQuery& query) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ADS_ASSIGN_OR_RETURN(TextPage text, impl_->store->List(Kind::kWorkRequest, query));
  Page page{.next_page = std::move(text.next_page)};
  for (const std::string& item : text.items) {
    ADS_ASSIGN_OR_RETURN(Json doc, ParseJson(item, "work request row"));
    page.items.push_back(std::move(doc));
  }
  return page;
}

Result<Json> Catalog::WorkRequestErrors(std::string_view id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ADS_ASSIGN_OR_RETURN(Row row, impl_->Load(Kind::kWorkRequest, id));
  return row.extra["errors"];
}

Result<Json> Catalog::WorkRequestLogs(std::string_view id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ADS_ASSIGN_OR_RETURN(Row row, impl_->Load(Kind::kWorkRequest, id));
  return row.extra["logs"];
}

// ---- Work requests of model deployments ----

Result<std::string> Catalog::CreateDeploymentWorkRequest(std::string_view operation_type,
                                                         std::string_view compartment_id,
                                                         std::string_view deployment_id) {
  if (!operation_type.starts_with("MODEL_DEPLOYMENT_")) {
    return InvalidArgumentError("Not a model deployment operation: " + std::string(operation_type) +
                                ".");
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  ADS_ASSIGN_OR_RETURN(Row wr,
                       impl_->NewWorkRequest(
                           operation_type, compartment_id, "modelDeployment", deployment_id,
                           "/20190101/modelDeployments/" + std::string(deployment_id), "ACCEPTED"));
  return wr.id;
}

Status Catalog::AdvanceDeploymentWorkRequest(std::string_view id, std::string_view status,
                                             std::string_view message, double percent_complete) {
  if (status != "IN_PROGRESS" && !IsTerminal(status)) {
    return InvalidArgumentError("Unknown work request status " + std::string(status) + ".");
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  ADS_ASSIGN_OR_RETURN(Row row, impl_->Load(Kind::kWorkRequest, id));
  if (!row.name.starts_with("MODEL_DEPLOYMENT_")) {
    return FailedPreconditionError("The work request " + row.id + " is not a model deployment's.");
  }
  if (IsTerminal(row.lifecycle_state)) {
    return FailedPreconditionError("The work request " + row.id + " is already " +
                                   row.lifecycle_state + ".");
  }
  if (row.lifecycle_state != status) {
    ADS_RETURN_IF_ERROR(impl_->AdvanceWorkRequest(id, status, message));
    ADS_ASSIGN_OR_RETURN(row, impl_->Load(Kind::kWorkRequest, id));
  } else {
    row.extra["logs"].push_back({{"message", message}, {"timestamp", Rfc3339Ms(impl_->NowMs())}});
  }
  if (status == "SUCCEEDED" && row.name.ends_with("_CREATE")) {
    for (Json& r : row.doc["resources"]) r["actionType"] = "CREATED";
  }
  if (percent_complete >= 0 && !IsTerminal(status)) {
    row.doc["percentComplete"] = std::min(percent_complete, 100.0);
  }
  return impl_->store->Update(Kind::kWorkRequest, row);
}

}  // namespace ads::catalog
