// OCIDs and ADS-style display names.
//
//   std::string id = GenerateOcid(env, "datasciencemodel", "iad");
//   // ocid1.datasciencemodel.oc1.iad.amaaaaaa...  (60 base32 characters)
//   std::string name = RandomDisplayName(env);  // "brave-bison-2026-11-22-16:02.39"
#ifndef ADS_BASE_IDS_H_
#define ADS_BASE_IDS_H_

#include <string>
#include <string_view>

#include "base/env.h"
#include "base/status.h"

namespace ads {

struct Ocid {
  std::string type;    // e.g. datasciencemodel
  std::string realm;   // e.g. oc1
  std::string region;  // e.g. iad; may be empty (tenancy, user, ...)
  std::string unique;
};

// ocid1.<type>.<realm>.<region>.<unique>
std::string GenerateOcid(Env& env, std::string_view type, std::string_view region,
                         std::string_view realm = "oc1");
Result<Ocid> ParseOcid(std::string_view text);
std::string FormatOcid(const Ocid& id);

// "<adjective>-<animal>-YYYY-MM-DD-HH:MM.SS" in UTC; the animal alliterates
// with the adjective when one does, as ADS chooses them.
std::string RandomDisplayName(Env& env);
// Formats `t` as YYYY-MM-DD-HH:MM.SS (UTC).
std::string FormatNameTimestamp(std::chrono::system_clock::time_point t);
// RFC 3339 with milliseconds, UTC: 2026-11-22T16:02:39.123Z
std::string FormatRfc3339(std::chrono::system_clock::time_point t);

}  // namespace ads

#endif  // ADS_BASE_IDS_H_
