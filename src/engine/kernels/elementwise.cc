// Element-wise reference kernels: unary math and activations, binary
// arithmetic and comparisons with numpy broadcasting, logical ops, variadic
// Max/Min/Sum/Mean, Where, Clip.
#include <cmath>
#include <limits>
#include <type_traits>

#include "engine/kernels/kernel_util.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

template <typename T>
Tensor MapTensor(const Tensor& x, DataType out_type, const auto& f) {
  using Out = decltype(f(T{}));
  Tensor y(out_type, x.shape());
  const T* a = x.data<T>();
  Out* b = y.mutable_data<Out>();
  for (int64_t i = 0; i < x.size(); ++i) b[i] = f(a[i]);
  return y;
}

// y = f(x) in x's own type, for the types `dispatch` accepts.
template <typename Dispatch, typename F>
Status MapSame(KernelContext& ctx, std::string_view op, Dispatch dispatch, F f) {
  ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
  return dispatch(x->dtype(), op, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    // Every element is written: the output may come from the run's arena.
    ADS_ASSIGN_OR_RETURN(Tensor y, ctx.NewOutput(0, x->dtype(), x->shape()));
    const T* a = x->data<T>();
    T* b = y.mutable_data<T>();
    for (int64_t i = 0; i < x->size(); ++i) b[i] = static_cast<T>(f(a[i]));
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

const auto kFloatTypes = [](DataType t, std::string_view op, auto&& f) {
  return DispatchFloat(t, op, f);
};
const auto kSignedTypes = [](DataType t, std::string_view op, auto&& f) {
  return DispatchSignedNumeric(t, op, f);
};
const auto kNumericTypes = [](DataType t, std::string_view op, auto&& f) {
  return DispatchNumeric(t, op, f);
};

template <typename F>
KernelFactory FloatUnary(const char* op, F f) {
  return Stateless([op, f](KernelContext& ctx) { return MapSame(ctx, op, kFloatTypes, f); });
}

// z = f(a, b) with broadcasting; Out is the element type of z.
template <typename T, typename Out, typename F>
Result<Tensor> Broadcast2(const Tensor& a, const Tensor& b, DataType out_type, F f) {
  ADS_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(a.shape(), b.shape()));
  Tensor z(out_type, shape);
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  Out* pz = z.mutable_data<Out>();
  ForEachBroadcast(shape, {a.shape(), b.shape()},
                   [&](int64_t i, const int64_t* o) { pz[i] = f(pa[o[0]], pb[o[1]]); });
  return z;
}

Status SameTypes(std::string_view op, const Tensor& a, const Tensor& b) {
  if (a.dtype() == b.dtype()) return OkStatus();
  return InvalidArgumentError(std::string(op) + " inputs must have one element type, got " +
                              a.TypeAndShape() + " and " + b.TypeAndShape());
}

enum class Arith { kAdd, kSub, kMul, kDiv, kMod, kFmod };

template <typename T>
Status ArithOne(Arith op, T a, T b, T* out) {
  if constexpr (std::is_integral_v<T>) {
    if ((op == Arith::kDiv || op == Arith::kMod || op == Arith::kFmod) && b == 0) {
      return InvalidArgumentError("integer division by zero");
    }
    if constexpr (std::is_signed_v<T>) {
      if ((op == Arith::kDiv || op == Arith::kMod || op == Arith::kFmod) &&
          a == std::numeric_limits<T>::min() && b == -1) {
        *out = op == Arith::kDiv ? a : 0;  // avoid the hardware trap on overflow
        return OkStatus();
      }
    }
  }
  switch (op) {
    case Arith::kAdd:
      *out = static_cast<T>(a + b);
      break;
    case Arith::kSub:
      *out = static_cast<T>(a - b);
      break;
    case Arith::kMul:
      *out = static_cast<T>(a * b);
      break;
    case Arith::kDiv:
      *out = static_cast<T>(a / b);
      break;
    case Arith::kFmod:
      if constexpr (std::is_integral_v<T>)
        *out = static_cast<T>(a % b);
      else
        *out = static_cast<T>(std::fmod(a, b));
      break;
    case Arith::kMod:
      if constexpr (std::is_integral_v<T>) {
        T r = static_cast<T>(a % b);
        if constexpr (std::is_signed_v<T>) {
          if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
        }
        *out = r;
      } else {
        T r = std::fmod(a, b);
        if (r != 0 && ((r < 0) != (b < 0))) r += b;
        *out = r;
      }
      break;
  }
  return OkStatus();
}

// Before opset 7, B broadcasts onto A only with broadcast=1, aligned at
// `axis` (or at the end when axis is absent).
Result<Tensor> LegacyBroadcast(const Tensor& a, const Tensor& b, bool has_axis, int64_t axis) {
  if (!has_axis || b.rank() > a.rank()) return b;
  const int64_t rank = static_cast<int64_t>(a.rank());
  if (axis < 0) axis += rank;
  if (axis < 0 || axis + static_cast<int64_t>(b.rank()) > rank) {
    return InvalidArgumentError("legacy broadcast axis is out of range");
  }
  Shape shape(a.rank(), 1);
  for (size_t i = 0; i < b.rank(); ++i) shape[axis + i] = b.dim(i);
  return b.Reshaped(shape);
}

KernelFactory ArithKernel(const char* name, Arith op, bool legacy = false) {
  return [name, op, legacy](const KernelInfo& info) -> Result<std::unique_ptr<Kernel>> {
    Arith actual = op;
    if (op == Arith::kMod) {
      ADS_ASSIGN_OR_RETURN(int64_t fmod, info.GetInt("fmod", 0));
      if (fmod) actual = Arith::kFmod;
    }
    const bool has_axis = legacy && info.HasAttribute("axis");
    ADS_ASSIGN_OR_RETURN(int64_t axis, info.GetInt("axis", 0));
    return MakeKernel([name, actual, has_axis, axis](KernelContext& ctx) -> Status {
      ADS_ASSIGN_OR_RETURN(const Tensor* a, ctx.input(0));
      ADS_ASSIGN_OR_RETURN(const Tensor* b_in, ctx.input(1));
      ADS_ASSIGN_OR_RETURN(Tensor b_view, LegacyBroadcast(*a, *b_in, has_axis, axis));
      const Tensor* b = &b_view;
      ADS_RETURN_IF_ERROR(SameTypes(name, *a, *b));
      return DispatchNumeric(a->dtype(), name, [&](auto tag) -> Status {
        using T = typename decltype(tag)::type;
        Status err;
        ADS_ASSIGN_OR_RETURN(Tensor z, (Broadcast2<T, T>(*a, *b, a->dtype(), [&](T x, T y) {
                               T r{};
                               Status s = ArithOne<T>(actual, x, y, &r);
                               if (!s.ok()) err = s;
                               return r;
                             })));
        ADS_RETURN_IF_ERROR(err);
        ctx.set_output(0, std::move(z));
        return OkStatus();
      });
    });
  };
}

template <typename F>
KernelFactory CompareKernel(const char* name, F f, bool allow_bool_and_string) {
  return Stateless([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* a, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* b, ctx.input(1));
    ADS_RETURN_IF_ERROR(SameTypes(name, *a, *b));
    auto body = [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      ADS_ASSIGN_OR_RETURN(Tensor z, (Broadcast2<T, bool>(*a, *b, DataType::kBool, f)));
      ctx.set_output(0, std::move(z));
      return OkStatus();
    };
    if (allow_bool_and_string && a->dtype() == DataType::kBool) return body(Tag<bool>{});
    if (allow_bool_and_string && a->dtype() == DataType::kString) return body(Tag<std::string>{});
    return DispatchNumeric(a->dtype(), name, body);
  });
}

