// Reference kernels for convolutional networks: Conv, MaxPool, AveragePool,
// GlobalAveragePool, GlobalMaxPool (N-d, NCHW layout).
//
// Plain loops over output positions and kernel windows: slow but obviously
// right; a blocked/im2col fast path can register beside them later.
#include <cmath>
#include <limits>

#include "base/strings.h"
#include "engine/kernels/kernel_util.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

// Window geometry shared by Conv and the pools, resolved per input shape.
struct WindowAttrs {
  std::string auto_pad = "NOTSET";
  std::vector<int64_t> kernel, strides, dilations, pads;
  bool ceil_mode = false;

  static Result<WindowAttrs> Read(const KernelInfo& info) {
    WindowAttrs w;
    ADS_ASSIGN_OR_RETURN(w.auto_pad, info.GetString("auto_pad", "NOTSET"));
    ADS_ASSIGN_OR_RETURN(w.kernel, info.GetInts("kernel_shape"));
    ADS_ASSIGN_OR_RETURN(w.strides, info.GetInts("strides"));
    ADS_ASSIGN_OR_RETURN(w.dilations, info.GetInts("dilations"));
    ADS_ASSIGN_OR_RETURN(w.pads, info.GetInts("pads"));
    ADS_ASSIGN_OR_RETURN(int64_t ceil, info.GetInt("ceil_mode", 0));
    w.ceil_mode = ceil != 0;
    if (w.auto_pad != "NOTSET" && w.auto_pad != "SAME_UPPER" && w.auto_pad != "SAME_LOWER" &&
        w.auto_pad != "VALID") {
      return info.Error("unknown auto_pad " + Quoted(w.auto_pad));
    }
    return w;
  }
};

struct Geometry {
  std::vector<int64_t> in, out, kernel, strides, dilations, pad_begin, pad_end;
};

Result<Geometry> Resolve(const WindowAttrs& a, const Shape& x, std::vector<int64_t> kernel) {
  Geometry g;
  const size_t nd = x.size() - 2;
  g.in.assign(x.begin() + 2, x.end());
  g.kernel = kernel;
  g.strides = a.strides.empty() ? std::vector<int64_t>(nd, 1) : a.strides;
  g.dilations = a.dilations.empty() ? std::vector<int64_t>(nd, 1) : a.dilations;
  if (g.kernel.size() != nd || g.strides.size() != nd || g.dilations.size() != nd ||
      (!a.pads.empty() && a.pads.size() != 2 * nd)) {
    return InvalidArgumentError("kernel_shape, strides, dilations or pads do not match the input rank");
  }
  g.pad_begin.assign(nd, 0);
  g.pad_end.assign(nd, 0);
  g.out.resize(nd);
  for (size_t i = 0; i < nd; ++i) {
    if (g.strides[i] <= 0 || g.dilations[i] <= 0 || g.kernel[i] <= 0) {
      return InvalidArgumentError("strides, dilations and kernel sizes must be positive");
    }
    const int64_t eff = (g.kernel[i] - 1) * g.dilations[i] + 1;
    if (a.auto_pad == "SAME_UPPER" || a.auto_pad == "SAME_LOWER") {
      g.out[i] = (g.in[i] + g.strides[i] - 1) / g.strides[i];
      const int64_t total = std::max<int64_t>(0, (g.out[i] - 1) * g.strides[i] + eff - g.in[i]);
      g.pad_begin[i] = a.auto_pad == "SAME_UPPER" ? total / 2 : (total + 1) / 2;
      g.pad_end[i] = total - g.pad_begin[i];
      continue;
    }
    if (a.auto_pad == "NOTSET" && !a.pads.empty()) {
      g.pad_begin[i] = a.pads[i];
      g.pad_end[i] = a.pads[i + nd];
    }
    const int64_t span = g.in[i] + g.pad_begin[i] + g.pad_end[i] - eff;
    if (span < 0) return InvalidArgumentError("the kernel is larger than the padded input");
    if (a.ceil_mode) {
      g.out[i] = (span + g.strides[i] - 1) / g.strides[i] + 1;
      // A window must start inside the input or its leading pad.
      if ((g.out[i] - 1) * g.strides[i] >= g.in[i] + g.pad_begin[i]) --g.out[i];
    } else {
      g.out[i] = span / g.strides[i] + 1;
    }
  }
  return g;
}

