#include "objectstore/object_store.h"

#include <algorithm>
#include <utility>

#include "base/hash.h"
#include "base/ids.h"
#include "objectstore/rows.h"
#include "store/migrations.h"

namespace ads::objectstore {
namespace {

// Bytes moved per read while streaming a request body into a blob.
constexpr size_t kChunk = 1 << 20;

const std::vector<store::Migration>& Migrations() {
  static const std::vector<store::Migration> kMigrations = {
      {1, "buckets_objects_uploads",
       "CREATE TABLE os_buckets("
       "  namespace TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL UNIQUE,"
       "  compartment_id TEXT NOT NULL, created_by TEXT NOT NULL, etag TEXT NOT NULL,"
       "  time_created INTEGER NOT NULL, metadata TEXT NOT NULL,"
       "  storage_tier TEXT NOT NULL, versioning TEXT NOT NULL,"
       "  PRIMARY KEY(namespace, name));"
       "CREATE INDEX os_buckets_by_compartment ON os_buckets(namespace, compartment_id, name);"
       "CREATE TABLE os_objects("
       "  namespace TEXT NOT NULL, bucket TEXT NOT NULL, name TEXT NOT NULL,"
       "  blob_sha256 TEXT NOT NULL, size INTEGER NOT NULL, md5 TEXT NOT NULL,"
       "  multipart_md5 TEXT NOT NULL, etag TEXT NOT NULL, content_type TEXT NOT NULL,"
       "  metadata TEXT NOT NULL, time_created INTEGER NOT NULL,"
       "  time_modified INTEGER NOT NULL,"
       "  PRIMARY KEY(namespace, bucket, name),"
       "  FOREIGN KEY(namespace, bucket) REFERENCES os_buckets(namespace, name));"
       "CREATE TABLE os_uploads("
       "  upload_id TEXT PRIMARY KEY, namespace TEXT NOT NULL, bucket TEXT NOT NULL,"
       "  object TEXT NOT NULL, content_type TEXT NOT NULL, metadata TEXT NOT NULL,"
       "  storage_tier TEXT NOT NULL, time_created INTEGER NOT NULL,"
       "  FOREIGN KEY(namespace, bucket) REFERENCES os_buckets(namespace, name));"
       "CREATE INDEX os_uploads_by_bucket ON os_uploads(namespace, bucket, upload_id);"
       "CREATE TABLE os_parts("
       "  upload_id TEXT NOT NULL REFERENCES os_uploads(upload_id) ON DELETE CASCADE,"
       "  part_number INTEGER NOT NULL, blob_sha256 TEXT NOT NULL, size INTEGER NOT NULL,"
       "  md5 TEXT NOT NULL, etag TEXT NOT NULL, time_created INTEGER NOT NULL,"
       "  PRIMARY KEY(upload_id, part_number));"},
  };
  return kMigrations;
}

Status NotAuthorizedOrNotFound() { return NotFoundError(std::string(kNotAuthorizedOrNotFound)); }

Status CheckIfMatch(std::string_view if_match, std::string_view etag) {
  if (if_match.empty() || if_match == "*" || if_match == etag) return OkStatus();
  return Status(StatusCode::kFailedPrecondition,
                "The if-match etag " + Quoted(if_match) + " does not match the current etag.",
                "oci:412 IfMatchFailed");
}

constexpr std::string_view kBucketColumns =
    "namespace, name, id, compartment_id, created_by, etag, time_created, metadata, "
    "storage_tier, versioning";

Result<Bucket> ReadBucket(const store::Statement& row) {
  Bucket b;
  ADS_ASSIGN_OR_RETURN(b.namespace_name, row.ColumnText(0));
  ADS_ASSIGN_OR_RETURN(b.name, row.ColumnText(1));
  ADS_ASSIGN_OR_RETURN(b.id, row.ColumnText(2));
  ADS_ASSIGN_OR_RETURN(b.compartment_id, row.ColumnText(3));
  ADS_ASSIGN_OR_RETURN(b.created_by, row.ColumnText(4));
  ADS_ASSIGN_OR_RETURN(b.etag, row.ColumnText(5));
  ADS_ASSIGN_OR_RETURN(int64_t created, row.ColumnInt64(6));
  b.time_created = FromMillis(created);
  ADS_ASSIGN_OR_RETURN(std::string metadata, row.ColumnText(7));
  ADS_ASSIGN_OR_RETURN(b.metadata, ParseMetadata(metadata));
  ADS_ASSIGN_OR_RETURN(b.storage_tier, row.ColumnText(8));
  ADS_ASSIGN_OR_RETURN(b.versioning, row.ColumnText(9));
  return b;
}

bool IsOneOf(std::string_view value, std::initializer_list<std::string_view> allowed) {
  for (std::string_view a : allowed) {
    if (value == a) return true;
  }
  return false;
}

}  // namespace

int64_t ToMillis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint FromMillis(int64_t ms) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(ms)));
}

