// .model-ignore: the gitignore-like list of patterns that ADS applies when it
// zips an artifact directory, and the listing of the files that get packed.
//
//   ADS_RETURN_IF_ERROR(WriteDefaultModelIgnore(env, dir));
//   ADS_ASSIGN_OR_RETURN(std::vector<std::string> files, ListArtifactFiles(env, dir));
//   // files: sorted relative paths such as "model.onnx", "score.py", "sub/x.txt"
//
// Matching follows ads/common/utils.py::get_files: for every non-empty line
// that is not a comment, a trailing "/" becomes "*", and a path is dropped when
// re.search(fnmatch.translate("/" + pattern), path) matches. We translate the
// fnmatch pattern to a regex ourselves (FnmatchTranslate) and run it with a
// small backtracking matcher, so no regex engine dialect question arises.
//
// Thread-safety: free functions and an immutable matcher; safe to share.
#ifndef ADS_ARTIFACT_MODEL_IGNORE_H_
#define ADS_ARTIFACT_MODEL_IGNORE_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/status.h"

namespace ads::artifact {

inline constexpr char kModelIgnoreFileName[] = ".model-ignore";
inline constexpr char kManifestFileName[] = "model_artifact_manifest.json";
// Our local state folder inside an artifact directory; never packed.
inline constexpr char kLocalStateDir[] = ".ads";

// The patterns of ADS's default .model-ignore, in its order.
const std::vector<std::string>& DefaultModelIgnorePatterns();
// The full default file: our comment lines plus DefaultModelIgnorePatterns().
std::string DefaultModelIgnoreContent();
// Writes DefaultModelIgnoreContent() to <dir>/.model-ignore (overwriting, as
// ADS's prepare() does).
Status WriteDefaultModelIgnore(Env& env, const std::string& dir);

// Python's fnmatch.translate(pattern) (3.11 spelling, "(?s:...)\Z").
std::string FnmatchTranslate(std::string_view pattern);

// A compiled .model-ignore.
class ModelIgnore {
 public:
  // Parses file content: blank lines and lines starting with "#" are skipped.
  static ModelIgnore Parse(std::string_view content);

  // True when `path` ('/'-separated, relative to the artifact dir, no leading
  // '/') is ignored by one of the patterns. A directory path ignores
  // everything below it (ListArtifactFiles prunes such directories).
  bool Matches(std::string_view path) const;
  const std::vector<std::string>& patterns() const { return patterns_; }

 private:
  std::vector<std::string> patterns_;  // as written, trailing "/" -> "*"
};

// Files to pack from `dir`: regular files, relative paths, sorted, without
// those that .model-ignore excludes (when the file exists), without the
// local state folder ".ads/" and without a stale model_artifact_manifest.json
// at the root (the manifest is generated at zip time). Symlinks are skipped
// with a warning, since ADS's zip would store the target's bytes and we
// refuse to follow links out of the artifact.
Result<std::vector<std::string>> ListArtifactFiles(Env& env, const std::string& dir);

}  // namespace ads::artifact

#endif  // ADS_ARTIFACT_MODEL_IGNORE_H_
