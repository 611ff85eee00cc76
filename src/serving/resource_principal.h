// ResourcePrincipalKeeper: the credentials a Python deployment's score.py
// workers use to call the server as the deployment itself (OCI resource
// principal v2.2). For each deployment it keeps an RSA-2048 session key pair
// and a session token (iam/session_token.h) binding its public half, in
//
//   <dir>/private.pem   the session private key, PKCS#8 PEM, mode 0600
//   <dir>/rpst          the token (a JWT), mode 0600
//
// (<dir> itself is 0700), and rewrites the token before it expires: at half
// its lifetime, each write a temp file + fsync + rename, so a worker that
// re-reads the file always finds a whole token that is valid for at least
// another half lifetime. The workers' environment (Provision's result):
//
//   OCI_RESOURCE_PRINCIPAL_VERSION      2.2
//   OCI_RESOURCE_PRINCIPAL_RPST         <dir>/rpst (a path: OCI SDKs accept one)
//   OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM  <dir>/private.pem
//   OCI_RESOURCE_PRINCIPAL_REGION       the server's region
//   OCI_RESOURCE_PRINCIPAL_ENDPOINT     the server's base URL
//   OCI_ODSC_SERVICE_ENDPOINT           the same URL (ADS's Data Science
//                                       endpoint override)
//
//   ResourcePrincipalKeeper keeper(env, {.authority = authority.get(),
//                                        .tenancy_id = tenancy, .region = "us-ashburn-1"});
//   ADS_ASSIGN_OR_RETURN(auto vars, keeper.Provision(id, compartment, dir, endpoint));
//   options.python_env.insert(vars.begin(), vars.end());
//   ...
//   keeper.Withdraw(id);   // deactivate / delete: stop refreshing, revoke tokens
//
// Thread-safety: thread-safe. One background thread refreshes tokens; it is
// stopped by the destructor.
#ifndef ADS_SERVING_RESOURCE_PRINCIPAL_H_
#define ADS_SERVING_RESOURCE_PRINCIPAL_H_

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "base/env.h"
#include "base/status.h"
#include "iam/keys.h"
#include "iam/session_token.h"

namespace ads::serving {

inline constexpr char kRpVersionVar[] = "OCI_RESOURCE_PRINCIPAL_VERSION";
inline constexpr char kRpTokenVar[] = "OCI_RESOURCE_PRINCIPAL_RPST";
inline constexpr char kRpPrivateKeyVar[] = "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM";
inline constexpr char kRpRegionVar[] = "OCI_RESOURCE_PRINCIPAL_REGION";
inline constexpr char kRpEndpointVar[] = "OCI_RESOURCE_PRINCIPAL_ENDPOINT";
inline constexpr char kOdscEndpointVar[] = "OCI_ODSC_SERVICE_ENDPOINT";

struct ResourcePrincipalOptions {
  // Signs the tokens; null disables resource principals (Provision then
  // returns no variables). Must outlive the keeper.
  iam::SessionTokenAuthority* authority = nullptr;
  std::string tenancy_id;  // res_tenant
  std::string region;      // OCI_RESOURCE_PRINCIPAL_REGION
};

class ResourcePrincipalKeeper {
 public:
  ResourcePrincipalKeeper(Env& env, ResourcePrincipalOptions options);
  ~ResourcePrincipalKeeper();
  ResourcePrincipalKeeper(const ResourcePrincipalKeeper&) = delete;
  ResourcePrincipalKeeper& operator=(const ResourcePrincipalKeeper&) = delete;

  bool enabled() const { return options_.authority != nullptr; }

  // Writes the deployment's key (generated on its first provision, then
  // reused) and a fresh token into `dir`, keeps the token refreshed, and
  // returns the workers' environment variables (above).
  Result<std::map<std::string, std::string>> Provision(const std::string& deployment_id,
                                                       const std::string& compartment_id,
                                                       const std::string& dir,
                                                       const std::string& endpoint);
  // The deployment moved: a new token with the new compartment now.
  void SetCompartment(const std::string& deployment_id, const std::string& compartment_id);
  // Stops refreshing, revokes the deployment's tokens and forgets its key
  // (the files go with the deployment's directory).
  void Withdraw(const std::string& deployment_id);

 private:
  struct Entry {
    std::string compartment_id;
    std::string dir;
    iam::PrivateKey key;
    std::chrono::steady_clock::time_point next_refresh;
  };
  // Issues a token for `entry` and writes it; caller holds no lock.
  Status WriteToken(const std::string& deployment_id, const std::string& compartment_id,
                    const std::string& dir, const iam::PublicKey& key);
  void RefreshLoop();

  Env& env_;
  const ResourcePrincipalOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Entry, std::less<>> entries_;  // GUARDED_BY(mu_)
  bool stop_ = false;                                  // GUARDED_BY(mu_)
  std::thread refresher_;                              // last: starts once the rest exists
};

}  // namespace ads::serving

#endif  // ADS_SERVING_RESOURCE_PRINCIPAL_H_