Status ValidateBucketName(std::string_view name) {
  if (name.empty() || name.size() > 256) {
    return InvalidArgumentError("a bucket name must have 1 to 256 characters");
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) {
      return InvalidArgumentError("the bucket name " + Quoted(name) +
                                  " may only contain letters, digits, '-', '_' and '.'");
    }
  }
  return OkStatus();
}

Status ValidateObjectName(std::string_view name) {
  if (name.empty() || name.size() > 1024) {
    return InvalidArgumentError("an object name must have 1 to 1024 bytes");
  }
  for (char c : name) {
    if (c == '\0' || c == '\n' || c == '\r') {
      return InvalidArgumentError("an object name must not contain NUL or line breaks");
    }
  }
  return OkStatus();
}

Result<std::string> MultipartMd5(const std::vector<std::string>& part_md5_base64) {
  std::string joined;
  for (const std::string& md5 : part_md5_base64) {
    std::string raw;
    if (!Base64Decode(md5, &raw) || raw.size() != 16) {
      return InternalError("a stored part MD5 is not base64 of 16 bytes: " + Quoted(md5));
    }
    joined += raw;
  }
  return Md5Base64(joined) + "-" + std::to_string(part_md5_base64.size());
}

Result<std::unique_ptr<ObjectStore>> ObjectStore::Open(std::unique_ptr<store::Database> db,
                                                       store::BlobStore& blobs,
                                                       iam::AccessControl* access, Env& env,
                                                       ObjectStoreOptions options) {
  if (db == nullptr) return InvalidArgumentError("ObjectStore::Open needs a database");
  if (options.namespace_name.empty()) {
    return InvalidArgumentError("the Object Storage namespace name must not be empty");
  }
  ADS_RETURN_IF_ERROR(
      store::ApplyMigrations(*db, "objectstore", Migrations(), env).status());
  return std::unique_ptr<ObjectStore>(
      new ObjectStore(std::move(db), blobs, access, env, std::move(options)));
}

Status ObjectStore::CheckNamespace(std::string_view ns) const {
  if (ns != options_.namespace_name) return NotAuthorizedOrNotFound();
  return OkStatus();
}

std::string ObjectStore::NewEtag() { return NewUuid(env_); }

Result<Json> ObjectStore::NamespaceMetadata(std::string_view ns) const {
  ADS_RETURN_IF_ERROR(CheckNamespace(ns));
  Json out = Json::object();
  out["namespace"] = options_.namespace_name;
  out["defaultS3CompartmentId"] = nullptr;
  out["defaultSwiftCompartmentId"] = nullptr;
  return out;
}

Status ObjectStore::CheckAllowed(const iam::Principal& who, iam::Verb verb,
                                 const Bucket& bucket) {
  if (access_ == nullptr) return OkStatus();
  if (!access_->IsAllowed(who, verb, iam::kObjects, bucket.compartment_id)) {
    return PermissionDeniedError(std::string(kNotAuthorizedOrNotFound));
  }
  return OkStatus();
}

// ---- buckets ---------------------------------------------------------------

