// ParseYaml: yaml-cpp for the structure, PyYAML's YAML 1.1 resolvers for the
// meaning of plain scalars.
#include "base/yaml.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "base/yaml_resolve.h"

namespace ads {
namespace {

using namespace yaml_internal;  // NOLINT: the resolver vocabulary

// ---------------------------------------------------------------------------
// yaml-cpp node tree -> Json.

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";
// Bounds alias expansion ("billion laughs"): a document without aliases has
// fewer nodes than bytes, so only an amplifying one can pass this.
constexpr size_t kMinNodeBudget = 100000;
// The same for text: aliases of one long scalar would otherwise copy it once
// per alias. Without aliases the text is never longer than the source.
constexpr size_t kMinTextBudget = 64 << 20;
constexpr int kMaxDepth = 512;

// Appends code point `cp` as UTF-8.
void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += char(cp);
  } else if (cp < 0x800) {
    *out += char(0xC0 | (cp >> 6));
    *out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += char(0xE0 | (cp >> 12));
    *out += char(0x80 | ((cp >> 6) & 0x3F));
    *out += char(0x80 | (cp & 0x3F));
  } else {
    *out += char(0xF0 | (cp >> 18));
    *out += char(0x80 | ((cp >> 12) & 0x3F));
    *out += char(0x80 | ((cp >> 6) & 0x3F));
    *out += char(0x80 | (cp & 0x3F));
  }
}

// yaml-cpp 0.7 drops the line breaks that end a multi-line quoted scalar
// ('a\n\n  ' reads as "a", not "a\n"), and PyYAML writes exactly that for
// strings ending in "\n". So quoted scalars are decoded again from the source
// with YAML's flow folding rules, as PyYAML's scan_flow_scalar does. Returns
// nullopt when `pos` does not start a well-formed quoted scalar.
class QuotedScalarDecoder {
 public:
  explicit QuotedScalarDecoder(std::string_view src) : src_(src) {}

  std::optional<std::string> Decode(size_t pos) {
    if (pos >= src_.size() || (src_[pos] != '\'' && src_[pos] != '"')) return std::nullopt;
    const char quote = src_[pos];
    i_ = pos + 1;
    std::string out;
    while (i_ < src_.size()) {
      char c = src_[i_];
      if (c == quote) {
        if (quote == '"' || i_ + 1 >= src_.size() || src_[i_ + 1] != '\'') return out;
        out += '\'';
        i_ += 2;
      } else if (c == '\\' && quote == '"') {
        if (!Escape(&out)) return std::nullopt;
      } else if (c == ' ' || c == '\t' || IsBreak(i_)) {
        size_t start = i_;
        while (i_ < src_.size() && (src_[i_] == ' ' || src_[i_] == '\t')) ++i_;
        if (!IsBreak(i_)) {
          out.append(src_.substr(start, i_ - start));
          continue;
        }
        SkipBreak();
        std::string breaks = Breaks();
        out += breaks.empty() ? std::string(" ") : breaks;
      } else {
        out += c;
        ++i_;
      }
    }
    return std::nullopt;
  }

 private:
  bool IsBreak(size_t k) const {
    return k < src_.size() && (src_[k] == '\n' || src_[k] == '\r');
  }
  void SkipBreak() { i_ += (src_[i_] == '\r' && i_ + 1 < src_.size() && src_[i_ + 1] == '\n') ? 2 : 1; }
  // The empty lines after a line break, one "\n" each; skips indentation.
  std::string Breaks() {
    std::string breaks;
    while (true) {
      while (i_ < src_.size() && (src_[i_] == ' ' || src_[i_] == '\t')) ++i_;
      if (!IsBreak(i_)) return breaks;
      SkipBreak();
      breaks += '\n';
    }
  }
  bool Escape(std::string* out) {
    if (i_ + 1 >= src_.size()) return false;
    char e = src_[i_ + 1];
    if (IsBreak(i_ + 1)) {  // an escaped line break joins lines without a space
      ++i_;
      SkipBreak();
      *out += Breaks();
      return true;
    }
    static constexpr std::pair<char, uint32_t> kSimple[] = {
        {'0', 0},    {'a', 7},    {'b', 8},     {'t', 9},      {'\t', 9},     {'n', 10},
        {'v', 11},   {'f', 12},   {'r', 13},    {'e', 27},     {' ', ' '},    {'"', '"'},
        {'\\', '\\'}, {'/', '/'}, {'N', 0x85},  {'_', 0xA0},   {'L', 0x2028}, {'P', 0x2029}};
    for (auto [k, cp] : kSimple) {
      if (k == e) {
        AppendUtf8(cp, out);
        i_ += 2;
        return true;
      }
    }
    size_t len = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
    if (len == 0 || i_ + 2 + len > src_.size()) return false;
    uint32_t cp = 0;
    for (size_t k = 0; k < len; ++k) {
      char h = src_[i_ + 2 + k];
      int d = IsHex(h);
      if (d < 0) return false;
      cp = cp * 16 + uint32_t(d);
    }
    if (cp > 0x10FFFF) return false;
    AppendUtf8(cp, out);
    i_ += 2 + len;
    return true;
  }
  static int IsHex(char h) {
    if (h >= '0' && h <= '9') return h - '0';
    if (h >= 'a' && h <= 'f') return h - 'a' + 10;
    if (h >= 'A' && h <= 'F') return h - 'A' + 10;
    return -1;
  }

