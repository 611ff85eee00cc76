// The content-addressed blob store: temp file, hash, fsync, rename, fsync.
#include "store/blob_store.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>

#include "base/hash.h"
#include "base/logging.h"
#include "base/strings.h"

namespace ads::store {
namespace {

constexpr std::string_view kBlobsSubdir = "blobs/sha256";
constexpr std::string_view kTempSubdir = "tmp";
constexpr std::string_view kTempSuffix = ".part";
constexpr size_t kReadChunk = 1 << 20;

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

Status CheckBlobId(std::string_view id) {
  if (IsValidBlobId(id)) return OkStatus();
  std::string shown(id.substr(0, 80));
  return InvalidArgumentError("blob id " + Quoted(shown) +
                              " is not a lowercase 64-character hex SHA-256");
}

struct EvpCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using EvpCtx = std::unique_ptr<EVP_MD_CTX, EvpCtxDeleter>;

// One incremental OpenSSL digest (base/ has no incremental MD5).
class Digest {
 public:
  explicit Digest(const EVP_MD* md) : ctx_(EVP_MD_CTX_new()) {
    ok_ = ctx_ != nullptr && EVP_DigestInit_ex(ctx_.get(), md, nullptr) == 1;
  }
  void Update(std::string_view data) {
    if (ok_ && !data.empty()) ok_ = EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) == 1;
  }
  Result<std::string> Finish() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!ok_ || EVP_DigestFinal_ex(ctx_.get(), out, &len) != 1) {
      return InternalError("OpenSSL could not compute a digest");
    }
    return std::string(reinterpret_cast<const char*>(out), len);
  }

 private:
  EvpCtx ctx_;
  bool ok_ = false;
};

struct StreamHashes {
  Digest sha256{EVP_sha256()};
  Digest md5{EVP_md5()};
  void Update(std::string_view data) {
    sha256.Update(data);
    md5.Update(data);
  }
  Result<BlobInfo> Finish(uint64_t size) {
    ADS_ASSIGN_OR_RETURN(std::string sha, sha256.Finish());
    ADS_ASSIGN_OR_RETURN(std::string md5_bytes, md5.Finish());
    return BlobInfo{HexEncode(sha), Base64Encode(md5_bytes), size};
  }
};

std::string TempName(Env& env) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "upload-%016llx",
                static_cast<unsigned long long>(env.RandomU64()));
  return std::string(buf) + std::string(kTempSuffix);
}

// Creates `dir` (and its parent chain) when missing and makes the new entry
// durable in its parent, so a later rename into it cannot be lost with it.
Status EnsureDurableDir(Env& env, const std::string& dir) {
  if (env.IsDirectory(dir)) return OkStatus();
  ADS_RETURN_IF_ERROR(env.CreateDirs(dir));
  return env.SyncDir(DirName(dir));
}

}  // namespace

bool IsValidBlobId(std::string_view id) {
  return id.size() == 64 && std::all_of(id.begin(), id.end(), IsLowerHex);
}

Result<std::string> ReadRange(const RandomAccessFile& file, uint64_t offset, uint64_t length) {
  const uint64_t size = file.size();
  if (offset > size) {
    return OutOfRangeError("range start " + std::to_string(offset) +
                           " lies beyond the end of a " + std::to_string(size) + "-byte blob");
  }
  const uint64_t n = std::min(length, size - offset);
  std::string out(static_cast<size_t>(n), '\0');
  ADS_ASSIGN_OR_RETURN(size_t got, file.Read(offset, out.size(), out.data()));
  if (got != out.size()) {
    return DataLossError("blob is shorter than its recorded size (" + std::to_string(offset + got) +
                         " of " + std::to_string(size) + " bytes readable)");
  }
  return out;
}

// ---------------------------------------------------------------- Upload

struct Upload::Hashers : StreamHashes {};

Upload::Upload(Env& env, std::string data_dir, std::string temp_path,
               std::unique_ptr<WritableFile> file, uint64_t max_size)
    : env_(env),
      data_dir_(std::move(data_dir)),
      temp_path_(std::move(temp_path)),
      file_(std::move(file)),
      hashers_(std::make_unique<Hashers>()),
      max_size_(max_size) {}

Upload::~Upload() {
  if (state_ == State::kOpen || state_ == State::kFailed) {
    Status s = Abort();
    if (!s.ok()) LogWarning("could not abort upload " + temp_path_ + ": " + s.message());
  }
}

Status Upload::Append(std::string_view bytes) {
  if (state_ != State::kOpen) {
    return FailedPreconditionError("upload " + BaseName(temp_path_) +
                                   " is no longer open for writing");
  }
  if (max_size_ != 0 && bytes.size() > max_size_ - size_) {
    state_ = State::kFailed;
    return OutOfRangeError("upload exceeds the limit of " + std::to_string(max_size_) +
                           " bytes per blob");
  }
  Status s = file_->Append(bytes);
  if (!s.ok()) {
    state_ = State::kFailed;
    return s;
  }
  hashers_->Update(bytes);
  size_ += bytes.size();
  return OkStatus();
}