Result<Bucket> ObjectStore::CreateBucket(std::string_view ns, const BucketDetails& details,
                                         std::string_view created_by) {
  ADS_RETURN_IF_ERROR(CheckNamespace(ns));
  ADS_RETURN_IF_ERROR(ValidateBucketName(details.name));
  if (details.compartment_id.empty()) return InvalidArgumentError("compartmentId is required");
  if (!IsOneOf(details.storage_tier, {"Standard", "InfrequentAccess", "Archive"})) {
    return InvalidArgumentError("storageTier must be Standard, InfrequentAccess or Archive, not " +
                                Quoted(details.storage_tier));
  }
  if (!IsOneOf(details.versioning, {"Enabled", "Disabled"})) {
    return InvalidArgumentError("versioning must be Enabled or Disabled, not " +
                                Quoted(details.versioning));
  }
  Bucket b;
  b.namespace_name = std::string(ns);
  b.name = details.name;
  b.id = GenerateOcid(env_, "bucket", options_.region);
  b.compartment_id = details.compartment_id;
  b.created_by = std::string(created_by);
  b.etag = NewEtag();
  b.time_created = FromMillis(ToMillis(env_.Now()));
  b.metadata = details.metadata;
  b.storage_tier = details.storage_tier;
  b.versioning = details.versioning;

  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*db_));
  ADS_ASSIGN_OR_RETURN(store::Statement exists,
                       db_->Prepare("SELECT 1 FROM os_buckets WHERE namespace = ?1 AND name = ?2"));
  ADS_RETURN_IF_ERROR(exists.BindText(1, ns));
  ADS_RETURN_IF_ERROR(exists.BindText(2, b.name));
  ADS_ASSIGN_OR_RETURN(bool taken, exists.Step());
  if (taken) {
    return Status(StatusCode::kAlreadyExists,
                  "Either the bucket " + Quoted(b.name) + " in namespace " + Quoted(ns) +
                      " already exists or you are not authorized to create it.",
                  "oci:409 BucketAlreadyExists");
  }
  ADS_ASSIGN_OR_RETURN(
      store::Statement insert,
      db_->Prepare("INSERT INTO os_buckets(" + std::string(kBucketColumns) +
                   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
  ADS_RETURN_IF_ERROR(insert.BindText(1, b.namespace_name));
  ADS_RETURN_IF_ERROR(insert.BindText(2, b.name));
  ADS_RETURN_IF_ERROR(insert.BindText(3, b.id));
  ADS_RETURN_IF_ERROR(insert.BindText(4, b.compartment_id));
  ADS_RETURN_IF_ERROR(insert.BindText(5, b.created_by));
  ADS_RETURN_IF_ERROR(insert.BindText(6, b.etag));
  ADS_RETURN_IF_ERROR(insert.BindInt64(7, ToMillis(b.time_created)));
  ADS_RETURN_IF_ERROR(insert.BindText(8, MetadataToText(b.metadata)));
  ADS_RETURN_IF_ERROR(insert.BindText(9, b.storage_tier));
  ADS_RETURN_IF_ERROR(insert.BindText(10, b.versioning));
  ADS_RETURN_IF_ERROR(insert.Run());
  ADS_RETURN_IF_ERROR(txn.Commit());
  return b;
}

Result<Bucket> ObjectStore::GetBucketLocked(std::string_view ns, std::string_view name) {
  ADS_RETURN_IF_ERROR(CheckNamespace(ns));
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_->Prepare("SELECT " + std::string(kBucketColumns) +
                                    " FROM os_buckets WHERE namespace = ?1 AND name = ?2"));
  ADS_RETURN_IF_ERROR(q.BindText(1, ns));
  ADS_RETURN_IF_ERROR(q.BindText(2, name));
  ADS_ASSIGN_OR_RETURN(bool found, q.Step());
  if (!found) return NotAuthorizedOrNotFound();
  return ReadBucket(q);
}

Result<Bucket> ObjectStore::GetBucket(std::string_view ns, std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  return GetBucketLocked(ns, name);
}

Result<Page<Bucket>> ObjectStore::ListBuckets(std::string_view ns,
                                              std::string_view compartment_id, int limit,
                                              std::string_view page) {
  ADS_RETURN_IF_ERROR(CheckNamespace(ns));
  if (limit < 1 || limit > kMaxListLimit) {
    return InvalidArgumentError("limit must be between 1 and 1000");
  }
  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(
      store::Statement q,
      db_->Prepare("SELECT " + std::string(kBucketColumns) +
                   " FROM os_buckets WHERE namespace = ?1 AND compartment_id = ?2 AND name > ?3"
                   " ORDER BY name LIMIT ?4"));
  ADS_RETURN_IF_ERROR(q.BindText(1, ns));
  ADS_RETURN_IF_ERROR(q.BindText(2, compartment_id));
  ADS_RETURN_IF_ERROR(q.BindText(3, page));
  ADS_RETURN_IF_ERROR(q.BindInt64(4, limit + 1));
  Page<Bucket> out;
  for (;;) {
    ADS_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    ADS_ASSIGN_OR_RETURN(Bucket b, ReadBucket(q));
    out.items.push_back(std::move(b));
  }
  if (out.items.size() > static_cast<size_t>(limit)) {
    out.items.pop_back();
    out.next_page = out.items.back().name;
  }
  return out;
}

