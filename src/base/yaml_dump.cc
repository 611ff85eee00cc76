// DumpYamlPy: a port of the parts of PyYAML's Emitter that
// yaml.dump(value, Dumper=yaml.SafeDumper) with default options exercises.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "base/yaml.h"
#include "base/yaml_resolve.h"

namespace ads {

using yaml_internal::PlainKind;
using yaml_internal::ResolvePlain;

// ---------------------------------------------------------------------------
// The emitter. Names and state mirror yaml/emitter.py so that the two can be
// compared line by line; only block style, implicit tags and no anchors are
// needed because SafeDumper with default_flow_style=False writes Json values
// that way (flow style appears only for empty collections).

namespace {

constexpr int kBestIndent = 2;
constexpr int kBestWidth = 80;

bool IsBreak(char32_t c) { return c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029; }
bool IsWhitespaceOrEnd(char32_t c) {
  return c == 0 || c == ' ' || c == '\t' || c == '\r' || IsBreak(c);
}

// Invalid UTF-8 bytes map to U+0080..U+00FF so they end up escaped (\xNN).
std::u32string DecodeUtf8(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    bool ok = len > 0 && i + len <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      unsigned char cc = s[i + k];
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (!ok) {
      out += char32_t(c);
      ++i;
    } else {
      out += cp;
      i += len;
    }
  }
  return out;
}

std::string EncodeUtf8(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) {
    if (c < 0x80) {
      out += char(c);
    } else if (c < 0x800) {
      out += char(0xC0 | (c >> 6));
      out += char(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += char(0xE0 | (c >> 12));
      out += char(0x80 | ((c >> 6) & 0x3F));
      out += char(0x80 | (c & 0x3F));
    } else {
      out += char(0xF0 | (c >> 18));
      out += char(0x80 | ((c >> 12) & 0x3F));
      out += char(0x80 | ((c >> 6) & 0x3F));
      out += char(0x80 | (c & 0x3F));
    }
  }
  return out;
}

struct Analysis {
  bool empty = false;
  bool multiline = false;
  bool allow_block_plain = true;
  bool allow_single_quoted = true;
};

// emitter.py analyze_scalar, for allow_unicode=False and block context.
Analysis AnalyzeScalar(const std::u32string& s) {
  Analysis a;
  if (s.empty()) {
    a.empty = true;
    return a;
  }
  bool block_indicators = false, line_breaks = false, special = false;
  bool leading_space = false, leading_break = false, trailing_space = false;
  bool trailing_break = false, break_space = false, space_break = false;
  if (s.rfind(U"---", 0) == 0 || s.rfind(U"...", 0) == 0) block_indicators = true;
  bool preceded_by_ws = true;
  bool followed_by_ws = s.size() == 1 || IsWhitespaceOrEnd(s[1]);
  bool previous_space = false, previous_break = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char32_t ch = s[i];
    if (i == 0) {
      if (std::u32string_view(U"#,[]{}&*!|>'\"%@`").find(ch) != std::u32string_view::npos) {
        block_indicators = true;
      }
      if ((ch == '?' || ch == ':' || ch == '-') && followed_by_ws) block_indicators = true;
    } else {
      if (ch == ':' && followed_by_ws) block_indicators = true;
      if (ch == '#' && preceded_by_ws) block_indicators = true;
    }
    if (IsBreak(ch)) line_breaks = true;
    if (!(ch == '\n' || (ch >= 0x20 && ch <= 0x7E))) special = true;  // allow_unicode=False
    if (ch == ' ') {
      if (i == 0) leading_space = true;
      if (i == s.size() - 1) trailing_space = true;
      if (previous_break) break_space = true;
      previous_space = true;
      previous_break = false;
    } else if (IsBreak(ch)) {
      if (i == 0) leading_break = true;
      if (i == s.size() - 1) trailing_break = true;
      if (previous_space) space_break = true;
      previous_space = false;
      previous_break = true;
    } else {
      previous_space = previous_break = false;
    }
    preceded_by_ws = IsWhitespaceOrEnd(ch);
    followed_by_ws = i + 2 >= s.size() || IsWhitespaceOrEnd(s[i + 2]);
  }
  a.multiline = line_breaks;
  if (leading_space || leading_break || trailing_space || trailing_break) {
    a.allow_block_plain = false;
  }
  if (break_space) a.allow_block_plain = a.allow_single_quoted = false;
  if (space_break || special) a.allow_block_plain = a.allow_single_quoted = false;
  if (line_breaks || block_indicators) a.allow_block_plain = false;
  return a;
}