Result<BlobInfo> Upload::Commit(std::optional<std::string_view> expected_sha256) {
  if (state_ != State::kOpen) {
    return FailedPreconditionError("upload " + BaseName(temp_path_) +
                                   " cannot be committed: it has failed, or was committed or "
                                   "aborted already");
  }
  Result<BlobInfo> info = CommitOpen(expected_sha256);
  if (info.ok()) {
    state_ = State::kCommitted;
  } else {
    state_ = State::kFailed;
    Abort().IgnoreError();  // the error to report is the commit's
  }
  return info;
}

Result<BlobInfo> Upload::CommitOpen(std::optional<std::string_view> expected_sha256) {
  std::string expected;
  if (expected_sha256.has_value()) {
    expected = ToLower(*expected_sha256);
    if (!IsValidBlobId(expected)) return CheckBlobId(*expected_sha256);
  }
  ADS_ASSIGN_OR_RETURN(BlobInfo info, hashers_->Finish(size_));
  if (!expected.empty() && expected != info.sha256) {
    return InvalidArgumentError("the uploaded bytes have SHA-256 " + info.sha256 + ", not " +
                                expected + " as declared");
  }
  // The bytes must be durable before their name can be.
  ADS_RETURN_IF_ERROR(file_->Sync());
  ADS_RETURN_IF_ERROR(file_->Close());
  const std::string shard = JoinPath(JoinPath(data_dir_, kBlobsSubdir), info.sha256.substr(0, 2));
  const std::string final_path = JoinPath(shard, info.sha256);
  ADS_RETURN_IF_ERROR(EnsureDurableDir(env_, shard));
  if (env_.FileExists(final_path)) {
    // Dedupe: identical bytes are there already. Syncing the shard still
    // matters: a concurrent upload may have renamed it without syncing yet.
    ADS_RETURN_IF_ERROR(env_.RemoveFile(temp_path_));
  } else {
    ADS_RETURN_IF_ERROR(env_.Rename(temp_path_, final_path));
  }
  temp_path_.clear();  // nothing left for Abort() to remove
  ADS_RETURN_IF_ERROR(env_.SyncDir(shard));
  return info;
}

Status Upload::Abort() {
  if (state_ == State::kCommitted || state_ == State::kAborted) return OkStatus();
  state_ = State::kAborted;
  if (file_ != nullptr) file_->Close().IgnoreError();  // removing it is what matters
  if (temp_path_.empty()) return OkStatus();
  Status s = env_.RemoveFile(temp_path_);
  if (!s.ok() && s.code() != StatusCode::kNotFound) {
    // Left for RecoverAtStartup(); the blob itself was never made visible.
    state_ = State::kFailed;
    return s;
  }
  temp_path_.clear();
  return OkStatus();
}

// ------------------------------------------------------------- BlobStore

Result<std::unique_ptr<BlobStore>> BlobStore::Open(Env& env, std::string data_dir,
                                                   BlobStoreOptions options) {
  if (data_dir.empty()) return InvalidArgumentError("the blob store needs a data directory");
  ADS_RETURN_IF_ERROR(EnsureDurableDir(env, data_dir));
  ADS_RETURN_IF_ERROR(EnsureDurableDir(env, JoinPath(data_dir, "blobs")));
  ADS_RETURN_IF_ERROR(EnsureDurableDir(env, JoinPath(data_dir, kBlobsSubdir)));
  ADS_RETURN_IF_ERROR(EnsureDurableDir(env, JoinPath(data_dir, kTempSubdir)));
  return std::unique_ptr<BlobStore>(new BlobStore(env, std::move(data_dir), options));
}

std::string BlobStore::BlobPath(std::string_view sha256) const {
  return JoinPath(JoinPath(JoinPath(data_dir_, kBlobsSubdir), sha256.substr(0, 2)), sha256);
}

std::string BlobStore::TempDir() const { return JoinPath(data_dir_, kTempSubdir); }

Result<std::unique_ptr<Upload>> BlobStore::BeginUpload(std::optional<uint64_t> max_size) {
  const std::string path = JoinPath(TempDir(), TempName(env_));
  ADS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env_.NewWritableFile(path));
  return std::unique_ptr<Upload>(new Upload(env_, data_dir_, path, std::move(file),
                                            max_size.value_or(options_.max_blob_size)));
}

Result<std::unique_ptr<RandomAccessFile>> BlobStore::OpenBlob(std::string_view sha256) {
  ADS_RETURN_IF_ERROR(CheckBlobId(sha256));
  Result<std::unique_ptr<RandomAccessFile>> file = env_.NewRandomAccessFile(BlobPath(sha256));
  if (!file.ok() && file.status().code() == StatusCode::kNotFound) {
    return NotFoundError("blob " + std::string(sha256) + " does not exist");
  }
  return file;
}

