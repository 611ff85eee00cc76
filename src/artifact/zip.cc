#include "artifact/zip.h"

#include <zip.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <memory>
#include <set>

#include "artifact/model_ignore.h"
#include "base/hash.h"
#include "base/strings.h"

namespace ads::artifact {
namespace {

constexpr uint32_t kUnixTypeMask = 0170000;
constexpr uint32_t kUnixRegular = 0100000;
constexpr uint32_t kUnixDirectory = 0040000;
constexpr uint32_t kUnixSymlink = 0120000;
constexpr uint64_t kMaxManifestBytes = 64ULL << 20;
constexpr size_t kReadChunk = 64 * 1024;

struct ZipCloser {
  void operator()(zip_t* za) const { zip_discard(za); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
using ZipFilePtr = std::unique_ptr<zip_file_t, ZipFileCloser>;
struct SourceFreer {
  void operator()(zip_source_t* s) const { zip_source_free(s); }
};
using SourcePtr = std::unique_ptr<zip_source_t, SourceFreer>;

std::string IsoUtcSeconds(std::chrono::system_clock::time_point now) {
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S+00:00", &tm);
  return buf;
}

// Opens an archive held in `bytes` (which must outlive the result).
Result<ZipPtr> OpenBuffer(std::string_view bytes, std::string_view what, int flags) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (src == nullptr) {
    std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    return InternalError("Cannot read " + std::string(what) + ": " + text + ".");
  }
  zip_t* za = zip_open_from_source(src, flags | ZIP_RDONLY, &error);
  if (za == nullptr) {
    zip_source_free(src);
    std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    return InvalidArgumentError(std::string(what) + " is not a valid zip archive (" + text + ").");
  }
  zip_error_fini(&error);
  return ZipPtr(za);
}

Result<ZipMember> StatMember(zip_t* za, zip_uint64_t index, std::string_view what) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(za, index, 0, &st) != 0 || st.name == nullptr) {
    return InvalidArgumentError(std::string(what) + ": cannot read entry #" +
                                std::to_string(index) + " (" + zip_strerror(za) + ").");
  }
  ZipMember m;
  m.name = st.name;
  m.size = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
  m.compressed_size = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
  m.compression_method = (st.valid & ZIP_STAT_COMP_METHOD) ? st.comp_method : 0;
  m.encrypted = (st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE;
  m.is_directory = !m.name.empty() && m.name.back() == '/';
  zip_uint8_t opsys = 0;
  zip_uint32_t attributes = 0;
  if (zip_file_get_external_attributes(za, index, 0, &opsys, &attributes) == 0 &&
      opsys == ZIP_OPSYS_UNIX) {
    m.unix_mode = attributes >> 16;
    m.is_symlink = (m.unix_mode & kUnixTypeMask) == kUnixSymlink;
  }
  return m;
}

Result<std::vector<ZipMember>> ListOpen(zip_t* za, std::string_view what) {
  zip_int64_t n = zip_get_num_entries(za, 0);
  std::vector<ZipMember> members;
  for (zip_int64_t i = 0; i < n; ++i) {
    ADS_ASSIGN_OR_RETURN(ZipMember m, StatMember(za, static_cast<zip_uint64_t>(i), what));
    members.push_back(std::move(m));
  }
  return members;
}

}  // namespace

Json BuildManifest(const std::vector<std::pair<std::string, std::string_view>>& files,
                   std::chrono::system_clock::time_point now, const std::string& generated_by) {
  Json entries = Json::object();
  for (const auto& [name, data] : files) {
    entries[name] = Json{{"sha256", Sha256Hex(data)}, {"size", data.size()}};
  }
  return Json{{"files", entries},
              {"generated_at", IsoUtcSeconds(now)},
              {"generated_by", generated_by},
              {"version", kManifestVersion}};
}

std::string SerializeManifest(const Json& manifest) {
  PythonJsonOptions options;
  options.indent = 2;
  options.sort_keys = true;
  return DumpPythonJson(manifest, options);
}

namespace {

// Adds `data` (kept alive by the caller until the archive is closed) as a
// stored member with unix permission bits, as Python's ZipFile.write does.
Status AddMember(zip_t* za, const std::string& name, std::string_view data, uint32_t mode,
                 std::chrono::system_clock::time_point mtime) {
  zip_source_t* src = zip_source_buffer(za, data.data(), data.size(), 0);
  if (src == nullptr) return InternalError("Cannot add " + Quoted(name) + " to the archive.");
  zip_int64_t index = zip_file_add(za, name.c_str(), src, ZIP_FL_ENC_UTF_8);
  if (index < 0) {
    zip_source_free(src);
    return InternalError("Cannot add " + Quoted(name) + " to the archive: " + zip_strerror(za) +
                         ".");
  }
  auto idx = static_cast<zip_uint64_t>(index);
  std::time_t t = std::chrono::system_clock::to_time_t(mtime);
  if (t < 315532800) t = 315532800;  // zip (DOS) times start in 1980
  if (zip_set_file_compression(za, idx, ZIP_CM_STORE, 0) != 0 ||
      zip_file_set_mtime(za, idx, t, 0) != 0 ||
      zip_file_set_external_attributes(za, idx, 0, ZIP_OPSYS_UNIX,
                                       (kUnixRegular | (mode & 07777)) << 16) != 0) {
    return InternalError("Cannot set the attributes of " + Quoted(name) + ": " +
                         zip_strerror(za) + ".");
  }
  return OkStatus();
}

// Builds the archive in memory and returns its bytes.
Result<std::string> BuildArchive(
    const std::vector<std::string>& names, const std::vector<std::string>& contents,
    const std::vector<FileInfo>& infos, const std::string* manifest_text,
    std::chrono::system_clock::time_point now) {
  zip_error_t error;
  zip_error_init(&error);
  SourcePtr src(zip_source_buffer_create(nullptr, 0, 0, &error));
  zip_error_fini(&error);
  if (!src) return InternalError("Cannot create an in-memory zip archive.");
  zip_source_keep(src.get());
  zip_error_init(&error);
  zip_t* raw = zip_open_from_source(src.get(), ZIP_TRUNCATE, &error);
  zip_error_fini(&error);
  if (raw == nullptr) {
    return InternalError("Cannot create an in-memory zip archive.");
  }
  ZipPtr za(raw);
  for (size_t i = 0; i < names.size(); ++i) {
    ADS_RETURN_IF_ERROR(AddMember(za.get(), names[i], contents[i], infos[i].mode,
                                  infos[i].modified));
  }
  if (manifest_text != nullptr) {
    ADS_RETURN_IF_ERROR(AddMember(za.get(), kManifestFileName, *manifest_text, 0644, now));
  }
  if (zip_close(za.get()) != 0) {
    return InternalError(std::string("Cannot write the zip archive: ") + zip_strerror(za.get()) +
                         ".");
  }
  za.release();  // zip_close freed it
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_source_stat(src.get(), &st) != 0 || zip_source_open(src.get()) != 0) {
    return InternalError("Cannot read back the in-memory zip archive.");
  }
  std::string bytes(st.size, '\0');
  zip_int64_t got = zip_source_read(src.get(), bytes.data(), st.size);
  zip_source_close(src.get());
  if (got < 0 || static_cast<zip_uint64_t>(got) != st.size) {
    return InternalError("Cannot read back the in-memory zip archive.");
  }
  return bytes;
}

}  // namespace

