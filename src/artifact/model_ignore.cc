#include "artifact/model_ignore.h"

#include <algorithm>
#include <cstddef>
#include <utility>

#include "base/logging.h"
#include "base/strings.h"

namespace ads::artifact {
namespace {

// Python's re.escape: the characters it prefixes with a backslash (3.7+).
bool IsReSpecial(char c) {
  static constexpr std::string_view kSpecial = "()[]{}?*+-|^$\\.&~# \t\n\r\v\f";
  return kSpecial.find(c) != std::string_view::npos;
}

std::string ReEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (IsReSpecial(c)) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// End index (of the closing ']') of a bracket expression opened at pat[i-1],
// or npos when there is none, following fnmatch's scan.
size_t FindClassEnd(std::string_view pat, size_t i) {
  size_t j = i;
  if (j < pat.size() && pat[j] == '!') ++j;
  if (j < pat.size() && pat[j] == ']') ++j;
  while (j < pat.size() && pat[j] != ']') ++j;
  return j >= pat.size() ? std::string_view::npos : j;
}

// fnmatch's translation of the inside of "[...]" (pat[i, j)).
std::string TranslateClass(std::string_view pat, size_t i, size_t j) {
  std::string stuff;
  if (pat.substr(i, j - i).find('-') == std::string_view::npos) {
    stuff = ReplaceAll(std::string(pat.substr(i, j - i)), "\\", "\\\\");
  } else {
    std::vector<std::string> chunks;
    size_t k = pat[i] == '!' ? i + 2 : i + 1;
    while (true) {
      size_t dash = k < j ? pat.substr(0, j).find('-', k) : std::string_view::npos;
      if (dash == std::string_view::npos) break;
      chunks.emplace_back(pat.substr(i, dash - i));
      i = dash + 1;
      k = dash + 3;
    }
    std::string chunk(pat.substr(i, j - i));
    if (!chunk.empty()) {
      chunks.push_back(chunk);
    } else if (!chunks.empty()) {
      chunks.back() += '-';
    }
    for (size_t c = chunks.size() - 1; c > 0; --c) {  // drop empty ranges
      if (!chunks[c - 1].empty() && !chunks[c].empty() &&
          chunks[c - 1].back() > chunks[c].front()) {
        chunks[c - 1] = chunks[c - 1].substr(0, chunks[c - 1].size() - 1) + chunks[c].substr(1);
        chunks.erase(chunks.begin() + static_cast<std::ptrdiff_t>(c));
      }
    }
    std::vector<std::string> escaped;
    for (const std::string& s : chunks) {
      escaped.push_back(ReplaceAll(ReplaceAll(s, "\\", "\\\\"), "-", "\\-"));
    }
    stuff = Join(escaped, "-");
  }
  std::string set_ops_escaped;
  for (char c : stuff) {
    if (c == '&' || c == '~' || c == '|') set_ops_escaped.push_back('\\');
    set_ops_escaped.push_back(c);
  }
  stuff = std::move(set_ops_escaped);
  if (stuff.empty()) return "(?!)";
  if (stuff == "!") return ".";
  if (stuff[0] == '!') {
    stuff[0] = '^';
  } else if (stuff[0] == '^' || stuff[0] == '[') {
    stuff = "\\" + stuff;
  }
  return "[" + stuff + "]";
}

// One element of a glob: a literal character, '?', '*' or a bracket class.
enum class Kind { kLiteral, kAny, kStar, kClass };
struct GlobPiece {
  Kind kind = Kind::kLiteral;
  char literal = 0;
  bool negated = false;
  std::vector<std::pair<unsigned char, unsigned char>> ranges;  // inclusive
};

// Parses a bracket body pat[i, j) with the same item boundaries fnmatch
// uses: an optional leading '!', a leading ']' literal, "a-z" ranges (empty
// ranges match nothing) and literal '-' at either end.
GlobPiece ParseClass(std::string_view pat, size_t i, size_t j) {
  GlobPiece piece;
  piece.kind = Kind::kClass;
  if (i < j && pat[i] == '!') {
    piece.negated = true;
    ++i;
  }
  while (i < j) {
    unsigned char lo = static_cast<unsigned char>(pat[i]);
    if (i + 2 < j && pat[i + 1] == '-') {
      unsigned char hi = static_cast<unsigned char>(pat[i + 2]);
      if (lo <= hi) piece.ranges.emplace_back(lo, hi);
      i += 3;
    } else {
      piece.ranges.emplace_back(lo, lo);
      ++i;
    }
  }
  return piece;
}

std::vector<GlobPiece> CompileGlob(std::string_view pat) {
  std::vector<GlobPiece> pieces;
  for (size_t i = 0; i < pat.size();) {
    char c = pat[i++];
    if (c == '*') {
      if (pieces.empty() || pieces.back().kind != Kind::kStar) pieces.push_back({Kind::kStar});
    } else if (c == '?') {
      pieces.push_back({Kind::kAny});
    } else if (c == '[') {
      size_t j = FindClassEnd(pat, i);
      if (j == std::string_view::npos) {
        pieces.push_back({Kind::kLiteral, '['});
      } else {
        pieces.push_back(ParseClass(pat, i, j));
        i = j + 1;
      }
    } else {
      pieces.push_back({Kind::kLiteral, c});
    }
  }
  return pieces;
}

bool PieceMatches(const GlobPiece& p, unsigned char c) {
  switch (p.kind) {
    case Kind::kLiteral:
      return static_cast<unsigned char>(p.literal) == c;
    case Kind::kAny:
      return true;
    case Kind::kClass: {
      bool in = std::any_of(p.ranges.begin(), p.ranges.end(),
                            [c](const auto& r) { return r.first <= c && c <= r.second; });
      // An empty class ("(?!)") matches nothing, even when negated in form.
      if (p.ranges.empty() && !p.negated) return false;
      return in != p.negated;
    }
    case Kind::kStar:
      return false;
  }
  return false;
}

// Whole-string glob match; '*' crosses '/' as fnmatch's ".*" does. The
// classic single-backtrack-point algorithm is exact for globs.
bool GlobFullMatch(const std::vector<GlobPiece>& pieces, std::string_view s) {
  size_t p = 0, i = 0;
  size_t star_p = std::string_view::npos, star_i = 0;
  while (i < s.size()) {
    if (p < pieces.size() && pieces[p].kind == Kind::kStar) {
      star_p = p++;
      star_i = i;
    } else if (p < pieces.size() && PieceMatches(pieces[p], static_cast<unsigned char>(s[i]))) {
      ++p;
      ++i;
    } else if (star_p != std::string_view::npos) {
      p = star_p + 1;
      i = ++star_i;
    } else {
      return false;
    }
  }
  while (p < pieces.size() && pieces[p].kind == Kind::kStar) ++p;
  return p == pieces.size();
}

// re.search(translate(glob), s): some suffix of `s` matches the whole glob.
bool GlobSearchToEnd(const std::vector<GlobPiece>& pieces, std::string_view s) {
  for (size_t start = 0; start <= s.size(); ++start) {
    if (GlobFullMatch(pieces, s.substr(start))) return true;
  }
  return false;
}

}  // namespace

const std::vector<std::string>& DefaultModelIgnorePatterns() {
  static const std::vector<std::string> kPatterns = {
      "__pycache__/", "*.py[cod]",   "*$py.class",    "*.so",
      ".Python",      "env/",        "build/",        "develop-eggs/",
      "dist/",        "downloads/",  "eggs/",         ".eggs/",
      "lib/",         "lib64/",      "parts/",        "sdist/",
      "var/",         "wheels/",     "*.egg-info/",   ".installed.cfg",
      "*.egg",        "*.manifest",  "*.spec",        "pip-log.txt",
      "pip-delete-this-directory.txt", ".python-version", ".env", ".venv",
      "venv/",        "ENV/",        ".mypy_cache",   ".pytest_cache",
      "logs/",        "*.log",       ".DS_Store"};
  return kPatterns;
}

std::string DefaultModelIgnoreContent() {
  std::string out =
      "# Files and folders that are left out of the model artifact archive.\n"
      "# One pattern per line, matched like ADS does: a pattern is tried against\n"
      "# the end of every path in the artifact folder, \"*\" also crosses \"/\",\n"
      "# and a trailing \"/\" stands for \"*\". Lines starting with \"#\" are comments.\n"
      "\n";
  for (const std::string& p : DefaultModelIgnorePatterns()) out += p + "\n";
  return out;
}

Status WriteDefaultModelIgnore(Env& env, const std::string& dir) {
  return env.WriteFileAtomic(JoinPath(dir, kModelIgnoreFileName), DefaultModelIgnoreContent());
}

std::string FnmatchTranslate(std::string_view pat) {
  // Pieces are regex fragments; an empty optional marks a star.
  std::vector<std::string> res;
  std::vector<bool> is_star;
  for (size_t i = 0; i < pat.size();) {
    char c = pat[i++];
    if (c == '*') {
      if (is_star.empty() || !is_star.back()) {
        res.emplace_back();
        is_star.push_back(true);
      }
      continue;
    }
    std::string frag;
    if (c == '?') {
      frag = ".";
    } else if (c == '[') {
      size_t j = FindClassEnd(pat, i);
      if (j == std::string_view::npos) {
        frag = "\\[";
      } else {
        frag = TranslateClass(pat, i, j);
        i = j + 1;
      }
    } else {
      frag = ReEscape(std::string_view(&c, 1));
    }
    res.push_back(std::move(frag));
    is_star.push_back(false);
  }
  std::string out;
  size_t i = 0, n = res.size();
  while (i < n && !is_star[i]) out += res[i++];
  int group = 0;
  while (i < n) {
    ++i;  // the star
    if (i == n) {
      out += ".*";
      break;
    }
    std::string fixed;
    while (i < n && !is_star[i]) fixed += res[i++];
    if (i == n) {
      out += ".*" + fixed;
    } else {
      std::string g = "g" + std::to_string(group++);
      out += "(?=(?P<" + g + ">.*?" + fixed + "))(?P=" + g + ")";
    }
  }
  return "(?s:" + out + ")\\Z";
}

ModelIgnore ModelIgnore::Parse(std::string_view content) {
  ModelIgnore ignore;
  for (const std::string& raw : Split(content, '\n')) {
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    std::string pattern(line);
    if (pattern.back() == '/') pattern.back() = '*';
    ignore.patterns_.push_back(std::move(pattern));
  }
  return ignore;
}

bool ModelIgnore::Matches(std::string_view path) const {
  std::string full = "/" + std::string(path);
  for (const std::string& pattern : patterns_) {
    if (GlobSearchToEnd(CompileGlob("/" + pattern), full)) return true;
  }
  return false;
}

namespace {

struct Walker {
  Env& env;
  const std::string& root;
  const ModelIgnore* ignore;
  std::vector<std::string> files;

