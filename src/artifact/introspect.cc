#include "artifact/introspect.h"

#include <zip.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "artifact/introspect_internal.h"
#include "artifact/score_py.h"
#include "base/strings.h"
#include "base/yaml.h"

namespace ads::artifact {
namespace {

using internal::ArtifactView;
using internal::PyStr;
using internal::PyTruthy;

constexpr std::string_view kPassedMessage = "Validation Passed.";
constexpr std::string_view kPathWarningPublished =
    "WARNING: Unable to validate if INFERENCE_ENV_PATH exists. Please check whether provided path "
    "is correct or user is authorized to access the file";

// ADS's TESTS table, in ADS's order. Only score_py carries "key".
Json InitialTests() {
  struct Spec {
    const char* key;
    const char* category;
    const char* description;
    const char* error_msg;
  };
  static const Spec kSpecs[] = {
      {"score_py", "Mandatory Files Check",
       "Check that the file \"score.py\" exists and is in the top level directory of the artifact "
       "directory",
       "The file 'score.py' is missing."},
      {"runtime_yaml", "Mandatory Files Check",
       "Check that the file \"runtime.yaml\" exists and is in the top level directory of the "
       "artifact directory",
       "The file 'runtime.yaml' is missing."},
      {"score_syntax", "score.py", "Check for Python syntax errors",
       "There is Syntax error in score.py: "},
      {"score_load_model", "score.py", "Check that load_model() is defined",
       "Function load_model is not present in score.py."},
      {"score_predict", "score.py", "Check that predict() is defined",
       "Function predict is not present in score.py."},
      {"score_predict_data", "score.py",
       "Check that the only required argument for predict() is named \"data\"",
       "The predict function in score.py must have a formal argument named 'data'."},
      {"score_predict_arg", "score.py",
       "Check that all other arguments in predict() are optional and have default values",
       "All formal arguments in the predict function must have default values, except that 'data' "
       "argument."},
      {"runtime_version", "runtime.yaml", "Check that field MODEL_ARTIFACT_VERSION is set to 3.0",
       "In runtime.yaml, the key MODEL_ARTIFACT_VERSION must be set to 3.0."},
      {"runtime_env_python", "conda_env",
       "Check that field MODEL_DEPLOYMENT.INFERENCE_PYTHON_VERSION is set to a value of 3.6 or "
       "higher",
       "In runtime.yaml, the key MODEL_DEPLOYMENT.INFERENCE_PYTHON_VERSION must be set to a value "
       "of 3.6 or higher."},
      {"runtime_env_path", "conda_env",
       "Check that field MODEL_DEPLOYMENT.INFERENCE_ENV_PATH is set",
       "In runtime.yaml, the key MODEL_DEPLOYMENT.INFERENCE_ENV_PATH must have a value."},
      {"runtime_path_exist", "conda_env",
       "Check that the file path in MODEL_DEPLOYMENT.INFERENCE_ENV_PATH is correct.",
       "In runtime.yaml, the key MODEL_DEPLOYMENT.INFERENCE_ENV_PATH does not exist."},
  };
  Json tests = Json::object();
  for (const Spec& s : kSpecs) {
    Json t = Json::object();
    if (std::string_view(s.key) == "score_py") t["key"] = s.key;
    t["category"] = s.category;
    t["description"] = s.description;
    t["error_msg"] = s.error_msg;
    tests[s.key] = std::move(t);
  }
  return tests;
}

// combine_msgs: the error messages of the listed tests that did not succeed.
std::string CombineMessages(const Json& tests, std::initializer_list<const char*> keys) {
  std::vector<std::string> msgs;
  for (const char* k : keys) {
    const Json& t = tests.at(k);
    if (!t.contains("success") || !PyTruthy(t["success"])) msgs.push_back(t["error_msg"]);
  }
  return Join(msgs, "\n");
}

// A stage returns "" when it passed, else the message that ends validation.
using StageMessage = std::string;

StageMessage CheckMandatoryFiles(const ArtifactView& view, Json& tests) {
  bool score = false, runtime = false;
  for (const std::string& name : view.names) {
    const std::string base = BaseName(name);
    score = score || base == "score.py";
    runtime = runtime || base == "runtime.yaml";
  }
  tests["score_py"]["success"] = score;
  tests["runtime_yaml"]["success"] = runtime;
  return CombineMessages(tests, {"score_py", "runtime_yaml"});
}

// Reads score.py or runtime.yaml as the validator opens it.
Result<std::string> ReadCheckedFile(Env& env, const ArtifactView& view, const std::string& name) {
  if (view.is_zip) {
    auto it = view.zip_checked.find(name);
    if (it == view.zip_checked.end()) {
      return NotFoundError("The zip has no " + name + " at its top level or one folder down.");
    }
    return it->second;
  }
  return env.ReadFile(JoinPath(view.path, name));
}

Result<StageMessage> CheckScoreFile(Env& env, const ArtifactView& view,
                                    const IntrospectOptions& options, Json& tests) {
  auto source = ReadCheckedFile(env, view, "score.py");
  if (!source.ok()) return "score.py cannot be read: " + source.status().message();
  ADS_ASSIGN_OR_RETURN(internal::ScoreScan scan,
                       internal::ScanScorePy(options.python_executable, *source,
                                             options.python_timeout_ms));
  if (scan.outcome == internal::ScoreScan::kOtherError) return scan.error;
  if (scan.outcome == internal::ScoreScan::kSyntaxError) {
    Json& t = tests["score_syntax"];
    t["success"] = false;
    t["error_msg"] = t["error_msg"].get<std::string>() + scan.error;
    return t["error_msg"].get<std::string>();
  }
  tests["score_syntax"]["success"] = true;
  tests["score_predict"]["success"] = scan.functions.count("predict") > 0;
  tests["score_load_model"]["success"] = scan.functions.count("load_model") > 0;
  std::string msg = CombineMessages(tests, {"score_predict", "score_load_model"});
  if (!msg.empty()) return msg;
  const internal::FunctionSignature& predict = scan.functions["predict"];
  // ADS indexes args[0] unguarded; `def predict():` ends with Python's IndexError text.
  if (predict.args.empty()) return std::string("list index out of range");
  if (predict.args[0] != "data") {
    tests["score_predict_data"]["success"] = false;
    return tests["score_predict_data"]["error_msg"].get<std::string>();
  }
  tests["score_predict_data"]["success"] = true;
  const bool defaults_ok = predict.defaults == predict.args.size() - 1;
  tests["score_predict_arg"]["success"] = defaults_ok;
  return defaults_ok ? "" : tests["score_predict_arg"]["error_msg"].get<std::string>();
}

struct DeploymentFields {
  Json env_type;  // INFERENCE_ENV_TYPE (last one seen)
};

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// ADS's ^([3])(\.([6-9]|1[0-2]))(\.\d+)?$ as a scan: a std::regex would
// recurse once per character of a long value and overflow the stack.
bool MatchesPythonVersion(std::string_view text) {
  if (text.substr(0, 2) != "3.") return false;
  text.remove_prefix(2);
  size_t minor_len = 0;
  while (minor_len < text.size() && IsAsciiDigit(text[minor_len])) ++minor_len;
  const std::string_view minor = text.substr(0, minor_len);
  const bool minor_ok = (minor.size() == 1 && minor[0] >= '6') ||
                        (minor.size() == 2 && minor[0] == '1' && minor[1] <= '2');
  if (!minor_ok) return false;
  text.remove_prefix(minor_len);
  if (text.empty()) return true;
  if (text[0] != '.' || text.size() == 1) return false;
  return std::all_of(text.begin() + 1, text.end(), IsAsciiDigit);
}

// model_deployment_find_fields: a recursive walk of MODEL_DEPLOYMENT.
void FindDeploymentFields(const Json& cfg, DeploymentFields& found, Json& tests) {
  if (!cfg.is_object()) return;
  for (const auto& [key, value] : cfg.items()) {
    if (key == "INFERENCE_ENV_TYPE") {
      found.env_type = value;
    } else if (key == "INFERENCE_ENV_PATH" && PyTruthy(value)) {
      tests["runtime_env_path"]["success"] = true;
      tests["runtime_env_path"]["value"] = value;
    } else if (key == "INFERENCE_PYTHON_VERSION") {
      std::string text = PyStr(value);
      // Python's `$` also matches before one final newline.
      if (!text.empty() && text.back() == '\n') text.pop_back();
      if (MatchesPythonVersion(text)) {
        tests["runtime_env_python"]["success"] = true;
        tests["runtime_env_python"]["value"] = value;
      }
    } else {
      FindDeploymentFields(value, found, tests);
    }
  }
}

// The parts of urllib.parse.urlparse the check uses; nullopt fields are Python's None.
struct ParsedUrl {
  std::string scheme;
  std::optional<std::string> username;
  std::optional<std::string> hostname;
  std::string path;
};

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The length of a leading URL scheme ([A-Za-z][A-Za-z0-9+.-]*), 0 if none;
// the scheme only counts when a ':' follows it.
size_t SchemeLength(std::string_view url) {
  if (url.empty() || !IsAsciiAlpha(url[0])) return 0;
  size_t n = 1;
  while (n < url.size() && (IsAsciiAlpha(url[n]) || IsAsciiDigit(url[n]) || url[n] == '+' ||
                            url[n] == '.' || url[n] == '-')) {
    ++n;
  }
  return n < url.size() && url[n] == ':' ? n : 0;
}

ParsedUrl ParseUrl(std::string_view url) {
  ParsedUrl u;
  if (const size_t n = SchemeLength(url); n > 0) {
    u.scheme = ToLower(url.substr(0, n));
    url.remove_prefix(n + 1);
  }
  url = url.substr(0, url.find_first_of("?#"));
  if (url.substr(0, 2) == "//") {
    url.remove_prefix(2);
    const size_t end = url.find('/');
    std::string_view netloc = url.substr(0, end);
    u.path = end == std::string_view::npos ? "" : std::string(url.substr(end));
    const size_t at = netloc.rfind('@');
    std::string_view host = netloc;
    if (at != std::string_view::npos) {
      std::string_view user = netloc.substr(0, at);
      u.username = std::string(user.substr(0, user.find(':')));
      host = netloc.substr(at + 1);
    }
    host = host.substr(0, host.find(':'));
    if (!host.empty()) u.hostname = ToLower(host);
  } else {
    u.path = std::string(url);
  }
  return u;
}

// runtime_path_exist, offline (see docs/introspection.md).
StageMessage CheckEnvPathExists(const Json& env_path, const Json& env_type,
                                const IntrospectOptions& options, Json& tests) {
  Json& t = tests["runtime_path_exist"];
  if (!env_path.is_string()) return "INFERENCE_ENV_PATH must be a string.";
  const ParsedUrl url = ParseUrl(env_path.get<std::string>());
  if (env_type.is_string() && env_type.get<std::string>() == "data_science") {
    // A service pack lives at oci://service-conda-packs@<ns>/service_pack/<...>.
    const bool ok = url.scheme == "oci" && url.username == "service-conda-packs" &&
                    url.path.rfind("/service_pack/", 0) == 0 &&
                    url.path.size() > std::string_view("/service_pack/").size();
    t["success"] = ok;
    return ok ? "" : t["error_msg"].get<std::string>();
  }
  if (!url.username || !url.hostname) {
    t["success"] = false;
    return t["error_msg"].get<std::string>();
  }
  std::string object = url.path;
  while (!object.empty() && object.front() == '/') object.erase(0, 1);
  while (!object.empty() && object.back() == '/') object.pop_back();
  bool exists = false;
  if (options.object_exists) {
    auto r = options.object_exists(*url.username, *url.hostname, object);
    exists = r.ok() && *r;
  } else {
    exists = options.skip_remote_path_check;
  }
  if (exists) {
    t["success"] = true;
    return "";
  }
  t["success"] = nullptr;
  t["error_msg"] = kPathWarningPublished;
  return std::string(kPathWarningPublished);
}

Result<StageMessage> CheckRuntimeYaml(Env& env, const ArtifactView& view,
                                      const IntrospectOptions& options, Json& tests) {
  auto text = ReadCheckedFile(env, view, "runtime.yaml");
  if (!text.ok()) return "runtime.yaml cannot be read: " + text.status().message();
  auto cfg = ParseYaml(*text, "runtime.yaml");
  if (!cfg.ok()) return cfg.status().message();
  if (!cfg->is_object()) return std::string("runtime.yaml is not valid.");
  const Json* version = cfg->contains("MODEL_ARTIFACT_VERSION") ? &(*cfg)["MODEL_ARTIFACT_VERSION"]
                                                                 : nullptr;
  const bool version_ok = version && version->is_string() && version->get<std::string>() == "3.0";
  tests["runtime_version"]["success"] = version_ok;
  if (!version_ok) return tests["runtime_version"]["error_msg"].get<std::string>();

  DeploymentFields found;
  if (cfg->contains("MODEL_DEPLOYMENT")) FindDeploymentFields((*cfg)["MODEL_DEPLOYMENT"], found, tests);
  for (const char* k : {"runtime_env_python", "runtime_env_path"}) {
    if (!tests[k].contains("success")) tests[k]["success"] = false;
  }
  std::string msg = CombineMessages(tests, {"runtime_env_python", "runtime_env_path"});
  if (!msg.empty()) return msg;
  return CheckEnvPathExists(tests["runtime_env_path"]["value"], found.env_type, options, tests);
}

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

// Reads in chunks rather than trusting the declared size with one
// allocation: a corrupt header can declare exabytes, and only the bytes that
// really inflate may take memory.
Result<std::string> ReadZipEntry(zip_t* z, zip_uint64_t index, const std::string& name) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(z, index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
    return InvalidArgumentError("The zip member " + Quoted(name) + " cannot be read.");
  }
  std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> f(zip_fopen_index(z, index, 0), zip_fclose);
  if (!f) return InvalidArgumentError("The zip member " + Quoted(name) + " cannot be opened.");
  std::string data;
  char buf[64 * 1024];
  for (;;) {
    const zip_int64_t n = zip_fread(f.get(), buf, sizeof(buf));
    if (n <= 0) break;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > st.size) break;
  }
  if (data.size() != st.size) {
    return InvalidArgumentError("The zip member " + Quoted(name) + " is truncated or corrupt.");
  }
  return data;
}