Result<PackResult> PackArtifact(Env& env, const std::string& dir, const std::string& zip_path,
                                const PackOptions& options) {
  ADS_ASSIGN_OR_RETURN(std::vector<std::string> names, ListArtifactFiles(env, dir));
  PackResult result;
  std::vector<std::string> contents;
  std::vector<FileInfo> infos;
  std::vector<std::pair<std::string, std::string_view>> for_manifest;
  contents.reserve(names.size());
  for (const std::string& name : names) {
    std::string path = JoinPath(dir, name);
    ADS_ASSIGN_OR_RETURN(FileInfo info, env.Stat(path));
    ADS_ASSIGN_OR_RETURN(std::string data, env.ReadFile(path));
    result.total_uncompressed_bytes += data.size();
    contents.push_back(std::move(data));
    infos.push_back(info);
  }
  for (size_t i = 0; i < names.size(); ++i) for_manifest.emplace_back(names[i], contents[i]);
  auto now = env.Now();
  result.manifest = BuildManifest(for_manifest, now, options.generated_by);
  std::string manifest_text = SerializeManifest(result.manifest);
  ADS_ASSIGN_OR_RETURN(std::string bytes,
                       BuildArchive(names, contents, infos,
                                    options.write_manifest ? &manifest_text : nullptr, now));
  ADS_RETURN_IF_ERROR(env.WriteFileAtomic(zip_path, bytes));
  result.files = std::move(names);
  result.archive_bytes = bytes.size();
  return result;
}

