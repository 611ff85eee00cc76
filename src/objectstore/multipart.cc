// Multipart uploads: parts are blobs with a row each; commit streams the
// chosen parts, in part-number order, into one new blob and then swaps the
// object row in and the upload rows out in one transaction.
#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "base/strings.h"
#include "objectstore/object_store.h"
#include "objectstore/rows.h"

namespace ads::objectstore {
namespace {

// Bytes moved per read while concatenating parts.
constexpr uint64_t kCopyChunk = 1 << 20;

Status NoSuchUpload(std::string_view upload_id) {
  return Status(StatusCode::kNotFound,
                "The multipart upload " + Quoted(upload_id) + " was not found.",
                "oci:404 NoSuchUpload");
}

Status BadCommit(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message), "oci:400 InvalidParameter");
}

constexpr std::string_view kUploadColumns =
    "upload_id, namespace, bucket, object, content_type, metadata, storage_tier, time_created";

Result<MultipartUpload> ReadUpload(const store::Statement& row) {
  MultipartUpload u;
  ADS_ASSIGN_OR_RETURN(u.upload_id, row.ColumnText(0));
  ADS_ASSIGN_OR_RETURN(u.namespace_name, row.ColumnText(1));
  ADS_ASSIGN_OR_RETURN(u.bucket, row.ColumnText(2));
  ADS_ASSIGN_OR_RETURN(u.object, row.ColumnText(3));
  ADS_ASSIGN_OR_RETURN(u.content_type, row.ColumnText(4));
  ADS_ASSIGN_OR_RETURN(std::string metadata, row.ColumnText(5));
  ADS_ASSIGN_OR_RETURN(u.metadata, ParseMetadata(metadata));
  ADS_ASSIGN_OR_RETURN(u.storage_tier, row.ColumnText(6));
  ADS_ASSIGN_OR_RETURN(int64_t created, row.ColumnInt64(7));
  u.time_created = FromMillis(created);
  return u;
}

Result<PartInfo> ReadPart(const store::Statement& row) {
  PartInfo p;
  ADS_ASSIGN_OR_RETURN(int64_t number, row.ColumnInt64(0));
  p.part_number = static_cast<int>(number);
  ADS_ASSIGN_OR_RETURN(p.etag, row.ColumnText(1));
  ADS_ASSIGN_OR_RETURN(p.blob.sha256, row.ColumnText(2));
  ADS_ASSIGN_OR_RETURN(int64_t size, row.ColumnInt64(3));
  p.blob.size = static_cast<uint64_t>(size);
  ADS_ASSIGN_OR_RETURN(p.blob.md5_base64, row.ColumnText(4));
  return p;
}

// The upload `upload_id` if it belongs to ns/bucket/object (db locked).
Result<MultipartUpload> LoadUpload(store::Database& db, std::string_view ns,
                                   std::string_view bucket, std::string_view object,
                                   std::string_view upload_id) {
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db.Prepare("SELECT " + std::string(kUploadColumns) +
                                  " FROM os_uploads WHERE upload_id = ?1"));
  ADS_RETURN_IF_ERROR(q.BindText(1, upload_id));
  ADS_ASSIGN_OR_RETURN(bool found, q.Step());
  if (!found) return NoSuchUpload(upload_id);
  ADS_ASSIGN_OR_RETURN(MultipartUpload u, ReadUpload(q));
  if (u.namespace_name != ns || u.bucket != bucket || u.object != object) {
    return NoSuchUpload(upload_id);
  }
  return u;
}

Result<std::map<int, PartInfo>> LoadParts(store::Database& db, std::string_view upload_id) {
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db.Prepare("SELECT part_number, etag, blob_sha256, size, md5 FROM os_parts"
                                  " WHERE upload_id = ?1 ORDER BY part_number"));
  ADS_RETURN_IF_ERROR(q.BindText(1, upload_id));
  std::map<int, PartInfo> parts;
  for (;;) {
    ADS_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    ADS_ASSIGN_OR_RETURN(PartInfo p, ReadPart(q));
    parts[p.part_number] = std::move(p);
  }
  return parts;
}

