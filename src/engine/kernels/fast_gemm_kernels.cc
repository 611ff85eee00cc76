// Fast float MatMul and Gemm kernels over the packed GEMM (fast_gemm.h).
//
// When B is an initializer (the usual case for converter-produced models) it
// is packed once at load; otherwise it is packed per run. Anything outside
// the fast path (other element types, a batched B, shape errors) goes to the
// reference kernel, which also produces the error messages.
//
// Thread-safety: kernels are immutable after creation; Run is reentrant.
#include <optional>

#include "engine/kernels/fast_gemm.h"
#include "engine/kernels/fused.h"
#include "engine/kernels/kernel_util.h"
#include "engine/kernels/math.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

// Packing B per run costs k*n copies; below this many rows of A the
// reference's direct loop is cheaper.
constexpr int64_t kMinRowsToPackAtRun = 4;

bool IsFloatMatrix(const Tensor* t) {
  return t != nullptr && t->dtype() == DataType::kFloat && t->rank() == 2;
}

// The packed constant input `i`, if it is a float matrix.
std::optional<PackedB> PackConstant(const KernelInfo& info, size_t i, bool trans) {
  const Value* v = info.constant_input(i);
  if (v == nullptr || !v->is_tensor() || !IsFloatMatrix(&v->tensor())) return std::nullopt;
  const Tensor& b = v->tensor();
  const int64_t k = trans ? b.dim(1) : b.dim(0), n = trans ? b.dim(0) : b.dim(1);
  return PackedB::Pack(b.data<float>(), k, n, trans);
}

// MatMul, optionally fused with a following bias Add and Relu (fused.h).
class FastMatMul : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> Create(const KernelInfo& info) {
    auto k = std::make_unique<FastMatMul>();
    k->packed_ = PackConstant(info, 1, false);
    ADS_ASSIGN_OR_RETURN(k->fused_, ReadFusedOps(info));
    if (k->fused_.bias) {
      const Value* c = info.constant_input(2);
      if (c == nullptr || !c->is_tensor() || c->tensor().dtype() != DataType::kFloat ||
          c->tensor().rank() != 1 || !k->packed_ || c->tensor().size() != k->packed_->n()) {
        return UnimplementedError("fast MatMul: the fused bias must be n constant floats");
      }
      k->bias_ = c->tensor();
    }
    return std::unique_ptr<Kernel>(std::move(k));
  }
  bool applies_fusion() const override { return true; }

  Status Run(KernelContext& ctx) const override {
    ADS_ASSIGN_OR_RETURN(const Tensor* a, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* b, ctx.input(1));
    // A [..., m, k] x B [k, n]: the leading dims of A fold into the rows.
    if (a->dtype() != DataType::kFloat || !IsFloatMatrix(b) || a->rank() < 1 ||
        a->shape().back() != b->dim(0)) {
      return Reference(ctx);
    }
    const int64_t k = b->dim(0), n = b->dim(1);
    const int64_t rows = k == 0 ? 0 : a->size() / k;
    if (!packed_ && rows < kMinRowsToPackAtRun) return Reference(ctx);
    Shape out = a->shape();
    out.back() = n;
    ADS_ASSIGN_OR_RETURN(Tensor y, ctx.NewOutput(0, DataType::kFloat, out));
    GemmEpilogue ep;
    ep.overwrite = true;
    ep.bias = fused_.bias ? bias_.data<float>() : nullptr;
    ep.relu = fused_.relu;
    if (packed_) {
      Gemm(a->data<float>(), k, rows, *packed_, 1.0f, y.mutable_data<float>(), n, ep, ctx.pool());
    } else {
      const PackedB pb = PackedB::Pack(b->data<float>(), k, n, false);
      Gemm(a->data<float>(), k, rows, pb, 1.0f, y.mutable_data<float>(), n, ep, ctx.pool());
    }
    ctx.set_output(0, std::move(y));
    return OkStatus();
  }

 private:
  Status Reference(KernelContext& ctx) const {
    ADS_RETURN_IF_ERROR(RunReferenceMatMul(ctx));
    return ApplyFusedOps(ctx, fused_, &bias_);
  }

  std::optional<PackedB> packed_;
  FusedOps fused_;
  Tensor bias_;
};

// y = beta * C broadcast to [m, n], the common bias shapes without the
// generic broadcast walk.
void FillWithBias(const Tensor& c, float beta, int64_t m, int64_t n, float* y) {
  const float* pc = c.data<float>();
  if (c.size() == n && (c.rank() == 1 || c.dim(0) == 1)) {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) y[i * n + j] = beta * pc[j];
    }
    return;
  }
  ForEachBroadcast({m, n}, {c.shape()},
                   [&](int64_t i, const int64_t* o) { y[i] = beta * pc[o[0]]; });
}