template <typename F>
KernelFactory LogicalKernel(const char* name, F f) {
  return Stateless([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* a, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* b, ctx.input(1));
    if (a->dtype() != DataType::kBool || b->dtype() != DataType::kBool) {
      return InvalidArgumentError(std::string(name) + " needs bool inputs");
    }
    ADS_ASSIGN_OR_RETURN(Tensor z, (Broadcast2<bool, bool>(*a, *b, DataType::kBool, f)));
    ctx.set_output(0, std::move(z));
    return OkStatus();
  });
}

// Max, Min, Sum, Mean over any number of broadcastable inputs.
KernelFactory VariadicKernel(const char* name) {
  const std::string op = name;
  return Stateless([op](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* first, ctx.input(0));
    return DispatchNumeric(first->dtype(), op, [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      Tensor acc = first->Clone();
      for (size_t i = 1; i < ctx.num_inputs(); ++i) {
        ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(i));
        ADS_RETURN_IF_ERROR(SameTypes(op, acc, *x));
        ADS_ASSIGN_OR_RETURN(acc, (Broadcast2<T, T>(acc, *x, acc.dtype(), [&](T a, T b) -> T {
                               if (op == "Max") {
                                 if constexpr (std::is_floating_point_v<T>) {
                                   if (std::isnan(a) || std::isnan(b)) return a + b;
                                 }
                                 return a > b ? a : b;
                               }
                               if (op == "Min") {
                                 if constexpr (std::is_floating_point_v<T>) {
                                   if (std::isnan(a) || std::isnan(b)) return a + b;
                                 }
                                 return a < b ? a : b;
                               }
                               return static_cast<T>(a + b);
                             })));
      }
      if (op == "Mean") {
        T* p = acc.mutable_data<T>();
        const T n = static_cast<T>(ctx.num_inputs());
        for (int64_t i = 0; i < acc.size(); ++i) p[i] = static_cast<T>(p[i] / n);
      }
      ctx.set_output(0, std::move(acc));
      return OkStatus();
    });
  });
}