Result<ArtifactView> LoadZipView(Env& env, const std::string& path) {
  ADS_ASSIGN_OR_RETURN(std::string bytes, env.ReadFile(path));
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (!src) return InvalidArgumentError("The zip " + Quoted(path) + " cannot be read.");
  std::unique_ptr<zip_t, ZipCloser> z(zip_open_from_source(src, ZIP_RDONLY, &error));
  if (!z) {
    zip_source_free(src);
    zip_error_fini(&error);
    return InvalidArgumentError("The file " + Quoted(path) + " is not a readable zip archive.");
  }
  ArtifactView view;
  view.path = path;
  view.is_zip = true;
  const zip_int64_t count = zip_get_num_entries(z.get(), 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    const char* raw = zip_get_name(z.get(), static_cast<zip_uint64_t>(i), 0);
    if (!raw) continue;
    const std::string name(raw);
    view.names.push_back(name);
    const std::vector<std::string> parts = Split(name, '/');
    const std::string base = BaseName(name);
    const bool checked = parts.size() <= 2 && (base == "score.py" || base == "runtime.yaml");
    const bool top = parts.size() == 1 && !name.empty();
    if (!checked && !top) continue;
    ADS_ASSIGN_OR_RETURN(std::string data, ReadZipEntry(z.get(), static_cast<zip_uint64_t>(i), name));
    if (checked) view.zip_checked[base] = data;  // a later member wins, as in ADS
    if (top) view.zip_files[name] = std::move(data);
  }
  return view;
}

