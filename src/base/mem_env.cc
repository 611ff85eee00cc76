// MemEnv (everything in memory) and FaultInjectionEnv (fails chosen writes).
#include <algorithm>
#include <functional>

#include "base/env.h"

namespace ads {
namespace {

std::string Key(const std::string& path) {
  return NormalizePath(path.empty() || path[0] != '/' ? "/" + path : path);
}

bool IsUnder(const std::string& path, const std::string& dir) {
  if (dir == "/") return path != "/";
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

class MemWritableFile : public WritableFile {
 public:
  MemWritableFile(MemEnv* env, std::string path) : env_(env), path_(std::move(path)) {}
  Status Append(std::string_view data) override {
    if (closed_) return FailedPreconditionError(path_ + " is closed");
    return env_->AppendToFile(path_, data);
  }
  Status Sync() override {
    return closed_ ? FailedPreconditionError(path_ + " is closed") : OkStatus();
  }
  Status Close() override {
    closed_ = true;
    return OkStatus();
  }

 private:
  MemEnv* env_;
  std::string path_;
  bool closed_ = false;
};

// Reads from a snapshot taken at open, as an open POSIX file keeps the inode.
class MemRandomAccessFile : public RandomAccessFile {
 public:
  explicit MemRandomAccessFile(std::string data) : data_(std::move(data)) {}
  Result<size_t> Read(uint64_t offset, size_t n, char* scratch) const override {
    if (offset >= data_.size()) return size_t{0};
    const size_t count = std::min<size_t>(n, data_.size() - offset);
    std::copy_n(data_.data() + offset, count, scratch);
    return count;
  }
  uint64_t size() const override { return data_.size(); }

 private:
  std::string data_;
};

}  // namespace

Result<std::unique_ptr<WritableFile>> MemEnv::NewWritableFile(const std::string& path) {
  ADS_RETURN_IF_ERROR(WriteFile(path, ""));
  return std::unique_ptr<WritableFile>(std::make_unique<MemWritableFile>(this, path));
}

Result<std::unique_ptr<RandomAccessFile>> MemEnv::NewRandomAccessFile(const std::string& path) {
  ADS_ASSIGN_OR_RETURN(std::string data, ReadFile(path));
  return std::unique_ptr<RandomAccessFile>(std::make_unique<MemRandomAccessFile>(std::move(data)));
}

Status MemEnv::SyncDir(const std::string& dir) {
  return IsDirectory(dir) ? OkStatus() : NotFoundError("cannot sync " + dir + ": no such directory");
}

Status MemEnv::AppendToFile(const std::string& path, std::string_view data) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = files_.find(Key(path));
  if (it == files_.end()) return NotFoundError("cannot append to " + path + ": it was removed");
  it->second.data.append(data);
  it->second.info.size = it->second.data.size();
  return OkStatus();
}

MemEnv::MemEnv() : now_(std::chrono::system_clock::time_point(std::chrono::seconds(1700000000))) {
  dirs_.insert("/");
  dirs_.insert("/tmp");
}

bool MemEnv::ParentExistsLocked(const std::string& path) const {
  return dirs_.count(DirName(path)) > 0;
}

Result<std::string> MemEnv::ReadFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = files_.find(Key(path));
  if (it == files_.end()) return NotFoundError("cannot open " + path + ": no such file");
  if (it->second.info.type == FileInfo::Type::kSymlink) {
    return InvalidArgumentError("cannot open " + path + ": is a symlink");
  }
  return it->second.data;
}

Status MemEnv::WriteFile(const std::string& path, std::string_view data) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string key = Key(path);
  if (!ParentExistsLocked(key)) return NotFoundError("cannot create " + path + ": no such directory");
  if (dirs_.count(key) > 0) return IoError("cannot create " + path + ": is a directory");
  Entry& e = files_[key];
  e.info.type = FileInfo::Type::kFile;
  e.info.size = data.size();
  e.info.modified = now_;
  e.data.assign(data);
  return OkStatus();
}

Status MemEnv::WriteFileAtomic(const std::string& path, std::string_view data) {
  return WriteFile(path, data);  // a map assignment is already all-or-nothing
}

Result<FileInfo> MemEnv::Stat(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string key = Key(path);
  if (dirs_.count(key) > 0) {
    FileInfo info;
    info.type = FileInfo::Type::kDirectory;
    info.mode = 0755;
    return info;
  }
  const auto it = files_.find(key);
  if (it == files_.end()) return NotFoundError("cannot stat " + path + ": no such file");
  return it->second.info;
}