Status RunWhere(KernelContext& ctx) {
  ADS_ASSIGN_OR_RETURN(const Tensor* c, ctx.input(0));
  ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(1));
  ADS_ASSIGN_OR_RETURN(const Tensor* y, ctx.input(2));
  if (c->dtype() != DataType::kBool) return InvalidArgumentError("Where condition must be bool");
  ADS_RETURN_IF_ERROR(SameTypes("Where", *x, *y));
  ADS_ASSIGN_OR_RETURN(Shape s1, BroadcastShapes(c->shape(), x->shape()));
  ADS_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(s1, y->shape()));
  return DispatchAny(x->dtype(), "Where", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    Tensor z(x->dtype(), shape);
    const bool* pc = c->data<bool>();
    const T* px = x->data<T>();
    const T* py = y->data<T>();
    T* pz = z.mutable_data<T>();
    ForEachBroadcast(shape, {c->shape(), x->shape(), y->shape()},
                     [&](int64_t i, const int64_t* o) { pz[i] = pc[o[0]] ? px[o[1]] : py[o[2]]; });
    ctx.set_output(0, std::move(z));
    return OkStatus();
  });
}

Status RunPow(KernelContext& ctx) {
  ADS_ASSIGN_OR_RETURN(const Tensor* a, ctx.input(0));
  ADS_ASSIGN_OR_RETURN(const Tensor* b, ctx.input(1));
  ADS_ASSIGN_OR_RETURN(std::vector<double> exps, ToDoubleVector(*b, "Pow exponent"));
  Tensor e = Tensor::FromVector<double>(b->shape(), exps);
  return DispatchSignedNumeric(a->dtype(), "Pow", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    ADS_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(a->shape(), b->shape()));
    Tensor z(a->dtype(), shape);
    const T* pa = a->data<T>();
    const double* pe = e.data<double>();
    T* pz = z.mutable_data<T>();
    ForEachBroadcast(shape, {a->shape(), b->shape()}, [&](int64_t i, const int64_t* o) {
      pz[i] = static_cast<T>(std::pow(static_cast<double>(pa[o[0]]), pe[o[1]]));
    });
    ctx.set_output(0, std::move(z));
    return OkStatus();
  });
}

KernelFactory ClipKernel(bool bounds_as_inputs) {
  return [bounds_as_inputs](const KernelInfo& info) -> Result<std::unique_ptr<Kernel>> {
    ADS_ASSIGN_OR_RETURN(float amin, info.GetFloat("min", -std::numeric_limits<float>::max()));
    ADS_ASSIGN_OR_RETURN(float amax, info.GetFloat("max", std::numeric_limits<float>::max()));
    return MakeKernel([=](KernelContext& ctx) -> Status {
      ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
      return DispatchNumeric(x->dtype(), "Clip", [&](auto tag) -> Status {
        using T = typename decltype(tag)::type;
        T lo = std::numeric_limits<T>::lowest();
        T hi = std::numeric_limits<T>::max();
        if constexpr (std::is_floating_point_v<T>) {
          if (!bounds_as_inputs) {
            lo = static_cast<T>(amin);
            hi = static_cast<T>(amax);
          }
        } else if (!bounds_as_inputs) {
          return UnsupportedType("Clip (opset < 11)", x->dtype());
        }
        for (size_t k = 1; bounds_as_inputs && k <= 2; ++k) {
          const Tensor* t = ctx.optional_input(k);
          if (t == nullptr) continue;
          if (t->dtype() != x->dtype() || t->size() != 1) {
            return InvalidArgumentError("Clip min/max must be scalars of the input type");
          }
          (k == 1 ? lo : hi) = t->data<T>()[0];
        }
        ctx.set_output(
            0, MapTensor<T>(*x, x->dtype(), [&](T v) { return v < lo ? lo : (v > hi ? hi : v); }));
        return OkStatus();
      });
    });
  };
}

