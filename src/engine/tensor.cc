#include "engine/tensor.h"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <sstream>

namespace ads::engine {

namespace {
constexpr size_t kAlignment = 64;
}  // namespace

std::string_view DataTypeName(DataType type) {
  switch (type) {
    case DataType::kUndefined:
      return "undefined";
    case DataType::kFloat:
      return "float";
    case DataType::kUint8:
      return "uint8";
    case DataType::kInt8:
      return "int8";
    case DataType::kUint16:
      return "uint16";
    case DataType::kInt16:
      return "int16";
    case DataType::kInt32:
      return "int32";
    case DataType::kInt64:
      return "int64";
    case DataType::kString:
      return "string";
    case DataType::kBool:
      return "bool";
    case DataType::kFloat16:
      return "float16";
    case DataType::kDouble:
      return "double";
    case DataType::kUint32:
      return "uint32";
    case DataType::kUint64:
      return "uint64";
    case DataType::kBFloat16:
      return "bfloat16";
  }
  return "unknown dtype";
}

bool IsSupportedDataType(int32_t code) { return (code >= 1 && code <= 13) || code == 16; }

size_t DataTypeSize(DataType type) {
  switch (type) {
    case DataType::kFloat:
    case DataType::kInt32:
    case DataType::kUint32:
      return 4;
    case DataType::kDouble:
    case DataType::kInt64:
    case DataType::kUint64:
      return 8;
    case DataType::kUint8:
    case DataType::kInt8:
    case DataType::kBool:
      return 1;
    case DataType::kUint16:
    case DataType::kInt16:
    case DataType::kFloat16:
    case DataType::kBFloat16:
      return 2;
    default:
      return 0;
  }
}

bool IsFloatingPoint(DataType t) {
  return t == DataType::kFloat || t == DataType::kDouble || t == DataType::kFloat16 ||
         t == DataType::kBFloat16;
}

bool IsInteger(DataType t) {
  switch (t) {
    case DataType::kUint8:
    case DataType::kInt8:
    case DataType::kUint16:
    case DataType::kInt16:
    case DataType::kInt32:
    case DataType::kInt64:
    case DataType::kUint32:
    case DataType::kUint64:
      return true;
    default:
      return false;
  }
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t exp = (h >> 10) & 0x1f;
  const uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal half: value = mant * 2^-24
      float v = std::ldexp(static_cast<float>(mant), -24);
      return sign ? -v : v;
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
  const uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u) {  // inf or nan
    return sign | 0x7c00 | (abs > 0x7f800000u ? 0x200 : 0);
  }
  if (abs >= 0x477ff000u) return sign | 0x7c00;  // rounds to >= 65520: inf
  if (abs < 0x38800000u) {                       // below the smallest normal half: subnormal
    float a;
    std::memcpy(&a, &abs, 4);
    // a * 2^24 rounded to nearest even gives the subnormal mantissa.
    const float scaled = a * 16777216.0f;
    return sign | static_cast<uint16_t>(std::nearbyint(scaled));
  }
  const uint32_t exp = ((abs >> 23) - 112) << 10;
  const uint32_t mant = abs & 0x7fffff;
  uint32_t half = exp | (mant >> 13);
  const uint32_t rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1))) ++half;
  return sign | static_cast<uint16_t>(half);
}

float BFloat16ToFloat(uint16_t b) {
  const uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t FloatToBFloat16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40);
  const uint32_t rounding = 0x7fff + ((x >> 16) & 1);
  return static_cast<uint16_t>((x + rounding) >> 16);
}

uint16_t FloatToBFloat16Truncated(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  // A NaN whose payload sits only in the low bits would become infinity.
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40);
  return static_cast<uint16_t>(x >> 16);
}

int64_t ElementCount(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return -1;
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d) return -1;
    n *= d;
  }
  return n;
}