// Calls f(out_index, offsets) for each spatial output position; offsets are
// the start coordinates (may be negative) of its window.
template <typename F>
void ForEachWindow(const Geometry& g, F&& f) {
  const size_t nd = g.out.size();
  std::vector<int64_t> idx(nd, 0), start(nd);
  const int64_t n = ElementCount(g.out);
  for (int64_t o = 0; o < n; ++o) {
    for (size_t d = 0; d < nd; ++d) start[d] = idx[d] * g.strides[d] - g.pad_begin[d];
    f(o, start);
    for (size_t d = nd; d-- > 0;) {
      if (++idx[d] < g.out[d]) break;
      idx[d] = 0;
    }
  }
}

// Calls f(input_offset_in_plane, inside) for each kernel tap of a window.
template <typename F>
void ForEachTap(const Geometry& g, const std::vector<int64_t>& start, F&& f) {
  const size_t nd = g.kernel.size();
  std::vector<int64_t> k(nd, 0);
  const int64_t taps = ElementCount(g.kernel);
  for (int64_t t = 0; t < taps; ++t) {
    int64_t off = 0;
    bool inside = true;
    for (size_t d = 0; d < nd; ++d) {
      const int64_t c = start[d] + k[d] * g.dilations[d];
      inside = inside && c >= 0 && c < g.in[d];
      off = off * g.in[d] + c;
    }
    f(t, off, inside);
    for (size_t d = nd; d-- > 0;) {
      if (++k[d] < g.kernel[d]) break;
      k[d] = 0;
    }
  }
}

Result<std::unique_ptr<Kernel>> MakeConv(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(WindowAttrs attrs, WindowAttrs::Read(info));
  ADS_ASSIGN_OR_RETURN(int64_t group, info.GetInt("group", 1));
  if (group < 1) return info.Error("group must be at least 1");
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* w, ctx.input(1));
    const Tensor* bias = ctx.optional_input(2);
    if (x->rank() < 3 || w->rank() != x->rank() || x->dtype() != w->dtype()) {
      return InvalidArgumentError("Conv needs X [N,C,...] and W [M,C/group,...] of one type");
    }
    const int64_t n = x->dim(0), c = x->dim(1), m = w->dim(0), cg = w->dim(1);
    if (c != cg * group || m % group != 0) {
      return InvalidArgumentError("Conv channels do not match: " + x->TypeAndShape() + " and " +
                                  w->TypeAndShape() + " with group " + std::to_string(group));
    }
    if (bias && (bias->dtype() != x->dtype() || bias->size() != m)) {
      return InvalidArgumentError("Conv bias must hold " + std::to_string(m) +
                                  " values of X's type, got " + bias->TypeAndShape());
    }
    std::vector<int64_t> kernel(w->shape().begin() + 2, w->shape().end());
    if (!attrs.kernel.empty() && attrs.kernel != kernel) {
      return InvalidArgumentError("Conv kernel_shape does not match W");
    }
    ADS_ASSIGN_OR_RETURN(Geometry g, Resolve(attrs, x->shape(), kernel));
    Shape out_shape{n, m};
    out_shape.insert(out_shape.end(), g.out.begin(), g.out.end());
    return DispatchFloat(x->dtype(), "Conv", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      ADS_ASSIGN_OR_RETURN(Tensor y, Tensor::Make(x->dtype(), out_shape));
      const int64_t plane = ElementCount(g.in), out_plane = ElementCount(g.out);
      const int64_t taps = ElementCount(kernel), m_per_group = m / group;
      const T* px = x->data<T>();
      const T* pw = w->data<T>();
      T* py = y.mutable_data<T>();
      for (int64_t b = 0; b < n; ++b) {
        for (int64_t oc = 0; oc < m; ++oc) {
          const int64_t grp = oc / m_per_group;
          ForEachWindow(g, [&](int64_t o, const std::vector<int64_t>& start) {
            double acc = bias ? static_cast<double>(bias->data<T>()[oc]) : 0.0;
            ForEachTap(g, start, [&](int64_t t, int64_t off, bool inside) {
              if (!inside) return;
              for (int64_t ic = 0; ic < cg; ++ic) {
                const T xv = px[(b * c + grp * cg + ic) * plane + off];
                acc += static_cast<double>(xv) * pw[(oc * cg + ic) * taps + t];
              }
            });
            py[(b * m + oc) * out_plane + o] = static_cast<T>(acc);
          });
        }
      }
      ctx.set_output(0, std::move(y));
      return OkStatus();
    });
  });
}

