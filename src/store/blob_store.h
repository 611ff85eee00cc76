// BlobStore: the content-addressed, immutable byte store under a data
// directory. Artifact and object bytes stream into <data-dir>/tmp/, are
// hashed (SHA-256 and MD5) as they arrive, and become visible under
// <data-dir>/blobs/sha256/<first two hex>/<64 hex> only after the bytes are
// fsynced and renamed into place. A crash at any moment leaves a blob either
// absent or complete; RecoverAtStartup() sweeps what an interrupted upload
// left in tmp/. See docs/storage.md for the durability argument.
//
//   ADS_ASSIGN_OR_RETURN(auto blobs, BlobStore::Open(env, data_dir));
//   ADS_RETURN_IF_ERROR(blobs->RecoverAtStartup().status());
//   ADS_ASSIGN_OR_RETURN(auto upload, blobs->BeginUpload());
//   ADS_RETURN_IF_ERROR(upload->Append(chunk));         // as often as needed
//   ADS_ASSIGN_OR_RETURN(BlobInfo info, upload->Commit());
//   ADS_ASSIGN_OR_RETURN(auto file, blobs->OpenBlob(info.sha256));
//   ADS_ASSIGN_OR_RETURN(std::string head, ReadRange(*file, 0, 1024));
//
// Thread-safety: a BlobStore is thread-safe (it holds no mutable state; every
// upload has its own temp file, and two uploads of the same bytes both rename
// identical content onto the same name). An Upload is used by one thread at a
// time. RecoverAtStartup() must run before any upload begins, because it
// deletes everything in tmp/. Remove() is for a garbage collector that knows
// no catalog row refers to the blob any more; the store does no ref-counting.
#ifndef ADS_STORE_BLOB_STORE_H_
#define ADS_STORE_BLOB_STORE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/status.h"

namespace ads::store {

// What a committed blob is: its name (lowercase hex SHA-256), the base64 MD5
// that HTTP `Content-MD5` / OCI `opc-content-md5` headers carry, and its size.
struct BlobInfo {
  std::string sha256;
  std::string md5_base64;
  uint64_t size = 0;
};

struct BlobStat {
  uint64_t size = 0;
  std::chrono::system_clock::time_point modified;
};

struct BlobStoreOptions {
  // Largest blob an upload may hold, in bytes; 0 means no limit.
  uint64_t max_blob_size = 0;
};

// What RecoverAtStartup() found.
struct RecoveryReport {
  // Leftovers of interrupted uploads deleted from tmp/.
  std::vector<std::string> removed_temp_files;
  // Entries under blobs/ that are not named like a blob (never written by
  // the store; kept for a human to look at).
  std::vector<std::string> unexpected_paths;
  // Blobs whose bytes no longer hash to their name (only when asked to
  // verify hashes); kept so that the caller can report or re-fetch them.
  std::vector<std::string> corrupt_blobs;
};

class BlobStore;

// One blob being written. Bytes go to a private temp file; nothing is visible
// to readers until Commit() returns OK. Destroying an Upload that was not
// committed aborts it.
class Upload {
 public:
  ~Upload();
  Upload(const Upload&) = delete;
  Upload& operator=(const Upload&) = delete;

  // Appends bytes, hashing them as they stream in. OutOfRange when the blob
  // would exceed the size limit; after any error the upload is failed and
  // only Abort() (or the destructor) remains useful.
  Status Append(std::string_view bytes);

  // Makes the blob durable and visible: fsyncs the temp file, renames it to
  // its content address (or drops it when that blob already exists) and
  // fsyncs the directory. With `expected_sha256` (hex), a mismatch is an
  // InvalidArgument and nothing becomes visible.
  Result<BlobInfo> Commit(std::optional<std::string_view> expected_sha256 = std::nullopt);

  // Deletes the temp file. OK when there is nothing left to abort.
  Status Abort();

  uint64_t size() const { return size_; }

 private:
  friend class BlobStore;
  struct Hashers;
  enum class State { kOpen, kFailed, kCommitted, kAborted };

  Upload(Env& env, std::string data_dir, std::string temp_path,
         std::unique_ptr<WritableFile> file, uint64_t max_size);
  Result<BlobInfo> CommitOpen(std::optional<std::string_view> expected_sha256);

  Env& env_;
  std::string data_dir_;
  std::string temp_path_;
  std::unique_ptr<WritableFile> file_;
  std::unique_ptr<Hashers> hashers_;
  uint64_t max_size_;
  uint64_t size_ = 0;
  State state_ = State::kOpen;
};

class BlobStore {
 public:
  // Creates <data_dir>/blobs/sha256/ and <data_dir>/tmp/ when missing.
  static Result<std::unique_ptr<BlobStore>> Open(Env& env, std::string data_dir,
                                                 BlobStoreOptions options = {});

  // Starts an upload limited by the store's max_blob_size, or by `max_size`
  // when given (0 = no limit).
  Result<std::unique_ptr<Upload>> BeginUpload(std::optional<uint64_t> max_size = std::nullopt);

  // A reader of the blob's bytes (size() and ranged reads). NotFound when
  // the blob does not exist; InvalidArgument when `sha256` is not 64 hex.
  Result<std::unique_ptr<RandomAccessFile>> OpenBlob(std::string_view sha256);
  Result<bool> Exists(std::string_view sha256);
  Result<BlobStat> Stat(std::string_view sha256);
  // Deletes a blob (garbage collection); NotFound when absent.
  Status Remove(std::string_view sha256);

  // Re-reads the blob and returns its hashes; DataLoss when the bytes no
  // longer hash to the blob's name.
  Result<BlobInfo> Verify(std::string_view sha256);

  // Deletes leftovers of interrupted uploads in tmp/ and checks that only
  // well-named blobs are visible; with `verify_hashes`, re-hashes every blob
  // (slow: reads all bytes).
  Result<RecoveryReport> RecoverAtStartup(bool verify_hashes = false);

  // <data-dir>/blobs/sha256/ab/abcd... for a valid id (no validation here).
  std::string BlobPath(std::string_view sha256) const;
  std::string TempDir() const;
  const std::string& data_dir() const { return data_dir_; }

 private:
  BlobStore(Env& env, std::string data_dir, BlobStoreOptions options)
      : env_(env), data_dir_(std::move(data_dir)), options_(options) {}
  Status CheckDirectoryEntries(const std::string& shard, bool verify_hashes,
                               RecoveryReport& report);

  Env& env_;
  std::string data_dir_;
  BlobStoreOptions options_;
};

// True when `id` is a lowercase 64-character hex SHA-256.
bool IsValidBlobId(std::string_view id);

// Reads bytes [offset, offset + length) of `file`, clipped at its end.
// OutOfRange when `offset` lies beyond the end (offset == size gives "").
Result<std::string> ReadRange(const RandomAccessFile& file, uint64_t offset, uint64_t length);

}  // namespace ads::store

#endif  // ADS_STORE_BLOB_STORE_H_