// Before opset 7 a 1-D slope of C values applies per channel (axis 1).
KernelFactory PReluKernel(bool legacy) {
  return Stateless([legacy](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* slope_in, ctx.input(1));
    Tensor slope = *slope_in;
    if (legacy && slope.rank() == 1 && x->rank() >= 2 && slope.dim(0) == x->dim(1) &&
        slope.dim(0) != 1) {
      Shape s(x->rank() - 1, 1);
      s[0] = slope.dim(0);
      ADS_ASSIGN_OR_RETURN(slope, slope.Reshaped(s));
    }
    ADS_RETURN_IF_ERROR(SameTypes("PRelu", *x, slope));
    return DispatchSignedNumeric(x->dtype(), "PRelu", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      ADS_ASSIGN_OR_RETURN(Tensor z, (Broadcast2<T, T>(*x, slope, x->dtype(), [](T a, T b) {
                             return static_cast<T>(a < 0 ? a * b : a);
                           })));
      ctx.set_output(0, std::move(z));
      return OkStatus();
    });
  });
}

template <typename T>
T RoundHalfEven(T x) {
  return std::nearbyint(x);
}

void RegisterFloatUnary(KernelRegistry& r) {
  auto reg = [&](const char* op, int64_t since, KernelFactory f) {
    r.Register({"ai.onnx", op, since}, std::move(f));
  };
  reg("Exp", 6, FloatUnary("Exp", [](auto x) { return std::exp(x); }));
  reg("Log", 6, FloatUnary("Log", [](auto x) { return std::log(x); }));
  reg("Sqrt", 6, FloatUnary("Sqrt", [](auto x) { return std::sqrt(x); }));
  reg("Erf", 9, FloatUnary("Erf", [](auto x) { return std::erf(x); }));
  reg("Tanh", 6, FloatUnary("Tanh", [](auto x) { return std::tanh(x); }));
  reg("Sigmoid", 6, FloatUnary("Sigmoid", [](auto x) {
        using T = decltype(x);
        return x >= 0 ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x));
      }));
  reg("Reciprocal", 6, FloatUnary("Reciprocal", [](auto x) { return decltype(x)(1) / x; }));
  reg("Floor", 6, FloatUnary("Floor", [](auto x) { return std::floor(x); }));
  reg("Ceil", 6, FloatUnary("Ceil", [](auto x) { return std::ceil(x); }));
  reg("Round", 11, FloatUnary("Round", [](auto x) { return RoundHalfEven(x); }));
  reg("Sin", 7, FloatUnary("Sin", [](auto x) { return std::sin(x); }));
  reg("Cos", 7, FloatUnary("Cos", [](auto x) { return std::cos(x); }));
  reg("Tan", 7, FloatUnary("Tan", [](auto x) { return std::tan(x); }));
  reg("Asin", 7, FloatUnary("Asin", [](auto x) { return std::asin(x); }));
  reg("Acos", 7, FloatUnary("Acos", [](auto x) { return std::acos(x); }));
  reg("Atan", 7, FloatUnary("Atan", [](auto x) { return std::atan(x); }));
  reg("Sinh", 9, FloatUnary("Sinh", [](auto x) { return std::sinh(x); }));
  reg("Cosh", 9, FloatUnary("Cosh", [](auto x) { return std::cosh(x); }));
  reg("Asinh", 9, FloatUnary("Asinh", [](auto x) { return std::asinh(x); }));
  reg("Acosh", 9, FloatUnary("Acosh", [](auto x) { return std::acosh(x); }));
  reg("Atanh", 9, FloatUnary("Atanh", [](auto x) { return std::atanh(x); }));
  reg("Softplus", 1, FloatUnary("Softplus", [](auto x) {
        return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
      }));
  reg("Softsign", 1, FloatUnary("Softsign", [](auto x) { return x / (1 + std::abs(x)); }));
  reg("HardSwish", 14, FloatUnary("HardSwish", [](auto x) {
        using T = decltype(x);
        return x * std::max(T(0), std::min(T(1), x / T(6) + T(0.5)));
      }));
}

