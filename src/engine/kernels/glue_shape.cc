// Reference kernels that reshape or rearrange elements: Reshape, Flatten,
// Squeeze, Unsqueeze, Concat, Split, Transpose, Gather, GatherElements,
// Slice, Expand, Tile.
//
// Most of them compute, for each output element, the index of the input
// element it copies, then move elements with one type-generic loop.
#include <algorithm>
#include <limits>
#include <set>

#include "engine/kernels/kernel_util.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

// out[i] = x[src[i]] for any element type.
Result<Tensor> Take(const Tensor& x, const Shape& shape, const std::vector<int64_t>& src) {
  ADS_ASSIGN_OR_RETURN(Tensor y, Tensor::Make(x.dtype(), shape));
  ADS_RETURN_IF_ERROR(DispatchAny(x.dtype(), "copy", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    const T* a = x.data<T>();
    T* b = y.mutable_data<T>();
    for (size_t i = 0; i < src.size(); ++i) b[i] = a[src[i]];
    return OkStatus();
  }));
  return y;
}

// Calls f(out_linear, multi_index) over `shape` in row-major order.
template <typename F>
void ForEachIndex(const Shape& shape, F&& f) {
  const int64_t n = ElementCount(shape);
  std::vector<int64_t> idx(shape.size(), 0);
  for (int64_t i = 0; i < n; ++i) {
    f(i, idx);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

// Axes from an attribute (old opsets) or from input `input_index` (new).
Result<std::vector<int64_t>> AxesFrom(const KernelContext& ctx, size_t input_index,
                                      const std::vector<int64_t>& attr, bool from_input) {
  if (!from_input) return attr;
  const Tensor* t = ctx.optional_input(input_index);
  if (t == nullptr) return std::vector<int64_t>{};
  return ToInt64Vector(*t, "axes");
}

Result<std::unique_ptr<Kernel>> MakeReshape(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(int64_t allowzero, info.GetInt("allowzero", 0));
  return MakeKernel([allowzero](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* s, ctx.input(1));
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> shape, ToInt64Vector(*s, "Reshape shape"));
    int infer = -1;
    int64_t known = 1;
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] == 0 && !allowzero) {
        if (i >= x->rank()) return InvalidArgumentError("Reshape copies a dim the input lacks");
        shape[i] = x->dim(i);
      }
      if (shape[i] == -1) {
        if (infer >= 0) return InvalidArgumentError("Reshape shape has more than one -1");
        infer = static_cast<int>(i);
      } else if (shape[i] < 0) {
        return InvalidArgumentError("Reshape shape has a negative dim");
      } else {
        if (shape[i] != 0 && known > std::numeric_limits<int64_t>::max() / shape[i]) {
          return InvalidArgumentError("Reshape shape " + ShapeToString(shape) + " is too large");
        }
        known *= shape[i];
      }
    }
    if (infer >= 0) {
      if (known == 0 || x->size() % known != 0) {
        return InvalidArgumentError("cannot reshape " + x->TypeAndShape() + " to " +
                                    ShapeToString(shape));
      }
      shape[infer] = x->size() / known;
    }
    ADS_ASSIGN_OR_RETURN(Tensor y, x->Reshaped(shape));
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