// ConvTranspose: each input element scatters W's window into the output.
struct TransposeGeometry {
  std::vector<int64_t> in, out, kernel, strides, dilations, pad_begin;
};

Result<TransposeGeometry> ResolveTranspose(const WindowAttrs& a,
                                           const std::vector<int64_t>& output_padding,
                                           const std::vector<int64_t>& output_shape,
                                           const Shape& x, const std::vector<int64_t>& kernel) {
  TransposeGeometry g;
  const size_t nd = x.size() - 2;
  g.in.assign(x.begin() + 2, x.end());
  g.kernel = kernel;
  g.strides = a.strides.empty() ? std::vector<int64_t>(nd, 1) : a.strides;
  g.dilations = a.dilations.empty() ? std::vector<int64_t>(nd, 1) : a.dilations;
  std::vector<int64_t> opad = output_padding.empty() ? std::vector<int64_t>(nd, 0) : output_padding;
  if (g.strides.size() != nd || g.dilations.size() != nd || opad.size() != nd ||
      (!a.pads.empty() && a.pads.size() != 2 * nd) ||
      (!output_shape.empty() && output_shape.size() != nd && output_shape.size() != nd + 2)) {
    return InvalidArgumentError("ConvTranspose attributes do not match the input rank");
  }
  g.out.resize(nd);
  g.pad_begin.assign(nd, 0);
  for (size_t i = 0; i < nd; ++i) {
    const int64_t eff = (g.kernel[i] - 1) * g.dilations[i] + 1;
    const int64_t full = g.strides[i] * (g.in[i] - 1) + opad[i] + eff;
    int64_t target = -1;
    if (!output_shape.empty()) target = output_shape[output_shape.size() - nd + i];
    else if (a.auto_pad == "SAME_UPPER" || a.auto_pad == "SAME_LOWER") target = g.in[i] * g.strides[i];
    if (target >= 0) {
      // A target larger than the natural size is reached by zero rows at the
      // end (an implicit output_padding), never by negative leading pads.
      const int64_t total = std::max<int64_t>(0, full - target);
      g.pad_begin[i] = a.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      g.out[i] = target;
    } else {
      const int64_t b = a.pads.empty() ? 0 : a.pads[i], e = a.pads.empty() ? 0 : a.pads[i + nd];
      g.pad_begin[i] = b;
      g.out[i] = full - b - e;
    }
    if (g.out[i] < 0) return InvalidArgumentError("ConvTranspose output would be empty");
  }
  return g;
}

