#include "metadata/text_shorten.h"

#include <algorithm>
#include <vector>

namespace ads::metadata {
namespace {

using Text = std::u32string;

Text Decode(std::string_view utf8) {
  Text out;
  for (size_t i = 0; i < utf8.size();) {
    const unsigned char c = static_cast<unsigned char>(utf8[i]);
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    char32_t cp = extra == 0 ? c : (c & (0x3F >> extra));
    if (extra > 0 && i + extra >= utf8.size()) {
      extra = 0;  // truncated sequence: keep the byte as it is
      cp = c;
    }
    for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (utf8[i + k] & 0x3F);
    out.push_back(cp);
    i += 1 + extra;
  }
  return out;
}

std::string Encode(const Text& text) {
  std::string out;
  for (char32_t cp : text) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

// Python's str.split() separators.
bool IsSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

bool IsWordChar(char32_t c) {  // \w
  return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9') ||
         c == U'_' || (c >= 0x80 && !IsSpace(c));
}
bool IsLetter(char32_t c) { return IsWordChar(c) && !(c >= U'0' && c <= U'9'); }  // [^\d\W]
bool IsWordPunct(char32_t c) {  // [\w!"'&.,?]
  return IsWordChar(c) || c == U'!' || c == U'"' || c == U'\'' || c == U'&' || c == U'.' ||
         c == U',' || c == U'?';
}

// Safe indexing: positions outside the word read as a non-letter.
char32_t At(const Text& w, long i) {
  return (i < 0 || i >= static_cast<long>(w.size())) ? U' ' : w[static_cast<size_t>(i)];
}

// "--" run starting at `i` followed by a word character; returns its end or 0.
size_t DashRunEnd(const Text& w, size_t i) {
  size_t j = i;
  while (j < w.size() && w[j] == U'-') ++j;
  return (j - i >= 2 && j < w.size() && IsWordChar(w[j])) ? j : 0;
}

// The end of the chunk starting at `p`, per textwrap's wordsep_re on a word
// without whitespace: a hyphen break, the word's end, or before an em-dash.
size_t ChunkEnd(const Text& w, size_t p) {
  const long n = static_cast<long>(w.size());
  if (p > 0 && IsWordPunct(w[p - 1]) && DashRunEnd(w, p) != 0) return DashRunEnd(w, p);
  for (long e = static_cast<long>(p) + 1; e <= n; ++e) {
    if (e < n && w[e] == U'-') {
      const bool behind = (IsLetter(At(w, e - 2)) && IsLetter(At(w, e - 1))) ||
                          (IsLetter(At(w, e - 3)) && At(w, e - 2) == U'-' &&
                           IsLetter(At(w, e - 1)));
      const bool ahead = IsLetter(At(w, e + 1)) &&
                         (IsLetter(At(w, e + 2)) ||
                          (At(w, e + 2) == U'-' && IsLetter(At(w, e + 3))));
      if (behind && ahead) return static_cast<size_t>(e) + 1;
    }
    if (e == n) return static_cast<size_t>(n);
    if (IsWordPunct(w[e - 1]) && DashRunEnd(w, static_cast<size_t>(e)) != 0) {
      return static_cast<size_t>(e);
    }
  }
  return w.size();
}

std::vector<Text> Chunks(const std::vector<Text>& words) {
  std::vector<Text> chunks;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) chunks.push_back(U" ");
    const Text& w = words[i];
    for (size_t p = 0; p < w.size();) {
      const size_t end = ChunkEnd(w, p);
      chunks.push_back(w.substr(p, end - p));
      p = end;
    }
  }
  return chunks;
}

bool IsBlank(const Text& t) {
  return std::all_of(t.begin(), t.end(), [](char32_t c) { return IsSpace(c); });
}

// textwrap's _handle_long_word with break_long_words and break_on_hyphens.
void BreakLongWord(std::vector<Text>& rest, std::vector<Text>& line, size_t line_len,
                   size_t width) {
  const size_t space_left = width < 1 ? 1 : width - line_len;
  Text& chunk = rest.back();
  size_t end = space_left;
  if (chunk.size() > space_left) {
    const size_t hyphen = chunk.rfind(U'-', space_left == 0 ? 0 : space_left - 1);
    if (hyphen != Text::npos && hyphen > 0 && hyphen < space_left &&
        std::any_of(chunk.begin(), chunk.begin() + static_cast<long>(hyphen),
                    [](char32_t c) { return c != U'-'; })) {
      end = hyphen + 1;
    }
  }
  line.push_back(chunk.substr(0, end));
  chunk = chunk.substr(std::min(end, chunk.size()));
}

}  // namespace

std::string ShortenText(std::string_view text, size_t width, std::string_view placeholder) {
  const Text input = Decode(text);
  std::vector<Text> words;
  Text collapsed;
  for (size_t i = 0; i < input.size();) {
    while (i < input.size() && IsSpace(input[i])) ++i;
    size_t j = i;
    while (j < input.size() && !IsSpace(input[j])) ++j;
    if (j > i) {
      words.push_back(input.substr(i, j - i));
      if (!collapsed.empty()) collapsed.push_back(U' ');
      collapsed += words.back();
    }
    i = j;
  }
  if (collapsed.size() <= width) return Encode(collapsed);

  const Text mark = Decode(placeholder);
  std::vector<Text> rest = Chunks(words);
  std::reverse(rest.begin(), rest.end());
  std::vector<Text> line;
  size_t line_len = 0;
  while (!rest.empty() && line_len + rest.back().size() <= width) {
    line_len += rest.back().size();
    line.push_back(std::move(rest.back()));
    rest.pop_back();
  }
  if (!rest.empty() && rest.back().size() > width) {
    BreakLongWord(rest, line, line_len, width);
    line_len = 0;
    for (const Text& c : line) line_len += c.size();
  }
  // The text is longer than `width`, so chunks remain: put the placeholder
  // after the longest prefix that ends in a word and leaves room for it.
  while (!line.empty()) {
    if (!IsBlank(line.back()) && line_len + mark.size() <= width) {
      Text out;
      for (const Text& c : line) out += c;
      return Encode(out + mark);
    }
    line_len -= line.back().size();
    line.pop_back();
  }
  size_t start = 0;
  while (start < mark.size() && IsSpace(mark[start])) ++start;
  return Encode(mark.substr(start));
}

}  // namespace ads::metadata
