// Internal to base/: the YAML 1.1 implicit resolvers and scalar constructors
// of PyYAML's SafeLoader, shared by the YAML reader (yaml.cc) and the
// PyYAML-compatible writer (yaml_dump.cc).
//
//   ResolvePlain("3.0") == PlainKind::kFloat; ResolvePlain("0o17") == kStr
//
// Thread-safety: pure functions.
#ifndef ADS_BASE_YAML_RESOLVE_H_
#define ADS_BASE_YAML_RESOLVE_H_

#include <optional>
#include <string_view>

#include "base/json.h"

namespace ads::yaml_internal {

// What a plain (unquoted) scalar means to PyYAML's resolver.
enum class PlainKind { kStr, kBool, kInt, kFloat, kNull, kTimestamp, kMerge, kValue };

// Each matches one implicit-resolver regular expression of resolver.py.
bool MatchesInt(std::string_view s);
bool MatchesFloat(std::string_view s);
bool MatchesTimestamp(std::string_view s);
bool MatchesBool(std::string_view s);
bool MatchesNull(std::string_view s);

// Tries the resolvers in PyYAML's order.
PlainKind ResolvePlain(std::string_view s);

// construct_yaml_int / _float / _bool; nullopt when the text cannot be
// converted (an integer outside int64/uint64 is refused rather than rounded).
std::optional<Json> ConstructInt(std::string_view text);
std::optional<Json> ConstructFloat(std::string_view text);
std::optional<Json> ConstructBool(std::string_view text);

}  // namespace ads::yaml_internal

#endif  // ADS_BASE_YAML_RESOLVE_H_