// Float activations with float attributes: y = f(x, a, b).
template <typename F>
KernelFactory FloatActivation(const char* op, const char* a_name, float a_default,
                              const char* b_name, float b_default, F f) {
  return [=](const KernelInfo& info) -> Result<std::unique_ptr<Kernel>> {
    ADS_ASSIGN_OR_RETURN(float a, info.GetFloat(a_name, a_default));
    ADS_ASSIGN_OR_RETURN(float b, info.GetFloat(b_name, b_default));
    return MakeKernel([=](KernelContext& ctx) {
      return MapSame(ctx, op, kFloatTypes, [&](auto x) {
        using T = decltype(x);
        return f(x, static_cast<T>(a), static_cast<T>(b));
      });
    });
  };
}

void RegisterActivations(KernelRegistry& r) {
  r.Register({"ai.onnx", "LeakyRelu", 6},
             FloatActivation("LeakyRelu", "alpha", 0.01f, "", 0,
                             [](auto x, auto a, auto) { return x < 0 ? x * a : x; }));
  r.Register({"ai.onnx", "Elu", 6},
             FloatActivation("Elu", "alpha", 1.0f, "", 0, [](auto x, auto a, auto) {
               return x < 0 ? a * (std::exp(x) - 1) : x;
             }));
  r.Register({"ai.onnx", "Celu", 12},
             FloatActivation("Celu", "alpha", 1.0f, "", 0, [](auto x, auto a, auto) {
               using T = decltype(x);
               return std::max(T(0), x) + std::min(T(0), a * (std::exp(x / a) - 1));
             }));
  r.Register({"ai.onnx", "Selu", 6},
             FloatActivation("Selu", "alpha", 1.67326319217681884765625f, "gamma",
                             1.05070102214813232421875f, [](auto x, auto a, auto g) {
                               return x <= 0 ? g * (a * std::exp(x) - a) : g * x;
                             }));
  r.Register(
      {"ai.onnx", "HardSigmoid", 6},
      FloatActivation("HardSigmoid", "alpha", 0.2f, "beta", 0.5f, [](auto x, auto a, auto b) {
        using T = decltype(x);
        return std::max(T(0), std::min(T(1), a * x + b));
      }));
  r.Register({"ai.onnx", "ThresholdedRelu", 10},
             FloatActivation("ThresholdedRelu", "alpha", 1.0f, "", 0,
                             [](auto x, auto a, auto) { return x > a ? x : decltype(x)(0); }));
  r.Register({"ai.onnx", "Shrink", 9},
             FloatActivation("Shrink", "lambd", 0.5f, "bias", 0.0f, [](auto x, auto l, auto b) {
               using T = decltype(x);
               return x < -l ? x + b : (x > l ? x - b : T(0));
             }));
}

void RegisterSignedUnary(KernelRegistry& r) {
  r.Register({"ai.onnx", "Neg", 6}, Stateless([](KernelContext& ctx) {
               return MapSame(ctx, "Neg", kSignedTypes, [](auto x) { return -x; });
             }));
  r.Register({"ai.onnx", "Relu", 6}, Stateless([](KernelContext& ctx) {
               return MapSame(ctx, "Relu", kSignedTypes,
                              [](auto x) { return x > 0 ? x : decltype(x)(0); });
             }));
  r.Register({"ai.onnx", "Abs", 6}, Stateless([](KernelContext& ctx) {
               return MapSame(ctx, "Abs", kNumericTypes, [](auto x) {
                 if constexpr (std::is_signed_v<decltype(x)>)
                   return x < 0 ? -x : x;
                 else
                   return x;
               });
             }));
  r.Register({"ai.onnx", "Sign", 9}, Stateless([](KernelContext& ctx) {
               return MapSame(ctx, "Sign", kNumericTypes, [](auto x) {
                 using T = decltype(x);
                 return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0));
               });
             }));
  r.Register({"ai.onnx", "Not", 1}, Stateless([](KernelContext& ctx) -> Status {
               ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
               if (x->dtype() != DataType::kBool) return UnsupportedType("Not", x->dtype());
               ctx.set_output(0, MapTensor<bool>(*x, DataType::kBool, [](bool v) { return !v; }));
               return OkStatus();
             }));
  r.Register({"ai.onnx", "IsNaN", 9}, Stateless([](KernelContext& ctx) -> Status {
               ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
               return DispatchFloat(x->dtype(), "IsNaN", [&](auto tag) -> Status {
                 using T = typename decltype(tag)::type;
                 ctx.set_output(0, MapTensor<T>(*x, DataType::kBool,
                                                [](T v) -> bool { return std::isnan(v); }));
                 return OkStatus();
               });
             }));
  r.Register({"ai.onnx", "IsInf", 10},
             [](const KernelInfo& info) -> Result<std::unique_ptr<Kernel>> {
               ADS_ASSIGN_OR_RETURN(int64_t neg, info.GetInt("detect_negative", 1));
               ADS_ASSIGN_OR_RETURN(int64_t pos, info.GetInt("detect_positive", 1));
               return MakeKernel([neg, pos](KernelContext& ctx) -> Status {
                 ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
                 return DispatchFloat(x->dtype(), "IsInf", [&](auto tag) -> Status {
                   using T = typename decltype(tag)::type;
                   ctx.set_output(0, MapTensor<T>(*x, DataType::kBool, [&](T v) -> bool {
                                    return std::isinf(v) && ((v > 0 && pos) || (v < 0 && neg));
                                  }));
                   return OkStatus();
                 });
               });
             });
}

}  // namespace