// The committed parts, in order, each checked against the stored etag.
Result<std::vector<PartInfo>> MatchParts(const std::vector<CommitPart>& wanted,
                                         const std::map<int, PartInfo>& stored) {
  std::vector<PartInfo> out;
  for (const CommitPart& part : wanted) {
    auto it = stored.find(part.part_number);
    if (it == stored.end()) {
      return BadCommit("Part " + std::to_string(part.part_number) +
                       " was never uploaded (or was replaced); it cannot be committed.");
    }
    if (it->second.etag != part.etag) {
      return BadCommit("The etag " + Quoted(part.etag) + " given for part " +
                       std::to_string(part.part_number) + " does not match the uploaded part.");
    }
    out.push_back(it->second);
  }
  return out;
}

// Streams the parts' bytes, in the given order, into one new blob, a chunk at
// a time (never a whole part in memory).
Result<store::BlobInfo> ConcatenateParts(store::BlobStore& blobs,
                                         const std::vector<PartInfo>& parts) {
  ADS_ASSIGN_OR_RETURN(std::unique_ptr<store::Upload> out, blobs.BeginUpload());
  for (const PartInfo& part : parts) {
    ADS_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, blobs.OpenBlob(part.blob.sha256));
    if (file->size() != part.blob.size) {
      return DataLossError("part " + std::to_string(part.part_number) + " has " +
                           std::to_string(file->size()) + " bytes on disk, " +
                           std::to_string(part.blob.size) + " recorded");
    }
    for (uint64_t offset = 0; offset < part.blob.size; offset += kCopyChunk) {
      ADS_ASSIGN_OR_RETURN(std::string bytes, store::ReadRange(*file, offset, kCopyChunk));
      ADS_RETURN_IF_ERROR(out->Append(bytes));
    }
  }
  return out->Commit();
}

Result<int> ParsePageNumber(std::string_view page) {
  if (page.empty()) return 0;
  int value = 0;
  auto [end, ec] = std::from_chars(page.data(), page.data() + page.size(), value);
  if (ec != std::errc() || end != page.data() + page.size() || value < 0) {
    return InvalidArgumentError("the page token " + Quoted(page) + " is not valid");
  }
  return value;
}

}  // namespace

