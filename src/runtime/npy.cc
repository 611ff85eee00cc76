#include "runtime/npy.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "base/strings.h"

namespace ads::runtime {
namespace {

using engine::DataType;
using engine::Shape;
using engine::Tensor;

constexpr std::string_view kMagic = "\x93NUMPY";

Status NpyError(const std::string& message) {
  return InvalidArgumentError("numpy array: " + message);
}

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  Shape shape;
  bool has_descr = false, has_order = false, has_shape = false;
};

// Reads the dict literal np.save writes, e.g.
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
class HeaderReader {
 public:
  explicit HeaderReader(std::string_view s) : s_(s) {}

  Result<NpyHeader> Read() {
    NpyHeader h;
    if (!Consume('{')) return NpyError("the header is not a dict literal");
    while (!Consume('}')) {
      ADS_ASSIGN_OR_RETURN(std::string key, String());
      if (!Consume(':')) return NpyError("the header lacks ':' after " + Quoted(key));
      if (key == "descr") {
        if (Peek() == '[') return NpyError("structured dtypes are not supported");
        ADS_ASSIGN_OR_RETURN(h.descr, String());
        h.has_descr = true;
      } else if (key == "fortran_order") {
        ADS_ASSIGN_OR_RETURN(h.fortran_order, Bool());
        h.has_order = true;
      } else if (key == "shape") {
        ADS_ASSIGN_OR_RETURN(h.shape, Tuple());
        h.has_shape = true;
      } else {
        return NpyError("unexpected header key " + Quoted(key));
      }
      if (!Consume(',') && Peek() != '}') return NpyError("malformed header dict");
    }
    if (!h.has_descr || !h.has_order || !h.has_shape) {
      return NpyError("the header must have the keys 'descr', 'fortran_order' and 'shape'");
    }
    return h;
  }

 private:
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }
  char Peek() {
    SkipSpace();
    return i_ < s_.size() ? s_[i_] : '\0';
  }
  bool Consume(char c) {
    if (Peek() != c) return false;
    ++i_;
    return true;
  }
  Result<std::string> String() {
    const char quote = Peek();
    if (quote != '\'' && quote != '"') return NpyError("expected a string in the header");
    const size_t end = s_.find(quote, i_ + 1);
    if (end == std::string_view::npos) return NpyError("unterminated string in the header");
    std::string out(s_.substr(i_ + 1, end - i_ - 1));
    i_ = end + 1;
    return out;
  }
  Result<bool> Bool() {
    SkipSpace();
    if (s_.substr(i_).starts_with("True")) {
      i_ += 4;
      return true;
    }
    if (s_.substr(i_).starts_with("False")) {
      i_ += 5;
      return false;
    }
    return NpyError("'fortran_order' must be True or False");
  }
  Result<Shape> Tuple() {
    if (!Consume('(')) return NpyError("'shape' must be a tuple");
    Shape shape;
    while (!Consume(')')) {
      SkipSpace();
      int64_t v = 0;
      size_t digits = 0;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
        if (v > (INT64_MAX - 9) / 10) return NpyError("a dimension of 'shape' is too large");
        v = v * 10 + (s_[i_++] - '0');
        ++digits;
      }
      if (digits == 0) return NpyError("'shape' must hold non-negative integers");
      shape.push_back(v);
      if (!Consume(',') && Peek() != ')') return NpyError("malformed 'shape' tuple");
    }
    return shape;
  }

  std::string_view s_;
  size_t i_ = 0;
};

struct Descr {
  DataType type = DataType::kUndefined;
  size_t item_size = 0;     // bytes per element in the file
  bool swap = false;        // stored in the other byte order than the host's
  bool unicode = false;     // 'U': item_size / 4 UTF-32 code units
};

Result<Descr> ParseDescr(const std::string& descr) {
  if (descr.size() < 2) return NpyError("unknown dtype " + Quoted(descr));
  const char order = descr[0];
  if (order != '<' && order != '>' && order != '|' && order != '=') {
    return NpyError("unknown dtype " + Quoted(descr));
  }
  const char kind = descr[1];
  if (kind == 'O') {
    return NpyError("object arrays are refused: they can only be read by unpickling, which "
                    "the server never does; send a numeric or string array");
  }
  const std::string size_text = descr.substr(2);
  size_t size = 0;
  for (char c : size_text) {
    if (c < '0' || c > '9' || size > 1000000) return NpyError("unsupported dtype " + Quoted(descr));
    size = size * 10 + static_cast<size_t>(c - '0');
  }
  Descr d;
  d.item_size = size;
  const bool little = std::endian::native == std::endian::little;
  d.swap = (order == '<' && !little) || (order == '>' && little);
  auto pick = [&](std::initializer_list<std::pair<size_t, DataType>> sizes) -> bool {
    for (const auto& [s, t] : sizes) {
      if (s == size) d.type = t;
    }
    return d.type != DataType::kUndefined;
  };
  bool ok = false;
  switch (kind) {
    case 'f': ok = pick({{2, DataType::kFloat16}, {4, DataType::kFloat}, {8, DataType::kDouble}}); break;
    case 'i':
      ok = pick({{1, DataType::kInt8}, {2, DataType::kInt16}, {4, DataType::kInt32}, {8, DataType::kInt64}});
      break;
    case 'u':
      ok = pick({{1, DataType::kUint8}, {2, DataType::kUint16}, {4, DataType::kUint32}, {8, DataType::kUint64}});
      break;
    case 'b': ok = pick({{1, DataType::kBool}}); break;
    case 'U':
      d.type = DataType::kString;
      d.unicode = true;
      d.item_size = size * 4;
      ok = size > 0;
      break;
    default: break;
  }
  if (!ok) {
    return NpyError("the dtype " + Quoted(descr) +
                    " is not supported (use float, int, uint, bool or unicode strings)");
  }
  return d;
}

