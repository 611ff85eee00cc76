// The built-in kernel sets. Each kernels/*.cc file registers its operators
// through one of these functions; KernelRegistry::Default() calls them all.
// Explicit calls (rather than static initialisers) keep every kernel linked
// in from the static library.
//
// Two layers: the reference kernels (priority 0, the oracle) and the fast
// kernels (kFastKernelPriority), which decline the nodes they do not handle.
//
//   KernelRegistry reference_only;
//   RegisterReferenceKernels(reference_only);   // what fast kernels are tested against
//
// Thread-safety: call these while filling a registry, before it is shared.
#ifndef ADS_ENGINE_KERNELS_REGISTER_H_
#define ADS_ENGINE_KERNELS_REGISTER_H_

namespace ads::engine {

class KernelRegistry;

// Reference + fast kernels: what KernelRegistry::Default() holds.
void RegisterBuiltinKernels(KernelRegistry& registry);
// The reference kernels only.
void RegisterReferenceKernels(KernelRegistry& registry);
// The fast kernels only (they sit beside the reference ones).
void RegisterFastKernels(KernelRegistry& registry);
// A process-wide registry of the reference kernels only, from which a fast
// kernel creates its fallback for inputs outside its fast path (types and
// shapes are known only at run time).
const KernelRegistry& ReferenceKernelRegistry();

namespace kernels {

// The priority fast kernels register with; reference kernels use 0.
inline constexpr int kFastKernelPriority = 10;

void RegisterFastTreeKernels(KernelRegistry& registry);     // fast_tree_kernels.cc
void RegisterFastGemmKernels(KernelRegistry& registry);     // fast_gemm_kernels.cc
void RegisterFastConvKernels(KernelRegistry& registry);     // fast_conv.cc
void RegisterFastPoolKernels(KernelRegistry& registry);     // fast_pool.cc
void RegisterFastLinearKernels(KernelRegistry& registry);   // fast_linear.cc
void RegisterGlueKernels(KernelRegistry& registry);         // glue.cc, glue_shape.cc
void RegisterShapeKernels(KernelRegistry& registry);
void RegisterElementwiseKernels(KernelRegistry& registry);  // elementwise.cc
void RegisterMathKernels(KernelRegistry& registry);         // math.cc: MatMul, Gemm, Softmax
void RegisterReduceKernels(KernelRegistry& registry);       // reduce.cc
void RegisterMlTreeKernels(KernelRegistry& registry);       // ml_tree.cc
void RegisterMlKernels(KernelRegistry& registry);           // ml_linear.cc, ml_misc.cc
void RegisterMlMiscKernels(KernelRegistry& registry);
void RegisterMlSvmKernels(KernelRegistry& registry);  // ml_svm.cc
void RegisterCnnKernels(KernelRegistry& registry);   // cnn.cc
void RegisterMiscKernels(KernelRegistry& registry);  // misc_ops.cc: TopK, CumSum, ...
void RegisterLossKernels(KernelRegistry& registry);      // losses.cc
void RegisterSequenceKernels(KernelRegistry& registry);  // sequence.cc
void RegisterControlFlowKernels(KernelRegistry& registry);  // control_flow.cc
void RegisterIndexingKernels(KernelRegistry& registry);     // indexing.cc
void RegisterResizeKernels(KernelRegistry& registry);       // resize.cc
void RegisterExtraKernels(KernelRegistry& registry);        // extra_ops.cc
void RegisterNormKernels(KernelRegistry& registry);  // norm.cc: BatchNorm, LayerNorm, Pad...
}  // namespace kernels

}  // namespace ads::engine

#endif  // ADS_ENGINE_KERNELS_REGISTER_H_
