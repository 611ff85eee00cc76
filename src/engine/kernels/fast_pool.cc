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
#include "engine/kernels/fast_pool.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "engine/kernels/kernel_util.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

// Outside the anonymous namespace: GCC's target_clones dispatch (an ifunc)
// wants an externally visible symbol.
namespace pool_internal {

typedef float V8 __attribute__((vector_size(32)));

// The vector helpers are always inlined, so a 32-byte vector never crosses a
// call boundary (GCC's -Wpsabi note does not apply; GCC reports it at the
// end of the file, so the pragma is never popped).
#pragma GCC diagnostic ignored "-Wpsabi"
inline __attribute__((always_inline)) V8 Load8(const float* p) {
  V8 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// The reference's step `acc = acc < v ? v : acc`, lane by lane: a NaN v
// never replaces acc, so starting from -inf NaNs are skipped.
inline __attribute__((always_inline)) V8 Keep(V8 acc, V8 v) { return acc < v ? v : acc; }

// Eight outputs from two rows: the column maxima of 16 columns, then the
// maxima of their pairs. Maxima that skip NaNs do not depend on the order
// the window is visited in, so this equals the reference's row-major walk.
// (Written through a pointer: clang refuses a 32-byte vector return in the
// target_clones default, whose ABI has no AVX registers.)
inline __attribute__((always_inline)) void Pool8(const float* r0, const float* r1, V8* out) {
  const V8 lowest = V8{} - std::numeric_limits<float>::infinity();
  const V8 v0 = Keep(Keep(lowest, Load8(r0)), Load8(r1));
  const V8 v1 = Keep(Keep(lowest, Load8(r0 + 8)), Load8(r1 + 8));
  *out = Keep(__builtin_shufflevector(v0, v1, 0, 2, 4, 6, 8, 10, 12, 14),
              __builtin_shufflevector(v0, v1, 1, 3, 5, 7, 9, 11, 13, 15));
}

__attribute__((target_clones("arch=x86-64-v3", "default"))) void MaxPool2x2Rows(
    const float* x, int64_t x_row, int64_t x_plane, int64_t x_size, int64_t planes, int64_t oh,
    int64_t ow, float* y) {
  for (int64_t c = 0; c < planes; ++c) {
    for (int64_t i = 0; i < oh; ++i) {
      const int64_t r0 = c * x_plane + 2 * i * x_row, r1 = r0 + x_row;
      float* out = y + (c * oh + i) * ow;
      int64_t j = 0;
      for (; j + 8 <= ow; j += 8) {
        V8 m;
        Pool8(x + r0 + 2 * j, x + r1 + 2 * j, &m);
        std::memcpy(out + j, &m, sizeof(m));
      }
      if (j < ow && r1 + 2 * j + 16 <= x_size) {  // a short group that may read ahead
        V8 m;
        Pool8(x + r0 + 2 * j, x + r1 + 2 * j, &m);
        std::memcpy(out + j, &m, static_cast<size_t>(ow - j) * sizeof(float));
        continue;
      }
      for (; j < ow; ++j) {
        float acc = -std::numeric_limits<float>::infinity();
        for (float v : {x[r0 + 2 * j], x[r0 + 2 * j + 1], x[r1 + 2 * j], x[r1 + 2 * j + 1]}) {
          acc = acc < v ? v : acc;
        }
        out[j] = acc;
      }
    }
  }
}

}  // namespace pool_internal

void MaxPool2x2(const float* x, int64_t x_row, int64_t x_plane, int64_t x_size, int64_t planes,
                int64_t oh, int64_t ow, float* y) {
  pool_internal::MaxPool2x2Rows(x, x_row, x_plane, x_size, planes, oh, ow, y);
}

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
    // The common CNN pool: 2x2 windows, stride 2, all inside the image.
    const bool two_by_two = kh_ == 2 && kw_ == 2 && sh_ == 2 && sw_ == 2 && pt_ == 0 && pl_ == 0 &&
                            oh == h / 2 && ow == w / 2;
    auto run = [&](int64_t begin, int64_t end) {
      if (two_by_two) {
        MaxPool2x2(px + begin * h * w, w, h * w, (planes - begin) * h * w, end - begin, oh, ow,
                   py + begin * oh * ow);
        return;
      }
      for (int64_t p = begin; p < end; ++p) Plane(px + p * h * w, h, w, oh, ow, py + p * oh * ow);
    };
    const int64_t work = std::max<int64_t>(1, oh * ow * kh_ * kw_);
    ctx.ParallelFor(planes, std::max<int64_t>(1, (1 << 16) / work), run);
    ctx.set_output(0, std::move(y));
    return OkStatus();
  }

 private:
  void Plane(const float* x, int64_t h, int64_t w, int64_t oh, int64_t ow, float* y) const {
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
