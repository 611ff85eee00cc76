// Small string helpers used across ads.
#ifndef ADS_BASE_STRINGS_H_
#define ADS_BASE_STRINGS_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ads {

// Case and space helpers work on ASCII, whatever the locale: bytes >= 0x80
// are left as they are. Trim drops the "C" locale's spaces (" \t\n\v\f\r").
std::string ToLower(std::string_view s);
std::string ToUpper(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string_view Trim(std::string_view s);
std::vector<std::string> Split(std::string_view s, char sep);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
std::string ReplaceAll(std::string s, std::string_view from, std::string_view to);
// Quotes `s` for an error message: `name`.
std::string Quoted(std::string_view s);

// Orders strings ASCII-case-insensitively (HTTP header names).
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};
// HTTP headers by name, case-insensitively; one value per name.
using HeaderMap = std::map<std::string, std::string, CaseInsensitiveLess>;

}  // namespace ads

#endif  // ADS_BASE_STRINGS_H_