Result<std::unique_ptr<Kernel>> MakeFlatten(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(int64_t axis, info.GetInt("axis", 1));
  return MakeKernel([axis](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    const int64_t rank = static_cast<int64_t>(x->rank());
    const int64_t a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a > rank) return InvalidArgumentError("Flatten axis is out of range");
    int64_t outer = 1;
    for (int64_t i = 0; i < a; ++i) outer *= x->dim(i);
    ADS_ASSIGN_OR_RETURN(Tensor y, x->Reshaped({outer, outer == 0 ? 0 : x->size() / outer}));
    if (outer == 0) {
      int64_t inner = 1;
      for (int64_t i = a; i < rank; ++i) inner *= x->dim(i);
      ADS_ASSIGN_OR_RETURN(y, Tensor::Make(x->dtype(), {0, inner}));
    }
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

KernelFactory SqueezeFactory(bool axes_input) {
  return [axes_input](const KernelInfo& info) -> Result<std::unique_ptr<Kernel>> {
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> attr_axes, info.GetInts("axes"));
    return MakeKernel([=](KernelContext& ctx) -> Status {
      ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
      ADS_ASSIGN_OR_RETURN(std::vector<int64_t> axes, AxesFrom(ctx, 1, attr_axes, axes_input));
      const int64_t rank = static_cast<int64_t>(x->rank());
      std::set<int64_t> drop;
      for (int64_t a : axes) {
        ADS_ASSIGN_OR_RETURN(int64_t n, NormalizeAxis(a, rank, "Squeeze"));
        if (x->dim(n) != 1) return InvalidArgumentError("Squeeze axis has a dim other than 1");
        drop.insert(n);
      }
      Shape shape;
      for (int64_t i = 0; i < rank; ++i) {
        const bool squeeze = axes.empty() ? x->dim(i) == 1 : drop.count(i) > 0;
        if (!squeeze) shape.push_back(x->dim(i));
      }
      ADS_ASSIGN_OR_RETURN(Tensor y, x->Reshaped(shape));
      ctx.set_output(0, std::move(y));
      return OkStatus();
    });
  };
}

KernelFactory UnsqueezeFactory(bool axes_input) {
  return [axes_input](const KernelInfo& info) -> Result<std::unique_ptr<Kernel>> {
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> attr_axes, info.GetInts("axes"));
    return MakeKernel([=](KernelContext& ctx) -> Status {
      ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
      ADS_ASSIGN_OR_RETURN(std::vector<int64_t> axes, AxesFrom(ctx, 1, attr_axes, axes_input));
      const int64_t out_rank = static_cast<int64_t>(x->rank() + axes.size());
      std::set<int64_t> add;
      for (int64_t a : axes) {
        ADS_ASSIGN_OR_RETURN(int64_t n, NormalizeAxis(a, out_rank, "Unsqueeze"));
        if (!add.insert(n).second) return InvalidArgumentError("Unsqueeze axes repeat");
      }
      Shape shape;
      size_t k = 0;
      for (int64_t i = 0; i < out_rank; ++i) shape.push_back(add.count(i) ? 1 : x->dim(k++));
      ADS_ASSIGN_OR_RETURN(Tensor y, x->Reshaped(shape));
      ctx.set_output(0, std::move(y));
      return OkStatus();
    });
  };
}

Result<std::unique_ptr<Kernel>> MakeConcat(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(int64_t axis, info.RequireInt("axis"));
  return MakeKernel([axis](KernelContext& ctx) -> Status {
    std::vector<const Tensor*> parts;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      ADS_ASSIGN_OR_RETURN(const Tensor* t, ctx.input(i));
      parts.push_back(t);
    }
    ADS_ASSIGN_OR_RETURN(Tensor y, ConcatTensors(parts, axis));
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

KernelFactory SplitFactory(bool split_input) {
  return [split_input](const KernelInfo& info) -> Result<std::unique_ptr<Kernel>> {
    ADS_ASSIGN_OR_RETURN(int64_t axis, info.GetInt("axis", 0));
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> attr_split, info.GetInts("split"));
    const size_t outputs = info.num_outputs();
    return MakeKernel([=](KernelContext& ctx) -> Status {
      ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
      ADS_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis, static_cast<int64_t>(x->rank()), "Split"));
      ADS_ASSIGN_OR_RETURN(std::vector<int64_t> split, AxesFrom(ctx, 1, attr_split, split_input));
      const int64_t dim = x->dim(a);
      if (split.empty()) {
        const int64_t n = static_cast<int64_t>(outputs);
        const int64_t chunk = (dim + n - 1) / n;
        for (int64_t i = 0; i < n; ++i) split.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
      }
      int64_t total = 0;
      for (int64_t s : split) total += s;
      if (split.size() != outputs || total != dim) {
        return InvalidArgumentError("Split sizes do not add up to the split dim");
      }
      int64_t begin = 0;
      for (size_t o = 0; o < outputs; ++o) {
        ADS_ASSIGN_OR_RETURN(Tensor y, SliceAxis(*x, a, begin, split[o]));
        ctx.set_output(o, std::move(y));
        begin += split[o];
      }
      return OkStatus();
    });
  };
}