Status ObjectStore::DeleteBucket(std::string_view ns, std::string_view name,
                                 std::string_view if_match) {
  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*db_));
  ADS_ASSIGN_OR_RETURN(Bucket b, GetBucketLocked(ns, name));
  ADS_RETURN_IF_ERROR(CheckIfMatch(if_match, b.etag));
  ADS_ASSIGN_OR_RETURN(
      store::Statement used,
      db_->Prepare("SELECT 1 FROM os_objects WHERE namespace = ?1 AND bucket = ?2 UNION ALL "
                   "SELECT 1 FROM os_uploads WHERE namespace = ?1 AND bucket = ?2 LIMIT 1"));
  ADS_RETURN_IF_ERROR(used.BindText(1, ns));
  ADS_RETURN_IF_ERROR(used.BindText(2, name));
  ADS_ASSIGN_OR_RETURN(bool not_empty, used.Step());
  if (not_empty) {
    return Status(StatusCode::kFailedPrecondition,
                  "The bucket " + Quoted(name) +
                      " is not empty: delete its objects and abort its multipart uploads first.",
                  "oci:409 BucketNotEmpty");
  }
  ADS_ASSIGN_OR_RETURN(store::Statement del,
                       db_->Prepare("DELETE FROM os_buckets WHERE namespace = ?1 AND name = ?2"));
  ADS_RETURN_IF_ERROR(del.BindText(1, ns));
  ADS_RETURN_IF_ERROR(del.BindText(2, name));
  ADS_RETURN_IF_ERROR(del.Run());
  return txn.Commit();
}

// ---- objects ---------------------------------------------------------------

Result<store::BlobInfo> ObjectStore::WriteBlob(const ByteSource& source,
                                               std::string_view expected_sha256_base64,
                                               std::string_view expected_md5_base64) {
  std::optional<std::string> expected_sha_hex;
  if (!expected_sha256_base64.empty()) {
    std::string raw;
    if (!Base64Decode(expected_sha256_base64, &raw) || raw.size() != 32) {
      return InvalidArgumentError("x-content-sha256 is not the base64 of a SHA-256 digest");
    }
    expected_sha_hex = HexEncode(raw);
  }
  ADS_ASSIGN_OR_RETURN(std::unique_ptr<store::Upload> upload, blobs_.BeginUpload());
  std::string buf(kChunk, '\0');
  for (;;) {
    ADS_ASSIGN_OR_RETURN(size_t n, source(buf.data(), buf.size()));
    if (n == 0) break;
    ADS_RETURN_IF_ERROR(upload->Append(std::string_view(buf.data(), n)));
  }
  Result<store::BlobInfo> info = expected_sha_hex
                                     ? upload->Commit(std::string_view(*expected_sha_hex))
                                     : upload->Commit();
  if (!info.ok()) {
    if (info.status().code() == StatusCode::kInvalidArgument && expected_sha_hex) {
      return Status(StatusCode::kInvalidArgument,
                    "The body does not match its signed x-content-sha256.",
                    "oci:400 InvalidParameter");
    }
    return info.status();
  }
  if (!expected_md5_base64.empty() && expected_md5_base64 != info->md5_base64) {
    return Status(StatusCode::kInvalidArgument,
                  "The computed MD5 of the request body (" + info->md5_base64 +
                      ") does not match the Content-MD5 header (" +
                      std::string(expected_md5_base64) + ").",
                  "oci:400 InvalidParameter");
  }
  return info;
}

