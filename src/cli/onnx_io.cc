#include "cli/onnx_io.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>

#include "base/strings.h"
#include "engine/conformance.h"

namespace ads::cli {

using engine::DataType;
using engine::Shape;
using engine::Tensor;
using engine::Value;
using engine::ValueInfo;
using engine::ValueType;

namespace {

template <typename T>
struct Tag {
  using type = T;
};

// Calls f(Tag<T>{}) with the storage type of every numeric or bool dtype;
// float16/bfloat16 are handled by the callers (they need bit conversions).
template <typename F>
Status DispatchPlain(DataType t, F&& f) {
  switch (t) {
    case DataType::kFloat:
      return f(Tag<float>{});
    case DataType::kDouble:
      return f(Tag<double>{});
    case DataType::kInt64:
      return f(Tag<int64_t>{});
    case DataType::kInt32:
      return f(Tag<int32_t>{});
    case DataType::kInt16:
      return f(Tag<int16_t>{});
    case DataType::kInt8:
      return f(Tag<int8_t>{});
    case DataType::kUint8:
      return f(Tag<uint8_t>{});
    case DataType::kUint16:
      return f(Tag<uint16_t>{});
    case DataType::kUint32:
      return f(Tag<uint32_t>{});
    case DataType::kUint64:
      return f(Tag<uint64_t>{});
    case DataType::kBool:
      return f(Tag<bool>{});
    default:
      return InvalidArgumentError("element type " + std::string(engine::DataTypeName(t)) +
                                  " is not supported here");
  }
}

// ---- .npy ----

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  Shape shape;
};

// The text after `'key':` in the header dict, trimmed; empty when absent.
std::string_view NpyField(std::string_view header, std::string_view key) {
  const std::string quoted = "'" + std::string(key) + "'";
  size_t p = header.find(quoted);
  if (p == std::string_view::npos) return {};
  p = header.find(':', p + quoted.size());
  if (p == std::string_view::npos) return {};
  return Trim(header.substr(p + 1));
}

Result<Shape> ParseNpyShape(std::string_view s, std::string_view what) {
  if (s.empty() || s[0] != '(') return InvalidArgumentError(std::string(what) + ": bad shape");
  const size_t end = s.find(')');
  if (end == std::string_view::npos) {
    return InvalidArgumentError(std::string(what) + ": bad shape");
  }
  Shape shape;
  for (const std::string& part : Split(s.substr(1, end - 1), ',')) {
    std::string_view d = Trim(part);
    if (d.empty()) continue;  // "(3,)" has a trailing comma
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(d.data(), d.data() + d.size(), v);
    if (ec != std::errc() || ptr != d.data() + d.size() || v < 0) {
      return InvalidArgumentError(std::string(what) + ": bad dimension " + Quoted(d));
    }
    shape.push_back(v);
  }
  return shape;
}

Result<NpyHeader> ParseNpyHeader(std::string_view bytes, size_t* data_offset,
                                 std::string_view what) {
  const std::string w(what);
  if (bytes.size() < 10 || bytes.substr(0, 6) != "\x93NUMPY") {
    return InvalidArgumentError(w + " is not a .npy file (no \\x93NUMPY magic)");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t len = 0, start = 0;
  if (major == 1) {
    len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return InvalidArgumentError(w + ": truncated .npy header");
    for (int i = 3; i >= 0; --i) len = (len << 8) | static_cast<unsigned char>(bytes[8 + i]);
    start = 12;
  } else {
    return InvalidArgumentError(w + ": unsupported .npy version " + std::to_string(major));
  }
  if (len > bytes.size() - start) return InvalidArgumentError(w + ": truncated .npy header");
  const std::string_view header = bytes.substr(start, len);
  *data_offset = start + len;
  NpyHeader h;
  std::string_view descr = NpyField(header, "descr");
  if (descr.size() < 2 || descr[0] != '\'') {
    return InvalidArgumentError(w +
                                ": the .npy header has no simple 'descr' (structured arrays "
                                "are not supported)");
  }
  const size_t close = descr.find('\'', 1);
  if (close == std::string_view::npos) return InvalidArgumentError(w + ": bad 'descr'");
  h.descr = std::string(descr.substr(1, close - 1));
  h.fortran_order = NpyField(header, "fortran_order").starts_with("True");
  ADS_ASSIGN_OR_RETURN(h.shape, ParseNpyShape(NpyField(header, "shape"), what));
  return h;
}

// Maps a numpy descr ("<f4", "|b1", ...) to an engine type.
Result<DataType> NpyType(const std::string& descr, std::string_view what) {
  static const std::map<std::string, DataType> kTypes = {
      {"f4", DataType::kFloat},  {"f8", DataType::kDouble}, {"f2", DataType::kFloat16},
      {"i8", DataType::kInt64},  {"i4", DataType::kInt32},  {"i2", DataType::kInt16},
      {"i1", DataType::kInt8},   {"u1", DataType::kUint8},  {"u2", DataType::kUint16},
      {"u4", DataType::kUint32}, {"u8", DataType::kUint64}, {"b1", DataType::kBool}};
  auto it = kTypes.find(descr.substr(1));
  if (it == kTypes.end()) {
    return InvalidArgumentError(std::string(what) + ": numpy dtype " + Quoted(descr) +
                                " is not supported (use numbers, bool or str)");
  }
  // Byte order matters only for multi-byte types; '|' and '=' mean "not
  // applicable" and "native" (little-endian on every platform we build for).
  if (descr[0] == '>' && engine::DataTypeSize(it->second) > 1) {
    return InvalidArgumentError(
        std::string(what) + ": big-endian arrays (" + descr +
        ") are not supported; save with x.astype(x.dtype.newbyteorder('<'))");
  }
  return it->second;
}

// Appends code point `c` as UTF-8; false for values that are not characters.
bool AppendUtf8(uint32_t c, std::string* out) {
  if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
  if (c < 0x80) {
    *out += static_cast<char>(c);
  } else if (c < 0x800) {
    *out += static_cast<char>(0xC0 | (c >> 6));
    *out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    *out += static_cast<char>(0xE0 | (c >> 12));
    *out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (c >> 18));
    *out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return true;
}

// Fixed-width numpy strings: "<U<n>" (UTF-32LE) or "|S<n>" (bytes); both
// are NUL-padded.
Result<Tensor> NpyStrings(std::string_view data, const NpyHeader& h, int64_t count,
                          std::string_view what) {
  const std::string w(what);
  const bool unicode = h.descr[1] == 'U';
  int64_t chars = 0;
  const std::string_view digits = std::string_view(h.descr).substr(2);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), chars);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || chars <= 0 || chars > 1 << 20) {
    return InvalidArgumentError(w + ": bad string dtype " + Quoted(h.descr));
  }
  const int64_t item = unicode ? chars * 4 : chars;
  if (count > 0 && static_cast<uint64_t>(item) > data.size() / static_cast<uint64_t>(count)) {
    return InvalidArgumentError(w + ": the file holds fewer bytes than its shape needs");
  }
  if (static_cast<uint64_t>(item * count) != data.size()) {
    return InvalidArgumentError(w + ": the data size does not match the shape " +
                                engine::ShapeToString(h.shape));
  }
  std::vector<std::string> values(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const char* p = data.data() + i * item;
    std::string& s = values[static_cast<size_t>(i)];
    for (int64_t k = 0; k < chars; ++k) {
      uint32_t c = 0;
      if (unicode) {
        for (int b = 3; b >= 0; --b) c = (c << 8) | static_cast<unsigned char>(p[k * 4 + b]);
      } else {
        c = static_cast<unsigned char>(p[k]);
      }
      if (c == 0) break;
      if (!unicode) {
        s += static_cast<char>(c);
      } else if (!AppendUtf8(c, &s)) {
        return InvalidArgumentError(w + ": element " + std::to_string(i) +
                                    " holds an invalid character");
      }
    }
  }
  return Tensor::FromStrings(h.shape, std::move(values));
}

}  // namespace