Result<std::unique_ptr<Kernel>> MakeTranspose(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(std::vector<int64_t> perm_attr, info.GetInts("perm"));
  return MakeKernel([perm_attr](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    const size_t rank = x->rank();
    std::vector<int64_t> perm = perm_attr;
    if (perm.empty()) {
      for (size_t i = 0; i < rank; ++i) perm.push_back(static_cast<int64_t>(rank - 1 - i));
    }
    std::vector<bool> seen(rank, false);
    if (perm.size() != rank) return InvalidArgumentError("Transpose perm does not match the rank");
    for (int64_t p : perm) {
      if (p < 0 || p >= static_cast<int64_t>(rank) || seen[p]) {
        return InvalidArgumentError("Transpose perm is not a permutation");
      }
      seen[p] = true;
    }
    Shape shape(rank);
    for (size_t i = 0; i < rank; ++i) shape[i] = x->dim(perm[i]);
    const std::vector<int64_t> strides = Strides(x->shape());
    std::vector<int64_t> src;
    src.reserve(static_cast<size_t>(x->size()));
    ForEachIndex(shape, [&](int64_t, const std::vector<int64_t>& idx) {
      int64_t off = 0;
      for (size_t d = 0; d < rank; ++d) off += idx[d] * strides[perm[d]];
      src.push_back(off);
    });
    ADS_ASSIGN_OR_RETURN(Tensor y, Take(*x, shape, src));
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

Result<std::unique_ptr<Kernel>> MakeGather(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(int64_t axis, info.GetInt("axis", 0));
  return MakeKernel([axis](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* ind, ctx.input(1));
    ADS_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis, static_cast<int64_t>(x->rank()), "Gather"));
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> indices, ToInt64Vector(*ind, "Gather indices"));
    const int64_t dim = x->dim(a);
    for (int64_t& i : indices) {
      if (i < -dim || i >= dim) {
        return InvalidArgumentError("Gather index " + std::to_string(i) + " is out of range");
      }
      if (i < 0) i += dim;
    }
    Shape shape(x->shape().begin(), x->shape().begin() + a);
    shape.insert(shape.end(), ind->shape().begin(), ind->shape().end());
    shape.insert(shape.end(), x->shape().begin() + a + 1, x->shape().end());
    int64_t outer = 1;
    for (int64_t d = 0; d < a; ++d) outer *= x->dim(d);
    int64_t inner = 1;
    for (size_t d = a + 1; d < x->rank(); ++d) inner *= x->dim(d);
    std::vector<int64_t> src;
    src.reserve(static_cast<size_t>(outer * inner) * indices.size());
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i : indices) {
        for (int64_t k = 0; k < inner; ++k) src.push_back((o * dim + i) * inner + k);
      }
    }
    ADS_ASSIGN_OR_RETURN(Tensor y, Take(*x, shape, src));
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

Result<std::unique_ptr<Kernel>> MakeGatherElements(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(int64_t axis, info.GetInt("axis", 0));
  return MakeKernel([axis](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* ind, ctx.input(1));
    ADS_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis, static_cast<int64_t>(x->rank()), "GatherElements"));
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> indices, ToInt64Vector(*ind, "GatherElements indices"));
    if (ind->rank() != x->rank()) return InvalidArgumentError("GatherElements ranks differ");
    const std::vector<int64_t> strides = Strides(x->shape());
    std::vector<int64_t> src;
    Status err;
    ForEachIndex(ind->shape(), [&](int64_t i, const std::vector<int64_t>& idx) {
      int64_t off = 0;
      for (size_t d = 0; d < idx.size(); ++d) {
        int64_t v = static_cast<int64_t>(d) == a ? indices[i] : idx[d];
        if (static_cast<int64_t>(d) == a && v < 0) v += x->dim(d);
        if (v < 0 || v >= x->dim(d)) err = InvalidArgumentError("GatherElements index out of range");
        off += std::clamp<int64_t>(v, 0, std::max<int64_t>(x->dim(d) - 1, 0)) * strides[d];
      }
      src.push_back(off);
    });
    ADS_RETURN_IF_ERROR(err);
    ADS_ASSIGN_OR_RETURN(Tensor y, Take(*x, ind->shape(), src));
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