Result<bool> BlobStore::Exists(std::string_view sha256) {
  ADS_RETURN_IF_ERROR(CheckBlobId(sha256));
  Result<FileInfo> info = env_.Stat(BlobPath(sha256));
  if (info.ok()) return info->is_file();
  if (info.status().code() == StatusCode::kNotFound) return false;
  return info.status();
}

Result<BlobStat> BlobStore::Stat(std::string_view sha256) {
  ADS_RETURN_IF_ERROR(CheckBlobId(sha256));
  Result<FileInfo> info = env_.Stat(BlobPath(sha256));
  if (!info.ok() && info.status().code() == StatusCode::kNotFound) {
    return NotFoundError("blob " + std::string(sha256) + " does not exist");
  }
  ADS_RETURN_IF_ERROR(info.status());
  if (!info->is_file()) {
    return DataLossError("blob " + std::string(sha256) + " is not a regular file");
  }
  return BlobStat{info->size, info->modified};
}

Status BlobStore::Remove(std::string_view sha256) {
  ADS_RETURN_IF_ERROR(CheckBlobId(sha256));
  const std::string path = BlobPath(sha256);
  Status s = env_.RemoveFile(path);
  if (s.code() == StatusCode::kNotFound) {
    return NotFoundError("blob " + std::string(sha256) + " does not exist");
  }
  ADS_RETURN_IF_ERROR(s);
  return env_.SyncDir(DirName(path));
}

Result<BlobInfo> BlobStore::Verify(std::string_view sha256) {
  ADS_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, OpenBlob(sha256));
  StreamHashes hashes;
  std::string buf(kReadChunk, '\0');
  const uint64_t size = file->size();
  for (uint64_t offset = 0; offset < size;) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kReadChunk, size - offset));
    ADS_ASSIGN_OR_RETURN(size_t got, file->Read(offset, want, buf.data()));
    if (got == 0) break;
    hashes.Update(std::string_view(buf.data(), got));
    offset += got;
  }
  ADS_ASSIGN_OR_RETURN(BlobInfo info, hashes.Finish(size));
  if (info.sha256 != sha256) {
    return DataLossError("blob " + std::string(sha256) + " is corrupt: its " +
                         std::to_string(size) + " bytes hash to " + info.sha256);
  }
  return info;
}

Status BlobStore::CheckDirectoryEntries(const std::string& shard, bool verify_hashes,
                                        RecoveryReport& report) {
  const std::string dir = JoinPath(JoinPath(data_dir_, kBlobsSubdir), shard);
  ADS_ASSIGN_OR_RETURN(std::vector<std::string> names, env_.ListDir(dir));
  for (const std::string& name : names) {
    const std::string path = JoinPath(dir, name);
    Result<FileInfo> info = env_.Stat(path);
    if (!IsValidBlobId(name) || name.compare(0, 2, shard) != 0 || !info.ok() ||
        !info->is_file()) {
      report.unexpected_paths.push_back(path);
      continue;
    }
    if (!verify_hashes) continue;
    Result<BlobInfo> verified = Verify(name);
    if (verified.status().code() == StatusCode::kDataLoss) {
      report.corrupt_blobs.push_back(name);
    } else {
      ADS_RETURN_IF_ERROR(verified.status());
    }
  }
  return OkStatus();
}

Result<RecoveryReport> BlobStore::RecoverAtStartup(bool verify_hashes) {
  RecoveryReport report;
  const std::string tmp = TempDir();
  ADS_ASSIGN_OR_RETURN(std::vector<std::string> leftovers, env_.ListDir(tmp));
  for (const std::string& name : leftovers) {
    ADS_RETURN_IF_ERROR(env_.RemoveAll(JoinPath(tmp, name)));
    report.removed_temp_files.push_back(name);
  }
  if (!leftovers.empty()) ADS_RETURN_IF_ERROR(env_.SyncDir(tmp));

  const std::string blobs = JoinPath(data_dir_, kBlobsSubdir);
  ADS_ASSIGN_OR_RETURN(std::vector<std::string> shards, env_.ListDir(blobs));
  for (const std::string& shard : shards) {
    const bool valid_shard = shard.size() == 2 && IsLowerHex(shard[0]) && IsLowerHex(shard[1]);
    if (!valid_shard || !env_.IsDirectory(JoinPath(blobs, shard))) {
      report.unexpected_paths.push_back(JoinPath(blobs, shard));
      continue;
    }
    ADS_RETURN_IF_ERROR(CheckDirectoryEntries(shard, verify_hashes, report));
  }
  for (const std::string& path : report.unexpected_paths) {
    LogWarning("unexpected entry in the blob store (left in place): " + path);
  }
  for (const std::string& id : report.corrupt_blobs) {
    LogError("blob " + id + " is corrupt: its bytes no longer match its SHA-256");
  }
  return report;
}

}  // namespace ads::store
