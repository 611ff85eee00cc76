#include "base/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace ads {
namespace {

// Python's json accepts NaN/Infinity/-Infinity; nlohmann does not. They are
// swapped for sentinel strings before parsing and swapped back afterwards.
constexpr std::string_view kNanSentinel = "\x01" "ads:NaN\x01";
constexpr std::string_view kInfSentinel = "\x01" "ads:Inf\x01";
constexpr std::string_view kNegInfSentinel = "\x01" "ads:-Inf\x01";

// Also measures the deepest nesting of arrays and objects into *max_depth
// (brackets inside strings do not count).
bool ReplaceNonFiniteTokens(std::string_view text, std::string* out, int* max_depth) {
  bool replaced = false;
  bool in_string = false;
  int depth = 0;
  *max_depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      *out += c;
      if (c == '\\' && i + 1 < text.size()) {
        *out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '[' || c == '{') *max_depth = std::max(*max_depth, ++depth);
    if ((c == ']' || c == '}') && depth > 0) --depth;
    auto take = [&](std::string_view token, std::string_view sentinel) {
      if (text.substr(i, token.size()) != token) return false;
      // Written with \u0001 escapes: raw control characters are not valid JSON.
      *out += "\"\\u0001";
      *out += sentinel.substr(1, sentinel.size() - 2);
      *out += "\\u0001\"";
      i += token.size() - 1;
      replaced = true;
      return true;
    };
    if (take("NaN", kNanSentinel) || take("-Infinity", kNegInfSentinel) ||
        take("Infinity", kInfSentinel)) {
      continue;
    }
    *out += c;
  }
  return replaced;
}

void RestoreNonFinite(Json& value) {
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (s == kNanSentinel) value = std::nan("");
    else if (s == kInfSentinel) value = HUGE_VAL;
    else if (s == kNegInfSentinel) value = -HUGE_VAL;
  } else if (value.is_structured()) {
    for (auto& child : value) RestoreNonFinite(child);
  }
}

void AppendCodeUnit(std::string* out, unsigned unit) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "\\u%04x", unit);
  *out += buf;
}

// Decodes one UTF-8 sequence at s[i]; returns the code point (or the byte
// itself for invalid input) and advances i.
unsigned NextCodePoint(std::string_view s, size_t* i) {
  const auto b0 = static_cast<unsigned char>(s[*i]);
  int len = b0 < 0x80 ? 1 : (b0 >> 5) == 6 ? 2 : (b0 >> 4) == 14 ? 3 : (b0 >> 3) == 30 ? 4 : 0;
  if (len == 0 || *i + static_cast<size_t>(len) > s.size()) {
    ++*i;
    return b0;
  }
  unsigned cp = len == 1 ? b0 : b0 & (0x7F >> len);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[*i + k]) & 0x3F);
  *i += static_cast<size_t>(len);
  return cp;
}

void AppendPythonString(std::string* out, std::string_view s, bool ensure_ascii) {
  *out += '"';
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    switch (c) {
      case '"': *out += "\\\""; ++i; continue;
      case '\\': *out += "\\\\"; ++i; continue;
      case '\n': *out += "\\n"; ++i; continue;
      case '\r': *out += "\\r"; ++i; continue;
      case '\t': *out += "\\t"; ++i; continue;
      case '\b': *out += "\\b"; ++i; continue;
      case '\f': *out += "\\f"; ++i; continue;
      default: break;
    }
    const auto uc = static_cast<unsigned char>(c);
    if (uc < 0x20 || (ensure_ascii && uc == 0x7F)) {
      AppendCodeUnit(out, uc);
      ++i;
    } else if (uc < 0x80 || !ensure_ascii) {
      *out += c;
      ++i;
    } else {
      const unsigned cp = NextCodePoint(s, &i);
      if (cp >= 0x10000) {
        const unsigned v = cp - 0x10000;
        AppendCodeUnit(out, 0xD800 + (v >> 10));
        AppendCodeUnit(out, 0xDC00 + (v & 0x3FF));
      } else {
        AppendCodeUnit(out, cp);
      }
    }
  }
  *out += '"';
}

void DumpValue(const Json& v, const PythonJsonOptions& o, int depth, std::string* out);

void NewLine(const PythonJsonOptions& o, int depth, std::string* out) {
  if (o.indent < 0) return;
  *out += '\n';
  out->append(static_cast<size_t>(o.indent * depth), ' ');
}

