// Deterministic input mutators for the robustness tests (test-only, header
// only). Given a seed, a Mutator turns a valid input into a malformed one:
// byte flips, truncations, insertions of tokens that parsers find hard
// (brackets, NaN, huge numbers, YAML anchors, invalid UTF-8), and, for JSON
// documents, type swaps of one node (a string where an object was, NaN,
// 2^64, deep nesting, ...).
//
//   ads::testing::Mutator m(42);
//   for (int i = 0; i < 100; ++i) Parse(m.MutateBytes(valid_text));
//
// Thread-safety: a Mutator is not thread-safe; use one per thread.
#ifndef ADS_BASE_TEST_MUTATOR_H_
#define ADS_BASE_TEST_MUTATOR_H_

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"

namespace ads::testing {

// `depth` opening brackets, a scalar, then the matching closers.
inline std::string DeepNesting(std::string_view open, std::string_view close, size_t depth) {
  std::string out;
  out.reserve((open.size() + close.size()) * depth + 1);
  for (size_t i = 0; i < depth; ++i) out += open;
  out += "1";
  for (size_t i = 0; i < depth; ++i) out += close;
  return out;
}

class Mutator {
 public:
  explicit Mutator(uint32_t seed) : rng_(seed) {}

  // Uniform in [0, n); 0 when n is 0.
  size_t Below(size_t n) {
    if (n == 0) return 0;
    return std::uniform_int_distribution<size_t>(0, n - 1)(rng_);
  }

  // One to four byte-level mutations of `in`.
  std::string MutateBytes(std::string_view in) {
    std::string out(in);
    const size_t rounds = 1 + Below(4);
    for (size_t r = 0; r < rounds; ++r) MutateOnce(out);
    return out;
  }

  // Overwrites 1, 2, 4 or 8 bytes at a random offset of `out` with an
  // extreme integer (little- or big-endian): for length and count fields of
  // binary formats.
  void SmashInteger(std::string& out) {
    if (out.empty()) return;
    static constexpr uint64_t kValues[] = {0,          1,          0x7F,       0x80,
                                           0xFF,       0x7FFF,     0xFFFF,     0x7FFFFFFF,
                                           0x80000000, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFFull,
                                           0x7FFFFFFFFFFFFFFFull, 0x8000000000000000ull};
    const uint64_t v = kValues[Below(std::size(kValues))];
    static constexpr size_t kWidths[] = {1, 2, 4, 8};
    const size_t width = kWidths[Below(4)];
    const size_t at = Below(out.size());
    const bool big_endian = Below(2) == 0;
    for (size_t k = 0; k < width && at + k < out.size(); ++k) {
      const size_t shift = 8 * (big_endian ? width - 1 - k : k);
      out[at + k] = static_cast<char>((v >> shift) & 0xFF);
    }
  }

  // A value of a surprising type or size.
  Json WeirdValue() {
    switch (Below(22)) {
      case 0: return "str";
      case 1: return "";
      case 2: return Json::object();
      case 3: return Json::array();
      case 4: return 1e308;
      case 5: return -1e308;
      case 6: return std::numeric_limits<double>::quiet_NaN();
      case 7: return std::numeric_limits<double>::infinity();
      case 8: return -std::numeric_limits<double>::infinity();
      case 9: return 0;
      case 10: return -1;
      case 11: return std::numeric_limits<int64_t>::min();
      case 12: return std::numeric_limits<uint64_t>::max();
      case 13: return 0.5;
      case 14: return true;
      case 15: return false;
      case 16: return nullptr;
      case 17: {
        Json deep = 1;
        for (int i = 0; i < 200; ++i) deep = Json::array({std::move(deep)});
        return deep;
      }
      case 18: return Json::array({Json::object({{"a", 1}}), "x", nullptr});
      case 19: return Json::object({{"data", "x"}, {"key", Json::array()}});
      case 20: return std::string(20000, 'z');
      default: return "1e999";
    }
  }