// The raw elements in C order: a Fortran-ordered array is the C-ordered array
// of the reversed shape, so element (i0..in) sits at sum(i_k * fstride_k).
std::string ToCOrder(std::string_view data, const Shape& shape, size_t item) {
  const int64_t count = engine::ElementCount(shape);
  std::string out(data.size(), '\0');
  std::vector<int64_t> index(shape.size(), 0), fstride(shape.size(), 1);
  for (size_t k = 1; k < shape.size(); ++k) fstride[k] = fstride[k - 1] * shape[k - 1];
  int64_t src = 0;
  for (int64_t dst = 0; dst < count; ++dst) {
    std::memcpy(out.data() + dst * item, data.data() + src * item, item);
    for (size_t k = shape.size(); k-- > 0;) {  // odometer over the C-order index
      ++index[k];
      src += fstride[k];
      if (index[k] < shape[k]) break;
      src -= fstride[k] * shape[k];
      index[k] = 0;
    }
  }
  return out;
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

Result<Tensor> DecodeStrings(std::string_view data, const Shape& shape, const Descr& d) {
  const int64_t count = engine::ElementCount(shape);
  std::vector<std::string> values(static_cast<size_t>(count));
  const size_t units = d.item_size / 4;
  for (int64_t i = 0; i < count; ++i) {
    std::string& s = values[static_cast<size_t>(i)];
    for (size_t u = 0; u < units; ++u) {
      uint32_t cp = 0;
      std::memcpy(&cp, data.data() + i * d.item_size + u * 4, 4);
      if (d.swap) cp = __builtin_bswap32(cp);
      if (cp == 0) break;  // numpy pads short strings with NULs
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return NpyError("element " + std::to_string(i) + " holds an invalid code point");
      }
      AppendUtf8(&s, cp);
    }
  }
  return Tensor::FromStrings(shape, std::move(values));
}

void SwapBytes(char* p, size_t item, int64_t count) {
  for (int64_t i = 0; i < count; ++i, p += item) {
    for (size_t a = 0, b = item - 1; a < b; ++a, --b) std::swap(p[a], p[b]);
  }
}

Result<Tensor> DecodeData(std::string_view data, const Shape& shape, const Descr& d) {
  if (d.unicode) return DecodeStrings(data, shape, d);
  ADS_ASSIGN_OR_RETURN(Tensor t, Tensor::Make(d.type, shape));
  const int64_t count = t.size();
  if (d.type == DataType::kBool) {
    bool* out = t.mutable_data<bool>();
    for (int64_t i = 0; i < count; ++i) out[i] = data[static_cast<size_t>(i)] != 0;
    return t;
  }
  char* out = static_cast<char*>(t.mutable_raw_data());
  if (count > 0) std::memcpy(out, data.data(), static_cast<size_t>(count) * d.item_size);
  if (d.swap && d.item_size > 1) SwapBytes(out, d.item_size, count);
  return t;
}

Result<std::string_view> HeaderText(std::string_view bytes, size_t* data_start) {
  if (!bytes.starts_with(kMagic) || bytes.size() < 10) {
    return NpyError("the data is not an .npy file (no \\x93NUMPY magic)");
  }
  const auto major = static_cast<uint8_t>(bytes[6]);
  size_t header_len = 0, prefix = 0;
  if (major == 1) {
    header_len = static_cast<uint8_t>(bytes[8]) | (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
    prefix = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return NpyError("the header is truncated");
    for (int k = 3; k >= 0; --k) header_len = (header_len << 8) | static_cast<uint8_t>(bytes[8 + k]);
    prefix = 12;
  } else {
    return NpyError("format version " + std::to_string(major) + " is not supported");
  }
  if (header_len > bytes.size() - prefix) return NpyError("the header is truncated");
  *data_start = prefix + header_len;
  return bytes.substr(prefix, header_len);
}

}  // namespace

Result<Tensor> ParseNpy(std::string_view bytes) {
  size_t data_start = 0;
  ADS_ASSIGN_OR_RETURN(std::string_view header_text, HeaderText(bytes, &data_start));
  ADS_ASSIGN_OR_RETURN(NpyHeader header, HeaderReader(header_text).Read());
  ADS_ASSIGN_OR_RETURN(Descr descr, ParseDescr(header.descr));
  const int64_t count = engine::ElementCount(header.shape);
  const std::string_view data = bytes.substr(data_start);
  // Checked as count <= size / item so that a forged shape cannot overflow.
  if (count < 0 || (descr.item_size > 0 &&
                    static_cast<uint64_t>(count) > data.size() / descr.item_size)) {
    return NpyError("the data is shorter than its shape " + engine::ShapeToString(header.shape) +
                    " and dtype " + Quoted(header.descr) + " need");
  }
  const std::string_view payload = data.substr(0, static_cast<size_t>(count) * descr.item_size);
  if (header.fortran_order && header.shape.size() > 1) {
    const std::string c_order = ToCOrder(payload, header.shape, descr.item_size);
    return DecodeData(c_order, header.shape, descr);
  }
  return DecodeData(payload, header.shape, descr);
}

}  // namespace ads::runtime
