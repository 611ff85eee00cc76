#include "metadata/provenance.h"

#include <git2.h>

#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "base/logging.h"

namespace ads::metadata {
namespace {

// libgit2 keeps a global refcount; each public call holds one for its span.
class GitLibrary {
 public:
  GitLibrary() { git_libgit2_init(); }
  ~GitLibrary() { git_libgit2_shutdown(); }
  GitLibrary(const GitLibrary&) = delete;
  GitLibrary& operator=(const GitLibrary&) = delete;
};

struct RepoDeleter { void operator()(git_repository* r) const { git_repository_free(r); } };
struct RefDeleter { void operator()(git_reference* r) const { git_reference_free(r); } };
struct ObjectDeleter { void operator()(git_object* o) const { git_object_free(o); } };
struct ConfigDeleter { void operator()(git_config* c) const { git_config_free(c); } };
struct StatusDeleter { void operator()(git_status_list* s) const { git_status_list_free(s); } };
using Repo = std::unique_ptr<git_repository, RepoDeleter>;
using Ref = std::unique_ptr<git_reference, RefDeleter>;
using Object = std::unique_ptr<git_object, ObjectDeleter>;
using Config = std::unique_ptr<git_config, ConfigDeleter>;
using StatusList = std::unique_ptr<git_status_list, StatusDeleter>;

struct StrArray {
  git_strarray array{};
  ~StrArray() { git_strarray_dispose(&array); }
};

Status GitError(std::string_view what, const std::string& where) {
  const git_error* e = git_error_last();
  return IoError(std::string(what) + " " + where + ": " +
                 (e != nullptr && e->message != nullptr ? e->message : "unknown libgit2 error") +
                 ".");
}

std::string StripTrailingSlash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::string Workdir(git_repository* repo) {
  const char* dir = git_repository_workdir(repo);
  return StripTrailingSlash(dir != nullptr ? dir : git_repository_path(repo));
}

// origin's URL, else the first remote's, else file://<workdir>; read from the
// config as written (GitPython does not apply insteadOf rewrites either).
Result<std::string> RepositoryUrl(git_repository* repo, const std::string& workdir) {
  StrArray remotes;
  if (git_remote_list(&remotes.array, repo) != 0) return GitError("Cannot list remotes of", workdir);
  if (remotes.array.count == 0) return "file://" + workdir;
  std::string name = remotes.array.strings[0];
  for (size_t i = 0; i < remotes.array.count; ++i) {
    if (std::string_view(remotes.array.strings[i]) == "origin") name = "origin";
  }
  git_config* raw = nullptr;
  if (git_repository_config_snapshot(&raw, repo) != 0) {
    return GitError("Cannot read the git config of", workdir);
  }
  Config config(raw);
  const char* url = nullptr;
  if (git_config_get_string(&url, config.get(), ("remote." + name + ".url").c_str()) != 0) {
    return std::string();  // a remote with only a pushurl
  }
  return std::string(url);
}

// Fills git_branch / git_commit following HEAD; see the header for the cases.
Status ReadHead(git_repository* repo, const std::string& workdir, ModelProvenance& out) {
  if (git_repository_head_unborn(repo) == 1) {
    git_reference* raw = nullptr;
    if (git_reference_lookup(&raw, repo, "HEAD") == 0) {
      Ref head(raw);
      const char* target = git_reference_symbolic_target(head.get());
      std::string branch = target != nullptr ? target : "";
      if (branch.rfind("refs/heads/", 0) == 0) branch = branch.substr(11);
      out.git_branch = branch;
    }
    LogWarning("No commit found.");
    return OkStatus();
  }
  git_reference* raw = nullptr;
  if (git_repository_head(&raw, repo) != 0) return GitError("Cannot resolve HEAD of", workdir);
  Ref head(raw);
  git_object* commit_raw = nullptr;
  if (git_reference_peel(&commit_raw, head.get(), GIT_OBJECT_COMMIT) != 0) {
    LogWarning("No commit found.");
    return OkStatus();
  }
  Object commit(commit_raw);
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof(hex), git_object_id(commit.get()));
  out.git_commit = hex;
  if (git_repository_head_detached(repo) == 1) {
    LogWarning("HEAD of " + workdir + " is detached at " + out.git_commit +
               "; no git branch is recorded.");
  } else {
    out.git_branch = git_reference_shorthand(head.get());
  }
  return OkStatus();
}

std::string Canonical(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : StripTrailingSlash(p.lexically_normal().string());
}

bool IsUnder(std::string_view entry, std::string_view rel) {
  if (rel.empty()) return true;
  return entry == rel || (entry.size() > rel.size() && entry.substr(0, rel.size()) == rel &&
                          entry[rel.size()] == '/');
}

bool InStateFolder(std::string_view entry) {
  return entry.rfind(".ads/", 0) == 0 || entry.find("/.ads/") != std::string_view::npos;
}

bool EntryTouches(const git_status_entry* e, const std::string& rel) {
  for (const git_diff_delta* d : {e->head_to_index, e->index_to_workdir}) {
    if (d == nullptr) continue;
    for (const char* p : {d->old_file.path, d->new_file.path}) {
      if (p != nullptr && IsUnder(p, rel) && !InStateFolder(p)) return true;
    }
  }
  return false;
}

}  // namespace