Result<std::vector<ZipMember>> ListZipMembersInBuffer(std::string_view zip_bytes,
                                                      std::string_view what) {
  ADS_ASSIGN_OR_RETURN(ZipPtr za, OpenBuffer(zip_bytes, what, 0));
  return ListOpen(za.get(), what);
}

Result<std::vector<ZipMember>> ListZipMembers(Env& env, const std::string& zip_path) {
  ADS_ASSIGN_OR_RETURN(std::string bytes, env.ReadFile(zip_path));
  return ListZipMembersInBuffer(bytes, zip_path);
}

namespace {

// One clear rejection naming the archive and the entry.
Status Reject(std::string_view what, const std::string& entry, std::string_view why) {
  return InvalidArgumentError(std::string(what) + ": entry " + Quoted(entry) + " " +
                              std::string(why) + ".");
}

// Checks an entry name: relative, '/'-separated, no "..", ".", empty
// components or backslashes.
Status CheckEntryName(std::string_view what, const ZipMember& m) {
  const std::string& name = m.name;
  if (name.empty()) return InvalidArgumentError(std::string(what) + " has an entry with an empty name.");
  if (name.front() == '/') return Reject(what, name, "has an absolute path");
  if (name.find('\\') != std::string::npos) return Reject(what, name, "contains a backslash");
  if (name.size() >= 2 && name[1] == ':') return Reject(what, name, "has a drive letter");
  std::string_view body(name);
  if (m.is_directory) body.remove_suffix(1);
  for (const std::string& part : Split(body, '/')) {
    if (part == "..") return Reject(what, name, "contains a \"..\" component");
    if (part.empty() || part == ".") return Reject(what, name, "is not a normalised path");
  }
  return OkStatus();
}

Status CheckMember(std::string_view what, const ZipMember& m) {
  ADS_RETURN_IF_ERROR(CheckEntryName(what, m));
  if (m.encrypted) return Reject(what, m.name, "is encrypted");
  if (m.is_symlink) return Reject(what, m.name, "is a symbolic link");
  uint32_t type = m.unix_mode & kUnixTypeMask;
  if (type != 0 && type != kUnixRegular && type != kUnixDirectory) {
    return Reject(what, m.name, "is not a regular file or folder");
  }
  if (type == kUnixDirectory && !m.is_directory) {
    return Reject(what, m.name, "is marked as a folder but its name does not end with \"/\"");
  }
  return OkStatus();
}

// Rejects duplicate names and a name used both as a file and as a folder.
Status CheckNameSet(std::string_view what, const std::vector<ZipMember>& members) {
  std::set<std::string> seen, files, dirs;
  for (const ZipMember& m : members) {
    if (!seen.insert(m.name).second) return Reject(what, m.name, "appears more than once");
    std::string path = m.is_directory ? m.name.substr(0, m.name.size() - 1) : m.name;
    (m.is_directory ? dirs : files).insert(path);
    for (size_t p = path.find('/'); p != std::string::npos; p = path.find('/', p + 1)) {
      dirs.insert(path.substr(0, p));
    }
  }
  for (const std::string& f : files) {
    if (dirs.count(f) != 0) return Reject(what, f, "is used both as a file and as a folder");
  }
  return OkStatus();
}

// Reads one entry, counting real bytes against both the declared size and
// the remaining budget, so lying headers cannot expand past the limit.
Result<std::string> ReadEntry(zip_t* za, zip_uint64_t index, const ZipMember& m,
                              std::string_view what, uint64_t budget) {
  ZipFilePtr file(zip_fopen_index(za, index, 0));
  if (!file) {
    return Reject(what, m.name, std::string("cannot be opened (") + zip_strerror(za) + ")");
  }
  std::string out;
  char buf[kReadChunk];
  while (true) {
    zip_int64_t n = zip_fread(file.get(), buf, sizeof(buf));
    if (n < 0) {
      return Reject(what, m.name,
                    std::string("is corrupt (") + zip_file_strerror(file.get()) + ")");
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > m.size) return Reject(what, m.name, "expands beyond its declared size");
    if (out.size() > budget) {
      return Reject(what, m.name, "expands beyond the archive size limit");
    }
  }
  if (out.size() != m.size) return Reject(what, m.name, "is shorter than its declared size");
  return out;
}

struct ManifestCheck {
  bool present = false;
  Json manifest;
  std::map<std::string, std::pair<std::string, uint64_t>> files;  // sha256, size
};

Result<ManifestCheck> ReadManifest(zip_t* za, const std::vector<ZipMember>& members,
                                   std::string_view what) {
  ManifestCheck check;
  for (size_t i = 0; i < members.size(); ++i) {
    if (members[i].name != kManifestFileName) continue;
    if (members[i].size > kMaxManifestBytes) {
      return Reject(what, members[i].name, "is too large to be a manifest");
    }
    ADS_ASSIGN_OR_RETURN(std::string text, ReadEntry(za, i, members[i], what, kMaxManifestBytes));
    ADS_ASSIGN_OR_RETURN(check.manifest, ParseJson(text, kManifestFileName));
    const Json& files = check.manifest.is_object() && check.manifest.contains("files")
                            ? check.manifest["files"] : Json();
    if (!files.is_object()) {
      return InvalidArgumentError(std::string(what) + ": " + kManifestFileName +
                                  " has no \"files\" object.");
    }
    for (const auto& [name, entry] : files.items()) {
      if (!entry.is_object() || !entry.contains("sha256") || !entry["sha256"].is_string() ||
          !entry.contains("size") || !entry["size"].is_number_unsigned()) {
        return InvalidArgumentError(std::string(what) + ": " + kManifestFileName +
                                    " entry " + Quoted(name) +
                                    " needs a string \"sha256\" and a non-negative \"size\".");
      }
      check.files[name] = {entry["sha256"].get<std::string>(), entry["size"].get<uint64_t>()};
    }
    check.present = true;
  }
  return check;
}

// ADS's exact-file-set rule, with its message.
Status CompareFileSets(const ManifestCheck& manifest, const std::vector<ZipMember>& members) {
  std::set<std::string> archive;
  for (const ZipMember& m : members) {
    if (!m.is_directory && m.name != kManifestFileName) archive.insert(m.name);
  }
  std::vector<std::string> missing, extra;
  for (const auto& [name, unused] : manifest.files) {
    if (archive.count(name) == 0) missing.push_back(name);
  }
  for (const std::string& name : archive) {
    if (manifest.files.count(name) == 0) extra.push_back(name);
  }
  if (missing.empty() && extra.empty()) return OkStatus();
  std::vector<std::string> parts;
  if (!missing.empty()) parts.push_back("missing files: " + Join(missing, ", "));
  if (!extra.empty()) parts.push_back("extra files: " + Join(extra, ", "));
  return DataLossError("Model artifact manifest does not match archive contents (" +
                       Join(parts, "; ") + ").");
}

struct Extraction {
  Env& env;
  zip_t* za;
  std::string_view what;
  const ExtractOptions& options;
  std::string temp_dir;