KernelFactory SliceFactory(bool from_inputs) {
  return [from_inputs](const KernelInfo& info) -> Result<std::unique_ptr<Kernel>> {
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> a_starts, info.GetInts("starts"));
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> a_ends, info.GetInts("ends"));
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> a_axes, info.GetInts("axes"));
    return MakeKernel([=](KernelContext& ctx) -> Status {
      ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
      std::vector<int64_t> starts = a_starts, ends = a_ends, axes = a_axes, steps;
      if (from_inputs) {
        ADS_ASSIGN_OR_RETURN(const Tensor* s, ctx.input(1));
        ADS_ASSIGN_OR_RETURN(const Tensor* e, ctx.input(2));
        ADS_ASSIGN_OR_RETURN(starts, ToInt64Vector(*s, "Slice starts"));
        ADS_ASSIGN_OR_RETURN(ends, ToInt64Vector(*e, "Slice ends"));
        ADS_ASSIGN_OR_RETURN(axes, AxesFrom(ctx, 3, {}, true));
        ADS_ASSIGN_OR_RETURN(steps, AxesFrom(ctx, 4, {}, true));
      }
      const int64_t rank = static_cast<int64_t>(x->rank());
      if (axes.empty()) {
        for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
      }
      if (steps.empty()) steps.assign(starts.size(), 1);
      if (ends.size() != starts.size() || axes.size() != starts.size() ||
          steps.size() != starts.size()) {
        return InvalidArgumentError("Slice starts, ends, axes and steps differ in length");
      }
      std::vector<int64_t> begin(rank, 0), step(rank, 1);
      Shape shape = x->shape();
      for (size_t k = 0; k < starts.size(); ++k) {
        ADS_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axes[k], rank, "Slice"));
        const int64_t dim = x->dim(a), st = steps[k];
        if (st == 0) return InvalidArgumentError("Slice step must not be zero");
        auto fix = [&](int64_t v, int64_t lo, int64_t hi) {
          if (v < 0) v += dim;
          return std::max(lo, std::min(v, hi));
        };
        const int64_t b = st > 0 ? fix(starts[k], 0, dim) : fix(starts[k], 0, dim - 1);
        const int64_t e = st > 0 ? fix(ends[k], 0, dim) : fix(ends[k], -1, dim - 1);
        const int64_t n = st > 0 ? (e - b + st - 1) / st : (b - e + (-st) - 1) / (-st);
        begin[a] = b;
        step[a] = st;
        shape[a] = std::max<int64_t>(n, 0);
      }
      const std::vector<int64_t> strides = Strides(x->shape());
      std::vector<int64_t> src;
      ForEachIndex(shape, [&](int64_t, const std::vector<int64_t>& idx) {
        int64_t off = 0;
        for (int64_t d = 0; d < rank; ++d) off += (begin[d] + idx[d] * step[d]) * strides[d];
        src.push_back(off);
      });
      ADS_ASSIGN_OR_RETURN(Tensor y, Take(*x, shape, src));
      ctx.set_output(0, std::move(y));
      return OkStatus();
    });
  };
}

Status RunExpand(KernelContext& ctx) {
  ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
  ADS_ASSIGN_OR_RETURN(const Tensor* s, ctx.input(1));
  ADS_ASSIGN_OR_RETURN(std::vector<int64_t> dims, ToInt64Vector(*s, "Expand shape"));
  ADS_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(x->shape(), dims));
  if (ElementCount(shape) < 0) {
    return InvalidArgumentError("Expand shape " + ShapeToString(shape) + " is too large");
  }
  std::vector<int64_t> src(static_cast<size_t>(ElementCount(shape)));
  ForEachBroadcast(shape, {x->shape()}, [&](int64_t i, const int64_t* o) { src[i] = o[0]; });
  ADS_ASSIGN_OR_RETURN(Tensor y, Take(*x, shape, src));
  ctx.set_output(0, std::move(y));
  return OkStatus();
}

Status RunTile(KernelContext& ctx) {
  ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
  ADS_ASSIGN_OR_RETURN(const Tensor* r, ctx.input(1));
  ADS_ASSIGN_OR_RETURN(std::vector<int64_t> reps, ToInt64Vector(*r, "Tile repeats"));
  if (reps.size() != x->rank()) return InvalidArgumentError("Tile repeats must match the rank");
  Shape shape = x->shape();
  for (size_t d = 0; d < shape.size(); ++d) {
    if (reps[d] < 0) return InvalidArgumentError("Tile repeats must not be negative");
    if (reps[d] != 0 && shape[d] > std::numeric_limits<int64_t>::max() / reps[d]) {
      return InvalidArgumentError("Tile output is too large");
    }
    shape[d] *= reps[d];
  }
  if (ElementCount(shape) < 0) return InvalidArgumentError("Tile output is too large");
  ADS_RETURN_IF_ERROR(CheckTensorSize(x->dtype(), shape));
  const std::vector<int64_t> strides = Strides(x->shape());
  std::vector<int64_t> src;
  ForEachIndex(shape, [&](int64_t, const std::vector<int64_t>& idx) {
    int64_t off = 0;
    for (size_t d = 0; d < idx.size(); ++d) off += (idx[d] % x->dim(d)) * strides[d];
    src.push_back(off);
  });
  ADS_ASSIGN_OR_RETURN(Tensor y, Take(*x, shape, src));
  ctx.set_output(0, std::move(y));
  return OkStatus();
}

}  // namespace

