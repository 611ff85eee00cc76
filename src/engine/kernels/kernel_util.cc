#include "engine/kernels/kernel_util.h"

namespace ads::engine::kernels {

Status UnsupportedType(std::string_view op, DataType type) {
  return UnimplementedError(std::string(op) + " does not support " +
                            std::string(DataTypeName(type)) + " tensors");
}

Result<Shape> BroadcastShapes(const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == db || db == 1) {
      out[i] = da;
    } else if (da == 1) {
      out[i] = db;
    } else {
      return InvalidArgumentError("shapes " + ShapeToString(a) + " and " + ShapeToString(b) +
                                  " cannot be broadcast together");
    }
  }
  return out;
}

std::vector<int64_t> Strides(const Shape& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

std::vector<int64_t> BroadcastStrides(const Shape& in, const Shape& out) {
  std::vector<int64_t> s(out.size(), 0);
  const std::vector<int64_t> own = Strides(in);
  const size_t shift = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) {
    s[i + shift] = in[i] == 1 ? 0 : own[i];
  }
  return s;
}

Result<int64_t> NormalizeAxis(int64_t axis, int64_t rank, std::string_view op) {
  const int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    return InvalidArgumentError(std::string(op) + " axis " + std::to_string(axis) +
                                " is out of range for rank " + std::to_string(rank));
  }
  return a;
}

Result<std::vector<int64_t>> ToInt64Vector(const Tensor& t, std::string_view what) {
  std::vector<int64_t> v;
  v.reserve(static_cast<size_t>(t.size()));
  if (t.dtype() == DataType::kInt64) {
    for (int64_t x : t.span<int64_t>()) v.push_back(x);
  } else if (t.dtype() == DataType::kInt32) {
    for (int32_t x : t.span<int32_t>()) v.push_back(x);
  } else {
    return InvalidArgumentError(std::string(what) + " must be an int64 or int32 tensor, got " +
                                t.TypeAndShape());
  }
  return v;
}

Result<std::vector<double>> ToDoubleVector(const Tensor& t, std::string_view what) {
  std::vector<double> v(static_cast<size_t>(t.size()));
  Status s = DispatchNumeric(t.dtype(), what, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    const T* p = t.data<T>();
    for (int64_t i = 0; i < t.size(); ++i) v[i] = static_cast<double>(p[i]);
    return OkStatus();
  });
  if (!s.ok() && t.dtype() == DataType::kFloat16) {
    for (int64_t i = 0; i < t.size(); ++i) v[i] = HalfToFloat(t.data<uint16_t>()[i]);
    return v;
  }
  ADS_RETURN_IF_ERROR(s);
  return v;
}

void RegisterVersions(KernelRegistry& r, std::string_view domain, std::string_view op,
                      std::initializer_list<int64_t> versions, const KernelFactory& factory) {
  for (int64_t v : versions) {
    r.Register({std::string(domain), std::string(op), v}, factory);
  }
}

}  // namespace ads::engine::kernels