Result<Tensor> ParseNpy(std::string_view bytes, std::string_view what) {
  const std::string w(what);
  size_t offset = 0;
  ADS_ASSIGN_OR_RETURN(NpyHeader h, ParseNpyHeader(bytes, &offset, what));
  if (h.fortran_order) {
    return InvalidArgumentError(w + " is in Fortran order; save np.ascontiguousarray(x) instead");
  }
  const int64_t count = engine::ElementCount(h.shape);
  if (count < 0) return InvalidArgumentError(w + ": the shape is too large");
  const std::string_view data = bytes.substr(offset);
  if (h.descr.size() >= 3 && (h.descr[1] == 'U' || h.descr[1] == 'S')) {
    return NpyStrings(data, h, count, what);
  }
  ADS_ASSIGN_OR_RETURN(DataType type, NpyType(h.descr, what));
  const size_t width = engine::DataTypeSize(type);
  if (static_cast<uint64_t>(count) > data.size() / width || count * width != data.size()) {
    return InvalidArgumentError(
        w + ": the data size (" + std::to_string(data.size()) + " bytes) does not match " +
        std::string(engine::DataTypeName(type)) + engine::ShapeToString(h.shape));
  }
  ADS_ASSIGN_OR_RETURN(Tensor t, Tensor::Make(type, h.shape));
  if (type == DataType::kBool) {
    bool* out = t.mutable_data<bool>();
    for (int64_t i = 0; i < count; ++i) out[i] = data[static_cast<size_t>(i)] != 0;
  } else if (count > 0) {
    std::memcpy(t.mutable_raw_data(), data.data(), data.size());
  }
  return t;
}

