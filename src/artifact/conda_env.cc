#include "artifact/conda_env.h"

#include <algorithm>
#include <vector>

#include "base/strings.h"
#include "base/yaml.h"

namespace ads::artifact {
namespace {

constexpr std::string_view kServiceBucketDefault = "service-conda-packs";

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "3.11" or "3.11.4". (Plain scans rather than std::regex, whose recursion
// overflows the stack on long user input.)
bool IsValidPythonVersion(std::string_view v) {
  const std::vector<std::string> parts = Split(v, '.');
  return (parts.size() == 2 || parts.size() == 3) &&
         std::all_of(parts.begin(), parts.end(), [](const std::string& p) { return AllDigits(p); });
}

// Looks for $CONDA_PREFIX/*_manifest.yaml: {manifest: {pack_path, python}}.
Result<CondaEnvInfo> FromCondaPrefix(Env& env, std::string_view what) {
  const auto prefix = env.GetEnvVar("CONDA_PREFIX");
  const std::string flag = "--" + std::string(what) + "-conda-env";
  if (!prefix || prefix->empty()) {
    return InvalidArgumentError("no " + std::string(what) +
                                " conda environment was given and $CONDA_PREFIX is not set")
        .WithHint("pass " + flag +
                  " oci://bucket@namespace/path, or --ignore-conda-error for a "
                  "container or native runtime");
  }
  auto names = env.ListDir(*prefix);
  if (names.ok()) {
    for (const auto& name : *names) {
      if (!name.ends_with("_manifest.yaml")) continue;
      ADS_ASSIGN_OR_RETURN(std::string text, env.ReadFile(JoinPath(*prefix, name)));
      ADS_ASSIGN_OR_RETURN(Json doc, ParseYaml(text, name));
      const Json manifest = doc.is_object() ? doc.value("manifest", Json()) : Json();
      if (!manifest.is_object() || !manifest.contains("pack_path")) {
        return InvalidArgumentError(name + " in $CONDA_PREFIX has no manifest.pack_path");
      }
      const Json pack_path = manifest["pack_path"];
      const Json python = manifest.value("python", Json());
      std::string version = python.is_string()   ? python.get<std::string>()
                            : python.is_number() ? DumpPythonJson(python)
                                                 : "";
      return ResolveCondaEnv(env, pack_path.is_string() ? pack_path.get<std::string>() : "",
                             version, what);
    }
  }
  return InvalidArgumentError("no " + std::string(what) +
                              " conda environment was given and $CONDA_PREFIX (" + *prefix +
                              ") has no *_manifest.yaml")
      .WithHint("pass " + flag + " oci://bucket@namespace/path");
}

}  // namespace

Result<OciPath> ParseOciPath(std::string_view uri) {
  const auto invalid = [&] {
    return InvalidArgumentError("`" + std::string(uri) +
                                "` is not an Object Storage path of the form "
                                "oci://bucket@namespace/path");
  };
  constexpr std::string_view kScheme = "oci://";
  if (!uri.starts_with(kScheme)) return invalid();
  const std::string_view rest = uri.substr(kScheme.size());
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash + 1 >= rest.size()) return invalid();
  const std::string_view authority = rest.substr(0, slash);
  const size_t at = authority.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= authority.size()) return invalid();
  return OciPath{std::string(authority.substr(0, at)), std::string(authority.substr(at + 1)),
                 std::string(rest.substr(slash + 1))};
}

std::string PythonVersionFromSlug(std::string_view slug) {
  // The segment "p<major><minor>" between underscores, e.g. generalml_p311_cpu.
  for (const std::string& part : Split(slug, '_')) {
    if (part.size() >= 3 && part.size() <= 4 && part[0] == 'p' && AllDigits(part.substr(1))) {
      return part.substr(1, 1) + "." + part.substr(2);
    }
  }
  return "";
}

Result<CondaEnvInfo> ResolveCondaEnv(Env& env, std::string_view value,
                                     std::string_view python_version, std::string_view what) {
  if (value.empty()) return FromCondaPrefix(env, what);
  if (!value.starts_with("oci://")) {
    return InvalidArgumentError("the " + std::string(what) + " conda environment `" +
                                std::string(value) +
                                "` looks like a slug, and slugs cannot be resolved offline")
        .WithHint("pass the full oci://bucket@namespace/path shown in the Environment Explorer");
  }
  ADS_ASSIGN_OR_RETURN(OciPath path, ParseOciPath(value));
  const std::string service_bucket =
      env.GetEnvVar("CONDA_BUCKET_NAME").value_or(std::string(kServiceBucketDefault));
  CondaEnvInfo out;
  out.path = std::string(value);
  out.type = path.bucket == service_bucket && path.object.starts_with("service_pack/")
                 ? "data_science"
                 : "published";
  std::string object = path.object;
  while (!object.empty() && object.back() == '/') object.pop_back();
  out.slug = BaseName(object);
  out.python_version = std::string(python_version);
  if (out.python_version.empty()) out.python_version = PythonVersionFromSlug(out.slug);
  if (out.python_version.empty()) {
    return InvalidArgumentError("Cannot automatically detect the " + std::string(what) +
                                " python version. `" + std::string(what) +
                                "_python_version` must be provided.")
        .WithHint("pass --" + std::string(what) + "-python-version, e.g. 3.11");
  }
  if (!IsValidPythonVersion(out.python_version)) {
    return InvalidArgumentError("the " + std::string(what) + " python version `" +
                                out.python_version + "` is not a version like 3.11");
  }
  return out;
}

}  // namespace ads::artifact
