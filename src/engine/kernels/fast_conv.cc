// Fast float Conv for 2-D images with constant weights and group 1, with an
// optional fused Relu and 2x2 / stride-2 MaxPool (fused.h). Y = W [M x
// C*kh*kw] * B, where B is the image unfolded to [C*kh*kw x pixels], comes
// out channel-major, with the bias and Relu applied in the GEMM's store.
//
// Two ways to feed B to the GEMM:
//  - stride 1 (the common case): no im2col. The image is copied into a
//    zero-padded buffer [C x Hp x Wp]; output pixel (oy, ox) computed on a
//    "wide" grid of Wp columns is then B's column oy*Wp + ox, and row
//    (ci, ky, kx) of B is the padded buffer shifted by ci*Hp*Wp + ky*dh*Wp +
//    kx*dw (GemmShifted). The wide columns ox >= out width are computed and
//    dropped, a waste of (kw-1)*dw / Wp.
//  - otherwise: im2col written straight into the GEMM's packed panels.
// Each image goes through Conv, Relu and the pool while its result is in
// cache; only the pooled result is written to the output. Images are spread
// over the thread pool; a single image splits its output channels instead.
//
// Declined at load (the reference kernel serves them): non-constant or
// non-float weights, other ranks, groups > 1. At run time, inputs outside
// the fast path (double X, mismatched channels, bad geometry) go to a
// reference kernel made at load, which also produces the error messages.
//
// Thread-safety: immutable after creation; Run is reentrant.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "engine/kernels/fast_gemm.h"
#include "engine/kernels/fast_pool.h"
#include "engine/kernels/fused.h"
#include "engine/kernels/kernel_util.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

// Output size and pads of one spatial axis.
struct Axis {
  int64_t in = 0, out = 0, kernel = 0, stride = 1, dilation = 1, pad = 0, pad_end = 0;
};

// One run's layout of the work, for an input [N, C, H, W].
struct Plan {
  Axis h, w;
  int64_t k = 0;                                // C*kh*kw: B's rows
  int64_t pixels = 0;                           // h.out * w.out
  int64_t out_h = 0, out_w = 0, out_plane = 0;  // one channel of Y (pooled when fused)
  // Stride 1: the GEMM runs over shifted views of a padded copy of the image.
  bool shifted = false;
  int64_t hp = 0, wp = 0;  // the padded image
  int64_t ldc = 0;         // columns of the wide result: h.out*wp rounded up to a panel
  std::vector<int64_t> shift;
  // Scratch floats per task: the padded image, and the result before pooling.
  int64_t padded_floats = 0, result_floats = 0;
};

// Slack after each scratch buffer: GemmShifted reads B up to 32 columns
// ahead, MaxPool2x2 up to 16 floats.
constexpr int64_t kSlack = 32;

// A single image is split over threads only from this many multiply-adds
// (~100 us): waking a thread costs tens of us on a busy VM, and the bench
// CNN's 0.56M-MAC second layer ran slower on two threads than on one.
constexpr int64_t kMinSplitImageMacs = int64_t{1} << 22;

class FastConv : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> Create(const KernelInfo& info);
  Status Run(KernelContext& ctx) const override;
  bool applies_fusion() const override { return true; }

 private:
  // Resolves the two spatial axes for input [N, C, H, W]; false when the
  // geometry is invalid (the reference reports why).
  bool Resolve(const Shape& x, Axis& h, Axis& w) const;
  bool MakePlan(const Shape& x, Plan& plan) const;
  void Im2Col(const float* x, const Plan& plan, PackedB& col) const;
  void CopyPadded(const float* x, const Plan& plan, float* padded) const;
  // Output channels [m0, m1) of one image from its padded copy into y (the
  // image's output); `result` holds the unpooled channels on the way.
  void ShiftedChannels(const Plan& plan, const float* padded, int64_t m0, int64_t m1,
                       const GemmEpilogue& ep, float* result, float* y) const;
  // One image by im2col; `result` is needed only when fused with the pool.
  void Im2ColImage(const Plan& plan, const float* x, PackedB& col, const GemmEpilogue& ep,
                   float* result, float* y, ThreadPool* gemm_pool) const;
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
      a.pad_end = total - a.pad;
      continue;
    }
    a.pad = a.pad_end = 0;
    if (auto_pad_ == "NOTSET" && !pads_.empty()) {
      a.pad = pads_[d];
      a.pad_end = pads_[d + 2];
    } else if (auto_pad_ != "NOTSET" && auto_pad_ != "VALID") {
      return false;
    }
    const int64_t span = a.in + a.pad + a.pad_end - eff;
    if (span < 0 || a.pad < 0 || a.pad_end < 0) return false;
    a.out = span / a.stride + 1;
  }
  return true;
}