namespace {

// ---- conversions ----

double ElementAsDouble(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DataType::kFloat16:
      return engine::HalfToFloat(t.data<uint16_t>()[i]);
    case DataType::kBFloat16:
      return engine::BFloat16ToFloat(t.data<uint16_t>()[i]);
    default:
      break;
  }
  double v = 0;
  DispatchPlain(t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    v = static_cast<double>(t.data<T>()[i]);
    return OkStatus();
  }).IgnoreError();
  return v;
}

// Integer target types: the value must be integral and in range.
template <typename T>
bool FitsInteger(double v) {
  if (!std::isfinite(v) || std::trunc(v) != v) return false;
  return v >= static_cast<double>(std::numeric_limits<T>::lowest()) &&
         v <= static_cast<double>(std::numeric_limits<T>::max());
}

// Stores `v` as element `i` of `t`; false when the value does not fit.
bool StoreNumber(Tensor& t, int64_t i, double v) {
  switch (t.dtype()) {
    case DataType::kFloat16:
      t.mutable_data<uint16_t>()[i] = engine::FloatToHalf(static_cast<float>(v));
      return true;
    case DataType::kBFloat16:
      t.mutable_data<uint16_t>()[i] = engine::FloatToBFloat16(static_cast<float>(v));
      return true;
    default:
      break;
  }
  bool fits = false;
  DispatchPlain(t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, bool>) {
      fits = v == 0 || v == 1;
    } else if constexpr (std::is_floating_point_v<T>) {
      fits = true;
    } else {
      fits = FitsInteger<T>(v);
    }
    if (fits) t.mutable_data<T>()[i] = static_cast<T>(v);
    return OkStatus();
  }).IgnoreError();
  return fits;
}

}  // namespace