  Status WriteAll(const std::vector<ZipMember>& members, const ManifestCheck& manifest,
                  ExtractResult* result) {
    for (size_t i = 0; i < members.size(); ++i) {
      const ZipMember& m = members[i];
      if (m.name == kManifestFileName) continue;
      std::string path = JoinPath(temp_dir, m.name);
      if (m.is_directory) {
        ADS_RETURN_IF_ERROR(env.CreateDirs(path));
        continue;
      }
      ADS_ASSIGN_OR_RETURN(std::string data,
                           ReadEntry(za, i, m, what, options.max_total_bytes - result->total_bytes));
      result->total_bytes += data.size();
      if (manifest.present) {
        const auto& [sha, size] = manifest.files.at(m.name);
        if (data.size() != size) {
          return DataLossError("Model artifact file " + Quoted(m.name) + " size mismatch.");
        }
        if (Sha256Hex(data) != ToLower(sha)) {
          return DataLossError("Model artifact file " + Quoted(m.name) + " hash mismatch.");
        }
      }
      ADS_RETURN_IF_ERROR(env.CreateDirs(DirName(path)));
      ADS_RETURN_IF_ERROR(env.WriteFile(path, data));
      uint32_t perms = m.unix_mode & 0777;
      if (perms != 0) ADS_RETURN_IF_ERROR(env.SetMode(path, perms | 0600));
      result->files.push_back(m.name);
    }
    std::sort(result->files.begin(), result->files.end());
    return OkStatus();
  }
};

// All checks that need no extraction: names, types, counts, declared sizes,
// manifest file set.
Status Precheck(std::string_view zip_bytes, const std::vector<ZipMember>& members,
                std::string_view what, const ExtractOptions& options) {
  if (members.size() > options.max_entries) {
    return OutOfRangeError(std::string(what) + " has " + std::to_string(members.size()) +
                           " entries, more than the limit of " +
                           std::to_string(options.max_entries) + ".");
  }
  uint64_t declared = 0;
  for (const ZipMember& m : members) {
    ADS_RETURN_IF_ERROR(CheckMember(what, m));
    declared += m.size;
    if (m.size > options.max_total_bytes || declared > options.max_total_bytes) {
      return OutOfRangeError(std::string(what) + ": entry " + Quoted(m.name) +
                             " brings the declared expanded size past the limit of " +
                             std::to_string(options.max_total_bytes) + " bytes.");
    }
  }
  ADS_RETURN_IF_ERROR(CheckNameSet(what, members));
  // libzip's consistency check compares local headers with the central
  // directory; it refuses duplicates too, which CheckNameSet named above.
  auto consistent = OpenBuffer(zip_bytes, what, ZIP_CHECKCONS);
  if (!consistent.ok()) return consistent.status();
  return OkStatus();
}

}  // namespace

