// Fast float Conv for 2-D images with constant weights and group 1: each
// image is unfolded (im2col) straight into the packed panels of the GEMM's
// B = col^T [C*kh*kw x pixels], and Y = W [M x C*kh*kw] * B comes out
// channel-major, with the bias (and a fused Relu, fused.h) applied in the
// GEMM's store. Images are spread over the thread pool; a single image lets
// the GEMM split its rows instead.
//
// Declined at load (the reference kernel serves them): non-constant or
// non-float weights, other ranks, groups > 1. At run time, inputs outside
// the fast path (double X, mismatched channels, bad geometry) go to a
// reference kernel made at load, which also produces the error messages.
//
// Thread-safety: immutable after creation; Run is reentrant.
#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "engine/kernels/fast_gemm.h"
#include "engine/kernels/fused.h"
#include "engine/kernels/kernel_util.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

// Output size and leading pad of one spatial axis.
struct Axis {
  int64_t in = 0, out = 0, kernel = 0, stride = 1, dilation = 1, pad = 0;
};

class FastConv : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> Create(const KernelInfo& info);
  Status Run(KernelContext& ctx) const override;
  bool applies_fusion() const override { return true; }

 private:
  // Resolves the two spatial axes for input [N, C, H, W]; false when the
  // geometry is invalid (the reference reports why).
  bool Resolve(const Shape& x, Axis& h, Axis& w) const;
  void Im2Col(const float* x, int64_t c, const Axis& h, const Axis& w, PackedB& col) const;
  Status Reference(KernelContext& ctx) const;

  std::unique_ptr<Kernel> reference_;
  FusedOps fused_;
  std::vector<float> weights_;  // W as [M x C*kh*kw], the GEMM's A
  int64_t m_ = 0, c_ = 0, kh_ = 0, kw_ = 0;
  std::string auto_pad_;
  std::vector<int64_t> strides_, dilations_, pads_;
};

Result<std::unique_ptr<Kernel>> FastConv::Create(const KernelInfo& info) {
  const Value* wv = info.constant_input(1);
  ADS_ASSIGN_OR_RETURN(int64_t group, info.GetInt("group", 1));
  if (wv == nullptr || !wv->is_tensor() || wv->tensor().dtype() != DataType::kFloat ||
      wv->tensor().rank() != 4 || group != 1) {
    return UnimplementedError("fast Conv: needs constant float 2-D weights and group 1");
  }
  auto k = std::make_unique<FastConv>();
  ADS_ASSIGN_OR_RETURN(k->reference_, ReferenceKernelRegistry().Create(info));
  ADS_ASSIGN_OR_RETURN(k->fused_, ReadFusedOps(info));
  if (k->fused_.bias) return UnimplementedError("fast Conv: no fused bias (Conv has B)");
  ADS_ASSIGN_OR_RETURN(k->auto_pad_, info.GetString("auto_pad", "NOTSET"));
  ADS_ASSIGN_OR_RETURN(k->strides_, info.GetInts("strides"));
  ADS_ASSIGN_OR_RETURN(k->dilations_, info.GetInts("dilations"));
  ADS_ASSIGN_OR_RETURN(k->pads_, info.GetInts("pads"));
  ADS_ASSIGN_OR_RETURN(std::vector<int64_t> kernel_shape, info.GetInts("kernel_shape"));
  const Tensor& w = wv->tensor();
  k->m_ = w.dim(0), k->c_ = w.dim(1), k->kh_ = w.dim(2), k->kw_ = w.dim(3);
  const bool shapes_ok = (k->strides_.empty() || k->strides_.size() == 2) &&
                         (k->dilations_.empty() || k->dilations_.size() == 2) &&
                         (k->pads_.empty() || k->pads_.size() == 4) &&
                         (kernel_shape.empty() || kernel_shape == std::vector{k->kh_, k->kw_});
  if (!shapes_ok) return UnimplementedError("fast Conv: attributes outside the fast path");
  k->weights_.assign(w.data<float>(), w.data<float>() + w.size());
  return std::unique_ptr<Kernel>(std::move(k));
}

bool FastConv::Resolve(const Shape& x, Axis& h, Axis& w) const {
  Axis* axes[2] = {&h, &w};
  for (int d = 0; d < 2; ++d) {
    Axis& a = *axes[d];
    a.in = x[2 + d];
    a.kernel = d == 0 ? kh_ : kw_;
    a.stride = strides_.empty() ? 1 : strides_[d];
    a.dilation = dilations_.empty() ? 1 : dilations_[d];
    if (a.stride <= 0 || a.dilation <= 0 || a.kernel <= 0) return false;
    const int64_t eff = (a.kernel - 1) * a.dilation + 1;
    if (auto_pad_ == "SAME_UPPER" || auto_pad_ == "SAME_LOWER") {
      a.out = (a.in + a.stride - 1) / a.stride;
      const int64_t total = std::max<int64_t>(0, (a.out - 1) * a.stride + eff - a.in);
      a.pad = auto_pad_ == "SAME_UPPER" ? total / 2 : (total + 1) / 2;
      continue;
    }
    int64_t pad_end = 0;
    a.pad = 0;
    if (auto_pad_ == "NOTSET" && !pads_.empty()) {
      a.pad = pads_[d];
      pad_end = pads_[d + 2];
    } else if (auto_pad_ != "NOTSET" && auto_pad_ != "VALID") {
      return false;
    }
    const int64_t span = a.in + a.pad + pad_end - eff;
    if (span < 0 || a.pad < 0 || pad_end < 0) return false;
    a.out = span / a.stride + 1;
  }
  return true;
}