Result<Tensor> ConvertTensor(const Tensor& t, DataType type, std::string_view what) {
  if (t.dtype() == type) return t;
  const std::string w(what);
  if (t.is_string() || type == DataType::kString) {
    return InvalidArgumentError(w + " holds " + std::string(engine::DataTypeName(t.dtype())) +
                                " values, but the input has element type " +
                                std::string(engine::DataTypeName(type)));
  }
  ADS_ASSIGN_OR_RETURN(Tensor out, Tensor::Make(type, t.shape()));
  for (int64_t i = 0; i < t.size(); ++i) {
    const double v = ElementAsDouble(t, i);
    // 64-bit integers beyond 2^53 do not survive a trip through double.
    if (t.dtype() == DataType::kInt64 && type == DataType::kUint64 && t.data<int64_t>()[i] >= 0) {
      out.mutable_data<uint64_t>()[i] = static_cast<uint64_t>(t.data<int64_t>()[i]);
      continue;
    }
    if (!StoreNumber(out, i, v)) {
      return InvalidArgumentError(w + ": element " + std::to_string(i) + " (" +
                                  t.ElementToString(i) + ") does not fit element type " +
                                  std::string(engine::DataTypeName(type)));
    }
  }
  return out;
}

namespace {

// ---- JSON ----

// "[1,2]" for messages about element positions.
std::string IndexString(const std::vector<int64_t>& index) {
  std::vector<std::string> parts;
  for (int64_t i : index) parts.push_back(std::to_string(i));
  return "[" + Join(parts, ",") + "]";
}

struct JsonFill {
  Tensor* out;
  int64_t next = 0;
  std::string what;
};

Status FillElement(const Json& v, const std::vector<int64_t>& index, JsonFill& fill) {
  Tensor& t = *fill.out;
  const std::string where = fill.what + ": element " + IndexString(index);
  const std::string type(engine::DataTypeName(t.dtype()));
  const int64_t i = fill.next++;
  if (t.is_string()) {
    if (!v.is_string())
      return InvalidArgumentError(where + " must be a string (input type string)");
    t.mutable_data<std::string>()[i] = v.get<std::string>();
    return OkStatus();
  }
  if (t.dtype() == DataType::kBool && v.is_boolean()) {
    t.mutable_data<bool>()[i] = v.get<bool>();
    return OkStatus();
  }
  if (!v.is_number()) {
    return InvalidArgumentError(where + " is " + std::string(v.type_name()) +
                                ", but the input has element type " + type);
  }
  // Integers keep their exact value when the target is a 64-bit integer.
  // (nlohmann stores non-negative integers as unsigned.)
  if (t.dtype() == DataType::kInt64 && v.is_number_integer() &&
      (!v.is_number_unsigned() ||
       v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))) {
    t.mutable_data<int64_t>()[i] =
        v.is_number_unsigned() ? static_cast<int64_t>(v.get<uint64_t>()) : v.get<int64_t>();
    return OkStatus();
  }
  if (t.dtype() == DataType::kUint64 && v.is_number_unsigned()) {
    t.mutable_data<uint64_t>()[i] = v.get<uint64_t>();
    return OkStatus();
  }
  if (!StoreNumber(t, i, v.get<double>())) {
    return InvalidArgumentError(where + " (" + v.dump() + ") does not fit element type " + type);
  }
  return OkStatus();
}

Status FillFromJson(const Json& v, const Shape& shape, std::vector<int64_t>& index,
                    JsonFill& fill) {
  const size_t depth = index.size();
  if (depth == shape.size()) {
    if (v.is_array()) {
      return InvalidArgumentError(fill.what + ": element " + IndexString(index) +
                                  " is nested deeper than the other elements");
    }
    return FillElement(v, index, fill);
  }
  if (!v.is_array() || static_cast<int64_t>(v.size()) != shape[depth]) {
    return InvalidArgumentError(
        fill.what + ": the lists are not rectangular: at " + IndexString(index) + " expected " +
        std::to_string(shape[depth]) + " items, got " +
        (v.is_array() ? std::to_string(v.size()) : std::string("a ") + v.type_name()));
  }
  for (size_t k = 0; k < v.size(); ++k) {
    index.push_back(static_cast<int64_t>(k));
    ADS_RETURN_IF_ERROR(FillFromJson(v[k], shape, index, fill));
    index.pop_back();
  }
  return OkStatus();
}

}  // namespace

