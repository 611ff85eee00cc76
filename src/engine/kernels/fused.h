// The fused forms of Gemm, MatMul and Conv made by the executor's fusion
// pass (a copy of the node carrying kFusedReluAttribute/kFusedBiasAttribute/
// kFusedMaxPoolAttribute, see kernel.h). The fast kernels apply bias and Relu
// in the GEMM's store, and Conv pools each image while it is in cache;
// when a run falls back to a reference kernel, the unfused result is fixed
// up in place with ApplyFusedOps, so the fused node always computes what the
// separate nodes would.
//
//   ADS_ASSIGN_OR_RETURN(FusedOps fused, ReadFusedOps(info));
//   ...
//   ADS_RETURN_IF_ERROR(reference_->Run(ctx));
//   return ApplyFusedOps(ctx, fused, bias);
//
// Thread-safety: stateless.
#ifndef ADS_ENGINE_KERNELS_FUSED_H_
#define ADS_ENGINE_KERNELS_FUSED_H_

#include "engine/kernel.h"

namespace ads::engine::kernels {

struct FusedOps {
  bool relu = false;
  bool bias = false;     // input 2 of a MatMul: a 1-D bias added to each row
  bool maxpool = false;  // Conv: a 2x2 / stride-2 MaxPool of [N, C, H, W]
  bool any() const { return relu || bias || maxpool; }
};

Result<FusedOps> ReadFusedOps(const KernelInfo& info);

// Adds `bias` (when fused.bias) along the last axis of output 0, then
// applies Relu (when fused.relu), in place; then (when fused.maxpool)
// replaces output 0 by its 2x2 / stride-2 max pool.
Status ApplyFusedOps(KernelContext& ctx, const FusedOps& fused, const Tensor* bias);

}  // namespace ads::engine::kernels

#endif  // ADS_ENGINE_KERNELS_FUSED_H_