Result<std::unique_ptr<Kernel>> MakeConvTranspose(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(WindowAttrs attrs, WindowAttrs::Read(info));
  ADS_ASSIGN_OR_RETURN(int64_t group, info.GetInt("group", 1));
  ADS_ASSIGN_OR_RETURN(std::vector<int64_t> output_padding, info.GetInts("output_padding"));
  ADS_ASSIGN_OR_RETURN(std::vector<int64_t> output_shape, info.GetInts("output_shape"));
  if (group < 1) return info.Error("group must be at least 1");
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* w, ctx.input(1));
    const Tensor* bias = ctx.optional_input(2);
    if (x->rank() < 3 || w->rank() != x->rank() || x->dtype() != w->dtype() ||
        w->dim(0) != x->dim(1) || x->dim(1) % group != 0) {
      return InvalidArgumentError("ConvTranspose needs X [N,C,...] and W [C,M/group,...]");
    }
    const int64_t n = x->dim(0), c = x->dim(1), mg = w->dim(1), m = mg * group, cg = c / group;
    std::vector<int64_t> kernel(w->shape().begin() + 2, w->shape().end());
    ADS_ASSIGN_OR_RETURN(TransposeGeometry g, ResolveTranspose(attrs, output_padding, output_shape,
                                                               x->shape(), kernel));
    Shape out_shape{n, m};
    out_shape.insert(out_shape.end(), g.out.begin(), g.out.end());
    return DispatchFloat(x->dtype(), "ConvTranspose", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      ADS_ASSIGN_OR_RETURN(Tensor y, Tensor::Make(x->dtype(), out_shape));
      const int64_t plane = ElementCount(g.in), out_plane = ElementCount(g.out);
      const int64_t taps = ElementCount(kernel);
      const size_t nd = g.in.size();
      std::vector<double> acc(static_cast<size_t>(n * m * out_plane), 0.0);
      std::vector<int64_t> p(nd), k(nd);
      for (int64_t b = 0; b < n; ++b) {
        for (int64_t ic = 0; ic < c; ++ic) {
          const int64_t grp = ic / cg;
          for (int64_t pi = 0; pi < plane; ++pi) {
            int64_t rest = pi;
            for (size_t d = nd; d-- > 0;) { p[d] = rest % g.in[d]; rest /= g.in[d]; }
            const double xv = x->data<T>()[(b * c + ic) * plane + pi];
            for (int64_t t = 0; t < taps; ++t) {
              int64_t r = t, off = 0;
              bool inside = true;
              for (size_t d = nd; d-- > 0;) { k[d] = r % g.kernel[d]; r /= g.kernel[d]; }
              for (size_t d = 0; d < nd; ++d) {
                const int64_t o = p[d] * g.strides[d] + k[d] * g.dilations[d] - g.pad_begin[d];
                inside = inside && o >= 0 && o < g.out[d];
                off = off * g.out[d] + o;
              }
              if (!inside) continue;
              for (int64_t oc = 0; oc < mg; ++oc) {
                acc[(b * m + grp * mg + oc) * out_plane + off] +=
                    xv * w->data<T>()[(ic * mg + oc) * taps + t];
              }
            }
          }
        }
      }
      T* py = y.mutable_data<T>();
      for (size_t i = 0; i < acc.size(); ++i) {
        const int64_t oc = (static_cast<int64_t>(i) / out_plane) % m;
        py[i] = static_cast<T>(acc[i] + (bias ? static_cast<double>(bias->data<T>()[oc]) : 0.0));
      }
      ctx.set_output(0, std::move(y));
      return OkStatus();
    });
  });
}

enum class PoolKind { kMax, kAverage };

// Window taps inside the input plus its explicit pads (not the ceil_mode
// overhang): the divisor of AveragePool with count_include_pad=1.
int64_t PaddedCount(const Geometry& g, const std::vector<int64_t>& start) {
  int64_t count = 1;
  for (size_t d = 0; d < g.kernel.size(); ++d) {
    int64_t n = 0;
    for (int64_t k = 0; k < g.kernel[d]; ++k) {
      const int64_t c = start[d] + k * g.dilations[d];
      if (c >= -g.pad_begin[d] && c < g.in[d] + g.pad_end[d]) ++n;
    }
    count *= n;
  }
  return count;
}