Result<MultipartUpload> ObjectStore::CreateMultipartUpload(
    std::string_view ns, std::string_view bucket, std::string_view object,
    std::string_view content_type, const Metadata& metadata, std::string_view storage_tier) {
  ADS_RETURN_IF_ERROR(ValidateObjectName(object));
  MultipartUpload u;
  u.namespace_name = std::string(ns);
  u.bucket = std::string(bucket);
  u.object = std::string(object);
  u.upload_id = NewUuid(env_);
  u.time_created = FromMillis(ToMillis(env_.Now()));
  u.storage_tier = storage_tier.empty() ? "Standard" : std::string(storage_tier);
  u.content_type = content_type.empty() ? "application/octet-stream" : std::string(content_type);
  u.metadata = metadata;

  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*db_));
  ADS_RETURN_IF_ERROR(GetBucketLocked(ns, bucket).status());
  ADS_ASSIGN_OR_RETURN(store::Statement insert,
                       db_->Prepare("INSERT INTO os_uploads(" + std::string(kUploadColumns) +
                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  ADS_RETURN_IF_ERROR(insert.BindText(1, u.upload_id));
  ADS_RETURN_IF_ERROR(insert.BindText(2, u.namespace_name));
  ADS_RETURN_IF_ERROR(insert.BindText(3, u.bucket));
  ADS_RETURN_IF_ERROR(insert.BindText(4, u.object));
  ADS_RETURN_IF_ERROR(insert.BindText(5, u.content_type));
  ADS_RETURN_IF_ERROR(insert.BindText(6, MetadataToText(u.metadata)));
  ADS_RETURN_IF_ERROR(insert.BindText(7, u.storage_tier));
  ADS_RETURN_IF_ERROR(insert.BindInt64(8, ToMillis(u.time_created)));
  ADS_RETURN_IF_ERROR(insert.Run());
  ADS_RETURN_IF_ERROR(txn.Commit());
  return u;
}

Result<MultipartUpload> ObjectStore::GetMultipartUpload(std::string_view ns,
                                                        std::string_view bucket,
                                                        std::string_view object,
                                                        std::string_view upload_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ADS_RETURN_IF_ERROR(GetBucketLocked(ns, bucket).status());
  return LoadUpload(*db_, ns, bucket, object, upload_id);
}

Result<PartInfo> ObjectStore::PutPart(std::string_view ns, std::string_view bucket,
                                      std::string_view object, std::string_view upload_id,
                                      int part_number, const store::BlobInfo& blob) {
  if (part_number < 1 || part_number > kMaxPartNumber) {
    return InvalidArgumentError("uploadPartNum must be between 1 and 10000, not " +
                                std::to_string(part_number));
  }
  PartInfo part{part_number, NewEtag(), blob};
  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*db_));
  ADS_RETURN_IF_ERROR(GetBucketLocked(ns, bucket).status());
  ADS_RETURN_IF_ERROR(LoadUpload(*db_, ns, bucket, object, upload_id).status());
  ADS_ASSIGN_OR_RETURN(
      store::Statement put,
      db_->Prepare("INSERT OR REPLACE INTO os_parts(upload_id, part_number, blob_sha256, size, "
                   "md5, etag, time_created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  ADS_RETURN_IF_ERROR(put.BindText(1, upload_id));
  ADS_RETURN_IF_ERROR(put.BindInt64(2, part_number));
  ADS_RETURN_IF_ERROR(put.BindText(3, blob.sha256));
  ADS_RETURN_IF_ERROR(put.BindInt64(4, static_cast<int64_t>(blob.size)));
  ADS_RETURN_IF_ERROR(put.BindText(5, blob.md5_base64));
  ADS_RETURN_IF_ERROR(put.BindText(6, part.etag));
  ADS_RETURN_IF_ERROR(put.BindInt64(7, ToMillis(env_.Now())));
  ADS_RETURN_IF_ERROR(put.Run());
  ADS_RETURN_IF_ERROR(txn.Commit());
  return part;
}

Result<Page<PartInfo>> ObjectStore::ListParts(std::string_view ns, std::string_view bucket,
                                              std::string_view object,
                                              std::string_view upload_id, int limit,
                                              std::string_view page) {
  if (limit < 1 || limit > kMaxListLimit) {
    return InvalidArgumentError("limit must be between 1 and 1000");
  }
  ADS_ASSIGN_OR_RETURN(int after, ParsePageNumber(page));
  std::lock_guard<std::mutex> lock(mu_);
  ADS_RETURN_IF_ERROR(GetBucketLocked(ns, bucket).status());
  ADS_RETURN_IF_ERROR(LoadUpload(*db_, ns, bucket, object, upload_id).status());
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_->Prepare("SELECT part_number, etag, blob_sha256, size, md5 FROM os_parts"
                                    " WHERE upload_id = ?1 AND part_number > ?2"
                                    " ORDER BY part_number LIMIT ?3"));
  ADS_RETURN_IF_ERROR(q.BindText(1, upload_id));
  ADS_RETURN_IF_ERROR(q.BindInt64(2, after));
  ADS_RETURN_IF_ERROR(q.BindInt64(3, limit + 1));
  Page<PartInfo> out;
  for (;;) {
    ADS_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    ADS_ASSIGN_OR_RETURN(PartInfo p, ReadPart(q));
    out.items.push_back(std::move(p));
  }
  if (out.items.size() > static_cast<size_t>(limit)) {
    out.items.pop_back();
    out.next_page = std::to_string(out.items.back().part_number);
  }
  return out;
}

Result<Page<MultipartUpload>> ObjectStore::ListUploads(std::string_view ns,
                                                       std::string_view bucket, int limit,
                                                       std::string_view page) {
  if (limit < 1 || limit > kMaxListLimit) {
    return InvalidArgumentError("limit must be between 1 and 1000");
  }
  std::lock_guard<std::mutex> lock(mu_);
  ADS_RETURN_IF_ERROR(GetBucketLocked(ns, bucket).status());
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_->Prepare("SELECT " + std::string(kUploadColumns) +
                                    " FROM os_uploads WHERE namespace = ?1 AND bucket = ?2"
                                    " AND upload_id > ?3 ORDER BY upload_id LIMIT ?4"));
  ADS_RETURN_IF_ERROR(q.BindText(1, ns));
  ADS_RETURN_IF_ERROR(q.BindText(2, bucket));
  ADS_RETURN_IF_ERROR(q.BindText(3, page));
  ADS_RETURN_IF_ERROR(q.BindInt64(4, limit + 1));
  Page<MultipartUpload> out;
  for (;;) {
    ADS_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    ADS_ASSIGN_OR_RETURN(MultipartUpload u, ReadUpload(q));
    out.items.push_back(std::move(u));
  }
  if (out.items.size() > static_cast<size_t>(limit)) {
    out.items.pop_back();
    out.next_page = out.items.back().upload_id;
  }
  return out;
}

