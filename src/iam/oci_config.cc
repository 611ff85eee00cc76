#include "iam/oci_config.h"

#include <regex>
#include <set>
#include <string>

#include "base/strings.h"

namespace ads::iam {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

size_t IndentOf(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && IsBlank(line[n])) ++n;
  return n;
}

std::string Where(std::string_view source, int line_no) {
  return "The config file " + Quoted(source) + ", line " + std::to_string(line_no);
}

// Parser state for one file: which map receives keys, and which key a
// continuation line extends.
struct IniCursor {
  std::map<std::string, std::string>* section = nullptr;
  std::set<std::string>* seen = nullptr;  // keys added to `section` by this file
  std::string* last_value = nullptr;
  size_t last_indent = 0;
};

Status ParseSectionHeader(std::string_view stripped, std::string_view source, int line_no,
                          IniFile& ini, std::map<std::string, std::set<std::string>>& seen,
                          IniCursor& cursor) {
  size_t close = stripped.rfind(']');
  if (close != stripped.size() - 1 || stripped.size() < 3) {
    return InvalidArgumentError(Where(source, line_no) + ": " + Quoted(stripped) +
                                " is not a section header like [PROFILE].");
  }
  std::string name(stripped.substr(1, close - 1));
  cursor.last_value = nullptr;
  cursor.seen = &seen[name];
  if (name == kDefaultProfile) {
    ini.has_default_section = true;
    cursor.section = &ini.defaults;
    return OkStatus();
  }
  for (const auto& [existing, unused] : ini.sections) {
    if (existing == name) {
      return InvalidArgumentError(Where(source, line_no) + ": the profile " + Quoted(name) +
                                  " appears twice.");
    }
  }
  ini.sections.emplace_back(name, std::map<std::string, std::string>());
  cursor.section = &ini.sections.back().second;
  return OkStatus();
}

Status ParseOption(std::string_view line, std::string_view source, int line_no,
                   IniCursor& cursor) {
  std::string_view stripped = Trim(line);
  size_t sep = stripped.find_first_of("=:");
  if (sep == std::string_view::npos) {
    return InvalidArgumentError(Where(source, line_no) + ": " + Quoted(stripped) +
                                " is not of the form key = value.");
  }
  std::string key = ToLower(Trim(stripped.substr(0, sep)));
  if (key.empty()) {
    return InvalidArgumentError(Where(source, line_no) + ": a value has no key name.");
  }
  if (!cursor.seen->insert(key).second) {
    return InvalidArgumentError(Where(source, line_no) + ": the key " + Quoted(key) +
                                " appears twice in the same profile.");
  }
  std::string& value = (*cursor.section)[key];
  value = std::string(Trim(stripped.substr(sep + 1)));
  cursor.last_value = &value;
  cursor.last_indent = IndentOf(line);
  return OkStatus();
}

std::string DescribeProfile(std::string_view path, std::string_view profile) {
  return "The config file " + Quoted(path) + ", profile " + Quoted(profile);
}

Result<std::string> RequireKey(const std::map<std::string, std::string>& values,
                               std::string_view key, std::string_view path,
                               std::string_view profile) {
  auto it = values.find(std::string(key));
  if (it == values.end() || it->second.empty()) {
    return InvalidArgumentError(DescribeProfile(path, profile) + ": the key " + Quoted(key) +
                                " is missing.");
  }
  return it->second;
}

std::string Optional(const std::map<std::string, std::string>& values, const char* key) {
  auto it = values.find(key);
  return it == values.end() ? std::string() : it->second;
}

Status CheckPattern(const std::string& value, const std::regex& pattern, std::string_view key,
                    std::string_view expected, std::string_view path,
                    std::string_view profile) {
  if (std::regex_match(value, pattern)) return OkStatus();
  return InvalidArgumentError(DescribeProfile(path, profile) + ": the value " + Quoted(value) +
                              " of " + Quoted(key) + " is not " + std::string(expected) + ".");
}

std::string HomeOf(Env& env) { return env.GetEnvVar("HOME").value_or(""); }

}  // namespace

Result<std::map<std::string, std::string>> IniFile::Profile(std::string_view name) const {
  if (name == kDefaultProfile) {
    if (!has_default_section) return NotFoundError("There is no [DEFAULT] profile.");
    return defaults;
  }
  for (const auto& [section, values] : sections) {
    if (section != name) continue;
    std::map<std::string, std::string> merged = defaults;
    for (const auto& [key, value] : values) merged[key] = value;
    return merged;
  }
  return NotFoundError("There is no profile " + Quoted(name) + ".");
}

