// Internal to shape inference: what one operator's rule sees and writes.
// A rule reads its node's attributes and the inferred types of its inputs,
// fills in its outputs, and returns an error only when the node provably
// cannot run (see shape_inference.h); anything it cannot work out stays
// unknown.
#ifndef ADS_ENGINE_SHAPE_RULES_H_
#define ADS_ENGINE_SHAPE_RULES_H_

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/model.h"

namespace ads::engine::shape_internal {

inline constexpr int64_t kUnknownDim = -1;
// An element of a tracked integer tensor whose value is not known.
inline constexpr int64_t kUnknownInt = std::numeric_limits<int64_t>::min();

using Dims = std::vector<int64_t>;

// What is known about one value.
struct Info {
  ValueType type;
  // The elements of a small integer tensor (shapes, axes), when tracked.
  bool has_ints = false;
  std::vector<int64_t> ints;
};

class RuleContext {
 public:
  RuleContext(const Node& node, std::vector<const Info*> inputs);

  const Node& node() const { return node_; }
  int64_t opset() const { return node_.opset; }
  size_t input_count() const { return inputs_.size(); }
  size_t output_count() const { return outputs_.size(); }
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i] != nullptr; }
  // Null when the input is absent.
  const Info* input(size_t i) const { return has_input(i) ? inputs_[i] : nullptr; }
  // kUndefined unless the input is a tensor of known element type.
  DataType elem(size_t i) const;
  // Null unless the input is a tensor of known rank.
  const Dims* dims(size_t i) const;
  // Null unless the input's elements are tracked.
  const std::vector<int64_t>* ints(size_t i) const;

  Info& output(size_t i) { return outputs_[i]; }
  std::vector<Info>& outputs() { return outputs_; }
  void SetTensor(size_t i, DataType type, Dims dims);
  void SetTensorOfRank(size_t i, DataType type, size_t rank);  // dims unknown
  void SetTensorNoShape(size_t i, DataType type);
  // A tensor output with the type and shape of input `in` (unknown if none).
  void SetLike(size_t i, size_t in, DataType type = DataType::kUndefined);

  bool HasAttr(std::string_view name) const { return node_.FindAttribute(name) != nullptr; }
  int64_t Int(std::string_view name, int64_t fallback) const;
  std::string String(std::string_view name, std::string fallback) const;
  // Null when the attribute is absent or not a list of ints.
  const std::vector<int64_t>* Ints(std::string_view name) const;

  // An InvalidArgument error: "<node description>: <what>".
  Status Error(const std::string& what) const;
  // Refuses when two inputs' known element types differ.
  Status SameType(size_t a, size_t b) const;
  // The first known element type among `ins`.
  DataType FirstType(std::initializer_list<size_t> ins) const;
  // `axis` in [0, rank); refuses when out of [-rank, rank).
  Result<int64_t> Axis(int64_t axis, int64_t rank, std::string_view what) const;

 private:
  const Node& node_;
  std::vector<const Info*> inputs_;
  std::vector<Info> outputs_;
};

using Rule = Status (*)(RuleContext&);
// Keyed by "domain::op".
using RuleTable = std::map<std::string, Rule, std::less<>>;

void AddOnnxRules(RuleTable& rules);   // shape_rules_onnx.cc
void AddShapeRules(RuleTable& rules);  // shape_rules_shape.cc: reshaping ops
void AddMlRules(RuleTable& rules);     // shape_rules_ml.cc

// "[?,4]"; "[...]" for nullptr (rank unknown).
std::string DimsString(const Dims* dims);
std::string DimsString(const Dims& dims);
// a * b, kUnknownDim if either is unknown or the product overflows.
int64_t MulDims(int64_t a, int64_t b);
// Numpy (multidirectional) broadcasting; refuses static dims that differ
// with neither being 1.
Result<Dims> Broadcast(const RuleContext& ctx, const Dims& a, const Dims& b);

}  // namespace ads::engine::shape_internal

#endif  // ADS_ENGINE_SHAPE_RULES_H_
