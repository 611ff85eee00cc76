// The POSIX Env and the path helpers shared by every Env.
#include "base/env.h"

#include <dirent.h>
#include <stdio.h>  // renameat2
#include <fcntl.h>
#include <pthread.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iterator>

namespace ads {
namespace {

Status PosixError(const std::string& what, const std::string& path, int err) {
  std::string msg = what + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return NotFoundError(std::move(msg));
  if (err == EACCES || err == EPERM) return PermissionDeniedError(std::move(msg));
  if (err == EEXIST) return AlreadyExistsError(std::move(msg));
  return IoError(std::move(msg));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int Release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return PosixError("cannot write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return OkStatus();
}

Status SyncDirectory(const std::string& dir) {
  Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return PosixError("cannot open directory", dir, errno);
  if (::fsync(fd.get()) != 0) return PosixError("cannot sync directory", dir, errno);
  return OkStatus();
}

class PosixWritableFile : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixWritableFile() override { Close().IgnoreError(); }
  Status Append(std::string_view data) override {
    if (fd_.get() < 0) return FailedPreconditionError(path_ + " is closed");
    return WriteAll(fd_.get(), data, path_);
  }
  Status Sync() override {
    if (fd_.get() < 0) return FailedPreconditionError(path_ + " is closed");
    if (::fsync(fd_.get()) != 0) return PosixError("cannot sync", path_, errno);
    return OkStatus();
  }
  Status Close() override {
    const int fd = fd_.Release();
    if (fd < 0) return OkStatus();
    if (::close(fd) != 0) return PosixError("cannot close", path_, errno);
    return OkStatus();
  }

 private:
  Fd fd_;
  std::string path_;
};

class PosixRandomAccessFile : public RandomAccessFile {
 public:
  PosixRandomAccessFile(int fd, std::string path, uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  Result<size_t> Read(uint64_t offset, size_t n, char* scratch) const override {
    size_t done = 0;
    while (done < n) {
      const ssize_t r = ::pread(fd_.get(), scratch + done, n - done,
                                static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return PosixError("cannot read", path_, errno);
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    return done;
  }
  uint64_t size() const override { return size_; }

 private:
  Fd fd_;
  std::string path_;
  uint64_t size_;
};

class PosixEnv : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return PosixError("cannot create", path, errno);
    return std::unique_ptr<WritableFile>(std::make_unique<PosixWritableFile>(fd, path));
  }

  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return PosixError("cannot open", path, errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return PosixError("cannot stat", path, errno);
    return std::unique_ptr<RandomAccessFile>(std::make_unique<PosixRandomAccessFile>(
        fd.Release(), path, static_cast<uint64_t>(st.st_size)));
  }

  Status SyncDir(const std::string& dir) override { return SyncDirectory(dir); }

  Result<std::string> ReadFile(const std::string& path) override {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return PosixError("cannot open", path, errno);
    std::string out;
    char buf[1 << 16];
    while (true) {
      const ssize_t n = ::read(fd.get(), buf, sizeof(buf));
      if (n < 0) {
        if (errno == EINTR) continue;
        return PosixError("cannot read", path, errno);
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

  Status WriteFile(const std::string& path, std::string_view data) override {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) return PosixError("cannot create", path, errno);
    return WriteAll(fd.get(), data, path);
  }

  Status WriteFileAtomic(const std::string& path, std::string_view data) override {
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" +
                            std::to_string(RandomU64() % 1000000);
    {
      Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
      if (fd.get() < 0) return PosixError("cannot create", tmp, errno);
      Status s = WriteAll(fd.get(), data, tmp);
      if (s.ok() && ::fsync(fd.get()) != 0) s = PosixError("cannot sync", tmp, errno);
      if (!s.ok()) {
        ::unlink(tmp.c_str());
        return s;
      }
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      const int err = errno;
      ::unlink(tmp.c_str());
      return PosixError("cannot rename onto", path, err);
    }
    return SyncDirectory(DirName(path));
  }

  Result<FileInfo> Stat(const std::string& path) override {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return PosixError("cannot stat", path, errno);
    FileInfo info;
    if (S_ISREG(st.st_mode)) {
      info.type = FileInfo::Type::kFile;
    } else if (S_ISDIR(st.st_mode)) {
      info.type = FileInfo::Type::kDirectory;
    } else if (S_ISLNK(st.st_mode)) {
      info.type = FileInfo::Type::kSymlink;
    } else {
      info.type = FileInfo::Type::kOther;
    }
    info.size = static_cast<uint64_t>(st.st_size);
    info.mode = st.st_mode & 07777;
    info.modified = std::chrono::system_clock::time_point(
        std::chrono::seconds(st.st_mtim.tv_sec) +
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
    return info;
  }

  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), &::closedir);
    if (!d) return PosixError("cannot list", dir, errno);
    std::vector<std::string> names;
    while (const dirent* e = ::readdir(d.get())) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  Status CreateDirs(const std::string& dir) override {
    if (dir.empty() || IsDirectory(dir)) return OkStatus();
    const std::string parent = DirName(dir);
    if (parent != dir) ADS_RETURN_IF_ERROR(CreateDirs(parent));
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return PosixError("cannot create directory", dir, errno);
    }
    return OkStatus();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return PosixError("cannot remove", path, errno);
    return OkStatus();
  }

  Status RemoveAll(const std::string& path) override {
    auto info = Stat(path);
    if (!info.ok()) {
      return info.status().code() == StatusCode::kNotFound ? OkStatus() : info.status();
    }
    if (info->is_dir()) {
      ADS_ASSIGN_OR_RETURN(auto names, ListDir(path));
      for (const auto& name : names) ADS_RETURN_IF_ERROR(RemoveAll(JoinPath(path, name)));
      if (::rmdir(path.c_str()) != 0) return PosixError("cannot remove directory", path, errno);
      return OkStatus();
    }
    return RemoveFile(path);
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return PosixError("cannot rename " + from + " to", to, errno);
    }
    return OkStatus();
  }