Result<ArtifactView> LoadView(Env& env, const std::string& path) {
  if (path.size() >= 4 && path.compare(path.size() - 4, 4, ".zip") == 0 && !env.IsDirectory(path)) {
    return LoadZipView(env, path);
  }
  if (!env.IsDirectory(path)) {
    return NotFoundError("The artifact " + Quoted(path) + " is neither a folder nor a .zip file.");
  }
  ArtifactView view;
  view.path = path;
  ADS_ASSIGN_OR_RETURN(view.names, env.ListDir(path));
  return view;
}

bool UseNativeChecks(Env& env, const ArtifactView& view, const IntrospectOptions& options) {
  if (options.check_set != CheckSet::kAuto) return options.check_set == CheckSet::kNative;
  if (std::find(view.names.begin(), view.names.end(), "score.py") == view.names.end()) return true;
  if (!options.native_for_generated_score_py) return false;
  auto text = internal::ReadArtifactFile(env, view, "score.py");
  return text.ok() && RecognizeScorePy(*text).kind == ScorePyOrigin::kGeneratedUnmodified;
}

// The ADS stages, stopping at the first that fails.
Result<StageMessage> RunAdsChecks(Env& env, const ArtifactView& view,
                                  const IntrospectOptions& options, Json& tests) {
  StageMessage msg = CheckMandatoryFiles(view, tests);
  if (!msg.empty()) return msg;
  ADS_ASSIGN_OR_RETURN(msg, CheckScoreFile(env, view, options, tests));
  if (!msg.empty()) return msg;
  return CheckRuntimeYaml(env, view, options, tests);
}