Result<IniFile> ParseIni(std::string_view text, std::string_view source) {
  IniFile ini;
  std::map<std::string, std::set<std::string>> seen;
  IniCursor cursor;
  int line_no = 0;
  for (const std::string& raw : Split(text, '\n')) {
    ++line_no;
    std::string_view line = raw;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view stripped = Trim(line);
    if (stripped.empty()) {
      cursor.last_value = nullptr;  // a blank line ends a multi-line value
      continue;
    }
    if (stripped.front() == '#' || stripped.front() == ';') continue;
    size_t indent = IndentOf(line);
    if (cursor.last_value != nullptr && indent > cursor.last_indent) {
      *cursor.last_value += "\n" + std::string(stripped);
      continue;
    }
    if (stripped.front() == '[') {
      ADS_RETURN_IF_ERROR(ParseSectionHeader(stripped, source, line_no, ini, seen, cursor));
      continue;
    }
    if (cursor.section == nullptr) {
      return InvalidArgumentError(Where(source, line_no) +
                                  ": a key comes before any [PROFILE] header.");
    }
    ADS_RETURN_IF_ERROR(ParseOption(line, source, line_no, cursor));
  }
  return ini;
}

std::string ExpandUser(std::string_view path, std::string_view home) {
  if (home.empty() || path.empty() || path[0] != '~') return std::string(path);
  if (path.size() == 1) return std::string(home);
  if (path[1] != '/') return std::string(path);  // ~user is not supported
  return JoinPath(home, path.substr(2));
}

Result<OciConfig> ValidateOciProfile(const std::map<std::string, std::string>& values,
                                     std::string_view path, std::string_view profile,
                                     std::string_view home) {
  // Patterns of oci-python-sdk's config validation.
  static const std::regex kOcidPattern(
      "^([0-9a-zA-Z\\-_]+[.:])([0-9a-zA-Z\\-_]*[.:]){3,}([0-9a-zA-Z\\-_]+)$");
  static const std::regex kFingerprintPattern("^([0-9a-f]{2}:){15}[0-9a-f]{2}$");
  OciConfig config;
  config.path = std::string(path);
  config.profile = std::string(profile);
  config.values = values;
  config.security_token_file = ExpandUser(Optional(values, "security_token_file"), home);
  // A security-token profile (oci session authenticate) signs with the token,
  // so it needs no user or fingerprint.
  const bool token_profile = !config.security_token_file.empty();
  if (!token_profile) {
    ADS_ASSIGN_OR_RETURN(config.user, RequireKey(values, "user", path, profile));
    ADS_ASSIGN_OR_RETURN(config.fingerprint, RequireKey(values, "fingerprint", path, profile));
  } else {
    config.user = Optional(values, "user");
    config.fingerprint = Optional(values, "fingerprint");
  }
  ADS_ASSIGN_OR_RETURN(config.tenancy, RequireKey(values, "tenancy", path, profile));
  ADS_ASSIGN_OR_RETURN(std::string key_file, RequireKey(values, "key_file", path, profile));
  ADS_ASSIGN_OR_RETURN(config.region, RequireKey(values, "region", path, profile));
  config.key_file = ExpandUser(key_file, home);
  config.pass_phrase = Optional(values, "pass_phrase");
  config.endpoint = Optional(values, "endpoint");
  if (values.count("key_content") != 0) {
    return InvalidArgumentError(DescribeProfile(path, profile) +
                                ": 'key_content' is not allowed in a config file; use key_file.");
  }
  const char* kOcid = "an OCID (like ocid1.user.oc1..aaaa)";
  if (!config.user.empty()) {
    ADS_RETURN_IF_ERROR(CheckPattern(config.user, kOcidPattern, "user", kOcid, path, profile));
  }
  ADS_RETURN_IF_ERROR(
      CheckPattern(config.tenancy, kOcidPattern, "tenancy", kOcid, path, profile));
  if (!config.fingerprint.empty()) {
    ADS_RETURN_IF_ERROR(CheckPattern(config.fingerprint, kFingerprintPattern, "fingerprint",
                                     "a key fingerprint (16 lower-case hex pairs joined by ':')",
                                     path, profile));
  }
  return config;
}