  Status ExchangePaths(const std::string& a, const std::string& b) override {
    if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) != 0) {
      return PosixError("cannot exchange " + a + " with", b, errno);
    }
    return SyncDirectory(DirName(b));
  }

  Status SetMode(const std::string& path, uint32_t mode) override {
    if (::chmod(path.c_str(), mode) != 0) return PosixError("cannot chmod", path, errno);
    return OkStatus();
  }

  Result<std::string> MakeTempDir(const std::string& prefix, const std::string& parent) override {
    std::string base = parent;
    if (base.empty()) {
      const char* tmpdir = std::getenv("TMPDIR");
      base = (tmpdir != nullptr && *tmpdir != '\0') ? tmpdir : "/tmp";
    }
    std::string templ = JoinPath(base, prefix + "XXXXXX");
    if (::mkdtemp(templ.data()) == nullptr) {
      return PosixError("cannot create temporary directory in", base, errno);
    }
    return templ;
  }

  std::string AbsolutePath(const std::string& path) override {
    if (!path.empty() && path[0] == '/') return NormalizePath(path);
    char buf[4096];
    const char* cwd = ::getcwd(buf, sizeof(buf));
    return NormalizePath(JoinPath(cwd != nullptr ? cwd : "/", path));
  }

  std::optional<std::string> GetEnvVar(const std::string& name) override {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  }

  std::chrono::system_clock::time_point Now() override { return std::chrono::system_clock::now(); }

  // Kernel randomness, fetched 32 values at a time per thread: one
  // getrandom syscall per value cost ~7% of a signed request (ids are drawn
  // on every request). A forked child drops what its parent had buffered.
  uint64_t RandomU64() override {
    struct Buffer {
      uint64_t values[32];
      size_t next = 32;
      uint64_t generation = 0;
    };
    thread_local Buffer buffer;
    const uint64_t generation = fork_generation.load(std::memory_order_relaxed);
    if (buffer.next == std::size(buffer.values) || buffer.generation != generation) {
      if (::getrandom(buffer.values, sizeof(buffer.values), 0) !=
          static_cast<ssize_t>(sizeof(buffer.values))) {
        return static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
      }
      buffer.next = 0;
      buffer.generation = generation;
    }
    return buffer.values[buffer.next++];
  }

  static inline std::atomic<uint64_t> fork_generation{0};
};

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = [] {
    ::pthread_atfork(nullptr, nullptr, [] { PosixEnv::fork_generation.fetch_add(1); });
    return new PosixEnv();  // never destroyed: used until exit
  }();
  return env;
}

bool Env::FileExists(const std::string& path) { return Stat(path).ok(); }

bool Env::IsDirectory(const std::string& path) {
  auto info = Stat(path);
  return info.ok() && info->is_dir();
}

Result<std::vector<std::string>> Env::ListFilesRecursive(const std::string& dir,
                                                         std::vector<std::string>* symlinks) {
  std::vector<std::string> files;
  std::function<Status(const std::string&)> walk = [&](const std::string& rel) -> Status {
    ADS_ASSIGN_OR_RETURN(auto names, ListDir(rel.empty() ? dir : JoinPath(dir, rel)));
    for (const auto& name : names) {
      const std::string child = rel.empty() ? name : rel + "/" + name;
      ADS_ASSIGN_OR_RETURN(FileInfo info, Stat(JoinPath(dir, child)));
      if (info.is_dir()) {
        ADS_RETURN_IF_ERROR(walk(child));
      } else if (info.type == FileInfo::Type::kSymlink) {
        if (symlinks != nullptr) symlinks->push_back(child);
      } else if (info.is_file()) {
        files.push_back(child);
      }
    }
    return OkStatus();
  };
  ADS_RETURN_IF_ERROR(walk(""));
  std::sort(files.begin(), files.end());
  return files;
}

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  std::string out(a);
  if (out.back() == '/') out.pop_back();
  if (b.front() == '/') b.remove_prefix(1);
  out += '/';
  out += b;
  return out;
}

std::string BaseName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const size_t pos = path.rfind('/');
  return std::string(pos == std::string_view::npos ? path : path.substr(pos + 1));
}

std::string DirName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const size_t pos = path.rfind('/');
  if (pos == std::string_view::npos) return ".";
  if (pos == 0) return "/";
  return std::string(path.substr(0, pos));
}

std::string NormalizePath(std::string_view path) {
  const bool absolute = !path.empty() && path[0] == '/';
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!absolute) {
        parts.emplace_back("..");
      }
    } else if (!part.empty() && part != ".") {
      parts.emplace_back(part);
    }
    start = end + 1;
  }
  std::string out = absolute ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  if (out.empty()) out = ".";
  return out;
}

}  // namespace ads
