// Reference kernels for Resize (opset 11+) and Upsample (7, 9).
//
// Each output coordinate maps back to an input coordinate per axis
// (coordinate_transformation_mode), picks its neighbours with their weights
// (nearest, linear or cubic), and the N-d result is the tensor product of the
// per-axis weights, which is what the ONNX reference's axis-by-axis
// interpolation computes.
#include <cmath>

#include "base/strings.h"
#include "engine/kernels/kernel_util.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

struct ResizeAttrs {
  std::string mode = "nearest";
  std::string transform = "half_pixel";
  std::string nearest_mode = "round_prefer_floor";
  double cubic_a = -0.75;
  bool exclude_outside = false;
  double extrapolation = 0.0;
};

// Neighbour indices and weights of one output coordinate along one axis.
struct Taps {
  std::vector<int64_t> index;
  std::vector<double> weight;
  bool outside = false;  // tf_crop_and_resize beyond the input: extrapolate
};

// As the ONNX reference, the output length here is scale * in, which is not
// an integer when the scales (not sizes) were given.
double SourceCoordinate(const ResizeAttrs& a, int64_t x, double scale, int64_t in_len,
                        double roi_start, double roi_end, bool* outside) {
  const double xf = static_cast<double>(x);
  const double in = static_cast<double>(in_len);
  const double out = scale * in;
  const std::string& m = a.transform;
  if (m == "align_corners") return out == 1 ? 0.0 : xf * (in - 1) / (out - 1);
  if (m == "asymmetric") return xf / scale;
  if (m == "tf_half_pixel_for_nn") return (xf + 0.5) / scale;
  if (m == "pytorch_half_pixel") return out > 1 ? (xf + 0.5) / scale - 0.5 : -0.5;
  if (m == "tf_crop_and_resize") {
    const double v = out > 1 ? roi_start * (in - 1) + xf * (roi_end - roi_start) * (in - 1) / (out - 1)
                             : 0.5 * (roi_start + roi_end) * (in - 1);
    *outside = v < 0 || v > in - 1;
    return v;
  }
  return (xf + 0.5) / scale - 0.5;  // half_pixel
}

