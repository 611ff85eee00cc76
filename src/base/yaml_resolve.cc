// PyYAML SafeLoader implicit resolvers and scalar constructors.
#include "base/yaml_resolve.h"

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

namespace ads::yaml_internal {
namespace {

// Implicit resolvers: the regular expressions of PyYAML's resolver.py, written
// as small matchers so that long scalars cannot blow up a regex engine.

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string_view StripSign(std::string_view s, bool* had_sign = nullptr) {
  bool sign = !s.empty() && (s[0] == '-' || s[0] == '+');
  if (had_sign != nullptr) *had_sign = sign;
  return sign ? s.substr(1) : s;
}

// Consumes [0-9_]* starting at *i.
void SkipDigitsUnderscores(std::string_view s, size_t* i) {
  while (*i < s.size() && (IsDigit(s[*i]) || s[*i] == '_')) ++*i;
}

// Consumes one or more groups `:[0-5]?[0-9]` starting at *i (which points at
// ':'). Returns false when the first group is malformed.
bool SkipSexagesimalGroups(std::string_view s, size_t* i) {
  bool any = false;
  while (*i < s.size() && s[*i] == ':') {
    size_t j = *i + 1;
    size_t start = j;
    while (j < s.size() && IsDigit(s[j])) ++j;
    size_t len = j - start;
    if (len == 0 || len > 2 || (len == 2 && s[start] > '5')) return false;
    *i = j;
    any = true;
  }
  return any;
}

// Optional `[eE][-+][0-9]+` at *i followed by the end of the string.
bool ExponentThenEnd(std::string_view s, size_t i) {
  if (i == s.size()) return true;
  if (s[i] != 'e' && s[i] != 'E') return false;
  if (++i >= s.size() || (s[i] != '-' && s[i] != '+')) return false;
  size_t start = ++i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  return i > start && i == s.size();
}

bool AllOf(std::string_view s, bool (*pred)(char)) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

}  // namespace

bool MatchesInt(std::string_view s) {
  std::string_view t = StripSign(s);
  if (t.empty()) return false;
  if (t.size() > 2 && t[0] == '0' && t[1] == 'b') {
    return AllOf(t.substr(2), [](char c) { return c == '0' || c == '1' || c == '_'; });
  }
  if (t.size() > 2 && t[0] == '0' && t[1] == 'x') {
    return AllOf(t.substr(2), [](char c) { return IsHexDigit(c) || c == '_'; });
  }
  if (t == "0") return true;
  if (t[0] == '0') {
    return AllOf(t.substr(1), [](char c) { return (c >= '0' && c <= '7') || c == '_'; });
  }
  if (t[0] < '1' || t[0] > '9') return false;
  size_t i = 1;
  SkipDigitsUnderscores(t, &i);
  if (i == t.size()) return true;
  return t[i] == ':' && SkipSexagesimalGroups(t, &i) && i == t.size();
}

bool MatchesFloat(std::string_view s) {
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return true;
  bool had_sign = false;
  std::string_view t = StripSign(s, &had_sign);
  if (t == ".inf" || t == ".Inf" || t == ".INF") return true;
  if (t.empty()) return false;
  if (t[0] == '.') {
    if (had_sign || t.size() < 2 || !IsDigit(t[1])) return false;
    size_t i = 2;
    SkipDigitsUnderscores(t, &i);
    return ExponentThenEnd(t, i);
  }
  if (!IsDigit(t[0])) return false;
  size_t i = 1;
  SkipDigitsUnderscores(t, &i);
  if (i < t.size() && t[i] == ':') {
    if (!SkipSexagesimalGroups(t, &i) || i >= t.size() || t[i] != '.') return false;
    ++i;
    SkipDigitsUnderscores(t, &i);
    return i == t.size();
  }
  if (i >= t.size() || t[i] != '.') return false;
  ++i;
  SkipDigitsUnderscores(t, &i);
  return ExponentThenEnd(t, i);
}

namespace {

// Reads a run of min_len..max_len digits (and no more).
bool DigitRun(std::string_view s, size_t* i, size_t min_len, size_t max_len) {
  size_t start = *i;
  while (*i < s.size() && IsDigit(s[*i])) ++*i;
  size_t len = *i - start;
  return len >= min_len && len <= max_len;
}

}  // namespace

bool MatchesTimestamp(std::string_view s) {
  size_t i = 0;
  if (!DigitRun(s, &i, 4, 4) || i >= s.size() || s[i++] != '-') return false;
  size_t month_start = i;
  if (!DigitRun(s, &i, 1, 2) || i >= s.size() || s[i++] != '-') return false;
  size_t day_start = i;
  if (!DigitRun(s, &i, 1, 2)) return false;
  if (i == s.size()) return i - day_start == 2 && day_start - month_start == 3;
  if (s[i] == 'T' || s[i] == 't') {
    ++i;
  } else {
    size_t ws = i;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i == ws) return false;
  }
  if (!DigitRun(s, &i, 1, 2) || i >= s.size() || s[i++] != ':') return false;
  if (!DigitRun(s, &i, 2, 2) || i >= s.size() || s[i++] != ':') return false;
  if (!DigitRun(s, &i, 2, 2)) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  if (i == s.size()) return true;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  if (i < s.size() && s[i] == 'Z') return i + 1 == s.size();
  if (i >= s.size() || (s[i] != '-' && s[i] != '+')) return false;
  ++i;
  if (!DigitRun(s, &i, 1, 2)) return false;
  if (i == s.size()) return true;
  if (s[i++] != ':') return false;
  return DigitRun(s, &i, 2, 2) && i == s.size();
}

