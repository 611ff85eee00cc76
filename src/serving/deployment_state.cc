#include "serving/deployment_state.h"

#include <array>
#include <utility>

namespace ads::serving {

namespace {

using S = DeploymentState;

constexpr std::array<std::pair<S, std::string_view>, 8> kNames = {{
    {S::kCreating, "CREATING"},
    {S::kActive, "ACTIVE"},
    {S::kUpdating, "UPDATING"},
    {S::kInactive, "INACTIVE"},
    {S::kDeleting, "DELETING"},
    {S::kDeleted, "DELETED"},
    {S::kFailed, "FAILED"},
    {S::kNeedsAttention, "NEEDS_ATTENTION"},
}};

}  // namespace

std::string_view StateName(DeploymentState state) {
  for (const auto& [s, name] : kNames) {
    if (s == state) return name;
  }
  return "UNKNOWN";
}

std::optional<DeploymentState> ParseState(std::string_view name) {
  for (const auto& [s, n] : kNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

bool TransitionAllowed(DeploymentState from, DeploymentState to) {
  switch (from) {
    case S::kCreating:
      return to == S::kActive || to == S::kFailed;
    case S::kActive:
      return to == S::kUpdating || to == S::kNeedsAttention || to == S::kDeleting;
    case S::kUpdating:
      return to == S::kActive || to == S::kInactive || to == S::kFailed;
    case S::kInactive:
      return to == S::kUpdating || to == S::kDeleting;
    case S::kNeedsAttention:
      return to == S::kActive || to == S::kUpdating || to == S::kDeleting;
    case S::kFailed:
      return to == S::kDeleting;
    case S::kDeleting:
      return to == S::kDeleted;
    case S::kDeleted:
      return false;
  }
  return false;
}

bool UsesModel(DeploymentState state) {
  return state == S::kCreating || state == S::kActive || state == S::kUpdating ||
         state == S::kNeedsAttention;
}

}  // namespace ads::serving
