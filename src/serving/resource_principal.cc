#include "serving/resource_principal.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "base/logging.h"

namespace ads::serving {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr char kTokenFile[] = "rpst";
constexpr char kKeyFile[] = "private.pem";
// After a failed refresh, the next attempt.
constexpr std::chrono::seconds kRetryPause{5};

// The files hold credentials: the directory keeps everyone else out, also
// during the moment between an atomic write's rename and its chmod.
Status WriteSecret(Env& env, const std::string& dir, const std::string& name,
                   std::string_view data) {
  const std::string path = JoinPath(dir, name);
  ADS_RETURN_IF_ERROR(env.WriteFileAtomic(path, data));
  return env.SetMode(path, 0600);
}

}  // namespace

ResourcePrincipalKeeper::ResourcePrincipalKeeper(Env& env, ResourcePrincipalOptions options)
    : env_(env), options_(std::move(options)), refresher_([this] { RefreshLoop(); }) {}

ResourcePrincipalKeeper::~ResourcePrincipalKeeper() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  refresher_.join();
}

Status ResourcePrincipalKeeper::WriteToken(const std::string& deployment_id,
                                           const std::string& compartment_id,
                                           const std::string& dir, const iam::PublicKey& key) {
  const iam::ResourceIdentity who{std::string(iam::kModelDeploymentType), deployment_id,
                                  compartment_id, options_.tenancy_id};
  ADS_ASSIGN_OR_RETURN(std::string token, options_.authority->Issue(who, key, env_.Now()));
  return WriteSecret(env_, dir, kTokenFile, token);
}

Result<std::map<std::string, std::string>> ResourcePrincipalKeeper::Provision(
    const std::string& deployment_id, const std::string& compartment_id, const std::string& dir,
    const std::string& endpoint) {
  if (!enabled()) return std::map<std::string, std::string>();
  std::optional<iam::PrivateKey> key;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(deployment_id);
    if (it != entries_.end() && it->second.dir == dir) key = it->second.key;
  }
  ADS_RETURN_IF_ERROR(env_.CreateDirs(dir));
  ADS_RETURN_IF_ERROR(env_.SetMode(dir, 0700));
  if (!key) {
    // Key generation takes tens of milliseconds: outside the lock.
    ADS_ASSIGN_OR_RETURN(iam::PrivateKey fresh, iam::PrivateKey::Generate(iam::kDefaultRsaBits));
    ADS_ASSIGN_OR_RETURN(std::string pem, fresh.ToPem());
    ADS_RETURN_IF_ERROR(WriteSecret(env_, dir, kKeyFile, pem));
    key = std::move(fresh);
  }
  ADS_RETURN_IF_ERROR(WriteToken(deployment_id, compartment_id, dir, key->public_key()));
  {
    std::lock_guard<std::mutex> lock(mu_);
    entries_.insert_or_assign(
        deployment_id,
        Entry{compartment_id, dir, *key, SteadyClock::now() + options_.authority->lifetime() / 2});
  }
  cv_.notify_all();
  return std::map<std::string, std::string>{
      {kRpVersionVar, "2.2"},
      {kRpTokenVar, JoinPath(dir, kTokenFile)},
      {kRpPrivateKeyVar, JoinPath(dir, kKeyFile)},
      {kRpRegionVar, options_.region},
      {kRpEndpointVar, endpoint},
      {kOdscEndpointVar, endpoint},
  };
}

void ResourcePrincipalKeeper::SetCompartment(const std::string& deployment_id,
                                             const std::string& compartment_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(deployment_id);
    if (it == entries_.end()) return;
    it->second.compartment_id = compartment_id;
    it->second.next_refresh = SteadyClock::now();
  }
  cv_.notify_all();
}

void ResourcePrincipalKeeper::Withdraw(const std::string& deployment_id) {
  if (!enabled()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    entries_.erase(deployment_id);
  }
  options_.authority->RevokeResource(deployment_id);
}

void ResourcePrincipalKeeper::RefreshLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    const auto now = SteadyClock::now();
    struct Due {
      std::string id, compartment, dir;
      iam::PublicKey key;
    };
    std::vector<Due> due;
    auto next = SteadyClock::time_point::max();
    for (auto& [id, entry] : entries_) {
      if (entry.next_refresh <= now) {
        due.push_back({id, entry.compartment_id, entry.dir, entry.key.public_key()});
      } else {
        next = std::min(next, entry.next_refresh);
      }
    }
    if (due.empty()) {
      if (next == SteadyClock::time_point::max()) {
        cv_.wait(lock);
      } else {
        cv_.wait_until(lock, next);
      }
      continue;
    }
    lock.unlock();
    std::vector<std::pair<std::string, bool>> results;
    for (const Due& d : due) {
      Status written = WriteToken(d.id, d.compartment, d.dir, d.key);
      if (!written.ok()) {
        LogWarning("model deployment " + d.id +
                   ": refreshing its resource principal token failed: " + written.ToString());
      }
      results.emplace_back(d.id, written.ok());
    }
    lock.lock();
    const auto after = SteadyClock::now();
    for (const auto& [id, ok] : results) {
      auto it = entries_.find(id);
      if (it == entries_.end()) {
        // Withdrawn while this token was being issued: revoke it too.
        options_.authority->RevokeResource(id);
        continue;
      }
      // Provision or SetCompartment may have moved the time meanwhile.
      if (it->second.next_refresh > now) continue;
      it->second.next_refresh =
          ok ? after + options_.authority->lifetime() / 2 : after + kRetryPause;
    }
  }
}

}  // namespace ads::serving
