// A Universal Binary JSON decoder, enough for XGBoost's .ubj model files.
//
// XGBoost (src/common/json.cc, UBJWriter) writes objects as '{' key/value...
// '}', arrays of numbers as optimised containers "[$<type>#<count>" followed
// by raw big-endian values, and other arrays as "[#<count>" or '[' ... ']'.
// Every length and count is checked against the bytes that remain, so a
// corrupt file cannot make the decoder allocate or loop without bound.
#include <bit>
#include <cmath>
#include <cstring>
#include <string>

#include "artifact/model_info.h"

namespace ads::artifact::internal {
namespace {

constexpr int kMaxDepth = 128;
// Values without payload bytes (null, true, false in a "$" typed container)
// are the only ones that do not consume input; this bounds them across the
// whole document, since nested typed containers multiply their counts.
constexpr uint64_t kMaxPayloadFreeValues = uint64_t{1} << 20;

class UbjReader {
 public:
  UbjReader(std::string_view bytes, const std::string& what) : in_(bytes), what_(what) {}

  Result<Json> ReadDocument() {
    ADS_ASSIGN_OR_RETURN(char marker, NextMarker());
    ADS_ASSIGN_OR_RETURN(Json value, ReadValue(marker, 0));
    SkipNoops();
    if (pos_ != in_.size()) {
      return Error("has " + std::to_string(in_.size() - pos_) +
                   " unexpected bytes after the top-level value");
    }
    return value;
  }

 private:
  Status Error(const std::string& problem) const {
    return InvalidArgumentError(what_ + " is not valid UBJSON: " + problem + " (at byte " +
                                std::to_string(pos_) + ").");
  }

  void SkipNoops() {
    while (pos_ < in_.size() && in_[pos_] == 'N') ++pos_;
  }

  Result<char> NextMarker() {
    SkipNoops();
    if (pos_ >= in_.size()) return Error("the data ends in the middle of a value");
    return in_[pos_++];
  }

  // Reads `n` bytes as a big-endian unsigned integer.
  Result<uint64_t> ReadBigEndian(size_t n) {
    if (in_.size() - pos_ < n) return Error("the data ends in the middle of a number");
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(in_[pos_ + i]);
    pos_ += n;
    return v;
  }

  static int NumberSize(char marker) {
    switch (marker) {
      case 'i': case 'U': case 'C': return 1;
      case 'I': return 2;
      case 'l': case 'd': return 4;
      case 'L': case 'D': return 8;
      default: return 0;
    }
  }

  Result<Json> ReadNumber(char marker) {
    ADS_ASSIGN_OR_RETURN(uint64_t raw, ReadBigEndian(NumberSize(marker)));
    switch (marker) {
      case 'i': return Json(static_cast<int64_t>(static_cast<int8_t>(raw)));
      case 'U': return Json(static_cast<uint64_t>(raw));
      case 'I': return Json(static_cast<int64_t>(static_cast<int16_t>(raw)));
      case 'l': return Json(static_cast<int64_t>(static_cast<int32_t>(raw)));
      case 'L': return Json(static_cast<int64_t>(raw));
      case 'd': return Json(static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(raw))));
      case 'D': return Json(std::bit_cast<double>(raw));
      case 'C': return Json(std::string(1, static_cast<char>(raw)));
      default: return Error("unknown number marker");
    }
  }

  // A length or count: any integer marker, non-negative.
  Result<uint64_t> ReadLength() {
    ADS_ASSIGN_OR_RETURN(char marker, NextMarker());
    if (marker != 'i' && marker != 'U' && marker != 'I' && marker != 'l' && marker != 'L') {
      return Error("a length must be an integer, found marker byte 0x" + HexByte(marker));
    }
    ADS_ASSIGN_OR_RETURN(Json n, ReadNumber(marker));
    if (n.is_number_integer() && n.get<int64_t>() < 0) return Error("a length is negative");
    return n.get<uint64_t>();
  }

  Result<std::string> ReadStringBody() {
    ADS_ASSIGN_OR_RETURN(uint64_t len, ReadLength());
    if (len > in_.size() - pos_) return Error("a string is longer than the data that remains");
    std::string s(in_.substr(pos_, len));
    pos_ += len;
    return s;
  }