std::string ShapeToString(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

Tensor::Storage::Storage(size_t n, bool is_strings, int64_t count, bool zero,
                         std::shared_ptr<BufferAllocator> alloc) {
  if (is_strings) {
    strings.resize(static_cast<size_t>(count));
    return;
  }
  if (n == 0) return;
  capacity = (n + kAlignment - 1) / kAlignment * kAlignment;
  if (capacity <= kInlineBytes) {
    const auto at = reinterpret_cast<uintptr_t>(inline_bytes);
    bytes = inline_bytes + ((kAlignment - at % kAlignment) % kAlignment);
    is_inline = true;
  } else if (alloc) {
    bytes = alloc->Allocate(capacity);
    if (bytes == nullptr) throw std::bad_alloc();
    allocator = std::move(alloc);
  } else {
    bytes = ::operator new(capacity, std::align_val_t(kAlignment));
  }
  if (zero) std::memset(bytes, 0, capacity);
}

Tensor::Storage::~Storage() {
  if (bytes == nullptr || is_inline) return;
  if (allocator) {
    allocator->Free(bytes, capacity);
  } else {
    ::operator delete(bytes, std::align_val_t(kAlignment));
  }
}

Tensor::Tensor() : Tensor(DataType::kFloat, {0}) {}

Tensor::Tensor(DataType type, Shape shape)
    : dtype_(type), shape_(std::move(shape)), size_(ElementCount(shape_)) {
  if (size_ < 0) size_ = 0;  // guarded by Make(); keep the object valid anyway
  storage_ = std::make_shared<Storage>(static_cast<size_t>(size_) * DataTypeSize(type),
                                       type == DataType::kString, size_);
}

namespace {
std::atomic<int64_t> tensor_byte_limit{int64_t{1} << 40};
}  // namespace

void SetTensorByteLimit(int64_t bytes) { tensor_byte_limit.store(bytes > 0 ? bytes : 0); }
int64_t TensorByteLimit() { return tensor_byte_limit.load(std::memory_order_relaxed); }

Status CheckTensorSize(DataType type, const Shape& shape) {
  if (type == DataType::kUndefined || (DataTypeSize(type) == 0 && type != DataType::kString)) {
    return InvalidArgumentError("unsupported tensor element type " +
                                std::string(DataTypeName(type)));
  }
  const int64_t n = ElementCount(shape);
  if (n < 0) {
    return InvalidArgumentError("invalid tensor shape " + ShapeToString(shape) +
                                " (negative dimension or too many elements)");
  }
  const int64_t element_bytes = type == DataType::kString
                                    ? static_cast<int64_t>(sizeof(std::string))
                                    : static_cast<int64_t>(DataTypeSize(type));
  if (n > TensorByteLimit() / element_bytes) {
    return OutOfRangeError("tensor of shape " + ShapeToString(shape) +
                           " is larger than the engine's limit of " +
                           std::to_string(TensorByteLimit()) + " bytes");
  }
  return OkStatus();
}

Result<Tensor> Tensor::Make(DataType type, Shape shape) {
  ADS_RETURN_IF_ERROR(CheckTensorSize(type, shape));
  const int64_t n = ElementCount(shape);
  try {
    return Tensor(type, std::move(shape));
  } catch (const std::bad_alloc&) {
    return OutOfRangeError("not enough memory for a tensor of " + std::to_string(n) + " elements");
  }
}

Result<Tensor> Tensor::MakeUninitialized(DataType type, Shape shape,
                                         std::shared_ptr<BufferAllocator> allocator) {
  ADS_RETURN_IF_ERROR(CheckTensorSize(type, shape));
  const int64_t n = ElementCount(shape);
  try {
    Tensor t;
    t.dtype_ = type;
    t.shape_ = std::move(shape);
    t.size_ = n;
    const bool strings = type == DataType::kString;
    t.storage_ =
        std::make_shared<Storage>(static_cast<size_t>(n) * DataTypeSize(type), strings, n,
                                  /*zero=*/false, strings ? nullptr : std::move(allocator));
    return t;
  } catch (const std::bad_alloc&) {
    return OutOfRangeError("not enough memory for a tensor of " + std::to_string(n) + " elements");
  }
}

Tensor Tensor::FromStrings(Shape shape, std::vector<std::string> values) {
  Tensor t(DataType::kString, std::move(shape));
  for (size_t i = 0; i < values.size() && static_cast<int64_t>(i) < t.size_; ++i) {
    t.storage_->strings[i] = std::move(values[i]);
  }
  return t;
}

const void* Tensor::raw_data() const { return storage_->bytes; }
void* Tensor::mutable_raw_data() { return storage_->bytes; }

Result<Tensor> Tensor::Reshaped(Shape shape) const {
  const int64_t n = ElementCount(shape);
  if (n != size_) {
    return InvalidArgumentError("cannot reshape " + TypeAndShape() + " to " + ShapeToString(shape) +
                                " (element counts differ)");
  }
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Result<Tensor> Tensor::BitCast(DataType type) const {
  if (is_string() || type == DataType::kString || DataTypeSize(type) != DataTypeSize(dtype_)) {
    return InvalidArgumentError("cannot view " + TypeAndShape() + " as " +
                                std::string(DataTypeName(type)));
  }
  Tensor t = *this;
  t.dtype_ = type;
  return t;
}

Tensor Tensor::Clone() const {
  Tensor t(dtype_, shape_);
  if (is_string()) {
    t.storage_->strings = storage_->strings;
  } else if (byte_size() > 0) {
    std::memcpy(t.storage_->bytes, storage_->bytes, byte_size());
  }
  return t;
}

bool Tensor::SharesBufferWith(const Tensor& other) const { return storage_ == other.storage_; }

bool Tensor::from_allocator() const { return storage_ && storage_->allocator != nullptr; }

std::string Tensor::ElementToString(int64_t i) const {
  std::ostringstream os;
  os.precision(9);
  switch (dtype_) {
    case DataType::kFloat:
      os << data<float>()[i];
      break;
    case DataType::kDouble:
      os.precision(17);
      os << data<double>()[i];
      break;
    case DataType::kFloat16:
      os << HalfToFloat(data<uint16_t>()[i]);
      break;
    case DataType::kBFloat16:
      os << BFloat16ToFloat(data<uint16_t>()[i]);
      break;
    case DataType::kInt64:
      os << data<int64_t>()[i];
      break;
    case DataType::kInt32:
      os << data<int32_t>()[i];
      break;
    case DataType::kInt16:
      os << data<int16_t>()[i];
      break;
    case DataType::kInt8:
      os << static_cast<int>(data<int8_t>()[i]);
      break;
    case DataType::kUint8:
      os << static_cast<int>(data<uint8_t>()[i]);
      break;
    case DataType::kUint16:
      os << data<uint16_t>()[i];
      break;
    case DataType::kUint32:
      os << data<uint32_t>()[i];
      break;
    case DataType::kUint64:
      os << data<uint64_t>()[i];
      break;
    case DataType::kBool:
      os << (data<bool>()[i] ? "true" : "false");
      break;
    case DataType::kString:
      os << '"' << data<std::string>()[i] << '"';
      break;
    default:
      os << "?";
  }
  return os.str();
}

std::string Tensor::TypeAndShape() const {
  return std::string(DataTypeName(dtype_)) + ShapeToString(shape_);
}

}  // namespace ads::engine