class PyEmitter {
 public:
  std::string Dump(const Json& root) {
    EmitNode(root, /*root=*/true, /*mapping=*/false, /*simple_key=*/false);
    WriteIndent();  // document end
    if (open_ended_) {
      WriteIndicator(U"...", true);
      WriteIndent();
    }
    return std::move(out_);
  }

 private:
  void EmitNode(const Json& value, bool root, bool mapping, bool simple_key);
  void EmitBlockSequence(const Json& value, bool mapping);
  void EmitBlockMapping(const Json& value);
  void EmitScalar(const std::u32string& text, bool plain_resolves, bool simple_key);

  void IncreaseIndent(bool flow, bool indentless) {
    indents_.push_back(indent_);
    if (!indent_) {
      indent_ = flow ? kBestIndent : 0;
    } else if (!indentless) {
      *indent_ += kBestIndent;
    }
  }
  void PopIndent() {
    indent_ = indents_.back();
    indents_.pop_back();
  }
  void Write(std::u32string_view data) {
    out_ += EncodeUtf8(data);
    column_ += int(data.size());
  }
  void WriteIndicator(std::u32string_view indicator, bool need_whitespace,
                      bool whitespace = false, bool indention = false) {
    if (!whitespace_ && need_whitespace) Write(U" ");
    Write(indicator);
    whitespace_ = whitespace;
    indention_ = indention_ && indention;
    open_ended_ = false;
  }
  void WriteIndent() {
    int indent = indent_.value_or(0);
    if (!indention_ || column_ > indent || (column_ == indent && !whitespace_)) {
      WriteLineBreak();
    }
    if (column_ < indent) {
      whitespace_ = true;
      out_.append(size_t(indent - column_), ' ');
      column_ = indent;
    }
  }
  void WriteLineBreak() {
    whitespace_ = true;
    indention_ = true;
    column_ = 0;
    out_ += '\n';
  }
  void WritePlain(const std::u32string& text, bool split);
  void WriteSingleQuoted(const std::u32string& text, bool split);
  void WriteDoubleQuoted(const std::u32string& text, bool split);

  std::string out_;
  int column_ = 0;
  bool whitespace_ = true;
  bool indention_ = true;
  bool open_ended_ = false;
  bool root_context_ = false;
  std::optional<int> indent_;
  std::vector<std::optional<int>> indents_;
};

std::string FloatText(double d) {
  if (std::isnan(d)) return ".nan";
  if (std::isinf(d)) return d > 0 ? ".inf" : "-.inf";
  std::string repr = PythonFloatRepr(d);
  for (char& c : repr) c = char(c >= 'A' && c <= 'Z' ? c + 32 : c);
  size_t e = repr.find('e');
  if (repr.find('.') == std::string::npos && e != std::string::npos) repr.insert(e, ".0");
  return repr;
}

