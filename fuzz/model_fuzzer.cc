// libFuzzer target for the engine's model loading: the bytes are a
// serialized ModelProto. Each input goes through Session::LoadFromBytes
// (ParseModel, kernel resolution, constant folding, planning) and, when the
// model declares small fixed-shape tensor inputs, one run on zero-filled
// inputs. Any Status is fine; a crash, sanitizer report or hang is a bug.
//
//   fuzz/build.sh && build-fuzz/model_fuzzer -max_total_time=600 build-fuzz/corpus
//
// Thread-safety: libFuzzer calls the entry point from one thread.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/session.h"

namespace {

using ads::engine::DataType;
using ads::engine::Session;
using ads::engine::Tensor;
using ads::engine::Value;
using ads::engine::ValueType;

// Inputs bigger than this are not run: the point is the loader and the
// kernels' shape checks, not large allocations.
constexpr int64_t kMaxRunElements = 4096;

// Zero-filled inputs of the declared shapes (unknown dims = 1); false when an
// input is not a tensor of a known type or is too large.
bool ZeroInputs(const Session& session, std::vector<Value>* inputs) {
  for (const auto& in : session.inputs()) {
    const ValueType& t = in.type;
    if (t.kind != ValueType::Kind::kTensor || t.elem_type == DataType::kUndefined) return false;
    ads::engine::Shape shape;
    for (int64_t d : t.dims) shape.push_back(d < 0 ? 1 : d);
    const int64_t n = ads::engine::ElementCount(shape);
    if (n < 0 || n > kMaxRunElements) return false;
    auto tensor = Tensor::Make(t.elem_type, shape);
    if (!tensor.ok()) return false;
    inputs->emplace_back(std::move(tensor).value());
  }
  return true;
}

ads::engine::ThreadPool& Pool() {
  static ads::engine::ThreadPool pool(1);
  return pool;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A model may legally ask for huge outputs (Tile, Expand, ConstantOfShape):
  // a server caps that per request, and so does the fuzzer.
  ads::engine::SetTensorByteLimit(int64_t{64} << 20);
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto session = Session::LoadFromBytes(bytes, {.threads = 1, .shared_pool = &Pool()});
  if (!session.ok()) return 0;
  std::vector<Value> inputs;
  if (ZeroInputs(**session, &inputs)) {
    auto outs = (*session)->RunPositional(std::move(inputs));
    (void)outs;
  }
  return 0;
}
