// Reference MatMul and Gemm entry points (math.cc), for the fast kernels in
// fast_gemm_kernels.cc to fall back on when a node's types or shapes are
// outside their fast path (non-float, batched B, ...).
//
//   if (a->dtype() != DataType::kFloat) return RunReferenceMatMul(ctx);
//
// Thread-safety: stateless; the Gemm kernel is immutable after creation.
#ifndef ADS_ENGINE_KERNELS_MATH_H_
#define ADS_ENGINE_KERNELS_MATH_H_

#include <memory>

#include "engine/kernel.h"

namespace ads::engine::kernels {

Status RunReferenceMatMul(KernelContext& ctx);
Result<std::unique_ptr<Kernel>> MakeReferenceGemm(const KernelInfo& info);

}  // namespace ads::engine::kernels

#endif  // ADS_ENGINE_KERNELS_MATH_H_
