// YAML helpers.
//
// ParseYaml reads any YAML document (through yaml-cpp) into Json, resolving
// plain scalars with the YAML 1.1 rules PyYAML's SafeLoader uses: `3.0` is a
// float, `'3.0'` a string, `yes`/`on` booleans, `~`/`null` null, and so on.
//
// DumpYamlPy writes a Json value byte-for-byte as Python's
// yaml.dump(value, Dumper=yaml.SafeDumper) does (sorted keys, block style,
// PyYAML's quoting and its folding of long scalars at 80 columns).
#ifndef ADS_BASE_YAML_H_
#define ADS_BASE_YAML_H_

#include <string>
#include <string_view>

#include "base/json.h"
#include "base/status.h"

namespace ads {

// The error names `what` (e.g. "runtime.yaml") with line and column.
Result<Json> ParseYaml(std::string_view text, std::string_view what = "YAML");

std::string DumpYamlPy(const Json& value);

}  // namespace ads

#endif  // ADS_BASE_YAML_H_