Result<Tensor> TensorFromJson(const Json& doc, DataType type, std::string_view what) {
  if (type == DataType::kUndefined) {
    return InvalidArgumentError(std::string(what) +
                                ": the model declares no element type for this input; give the "
                                "data as .npy or .pb");
  }
  Shape shape;
  for (const Json* p = &doc; p->is_array(); p = &(*p)[0]) {
    shape.push_back(static_cast<int64_t>(p->size()));
    if (p->empty()) break;
  }
  ADS_ASSIGN_OR_RETURN(Tensor t, Tensor::Make(type, shape));
  JsonFill fill{&t, 0, std::string(what)};
  std::vector<int64_t> index;
  ADS_RETURN_IF_ERROR(FillFromJson(doc, shape, index, fill));
  return t;
}

Result<Value> ReadInputFile(Env& env, const std::string& path, const ValueInfo& info) {
  const std::string what = path + " (input " + Quoted(info.name) + ")";
  auto bytes = env.ReadFile(path);
  if (!bytes.ok()) {
    return bytes.status().WithContext("cannot read the file for input " + Quoted(info.name));
  }
  const ValueType& type = info.type;
  if (path.ends_with(".pb")) {
    auto v = engine::ParseValueProto(*bytes, type);
    if (!v.ok()) return v.status().WithContext(what);
    // ONNX test data keeps bfloat16 tensors as uint16 bit patterns.
    if (v->is_tensor() && type.elem_type == DataType::kBFloat16 &&
        v->tensor().dtype() == DataType::kUint16) {
      ADS_ASSIGN_OR_RETURN(Tensor t, v->tensor().BitCast(DataType::kBFloat16));
      return Value(std::move(t));
    }
    return v;
  }
  if (type.kind != ValueType::Kind::kTensor && type.kind != ValueType::Kind::kUnknown) {
    return InvalidArgumentError(what + ": the input is a " + type.ToString() +
                                "; give it as a .pb SequenceProto/MapProto");
  }
  if (path.ends_with(".npy")) {
    ADS_ASSIGN_OR_RETURN(Tensor t, ParseNpy(*bytes, what));
    if (type.elem_type == DataType::kUndefined) return Value(std::move(t));
    ADS_ASSIGN_OR_RETURN(Tensor c, ConvertTensor(t, type.elem_type, what));
    return Value(std::move(c));
  }
  if (path.ends_with(".json")) {
    ADS_ASSIGN_OR_RETURN(Json doc, ParseJson(*bytes, what));
    ADS_ASSIGN_OR_RETURN(Tensor t, TensorFromJson(doc, type.elem_type, what));
    return Value(std::move(t));
  }
  return InvalidArgumentError(what + ": unknown file type; use .pb (TensorProto), .npy or .json");
}

Result<std::map<std::string, Value>> ReadFeeds(Env& env, const std::vector<ValueInfo>& inputs,
                                               const std::vector<std::string>& args) {
  std::vector<std::string> names;
  for (const ValueInfo& in : inputs) names.push_back(in.name);
  const std::string expects = "the model's inputs are: " + Join(names, ", ");
  std::map<std::string, Value> feeds;
  size_t next_positional = 0;
  for (const std::string& arg : args) {
    const size_t eq = arg.find('=');
    const ValueInfo* info = nullptr;
    std::string path = arg;
    if (eq != std::string::npos && !env.FileExists(arg)) {
      const std::string name = arg.substr(0, eq);
      path = arg.substr(eq + 1);
      for (const ValueInfo& in : inputs) {
        if (in.name == name) info = &in;
      }
      if (info == nullptr) {
        return InvalidArgumentError("the model has no input named " + Quoted(name) + "; " +
                                    expects);
      }
    } else {
      while (next_positional < inputs.size() && feeds.count(inputs[next_positional].name)) {
        ++next_positional;
      }
      if (next_positional >= inputs.size()) {
        return InvalidArgumentError("too many inputs: " + Quoted(arg) +
                                    " has no input left to "
                                    "fill; " +
                                    expects);
      }
      info = &inputs[next_positional];
    }
    if (feeds.count(info->name)) {
      return InvalidArgumentError("input " + Quoted(info->name) + " is given twice");
    }
    ADS_ASSIGN_OR_RETURN(Value v, ReadInputFile(env, path, *info));
    feeds.emplace(info->name, std::move(v));
  }
  for (const ValueInfo& in : inputs) {
    if (!feeds.count(in.name)) {
      return InvalidArgumentError("input " + Quoted(in.name) + " is missing; " + expects);
    }
  }
  return feeds;
}

