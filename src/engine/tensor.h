// Tensor: an n-dimensional array of one element type, the unit of data that
// flows between the engine's kernels.
//
//   Tensor t(DataType::kFloat, {2, 3});          // zero-filled
//   float* p = t.mutable_data<float>();
//   p[0] = 1.5f;
//   Tensor r = t.Reshaped({3, 2});                 // shares the buffer
//   Tensor labels = Tensor::FromStrings({2}, {"a", "b"});
//
// Numeric storage is one 64-byte-aligned buffer, row-major. String tensors
// keep a std::vector<std::string>. float16/bfloat16 are stored as their 16-bit
// patterns (uint16_t); kernels convert with HalfToFloat/FloatToHalf.
//
// Copying a Tensor is cheap: copies share the buffer. The engine's rule is that
// only the code that created a tensor writes into it (before handing it on), so
// sharing is safe; use Clone() for an independent copy.
//
// Thread-safety: const methods may be called concurrently; a tensor being
// written must not be read elsewhere at the same time.
#ifndef ADS_ENGINE_TENSOR_H_
#define ADS_ENGINE_TENSOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "base/status.h"

namespace ads::engine {

// Values are the ONNX TensorProto.DataType codes, so conversion is a cast.
enum class DataType : int32_t {
  kUndefined = 0,
  kFloat = 1,
  kUint8 = 2,
  kInt8 = 3,
  kUint16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kDouble = 11,
  kUint32 = 12,
  kUint64 = 13,
  kBFloat16 = 16,
};

// "float", "int64", ... (the ONNX lower-case names); "dtype(<n>)" if unknown.
std::string_view DataTypeName(DataType type);
// True for the types the engine can hold (all enumerators but kUndefined).
bool IsSupportedDataType(int32_t onnx_code);
// Bytes per element; 0 for strings and unknown types.
size_t DataTypeSize(DataType type);
bool IsFloatingPoint(DataType type);  // float, double, float16, bfloat16
bool IsInteger(DataType type);        // signed or unsigned ints (not bool)

// The C++ storage type of each DataType.
template <typename T>
struct DataTypeOf;
template <>
struct DataTypeOf<float> {
  static constexpr DataType kValue = DataType::kFloat;
};
template <>
struct DataTypeOf<double> {
  static constexpr DataType kValue = DataType::kDouble;
};
template <>
struct DataTypeOf<int64_t> {
  static constexpr DataType kValue = DataType::kInt64;
};
template <>
struct DataTypeOf<int32_t> {
  static constexpr DataType kValue = DataType::kInt32;
};
template <>
struct DataTypeOf<int16_t> {
  static constexpr DataType kValue = DataType::kInt16;
};
template <>
struct DataTypeOf<int8_t> {
  static constexpr DataType kValue = DataType::kInt8;
};
template <>
struct DataTypeOf<uint8_t> {
  static constexpr DataType kValue = DataType::kUint8;
};
template <>
struct DataTypeOf<uint16_t> {
  static constexpr DataType kValue = DataType::kUint16;
};
template <>
struct DataTypeOf<uint32_t> {
  static constexpr DataType kValue = DataType::kUint32;
};
template <>
struct DataTypeOf<uint64_t> {
  static constexpr DataType kValue = DataType::kUint64;
};
template <>
struct DataTypeOf<bool> {
  static constexpr DataType kValue = DataType::kBool;
};
template <>
struct DataTypeOf<std::string> {
  static constexpr DataType kValue = DataType::kString;
};

// IEEE half and bfloat16 conversions (round to nearest even).
float HalfToFloat(uint16_t h);
uint16_t FloatToHalf(float f);
float BFloat16ToFloat(uint16_t b);
uint16_t FloatToBFloat16(float f);
// float -> bfloat16 by dropping the low 16 bits (NaN stays a quiet NaN): what
// onnx 1.12's Cast test data expects (see the Cast kernel in kernels/glue.cc).
uint16_t FloatToBFloat16Truncated(float f);

using Shape = std::vector<int64_t>;

// Number of elements of `shape` (1 for a scalar); -1 if a dim is negative or
// the product overflows int64.
int64_t ElementCount(const Shape& shape);
// "[2,3]".
std::string ShapeToString(const Shape& shape);

// The largest tensor Tensor::Make will allocate, in bytes (strings count as
// sizeof(std::string) each). Process-wide; the default (1 TiB) only stops
// absurd shapes. A server or a fuzzer lowers it so that one request whose
// shapes come from its input cannot take all the memory or time.
void SetTensorByteLimit(int64_t bytes);
int64_t TensorByteLimit();
// OK when Tensor::Make would accept the type and shape (valid dims, within the
// limit); lets a kernel refuse an output before it does work proportional to it.
Status CheckTensorSize(DataType type, const Shape& shape);

// A source of reusable numeric buffers (the per-run arena of arena.h). A
// tensor made from it hands its buffer back when its last copy is dropped; the
// tensor keeps the allocator alive until then.
class BufferAllocator {
 public:
  virtual ~BufferAllocator() = default;
  // `bytes` > 0, a multiple of 64; returns 64-byte-aligned memory or null.
  virtual void* Allocate(size_t bytes) = 0;
  virtual void Free(void* p, size_t bytes) = 0;
};

class Tensor {
 public:
  // An empty float tensor of shape [0].
  Tensor();
  // A zero-filled (or empty-string-filled) tensor. The shape must be valid
  // (non-negative dims); use Make() when the shape comes from input.
  Tensor(DataType type, Shape shape);