Result<std::vector<std::string>> MemEnv::ListDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string key = Key(dir);
  if (dirs_.count(key) == 0) return NotFoundError("cannot list " + dir + ": no such directory");
  std::vector<std::string> names;
  auto add_child = [&](const std::string& p) {
    if (IsUnder(p, key) && DirName(p) == key) names.push_back(BaseName(p));
  };
  for (const auto& d : dirs_) add_child(d);
  for (const auto& [p, e] : files_) add_child(p);
  std::sort(names.begin(), names.end());
  return names;
}

Status MemEnv::CreateDirs(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string key = Key(dir);
  std::vector<std::string> chain;
  while (dirs_.count(key) == 0) {
    if (files_.count(key) > 0) return IoError("cannot create directory " + dir + ": a file exists");
    chain.push_back(key);
    key = DirName(key);
  }
  dirs_.insert(chain.begin(), chain.end());
  return OkStatus();
}

Status MemEnv::RemoveFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (files_.erase(Key(path)) == 0) return NotFoundError("cannot remove " + path + ": no such file");
  return OkStatus();
}

Status MemEnv::RemoveAll(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string key = Key(path);
  std::erase_if(files_, [&](const auto& kv) { return kv.first == key || IsUnder(kv.first, key); });
  std::erase_if(dirs_, [&](const auto& d) { return d != "/" && (d == key || IsUnder(d, key)); });
  return OkStatus();
}

Status MemEnv::Rename(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string src = Key(from);
  const std::string dst = Key(to);
  if (!ParentExistsLocked(dst)) return NotFoundError("cannot rename to " + to + ": no such directory");
  if (auto it = files_.find(src); it != files_.end()) {
    if (dirs_.count(dst) > 0) return IoError("cannot rename onto directory " + to);
    files_[dst] = it->second;
    files_.erase(src);
    return OkStatus();
  }
  if (dirs_.count(src) == 0) return NotFoundError("cannot rename " + from + ": no such file");
  if (dirs_.count(dst) > 0) {
    const bool empty = std::none_of(files_.begin(), files_.end(),
                                    [&](const auto& kv) { return IsUnder(kv.first, dst); }) &&
                       std::none_of(dirs_.begin(), dirs_.end(),
                                    [&](const auto& d) { return IsUnder(d, dst); });
    if (!empty) return IoError("cannot rename onto non-empty directory " + to);
  }
  auto moved = [&](const std::string& p) { return dst + p.substr(src.size()); };
  std::map<std::string, Entry> files;
  for (auto& [p, e] : files_) files[IsUnder(p, src) ? moved(p) : p] = e;
  std::set<std::string> dirs;
  for (const auto& d : dirs_) dirs.insert(d == src || IsUnder(d, src) ? moved(d) : d);
  files_ = std::move(files);
  dirs_ = std::move(dirs);
  return OkStatus();
}

Status MemEnv::ExchangePaths(const std::string& a, const std::string& b) {
  const std::string tmp = Key(a) + ".exchange-tmp";
  ADS_RETURN_IF_ERROR(Rename(a, tmp));
  if (Status s = Rename(b, a); !s.ok()) {
    Rename(tmp, a).IgnoreError();
    return s;
  }
  return Rename(tmp, b);
}

Status MemEnv::SetMode(const std::string& path, uint32_t mode) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(Key(path));
  if (it == files_.end()) return NotFoundError("cannot chmod " + path + ": no such file");
  it->second.info.mode = mode;
  return OkStatus();
}

Result<std::string> MemEnv::MakeTempDir(const std::string& prefix, const std::string& parent) {
  std::string dir;
  {
    std::lock_guard<std::mutex> lock(mu_);
    dir = JoinPath(parent.empty() ? "/tmp" : Key(parent),
                   prefix + std::to_string(++temp_counter_));
  }
  ADS_RETURN_IF_ERROR(CreateDirs(dir));
  return dir;
}

std::string MemEnv::AbsolutePath(const std::string& path) { return Key(path); }

std::optional<std::string> MemEnv::GetEnvVar(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = vars_.find(name);
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

std::chrono::system_clock::time_point MemEnv::Now() {
  std::lock_guard<std::mutex> lock(mu_);
  return now_;
}

uint64_t MemEnv::RandomU64() {
  std::lock_guard<std::mutex> lock(mu_);
  // splitmix64: deterministic for a given seed, good enough for tests.
  uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void MemEnv::SetEnvVar(const std::string& name, const std::string& value) {
  std::lock_guard<std::mutex> lock(mu_);
  vars_[name] = value;
}

void MemEnv::SetNow(std::chrono::system_clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  now_ = now;
}

void MemEnv::SetSeed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(mu_);
  rng_state_ = seed;
}

void MemEnv::AddSymlink(const std::string& path, const std::string& target) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = files_[Key(path)];
  e.info.type = FileInfo::Type::kSymlink;
  e.info.size = target.size();
  e.data = target;
}

// FaultInjectionEnv