Result<ExtractResult> ExtractArtifactFromBuffer(Env& env, std::string_view zip_bytes,
                                                const std::string& target_dir,
                                                const ExtractOptions& options,
                                                std::string_view what) {
  if (env.FileExists(target_dir) || env.IsDirectory(target_dir)) {
    ADS_ASSIGN_OR_RETURN(std::vector<std::string> existing, env.ListDir(target_dir));
    if (!existing.empty()) {
      return AlreadyExistsError("Cannot extract " + std::string(what) + ": " +
                                Quoted(target_dir) + " already exists and is not empty.");
    }
  }
  ADS_ASSIGN_OR_RETURN(ZipPtr za, OpenBuffer(zip_bytes, what, 0));
  ADS_ASSIGN_OR_RETURN(std::vector<ZipMember> members, ListOpen(za.get(), what));
  ADS_RETURN_IF_ERROR(Precheck(zip_bytes, members, what, options));
  ADS_ASSIGN_OR_RETURN(ManifestCheck manifest, ReadManifest(za.get(), members, what));
  if (!manifest.present && options.require_manifest) {
    return InvalidArgumentError(std::string(what) + " has no " + kManifestFileName + ".");
  }
  if (manifest.present) ADS_RETURN_IF_ERROR(CompareFileSets(manifest, members));

  std::string parent = DirName(env.AbsolutePath(target_dir));
  ADS_RETURN_IF_ERROR(env.CreateDirs(parent));
  ADS_ASSIGN_OR_RETURN(std::string temp_dir, env.MakeTempDir(".ads-extract-", parent));
  ExtractResult result;
  result.had_manifest = manifest.present;
  result.manifest = manifest.manifest;
  Extraction extraction{env, za.get(), what, options, temp_dir};
  Status status = extraction.WriteAll(members, manifest, &result);
  if (status.ok() && env.IsDirectory(target_dir)) status = env.RemoveAll(target_dir);
  if (status.ok()) status = env.Rename(temp_dir, target_dir);
  if (!status.ok()) {
    env.RemoveAll(temp_dir).IgnoreError();
    return status;
  }
  return result;
}

Result<ExtractResult> ExtractArtifact(Env& env, const std::string& zip_path,
                                      const std::string& target_dir,
                                      const ExtractOptions& options) {
  ADS_ASSIGN_OR_RETURN(std::string bytes, env.ReadFile(zip_path));
  return ExtractArtifactFromBuffer(env, bytes, target_dir, options, zip_path);
}

}  // namespace ads::artifact
