// The model catalog: projects, models, model version sets, model artifacts,
// provenance and work requests, kept as OCI Data Science (20190101) JSON
// documents in SQLite with an indexed column for every filter and sort key,
// and artifact bytes in the shared content-addressed BlobStore.
//
//   ADS_ASSIGN_OR_RETURN(auto catalog, Catalog::Open(std::move(db), blobs, env, {}));
//   ADS_ASSIGN_OR_RETURN(Resource project,
//       catalog->CreateProject({{"compartmentId", comp}}, "ocid1.user...", ""));
//   ListQuery query{.compartment_id = comp, .limit = 100};
//   ADS_ASSIGN_OR_RETURN(TextPage page, catalog->ListModels(query));  // page.next_page
//
// The catalog does not authorise: the routes (server/ds_routes.cc) check the
// principal against the compartment of the resource before and after calling
// in. Errors are Status codes that server::MapStatus turns into OCI errors
// (NotFound 404, AlreadyExists 409 Conflict, FailedPrecondition 409
// IncorrectState, InvalidArgument 400); an if-match mismatch is the
// OciError 412 NoEtagMatch.
//
// Thread-safety: thread-safe. One SQLite connection guarded by a mutex;
// export/import work runs on background threads joined by the destructor.
#ifndef ADS_CATALOG_CATALOG_H_
#define ADS_CATALOG_CATALOG_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"
#include "iam/access.h"
#include "store/blob_store.h"
#include "store/sqlite.h"

namespace ads::catalog {

// Access to Object Storage objects for artifact export/import. Both sides
// live in the same content-addressed BlobStore, so a copy only moves a blob
// reference. Implementations authorise `who` themselves (NotFound when the
// object is missing or not theirs to read/write). Thread-safe.
class ObjectStorageLink {
 public:
  virtual ~ObjectStorageLink() = default;
  virtual Result<store::BlobInfo> GetObjectBlob(const std::string& ns, const std::string& bucket,
                                                const std::string& object,
                                                const iam::Principal& who) = 0;
  virtual Status PutObjectBlob(const std::string& ns, const std::string& bucket,
                               const std::string& object, const store::BlobInfo& blob,
                               const iam::Principal& who) = 0;
};

struct CatalogOptions {
  std::string region = "iad";  // in generated OCIDs
  // Whether a model deployment uses the model; DeleteModel refuses then.
  std::function<bool(std::string_view model_id)> has_active_deployment;
  ObjectStorageLink* object_storage = nullptr;  // not owned; export/import
  // How long an opc-retry-token is remembered.
  std::chrono::hours retry_token_lifetime{24};
};

// An if-match mismatch is FailedPrecondition with this hint; the routes
// answer it with 412 NoEtagMatch.
inline constexpr char kNoEtagMatch[] = "NoEtagMatch";
inline bool IsEtagMismatch(const Status& status) {
  return status.code() == StatusCode::kFailedPrecondition && status.hint() == kNoEtagMatch;
}

// One resource document with its entity tag.
struct Resource {
  Json doc;
  std::string etag;
};

// A list request: compartmentId plus the OCI filters of that list
// (`filters` keys are the query names: "displayName", "lifecycleState", ...).
struct ListQuery {
  std::string compartment_id;
  std::map<std::string, std::string, std::less<>> filters;
  std::string sort_by = "timeCreated";  // or displayName / name
  std::string sort_order;               // ASC|DESC; "" = the OCI default
  int limit = 100;                      // 1..1000
  std::string page;                     // an opaque token from Page::next_page
};

struct Page {
  std::vector<Json> items;  // summaries
  std::string next_page;    // "" on the last page
};

// A page of a catalog list whose summaries are JSON objects as stored text:
// a list hands them from the database to the response without parsing them
// again (per-row parsing was most of the cost of a 100-model page).
struct TextPage {
  std::vector<std::string> items;
  std::string next_page;  // "" on the last page
};

// The response body of a list: `items` as one JSON array.
std::string JsonArrayText(const std::vector<std::string>& items);

struct ArtifactInfo {
  store::BlobInfo blob;
  std::string content_disposition;
  std::chrono::system_clock::time_point time_uploaded;
  std::string compartment_id;
};

// What a create may carry: the retry token (or "") and who asks.
struct CreateContext {
  std::string created_by;
  std::string retry_token;
};

class Catalog {
 public:
  // Migrates the "catalog" tables of `db` and keeps the connection.
  static Result<std::unique_ptr<Catalog>> Open(std::unique_ptr<store::Database> db,
                                               store::BlobStore& blobs, Env& env,
                                               CatalogOptions options = {});
  ~Catalog();
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // Projects.
  Result<Resource> CreateProject(const Json& details, const CreateContext& ctx);
  Result<Resource> GetProject(std::string_view id);
  Result<TextPage> ListProjects(const ListQuery& query);
  Result<Resource> UpdateProject(std::string_view id, const Json& details,
                                 std::string_view if_match);
  // Returns the id of the (already finished) PROJECT_DELETE work request.
  // IncorrectState while the project holds models or version sets that are
  // not DELETED.
  Result<std::string> DeleteProject(std::string_view id, std::string_view if_match);
  Status ChangeProjectCompartment(std::string_view id, std::string_view compartment_id,
                                  std::string_view if_match);