void FaultInjectionEnv::FailAfter(int n) {
  fail_after_ = n < 0 ? -1 : calls_ + n;
}
void FaultInjectionEnv::FailPathsContaining(std::string fragment) { fragment_ = std::move(fragment); }
void FaultInjectionEnv::Reset() {
  fail_after_ = -1;
  fragment_.clear();
}

Status FaultInjectionEnv::Check(const std::string& path) {
  const int call = calls_++;
  if (fail_after_ >= 0 && call >= fail_after_) {
    return IoError("injected fault on write #" + std::to_string(call) + " (" + path + ")");
  }
  if (!fragment_.empty() && path.find(fragment_) != std::string::npos) {
    return IoError("injected fault on " + path);
  }
  return OkStatus();
}

Result<std::string> FaultInjectionEnv::ReadFile(const std::string& p) { return base_->ReadFile(p); }
Status FaultInjectionEnv::WriteFile(const std::string& p, std::string_view d) {
  ADS_RETURN_IF_ERROR(Check(p));
  return base_->WriteFile(p, d);
}
Status FaultInjectionEnv::WriteFileAtomic(const std::string& p, std::string_view d) {
  ADS_RETURN_IF_ERROR(Check(p));
  return base_->WriteFileAtomic(p, d);
}
Result<FileInfo> FaultInjectionEnv::Stat(const std::string& p) { return base_->Stat(p); }
Result<std::vector<std::string>> FaultInjectionEnv::ListDir(const std::string& d) {
  return base_->ListDir(d);
}
Status FaultInjectionEnv::CreateDirs(const std::string& d) {
  ADS_RETURN_IF_ERROR(Check(d));
  return base_->CreateDirs(d);
}
Status FaultInjectionEnv::RemoveFile(const std::string& p) {
  ADS_RETURN_IF_ERROR(Check(p));
  return base_->RemoveFile(p);
}
Status FaultInjectionEnv::RemoveAll(const std::string& p) {
  ADS_RETURN_IF_ERROR(Check(p));
  return base_->RemoveAll(p);
}
Status FaultInjectionEnv::Rename(const std::string& from, const std::string& to) {
  ADS_RETURN_IF_ERROR(Check(to));
  return base_->Rename(from, to);
}
Status FaultInjectionEnv::ExchangePaths(const std::string& a, const std::string& b) {
  ADS_RETURN_IF_ERROR(Check(b));
  return base_->ExchangePaths(a, b);
}
Status FaultInjectionEnv::SetMode(const std::string& p, uint32_t mode) {
  ADS_RETURN_IF_ERROR(Check(p));
  return base_->SetMode(p, mode);
}
Result<std::string> FaultInjectionEnv::MakeTempDir(const std::string& prefix,
                                                   const std::string& parent) {
  ADS_RETURN_IF_ERROR(Check(parent.empty() ? prefix : parent));
  return base_->MakeTempDir(prefix, parent);
}
namespace {

// Passes writes through until the owning FaultInjectionEnv says to fail.
class FaultyWritableFile : public WritableFile {
 public:
  FaultyWritableFile(std::unique_ptr<WritableFile> base, std::function<Status()> check)
      : base_(std::move(base)), check_(std::move(check)) {}
  Status Append(std::string_view data) override {
    ADS_RETURN_IF_ERROR(check_());
    return base_->Append(data);
  }
  Status Sync() override {
    ADS_RETURN_IF_ERROR(check_());
    return base_->Sync();
  }
  Status Close() override { return base_->Close(); }

 private:
  std::unique_ptr<WritableFile> base_;
  std::function<Status()> check_;
};

}  // namespace

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewWritableFile(const std::string& p) {
  ADS_RETURN_IF_ERROR(Check(p));
  ADS_ASSIGN_OR_RETURN(auto file, base_->NewWritableFile(p));
  return std::unique_ptr<WritableFile>(
      std::make_unique<FaultyWritableFile>(std::move(file), [this, p] { return Check(p); }));
}
Result<std::unique_ptr<RandomAccessFile>> FaultInjectionEnv::NewRandomAccessFile(
    const std::string& p) {
  return base_->NewRandomAccessFile(p);
}
Status FaultInjectionEnv::SyncDir(const std::string& d) {
  ADS_RETURN_IF_ERROR(Check(d));
  return base_->SyncDir(d);
}
std::string FaultInjectionEnv::AbsolutePath(const std::string& p) { return base_->AbsolutePath(p); }
std::optional<std::string> FaultInjectionEnv::GetEnvVar(const std::string& n) {
  return base_->GetEnvVar(n);
}
std::chrono::system_clock::time_point FaultInjectionEnv::Now() { return base_->Now(); }
uint64_t FaultInjectionEnv::RandomU64() { return base_->RandomU64(); }

}  // namespace ads