  // One structural mutation of a JSON document: a node replaced by a weird
  // value, removed, wrapped in a list, or its key renamed.
  Json MutateJson(const Json& in) {
    std::vector<Json::json_pointer> nodes;
    Collect(in, Json::json_pointer(), nodes);
    Json out = in;
    const Json::json_pointer& at = nodes[Below(nodes.size())];
    const size_t kind = Below(10);
    if (at.empty() || kind < 6) {
      out[at] = WeirdValue();
      return out;
    }
    Json& parent = out[at.parent_pointer()];
    const std::string last = at.back();
    if (kind < 8) {
      if (parent.is_object()) {
        parent.erase(last);
      } else {
        parent.erase(static_cast<size_t>(std::stoul(last)));
      }
    } else if (kind == 8) {
      out[at] = Json::array({out[at]});
    } else if (parent.is_object()) {
      Json moved = parent[last];
      parent.erase(last);
      parent[last + "_"] = std::move(moved);
    } else {
      out[at] = Json::object({{"0", out[at]}});
    }
    return out;
  }

  std::mt19937& rng() { return rng_; }

 private:
  static void Collect(const Json& v, const Json::json_pointer& here,
                      std::vector<Json::json_pointer>& nodes) {
    nodes.push_back(here);
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) Collect(*it, here / it.key(), nodes);
    } else if (v.is_array()) {
      for (size_t i = 0; i < v.size(); ++i) Collect(v[i], here / i, nodes);
    }
  }

  void MutateOnce(std::string& out) {
    static const std::vector<std::string> kTokens = {
        "[", "]", "{", "}", "\"", "'", ":", ",", "\n", "- ", ": ", "NaN", "Infinity",
        "-Infinity", "1e999", "-1e999", "18446744073709551616", "-9223372036854775809",
        "99999999999999999999999999", "0x", "&a ", "*a", "<<: *a", "!!int ", "!!float ",
        "!!binary ", "!!str ", "? ", "|", ">", "%YAML 1.1\n", "---\n", "...\n",
        std::string("\xff"), std::string("\xc3"), std::string("\xed\xa0\x80"),
        std::string(1, '\0'), "\\u", "\\ud800", "\\x", "true", "null", "~", "#", "\t",
        "(", ")", "'shape': (", "-1", "PK", std::string(300, 'a')};
    switch (Below(9)) {
      case 0:  // flip one bit
        if (!out.empty()) out[Below(out.size())] ^= static_cast<char>(1 << Below(8));
        break;
      case 1:  // truncate
        out.resize(Below(out.size() + 1));
        break;
      case 2:  // insert a hard token
        out.insert(Below(out.size() + 1), kTokens[Below(kTokens.size())]);
        break;
      case 3: {  // delete a range
        const size_t at = Below(out.size() + 1);
        out.erase(at, 1 + Below(16));
        break;
      }
      case 4: {  // duplicate a range
        if (out.empty()) break;
        const size_t at = Below(out.size());
        const std::string chunk = out.substr(at, 1 + Below(64));
        out.insert(Below(out.size() + 1), chunk);
        break;
      }
      case 5: {  // random bytes
        const size_t n = 1 + Below(8);
        std::string bytes;
        for (size_t i = 0; i < n; ++i) bytes += static_cast<char>(Below(256));
        out.insert(Below(out.size() + 1), bytes);
        break;
      }
      case 6:  // set a byte to an edge value
        if (!out.empty()) {
          static constexpr char kEdges[] = {'\0', '\x7f', '\x80', '\xff', '9', '-', '\n', ' '};
          out[Below(out.size())] = kEdges[Below(std::size(kEdges))];
        }
        break;
      case 7:
        SmashInteger(out);
        break;
      default: {  // swap two bytes
        if (out.size() < 2) break;
        std::swap(out[Below(out.size())], out[Below(out.size())]);
        break;
      }
    }
  }

  std::mt19937 rng_;
};

}  // namespace ads::testing

#endif  // ADS_BASE_TEST_MUTATOR_H_