void RegisterElementwiseKernels(KernelRegistry& r) {
  RegisterFloatUnary(r);
  RegisterActivations(r);
  RegisterSignedUnary(r);
  r.Register({"ai.onnx", "Add", 1}, ArithKernel("Add", Arith::kAdd, true));
  r.Register({"ai.onnx", "Sub", 1}, ArithKernel("Sub", Arith::kSub, true));
  r.Register({"ai.onnx", "Mul", 1}, ArithKernel("Mul", Arith::kMul, true));
  r.Register({"ai.onnx", "Div", 1}, ArithKernel("Div", Arith::kDiv, true));
  r.Register({"ai.onnx", "Add", 7}, ArithKernel("Add", Arith::kAdd));
  r.Register({"ai.onnx", "Sub", 7}, ArithKernel("Sub", Arith::kSub));
  r.Register({"ai.onnx", "Mul", 7}, ArithKernel("Mul", Arith::kMul));
  r.Register({"ai.onnx", "Div", 7}, ArithKernel("Div", Arith::kDiv));
  r.Register({"ai.onnx", "Mod", 10}, ArithKernel("Mod", Arith::kMod));
  r.Register({"ai.onnx", "Pow", 1}, Stateless(RunPow));
  r.Register({"ai.onnx", "PRelu", 6}, PReluKernel(true));
  r.Register({"ai.onnx", "PRelu", 7}, PReluKernel(false));
  r.Register({"ai.onnx", "Equal", 7},
             CompareKernel(
                 "Equal", [](const auto& a, const auto& b) { return a == b; }, true));
  r.Register({"ai.onnx", "Less", 7}, CompareKernel(
                                         "Less", [](auto a, auto b) { return a < b; }, false));
  r.Register({"ai.onnx", "Greater", 7},
             CompareKernel(
                 "Greater", [](auto a, auto b) { return a > b; }, false));
  r.Register({"ai.onnx", "LessOrEqual", 12},
             CompareKernel(
                 "LessOrEqual", [](auto a, auto b) { return a <= b; }, false));
  r.Register({"ai.onnx", "GreaterOrEqual", 12},
             CompareKernel(
                 "GreaterOrEqual", [](auto a, auto b) { return a >= b; }, false));
  r.Register({"ai.onnx", "And", 7}, LogicalKernel("And", [](bool a, bool b) { return a && b; }));
  r.Register({"ai.onnx", "Or", 7}, LogicalKernel("Or", [](bool a, bool b) { return a || b; }));
  r.Register({"ai.onnx", "Xor", 7}, LogicalKernel("Xor", [](bool a, bool b) { return a != b; }));
  for (const char* op : {"Max", "Min", "Sum", "Mean"}) {
    r.Register({"ai.onnx", op, 6}, VariadicKernel(op));
  }
  r.Register({"ai.onnx", "Where", 9}, Stateless(RunWhere));
  r.Register({"ai.onnx", "Clip", 6}, ClipKernel(false));
  r.Register({"ai.onnx", "Clip", 11}, ClipKernel(true));
}

}  // namespace ads::engine::kernels
