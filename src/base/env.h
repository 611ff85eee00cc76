// Env: every file, directory, clock, randomness and environment-variable call
// of ads goes through this interface, so tests can run against an in-memory
// Env or a fault-injecting one and prove crash safety.
//
//   Env& env = *Env::Default();
//   ADS_RETURN_IF_ERROR(env.WriteFileAtomic(dir + "/runtime.yaml", text));
//
// Paths are plain strings with '/' separators. Implementations are
// thread-safe.
#ifndef ADS_BASE_ENV_H_
#define ADS_BASE_ENV_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ads {

struct FileInfo {
  enum class Type { kFile, kDirectory, kSymlink, kOther };
  Type type = Type::kFile;
  uint64_t size = 0;
  uint32_t mode = 0644;  // permission bits
  std::chrono::system_clock::time_point modified;
  bool is_file() const { return type == Type::kFile; }
  bool is_dir() const { return type == Type::kDirectory; }
};

// A file being written sequentially (uploads, blobs). Not thread-safe.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable.
  virtual Status Sync() = 0;
  // Further calls fail; the destructor closes a file that was not closed.
  virtual Status Close() = 0;
};

// A file read at arbitrary offsets (ranges of blobs). Thread-safe.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to `n` bytes at `offset` into `scratch`; returns how many were
  // read (fewer only at the end of the file).
  virtual Result<size_t> Read(uint64_t offset, size_t n, char* scratch) const = 0;
  virtual uint64_t size() const = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX Env. Never null; never deleted.
  static Env* Default();

  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // Creates or truncates `path` and writes `data` (not synced).
  virtual Status WriteFile(const std::string& path, std::string_view data) = 0;
  // Writes `data` to a temporary file beside `path`, syncs it, renames it over
  // `path` and syncs the directory: readers see the old content or the new.
  virtual Status WriteFileAtomic(const std::string& path, std::string_view data) = 0;
  // Does not follow a final symlink (reports kSymlink).
  virtual Result<FileInfo> Stat(const std::string& path) = 0;
  // Entry names (not paths) in `dir`, sorted, without "." and "..".
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  // Like mkdir -p.
  virtual Status CreateDirs(const std::string& dir) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Like rm -rf; OK when `path` does not exist.
  virtual Status RemoveAll(const std::string& path) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Atomically swaps two existing paths (files or folders): readers see one
  // or the other at each name, never neither.
  virtual Status ExchangePaths(const std::string& a, const std::string& b) = 0;
  virtual Status SetMode(const std::string& path, uint32_t mode) = 0;
  // Creates or truncates `path` for sequential writing.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  // Makes the entries of `dir` (creations, renames) durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  // A new, empty directory under the system temp dir (or under `parent`).
  virtual Result<std::string> MakeTempDir(const std::string& prefix,
                                          const std::string& parent = {}) = 0;
  // Absolute, lexically normalised form of `path` (no symlink resolution).
  virtual std::string AbsolutePath(const std::string& path) = 0;

  virtual std::optional<std::string> GetEnvVar(const std::string& name) = 0;
  virtual std::chrono::system_clock::time_point Now() = 0;
  // Uniformly random 64 bits (cryptographic quality in the POSIX Env).
  virtual uint64_t RandomU64() = 0;

  // Conveniences built on the calls above.
  bool FileExists(const std::string& path);
  bool IsDirectory(const std::string& path);
  // All regular files under `dir`, as '/'-separated paths relative to it,
  // sorted. Symlinks are reported in `symlinks` (if given) and not followed.
  Result<std::vector<std::string>> ListFilesRecursive(
      const std::string& dir, std::vector<std::string>* symlinks = nullptr);
};

// Joins path parts with exactly one '/' between them.
std::string JoinPath(std::string_view a, std::string_view b);
std::string BaseName(std::string_view path);
std::string DirName(std::string_view path);
// Lexical normalisation: collapses "//", "/./" and "x/.."; keeps leading "..".
std::string NormalizePath(std::string_view path);

// An Env that keeps everything in memory; for tests. Environment variables
// and the clock are settable.
class MemEnv : public Env {
 public:
  MemEnv();
  Result<std::string> ReadFile(const std::string& path) override;
  Status WriteFile(const std::string& path, std::string_view data) override;
  Status WriteFileAtomic(const std::string& path, std::string_view data) override;
  Result<FileInfo> Stat(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Status CreateDirs(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveAll(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status ExchangePaths(const std::string& a, const std::string& b) override;
  Status SetMode(const std::string& path, uint32_t mode) override;
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;
  Result<std::string> MakeTempDir(const std::string& prefix,
                                  const std::string& parent = {}) override;
  std::string AbsolutePath(const std::string& path) override;
  std::optional<std::string> GetEnvVar(const std::string& name) override;
  std::chrono::system_clock::time_point Now() override;
  uint64_t RandomU64() override;

  void SetEnvVar(const std::string& name, const std::string& value);
  void SetNow(std::chrono::system_clock::time_point now);
  void SetSeed(uint64_t seed);
  // Makes `path` a symlink entry (content = target); for archive tests.
  void AddSymlink(const std::string& path, const std::string& target);
  // Appends to an existing file; used by MemEnv's WritableFile.
  Status AppendToFile(const std::string& path, std::string_view data);

 private:
  struct Entry {
    FileInfo info;
    std::string data;
  };
  bool ParentExistsLocked(const std::string& path) const;

  std::mutex mu_;
  std::map<std::string, Entry> files_;  // GUARDED_BY(mu_)
  std::set<std::string> dirs_;          // GUARDED_BY(mu_)
  std::map<std::string, std::string> vars_;
  std::chrono::system_clock::time_point now_;
  uint64_t rng_state_ = 0x9E3779B97F4A7C15ULL;
  uint64_t temp_counter_ = 0;
};

// Wraps another Env and fails chosen mutating calls, to test that an error at
// any write leaves no partial state visible.
class FaultInjectionEnv : public Env {
 public:
  explicit FaultInjectionEnv(Env* base) : base_(base) {}

  // The n-th (0-based) mutating call from now on, and every one after it,
  // fails with an IoError. Negative disables.
  void FailAfter(int n);
  // Mutating calls on paths containing `fragment` fail.
  void FailPathsContaining(std::string fragment);
  void Reset();
  int mutating_calls() const { return calls_; }

  Result<std::string> ReadFile(const std::string& path) override;
  Status WriteFile(const std::string& path, std::string_view data) override;
  Status WriteFileAtomic(const std::string& path, std::string_view data) override;
  Result<FileInfo> Stat(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Status CreateDirs(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveAll(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status ExchangePaths(const std::string& a, const std::string& b) override;
  Status SetMode(const std::string& path, uint32_t mode) override;
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;
  Result<std::string> MakeTempDir(const std::string& prefix,
                                  const std::string& parent = {}) override;
  std::string AbsolutePath(const std::string& path) override;
  std::optional<std::string> GetEnvVar(const std::string& name) override;
  std::chrono::system_clock::time_point Now() override;
  uint64_t RandomU64() override;

 private:
  Status Check(const std::string& path);

  Env* base_;
  int fail_after_ = -1;
  int calls_ = 0;
  std::string fragment_;
};

}  // namespace ads

#endif  // ADS_BASE_ENV_H_