void DumpObject(const Json& v, const PythonJsonOptions& o, int depth, std::string* out) {
  if (v.empty()) {
    *out += "{}";
    return;
  }
  std::vector<const std::string*> keys;
  for (auto it = v.begin(); it != v.end(); ++it) keys.push_back(&it.key());
  if (o.sort_keys) {
    std::sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return *a < *b; });
  }
  *out += '{';
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) *out += o.indent < 0 ? ", " : ",";
    NewLine(o, depth + 1, out);
    AppendPythonString(out, *keys[i], o.ensure_ascii);
    *out += ": ";
    DumpValue(v.at(*keys[i]), o, depth + 1, out);
  }
  NewLine(o, depth, out);
  *out += '}';
}

void DumpValue(const Json& v, const PythonJsonOptions& o, int depth, std::string* out) {
  switch (v.type()) {
    case Json::value_t::null: *out += "null"; return;
    case Json::value_t::boolean: *out += v.get<bool>() ? "true" : "false"; return;
    case Json::value_t::number_integer: *out += std::to_string(v.get<int64_t>()); return;
    case Json::value_t::number_unsigned: *out += std::to_string(v.get<uint64_t>()); return;
    case Json::value_t::number_float: *out += PythonFloatRepr(v.get<double>()); return;
    case Json::value_t::string:
      AppendPythonString(out, v.get_ref<const std::string&>(), o.ensure_ascii);
      return;
    case Json::value_t::object: DumpObject(v, o, depth, out); return;
    case Json::value_t::array: {
      if (v.empty()) {
        *out += "[]";
        return;
      }
      *out += '[';
      for (size_t i = 0; i < v.size(); ++i) {
        if (i > 0) *out += o.indent < 0 ? ", " : ",";
        NewLine(o, depth + 1, out);
        DumpValue(v[i], o, depth + 1, out);
      }
      NewLine(o, depth, out);
      *out += ']';
      return;
    }
    default: *out += "null"; return;  // binary/discarded never occur in ads data
  }
}

}  // namespace

Result<Json> ParseJson(std::string_view text, std::string_view what) {
  std::string patched;
  int depth = 0;
  const bool replaced = ReplaceNonFiniteTokens(text, &patched, &depth);
  if (depth > kMaxJsonDepth) {
    return InvalidArgumentError(std::string(what) + " is not valid JSON (arrays and objects are "
                                "nested more than " + std::to_string(kMaxJsonDepth) +
                                " levels deep)");
  }
  try {
    Json value = Json::parse(patched);
    if (replaced) RestoreNonFinite(value);
    return value;
  } catch (const Json::parse_error& e) {
    std::string detail = e.what();
    if (const size_t pos = detail.find("parse error"); pos != std::string::npos) {
      detail = detail.substr(pos);
    }
    return InvalidArgumentError(std::string(what) + " is not valid JSON (" + detail + ")");
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string(what) + " is not valid JSON (" + e.what() + ")");
  }
}

std::string PythonFloatRepr(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  const std::string sci(buf, res.ptr);
  // sci = [-]d[.ddd]e[+-]XX: split into sign, digits and decimal exponent.
  const size_t epos = sci.find('e');
  const int exp10 = std::stoi(sci.substr(epos + 1));
  std::string mantissa = sci.substr(0, epos);
  const bool negative = mantissa[0] == '-';
  if (negative) mantissa.erase(0, 1);
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  std::string out = negative ? "-" : "";
  if (exp10 < -4 || exp10 >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char ebuf[16];
    std::snprintf(ebuf, sizeof(ebuf), "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
    return out + ebuf;
  }
  if (exp10 < 0) {
    return out + "0." + std::string(static_cast<size_t>(-exp10 - 1), '0') + digits;
  }
  const auto int_len = static_cast<size_t>(exp10 + 1);
  if (digits.size() <= int_len) {
    return out + digits + std::string(int_len - digits.size(), '0') + ".0";
  }
  return out + digits.substr(0, int_len) + "." + digits.substr(int_len);
}

std::string DumpPythonJson(const Json& value, const PythonJsonOptions& options) {
  std::string out;
  DumpValue(value, options, 0, &out);
  return out;
}

Result<std::string> GetString(const Json& object, std::string_view key, std::string_view where) {
  if (!object.is_object()) {
    return InvalidArgumentError(std::string(where) + " must be a JSON object");
  }
  const auto it = object.find(std::string(key));
  if (it == object.end()) {
    return InvalidArgumentError(std::string(where) + " has no `" + std::string(key) + "` field");
  }
  if (!it->is_string()) {
    return InvalidArgumentError("`" + std::string(key) + "` in " + std::string(where) +
                                " must be a string");
  }
  return it->get<std::string>();
}

const Json* FindMember(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(std::string(key));
  return it == object.end() ? nullptr : &*it;
}

std::string StringMemberOr(const Json& object, std::string_view key, std::string_view fallback) {
  const Json* member = FindMember(object, key);
  if (member == nullptr || !member->is_string()) return std::string(fallback);
  return member->get<std::string>();
}

}  // namespace ads