Result<Tensor> ConcatTensors(const std::vector<const Tensor*>& parts, int64_t axis) {
  if (parts.empty()) return InvalidArgumentError("Concat needs at least one input");
  const Tensor* first = parts[0];
  const int64_t rank = static_cast<int64_t>(first->rank());
  ADS_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis, rank, "Concat"));
  Shape shape = first->shape();
  shape[a] = 0;
  for (const Tensor* t : parts) {
    bool fits = t->dtype() == first->dtype() && t->rank() == first->rank();
    for (int64_t d = 0; fits && d < rank; ++d) fits = d == a || t->dim(d) == first->dim(d);
    if (!fits) {
      return InvalidArgumentError("Concat inputs " + first->TypeAndShape() + " and " +
                                  t->TypeAndShape() + " do not fit together");
    }
    shape[a] += t->dim(a);
  }
  int64_t outer = 1;
  for (int64_t d = 0; d < a; ++d) outer *= shape[d];
  int64_t inner = 1;
  for (int64_t d = a + 1; d < rank; ++d) inner *= shape[d];
  ADS_ASSIGN_OR_RETURN(Tensor y, Tensor::Make(first->dtype(), shape));
  ADS_RETURN_IF_ERROR(DispatchAny(first->dtype(), "Concat", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    T* out = y.mutable_data<T>();
    for (int64_t o = 0; o < outer; ++o) {
      for (const Tensor* t : parts) {
        const int64_t block = t->dim(a) * inner;
        const T* src = t->data<T>() + o * block;
        out = std::copy(src, src + block, out);
      }
    }
    return OkStatus();
  }));
  return y;
}

Result<Tensor> SliceAxis(const Tensor& x, int64_t axis, int64_t begin, int64_t length) {
  if (axis < 0 || axis >= static_cast<int64_t>(x.rank()) || begin < 0 || length < 0 ||
      begin + length > x.dim(axis)) {
    return InvalidArgumentError("slice is out of range");
  }
  Shape shape = x.shape();
  shape[axis] = length;
  const std::vector<int64_t> strides = Strides(x.shape());
  std::vector<int64_t> src;
  ForEachIndex(shape, [&](int64_t, const std::vector<int64_t>& idx) {
    int64_t off = 0;
    for (size_t d = 0; d < idx.size(); ++d) {
      off += (idx[d] + (static_cast<int64_t>(d) == axis ? begin : 0)) * strides[d];
    }
    src.push_back(off);
  });
  return Take(x, shape, src);
}

void RegisterShapeKernels(KernelRegistry& r) {
  r.Register({"ai.onnx", "Reshape", 5}, MakeReshape);
  r.Register({"ai.onnx", "Flatten", 1}, MakeFlatten);
  r.Register({"ai.onnx", "Squeeze", 1}, SqueezeFactory(false));
  r.Register({"ai.onnx", "Squeeze", 13}, SqueezeFactory(true));
  r.Register({"ai.onnx", "Unsqueeze", 1}, UnsqueezeFactory(false));
  r.Register({"ai.onnx", "Unsqueeze", 13}, UnsqueezeFactory(true));
  r.Register({"ai.onnx", "Concat", 4}, MakeConcat);
  r.Register({"ai.onnx", "Split", 2}, SplitFactory(false));
  r.Register({"ai.onnx", "Split", 13}, SplitFactory(true));
  r.Register({"ai.onnx", "Transpose", 1}, MakeTranspose);
  r.Register({"ai.onnx", "Gather", 1}, MakeGather);
  r.Register({"ai.onnx", "GatherElements", 11}, MakeGatherElements);
  r.Register({"ai.onnx", "Slice", 1}, SliceFactory(false));
  r.Register({"ai.onnx", "Slice", 10}, SliceFactory(true));
  r.Register({"ai.onnx", "Expand", 8}, Stateless(RunExpand));
  r.Register({"ai.onnx", "Tile", 6}, Stateless(RunTile));
}

}  // namespace ads::engine::kernels
