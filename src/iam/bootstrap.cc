// Bootstrap: each step finds or creates one thing, so that repeating the
// whole sequence is safe (see bootstrap.h).
#include "iam/bootstrap.h"

#include "base/ids.h"
#include "base/strings.h"
#include "iam/iam_service.h"
#include "iam/oci_config.h"

namespace ads::iam {
namespace {

// The active resource of `kind` named `name` in `compartment_id`, or null.
Result<Json> FindByName(IamService& iam, IamKind kind, const std::string& compartment_id,
                        std::string_view name) {
  ADS_ASSIGN_OR_RETURN(Json items, iam.List(kind, compartment_id));
  for (const Json& item : items) {
    if (EqualsIgnoreCase(StringMemberOr(item, "name"), name)) return item;
  }
  return Json(nullptr);
}

Result<std::string> FindOrCreate(IamService& iam, IamKind kind, const Json& details) {
  const std::string compartment_id = details["compartmentId"].get<std::string>();
  ADS_ASSIGN_OR_RETURN(Json found,
                       FindByName(iam, kind, compartment_id, details["name"].get<std::string>()));
  if (found.is_null()) {
    ADS_ASSIGN_OR_RETURN(found, iam.Create(kind, details));
  }
  return found["id"].get<std::string>();
}

// Object Storage namespaces are short lower-case strings.
std::string NewNamespaceName(Env& env) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string out = "ads";
  uint64_t bits = env.RandomU64();
  for (int i = 0; i < 9; ++i, bits /= 36) out += kAlphabet[bits % 36];
  return out;
}

Result<TenancyInfo> FindOrCreateTenancy(IamService& iam, Env& env, const BootstrapOptions& options,
                                        bool& created) {
  Result<TenancyInfo> tenancy = iam.Tenancy();
  if (tenancy.ok() || tenancy.status().code() != StatusCode::kNotFound) return tenancy;
  created = true;
  return iam.CreateTenancy(options.tenancy_name, options.region, NewNamespaceName(env));
}

// The admin's private key: the file when it exists, else a new key written
// to it first, so that a registered public key always has its private half.
Result<PrivateKey> AdminKey(Env& env, const std::string& key_file) {
  if (env.FileExists(key_file)) {
    ADS_ASSIGN_OR_RETURN(std::string pem, env.ReadFile(key_file));
    Result<PrivateKey> key = PrivateKey::FromPem(pem);
    if (!key.ok()) return key.status().WithContext("the admin key " + key_file);
    return key;
  }
  ADS_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::Generate(kDefaultRsaBits));
  ADS_RETURN_IF_ERROR(WritePrivateKeyFile(env, key_file, key));
  return key;
}

Status EnsureKeyUploaded(IamService& iam, const std::string& user_id, const PublicKey& key) {
  ADS_ASSIGN_OR_RETURN(Json keys, iam.ListApiKeys(user_id));
  const std::string fingerprint = key.Fingerprint();
  for (const Json& k : keys) {
    if (StringMemberOr(k, "fingerprint") == fingerprint) return OkStatus();
  }
  return iam.UploadApiKey(user_id, key.ToPem()).status();
}

Status EnsureMembership(IamService& iam, const std::string& user_id, const std::string& group_id) {
  ADS_ASSIGN_OR_RETURN(Json memberships, iam.ListMemberships(user_id, group_id));
  if (!memberships.empty()) return OkStatus();
  return iam.AddUserToGroup(user_id, group_id).status();
}

Result<std::string> DefaultConfigPath(Env& env) {
  std::optional<std::string> home = env.GetEnvVar("HOME");
  if (!home || home->empty()) {
    return FailedPreconditionError("HOME is not set, so there is no default config path")
        .WithHint("Pass a config path.");
  }
  return JoinPath(*home, ".ads/config");
}

Status WriteConfig(Env& env, const std::string& path, const std::string& profile,
                   const OciConfigValues& values) {
  if (profile.empty() || profile == kDefaultProfile) return WriteOciConfig(env, path, values);
  if (profile.find_first_of("[]\n") != std::string::npos) {
    return InvalidArgumentError("bad config profile name " + Quoted(profile));
  }
  // FormatOciConfig writes [DEFAULT]; another profile gets the same keys.
  std::string text = FormatOciConfig(values);
  text = ReplaceAll(text, "[DEFAULT]", "[" + profile + "]");
  ADS_RETURN_IF_ERROR(env.CreateDirs(DirName(path)));
  ADS_RETURN_IF_ERROR(env.WriteFileAtomic(path, text));
  return env.SetMode(path, 0600);
}

}  // namespace

Result<BootstrapResult> Bootstrap(Env& env, store::Database& db, const BootstrapOptions& options) {
  if (options.data_dir.empty()) return InvalidArgumentError("bootstrap needs a data directory");
  ADS_ASSIGN_OR_RETURN(std::unique_ptr<IamService> iam, IamService::Open(env, db));
  BootstrapResult out;
  ADS_ASSIGN_OR_RETURN(TenancyInfo tenancy, FindOrCreateTenancy(*iam, env, options, out.created));
  out.tenancy_id = tenancy.id;
  out.namespace_name = tenancy.namespace_name;

  ADS_ASSIGN_OR_RETURN(out.admin_group_id,
                       FindOrCreate(*iam, IamKind::kGroup,
                                    {{"compartmentId", tenancy.id},
                                     {"name", kAdministratorsGroup},
                                     {"description", "Administrators of the tenancy"}}));
  ADS_ASSIGN_OR_RETURN(out.admin_policy_id,
                       FindOrCreate(*iam, IamKind::kPolicy,
                                    {{"compartmentId", tenancy.id},
                                     {"name", kAdminPolicyName},
                                     {"description", "Administrators manage everything"},
                                     {"statements", Json::array({kAdminPolicyStatement})}}));
  ADS_ASSIGN_OR_RETURN(out.admin_user_id,
                       FindOrCreate(*iam, IamKind::kUser,
                                    {{"compartmentId", tenancy.id},
                                     {"name", options.admin_user},
                                     {"description", "created by ads on first start"}}));
  ADS_RETURN_IF_ERROR(EnsureMembership(*iam, out.admin_user_id, out.admin_group_id));

  out.key_file = env.AbsolutePath(JoinPath(options.data_dir, "keys/admin.pem"));
  ADS_ASSIGN_OR_RETURN(PrivateKey key, AdminKey(env, out.key_file));
  ADS_RETURN_IF_ERROR(EnsureKeyUploaded(*iam, out.admin_user_id, key.public_key()));
  out.fingerprint = key.public_key().Fingerprint();

  std::string config_path = options.config_path;
  if (config_path.empty()) {
    ADS_ASSIGN_OR_RETURN(config_path, DefaultConfigPath(env));
  }
  out.config_path = env.AbsolutePath(config_path);
  if (!env.FileExists(out.config_path)) {
    OciConfigValues values{out.admin_user_id, out.tenancy_id,      out.fingerprint,
                           out.key_file,      tenancy.home_region, options.endpoint};
    ADS_RETURN_IF_ERROR(WriteConfig(env, out.config_path, options.profile, values));
    out.config_written = true;
  }
  return out;
}

}  // namespace ads::iam
