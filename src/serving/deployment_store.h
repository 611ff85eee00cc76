// The model deployments table in ads.db (component "serving" of
// store/migrations.h): the columns lists filter and sort on, the OCI
// ModelDeployment document, and what a restart needs to finish or undo a
// long action (its work request and the pending change). Lists page by
// keyset (sort key, id) with opaque URL-safe tokens.
//
// Internal to serving/. Thread-safety: none; DeploymentService holds its
// mutex around every call.
#ifndef ADS_SERVING_DEPLOYMENT_STORE_H_
#define ADS_SERVING_DEPLOYMENT_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"
#include "catalog/catalog.h"
#include "store/sqlite.h"

namespace ads::serving {

struct DeploymentRow {
  std::string id;
  std::string compartment_id;
  std::string project_id;
  std::string display_name;
  std::string lifecycle_state;
  std::string created_by;
  std::string model_id;
  int64_t time_created_us = 0;
  std::string retry_token;            // "" when none
  std::string create_work_request_id;
  std::string work_request_id;        // of the long action running, "" when none
  Json pending;                       // that action: {"action": ..., ...}; null when none
  Json doc;                           // the ModelDeployment (without modelDeploymentUrl)
};

class DeploymentStore {
 public:
  static Result<std::unique_ptr<DeploymentStore>> Open(std::unique_ptr<store::Database> db,
                                                       Env& env);

  Result<store::Transaction> Begin() { return store::Transaction::Begin(*db_); }
  Result<std::optional<DeploymentRow>> Get(std::string_view id);
  Status Insert(const DeploymentRow& row);
  Status Update(const DeploymentRow& row);  // every column, by id
  // Every deployment that is not DELETED (restart recovery).
  Result<std::vector<DeploymentRow>> Live();
  // The deployment created by `created_by` with `retry_token` at or after
  // `not_before_us`, if any.
  Result<std::optional<DeploymentRow>> FindByRetryToken(std::string_view created_by,
                                                        std::string_view retry_token,
                                                        int64_t not_before_us);
  // Filters: projectId, lifecycleState, displayName, id, createdBy (others
  // are InvalidArgument); DELETED rows only with a lifecycleState filter.
  // sortBy timeCreated (default DESC) or displayName (default ASC).
  Result<catalog::Page> List(const catalog::ListQuery& query);

 private:
  explicit DeploymentStore(std::unique_ptr<store::Database> db) : db_(std::move(db)) {}
  std::unique_ptr<store::Database> db_;
};

}  // namespace ads::serving

#endif  // ADS_SERVING_DEPLOYMENT_STORE_H_
