// Catalog::Impl, shared by catalog.cc (resources) and work_requests.cc
// (artifacts, provenance, work requests). Internal to catalog/.
#ifndef ADS_CATALOG_CATALOG_INTERNAL_H_
#define ADS_CATALOG_CATALOG_INTERNAL_H_

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/catalog_store.h"

namespace ads::catalog {

struct Catalog::Impl {
  Impl(Env& e, store::BlobStore& b, CatalogOptions o, std::unique_ptr<CatalogStore> s)
      : env(e), blobs(b), options(std::move(o)), store(std::move(s)) {}

  int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(env.Now().time_since_epoch())
        .count();
  }
  // Microseconds since the epoch, strictly increasing within this process,
  // so that sorting by creation time keeps the creation order even for
  // resources made in the same millisecond. Caller holds `mu`.
  int64_t NextCreateTimeUs() {
    const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                            env.Now().time_since_epoch()).count();
    last_create_us = std::max(now, last_create_us + 1);
    return last_create_us;
  }
  // A live resource or NotFound naming it.
  Result<Row> Load(Kind kind, std::string_view id);
  // Records a work request (status as given) and returns its row.
  Result<Row> NewWorkRequest(std::string_view operation_type, std::string_view compartment_id,
                             std::string_view entity_type, std::string_view entity_id,
                             std::string_view entity_uri, std::string_view status);
  // Moves a work request on; `message` becomes a log entry and, for FAILED,
  // an error.
  Status AdvanceWorkRequest(std::string_view id, std::string_view status, std::string_view message);

  Env& env;
  store::BlobStore& blobs;
  CatalogOptions options;
  std::mutex mu;
  std::unique_ptr<CatalogStore> store;  // GUARDED_BY(mu)
  int64_t last_create_us = 0;           // GUARDED_BY(mu)
  // Background export/import work. Finished threads are joined when the
  // next one starts (so a long-running server does not pile them up) and
  // the rest by ~Catalog.
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::mutex threads_mu;
  std::vector<Worker> threads;  // GUARDED_BY(threads_mu)
};

// The entity tag of a stored document.
std::string EtagOf(const Json& doc);
// 412 NoEtagMatch unless `if_match` is empty or equals the row's etag.
Status CheckIfMatch(const Row& row, std::string_view if_match);

}  // namespace ads::catalog

#endif  // ADS_CATALOG_CATALOG_INTERNAL_H_