std::string ResultName(const Json& test) {
  const Json* success = FindMember(test, "success");
  if (success == nullptr || success->is_null()) return "Skipped";
  return PyTruthy(*success) ? "Passed" : "Failed";
}

}  // namespace

std::string_view IntrospectionStatusName(IntrospectionStatus status) {
  switch (status) {
    case IntrospectionStatus::kPassed:
      return "Passed";
    case IntrospectionStatus::kFailed:
      return "Failed";
    case IntrospectionStatus::kSkipped:
      return "Skipped";
  }
  return "Skipped";
}

void FinishIntrospectionResult(bool passed, IntrospectionResult& result) {
  result.status = passed ? IntrospectionStatus::kPassed : IntrospectionStatus::kFailed;
  result.rows.clear();
  for (const auto& [key, test] : result.tests.items()) {
    IntrospectionRow row;
    row.key = key;
    row.name = StringMemberOr(test, "description");
    row.result = ResultName(test);
    const std::string msg = StringMemberOr(test, "error_msg");
    const Json* success = FindMember(test, "success");
    const bool unknown = success == nullptr || success->is_null();
    if (row.result == "Failed" || (unknown && msg.find("WARNING") != std::string::npos)) {
      row.message = msg;
    }
    result.rows.push_back(std::move(row));
  }
  std::stable_sort(result.rows.begin(), result.rows.end(),
                   [](const IntrospectionRow& a, const IntrospectionRow& b) {
                     return a.key != b.key ? a.key < b.key : a.name < b.name;
                   });
}