  std::string_view src_;
  size_t i_ = 0;
};

class Converter {
 public:
  Converter(std::string_view source, std::string_view what) : source_(source), what_(what) {}

  Result<Json> Convert(const YAML::Node& node, int depth);

 private:
  Status Error(const YAML::Mark& mark, const std::string& message) const {
    return InvalidArgumentError(std::string(what_) + ": line " + std::to_string(mark.line + 1) +
                                ", column " + std::to_string(mark.column + 1) + ": " + message);
  }
  Result<Json> ConvertScalar(const YAML::Node& node);
  Result<std::string> ScalarText(const YAML::Node& node);
  Result<Json> ConvertMap(const YAML::Node& node, int depth);
  Result<std::string> KeyText(const YAML::Node& key);
  Status MergeInto(const YAML::Node& source, int depth, Json* merged);

  std::string_view source_;
  std::string_view what_;
  size_t nodes_ = 0;
  size_t text_bytes_ = 0;
};

Result<Json> Converter::Convert(const YAML::Node& node, int depth) {
  if (++nodes_ > kMinNodeBudget + source_.size()) {
    return Error(node.Mark(), "aliases expand the document to more than " +
                                  std::to_string(kMinNodeBudget + source_.size()) + " nodes");
  }
  if (depth > kMaxDepth) return Error(node.Mark(), "the document is nested too deeply");
  switch (node.Type()) {
    case YAML::NodeType::Null:
      if (node.Tag() == std::string(kTagPrefix) + "str") return Json("");
      return Json(nullptr);
    case YAML::NodeType::Scalar:
      return ConvertScalar(node);
    case YAML::NodeType::Sequence: {
      Json array = Json::array();
      for (const YAML::Node& item : node) {
        ADS_ASSIGN_OR_RETURN(Json value, Convert(item, depth + 1));
        array.push_back(std::move(value));
      }
      return array;
    }
    case YAML::NodeType::Map:
      return ConvertMap(node, depth);
    case YAML::NodeType::Undefined:
      break;
  }
  return Error(node.Mark(), "undefined node");
}

// The scalar's text; quoted scalars are re-read from the source (see
// QuotedScalarDecoder) when the node's mark points at their opening quote.
// Every scalar's text counts against the text budget.
Result<std::string> Converter::ScalarText(const YAML::Node& node) {
  std::string text = node.Scalar();
  if (node.Tag() != "?" && node.Mark().pos >= 0) {
    std::optional<std::string> decoded = QuotedScalarDecoder(source_).Decode(size_t(node.Mark().pos));
    if (decoded) text = std::move(*decoded);
  }
  text_bytes_ += text.size();
  const size_t budget = kMinTextBudget + 4 * source_.size();
  if (text_bytes_ > budget) {
    return Error(node.Mark(), "aliases expand the document to more than " +
                                  std::to_string(budget) + " bytes of text");
  }
  return text;
}