bool FastConv::MakePlan(const Shape& x, Plan& p) const {
  if (!Resolve(x, p.h, p.w)) return false;
  if (fused_.maxpool && (p.h.out < 2 || p.w.out < 2)) return false;
  p.k = c_ * kh_ * kw_;
  p.pixels = p.h.out * p.w.out;
  p.out_h = fused_.maxpool ? p.h.out / 2 : p.h.out;
  p.out_w = fused_.maxpool ? p.w.out / 2 : p.w.out;
  p.out_plane = p.out_h * p.out_w;
  p.shifted = p.h.stride == 1 && p.w.stride == 1;
  if (!p.shifted) {
    p.result_floats = fused_.maxpool ? m_ * p.pixels + kSlack : 0;
    return true;
  }
  p.hp = p.h.in + p.h.pad + p.h.pad_end;
  p.wp = p.w.in + p.w.pad + p.w.pad_end;
  const int64_t plane = p.hp * p.wp;
  p.ldc = (p.h.out * p.wp + kGemmPanel - 1) / kGemmPanel * kGemmPanel;
  p.shift.resize(static_cast<size_t>(p.k));
  for (int64_t ci = 0; ci < c_; ++ci) {
    for (int64_t ky = 0; ky < kh_; ++ky) {
      for (int64_t kx = 0; kx < kw_; ++kx) {
        p.shift[(ci * kh_ + ky) * kw_ + kx] =
            ci * plane + ky * p.h.dilation * p.wp + kx * p.w.dilation;
      }
    }
  }
  // The last row of B, shifted by (C-1)*plane + (Hp-h.out)*Wp + (kw-1)*dw,
  // is read up to ldc (+ up to 31) columns: C*plane + (kw-1)*dw + kSlack.
  p.padded_floats = c_ * plane + (kw_ - 1) * p.w.dilation + (p.ldc - p.h.out * p.wp) + kSlack;
  p.result_floats = m_ * p.ldc + kSlack;
  return true;
}

