#include "runtime/tensor_convert.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "base/strings.h"

namespace ads::runtime {
namespace {

using engine::DataType;
using engine::Shape;
using engine::Tensor;

// One source element, from JSON or from a tensor.
struct Scalar {
  enum Kind { kNull, kBool, kInt, kUint, kFloat, kString, kOther };
  Kind kind = kNull;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  const std::string* s = nullptr;
};

Scalar FromJson(const Json& v) {
  Scalar s;
  switch (v.type()) {
    case Json::value_t::null: break;
    case Json::value_t::boolean: s.kind = Scalar::kBool, s.b = v.get<bool>(); break;
    case Json::value_t::number_integer: s.kind = Scalar::kInt, s.i = v.get<int64_t>(); break;
    case Json::value_t::number_unsigned: s.kind = Scalar::kUint, s.u = v.get<uint64_t>(); break;
    case Json::value_t::number_float: s.kind = Scalar::kFloat, s.d = v.get<double>(); break;
    case Json::value_t::string: s.kind = Scalar::kString, s.s = &v.get_ref<const std::string&>(); break;
    default: s.kind = Scalar::kOther; break;
  }
  return s;
}

template <typename T>
Scalar Signed(const Tensor& t, int64_t i) {
  Scalar s;
  s.kind = Scalar::kInt;
  s.i = static_cast<int64_t>(t.data<T>()[i]);
  return s;
}

Scalar FromTensor(const Tensor& t, int64_t i) {
  Scalar s;
  switch (t.dtype()) {
    case DataType::kFloat: s.kind = Scalar::kFloat, s.d = t.data<float>()[i]; break;
    case DataType::kDouble: s.kind = Scalar::kFloat, s.d = t.data<double>()[i]; break;
    case DataType::kFloat16:
      s.kind = Scalar::kFloat, s.d = engine::HalfToFloat(t.data<uint16_t>()[i]);
      break;
    case DataType::kBFloat16:
      s.kind = Scalar::kFloat, s.d = engine::BFloat16ToFloat(t.data<uint16_t>()[i]);
      break;
    case DataType::kInt8: return Signed<int8_t>(t, i);
    case DataType::kInt16: return Signed<int16_t>(t, i);
    case DataType::kInt32: return Signed<int32_t>(t, i);
    case DataType::kInt64: return Signed<int64_t>(t, i);
    case DataType::kUint8: return Signed<uint8_t>(t, i);
    case DataType::kUint16: return Signed<uint16_t>(t, i);
    case DataType::kUint32: return Signed<uint32_t>(t, i);
    case DataType::kUint64: s.kind = Scalar::kUint, s.u = t.data<uint64_t>()[i]; break;
    case DataType::kBool: s.kind = Scalar::kBool, s.b = t.data<bool>()[i]; break;
    case DataType::kString: s.kind = Scalar::kString, s.s = &t.data<std::string>()[i]; break;
    default: s.kind = Scalar::kOther; break;
  }
  return s;
}

std::string Describe(const Scalar& s) {
  switch (s.kind) {
    case Scalar::kNull: return "null";
    case Scalar::kString: return "the string " + Quoted(*s.s);
    default: return "a value of an unsupported type";
  }
}

// Writes `s` as element `i` of `t`; returns the problem ("" when none), so
// that the caller builds the location only on failure.
template <typename T>
std::string StoreInt(const Scalar& s, T* out) {
  using L = std::numeric_limits<T>;
  switch (s.kind) {
    case Scalar::kBool: *out = static_cast<T>(s.b ? 1 : 0); return "";
    case Scalar::kInt:
      if constexpr (L::is_signed) {
        if (s.i < static_cast<int64_t>(L::min()) || s.i > static_cast<int64_t>(L::max())) break;
      } else {
        if (s.i < 0 || static_cast<uint64_t>(s.i) > static_cast<uint64_t>(L::max())) break;
      }
      *out = static_cast<T>(s.i);
      return "";
    case Scalar::kUint:
      if (s.u > static_cast<uint64_t>(L::max())) break;
      *out = static_cast<T>(s.u);
      return "";
    case Scalar::kFloat: {
      if (!std::isfinite(s.d)) return "is " + PythonFloatRepr(s.d) + ", which no integer can hold";
      const double t = std::trunc(s.d);
      // max() + 1 is a power of two, exact in double even where max() is not.
      if (t < static_cast<double>(L::min()) || t >= static_cast<double>(L::max()) + 1.0) break;
      *out = static_cast<T>(t);
      return "";
    }
    default: return "is " + Describe(s) + "; the model takes integers";
  }
  return "is out of range for " + std::string(engine::DataTypeName(engine::DataTypeOf<T>::kValue));
}

std::string Store(const Scalar& s, Tensor& t, int64_t i) {
  const DataType type = t.dtype();
  if (type == DataType::kString) {
    if (s.kind != Scalar::kString) return "is not a string; the input takes strings";
    t.mutable_data<std::string>()[i] = *s.s;
    return "";
  }
  if (s.kind == Scalar::kString || s.kind == Scalar::kOther) {
    return "is " + Describe(s) + "; the model takes numbers";
  }
  if (engine::IsFloatingPoint(type)) {
    double d = std::numeric_limits<double>::quiet_NaN();
    if (s.kind == Scalar::kBool) d = s.b ? 1 : 0;
    if (s.kind == Scalar::kInt) d = static_cast<double>(s.i);
    if (s.kind == Scalar::kUint) d = static_cast<double>(s.u);
    if (s.kind == Scalar::kFloat) d = s.d;
    switch (type) {
      case DataType::kFloat: t.mutable_data<float>()[i] = static_cast<float>(d); break;
      case DataType::kDouble: t.mutable_data<double>()[i] = d; break;
      case DataType::kFloat16:
        t.mutable_data<uint16_t>()[i] = engine::FloatToHalf(static_cast<float>(d));
        break;
      default: t.mutable_data<uint16_t>()[i] = engine::FloatToBFloat16(static_cast<float>(d)); break;
    }
    return "";
  }
  if (type == DataType::kBool) {
    bool b = false;
    if (s.kind == Scalar::kBool) b = s.b;
    if (s.kind == Scalar::kInt) b = s.i != 0;
    if (s.kind == Scalar::kUint) b = s.u != 0;
    if (s.kind == Scalar::kFloat) b = s.d != 0;  // NaN is true, as in numpy
    t.mutable_data<bool>()[i] = b;
    return "";
  }
  if (s.kind == Scalar::kNull) return "is null; the model takes integers";
  switch (type) {
    case DataType::kInt8: return StoreInt(s, t.mutable_data<int8_t>() + i);
    case DataType::kInt16: return StoreInt(s, t.mutable_data<int16_t>() + i);
    case DataType::kInt32: return StoreInt(s, t.mutable_data<int32_t>() + i);
    case DataType::kInt64: return StoreInt(s, t.mutable_data<int64_t>() + i);
    case DataType::kUint8: return StoreInt(s, t.mutable_data<uint8_t>() + i);
    case DataType::kUint16: return StoreInt(s, t.mutable_data<uint16_t>() + i);
    case DataType::kUint32: return StoreInt(s, t.mutable_data<uint32_t>() + i);
    case DataType::kUint64: return StoreInt(s, t.mutable_data<uint64_t>() + i);
    default: return "cannot be converted to " + std::string(engine::DataTypeName(type));
  }
}

std::string PathText(const std::vector<int64_t>& path) {
  std::string out;
  for (int64_t i : path) out += "[" + std::to_string(i) + "]";
  return out;
}

// Fills `t` from the nested lists in `v`, checking that they are rectangular.
class JsonFiller {
 public:
  JsonFiller(Tensor& t, std::string_view what) : t_(t), what_(what) {}

