// The OCI config file (~/.oci/config format): finding, parsing, validating and
// writing it, as the OCI SDKs and CLI read it.
//
//   ADS_ASSIGN_OR_RETURN(iam::OciConfig config, iam::LoadOciConfig(env));
//   ADS_ASSIGN_OR_RETURN(iam::PrivateKey key, iam::LoadPrivateKey(env, config));
//   std::string key_id = config.KeyId();   // tenancy/user/fingerprint
//
// Parsing follows Python's configparser (what oci-python-sdk and so ADS use,
// with interpolation off): `[section]` headers are profiles; keys are
// case-insensitive (stored lower-case); `key = value` or `key: value`;
// whole-line comments start with '#' or ';' (no inline comments); indented
// lines continue the previous value; keys of `[DEFAULT]` are inherited by
// every other profile; duplicate sections or keys are errors.
//
// Where the file is (FindOciConfigPath): $OCI_CONFIG_FILE when set, else
// ~/.ads/config (ads' own, written by `ads server init`), else ~/.oci/config.
// Which profile: the argument, else $OCI_CONFIG_PROFILE, else DEFAULT.
//
// Thread-safety: free functions over values; safe from any thread when the
// Env is.
#ifndef ADS_IAM_OCI_CONFIG_H_
#define ADS_IAM_OCI_CONFIG_H_

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/env.h"
#include "base/status.h"
#include "iam/keys.h"

namespace ads::iam {

inline constexpr std::string_view kDefaultProfile = "DEFAULT";

// A parsed INI file: profiles in file order, each with its own keys only
// (without the inherited DEFAULT keys).
struct IniFile {
  std::map<std::string, std::string> defaults;  // [DEFAULT]
  bool has_default_section = false;
  std::vector<std::pair<std::string, std::map<std::string, std::string>>> sections;

  // Section keys merged over DEFAULT ones, or NotFound. "DEFAULT" gives the
  // defaults (when the file has a [DEFAULT] section).
  Result<std::map<std::string, std::string>> Profile(std::string_view name) const;
};

// `source` names the file in error messages.
Result<IniFile> ParseIni(std::string_view text, std::string_view source);

// One validated profile.
struct OciConfig {
  std::string path;     // the file it came from
  std::string profile;  // e.g. "DEFAULT"
  std::map<std::string, std::string> values;  // every key, DEFAULT merged in

  std::string user;
  std::string tenancy;
  std::string fingerprint;
  std::string key_file;  // '~' expanded
  std::string region;
  std::string pass_phrase;          // optional
  std::string endpoint;             // optional; ads writes it
  std::string security_token_file;  // optional; '~' expanded

  // "<tenancy>/<user>/<fingerprint>": the keyId of API-key signatures.
  std::string KeyId() const { return tenancy + "/" + user + "/" + fingerprint; }
};

// Checks one profile's keys (required: user, tenancy, fingerprint, key_file,
// region; the OCID and fingerprint patterns of the OCI SDK) and fills an
// OciConfig. `home` expands '~'.
Result<OciConfig> ValidateOciProfile(const std::map<std::string, std::string>& values,
                                     std::string_view path, std::string_view profile,
                                     std::string_view home);

// The config file to read (see the header comment); NotFound names the
// places looked at.
Result<std::string> FindOciConfigPath(Env& env);

// Reads and validates a profile. Empty `path` uses FindOciConfigPath; empty
// `profile` uses $OCI_CONFIG_PROFILE, else DEFAULT.
Result<OciConfig> LoadOciConfig(Env& env, const std::string& path = {},
                                const std::string& profile = {});

// The private key the profile names (key_file, with pass_phrase).
Result<PrivateKey> LoadPrivateKey(Env& env, const OciConfig& config);

// What `ads server init` writes.
struct OciConfigValues {
  std::string user;
  std::string tenancy;
  std::string fingerprint;
  std::string key_file;  // should be absolute: the TypeScript SDK needs that
  std::string region;
  std::string endpoint;  // omitted when empty
};

// The text of a config file with one [DEFAULT] profile (keys in the order
// user, tenancy, fingerprint, key_file, region, endpoint).
std::string FormatOciConfig(const OciConfigValues& values);

// Writes FormatOciConfig(values) to `path` atomically (parents created, mode
// 0600). Refuses to replace an existing file unless `overwrite`.
Status WriteOciConfig(Env& env, const std::string& path, const OciConfigValues& values,
                      bool overwrite = false);

// Writes a private key PEM atomically with mode 0600. When the parent
// directory does not exist it is created with mode 0700, so the key is never
// readable by others, even before the final chmod.
Status WritePrivateKeyFile(Env& env, const std::string& path, const PrivateKey& key,
                           std::string_view passphrase = {});

// "~" and "~/x" become $HOME and $HOME/x (as Python's os.path.expanduser);
// anything else is returned as is.
std::string ExpandUser(std::string_view path, std::string_view home);

}  // namespace ads::iam

#endif  // ADS_IAM_OCI_CONFIG_H_