Result<std::string> FindOciConfigPath(Env& env) {
  std::string home = HomeOf(env);
  if (std::optional<std::string> from_env = env.GetEnvVar("OCI_CONFIG_FILE");
      from_env && !from_env->empty()) {
    std::string path = ExpandUser(*from_env, home);
    if (!env.FileExists(path)) {
      return NotFoundError("The config file " + Quoted(path) +
                           " named by OCI_CONFIG_FILE does not exist.");
    }
    return path;
  }
  if (home.empty()) {
    return NotFoundError("No OCI config file: HOME is not set and OCI_CONFIG_FILE is not set.");
  }
  for (const char* candidate : {"~/.ads/config", "~/.oci/config"}) {
    std::string path = ExpandUser(candidate, home);
    if (env.FileExists(path)) return path;
  }
  return Status(StatusCode::kNotFound,
                "No OCI config file: neither ~/.ads/config nor ~/.oci/config exists.",
                "Run `ads server init`, or set OCI_CONFIG_FILE.");
}

Result<OciConfig> LoadOciConfig(Env& env, const std::string& path, const std::string& profile) {
  std::string file = path;
  if (file.empty()) {
    ADS_ASSIGN_OR_RETURN(file, FindOciConfigPath(env));
  } else {
    file = ExpandUser(file, HomeOf(env));
  }
  std::string name = profile;
  if (name.empty()) name = env.GetEnvVar("OCI_CONFIG_PROFILE").value_or("");
  if (name.empty()) name = std::string(kDefaultProfile);

  Result<std::string> text = env.ReadFile(file);
  if (!text.ok()) {
    return Status(text.status().code(), "The config file " + Quoted(file) +
                                            " could not be read: " + text.status().message());
  }
  ADS_ASSIGN_OR_RETURN(IniFile ini, ParseIni(*text, file));
  Result<std::map<std::string, std::string>> values = ini.Profile(name);
  if (!values.ok()) {
    return NotFoundError("The config file " + Quoted(file) + " has no profile " +
                         Quoted(name) + ".");
  }
  return ValidateOciProfile(*values, file, name, HomeOf(env));
}

Result<PrivateKey> LoadPrivateKey(Env& env, const OciConfig& config) {
  std::string where = DescribeProfile(config.path, config.profile) + ": key_file " +
                      Quoted(config.key_file);
  Result<std::string> pem = env.ReadFile(config.key_file);
  if (!pem.ok()) {
    return Status(pem.status().code(),
                  where + " could not be read: " + pem.status().message());
  }
  Result<PrivateKey> key = PrivateKey::FromPem(*pem, config.pass_phrase);
  if (!key.ok()) return key.status().WithContext(where);
  return key;
}

std::string FormatOciConfig(const OciConfigValues& values) {
  std::string out = "[DEFAULT]\n";
  out += "user=" + values.user + "\n";
  out += "tenancy=" + values.tenancy + "\n";
  out += "fingerprint=" + values.fingerprint + "\n";
  out += "key_file=" + values.key_file + "\n";
  out += "region=" + values.region + "\n";
  if (!values.endpoint.empty()) out += "endpoint=" + values.endpoint + "\n";
  return out;
}

Status WriteOciConfig(Env& env, const std::string& path, const OciConfigValues& values,
                      bool overwrite) {
  if (!overwrite && env.FileExists(path)) {
    return AlreadyExistsError("The config file " + Quoted(path) +
                              " already exists; it was left unchanged.");
  }
  // A value with a line break would smuggle extra keys into the file.
  for (const std::string* v : {&values.user, &values.tenancy, &values.fingerprint,
                               &values.key_file, &values.region, &values.endpoint}) {
    if (v->find_first_of("\r\n") != std::string::npos) {
      return InvalidArgumentError("A config value contains a line break: " + Quoted(*v) + ".");
    }
  }
  ADS_RETURN_IF_ERROR(env.CreateDirs(DirName(path)));
  ADS_RETURN_IF_ERROR(env.WriteFileAtomic(path, FormatOciConfig(values)));
  return env.SetMode(path, 0600);
}

Status WritePrivateKeyFile(Env& env, const std::string& path, const PrivateKey& key,
                           std::string_view passphrase) {
  ADS_ASSIGN_OR_RETURN(std::string pem, key.ToPem(PrivateKeyFormat::kPkcs8, passphrase));
  std::string dir = DirName(path);
  if (!dir.empty() && !env.IsDirectory(dir)) {
    ADS_RETURN_IF_ERROR(env.CreateDirs(dir));
    ADS_RETURN_IF_ERROR(env.SetMode(dir, 0700));
  }
  ADS_RETURN_IF_ERROR(env.WriteFileAtomic(path, pem));
  return env.SetMode(path, 0600);
}

}  // namespace ads::iam