// Writes B = col^T [c*kh*kw x pixels] straight into GEMM panels:
// B[(ci*kh + ky)*kw + kx][oy*ow + ox] = x[ci][oy*sh - ph + ky*dh][ox*sw - pw + kx*dw]
// (0 outside the image).
void FastConv::Im2Col(const float* x, const Plan& plan, PackedB& col) const {
  const Axis& h = plan.h;
  const Axis& w = plan.w;
  const int64_t k = plan.k;
  col.Reset(k, plan.pixels);
  const bool inside = h.pad == 0 && w.pad == 0 &&
                      (h.out - 1) * h.stride + (kh_ - 1) * h.dilation < h.in &&
                      (w.out - 1) * w.stride + (kw_ - 1) * w.dilation < w.in;
  for (int64_t ci = 0; ci < c_; ++ci) {
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

// Copies the image's rows into the padded buffer, whose borders and slack
// the caller zeroed once (they are never written here).
void FastConv::CopyPadded(const float* x, const Plan& plan, float* padded) const {
  const Axis& h = plan.h;
  const Axis& w = plan.w;
  for (int64_t ci = 0; ci < c_; ++ci) {
    float* dst = padded + (ci * plan.hp + h.pad) * plan.wp + w.pad;
    const float* src = x + ci * h.in * w.in;
    if (w.pad == 0 && w.pad_end == 0) {  // rows are adjacent: one block
      std::memcpy(dst, src, static_cast<size_t>(h.in * w.in) * sizeof(float));
      continue;
    }
    for (int64_t iy = 0; iy < h.in; ++iy) {
      std::memcpy(dst + iy * plan.wp, src + iy * w.in, static_cast<size_t>(w.in) * sizeof(float));
    }
  }
}

void FastConv::ShiftedChannels(const Plan& plan, const float* padded, int64_t m0, int64_t m1,
                               const GemmEpilogue& ep, float* result, float* y) const {
  GemmShifted(weights_.data(), plan.k, m0, m1, padded, plan.shift.data(), plan.k, plan.ldc, result,
              plan.ldc, ep);
  const float* first = result + m0 * plan.ldc;
  float* out = y + m0 * plan.out_plane;
  if (fused_.maxpool) {
    const int64_t readable = (m_ - m0) * plan.ldc + kSlack;
    MaxPool2x2(first, plan.wp, plan.ldc, readable, m1 - m0, plan.out_h, plan.out_w, out);
    return;
  }
  // Drop the wide columns.
  for (int64_t mo = 0; mo < m1 - m0; ++mo) {
    for (int64_t oy = 0; oy < plan.h.out; ++oy) {
      std::memcpy(out + (mo * plan.h.out + oy) * plan.w.out, first + mo * plan.ldc + oy * plan.wp,
                  static_cast<size_t>(plan.w.out) * sizeof(float));
    }
  }
}

void FastConv::Im2ColImage(const Plan& plan, const float* x, PackedB& col, const GemmEpilogue& ep,
                           float* result, float* y, ThreadPool* gemm_pool) const {
  Im2Col(x, plan, col);
  if (!fused_.maxpool) {
    Gemm(weights_.data(), plan.k, m_, col, 1.0f, y, plan.pixels, ep, gemm_pool);
    return;
  }
  Gemm(weights_.data(), plan.k, m_, col, 1.0f, result, plan.pixels, ep, gemm_pool);
  MaxPool2x2(result, plan.w.out, plan.pixels, m_ * plan.pixels + kSlack, m_, plan.out_h, plan.out_w,
             y);
}

Status FastConv::Reference(KernelContext& ctx) const {
  ADS_RETURN_IF_ERROR(reference_->Run(ctx));
  return ApplyFusedOps(ctx, fused_, nullptr);
}

Status FastConv::Run(KernelContext& ctx) const {
  ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
  const Tensor* bias = ctx.optional_input(2);
  Plan plan;
  if (x->dtype() != DataType::kFloat || x->rank() != 4 || x->dim(1) != c_ ||
      (bias && (bias->dtype() != DataType::kFloat || bias->size() != m_)) ||
      !MakePlan(x->shape(), plan)) {
    return Reference(ctx);
  }
  const int64_t n = x->dim(0), image = c_ * plan.h.in * plan.w.in, out_image = m_ * plan.out_plane;
  ADS_ASSIGN_OR_RETURN(Tensor y,
                       ctx.NewOutput(0, DataType::kFloat, {n, m_, plan.out_h, plan.out_w}));
  const float* px = x->data<float>();
  float* py = y.mutable_data<float>();
  GemmEpilogue ep;
  ep.overwrite = true;
  ep.row_bias = bias ? bias->data<float>() : nullptr;
  ep.relu = fused_.relu;
  ThreadPool* pool = ctx.pool();
  const int threads = pool ? pool->threads() : 1;
  // Whole images per task, enough of them to outweigh waking a thread.
  const int64_t macs = std::max<int64_t>(1, plan.pixels * plan.k * m_);
  const int64_t min_images = std::max<int64_t>(1, (int64_t{1} << 19) / macs);
  const int64_t tasks =
      n <= 1 ? 1 : std::min<int64_t>(threads, std::max<int64_t>(1, n / min_images));
  // Per task: the padded image, then the unpooled result.
  const int64_t per_task = plan.padded_floats + plan.result_floats;
  Tensor scratch;
  if (n > 0 && per_task > 0) {
    ADS_ASSIGN_OR_RETURN(scratch, ctx.NewScratch(DataType::kFloat, {tasks * per_task}));
  }
  float* work = scratch.size() > 0 ? scratch.mutable_data<float>() : nullptr;
  if (plan.shifted && n == 1 && threads > 1 && macs >= kMinSplitImageMacs) {
    // One large image: its output channels, in strips of 8, over the pool.
    float* padded = work;
    std::fill(padded, padded + plan.padded_floats, 0.0f);
    CopyPadded(px, plan, padded);
    float* result = work + plan.padded_floats;
    const int64_t strips = (m_ + 7) / 8;
    pool->ParallelFor(strips, 1, [&](int64_t s0, int64_t s1) {
      ShiftedChannels(plan, padded, s0 * 8, std::min(m_, s1 * 8), ep, result, py);
    });
  } else if (n > 0) {
    auto run_task = [&](int64_t t, ThreadPool* gemm_pool) {
      float* padded = work + t * per_task;
      float* result = padded + plan.padded_floats;
      PackedB col;
      if (plan.shifted) std::fill(padded, padded + plan.padded_floats, 0.0f);
      for (int64_t b = t * n / tasks; b < (t + 1) * n / tasks; ++b) {
        if (plan.shifted) {
          CopyPadded(px + b * image, plan, padded);
          ShiftedChannels(plan, padded, 0, m_, ep, result, py + b * out_image);
        } else {
          Im2ColImage(plan, px + b * image, col, ep, result, py + b * out_image, gemm_pool);
        }
      }
    };
    if (tasks > 1) {
      pool->ParallelFor(tasks, 1, [&](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; ++t) run_task(t, nullptr);
      });
    } else {
      run_task(0, pool);
    }
  }
  ctx.set_output(0, std::move(y));
  return OkStatus();
}

}  // namespace

void RegisterFastConvKernels(KernelRegistry& r) {
  r.Register({"ai.onnx", "Conv", 1}, FastConv::Create, kFastKernelPriority, "fast");
}

}  // namespace ads::engine::kernels