  // Checked construction: errors name the bad shape or type.
  static Result<Tensor> Make(DataType type, Shape shape);
  // Checked construction without zero-filling numeric buffers: for kernels
  // that write every element. With `allocator` the buffer comes from it (and
  // goes back to it); otherwise from the heap. Strings are still constructed.
  static Result<Tensor> MakeUninitialized(DataType type, Shape shape,
                                          std::shared_ptr<BufferAllocator> allocator = nullptr);
  static Tensor FromStrings(Shape shape, std::vector<std::string> values);
  template <typename T>
  static Tensor FromVector(Shape shape, const std::vector<T>& values) {
    Tensor t(DataTypeOf<T>::kValue, std::move(shape));
    T* out = t.mutable_data<T>();
    for (size_t i = 0; i < values.size() && static_cast<int64_t>(i) < t.size(); ++i) {
      out[i] = values[i];
    }
    return t;
  }
  template <typename T>
  static Tensor Scalar(T value) {
    return FromVector<T>({}, std::vector<T>{value});
  }

  DataType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  size_t rank() const { return shape_.size(); }
  int64_t dim(size_t i) const { return shape_[i]; }
  int64_t size() const { return size_; }  // number of elements
  size_t byte_size() const { return static_cast<size_t>(size_) * DataTypeSize(dtype_); }
  bool is_string() const { return dtype_ == DataType::kString; }

  // Typed element access; T must match dtype() (checked by assert only: a
  // mismatch is a bug in the caller, never an input error).
  template <typename T>
  const T* data() const;
  template <typename T>
  T* mutable_data();
  template <typename T>
  std::span<const T> span() const {
    return {data<T>(), static_cast<size_t>(size_)};
  }
  const void* raw_data() const;
  void* mutable_raw_data();

  // A tensor with the same buffer and a new shape of equal element count.
  Result<Tensor> Reshaped(Shape shape) const;
  // The same bytes viewed as another type of equal element size (e.g. the
  // uint16 bit patterns of float16 data).
  Result<Tensor> BitCast(DataType type) const;
  // A deep copy.
  Tensor Clone() const;
  // True when both share one buffer (for tests of zero-copy paths).
  bool SharesBufferWith(const Tensor& other) const;
  // True when the buffer belongs to a BufferAllocator (a run's arena): such
  // a tensor must not leave the run that made it (the executor copies it).
  bool from_allocator() const;

  // Element `i` rendered for messages ("1.5", "true", "\"abc\"").
  std::string ElementToString(int64_t i) const;
  // "float[2,3]".
  std::string TypeAndShape() const;

 private:
  struct Storage;
  DataType dtype_ = DataType::kFloat;
  Shape shape_;
  int64_t size_ = 0;
  std::shared_ptr<Storage> storage_;
};

// ---- implementation details of the typed accessors ----

struct Tensor::Storage {
  // `zero`: fill the numeric buffer with zeros. With `allocator` (numeric
  // only) the buffer is taken from it and handed back on destruction.
  Storage(size_t bytes, bool strings, int64_t count, bool zero = true,
          std::shared_ptr<BufferAllocator> allocator = nullptr);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  // Numeric buffers of up to this many bytes live inside the Storage (one
  // heap block for the whole tensor, no aligned allocation): batch-1 outputs
  // and small intermediates cost no extra allocation.
  static constexpr size_t kInlineBytes = 64;

  void* bytes = nullptr;  // 64-byte aligned; null for strings/empty
  size_t capacity = 0;    // bytes reserved at `bytes`
  std::shared_ptr<BufferAllocator> allocator;
  std::vector<std::string> strings;
  bool is_inline = false;  // `bytes` points into inline_bytes
  unsigned char inline_bytes[kInlineBytes + 63];  // aligned to 64 at use
};

template <typename T>
const T* Tensor::data() const {
  if constexpr (std::is_same_v<T, std::string>) {
    return storage_->strings.data();
  } else {
    return static_cast<const T*>(storage_->bytes);
  }
}

template <typename T>
T* Tensor::mutable_data() {
  if constexpr (std::is_same_v<T, std::string>) {
    return storage_->strings.data();
  } else {
    return static_cast<T*>(storage_->bytes);
  }
}

}  // namespace ads::engine

#endif  // ADS_ENGINE_TENSOR_H_