Result<ModelProvenance> CollectProvenance(Env& env, const ProvenanceOptions& options) {
  GitLibrary git;
  ModelProvenance out;
  std::string git_dir = options.cwd.empty() ? "." : options.cwd;
  std::string script = options.training_script_path;
  if (!script.empty()) {
    if (!env.FileExists(script) && !env.IsDirectory(script)) {
      LogWarning("Training script " + env.AbsolutePath(script) + " does not exist.");
    } else {
      script = env.AbsolutePath(script);
      git_dir = DirName(script);
    }
  }
  git_repository* raw = nullptr;
  const int rc = git_repository_open_ext(&raw, git_dir.c_str(), 0, nullptr);
  if (rc == GIT_ENOTFOUND) return out;  // not a git repository: empty, as ADS
  if (rc != 0) return GitError("Cannot open the git repository at", git_dir);
  Repo repo(raw);
  out.repo_workdir = Workdir(repo.get());
  ADS_ASSIGN_OR_RETURN(out.repository_url, RepositoryUrl(repo.get(), out.repo_workdir));
  ADS_RETURN_IF_ERROR(ReadHead(repo.get(), out.repo_workdir, out));
  out.training_script_path = script;
  out.artifact_dir = options.artifact_dir;
  out.training_id = options.training_id;
  if (out.training_id.empty()) {
    out.training_id = env.GetEnvVar("JOB_RUN_OCID").value_or("");
    if (out.training_id.empty()) out.training_id = env.GetEnvVar("NB_SESSION_OCID").value_or("");
  }
  return out;
}

Status CheckPathNotDirty(Env& env, const ModelProvenance& provenance, const std::string& path) {
  if (path.rfind("oci://", 0) == 0 || provenance.repo_workdir.empty()) return OkStatus();
  const std::string path_abs = env.AbsolutePath(path);
  const std::string workdir = Canonical(provenance.repo_workdir);
  const std::string target = Canonical(path_abs);
  if (target != workdir && !IsUnder(target, workdir)) return OkStatus();
  const std::string rel = target == workdir ? "" : target.substr(workdir.size() + 1);

  GitLibrary git;
  git_repository* raw = nullptr;
  if (git_repository_open(&raw, provenance.repo_workdir.c_str()) != 0) {
    return GitError("Cannot open the git repository at", provenance.repo_workdir);
  }
  Repo repo(raw);
  git_status_options opts;
  git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
  opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
  git_status_list* list_raw = nullptr;
  if (git_status_list_new(&list_raw, repo.get(), &opts) != 0) {
    return GitError("Cannot read the git status of", provenance.repo_workdir);
  }
  StatusList list(list_raw);
  const size_t count = git_status_list_entrycount(list.get());
  for (size_t i = 0; i < count; ++i) {
    const git_status_entry* e = git_status_byindex(list.get(), i);
    if (e == nullptr || e->status == GIT_STATUS_CURRENT || (e->status & GIT_STATUS_IGNORED)) {
      continue;
    }
    if (EntryTouches(e, rel)) {
      return FailedPreconditionError(
          "File(s) at " + path_abs +
          " are either dirty or untracked. Please commit changes and then save the model, or "
          "set `ignore_pending_changes=True`.");
    }
  }
  return OkStatus();
}