Result<IntrospectionResult> IntrospectArtifact(Env& env, const std::string& path,
                                               const IntrospectOptions& options) {
  ADS_ASSIGN_OR_RETURN(ArtifactView view, LoadView(env, path));
  IntrospectionResult result;
  bool passed = false;
  if (UseNativeChecks(env, view, options)) {
    result.native = true;
    ADS_ASSIGN_OR_RETURN(passed, internal::RunNativeChecks(env, view, options, result));
  } else {
    result.tests = InitialTests();
    ADS_ASSIGN_OR_RETURN(result.final_message, RunAdsChecks(env, view, options, result.tests));
    passed = result.final_message.empty();
  }
  if (passed) result.final_message = kPassedMessage;
  FinishIntrospectionResult(passed, result);
  return result;
}

std::string IntrospectionJsonText(const IntrospectionResult& result) {
  PythonJsonOptions opts;
  opts.indent = 4;
  return DumpPythonJson(result.tests, opts);
}

Status SaveIntrospectionResult(Env& env, const std::string& artifact_dir,
                               const IntrospectionResult& result) {
  return env.WriteFileAtomic(JoinPath(artifact_dir, kIntrospectionResultFile),
                             IntrospectionJsonText(result));
}

std::string RenderIntrospectionTable(const IntrospectionResult& result) {
  const std::vector<std::string> header = {"Test key", "Test name", "Result", "Message"};
  std::vector<size_t> width;
  for (const std::string& h : header) width.push_back(h.size());
  for (const IntrospectionRow& r : result.rows) {
    width[0] = std::max(width[0], r.key.size());
    width[1] = std::max(width[1], r.name.size());
    width[2] = std::max(width[2], r.result.size());
  }
  auto line = [&](const std::string& a, const std::string& b, const std::string& c,
                  const std::string& d) {
    std::string s = a + std::string(width[0] - a.size() + 2, ' ') + b +
                    std::string(width[1] - b.size() + 2, ' ') + c +
                    std::string(width[2] - c.size() + 2, ' ') + d;
    while (!s.empty() && s.back() == ' ') s.pop_back();
    // A multi-line message continues under the Message column.
    return ReplaceAll(s, "\n", "\n" + std::string(width[0] + width[1] + width[2] + 6, ' ')) + "\n";
  };
  std::string out = line(header[0], header[1], header[2], header[3]);
  out += std::string(width[0] + width[1] + width[2] + 6 + header[3].size(), '-') + "\n";
  for (const IntrospectionRow& r : result.rows) out += line(r.key, r.name, r.result, r.message);
  out += "\nIntrospection ";
  out += IntrospectionStatusName(result.status);
  if (result.status == IntrospectionStatus::kFailed) out += ": " + result.final_message;
  out += "\n";
  return out;
}

}  // namespace ads::artifact
