// Internals of introspection shared by introspect*.cc and their tests: the
// child-process runner, the `ast`-based score.py scan and the native checks.
// Not part of the artifact/ public API.
//
// Thread-safety: reentrant.
#ifndef ADS_ARTIFACT_INTROSPECT_INTERNAL_H_
#define ADS_ARTIFACT_INTROSPECT_INTERNAL_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "artifact/introspect.h"
#include "base/env.h"
#include "base/json.h"
#include "base/status.h"

namespace ads::artifact::internal {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
};

// Runs argv[0] (an absolute path; no PATH search) with `input` on stdin and a
// minimal environment, waits up to `timeout_ms` (then kills it). This is the
// one OS effect not behind Env: base/ has no process API.
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, std::string_view input,
                                 int timeout_ms);

struct FunctionSignature {
  std::vector<std::string> args;  // positional-or-keyword parameter names
  size_t defaults = 0;            // how many of them have defaults
};

struct ScoreScan {
  enum Outcome {
    kParsed,       // `functions` holds the top-level (non-async) defs; later defs win
    kSyntaxError,  // `error` is str(SyntaxError)
    kOtherError,   // decoding or parser failure that is not a SyntaxError; `error` is str(e)
  };
  Outcome outcome = kOtherError;
  std::string error;
  std::map<std::string, FunctionSignature> functions;
};

// Parses `source` (the raw bytes of score.py) with Python's ast, exactly as
// ADS's validator reads it (UTF-8, universal newlines).
Result<ScoreScan> ScanScorePy(const std::string& python, std::string_view source, int timeout_ms);

// The artifact as introspection sees it.
struct ArtifactView {
  std::string path;                 // folder or zip
  bool is_zip = false;
  std::vector<std::string> names;   // folder: ListDir; zip: every member name
  std::map<std::string, std::string> zip_files;  // zip: top-level member bytes by name
  std::map<std::string, std::string> zip_checked;  // zip: score.py/runtime.yaml at depth <= 2
};

// Reads a file of the artifact: top level of a folder, or a zip member
// (top-level members only).
Result<std::string> ReadArtifactFile(Env& env, const ArtifactView& view, const std::string& name);

// The native check set; fills result.tests and returns whether all passed.
Result<bool> RunNativeChecks(Env& env, const ArtifactView& view, const IntrospectOptions& options,
                             IntrospectionResult& result);

// Python's truthiness and str() for a JSON/YAML value.
bool PyTruthy(const Json& value);
std::string PyStr(const Json& value);

}  // namespace ads::artifact::internal

#endif  // ADS_ARTIFACT_INTROSPECT_INTERNAL_H_