Result<Json> Converter::ConvertScalar(const YAML::Node& node) {
  ADS_ASSIGN_OR_RETURN(const std::string text, ScalarText(node));
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == std::string(kTagPrefix) + "str") return Json(text);
  if (tag == "?") {
    switch (ResolvePlain(text)) {
      case PlainKind::kBool: return *ConstructBool(text);
      case PlainKind::kNull: return Json(nullptr);
      case PlainKind::kInt: {
        std::optional<Json> value = ConstructInt(text);
        if (!value) return Error(node.Mark(), "integer `" + text + "` is out of range");
        return *value;
      }
      case PlainKind::kFloat: {
        std::optional<Json> value = ConstructFloat(text);
        if (!value) return Error(node.Mark(), "cannot read float `" + text + "`");
        return *value;
      }
      default: return Json(text);  // strings, timestamps (kept as text), "=", "<<"
    }
  }
  std::optional<Json> value;
  if (tag == std::string(kTagPrefix) + "int") {
    if (MatchesInt(text)) value = ConstructInt(text);
  } else if (tag == std::string(kTagPrefix) + "float") {
    if (MatchesFloat(text) || MatchesInt(text)) value = ConstructFloat(text);
  } else if (tag == std::string(kTagPrefix) + "bool") {
    value = ConstructBool(text);
  } else if (tag == std::string(kTagPrefix) + "null") {
    if (MatchesNull(text)) value = Json(nullptr);
  } else if (tag == std::string(kTagPrefix) + "timestamp") {
    if (MatchesTimestamp(text)) value = Json(text);
  } else {
    return Error(node.Mark(), "unsupported tag `" + tag + "`");
  }
  if (!value) return Error(node.Mark(), "`" + text + "` is not a valid value for tag `" + tag + "`");
  return *value;
}

// Keys become Json object keys: scalars by their source text (so `1: x` gives
// key "1"), null keys as "null". Collections cannot be keys of a Json object.
Result<std::string> Converter::KeyText(const YAML::Node& key) {
  if (key.IsScalar()) return ScalarText(key);
  if (key.IsNull()) return std::string("null");
  return Error(key.Mark(), "a mapping key must be a scalar, not a collection");
}

// PyYAML's merge key: `<<: *base` or `<<: [*a, *b]`; earlier sources win.
Status Converter::MergeInto(const YAML::Node& source, int depth, Json* merged) {
  std::vector<YAML::Node> sources;
  if (source.IsMap()) {
    sources.push_back(source);
  } else if (source.IsSequence()) {
    for (const YAML::Node& item : source) sources.push_back(item);
  }
  if (sources.empty()) {
    return Error(source.Mark(), "a merge key `<<` needs a mapping or a list of mappings");
  }
  for (const YAML::Node& s : sources) {
    if (!s.IsMap()) return Error(s.Mark(), "a merge key `<<` list may only hold mappings");
    ADS_ASSIGN_OR_RETURN(Json part, Convert(s, depth + 1));
    for (auto& [k, v] : part.items()) {
      if (!merged->contains(k)) (*merged)[k] = v;
    }
  }
  return OkStatus();
}

Result<Json> Converter::ConvertMap(const YAML::Node& node, int depth) {
  Json merged = Json::object();
  Json own = Json::object();
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;  // a copy: `it->` yields a temporary proxy
    if (key.IsScalar() && key.Tag() == "?" && key.Scalar() == "<<") {
      ADS_RETURN_IF_ERROR(MergeInto(it->second, depth, &merged));
      continue;
    }
    ADS_ASSIGN_OR_RETURN(std::string name, KeyText(key));
    if (own.contains(name)) return Error(key.Mark(), "duplicate key `" + name + "`");
    ADS_ASSIGN_OR_RETURN(Json value, Convert(it->second, depth + 1));
    own[name] = std::move(value);
  }
  if (merged.empty()) return own;
  for (auto& [k, v] : own.items()) merged[k] = std::move(v);
  return merged;
}

}  // namespace

Result<Json> ParseYaml(std::string_view text, std::string_view what) {
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(std::string(text));
    if (docs.empty()) return Json(nullptr);
    if (docs.size() > 1) {
      return InvalidArgumentError(std::string(what) + " holds " + std::to_string(docs.size()) +
                                  " YAML documents; expected one");
    }
    Converter converter(text, what);
    return converter.Convert(docs[0], 0);
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(std::string(what) + ": line " + std::to_string(e.mark.line + 1) +
                                ", column " + std::to_string(e.mark.column + 1) +
                                ": " + e.msg);
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string(what) + " could not be read as YAML: " + e.what());
  }
}

}  // namespace ads