std::vector<double> Coefficients(const ResizeAttrs& a, double ratio, bool integral) {
  if (a.mode == "nearest") {
    if (integral) return {0, 1};
    const std::string& n = a.nearest_mode;
    if (n == "round_prefer_ceil") return {ratio < 0.5 ? 1.0 : 0.0, ratio >= 0.5 ? 1.0 : 0.0};
    if (n == "floor") return {1, 0};
    if (n == "ceil") return {0, 1};
    return {ratio <= 0.5 ? 1.0 : 0.0, ratio > 0.5 ? 1.0 : 0.0};
  }
  if (a.mode == "linear") return {1 - ratio, ratio};
  const double A = a.cubic_a, r = ratio, s = 1 - ratio;
  return {((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A,
          ((A + 2) * r - (A + 3)) * r * r + 1, ((A + 2) * s - (A + 3)) * s * s + 1,
          ((A * (s + 1) - 5 * A) * (s + 1) + 8 * A) * (s + 1) - 4 * A};
}

Taps AxisTaps(const ResizeAttrs& a, int64_t x, double scale, int64_t in, double roi_start,
              double roi_end) {
  Taps t;
  const double src = SourceCoordinate(a, x, scale, in, roi_start, roi_end, &t.outside);
  // As the reference: the ratio lies in (0, 1], preferring the left pixel.
  const bool integral = src == std::floor(src);
  const int64_t x0 = static_cast<int64_t>(std::floor(src)) - (integral ? 1 : 0);
  const double ratio = integral ? 1.0 : src - std::floor(src);
  std::vector<double> c = Coefficients(a, ratio, integral);
  const int64_t first = a.mode == "cubic" ? x0 - 1 : x0;
  double sum = 0;
  for (size_t i = 0; i < c.size(); ++i) {
    const int64_t idx = first + static_cast<int64_t>(i);
    if (a.exclude_outside && (idx < 0 || idx >= in)) c[i] = 0;
    sum += c[i];
    t.index.push_back(std::min(std::max<int64_t>(idx, 0), in - 1));  // edge padding
  }
  if (a.exclude_outside && sum != 0) {
    for (double& v : c) v /= sum;
  }
  t.weight = std::move(c);
  return t;
}

Result<Tensor> Interpolate(const Tensor& x, const Shape& out, const std::vector<double>& scales,
                           const std::vector<double>& roi, const ResizeAttrs& a) {
  const size_t rank = x.rank();
  std::vector<std::vector<Taps>> taps(rank);
  for (size_t d = 0; d < rank; ++d) {
    const double rs = roi.empty() ? 0.0 : roi[d], re = roi.empty() ? 1.0 : roi[d + rank];
    for (int64_t o = 0; o < out[d]; ++o) {
      taps[d].push_back(AxisTaps(a, o, scales[d], x.dim(d), rs, re));
    }
  }
  const std::vector<int64_t> strides = Strides(x.shape());
  ADS_ASSIGN_OR_RETURN(Tensor y, Tensor::Make(x.dtype(), out));
  ADS_RETURN_IF_ERROR(DispatchNumeric(x.dtype(), "Resize", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    std::vector<int64_t> idx(rank, 0);
    for (int64_t i = 0; i < y.size(); ++i) {
      std::vector<const Taps*> t(rank);
      bool outside = false;
      for (size_t d = 0; d < rank; ++d) {
        t[d] = &taps[d][idx[d]];
        outside = outside || t[d]->outside;
      }
      double acc = 0;
      if (outside) {
        acc = a.extrapolation;
      } else {
        // Sum over the tensor product of the per-axis taps.
        std::vector<size_t> k(rank, 0);
        for (;;) {
          double w = 1;
          int64_t off = 0;
          for (size_t d = 0; d < rank; ++d) {
            w *= t[d]->weight[k[d]];
            off += t[d]->index[k[d]] * strides[d];
          }
          if (w != 0) acc += w * static_cast<double>(x.data<T>()[off]);
          size_t d = rank;
          while (d-- > 0 && ++k[d] == t[d]->weight.size()) k[d] = 0;
          if (d == static_cast<size_t>(-1)) break;
        }
      }
      if constexpr (std::is_integral_v<T>) acc = std::nearbyint(acc);
      y.mutable_data<T>()[i] = static_cast<T>(acc);
      for (size_t d = rank; d-- > 0;) {
        if (++idx[d] < out[d]) break;
        idx[d] = 0;
      }
    }
    return OkStatus();
  }));
  return y;
}

Result<std::unique_ptr<Kernel>> MakeResize(const KernelInfo& info) {
  ResizeAttrs a;
  ADS_ASSIGN_OR_RETURN(a.mode, info.GetString("mode", "nearest"));
  ADS_ASSIGN_OR_RETURN(a.transform, info.GetString("coordinate_transformation_mode", "half_pixel"));
  ADS_ASSIGN_OR_RETURN(a.nearest_mode, info.GetString("nearest_mode", "round_prefer_floor"));
  ADS_ASSIGN_OR_RETURN(float cubic, info.GetFloat("cubic_coeff_a", -0.75f));
  ADS_ASSIGN_OR_RETURN(int64_t exclude, info.GetInt("exclude_outside", 0));
  ADS_ASSIGN_OR_RETURN(float extrapolation, info.GetFloat("extrapolation_value", 0.0f));
  a.cubic_a = cubic;
  a.exclude_outside = exclude != 0;
  a.extrapolation = extrapolation;
  if (a.mode != "nearest" && a.mode != "linear" && a.mode != "cubic") {
    return info.Error("unknown Resize mode " + Quoted(a.mode));
  }
  if (info.HasAttribute("antialias") || info.HasAttribute("axes")) {
    return UnimplementedError("Resize with antialias or axes is not supported");
  }
  return MakeKernel([a](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    const size_t rank = x->rank();
    std::vector<double> roi, scales;
    if (const Tensor* t = ctx.optional_input(1); t && t->size() > 0) {
      ADS_ASSIGN_OR_RETURN(roi, ToDoubleVector(*t, "Resize roi"));
    }
    if (const Tensor* t = ctx.optional_input(2); t && t->size() > 0) {
      ADS_ASSIGN_OR_RETURN(scales, ToDoubleVector(*t, "Resize scales"));
    }
    Shape out(rank);
    if (const Tensor* t = ctx.optional_input(3); t && t->size() > 0) {
      ADS_ASSIGN_OR_RETURN(std::vector<int64_t> sizes, ToInt64Vector(*t, "Resize sizes"));
      if (sizes.size() != rank) return InvalidArgumentError("Resize sizes must have one value per dim");
      scales.assign(rank, 1.0);
      for (size_t d = 0; d < rank; ++d) {
        out[d] = sizes[d];
        scales[d] = x->dim(d) == 0 ? 1.0 : static_cast<double>(sizes[d]) / x->dim(d);
      }
    } else if (scales.size() == rank) {
      for (size_t d = 0; d < rank; ++d) {
        if (!(scales[d] > 0)) return InvalidArgumentError("Resize scales must be positive");
        out[d] = static_cast<int64_t>(std::floor(x->dim(d) * scales[d]));
      }
    } else {
      return InvalidArgumentError("Resize needs scales or sizes with one value per dim");
    }
    if (!roi.empty() && roi.size() != 2 * rank) {
      return InvalidArgumentError("Resize roi must have two values per dim");
    }
    ADS_ASSIGN_OR_RETURN(Tensor y, Interpolate(*x, out, scales, roi, a));
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

// Upsample: asymmetric coordinates, nearest rounds down.
KernelFactory UpsampleFactory(bool scales_input) {
  return [=](const KernelInfo& info) -> Result<std::unique_ptr<Kernel>> {
    ResizeAttrs a;
    ADS_ASSIGN_OR_RETURN(a.mode, info.GetString("mode", "nearest"));
    ADS_ASSIGN_OR_RETURN(std::vector<float> attr_scales, info.GetFloats("scales"));
    a.transform = "asymmetric";
    a.nearest_mode = "floor";
    if (a.mode == "bilinear") a.mode = "linear";
    if (a.mode != "nearest" && a.mode != "linear") return info.Error("unknown Upsample mode");
    return MakeKernel([=](KernelContext& ctx) -> Status {
      ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
      std::vector<double> scales(attr_scales.begin(), attr_scales.end());
      if (scales_input) {
        ADS_ASSIGN_OR_RETURN(const Tensor* s, ctx.input(1));
        ADS_ASSIGN_OR_RETURN(scales, ToDoubleVector(*s, "Upsample scales"));
      }
      if (scales.size() != x->rank()) return InvalidArgumentError("Upsample needs one scale per dim");
      Shape out(x->rank());
      for (size_t d = 0; d < x->rank(); ++d) {
        out[d] = static_cast<int64_t>(std::floor(x->dim(d) * scales[d]));
      }
      ADS_ASSIGN_OR_RETURN(Tensor y, Interpolate(*x, out, scales, {}, a));
      ctx.set_output(0, std::move(y));
      return OkStatus();
    });
  };
}

}  // namespace

void RegisterResizeKernels(KernelRegistry& r) {
  r.Register({"ai.onnx", "Resize", 11}, MakeResize);
  r.Register({"ai.onnx", "Upsample", 7}, UpsampleFactory(false));
  r.Register({"ai.onnx", "Upsample", 9}, UpsampleFactory(true));
}

}  // namespace ads::engine::kernels