// Writes B = col^T [c*kh*kw x pixels] straight into GEMM panels:
// B[(ci*kh + ky)*kw + kx][oy*ow + ox] = x[ci][oy*sh - ph + ky*dh][ox*sw - pw + kx*dw]
// (0 outside the image).
void FastConv::Im2Col(const float* x, int64_t c, const Axis& h, const Axis& w, PackedB& col) const {
  const int64_t k = c * kh_ * kw_, pixels = h.out * w.out;
  col.Reset(k, pixels);
  const bool inside = h.pad == 0 && w.pad == 0 &&
                      (h.out - 1) * h.stride + (kh_ - 1) * h.dilation < h.in &&
                      (w.out - 1) * w.stride + (kw_ - 1) * w.dilation < w.in;
  for (int64_t ci = 0; ci < c; ++ci) {
    const float* plane = x + ci * h.in * w.in;
    for (int64_t ky = 0; ky < kh_; ++ky) {
      for (int64_t kx = 0; kx < kw_; ++kx) {
        const int64_t r = (ci * kh_ + ky) * kw_ + kx;
        float* row = col.mutable_panel(0) + r * kGemmPanel;
        const int64_t panel_stride = k * kGemmPanel;
        int64_t p = 0;
        for (int64_t oy = 0; oy < h.out; ++oy) {
          const int64_t iy = oy * h.stride - h.pad + ky * h.dilation;
          const bool row_inside = iy >= 0 && iy < h.in;
          for (int64_t ox = 0; ox < w.out; ++ox, ++p) {
            const int64_t ix = ox * w.stride - w.pad + kx * w.dilation;
            const float v =
                inside || (row_inside && ix >= 0 && ix < w.in) ? plane[iy * w.in + ix] : 0.0f;
            row[(p >> 4) * panel_stride + (p & 15)] = v;
          }
        }
      }
    }
  }
}

Status FastConv::Reference(KernelContext& ctx) const {
  ADS_RETURN_IF_ERROR(reference_->Run(ctx));
  return ApplyFusedOps(ctx, fused_, nullptr);
}

Status FastConv::Run(KernelContext& ctx) const {
  ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
  const Tensor* bias = ctx.optional_input(2);
  Axis h, w;
  if (x->dtype() != DataType::kFloat || x->rank() != 4 || x->dim(1) != c_ ||
      (bias && (bias->dtype() != DataType::kFloat || bias->size() != m_)) ||
      !Resolve(x->shape(), h, w)) {
    return Reference(ctx);
  }
  const int64_t n = x->dim(0), pixels = h.out * w.out, k = c_ * kh_ * kw_;
  ADS_ASSIGN_OR_RETURN(Tensor y, ctx.NewOutput(0, DataType::kFloat, {n, m_, h.out, w.out}));
  const float* px = x->data<float>();
  float* py = y.mutable_data<float>();
  GemmEpilogue ep;
  ep.overwrite = true;
  ep.row_bias = bias ? bias->data<float>() : nullptr;
  ep.relu = fused_.relu;
  ThreadPool* pool = ctx.pool();
  // Y_b [M x pixels] = W [M x K] * col_b^T: the output comes out channel-major
  // with bias and Relu applied in the GEMM's store; the packed col^T is one
  // per task, reused across its images.
  auto images = [&](int64_t begin, int64_t end, ThreadPool* gemm_pool) -> Status {
    PackedB col;
    for (int64_t b = begin; b < end; ++b) {
      Im2Col(px + b * c_ * h.in * w.in, c_, h, w, col);
      Gemm(weights_.data(), k, m_, col, 1.0f, py + b * m_ * pixels, pixels, ep, gemm_pool);
    }
    return OkStatus();
  };
  if (pool && n > 1) {
    // Whole images per task, enough of them to outweigh waking a thread.
    const int64_t macs = std::max<int64_t>(1, pixels * k * m_);
    const int64_t min_images = std::max<int64_t>(1, (int64_t{1} << 19) / macs);
    std::mutex mu;
    Status first_error;
    pool->ParallelFor(n, min_images, [&](int64_t b0, int64_t b1) {
      Status st = images(b0, b1, nullptr);
      if (!st.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first_error.ok()) first_error = st;
      }
    });
    ADS_RETURN_IF_ERROR(first_error);
  } else {
    ADS_RETURN_IF_ERROR(images(0, n, pool));
  }
  ctx.set_output(0, std::move(y));
  return OkStatus();
}

}  // namespace

void RegisterFastConvKernels(KernelRegistry& r) {
  r.Register({"ai.onnx", "Conv", 1}, FastConv::Create, kFastKernelPriority, "fast");
}

}  // namespace ads::engine::kernels
