// Helpers shared by the reference kernels: type dispatch, broadcasting, axis
// handling and small kernel adapters. Internal to engine/kernels.
//
//   return DispatchNumeric(x.dtype(), "Relu", [&](auto tag) -> Status {
//     using T = typename decltype(tag)::type;
//     ...
//   });
//
// Thread-safety: stateless.
#ifndef ADS_ENGINE_KERNELS_KERNEL_UTIL_H_
#define ADS_ENGINE_KERNELS_KERNEL_UTIL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/kernel.h"
#include "engine/tensor.h"

namespace ads::engine::kernels {

template <typename T>
struct Tag {
  using type = T;
};

// An Unimplemented error "<op> does not support <dtype> tensors"; the
// conformance runner reports it as a skip.
Status UnsupportedType(std::string_view op, DataType type);

template <typename F>
Status DispatchFloat(DataType t, std::string_view op, F&& f) {
  switch (t) {
    case DataType::kFloat: return f(Tag<float>{});
    case DataType::kDouble: return f(Tag<double>{});
    default: return UnsupportedType(op, t);
  }
}

template <typename F>
Status DispatchSignedNumeric(DataType t, std::string_view op, F&& f) {
  switch (t) {
    case DataType::kFloat: return f(Tag<float>{});
    case DataType::kDouble: return f(Tag<double>{});
    case DataType::kInt64: return f(Tag<int64_t>{});
    case DataType::kInt32: return f(Tag<int32_t>{});
    case DataType::kInt16: return f(Tag<int16_t>{});
    case DataType::kInt8: return f(Tag<int8_t>{});
    default: return UnsupportedType(op, t);
  }
}

template <typename F>
Status DispatchNumeric(DataType t, std::string_view op, F&& f) {
  switch (t) {
    case DataType::kUint8: return f(Tag<uint8_t>{});
    case DataType::kUint16: return f(Tag<uint16_t>{});
    case DataType::kUint32: return f(Tag<uint32_t>{});
    case DataType::kUint64: return f(Tag<uint64_t>{});
    default: return DispatchSignedNumeric(t, op, std::forward<F>(f));
  }
}

// Every type including bool and string; float16/bfloat16 as uint16 bits
// (for ops that only move elements).
template <typename F>
Status DispatchAny(DataType t, std::string_view op, F&& f) {
  switch (t) {
    case DataType::kBool: return f(Tag<bool>{});
    case DataType::kString: return f(Tag<std::string>{});
    case DataType::kFloat16: case DataType::kBFloat16: return f(Tag<uint16_t>{});
    default: return DispatchNumeric(t, op, std::forward<F>(f));
  }
}

// numpy-style broadcast of two shapes; error names both.
Result<Shape> BroadcastShapes(const Shape& a, const Shape& b);
// Strides of `in` aligned to the rank of `out`, with 0 on broadcast dims.
std::vector<int64_t> BroadcastStrides(const Shape& in, const Shape& out);
// Row-major strides of `shape`.
std::vector<int64_t> Strides(const Shape& shape);

// Calls f(out_index, offsets) for every element of `out`, where offsets[k] is
// the matching element of input k under broadcasting.
template <typename F>
void ForEachBroadcast(const Shape& out, const std::vector<Shape>& ins, F&& f) {
  const int64_t n = ElementCount(out);
  const size_t k = ins.size();
  std::vector<int64_t> offs(k, 0);
  bool same = true;
  for (const Shape& s : ins) same = same && s == out;
  if (same) {
    for (int64_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < k; ++j) offs[j] = i;
      f(i, offs.data());
    }
    return;
  }
  std::vector<std::vector<int64_t>> strides;
  for (const Shape& s : ins) strides.push_back(BroadcastStrides(s, out));
  const size_t rank = out.size();
  std::vector<int64_t> idx(rank, 0);
  for (int64_t i = 0; i < n; ++i) {
    f(i, offs.data());
    for (size_t d = rank; d-- > 0;) {
      ++idx[d];
      for (size_t j = 0; j < k; ++j) offs[j] += strides[j][d];
      if (idx[d] < out[d]) break;
      for (size_t j = 0; j < k; ++j) offs[j] -= strides[j][d] * idx[d];
      idx[d] = 0;
    }
  }
}

// Concatenates tensors of one type along `axis` (may be negative).
Result<Tensor> ConcatTensors(const std::vector<const Tensor*>& parts, int64_t axis);
// x[..., begin:begin+length, ...] along a non-negative `axis`.
Result<Tensor> SliceAxis(const Tensor& x, int64_t axis, int64_t begin, int64_t length);

// Maps a possibly negative axis into [0, rank); error names the op.
Result<int64_t> NormalizeAxis(int64_t axis, int64_t rank, std::string_view op);

// Reads an integer tensor (int32/int64) into a vector.
Result<std::vector<int64_t>> ToInt64Vector(const Tensor& t, std::string_view what);
// Reads a numeric tensor into doubles (for scalar parameters).
Result<std::vector<double>> ToDoubleVector(const Tensor& t, std::string_view what);

// A kernel whose Run is a function (attributes captured at creation).
class FunctionKernel : public Kernel {
 public:
  using Fn = std::function<Status(KernelContext&)>;
  explicit FunctionKernel(Fn fn) : fn_(std::move(fn)) {}
  Status Run(KernelContext& ctx) const override { return fn_(ctx); }

 private:
  Fn fn_;
};

inline Result<std::unique_ptr<Kernel>> MakeKernel(FunctionKernel::Fn fn) {
  return std::unique_ptr<Kernel>(std::make_unique<FunctionKernel>(std::move(fn)));
}

// A factory for a kernel that has no attributes.
inline KernelFactory Stateless(FunctionKernel::Fn fn) {
  return [fn](const KernelInfo&) { return MakeKernel(fn); };
}

// Registers `factory` for each since_version in `versions`.
void RegisterVersions(KernelRegistry& r, std::string_view domain, std::string_view op,
                      std::initializer_list<int64_t> versions, const KernelFactory& factory);

}  // namespace ads::engine::kernels

#endif  // ADS_ENGINE_KERNELS_KERNEL_UTIL_H_