bool MatchesBool(std::string_view s) {
  static constexpr std::string_view kBools[] = {
      "yes", "Yes", "YES", "no",    "No",    "NO",    "true", "True", "TRUE",
      "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"};
  for (std::string_view b : kBools) {
    if (s == b) return true;
  }
  return false;
}

bool MatchesNull(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

// What a plain scalar means to PyYAML's SafeLoader (resolver order kept).
PlainKind ResolvePlain(std::string_view s) {
  if (MatchesBool(s)) return PlainKind::kBool;
  if (MatchesFloat(s)) return PlainKind::kFloat;
  if (MatchesInt(s)) return PlainKind::kInt;
  if (s == "<<") return PlainKind::kMerge;
  if (MatchesNull(s)) return PlainKind::kNull;
  if (MatchesTimestamp(s)) return PlainKind::kTimestamp;
  if (s == "=") return PlainKind::kValue;
  return PlainKind::kStr;
}

// ---------------------------------------------------------------------------
// Constructors: PyYAML's construct_yaml_int / construct_yaml_float.

namespace {

std::string RemoveUnderscores(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '_') out += c;
  }
  return out;
}

// Accumulates digits of `base` into *value; false on a bad digit or when the
// value would not fit in uint64.
bool AccumulateDigits(std::string_view digits, unsigned base, uint64_t* value) {
  if (digits.empty()) return false;
  for (char c : digits) {
    unsigned d = IsDigit(c) ? unsigned(c - '0')
                            : unsigned((c | 0x20) - 'a' + 10);
    if (d >= base) return false;
    if (*value > (std::numeric_limits<uint64_t>::max() - d) / base) return false;
    *value = *value * base + d;
  }
  return true;
}

}  // namespace

std::optional<Json> ConstructInt(std::string_view text) {
  std::string v = RemoveUnderscores(text);
  bool negative = !v.empty() && v[0] == '-';
  std::string_view t = StripSign(v);
  uint64_t magnitude = 0;
  bool ok;
  if (t == "0") {
    ok = true;
  } else if (t.substr(0, 2) == "0b") {
    ok = AccumulateDigits(t.substr(2), 2, &magnitude);
  } else if (t.substr(0, 2) == "0x") {
    ok = AccumulateDigits(t.substr(2), 16, &magnitude);
  } else if (!t.empty() && t[0] == '0') {
    ok = AccumulateDigits(t.substr(1), 8, &magnitude);
  } else if (t.find(':') != std::string_view::npos) {
    ok = true;
    size_t start = 0;
    while (ok && start <= t.size()) {
      size_t colon = t.find(':', start);
      std::string_view part = t.substr(start, colon == std::string_view::npos
                                                  ? std::string_view::npos
                                                  : colon - start);
      uint64_t digit = 0;
      ok = AccumulateDigits(part, 10, &digit) &&
           magnitude <= (std::numeric_limits<uint64_t>::max() - digit) / 60;
      magnitude = magnitude * 60 + digit;
      if (colon == std::string_view::npos) break;
      start = colon + 1;
    }
  } else {
    ok = AccumulateDigits(t, 10, &magnitude);
  }
  if (!ok) return std::nullopt;
  if (!negative) {
    if (magnitude <= uint64_t(std::numeric_limits<int64_t>::max())) {
      return Json(int64_t(magnitude));
    }
    return Json(magnitude);
  }
  if (magnitude > uint64_t(std::numeric_limits<int64_t>::max()) + 1) return std::nullopt;
  return Json(magnitude == 0 ? int64_t{0} : int64_t(0 - magnitude));
}

namespace {

std::optional<double> ParseDouble(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return d;
}

}  // namespace

std::optional<Json> ConstructFloat(std::string_view text) {
  std::string v;
  for (char c : RemoveUnderscores(text)) v += char(c >= 'A' && c <= 'Z' ? c + 32 : c);
  double sign = 1.0;
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) {
    if (v[0] == '-') sign = -1.0;
    v.erase(0, 1);
  }
  if (v == ".inf") return Json(sign * std::numeric_limits<double>::infinity());
  if (v == ".nan") return Json(std::numeric_limits<double>::quiet_NaN());
  if (v.find(':') == std::string::npos) {
    std::optional<double> d = ParseDouble(v);
    if (!d) return std::nullopt;
    return Json(sign * *d);
  }
  std::vector<double> parts;
  size_t start = 0;
  while (true) {
    size_t colon = v.find(':', start);
    std::optional<double> d = ParseDouble(v.substr(start, colon - start));
    if (!d) return std::nullopt;
    parts.push_back(*d);
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  double value = 0.0, base = 1.0;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    value += *it * base;
    base *= 60.0;
  }
  return Json(sign * value);
}

std::optional<Json> ConstructBool(std::string_view text) {
  std::string lower;
  for (char c : text) lower += char(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (lower == "yes" || lower == "true" || lower == "on") return Json(true);
  if (lower == "no" || lower == "false" || lower == "off") return Json(false);
  return std::nullopt;
}

}  // namespace ads::yaml_internal