Result<std::optional<ObjectInfo>> ObjectStore::FindObjectLocked(std::string_view ns,
                                                                std::string_view bucket,
                                                                std::string_view object) {
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_->Prepare("SELECT " + std::string(kObjectColumns) +
                                    " FROM os_objects WHERE namespace = ?1 AND bucket = ?2 AND "
                                    "name = ?3"));
  ADS_RETURN_IF_ERROR(q.BindText(1, ns));
  ADS_RETURN_IF_ERROR(q.BindText(2, bucket));
  ADS_RETURN_IF_ERROR(q.BindText(3, object));
  ADS_ASSIGN_OR_RETURN(bool found, q.Step());
  if (!found) return std::optional<ObjectInfo>();
  ADS_ASSIGN_OR_RETURN(ObjectInfo info, ReadObject(q));
  return std::optional<ObjectInfo>(std::move(info));
}

Status ObjectStore::WriteObjectLocked(std::string_view ns, std::string_view bucket,
                                      std::string_view object, const ObjectInfo& info) {
  ADS_ASSIGN_OR_RETURN(
      store::Statement put,
      db_->Prepare("INSERT OR REPLACE INTO os_objects(namespace, bucket, " +
                   std::string(kObjectColumns) +
                   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"));
  ADS_RETURN_IF_ERROR(put.BindText(1, ns));
  ADS_RETURN_IF_ERROR(put.BindText(2, bucket));
  ADS_RETURN_IF_ERROR(put.BindText(3, object));
  ADS_RETURN_IF_ERROR(put.BindText(4, info.blob.sha256));
  ADS_RETURN_IF_ERROR(put.BindInt64(5, static_cast<int64_t>(info.blob.size)));
  ADS_RETURN_IF_ERROR(put.BindText(6, info.blob.md5_base64));
  ADS_RETURN_IF_ERROR(put.BindText(7, info.multipart_md5));
  ADS_RETURN_IF_ERROR(put.BindText(8, info.etag));
  ADS_RETURN_IF_ERROR(put.BindText(9, info.content_type));
  ADS_RETURN_IF_ERROR(put.BindText(10, MetadataToText(info.metadata)));
  ADS_RETURN_IF_ERROR(put.BindInt64(11, ToMillis(info.time_created)));
  ADS_RETURN_IF_ERROR(put.BindInt64(12, ToMillis(info.time_modified)));
  return put.Run();
}

Result<ObjectInfo> ObjectStore::PutObject(std::string_view ns, std::string_view bucket,
                                          std::string_view object, const store::BlobInfo& blob,
                                          const PutObjectOptions& options) {
  ADS_RETURN_IF_ERROR(ValidateObjectName(object));
  if (!store::IsValidBlobId(blob.sha256)) return InvalidArgumentError("not a blob id");
  ObjectInfo info;
  info.name = std::string(object);
  info.blob = blob;
  info.etag = NewEtag();
  info.content_type = options.content_type.empty() ? "application/octet-stream"
                                                   : options.content_type;
  info.metadata = options.metadata;
  info.time_created = info.time_modified = FromMillis(ToMillis(env_.Now()));

  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*db_));
  ADS_RETURN_IF_ERROR(GetBucketLocked(ns, bucket).status());
  ADS_ASSIGN_OR_RETURN(std::optional<ObjectInfo> old, FindObjectLocked(ns, bucket, object));
  ADS_RETURN_IF_ERROR(CheckPreconditions(old, options));
  ADS_RETURN_IF_ERROR(WriteObjectLocked(ns, bucket, object, info));
  ADS_RETURN_IF_ERROR(txn.Commit());
  return info;
}

Result<ObjectInfo> ObjectStore::GetObject(std::string_view ns, std::string_view bucket,
                                          std::string_view object) {
  std::lock_guard<std::mutex> lock(mu_);
  ADS_RETURN_IF_ERROR(GetBucketLocked(ns, bucket).status());
  ADS_ASSIGN_OR_RETURN(std::optional<ObjectInfo> info, FindObjectLocked(ns, bucket, object));
  if (!info) return ObjectNotFound(bucket, object);
  return std::move(*info);
}

