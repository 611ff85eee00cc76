// Test-only helpers shared by the catalog tests and the DS route tests.
#ifndef ADS_CATALOG_CATALOG_TEST_UTIL_H_
#define ADS_CATALOG_CATALOG_TEST_UTIL_H_

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "catalog/catalog.h"

namespace ads::catalog::test_util {

// An ObjectStorageLink that keeps object -> blob references in memory.
// Thread-safe.
class MapLink : public ObjectStorageLink {
 public:
  Result<store::BlobInfo> GetObjectBlob(const std::string& ns, const std::string& bucket,
                                        const std::string& object,
                                        const iam::Principal&) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(ns + "/" + bucket + "/" + object);
    if (it == objects_.end()) return NotFoundError("no object " + object);
    return it->second;
  }
  Status PutObjectBlob(const std::string& ns, const std::string& bucket,
                       const std::string& object, const store::BlobInfo& blob,
                       const iam::Principal&) override {
    std::lock_guard<std::mutex> lock(mu_);
    objects_[ns + "/" + bucket + "/" + object] = blob;
    return OkStatus();
  }
  std::optional<store::BlobInfo> Find(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::mutex mu_;
  std::map<std::string, store::BlobInfo> objects_;
};

}  // namespace ads::catalog::test_util

#endif  // ADS_CATALOG_CATALOG_TEST_UTIL_H_
