// Model artifact introspection: the 11 checks of ADS's artifact validator
// (same keys, categories, descriptions and messages, same stop-at-the-first-
// failing-stage behaviour, same JSON) and a native check set for artifacts
// that our native runtimes serve without any score.py.
//
//   IntrospectOptions opts;
//   ADS_ASSIGN_OR_RETURN(IntrospectionResult r, IntrospectArtifact(env, "model_dir", opts));
//   ADS_RETURN_IF_ERROR(SaveIntrospectionResult(env, "model_dir", r));  // test_json_output.json
//   std::cout << RenderIntrospectionTable(r);
//   if (r.status != IntrospectionStatus::kPassed) ...
//
// score.py is only parsed (Python's `ast`, run as `/usr/bin/python3 -I -S` with
// the file on stdin); user code never executes. We are offline: the conda-path
// check (`runtime_path_exist`) validates a service-pack path by its shape and,
// for a published path, reports ADS's WARNING (overall Failed) unless the
// caller supplies an object-existence callback or skips the remote check.
// docs/introspection.md gives the details.
//
// Thread-safety: functions are reentrant; IntrospectArtifact starts a child
// process and waits for it.
#ifndef ADS_ARTIFACT_INTROSPECT_H_
#define ADS_ARTIFACT_INTROSPECT_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"

namespace ads::artifact {

inline constexpr std::string_view kIntrospectionResultFile = "test_json_output.json";

// ADS's TEST_STATUS: the overall result (kSkipped = not run).
enum class IntrospectionStatus { kPassed, kFailed, kSkipped };
std::string_view IntrospectionStatusName(IntrospectionStatus status);  // "Passed", ...

enum class CheckSet {
  kAds,     // always ADS's 11 checks (what `ads model introspect` and save() run)
  kNative,  // always the native checks (model file, model parse, schema, runtime.yaml)
  kAuto,    // native when score.py is absent, or is our unmodified generated one and
            // `native_for_generated_score_py` is set; ADS's checks otherwise
};

// Answers whether oci://bucket@namespace/object exists (e.g. from our own object
// store). An error counts as "unable to validate".
using ObjectExistsFn =
    std::function<Result<bool>(const std::string& bucket, const std::string& ns,
                               const std::string& object)>;

struct IntrospectOptions {
  CheckSet check_set = CheckSet::kAds;
  bool native_for_generated_score_py = false;
  // Native checks: the model file; empty = the `model_name` of a generated score.py,
  // else the single model-looking file (.onnx/.json/.ubj/.bin) at the top level.
  std::string model_file_name;
  // runtime_path_exist for published (non service-pack) conda paths.
  ObjectExistsFn object_exists;         // consulted first when set
  bool skip_remote_path_check = false;  // accept a well-formed path without looking
  std::string python_executable = "/usr/bin/python3";
  int python_timeout_ms = 20000;
};

// One line of ADS's introspection DataFrame.
struct IntrospectionRow {
  std::string key;      // "Test key"
  std::string name;     // "Test name" (the description)
  std::string result;   // "Passed" | "Failed" | "Skipped"
  std::string message;  // error_msg for failures and for WARNING-with-null rows
};

struct IntrospectionResult {
  IntrospectionStatus status = IntrospectionStatus::kSkipped;
  bool native = false;        // which check set ran
  std::string final_message;  // "Validation Passed." or why the first failing stage failed
  Json tests = Json::object();  // ADS's TESTS dict (stored as ArtifactTestResults)
  std::vector<IntrospectionRow> rows;  // sorted by key, then name, as ADS shows them
};

// `path` is an artifact folder or a .zip file. Errors are for a path that is
// neither, an unreadable zip, or no usable Python; problems *in* the artifact
// are reported in the result.
Result<IntrospectionResult> IntrospectArtifact(Env& env, const std::string& path,
                                               const IntrospectOptions& options = {});

// Fills result.rows and result.status from result.tests (status: Passed iff `passed`).
void FinishIntrospectionResult(bool passed, IntrospectionResult& result);

// json.dump(TESTS, f, indent=4) bytes.
std::string IntrospectionJsonText(const IntrospectionResult& result);
// Writes <artifact_dir>/test_json_output.json atomically.
Status SaveIntrospectionResult(Env& env, const std::string& artifact_dir,
                               const IntrospectionResult& result);

// A plain-text table (Test key | Test name | Result | Message) and the status.
std::string RenderIntrospectionTable(const IntrospectionResult& result);

}  // namespace ads::artifact

#endif  // ADS_ARTIFACT_INTROSPECT_H_