namespace {

Json StringOrNull(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

Result<std::string> ReadField(const Json& json, const char* name, std::string_view what) {
  auto it = json.find(name);
  if (it == json.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    return InvalidArgumentError(std::string(what) + " field `" + name + "` is not a string.");
  }
  return it->get<std::string>();
}

}  // namespace

Json ProvenanceToAdsDict(const ModelProvenance& p) {
  return Json{{"git_branch", StringOrNull(p.git_branch)},
              {"git_commit", StringOrNull(p.git_commit)},
              {"repository_url", StringOrNull(p.repository_url)},
              {"training_script_path", StringOrNull(p.training_script_path)},
              {"training_id", StringOrNull(p.training_id)},
              {"artifact_dir", StringOrNull(p.artifact_dir)}};
}

Result<ModelProvenance> ProvenanceFromAdsDict(const Json& dict) {
  ModelProvenance p;
  if (dict.is_null()) return p;
  if (!dict.is_object()) return InvalidArgumentError("Provenance is not a JSON object.");
  ADS_ASSIGN_OR_RETURN(p.git_branch, ReadField(dict, "git_branch", "Provenance"));
  ADS_ASSIGN_OR_RETURN(p.git_commit, ReadField(dict, "git_commit", "Provenance"));
  ADS_ASSIGN_OR_RETURN(p.repository_url, ReadField(dict, "repository_url", "Provenance"));
  ADS_ASSIGN_OR_RETURN(p.training_script_path,
                       ReadField(dict, "training_script_path", "Provenance"));
  ADS_ASSIGN_OR_RETURN(p.training_id, ReadField(dict, "training_id", "Provenance"));
  ADS_ASSIGN_OR_RETURN(p.artifact_dir, ReadField(dict, "artifact_dir", "Provenance"));
  return p;
}

Json ProvenanceToOci(const ModelProvenance& p) {
  return Json{{"repositoryUrl", StringOrNull(p.repository_url)},
              {"gitBranch", StringOrNull(p.git_branch)},
              {"gitCommit", StringOrNull(p.git_commit)},
              {"scriptDir", StringOrNull(p.artifact_dir)},
              {"trainingScript", StringOrNull(p.training_script_path)},
              {"trainingId", StringOrNull(p.training_id)}};
}

Result<ModelProvenance> ProvenanceFromOci(const Json& json) {
  ModelProvenance p;
  if (!json.is_object()) return InvalidArgumentError("ModelProvenance is not a JSON object.");
  ADS_ASSIGN_OR_RETURN(p.repository_url, ReadField(json, "repositoryUrl", "ModelProvenance"));
  ADS_ASSIGN_OR_RETURN(p.git_branch, ReadField(json, "gitBranch", "ModelProvenance"));
  ADS_ASSIGN_OR_RETURN(p.git_commit, ReadField(json, "gitCommit", "ModelProvenance"));
  ADS_ASSIGN_OR_RETURN(p.artifact_dir, ReadField(json, "scriptDir", "ModelProvenance"));
  ADS_ASSIGN_OR_RETURN(p.training_script_path,
                       ReadField(json, "trainingScript", "ModelProvenance"));
  ADS_ASSIGN_OR_RETURN(p.training_id, ReadField(json, "trainingId", "ModelProvenance"));
  return p;
}

}  // namespace ads::metadata
