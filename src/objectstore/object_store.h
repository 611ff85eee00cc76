// ObjectStore: the OCI Object Storage subset (one namespace, buckets, objects,
// multipart uploads) over SQLite metadata and the content-addressed BlobStore.
// Bytes always stream into the BlobStore first (WriteBlob); an object becomes
// visible only when its row commits, in one transaction that also replaces
// the previous version, so readers see the old object or the new one, never a
// mix. An interrupted multipart upload leaves only its parts (listable and
// abortable). See docs/objectstore.md for the tables and the OCI mapping.
//
//   ADS_ASSIGN_OR_RETURN(auto os, ObjectStore::Open(std::move(db), blobs, access, env,
//                                                   {.namespace_name = "ads-tenancy"}));
//   ADS_ASSIGN_OR_RETURN(Bucket b, os->CreateBucket("ads-tenancy", {.name = "artifacts",
//                                                   .compartment_id = comp}, user_id));
//   ADS_ASSIGN_OR_RETURN(store::BlobInfo blob, os->WriteBlob(reader, {}, {}));
//   ADS_ASSIGN_OR_RETURN(ObjectInfo obj, os->PutObject("ads-tenancy", "artifacts", "m/1.zip",
//                                                      blob, {}));
//
// Authorisation is the caller's job (the routes ask iam with the bucket's
// compartment), except for GetObjectBlob / PutObjectBlob, which check the
// principal themselves for in-process callers (catalog export / import).
// A missing namespace or bucket is a NotFound with the same message as a
// refused one, so that callers never reveal which it was.
//
// Thread-safety: thread-safe. One SQLite connection behind a mutex; blob
// streaming and multipart concatenation run outside the lock.
#ifndef ADS_OBJECTSTORE_OBJECT_STORE_H_
#define ADS_OBJECTSTORE_OBJECT_STORE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"
#include "iam/access.h"
#include "store/blob_store.h"
#include "store/sqlite.h"

namespace ads::objectstore {

using TimePoint = std::chrono::system_clock::time_point;
// User metadata: bucket metadata, or an object's opc-meta-* headers (keys
// without the prefix).
using Metadata = std::map<std::string, std::string>;

// The message of every "no such namespace/bucket" and "not allowed" error.
inline constexpr std::string_view kNotAuthorizedOrNotFound =
    "Authorization failed or requested resource not found.";

struct ObjectStoreOptions {
  std::string namespace_name = "ads";  // the tenancy's Object Storage namespace
  std::string region = "iad";          // for bucket OCIDs
};

struct BucketDetails {
  std::string name;
  std::string compartment_id;
  Metadata metadata;
  std::string storage_tier = "Standard";  // Standard | InfrequentAccess | Archive
  std::string versioning = "Disabled";    // Disabled | Enabled (recorded only)
};

struct Bucket {
  std::string namespace_name;
  std::string name;
  std::string id;  // ocid1.bucket....
  std::string compartment_id;
  std::string created_by;
  std::string etag;
  TimePoint time_created;
  Metadata metadata;
  std::string storage_tier;
  std::string versioning;
};

struct ObjectInfo {
  std::string name;
  store::BlobInfo blob;  // the bytes; blob.md5_base64 is the whole-object MD5
  std::string etag;
  std::string content_type;
  Metadata metadata;
  // "<base64 md5 of the part md5s>-<parts>" for a committed multipart upload;
  // "" for a single PUT.
  std::string multipart_md5;
  TimePoint time_created;
  TimePoint time_modified;

  // What OCI reports as the object's md5 (the multipart md5 when there is one).
  const std::string& ReportedMd5() const {
    return multipart_md5.empty() ? blob.md5_base64 : multipart_md5;
  }
};

struct PutObjectOptions {
  std::string content_type = "application/octet-stream";
  Metadata metadata;
  bool if_none_match_any = false;  // `if-none-match: *`: fail when the object exists
  std::string if_match;            // non-empty: the current etag must equal it
};

struct ListObjectsOptions {
  std::string prefix;
  std::string start;  // first name to return (inclusive)
  std::string end;    // names before this (exclusive); "" = no end
  std::string delimiter;  // only "" or "/"
  int limit = 1000;       // 1..1000
};

struct ListObjectsResult {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> prefixes;
  std::string next_start_with;  // "" when this was the last page
};

struct MultipartUpload {
  std::string namespace_name;
  std::string bucket;
  std::string object;
  std::string upload_id;
  TimePoint time_created;
  std::string storage_tier;
  std::string content_type;
  Metadata metadata;
};

struct PartInfo {
  int part_number = 0;
  std::string etag;
  store::BlobInfo blob;
};

struct CommitPart {
  int part_number = 0;
  std::string etag;
};

// A page of a list: items plus the token for the next page ("" at the end).
template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_page;
};

// Pulls request bytes: fills up to n bytes, returns how many, 0 at the end.
using ByteSource = std::function<Result<size_t>(char* buf, size_t n)>;

inline constexpr int kMaxPartNumber = 10000;
inline constexpr int kMaxListLimit = 1000;

class ObjectStore {
 public:
  // Migrates `db` (component "objectstore") and takes it over. `access` may
  // be null (allow everything; tests).
  static Result<std::unique_ptr<ObjectStore>> Open(std::unique_ptr<store::Database> db,
                                                   store::BlobStore& blobs,
                                                   iam::AccessControl* access, Env& env,
                                                   ObjectStoreOptions options);

  const std::string& namespace_name() const { return options_.namespace_name; }
  store::BlobStore& blobs() { return blobs_; }

  // Namespace metadata (defaultS3CompartmentId etc.) as OCI returns it.
  Result<Json> NamespaceMetadata(std::string_view ns) const;

