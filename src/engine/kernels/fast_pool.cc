// Fast float MaxPool for 2-D images (the CNN case): explicit pads, no
// dilation, floor rounding, no Indices output. Each output takes the maximum
// over its window clipped to the image, with the reference's comparison (NaN
// inputs never win), so results are identical. Planes are spread over the
// thread pool when there are enough of them.
//
// Declined at load (the reference serves them): auto_pad other than NOTSET,
// ceil_mode, dilations, other ranks, the Indices output. Non-float or
// non-4-D inputs and bad geometry go to a reference kernel made at load.
//
// Thread-safety: immutable after creation; Run is reentrant.
#include <algorithm>
#include <limits>
#include <vector>

#include "engine/kernels/kernel_util.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

class FastMaxPool : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> Create(const KernelInfo& info) {
    auto k = std::make_unique<FastMaxPool>();
    ADS_ASSIGN_OR_RETURN(std::string auto_pad, info.GetString("auto_pad", "NOTSET"));
    ADS_ASSIGN_OR_RETURN(int64_t ceil_mode, info.GetInt("ceil_mode", 0));
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> kernel, info.GetInts("kernel_shape"));
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> strides, info.GetInts("strides"));
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> pads, info.GetInts("pads"));
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> dilations, info.GetInts("dilations"));
    const bool plain_dilation =
        std::all_of(dilations.begin(), dilations.end(), [](int64_t d) { return d == 1; });
    if (auto_pad != "NOTSET" || ceil_mode != 0 || kernel.size() != 2 ||
        (!strides.empty() && strides.size() != 2) || (!pads.empty() && pads.size() != 4) ||
        !plain_dilation || info.has_output(1)) {
      return UnimplementedError("fast MaxPool: attributes outside the fast path");
    }
    ADS_ASSIGN_OR_RETURN(k->reference_, ReferenceKernelRegistry().Create(info));
    k->kh_ = kernel[0], k->kw_ = kernel[1];
    if (!strides.empty()) k->sh_ = strides[0], k->sw_ = strides[1];
    if (!pads.empty()) k->pt_ = pads[0], k->pl_ = pads[1], k->pb_ = pads[2], k->pr_ = pads[3];
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status Run(KernelContext& ctx) const override {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    if (x->dtype() != DataType::kFloat || x->rank() != 4) return reference_->Run(ctx);
    const int64_t h = x->dim(2), w = x->dim(3);
    const int64_t span_h = h + pt_ + pb_ - kh_, span_w = w + pl_ + pr_ - kw_;
    if (kh_ <= 0 || kw_ <= 0 || sh_ <= 0 || sw_ <= 0 || span_h < 0 || span_w < 0 || pt_ < 0 ||
        pl_ < 0 || pb_ < 0 || pr_ < 0) {
      return reference_->Run(ctx);
    }
    const int64_t oh = span_h / sh_ + 1, ow = span_w / sw_ + 1;
    const int64_t planes = x->dim(0) * x->dim(1);
    ADS_ASSIGN_OR_RETURN(Tensor y,
                         ctx.NewOutput(0, DataType::kFloat, {x->dim(0), x->dim(1), oh, ow}));
    const float* px = x->data<float>();
    float* py = y.mutable_data<float>();
    auto run = [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) Plane(px + p * h * w, h, w, oh, ow, py + p * oh * ow);
    };
    const int64_t work = std::max<int64_t>(1, oh * ow * kh_ * kw_);
    if (ctx.pool())
      ctx.pool()->ParallelFor(planes, std::max<int64_t>(1, (1 << 16) / work), run);
    else
      run(0, planes);
    ctx.set_output(0, std::move(y));
    return OkStatus();
  }

 private:
  void Plane(const float* x, int64_t h, int64_t w, int64_t oh, int64_t ow, float* y) const {
    if (kh_ == 2 && kw_ == 2 && sh_ == 2 && sw_ == 2 && pt_ == 0 && pl_ == 0) {
      // The common CNN pool: every window is inside the image (no top/left
      // pad, and oh/ow count only whole windows past a bottom/right pad).
      const int64_t full_h = std::min(oh, h / 2), full_w = std::min(ow, w / 2);
      for (int64_t oy = 0; oy < full_h; ++oy) {
        const float* r0 = x + 2 * oy * w;
        const float* r1 = r0 + w;
        float* out = y + oy * ow;
        for (int64_t ox = 0; ox < full_w; ++ox) {
          float acc = -std::numeric_limits<float>::infinity();
          for (float v : {r0[2 * ox], r0[2 * ox + 1], r1[2 * ox], r1[2 * ox + 1]}) {
            acc = acc < v ? v : acc;
          }
          out[ox] = acc;
        }
      }
      if (full_h == oh && full_w == ow) return;
    }
    for (int64_t oy = 0; oy < oh; ++oy) {
      const int64_t y0 = std::max<int64_t>(0, oy * sh_ - pt_);
      const int64_t y1 = std::min(h, oy * sh_ - pt_ + kh_);
      for (int64_t ox = 0; ox < ow; ++ox) {
        const int64_t x0 = std::max<int64_t>(0, ox * sw_ - pl_);
        const int64_t x1 = std::min(w, ox * sw_ - pl_ + kw_);
        float acc = -std::numeric_limits<float>::infinity();
        for (int64_t iy = y0; iy < y1; ++iy) {
          for (int64_t ix = x0; ix < x1; ++ix) {
            const float v = x[iy * w + ix];
            acc = acc < v ? v : acc;  // as the reference's std::max: NaN never wins
          }
        }
        y[oy * ow + ox] = acc;
      }
    }
  }

  std::unique_ptr<Kernel> reference_;
  int64_t kh_ = 1, kw_ = 1, sh_ = 1, sw_ = 1, pt_ = 0, pl_ = 0, pb_ = 0, pr_ = 0;
};

}  // namespace

void RegisterFastPoolKernels(KernelRegistry& r) {
  r.Register({"ai.onnx", "MaxPool", 1}, FastMaxPool::Create, kFastKernelPriority, "fast");
}

}  // namespace ads::engine::kernels