Status ObjectStore::DeleteObject(std::string_view ns, std::string_view bucket,
                                 std::string_view object, std::string_view if_match) {
  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*db_));
  ADS_RETURN_IF_ERROR(GetBucketLocked(ns, bucket).status());
  ADS_ASSIGN_OR_RETURN(std::optional<ObjectInfo> info, FindObjectLocked(ns, bucket, object));
  if (!info) return ObjectNotFound(bucket, object);
  ADS_RETURN_IF_ERROR(CheckIfMatch(if_match, info->etag));
  ADS_ASSIGN_OR_RETURN(
      store::Statement del,
      db_->Prepare("DELETE FROM os_objects WHERE namespace = ?1 AND bucket = ?2 AND name = ?3"));
  ADS_RETURN_IF_ERROR(del.BindText(1, ns));
  ADS_RETURN_IF_ERROR(del.BindText(2, bucket));
  ADS_RETURN_IF_ERROR(del.BindText(3, object));
  ADS_RETURN_IF_ERROR(del.Run());
  return txn.Commit();
}

Result<ListObjectsResult> ObjectStore::ListObjects(std::string_view ns, std::string_view bucket,
                                                   const ListObjectsOptions& options) {
  if (options.limit < 1 || options.limit > kMaxListLimit) {
    return InvalidArgumentError("limit must be between 1 and 1000");
  }
  if (!options.delimiter.empty() && options.delimiter != "/") {
    return InvalidArgumentError("the only supported delimiter is '/'");
  }
  std::lock_guard<std::mutex> lock(mu_);
  ADS_RETURN_IF_ERROR(GetBucketLocked(ns, bucket).status());
  // Names sort bytewise (SQLite BINARY collation), as OCI lists them, so the
  // names under `prefix` are one contiguous run starting at max(start, prefix).
  const std::string from = std::max(options.start, options.prefix);
  ADS_ASSIGN_OR_RETURN(
      store::Statement q,
      db_->Prepare("SELECT " + std::string(kObjectColumns) +
                   " FROM os_objects WHERE namespace = ?1 AND bucket = ?2 AND name >= ?3 "
                   "AND (?4 = '' OR name < ?4) ORDER BY name"));
  ADS_RETURN_IF_ERROR(q.BindText(1, ns));
  ADS_RETURN_IF_ERROR(q.BindText(2, bucket));
  ADS_RETURN_IF_ERROR(q.BindText(3, from));
  ADS_RETURN_IF_ERROR(q.BindText(4, options.end));
  ListObjectsResult out;
  const size_t limit = static_cast<size_t>(options.limit);
  for (;;) {
    ADS_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    ADS_ASSIGN_OR_RETURN(std::string name, q.ColumnText(0));
    if (!name.starts_with(options.prefix)) break;
    // Objects under a prefix already reported are covered by it.
    if (!out.prefixes.empty() && name.starts_with(out.prefixes.back())) continue;
    if (out.objects.size() + out.prefixes.size() >= limit) {
      out.next_start_with = name;
      break;
    }
    if (!options.delimiter.empty()) {
      const size_t cut = name.find(options.delimiter, options.prefix.size());
      if (cut != std::string::npos) {
        out.prefixes.push_back(name.substr(0, cut + options.delimiter.size()));
        continue;
      }
    }
    ADS_ASSIGN_OR_RETURN(ObjectInfo info, ReadObject(q));
    out.objects.push_back(std::move(info));
  }
  return out;
}

Result<store::BlobInfo> ObjectStore::GetObjectBlob(std::string_view ns, std::string_view bucket,
                                                   std::string_view object,
                                                   const iam::Principal& who) {
  ADS_ASSIGN_OR_RETURN(Bucket b, GetBucket(ns, bucket));
  ADS_RETURN_IF_ERROR(CheckAllowed(who, iam::Verb::kRead, b));
  ADS_ASSIGN_OR_RETURN(ObjectInfo info, GetObject(ns, bucket, object));
  return info.blob;
}

Status ObjectStore::PutObjectBlob(std::string_view ns, std::string_view bucket,
                                  std::string_view object, const store::BlobInfo& blob,
                                  const iam::Principal& who) {
  ADS_ASSIGN_OR_RETURN(Bucket b, GetBucket(ns, bucket));
  ADS_RETURN_IF_ERROR(CheckAllowed(who, iam::Verb::kManage, b));
  // The blob must really be there: the row is a promise that the bytes are.
  ADS_ASSIGN_OR_RETURN(bool exists, blobs_.Exists(blob.sha256));
  if (!exists) return NotFoundError("blob " + blob.sha256 + " does not exist");
  return PutObject(ns, bucket, object, blob, {}).status();
}

}  // namespace ads::objectstore