  Status Walk(const std::string& rel) {
    std::string dir = rel.empty() ? root : JoinPath(root, rel);
    ADS_ASSIGN_OR_RETURN(std::vector<std::string> names, env.ListDir(dir));
    for (const std::string& name : names) {
      std::string child = rel.empty() ? name : rel + "/" + name;
      if (rel.empty() && name == kLocalStateDir) continue;
      if (ignore != nullptr && ignore->Matches(child)) continue;
      ADS_ASSIGN_OR_RETURN(FileInfo info, env.Stat(JoinPath(root, child)));
      if (info.type == FileInfo::Type::kDirectory) {
        ADS_RETURN_IF_ERROR(Walk(child));
      } else if (info.type == FileInfo::Type::kFile) {
        if (rel.empty() && name == kManifestFileName) continue;
        files.push_back(child);
      } else {
        LogWarning("Skipping " + Quoted(child) +
                   " in the artifact directory: it is not a regular file or folder.");
      }
    }
    return OkStatus();
  }
};

}  // namespace

Result<std::vector<std::string>> ListArtifactFiles(Env& env, const std::string& dir) {
  if (!env.IsDirectory(dir)) {
    return NotFoundError("The artifact directory " + Quoted(dir) + " does not exist.");
  }
  std::string ignore_path = JoinPath(dir, kModelIgnoreFileName);
  ModelIgnore ignore;
  bool has_ignore = env.FileExists(ignore_path);
  if (has_ignore) {
    ADS_ASSIGN_OR_RETURN(std::string text, env.ReadFile(ignore_path));
    ignore = ModelIgnore::Parse(text);
  }
  Walker walker{env, dir, has_ignore ? &ignore : nullptr, {}};
  ADS_RETURN_IF_ERROR(walker.Walk(""));
  std::sort(walker.files.begin(), walker.files.end());
  return std::move(walker.files);
}

}  // namespace ads::artifact
