// First-start set-up of the identity store: the tenancy, the Administrators
// group and its policy, an admin user with an RSA-2048 API key, the private
// key file and an OCI config file, so that the CLI and the OCI SDKs can sign
// requests at once.
//
//   iam::BootstrapOptions options;
//   options.data_dir = "/var/lib/ads";
//   ADS_ASSIGN_OR_RETURN(iam::BootstrapResult boot, iam::Bootstrap(env, *db, options));
//   if (boot.created) LOG(INFO) << "admin config written to " << boot.config_path;
//
// Every step checks what exists and does only what is missing, so a second
// start is a no-op that reports the existing ids, and a start after a crash
// half-way finishes the job. The config file is only written when absent:
// an edited or foreign config is never replaced.
//
// Files: <data_dir>/keys/admin.pem (PKCS#8, mode 0600, directory 0700) and
// the config (mode 0600) with the keys user, tenancy, fingerprint, key_file
// (absolute), region and endpoint.
//
// Thread-safety: run once, before serving; `db` must not be used by other
// threads meanwhile.
#ifndef ADS_IAM_BOOTSTRAP_H_
#define ADS_IAM_BOOTSTRAP_H_

#include <string>

#include "base/env.h"
#include "base/status.h"
#include "store/sqlite.h"

namespace ads::iam {

inline constexpr char kAdministratorsGroup[] = "Administrators";
inline constexpr char kAdminPolicyName[] = "Tenant-Admin-Policy";
inline constexpr char kAdminPolicyStatement[] =
    "allow group Administrators to manage all-resources in tenancy";

struct BootstrapOptions {
  std::string data_dir;  // required
  std::string region = "us-ashburn-1";
  std::string endpoint = "http://127.0.0.1:8080";
  std::string config_path;  // empty: $HOME/.ads/config
  std::string profile = "DEFAULT";
  std::string tenancy_name = "ads";
  std::string admin_user = "admin";
};

struct BootstrapResult {
  bool created = false;         // the tenancy was created by this call
  bool config_written = false;  // the config file was written by this call
  std::string tenancy_id;
  std::string namespace_name;  // the Object Storage namespace
  std::string admin_group_id;
  std::string admin_policy_id;
  std::string admin_user_id;
  std::string fingerprint;
  std::string key_file;     // absolute
  std::string config_path;  // absolute
};

Result<BootstrapResult> Bootstrap(Env& env, store::Database& db, const BootstrapOptions& options);

}  // namespace ads::iam

#endif  // ADS_IAM_BOOTSTRAP_H_
