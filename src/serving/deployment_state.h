// The lifecycle of a model deployment, written down in one place: the OCI
// states (ModelDeployment.lifecycleState) and the one function that says
// which moves are allowed. DeploymentService refuses any other move with 409
// IncorrectState naming the current state.
//
//   CREATING ---------> ACTIVE | FAILED          (create: load the model)
//   ACTIVE ----------> UPDATING -> ACTIVE        (update: swap model / logging;
//                                                  a failed swap returns to
//                                                  ACTIVE on the old model)
//   ACTIVE ----------> UPDATING -> INACTIVE      (deactivate: drain, free)
//   INACTIVE --------> UPDATING -> ACTIVE|FAILED (activate: load again)
//   INACTIVE --------> UPDATING -> INACTIVE      (update of capacity/bandwidth)
//   ACTIVE ----------> NEEDS_ATTENTION           (the predictor keeps answering
//                                                  Unavailable: N in a row)
//   NEEDS_ATTENTION -> ACTIVE                    (a prediction succeeds again)
//   NEEDS_ATTENTION -> UPDATING -> INACTIVE      (deactivate)
//   ACTIVE | INACTIVE | FAILED | NEEDS_ATTENTION -> DELETING -> DELETED
//
// UPDATING is the one transitional state of activate, deactivate and update,
// so at most one long action runs on a deployment at a time; CREATING,
// UPDATING and DELETING refuse every other action. Change compartment moves
// no state and is allowed in any state but DELETING and DELETED.
#ifndef ADS_SERVING_DEPLOYMENT_STATE_H_
#define ADS_SERVING_DEPLOYMENT_STATE_H_

#include <optional>
#include <string_view>

namespace ads::serving {

enum class DeploymentState {
  kCreating,        // the model is being extracted and loaded
  kActive,          // serving predictions
  kUpdating,        // activate, deactivate or update in progress
  kInactive,        // not serving; no predictor held
  kDeleting,        // being torn down
  kDeleted,         // gone (kept as a record, like OCI)
  kFailed,          // the model could not be loaded; lifecycleDetails says why
  kNeedsAttention,  // serving, but the predictor keeps failing
};

std::string_view StateName(DeploymentState state);
std::optional<DeploymentState> ParseState(std::string_view name);

// Whether the state machine above allows `from` -> `to`.
bool TransitionAllowed(DeploymentState from, DeploymentState to);

// States in which the deployment holds (or is getting) a predictor and
// keeps its model in use: the catalog refuses to delete that model.
bool UsesModel(DeploymentState state);

}  // namespace ads::serving

#endif  // ADS_SERVING_DEPLOYMENT_STATE_H_