  // Models.
  Result<Resource> CreateModel(const Json& details, const CreateContext& ctx);
  Result<Resource> GetModel(std::string_view id);
  Result<TextPage> ListModels(const ListQuery& query);
  Result<Resource> UpdateModel(std::string_view id, const Json& details, std::string_view if_match);
  // `force`: delete even when a deployment uses the model.
  Status DeleteModel(std::string_view id, std::string_view if_match, bool force);
  Result<Resource> SetModelActive(std::string_view id, bool active, std::string_view if_match);
  Status ChangeModelCompartment(std::string_view id, std::string_view compartment_id,
                                std::string_view if_match);

  // Artifacts. `read` is pulled until it returns 0; `expected_sha256_base64`
  // (the signed x-content-sha256, may be empty) must match the bytes
  // (Unauthenticated otherwise). AlreadyExists when the model has one.
  Status UploadArtifact(std::string_view model_id,
                        const std::function<Result<size_t>(char*, size_t)>& read,
                        std::string_view content_disposition,
                        std::string_view expected_sha256_base64);
  Result<ArtifactInfo> GetArtifact(std::string_view model_id);
  store::BlobStore& blobs() { return blobs_; }

  // Provenance (the JSON of ModelProvenance).
  Result<Json> CreateProvenance(std::string_view model_id, const Json& details);
  Result<Json> GetProvenance(std::string_view model_id);
  Result<Json> UpdateProvenance(std::string_view model_id, const Json& details);

  // Model version sets.
  Result<Resource> CreateModelVersionSet(const Json& details, const CreateContext& ctx);
  Result<Resource> GetModelVersionSet(std::string_view id);
  Result<TextPage> ListModelVersionSets(const ListQuery& query);
  Result<Resource> UpdateModelVersionSet(std::string_view id, const Json& details,
                                         std::string_view if_match);
  Result<std::string> DeleteModelVersionSet(std::string_view id, std::string_view if_match,
                                            bool delete_related_models);
  Status ChangeModelVersionSetCompartment(std::string_view id, std::string_view compartment_id,
                                          std::string_view if_match);

  // Export (Object Storage object -> model artifact) and import (model
  // artifact -> object) run on a background thread; they return the work
  // request id at once.
  Result<std::string> ExportArtifact(std::string_view model_id, const Json& details,
                                     const iam::Principal& who);
  Result<std::string> ImportArtifact(std::string_view model_id, const Json& details,
                                     const iam::Principal& who);

  // Work requests: GetWorkRequest's doc; errors and logs as OCI arrays.
  Result<Json> GetWorkRequest(std::string_view id);
  Result<Page> ListWorkRequests(const ListQuery& query);
  Result<Json> WorkRequestErrors(std::string_view id);
  Result<Json> WorkRequestLogs(std::string_view id);

  // Work requests of the model deployment service (serving/), listed with
  // the catalog's own: operation types MODEL_DEPLOYMENT_CREATE, _UPDATE,
  // _DELETE, _ACTIVATE, _DEACTIVATE and _MOVE, on one modelDeployment.
  // Created ACCEPTED; the caller moves it on with AdvanceDeploymentWorkRequest.
  Result<std::string> CreateDeploymentWorkRequest(std::string_view operation_type,
                                                  std::string_view compartment_id,
                                                  std::string_view deployment_id);
  // `status` IN_PROGRESS, SUCCEEDED or FAILED; `message` becomes a log entry
  // (and for FAILED the error). `percent_complete` in [0, 100], or < 0 to
  // leave it (terminal states set 100). FailedPrecondition once the work
  // request is SUCCEEDED or FAILED.
  Status AdvanceDeploymentWorkRequest(std::string_view id, std::string_view status,
                                      std::string_view message, double percent_complete = -1);

  struct Impl;  // catalog_internal.h; public only so catalog/*.cc helpers can name it

 private:
  explicit Catalog(std::unique_ptr<Impl> impl, store::BlobStore& blobs);
  std::unique_ptr<Impl> impl_;
  store::BlobStore& blobs_;
};

}  // namespace ads::catalog

#endif  // ADS_CATALOG_CATALOG_H_