  Status Fill(const Json& v) {
    if (path_.size() == t_.rank()) {
      if (v.is_array() || v.is_object()) return Ragged();
      const std::string problem = Store(FromJson(v), t_, next_);
      if (!problem.empty()) {
        return InvalidArgumentError(std::string(what_) + ": element " + PathText(path_) + " " +
                                    problem + ".");
      }
      ++next_;
      return OkStatus();
    }
    if (!v.is_array() || static_cast<int64_t>(v.size()) != t_.dim(path_.size())) return Ragged();
    path_.push_back(0);
    for (const Json& item : v) {
      ADS_RETURN_IF_ERROR(Fill(item));
      ++path_.back();
    }
    path_.pop_back();
    return OkStatus();
  }

 private:
  Status Ragged() const {
    return InvalidArgumentError(std::string(what_) + ": the nested lists are not rectangular (" +
                                (PathText(path_).empty() ? "the value" : PathText(path_)) +
                                " does not fit the shape " + engine::ShapeToString(t_.shape()) +
                                " set by the first elements); every row must have the same "
                                "length and hold numbers.");
  }

  Tensor& t_;
  std::string_view what_;
  std::vector<int64_t> path_;
  int64_t next_ = 0;
};

}  // namespace

Result<Tensor> JsonToTensor(const Json& value, DataType type, std::string_view what) {
  if (value.is_object()) {
    return InvalidArgumentError(std::string(what) + ": expected a list of values, got an object.");
  }
  Shape shape;
  for (const Json* p = &value; p->is_array(); p = &p->front()) {
    shape.push_back(static_cast<int64_t>(p->size()));
    if (p->empty()) break;
  }
  ADS_ASSIGN_OR_RETURN(Tensor t, Tensor::Make(type, shape));
  JsonFiller filler(t, what);
  ADS_RETURN_IF_ERROR(filler.Fill(value));
  return t;
}

Result<Tensor> CastTensor(const Tensor& value, DataType type, std::string_view what) {
  if (value.dtype() == type) return value;
  ADS_ASSIGN_OR_RETURN(Tensor t, Tensor::Make(type, value.shape()));
  for (int64_t i = 0; i < value.size(); ++i) {
    const std::string problem = Store(FromTensor(value, i), t, i);
    if (!problem.empty()) {
      return InvalidArgumentError(std::string(what) + ": element " + std::to_string(i) + " " +
                                  problem + ".");
    }
  }
  return t;
}

Result<Tensor> FrameToTensor(const Frame& frame, const std::vector<size_t>& columns, DataType type,
                             std::string_view what) {
  const int64_t rows = static_cast<int64_t>(frame.rows);
  const int64_t width = static_cast<int64_t>(columns.size());
  ADS_ASSIGN_OR_RETURN(Tensor t, Tensor::Make(type, {rows, width}));
  for (int64_t k = 0; k < width; ++k) {
    const size_t c = columns[static_cast<size_t>(k)];
    const std::vector<Json>& cells = frame.cells[c];
    for (int64_t r = 0; r < rows; ++r) {
      const Json& cell = cells[static_cast<size_t>(r)];
      std::string problem = cell.is_array() || cell.is_object()
                                ? "holds a list; this input takes one value per cell"
                                : Store(FromJson(cell), t, r * width + k);
      if (!problem.empty()) {
        return InvalidArgumentError(std::string(what) + ": column " + Quoted(frame.columns[c]) +
                                    ", row " + std::to_string(r) + " " + problem + ".");
      }
    }
  }
  return t;
}

Result<Tensor> ColumnToTensor(const Frame& frame, size_t column, DataType type,
                              std::string_view what) {
  const std::vector<Json>& cells = frame.cells[column];
  if (!cells.empty() && cells.front().is_array()) {
    return JsonToTensor(Json(cells), type,
                        std::string(what) + " (column " + Quoted(frame.columns[column]) + ")");
  }
  return FrameToTensor(frame, {column}, type, what);
}

Result<Tensor> FirstAxisItem(const Tensor& value, int64_t index) {
  if (value.rank() == 0 || index < 0 || index >= value.dim(0)) {
    return InvalidArgumentError("The array of shape " + engine::ShapeToString(value.shape()) +
                                " has no item " + std::to_string(index) + ".");
  }
  const Shape item_shape(value.shape().begin() + 1, value.shape().end());
  ADS_ASSIGN_OR_RETURN(Tensor t, Tensor::Make(value.dtype(), item_shape));
  const int64_t n = t.size();
  if (value.is_string()) {
    for (int64_t i = 0; i < n; ++i) {
      t.mutable_data<std::string>()[i] = value.data<std::string>()[index * n + i];
    }
    return t;
  }
  const size_t bytes = t.byte_size();
  if (bytes > 0) {
    std::memcpy(t.mutable_raw_data(),
                static_cast<const char*>(value.raw_data()) + static_cast<size_t>(index) * bytes,
                bytes);
  }
  return t;
}

}  // namespace ads::runtime