// Gemm, optionally fused with a following Relu (fused.h).
class FastGemm : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> Create(const KernelInfo& info) {
    auto k = std::make_unique<FastGemm>();
    ADS_ASSIGN_OR_RETURN(k->reference_, MakeReferenceGemm(info));
    ADS_ASSIGN_OR_RETURN(k->alpha_, info.GetFloat("alpha", 1.0f));
    ADS_ASSIGN_OR_RETURN(k->beta_, info.GetFloat("beta", 1.0f));
    ADS_ASSIGN_OR_RETURN(int64_t trans_a, info.GetInt("transA", 0));
    ADS_ASSIGN_OR_RETURN(int64_t trans_b, info.GetInt("transB", 0));
    ADS_ASSIGN_OR_RETURN(k->fused_, ReadFusedOps(info));
    if (k->fused_.bias) return UnimplementedError("fast Gemm: no fused bias (Gemm has C)");
    k->trans_a_ = trans_a != 0;
    k->trans_b_ = trans_b != 0;
    k->packed_ = PackConstant(info, 1, k->trans_b_);
    return std::unique_ptr<Kernel>(std::move(k));
  }
  bool applies_fusion() const override { return true; }

  Status Run(KernelContext& ctx) const override {
    ADS_ASSIGN_OR_RETURN(const Tensor* a, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* b, ctx.input(1));
    const Tensor* c = ctx.optional_input(2);
    if (!IsFloatMatrix(a) || !IsFloatMatrix(b) || (c && c->dtype() != DataType::kFloat)) {
      return Reference(ctx);
    }
    const int64_t m = trans_a_ ? a->dim(1) : a->dim(0), k = trans_a_ ? a->dim(0) : a->dim(1);
    const int64_t kb = trans_b_ ? b->dim(1) : b->dim(0), n = trans_b_ ? b->dim(0) : b->dim(1);
    if (k != kb || (!packed_ && m < kMinRowsToPackAtRun)) return Reference(ctx);
    if (c) {
      auto bc = BroadcastShapes(c->shape(), {m, n});
      if (!bc.ok() || *bc != Shape{m, n}) return Reference(ctx);
    }
    ADS_ASSIGN_OR_RETURN(Tensor y, ctx.NewOutput(0, DataType::kFloat, {m, n}));
    float* py = y.mutable_data<float>();
    GemmEpilogue ep;
    ep.relu = fused_.relu;
    const bool row_bias =
        c && beta_ == 1.0f && c->size() == n && (c->rank() == 1 || c->dim(0) == 1);
    if (row_bias) {
      ep.overwrite = true;
      ep.bias = c->data<float>();
    } else if (c && beta_ != 0.0f) {
      FillWithBias(*c, beta_, m, n, py);
    } else {
      ep.overwrite = true;
    }
    const float* pa = a->data<float>();
    std::vector<float> at;
    if (trans_a_) {  // rare in practice: one transposed copy of A
      at.resize(static_cast<size_t>(m * k));
      for (int64_t p = 0; p < k; ++p) {
        for (int64_t i = 0; i < m; ++i) at[i * k + p] = pa[p * m + i];
      }
      pa = at.data();
    }
    if (packed_) {
      Gemm(pa, k, m, *packed_, alpha_, py, n, ep, ctx.pool());
    } else {
      const PackedB pb = PackedB::Pack(b->data<float>(), k, n, trans_b_);
      Gemm(pa, k, m, pb, alpha_, py, n, ep, ctx.pool());
    }
    ctx.set_output(0, std::move(y));
    return OkStatus();
  }

 private:
  Status Reference(KernelContext& ctx) const {
    ADS_RETURN_IF_ERROR(reference_->Run(ctx));
    return ApplyFusedOps(ctx, fused_, nullptr);
  }

  std::unique_ptr<Kernel> reference_;
  float alpha_ = 1.0f;
  float beta_ = 1.0f;
  bool trans_a_ = false;
  bool trans_b_ = false;
  std::optional<PackedB> packed_;
  FusedOps fused_;
};

}  // namespace

void RegisterFastGemmKernels(KernelRegistry& r) {
  r.Register({"ai.onnx", "MatMul", 1}, FastMatMul::Create, kFastKernelPriority, "fast");
  r.Register({"ai.onnx", "Gemm", 6}, FastGemm::Create, kFastKernelPriority, "fast");
}

}  // namespace ads::engine::kernels