namespace {

// A float32 printed with the fewest digits that read back as the same float
// ("0.1", not 0.10000000149011612), then held as the double of that text.
double ShortFloat(float f) {
  if (!std::isfinite(f)) return f;
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), f);
  if (ec != std::errc()) return f;
  double d = f;
  std::from_chars(buf, end, d);
  return d;
}

Json ElementToJson(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DataType::kFloat:
      return ShortFloat(t.data<float>()[i]);
    case DataType::kFloat16:
      return ShortFloat(engine::HalfToFloat(t.data<uint16_t>()[i]));
    case DataType::kBFloat16:
      return ShortFloat(engine::BFloat16ToFloat(t.data<uint16_t>()[i]));
    case DataType::kDouble:
      return t.data<double>()[i];
    case DataType::kString:
      return t.data<std::string>()[i];
    case DataType::kBool:
      return t.data<bool>()[i];
    case DataType::kUint64:
      return t.data<uint64_t>()[i];
    case DataType::kUint32:
      return t.data<uint32_t>()[i];
    case DataType::kUint16:
      return t.data<uint16_t>()[i];
    case DataType::kUint8:
      return t.data<uint8_t>()[i];
    case DataType::kInt64:
      return t.data<int64_t>()[i];
    case DataType::kInt32:
      return t.data<int32_t>()[i];
    case DataType::kInt16:
      return t.data<int16_t>()[i];
    case DataType::kInt8:
      return t.data<int8_t>()[i];
    default:
      return nullptr;
  }
}

Json NestedData(const Tensor& t, size_t dim, int64_t& next) {
  if (dim == t.rank()) return ElementToJson(t, next++);
  Json list = Json::array();
  for (int64_t k = 0; k < t.dim(dim); ++k) list.push_back(NestedData(t, dim + 1, next));
  return list;
}

}  // namespace

Json ValueToJson(const Value& value) {
  if (value.is_tensor()) {
    const Tensor& t = value.tensor();
    Json shape = Json::array();
    for (int64_t d : t.shape()) shape.push_back(d);
    int64_t next = 0;
    Json out = Json::object();
    out["dtype"] = std::string(engine::DataTypeName(t.dtype()));
    out["shape"] = std::move(shape);
    out["data"] = NestedData(t, 0, next);
    return out;
  }
  if (value.is_map()) {
    const engine::Map& m = value.map();
    Json out = Json::object();
    for (int64_t i = 0; i < m.keys.size() && i < m.values.size(); ++i) {
      const std::string key =
          m.keys.is_string() ? m.keys.data<std::string>()[i] : ElementToJson(m.keys, i).dump();
      out[key] = ElementToJson(m.values, i);
    }
    return out;
  }
  if (value.is_sequence()) {
    Json out = Json::array();
    for (const Value& item : value.sequence().items) out.push_back(ValueToJson(item));
    return out;
  }
  return nullptr;
}

Json OutputsToJson(const std::vector<ValueInfo>& outputs,
                   const std::map<std::string, Value>& values) {
  Json out = Json::object();
  for (const ValueInfo& o : outputs) {
    auto it = values.find(o.name);
    out[o.name] = it == values.end() ? Json(nullptr) : ValueToJson(it->second);
  }
  return out;
}

}  // namespace ads::cli
