// The catalog's storage: one SQLite table per resource kind with the
// columns every list filters and sorts on, the full OCI JSON document beside
// them (for models also the list summary as text), plus artifacts,
// provenance and retry tokens. Lists page by keyset (sort key, id) with
// opaque URL-safe tokens, never by OFFSET, over indexes (compartment_id,
// [filter column,] time_created|name, id), so a page costs the same at any
// depth and the stored summaries are passed on without parsing.
//
//   ADS_ASSIGN_OR_RETURN(auto store, CatalogStore::Open(std::move(db), env));
//   ADS_ASSIGN_OR_RETURN(store::Transaction txn, store->Begin());
//   ADS_RETURN_IF_ERROR(store->Insert(Kind::kModel, row));
//   ADS_RETURN_IF_ERROR(txn.Commit());
//
// Internal to catalog/. Thread-safety: none; Catalog holds its mutex around
// every call.
#ifndef ADS_CATALOG_CATALOG_STORE_H_
#define ADS_CATALOG_CATALOG_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"
#include "catalog/catalog.h"
#include "store/sqlite.h"

namespace ads::catalog {

enum class Kind { kProject, kModel, kModelVersionSet, kWorkRequest };

// One resource. `name` is displayName (projects, models), name (version
// sets) or operationType (work requests); `lifecycle_state` is the status of
// a work request. Model-only: mvs_id, version_id, version_label.
struct Row {
  std::string id;
  std::string compartment_id;
  std::string project_id;
  std::string lifecycle_state;
  std::string created_by;
  std::string name;
  int64_t time_created_us = 0;
  std::string mvs_id;
  int64_t version_id = 0;
  std::string version_label;
  Json doc;
  Json extra;  // models: provenance (null when none); work requests: {logs, errors}
};

struct ArtifactRow {
  store::BlobInfo blob;
  std::string content_disposition;
  int64_t time_ms = 0;
};

// An equality condition on a column for Count().
using Condition = std::pair<std::string, std::string>;

class CatalogStore {
 public:
  static Result<std::unique_ptr<CatalogStore>> Open(std::unique_ptr<store::Database> db, Env& env);

  Result<store::Transaction> Begin() { return store::Transaction::Begin(*db_); }

  Result<std::optional<Row>> Get(Kind kind, std::string_view id);
  Status Insert(Kind kind, const Row& row);
  Status Update(Kind kind, const Row& row);  // every column, by id
  // Rows matching all conditions whose lifecycle_state is not DELETED.
  Result<int64_t> CountLive(Kind kind, const std::vector<Condition>& conditions);
  Result<std::vector<Row>> ListLive(Kind kind, const std::vector<Condition>& conditions);
  // Filters: the query names of that kind's list (unknown ones are
  // InvalidArgument). Without a lifecycleState (status) filter DELETED rows
  // are left out.
  Result<TextPage> List(Kind kind, const ListQuery& query);

  // Version sets: hands out 1, 2, 3, ... (call inside the write transaction).
  Result<int64_t> NextVersion(std::string_view mvs_id);

  Result<std::optional<ArtifactRow>> GetArtifact(std::string_view model_id);
  // AlreadyExists when the model already has an artifact.
  Status InsertArtifact(std::string_view model_id, const ArtifactRow& artifact);

  // The resource id remembered for (token, kind) and the request hash it
  // was made with, when younger than `max_age_ms`.
  Result<std::optional<std::pair<std::string, std::string>>> GetRetryToken(std::string_view token,
                                                                           std::string_view kind,
                                                                           int64_t now_ms,
                                                                           int64_t max_age_ms);
  Status PutRetryToken(std::string_view token, std::string_view kind, std::string_view request_hash,
                       std::string_view id, int64_t now_ms);

 private:
  explicit CatalogStore(std::unique_ptr<store::Database> db) : db_(std::move(db)) {}
  std::unique_ptr<store::Database> db_;
};

// The OCI ModelSummary of a model document: the document less its
// detail-only members. Stored beside the document (migration 4 filled it in
// for older rows with the same members removed).
Json ModelSummary(const Json& model_doc);

// Opaque page tokens: URL-safe base64 (no padding) of the sort key and id.
std::string EncodePageToken(std::string_view sort_by, const Json& key, std::string_view id);
Result<std::pair<Json, std::string>> DecodePageToken(std::string_view token,
                                                     std::string_view sort_by);

}  // namespace ads::catalog

#endif  // ADS_CATALOG_CATALOG_STORE_H_