KernelFactory PoolFactory(PoolKind kind) {
  return [kind](const KernelInfo& info) -> Result<std::unique_ptr<Kernel>> {
    ADS_ASSIGN_OR_RETURN(WindowAttrs attrs, WindowAttrs::Read(info));
    ADS_ASSIGN_OR_RETURN(int64_t include_pad, info.GetInt("count_include_pad", 0));
    if (attrs.kernel.empty()) return info.Error("attribute 'kernel_shape' is required");
    if (info.has_output(1)) return UnimplementedError("MaxPool's Indices output is not supported");
    return MakeKernel([=](KernelContext& ctx) -> Status {
      ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
      if (x->rank() < 3) return InvalidArgumentError("pooling needs an input [N,C,...]");
      ADS_ASSIGN_OR_RETURN(Geometry g, Resolve(attrs, x->shape(), attrs.kernel));
      Shape out_shape{x->dim(0), x->dim(1)};
      out_shape.insert(out_shape.end(), g.out.begin(), g.out.end());
      return DispatchFloat(x->dtype(), "Pool", [&](auto tag) -> Status {
        using T = typename decltype(tag)::type;
        ADS_ASSIGN_OR_RETURN(Tensor y, Tensor::Make(x->dtype(), out_shape));
        const int64_t planes = x->dim(0) * x->dim(1);
        const int64_t plane = ElementCount(g.in), out_plane = ElementCount(g.out);
        const T* px = x->data<T>();
        T* py = y.mutable_data<T>();
        for (int64_t p = 0; p < planes; ++p) {
          ForEachWindow(g, [&](int64_t o, const std::vector<int64_t>& start) {
            double acc = kind == PoolKind::kMax ? -std::numeric_limits<double>::infinity() : 0.0;
            int64_t count = 0;
            ForEachTap(g, start, [&](int64_t, int64_t off, bool inside) {
              if (!inside) return;
              const double v = px[p * plane + off];
              acc = kind == PoolKind::kMax ? std::max(acc, v) : acc + v;
              ++count;
            });
            if (kind == PoolKind::kAverage) {
              // Padded taps count only when they fall inside the declared pads.
              int64_t divisor = count;
              if (include_pad) divisor = PaddedCount(g, start);
              acc = divisor > 0 ? acc / static_cast<double>(divisor) : 0.0;
            }
            py[p * out_plane + o] = static_cast<T>(acc);
          });
        }
        ctx.set_output(0, std::move(y));
        return OkStatus();
      });
    });
  };
}

Status RunGlobalPool(KernelContext& ctx, PoolKind kind) {
  ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
  if (x->rank() < 3) return InvalidArgumentError("global pooling needs an input [N,C,...]");
  Shape out_shape(x->rank(), 1);
  out_shape[0] = x->dim(0);
  out_shape[1] = x->dim(1);
  return DispatchFloat(x->dtype(), "GlobalPool", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    Tensor y(x->dtype(), out_shape);
    const int64_t planes = x->dim(0) * x->dim(1);
    const int64_t plane = planes == 0 ? 0 : x->size() / planes;
    for (int64_t p = 0; p < planes; ++p) {
      const T* src = x->data<T>() + p * plane;
      double acc = kind == PoolKind::kMax ? -std::numeric_limits<double>::infinity() : 0.0;
      for (int64_t i = 0; i < plane; ++i) {
        acc = kind == PoolKind::kMax ? std::max<double>(acc, src[i]) : acc + src[i];
      }
      if (kind == PoolKind::kAverage && plane > 0) acc /= static_cast<double>(plane);
      y.mutable_data<T>()[p] = static_cast<T>(acc);
    }
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

}  // namespace

void RegisterCnnKernels(KernelRegistry& r) {
  r.Register({"ai.onnx", "Conv", 1}, MakeConv);
  r.Register({"ai.onnx", "ConvTranspose", 1}, MakeConvTranspose);
  r.Register({"ai.onnx", "MaxPool", 1}, PoolFactory(PoolKind::kMax));
  r.Register({"ai.onnx", "AveragePool", 1}, PoolFactory(PoolKind::kAverage));
  r.Register({"ai.onnx", "GlobalAveragePool", 1},
             Stateless([](KernelContext& ctx) { return RunGlobalPool(ctx, PoolKind::kAverage); }));
  r.Register({"ai.onnx", "GlobalMaxPool", 1},
             Stateless([](KernelContext& ctx) { return RunGlobalPool(ctx, PoolKind::kMax); }));
}

}  // namespace ads::engine::kernels
