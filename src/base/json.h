// JSON helpers. ads uses nlohmann::ordered_json everywhere so that objects
// keep the key order the formats prescribe (ADS writes schemas and metadata
// with Python dicts, whose order is insertion order).
//
//   ADS_ASSIGN_OR_RETURN(Json doc, ParseJson(text, "input_schema.json"));
//   std::string out = DumpPythonJson(doc);  // as Python's json.dumps(doc)
#ifndef ADS_BASE_JSON_H_
#define ADS_BASE_JSON_H_

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace ads {

using Json = nlohmann::ordered_json;

// Parses `text`; the error names `what` (e.g. a file name) and the position.
// Accepts the bare tokens NaN, Infinity and -Infinity as Python's json does.
// Arrays and objects nested deeper than kMaxJsonDepth are rejected (Python's
// json gives up near the same depth), so recursive walks of the result are
// safe.
inline constexpr int kMaxJsonDepth = 1000;
Result<Json> ParseJson(std::string_view text, std::string_view what = "JSON");

struct PythonJsonOptions {
  int indent = -1;         // -1: one line, with ", " and ": " separators
  bool sort_keys = false;
  bool ensure_ascii = true;  // Python's default: non-ASCII as \uXXXX
};
// Serialises exactly as Python's json.dumps(value, indent=..., sort_keys=...)
// would: float repr (shortest round trip, "1.0", "1e-05", "NaN", "Infinity").
std::string DumpPythonJson(const Json& value, const PythonJsonOptions& options = {});

// Python's repr() of a float.
std::string PythonFloatRepr(double value);

// Typed accessors that return a clear error naming `where` and the key.
Result<std::string> GetString(const Json& object, std::string_view key, std::string_view where);

// Accessors that are safe on any Json, whatever came out of a file. Const
// operator[] on a missing key is undefined behaviour, and Json::value(key,
// default) throws when the key holds another type; use these instead.
//
// The member `key` of `object`; nullptr when `object` is not an object or has
// no such member.
const Json* FindMember(const Json& object, std::string_view key);
// The string member `key`, or `fallback` when it is absent or not a string.
std::string StringMemberOr(const Json& object, std::string_view key,
                           std::string_view fallback = "");

}  // namespace ads

#endif  // ADS_BASE_JSON_H_
