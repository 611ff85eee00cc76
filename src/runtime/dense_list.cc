#include "runtime/dense_list.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace ads::runtime {
namespace {

constexpr size_t kMaxRank = 32;
constexpr int64_t kMaxExactInteger = int64_t{1} << 53;

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  std::optional<engine::Tensor> Run() {
    Space();
    if (!At('[') || !Array(0)) return std::nullopt;
    Space();
    if (i_ != s_.size() || dims_.size() != rank_) return std::nullopt;
    engine::Tensor t(engine::DataType::kDouble, dims_);
    if (t.size() != static_cast<int64_t>(values_.size())) return std::nullopt;
    std::copy(values_.begin(), values_.end(), t.mutable_data<double>());
    return t;
  }

 private:
  bool At(char c) const { return i_ < s_.size() && s_[i_] == c; }
  void Space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }

  // An array at nesting level `depth` (s_[i_] == '['); every array of a
  // level must have the same length and numbers sit only at level rank_.
  bool Array(size_t depth) {
    if (depth >= kMaxRank) return false;
    ++i_;
    int64_t count = 0;
    for (;;) {
      Space();
      if (At('[')) {
        if (rank_ != 0 && rank_ <= depth + 1) return false;
        if (!Array(depth + 1)) return false;
      } else {
        if (rank_ != 0 && rank_ != depth + 1) return false;
        rank_ = depth + 1;
        if (!Number()) return false;
      }
      ++count;
      Space();
      if (At(',')) {
        ++i_;
        continue;
      }
      if (!At(']')) return false;
      ++i_;
      break;
    }
    if (dims_.size() <= depth) dims_.resize(depth + 1, -1);
    if (dims_[depth] == -1) dims_[depth] = count;
    return dims_[depth] == count;
  }

  bool Token(std::string_view word, double value) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    values_.push_back(value);
    return true;
  }

  // A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  bool Number() {
    if (At('N')) return Token("NaN", std::numeric_limits<double>::quiet_NaN());
    if (At('I')) return Token("Infinity", HUGE_VAL);
    if (s_.substr(i_, 2) == "-I") return Token("-Infinity", -HUGE_VAL);
    const size_t start = i_;
    if (At('-')) ++i_;
    if (At('0')) {
      ++i_;
    } else if (!Digits()) {
      return false;
    }
    bool integer = true;
    if (At('.')) {
      ++i_;
      integer = false;
      if (!Digits()) return false;
    }
    if (At('e') || At('E')) {
      ++i_;
      integer = false;
      if (At('+') || At('-')) ++i_;
      if (!Digits()) return false;
    }
    const char* first = s_.data() + start;
    const char* last = s_.data() + i_;
    if (integer) {
      int64_t v = 0;
      // An integer becomes a Python int, exact; float64 is exact up to 2^53.
      if (std::from_chars(first, last, v).ptr != last || v > kMaxExactInteger || v < -kMaxExactInteger) {
        return false;
      }
      values_.push_back(static_cast<double>(v));
      return true;
    }
    double d = 0;
    const auto res = std::from_chars(first, last, d);
    if (res.ptr != last || res.ec != std::errc()) return false;  // overflow: Python gives inf; leave it to the slow path
    values_.push_back(d);
    return true;
  }

  bool Digits() {
    const size_t start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    return i_ > start;
  }

  std::string_view s_;
  size_t i_ = 0;
  size_t rank_ = 0;
  engine::Shape dims_;
  std::vector<double> values_;
};

}  // namespace

std::optional<engine::Tensor> ParseDenseList(std::string_view body) { return Parser(body).Run(); }

}  // namespace ads::runtime