void PyEmitter::EmitNode(const Json& value, bool root, bool mapping, bool simple_key) {
  root_context_ = root;
  switch (value.type()) {
    case Json::value_t::object:
    case Json::value_t::array:
      if (value.empty()) {
        WriteIndicator(value.is_object() ? U"{" : U"[", true, /*whitespace=*/true);
        WriteIndicator(value.is_object() ? U"}" : U"]", false);
      } else if (value.is_object()) {
        EmitBlockMapping(value);
      } else {
        EmitBlockSequence(value, mapping);
      }
      return;
    case Json::value_t::string: {
      std::u32string text = DecodeUtf8(value.get_ref<const std::string&>());
      bool resolves_to_str = ResolvePlain(value.get_ref<const std::string&>()) == PlainKind::kStr;
      EmitScalar(text, resolves_to_str, simple_key);
      return;
    }
    case Json::value_t::boolean:
      EmitScalar(value.get<bool>() ? U"true" : U"false", true, simple_key);
      return;
    case Json::value_t::number_integer:
      EmitScalar(DecodeUtf8(std::to_string(value.get<int64_t>())), true, simple_key);
      return;
    case Json::value_t::number_unsigned:
      EmitScalar(DecodeUtf8(std::to_string(value.get<uint64_t>())), true, simple_key);
      return;
    case Json::value_t::number_float:
      EmitScalar(DecodeUtf8(FloatText(value.get<double>())), true, simple_key);
      return;
    default:  // null, and binary/discarded which Json text cannot carry either
      EmitScalar(U"null", true, simple_key);
      return;
  }
}

void PyEmitter::EmitBlockSequence(const Json& value, bool mapping) {
  // PyYAML does not indent a list that is the value of a mapping key.
  IncreaseIndent(false, /*indentless=*/mapping && !indention_);
  for (const Json& item : value) {
    WriteIndent();
    WriteIndicator(U"-", true, false, /*indention=*/true);
    EmitNode(item, false, /*mapping=*/false, false);
  }
  PopIndent();
}

void PyEmitter::EmitBlockMapping(const Json& value) {
  IncreaseIndent(false, false);
  std::vector<const std::string*> keys;
  for (auto it = value.begin(); it != value.end(); ++it) keys.push_back(&it.key());
  // sort_keys=True: Python compares code points, which UTF-8 byte order preserves.
  std::sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return *a < *b; });
  for (const std::string* key : keys) {
    WriteIndent();
    std::u32string text = DecodeUtf8(*key);
    Analysis a = AnalyzeScalar(text);
    // check_simple_key counts the prepared tag too: "!!str" adds 5.
    bool simple = text.size() + 5 < 128 && !a.empty && !a.multiline;
    if (simple) {
      EmitNode(Json(*key), false, true, /*simple_key=*/true);
      WriteIndicator(U":", false);
    } else {
      WriteIndicator(U"?", true, false, /*indention=*/true);
      EmitNode(Json(*key), false, true, false);
      WriteIndent();
      WriteIndicator(U":", true, false, /*indention=*/true);
    }
    EmitNode(value.at(*key), false, /*mapping=*/true, false);
  }
  PopIndent();
}

// emitter.py expect_scalar + choose_scalar_style + process_scalar.
void PyEmitter::EmitScalar(const std::u32string& text, bool plain_resolves, bool simple_key) {
  IncreaseIndent(true, false);
  Analysis a = AnalyzeScalar(text);
  bool split = !simple_key;
  if (plain_resolves && !(simple_key && (a.empty || a.multiline)) && a.allow_block_plain) {
    WritePlain(text, split);
  } else if (a.allow_single_quoted && !(simple_key && a.multiline)) {
    WriteSingleQuoted(text, split);
  } else {
    WriteDoubleQuoted(text, split);
  }
  PopIndent();
}

void PyEmitter::WritePlain(const std::u32string& text, bool split) {
  if (root_context_) open_ended_ = true;
  if (text.empty()) return;
  if (!whitespace_) Write(U" ");
  whitespace_ = indention_ = false;
  bool spaces = false;
  size_t start = 0;
  // Plain scalars never hold line breaks here (analysis forbids them).
  for (size_t end = 0; end <= text.size(); ++end) {
    char32_t ch = end < text.size() ? text[end] : 0;
    bool at_end = end == text.size();
    if (spaces) {
      if (at_end || ch != ' ') {
        if (start + 1 == end && column_ > kBestWidth && split) {
          WriteIndent();
          whitespace_ = indention_ = false;
        } else {
          Write(std::u32string_view(text).substr(start, end - start));
        }
        start = end;
      }
    } else if (at_end || ch == ' ') {
      Write(std::u32string_view(text).substr(start, end - start));
      start = end;
    }
    if (!at_end) spaces = ch == ' ';
  }
}