  Result<Json> ReadValue(char marker, int depth) {
    if (depth > kMaxDepth) return Error("containers are nested too deeply");
    switch (marker) {
      case 'Z':
      case 'T':
      case 'F':
        if (++payload_free_values_ > kMaxPayloadFreeValues) {
          return Error("the document holds more than " + std::to_string(kMaxPayloadFreeValues) +
                       " null or boolean values");
        }
        return marker == 'Z' ? Json(nullptr) : Json(marker == 'T');
      case 'S': {
        ADS_ASSIGN_OR_RETURN(std::string s, ReadStringBody());
        return Json(std::move(s));
      }
      case 'H': {  // high-precision number, kept as its decimal text
        ADS_ASSIGN_OR_RETURN(std::string s, ReadStringBody());
        return Json(std::move(s));
      }
      case '[': return ReadContainer(false, depth);
      case '{': return ReadContainer(true, depth);
      default:
        if (NumberSize(marker) > 0) return ReadNumber(marker);
        return Error(std::string("unknown marker byte 0x") + HexByte(marker));
    }
  }

  static std::string HexByte(char c) {
    static const char* kHex = "0123456789abcdef";
    unsigned char u = static_cast<unsigned char>(c);
    return {kHex[u >> 4], kHex[u & 15]};
  }

  // Reads the optional "$type" and "#count" header of a container.
  Status ReadContainerHeader(char* type, int64_t* count) {
    *type = 0;
    *count = -1;
    if (pos_ < in_.size() && in_[pos_] == '$') {
      ++pos_;
      if (pos_ >= in_.size()) return Error("the data ends after '$'");
      *type = in_[pos_++];
      if (pos_ >= in_.size() || in_[pos_] != '#') return Error("a '$' type needs a '#' count");
    }
    if (pos_ < in_.size() && in_[pos_] == '#') {
      ++pos_;
      ADS_ASSIGN_OR_RETURN(uint64_t n, ReadLength());
      // Each element takes at least one byte unless its type has no payload.
      uint64_t min_size = *type == 0 ? 1 : static_cast<uint64_t>(NumberSize(*type));
      uint64_t remaining = in_.size() - pos_;
      bool fits = min_size == 0 ? n <= (uint64_t{1} << 20) : n <= remaining / min_size;
      if (!fits) return Error("a container count exceeds the data that remains");
      *count = static_cast<int64_t>(n);
    }
    return OkStatus();
  }

  Result<Json> ReadElement(char type, int depth) {
    if (type != 0) return ReadValue(type, depth + 1);
    ADS_ASSIGN_OR_RETURN(char marker, NextMarker());
    return ReadValue(marker, depth + 1);
  }

  Result<Json> ReadContainer(bool is_object, int depth) {
    char type;
    int64_t count;
    ADS_RETURN_IF_ERROR(ReadContainerHeader(&type, &count));
    Json out = is_object ? Json::object() : Json::array();
    for (int64_t i = 0; count < 0 || i < count; ++i) {
      if (count < 0) {
        SkipNoops();
        if (pos_ >= in_.size()) return Error("a container is not closed");
        if (in_[pos_] == (is_object ? '}' : ']')) {
          ++pos_;
          break;
        }
      }
      if (!is_object) {
        ADS_ASSIGN_OR_RETURN(Json v, ReadElement(type, depth));
        out.push_back(std::move(v));
        continue;
      }
      ADS_ASSIGN_OR_RETURN(std::string key, ReadStringBody());
      ADS_ASSIGN_OR_RETURN(Json v, ReadElement(type, depth));
      out[key] = std::move(v);
    }
    return out;
  }

  std::string_view in_;
  const std::string& what_;
  size_t pos_ = 0;
  uint64_t payload_free_values_ = 0;
};

}  // namespace

Result<Json> DecodeUbjson(std::string_view bytes, const std::string& what) {
  if (bytes.empty()) return InvalidArgumentError(what + " is empty.");
  return UbjReader(bytes, what).ReadDocument();
}

}  // namespace ads::artifact::internal