  // Buckets. CreateBucket: AlreadyExists (409 BucketAlreadyExists at the
  // route) when the name is taken in the namespace.
  Result<Bucket> CreateBucket(std::string_view ns, const BucketDetails& details,
                              std::string_view created_by);
  Result<Bucket> GetBucket(std::string_view ns, std::string_view name);
  // Names after `page` in `compartment_id`, by name.
  Result<Page<Bucket>> ListBuckets(std::string_view ns, std::string_view compartment_id,
                                   int limit, std::string_view page);
  // FailedPrecondition (409 BucketNotEmpty) while objects or uploads remain;
  // with `if_match`, the bucket etag must equal it.
  Status DeleteBucket(std::string_view ns, std::string_view name, std::string_view if_match = {});

  // Streams `source` into a new blob. `expected_sha256_base64` (the signed
  // x-content-sha256) and `expected_md5_base64` (Content-MD5) are checked when
  // non-empty: a SHA-256 mismatch leaves nothing visible, an MD5 mismatch
  // leaves only an unreferenced blob (content-addressed, harmless).
  Result<store::BlobInfo> WriteBlob(const ByteSource& source,
                                    std::string_view expected_sha256_base64,
                                    std::string_view expected_md5_base64);

  // Objects.
  Result<ObjectInfo> PutObject(std::string_view ns, std::string_view bucket,
                               std::string_view object, const store::BlobInfo& blob,
                               const PutObjectOptions& options);
  Result<ObjectInfo> GetObject(std::string_view ns, std::string_view bucket,
                               std::string_view object);
  Status DeleteObject(std::string_view ns, std::string_view bucket, std::string_view object,
                      std::string_view if_match = {});
  Result<ListObjectsResult> ListObjects(std::string_view ns, std::string_view bucket,
                                        const ListObjectsOptions& options);

  // For in-process callers (catalog artifact export / import): the same
  // operations with the policy check done here (read / manage on objects in
  // the bucket's compartment).
  Result<store::BlobInfo> GetObjectBlob(std::string_view ns, std::string_view bucket,
                                        std::string_view object, const iam::Principal& who);
  Status PutObjectBlob(std::string_view ns, std::string_view bucket, std::string_view object,
                       const store::BlobInfo& blob, const iam::Principal& who);

  // Multipart uploads (multipart.cc).
  Result<MultipartUpload> CreateMultipartUpload(std::string_view ns, std::string_view bucket,
                                                std::string_view object,
                                                std::string_view content_type,
                                                const Metadata& metadata,
                                                std::string_view storage_tier);
  Result<MultipartUpload> GetMultipartUpload(std::string_view ns, std::string_view bucket,
                                             std::string_view object,
                                             std::string_view upload_id);
  // Records (or replaces) part `part_number` (1..10000) of an upload.
  Result<PartInfo> PutPart(std::string_view ns, std::string_view bucket, std::string_view object,
                           std::string_view upload_id, int part_number,
                           const store::BlobInfo& blob);
  Result<Page<PartInfo>> ListParts(std::string_view ns, std::string_view bucket,
                                   std::string_view object, std::string_view upload_id,
                                   int limit, std::string_view page);
  Result<Page<MultipartUpload>> ListUploads(std::string_view ns, std::string_view bucket,
                                            int limit, std::string_view page);
  // Concatenates the listed parts in part-number order into the object and
  // ends the upload. InvalidArgument (400 InvalidParameter) for a missing
  // part, a wrong etag or a repeated part number.
  Result<ObjectInfo> CommitMultipartUpload(std::string_view ns, std::string_view bucket,
                                           std::string_view object, std::string_view upload_id,
                                           std::vector<CommitPart> parts,
                                           const PutObjectOptions& options);
  Status AbortMultipartUpload(std::string_view ns, std::string_view bucket,
                              std::string_view object, std::string_view upload_id);

 private:
  ObjectStore(std::unique_ptr<store::Database> db, store::BlobStore& blobs,
              iam::AccessControl* access, Env& env, ObjectStoreOptions options)
      : db_(std::move(db)), blobs_(blobs), access_(access), env_(env),
        options_(std::move(options)) {}

  Status CheckNamespace(std::string_view ns) const;
  // Callers hold mu_.
  Result<Bucket> GetBucketLocked(std::string_view ns, std::string_view name);
  Result<std::optional<ObjectInfo>> FindObjectLocked(std::string_view ns,
                                                     std::string_view bucket,
                                                     std::string_view object);
  Status WriteObjectLocked(std::string_view ns, std::string_view bucket,
                           std::string_view object, const ObjectInfo& info);
  Status CheckAllowed(const iam::Principal& who, iam::Verb verb, const Bucket& bucket);
  std::string NewEtag();

  std::mutex mu_;
  std::unique_ptr<store::Database> db_;  // guarded by mu_
  store::BlobStore& blobs_;
  iam::AccessControl* access_;
  Env& env_;
  ObjectStoreOptions options_;
};

// Lower-level helpers shared by object_store.cc, multipart.cc and the routes.
int64_t ToMillis(TimePoint t);
TimePoint FromMillis(int64_t ms);
Status ValidateBucketName(std::string_view name);
Status ValidateObjectName(std::string_view name);
// base64(md5(md5_1 || md5_2 || ...)) + "-<n>", the binary MD5s decoded from
// the parts' base64 MD5s, as OCI computes opc-multipart-md5.
Result<std::string> MultipartMd5(const std::vector<std::string>& part_md5_base64);

}  // namespace ads::objectstore

#endif  // ADS_OBJECTSTORE_OBJECT_STORE_H_
