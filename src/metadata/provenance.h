// Model provenance: where the training code came from (git repository, branch,
// commit), which script and job trained the model, and where the artifact is.
// Collected from git with libgit2 as ADS's
// ModelProvenanceMetadata.fetch_training_code_details does.
//
//   ProvenanceOptions options{.training_script_path = "train.py", .artifact_dir = "art"};
//   ADS_ASSIGN_OR_RETURN(ModelProvenance p, CollectProvenance(*Env::Default(), options));
//   ADS_RETURN_IF_ERROR(CheckPathNotDirty(*Env::Default(), p, "art"));  // optional
//
// Rules (see docs/metadata.md): the repository is found from the script's
// directory (or `cwd`) searching parents; no repository gives an empty
// provenance. A detached HEAD keeps the commit but records no branch (ADS
// records neither) and logs a warning; an empty repository records the unborn
// branch, no commit, and warns "No commit found.".
// libgit2 reads the real file system, so only the script-existence check goes
// through `env`. Thread-safety: functions are safe to call concurrently.
#ifndef ADS_METADATA_PROVENANCE_H_
#define ADS_METADATA_PROVENANCE_H_

#include <string>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"

namespace ads::metadata {

struct ModelProvenance {
  std::string repository_url;
  std::string git_branch;
  std::string git_commit;
  std::string training_script_path;
  std::string training_id;
  std::string artifact_dir;
  // The repository's working directory; local only, never serialised (ADS's
  // `repo`). Empty when no repository was found.
  std::string repo_workdir;

  bool empty() const {
    return repository_url.empty() && git_branch.empty() && git_commit.empty() &&
           training_script_path.empty() && training_id.empty() && artifact_dir.empty();
  }
};

struct ProvenanceOptions {
  std::string training_script_path;  // optional; made absolute when it exists
  std::string training_id;           // empty: JOB_RUN_OCID, else NB_SESSION_OCID
  std::string artifact_dir;          // recorded as given
  std::string cwd;                   // search start without a script; empty: "."
};

Result<ModelProvenance> CollectProvenance(Env& env, const ProvenanceOptions& options);

// ADS's assert_path_not_dirty: FailedPrecondition with ADS's ChangesNotCommitted
// text when `path` (file or directory) has modified, staged or untracked files.
// OK for oci:// paths, without a repository, or for paths outside it. Our own
// `.ads/` state folders are not counted.
Status CheckPathNotDirty(Env& env, const ModelProvenance& provenance, const std::string& path);

// ADS dict (to_dict): git_branch, git_commit, repository_url,
// training_script_path, training_id, artifact_dir; empty -> null.
Json ProvenanceToAdsDict(const ModelProvenance& provenance);
Result<ModelProvenance> ProvenanceFromAdsDict(const Json& dict);
// OCI REST ModelProvenance: repositoryUrl, gitBranch, gitCommit, scriptDir
// (= artifact_dir), trainingScript, trainingId; empty -> null.
Json ProvenanceToOci(const ModelProvenance& provenance);
Result<ModelProvenance> ProvenanceFromOci(const Json& json);

}  // namespace ads::metadata

#endif  // ADS_METADATA_PROVENANCE_H_
