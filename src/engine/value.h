// Value: what a graph edge carries. Most edges hold a Tensor; ai.onnx.ml's
// ZipMap produces a sequence of maps, and sequence ops produce sequences, so a
// Value can also hold a Sequence or a Map.
//
//   Value v(Tensor::Scalar<float>(1.0f));
//   if (v.is_tensor()) Use(v.tensor());
//   Value zip = Value(Sequence{{Value(Map{keys, values})}});
//
// Thread-safety: as Tensor (const access is safe from many threads).
#ifndef ADS_ENGINE_VALUE_H_
#define ADS_ENGINE_VALUE_H_

#include <string>
#include <variant>
#include <vector>

#include "engine/tensor.h"

namespace ads::engine {

class Value;

// A map with scalar keys (int64 or string) and scalar values, stored as two
// 1-D tensors of equal length (ONNX map<K, V> with tensor(V) scalar values).
struct Map {
  Tensor keys;
  Tensor values;
};

struct Sequence {
  std::vector<Value> items;
};

class Value {
 public:
  Value() = default;  // "none": an absent optional value
  Value(Tensor t) : v_(std::move(t)) {}      // NOLINT: implicit by design
  Value(Sequence s) : v_(std::move(s)) {}    // NOLINT
  Value(Map m) : v_(std::move(m)) {}         // NOLINT

  bool is_none() const { return v_.index() == 0; }
  bool is_tensor() const { return v_.index() == 1; }
  bool is_sequence() const { return v_.index() == 2; }
  bool is_map() const { return v_.index() == 3; }

  const Tensor& tensor() const { return std::get<Tensor>(v_); }
  Tensor& tensor() { return std::get<Tensor>(v_); }
  const Sequence& sequence() const { return std::get<Sequence>(v_); }
  Sequence& sequence() { return std::get<Sequence>(v_); }
  const Map& map() const { return std::get<Map>(v_); }
  Map& map() { return std::get<Map>(v_); }

  // "tensor float[2,3]", "sequence(3)", "map(int64 -> float, 4)", "none".
  std::string Describe() const;

 private:
  std::variant<std::monostate, Tensor, Sequence, Map> v_;
};

}  // namespace ads::engine

#endif  // ADS_ENGINE_VALUE_H_