Result<ObjectInfo> ObjectStore::CommitMultipartUpload(std::string_view ns,
                                                      std::string_view bucket,
                                                      std::string_view object,
                                                      std::string_view upload_id,
                                                      std::vector<CommitPart> parts,
                                                      const PutObjectOptions& options) {
  if (parts.empty()) return BadCommit("partsToCommit must list at least one part.");
  std::sort(parts.begin(), parts.end(),
            [](const CommitPart& a, const CommitPart& b) { return a.part_number < b.part_number; });
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].part_number < 1 || parts[i].part_number > kMaxPartNumber) {
      return BadCommit("partNum must be between 1 and 10000, not " +
                       std::to_string(parts[i].part_number) + ".");
    }
    if (i > 0 && parts[i].part_number == parts[i - 1].part_number) {
      return BadCommit("Part " + std::to_string(parts[i].part_number) +
                       " is listed more than once in partsToCommit.");
    }
  }

  MultipartUpload upload;
  std::vector<PartInfo> chosen;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ADS_RETURN_IF_ERROR(GetBucketLocked(ns, bucket).status());
    ADS_ASSIGN_OR_RETURN(upload, LoadUpload(*db_, ns, bucket, object, upload_id));
    ADS_ASSIGN_OR_RETURN(auto stored, LoadParts(*db_, upload_id));
    ADS_ASSIGN_OR_RETURN(chosen, MatchParts(parts, stored));
  }

  // The long part, without the lock: a crash here leaves the upload and its
  // parts untouched.
  ADS_ASSIGN_OR_RETURN(store::BlobInfo blob, ConcatenateParts(blobs_, chosen));
  std::vector<std::string> part_md5s;
  for (const PartInfo& part : chosen) part_md5s.push_back(part.blob.md5_base64);
  ADS_ASSIGN_OR_RETURN(std::string multipart_md5, MultipartMd5(part_md5s));

  ObjectInfo info;
  info.name = std::string(object);
  info.blob = blob;
  info.etag = NewEtag();
  info.content_type = upload.content_type;
  info.metadata = upload.metadata;
  info.multipart_md5 = multipart_md5;
  info.time_created = info.time_modified = FromMillis(ToMillis(env_.Now()));

  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*db_));
  // Another commit or an abort may have won the race, or a part may have
  // been re-uploaded since we copied it: check again inside the transaction.
  ADS_RETURN_IF_ERROR(LoadUpload(*db_, ns, bucket, object, upload_id).status());
  ADS_ASSIGN_OR_RETURN(auto stored, LoadParts(*db_, upload_id));
  ADS_RETURN_IF_ERROR(MatchParts(parts, stored).status());
  ADS_ASSIGN_OR_RETURN(std::optional<ObjectInfo> old, FindObjectLocked(ns, bucket, object));
  ADS_RETURN_IF_ERROR(CheckPreconditions(old, options));
  ADS_RETURN_IF_ERROR(WriteObjectLocked(ns, bucket, object, info));
  ADS_ASSIGN_OR_RETURN(store::Statement end_upload,
                       db_->Prepare("DELETE FROM os_uploads WHERE upload_id = ?1"));
  ADS_RETURN_IF_ERROR(end_upload.BindText(1, upload_id));
  ADS_RETURN_IF_ERROR(end_upload.Run());  // its parts go with it (ON DELETE CASCADE)
  ADS_RETURN_IF_ERROR(txn.Commit());
  return info;
}

Status ObjectStore::AbortMultipartUpload(std::string_view ns, std::string_view bucket,
                                         std::string_view object, std::string_view upload_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*db_));
  ADS_RETURN_IF_ERROR(GetBucketLocked(ns, bucket).status());
  ADS_RETURN_IF_ERROR(LoadUpload(*db_, ns, bucket, object, upload_id).status());
  ADS_ASSIGN_OR_RETURN(store::Statement del,
                       db_->Prepare("DELETE FROM os_uploads WHERE upload_id = ?1"));
  ADS_RETURN_IF_ERROR(del.BindText(1, upload_id));
  ADS_RETURN_IF_ERROR(del.Run());
  return txn.Commit();
}

}  // namespace ads::objectstore
