#include "runtime/output_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <vector>

#include "base/json.h"

namespace ads::runtime {
namespace {

using engine::DataType;
using engine::Tensor;

// Python's float repr: the shortest round-trip digits, fixed notation for
// decimal exponents in [-4, 16), else d.ddde+XX; always a '.' or an exponent.
void AppendRepr(double value, std::string* out) {
  if (std::isnan(value)) {
    *out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    *out += value > 0 ? "Infinity" : "-Infinity";
    return;
  }
  if (value == 0) {
    *out += std::signbit(value) ? "-0.0" : "0.0";
    return;
  }
  char sci[40];
  const char* end = std::to_chars(sci, sci + sizeof(sci), value, std::chars_format::scientific).ptr;
  const char* p = sci;
  if (*p == '-') *out += *p++;
  char digits[24];
  int n = 0;
  for (; *p != 'e'; ++p) {
    if (*p != '.') digits[n++] = *p;
  }
  int exp10 = 0;
  std::from_chars(p + 1 + (p[1] == '+'), end, exp10);
  if (exp10 < -4 || exp10 >= 16) {
    *out += digits[0];
    if (n > 1) {
      *out += '.';
      out->append(digits + 1, static_cast<size_t>(n - 1));
    }
    char ebuf[8];
    const int a = std::abs(exp10);
    int k = 0;
    ebuf[k++] = 'e';
    ebuf[k++] = exp10 < 0 ? '-' : '+';
    if (a >= 100) ebuf[k++] = static_cast<char>('0' + a / 100);
    ebuf[k++] = static_cast<char>('0' + a / 10 % 10);
    ebuf[k++] = static_cast<char>('0' + a % 10);
    out->append(ebuf, static_cast<size_t>(k));
  } else if (exp10 < 0) {
    *out += "0.";
    out->append(static_cast<size_t>(-exp10 - 1), '0');
    out->append(digits, static_cast<size_t>(n));
  } else if (n <= exp10 + 1) {
    out->append(digits, static_cast<size_t>(n));
    out->append(static_cast<size_t>(exp10 + 1 - n), '0');
    *out += ".0";
  } else {
    out->append(digits, static_cast<size_t>(exp10 + 1));
    *out += '.';
    out->append(digits + exp10 + 1, static_cast<size_t>(n - exp10 - 1));
  }
}

void AppendString(const std::string& s, std::string* out) { *out += DumpPythonJson(Json(s)); }

void AppendElement(const Tensor& t, int64_t i, std::string* out) {
  switch (t.dtype()) {
    case DataType::kFloat: AppendRepr(t.data<float>()[i], out); return;
    case DataType::kDouble: AppendRepr(t.data<double>()[i], out); return;
    case DataType::kFloat16: AppendRepr(engine::HalfToFloat(t.data<uint16_t>()[i]), out); return;
    case DataType::kBFloat16:
      AppendRepr(engine::BFloat16ToFloat(t.data<uint16_t>()[i]), out);
      return;
    case DataType::kInt8: *out += std::to_string(t.data<int8_t>()[i]); return;
    case DataType::kInt16: *out += std::to_string(t.data<int16_t>()[i]); return;
    case DataType::kInt32: *out += std::to_string(t.data<int32_t>()[i]); return;
    case DataType::kInt64: *out += std::to_string(t.data<int64_t>()[i]); return;
    case DataType::kUint8: *out += std::to_string(t.data<uint8_t>()[i]); return;
    case DataType::kUint16: *out += std::to_string(t.data<uint16_t>()[i]); return;
    case DataType::kUint32: *out += std::to_string(t.data<uint32_t>()[i]); return;
    case DataType::kUint64: *out += std::to_string(t.data<uint64_t>()[i]); return;
    case DataType::kBool: *out += t.data<bool>()[i] ? "true" : "false"; return;
    case DataType::kString: AppendString(t.data<std::string>()[i], out); return;
    default: *out += "null"; return;
  }
}

// Nested lists over a row-major index space; `element(i, out)` prints one.
template <typename F>
void AppendNested(const engine::Shape& shape, size_t axis, int64_t offset, const F& element,
                  std::string* out) {
  if (axis == shape.size()) {
    element(offset, out);
    return;
  }
  int64_t stride = 1;
  for (size_t k = axis + 1; k < shape.size(); ++k) stride *= shape[k];
  *out += '[';
  for (int64_t i = 0; i < shape[axis]; ++i) {
    if (i > 0) *out += ", ";
    AppendNested(shape, axis + 1, offset + i * stride, element, out);
  }
  *out += ']';
}

// One ZipMap row: {key: value}, keys ascending.
Status AppendMap(const engine::Map& map, std::string* out) {
  const Tensor& keys = map.keys;
  const int64_t n = keys.size();
  if (map.values.size() != n) return InternalError("a map output has keys and values of different lengths");
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  if (keys.dtype() == DataType::kInt64) {
    const int64_t* k = keys.data<int64_t>();
    std::stable_sort(order.begin(), order.end(), [k](int64_t a, int64_t b) { return k[a] < k[b]; });
  } else if (keys.is_string()) {
    const std::string* k = keys.data<std::string>();
    std::stable_sort(order.begin(), order.end(), [k](int64_t a, int64_t b) { return k[a] < k[b]; });
  } else {
    return UnimplementedError("map outputs with " + std::string(engine::DataTypeName(keys.dtype())) +
                              " keys are not supported");
  }
  *out += '{';
  for (size_t i = 0; i < order.size(); ++i) {
    if (i > 0) *out += ", ";
    if (keys.is_string()) {
      AppendString(keys.data<std::string>()[order[i]], out);
    } else {
      *out += '"' + std::to_string(keys.data<int64_t>()[order[i]]) + '"';
    }
    *out += ": ";
    AppendElement(map.values, order[i], out);
  }
  *out += '}';
  return OkStatus();
}

}  // namespace

void AppendPythonFloat(double value, std::string* out) { AppendRepr(value, out); }

void AppendTensorJson(const Tensor& tensor, std::string* out) {
  AppendNested(tensor.shape(), 0, 0,
               [&tensor](int64_t i, std::string* o) { AppendElement(tensor, i, o); }, out);
}

void AppendFloatsJson(std::span<const float> data, const engine::Shape& shape, std::string* out) {
  AppendNested(shape, 0, 0, [data](int64_t i, std::string* o) { AppendRepr(data[i], o); },
               out);
}

Status AppendValueJson(const engine::Value& value, std::string* out) {
  if (value.is_tensor()) {
    AppendTensorJson(value.tensor(), out);
    return OkStatus();
  }
  if (value.is_map()) return AppendMap(value.map(), out);
  if (value.is_sequence()) {
    *out += '[';
    bool first = true;
    for (const engine::Value& item : value.sequence().items) {
      if (!first) *out += ", ";
      first = false;
      ADS_RETURN_IF_ERROR(AppendValueJson(item, out));
    }
    *out += ']';
    return OkStatus();
  }
  *out += "null";  // an absent optional output: onnxruntime returns None
  return OkStatus();
}

}  // namespace ads::runtime