void PyEmitter::WriteSingleQuoted(const std::u32string& text, bool split) {
  WriteIndicator(U"'", true);
  bool spaces = false, breaks = false;
  size_t start = 0;
  std::u32string_view view(text);
  for (size_t end = 0; end <= text.size(); ++end) {
    bool at_end = end == text.size();
    char32_t ch = at_end ? 0 : text[end];
    if (spaces) {
      if (at_end || ch != ' ') {
        if (start + 1 == end && column_ > kBestWidth && split && start != 0 &&
            end != text.size()) {
          WriteIndent();
        } else {
          Write(view.substr(start, end - start));
        }
        start = end;
      }
    } else if (breaks) {
      if (at_end || !IsBreak(ch)) {
        if (text[start] == '\n') WriteLineBreak();
        for (size_t k = start; k < end; ++k) WriteLineBreak();  // only '\n' reaches here
        WriteIndent();
        start = end;
      }
    } else if (at_end || ch == ' ' || IsBreak(ch) || ch == '\'') {
      if (start < end) {
        Write(view.substr(start, end - start));
        start = end;
      }
    }
    if (ch == '\'' && !at_end) {
      Write(U"''");
      start = end + 1;
    }
    if (!at_end) {
      spaces = ch == ' ';
      breaks = IsBreak(ch);
    }
  }
  WriteIndicator(U"'", false);
}

std::u32string EscapeChar(char32_t ch) {
  static const std::pair<char32_t, char32_t> kEscapes[] = {
      {0, '0'},    {7, 'a'},     {8, 'b'},      {9, 't'},      {10, 'n'},
      {11, 'v'},   {12, 'f'},    {13, 'r'},     {27, 'e'},     {'"', '"'},
      {'\\', '\\'}, {0x85, 'N'}, {0xA0, '_'},   {0x2028, 'L'}, {0x2029, 'P'}};
  for (auto [c, e] : kEscapes) {
    if (c == ch) return std::u32string(U"\\") + e;
  }
  char buf[16];
  if (ch <= 0xFF) {
    std::snprintf(buf, sizeof(buf), "\\x%02X", unsigned(ch));
  } else if (ch <= 0xFFFF) {
    std::snprintf(buf, sizeof(buf), "\\u%04X", unsigned(ch));
  } else {
    std::snprintf(buf, sizeof(buf), "\\U%08X", unsigned(ch));
  }
  return DecodeUtf8(buf);
}

void PyEmitter::WriteDoubleQuoted(const std::u32string& text, bool split) {
  WriteIndicator(U"\"", true);
  std::u32string_view view(text);
  size_t start = 0;
  for (size_t end = 0; end <= text.size(); ++end) {
    bool at_end = end == text.size();
    char32_t ch = at_end ? 0 : text[end];
    if (at_end || ch == '"' || ch == '\\' || ch == 0x85 || ch == 0x2028 || ch == 0x2029 ||
        ch == 0xFEFF || !(ch >= 0x20 && ch <= 0x7E)) {
      if (start < end) {
        Write(view.substr(start, end - start));
        start = end;
      }
      if (!at_end) {
        Write(EscapeChar(ch));
        start = end + 1;
      }
    }
    if (0 < end && end + 1 < text.size() && (ch == ' ' || start >= end) &&
        column_ + (int(end) - int(start)) > kBestWidth && split) {
      std::u32string data(start < end ? view.substr(start, end - start) : U"");
      data += U"\\";
      if (start < end) start = end;
      Write(data);
      WriteIndent();
      whitespace_ = indention_ = false;
      if (text[start] == ' ') Write(U"\\");
    }
  }
  WriteIndicator(U"\"", false);
}

}  // namespace

std::string DumpYamlPy(const Json& value) {
  PyEmitter emitter;
  return emitter.Dump(value);
}

}  // namespace ads
