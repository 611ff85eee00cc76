// Shape rules for ai.onnx's shape-moving operators (Reshape, Concat,
// Gather, Squeeze, ...) and the ops that make shapes (Shape, Constant,
// ConstantOfShape). These also carry the values of small integer tensors,
// so that a Reshape fed by Shape -> Gather -> Concat still gets a shape.
#include <algorithm>

#include "engine/shape_rules.h"

namespace ads::engine::shape_internal {
namespace {

constexpr size_t kMaxTrackedInts = 64;

bool IsIntType(DataType t) { return t == DataType::kInt64 || t == DataType::kInt32; }

void SetInts(RuleContext& ctx, size_t out, std::vector<int64_t> values) {
  if (out >= ctx.output_count() || values.size() > kMaxTrackedInts) return;
  ctx.output(out).has_ints = true;
  ctx.output(out).ints = std::move(values);
}

// A shape given as tracked ints: unknown elements become unknown dims.
Dims DimsFromInts(const std::vector<int64_t>& values) {
  Dims d(values.size());
  for (size_t i = 0; i < values.size(); ++i) d[i] = values[i] < 0 ? kUnknownDim : values[i];
  return d;
}

Status IdentityRule(RuleContext& ctx) {
  if (const Info* in = ctx.input(0)) ctx.output(0) = *in;
  return OkStatus();
}

Status CastRule(RuleContext& ctx) {
  const Attribute* to = ctx.node().FindAttribute("to");
  // Cast-1 named the type as a string; later opsets use the enum.
  const DataType type = to != nullptr && to->type == AttributeType::kInt
                            ? static_cast<DataType>(to->i)
                            : DataType::kUndefined;
  ctx.SetLike(0, 0, type);
  if (type == DataType::kUndefined) ctx.output(0).type.elem_type = DataType::kUndefined;
  if (IsIntType(type) && IsIntType(ctx.elem(0)) && ctx.ints(0)) SetInts(ctx, 0, *ctx.ints(0));
  return OkStatus();
}

Status CastLikeRule(RuleContext& ctx) {
  ctx.SetLike(0, 0, ctx.elem(1));
  if (ctx.elem(1) == DataType::kUndefined) ctx.output(0).type.elem_type = DataType::kUndefined;
  return OkStatus();
}

Status ConstantRule(RuleContext& ctx) {
  const Node& n = ctx.node();
  if (const Attribute* a = n.FindAttribute("value"); a && a->type == AttributeType::kTensor) {
    const Tensor& t = a->t;
    ctx.SetTensor(0, t.dtype(), t.shape());
    if (t.rank() <= 1 && t.size() <= static_cast<int64_t>(kMaxTrackedInts)) {
      if (t.dtype() == DataType::kInt64) {
        SetInts(ctx, 0, std::vector<int64_t>(t.data<int64_t>(), t.data<int64_t>() + t.size()));
      } else if (t.dtype() == DataType::kInt32) {
        SetInts(ctx, 0, std::vector<int64_t>(t.data<int32_t>(), t.data<int32_t>() + t.size()));
      }
    }
  } else if (n.FindAttribute("value_float") != nullptr) {
    ctx.SetTensor(0, DataType::kFloat, {});
  } else if (const Attribute* fs = n.FindAttribute("value_floats")) {
    ctx.SetTensor(0, DataType::kFloat, {static_cast<int64_t>(fs->floats.size())});
  } else if (const Attribute* i = n.FindAttribute("value_int")) {
    ctx.SetTensor(0, DataType::kInt64, {});
    SetInts(ctx, 0, {i->i});
  } else if (const Attribute* is = n.FindAttribute("value_ints")) {
    ctx.SetTensor(0, DataType::kInt64, {static_cast<int64_t>(is->ints.size())});
    SetInts(ctx, 0, is->ints);
  } else if (n.FindAttribute("value_string") != nullptr) {
    ctx.SetTensor(0, DataType::kString, {});
  } else if (const Attribute* ss = n.FindAttribute("value_strings")) {
    ctx.SetTensor(0, DataType::kString, {static_cast<int64_t>(ss->strings.size())});
  }
  return OkStatus();
}

Status ConstantOfShapeRule(RuleContext& ctx) {
  const Attribute* value = ctx.node().FindAttribute("value");
  const DataType type = value != nullptr && value->type == AttributeType::kTensor
                            ? value->t.dtype()
                            : DataType::kFloat;
  if (const auto* shape = ctx.ints(0)) {
    ctx.SetTensor(0, type, DimsFromInts(*shape));
  } else if (const Dims* d = ctx.dims(0); d && d->size() == 1 && (*d)[0] >= 0 &&
                                          (*d)[0] <= static_cast<int64_t>(kMaxTrackedInts)) {
    ctx.SetTensorOfRank(0, type, static_cast<size_t>((*d)[0]));
  } else {
    ctx.SetTensorNoShape(0, type);
  }
  return OkStatus();
}

Status ShapeRule(RuleContext& ctx) {
  const Dims* x = ctx.dims(0);
  if (x == nullptr) {
    ctx.SetTensorOfRank(0, DataType::kInt64, 1);
    return OkStatus();
  }
  const int64_t rank = static_cast<int64_t>(x->size());
  int64_t start = 0, end = rank;
  if (ctx.opset() >= 15) {
    start = std::clamp<int64_t>(ctx.Int("start", 0), -rank, rank);
    end = std::clamp<int64_t>(ctx.Int("end", rank), -rank, rank);
    if (start < 0) start += rank;
    if (end < 0) end += rank;
  }
  std::vector<int64_t> values;
  for (int64_t i = start; i < end; ++i) {
    values.push_back((*x)[i] < 0 ? kUnknownInt : (*x)[i]);
  }
  ctx.SetTensor(0, DataType::kInt64, {static_cast<int64_t>(values.size())});
  SetInts(ctx, 0, std::move(values));
  return OkStatus();
}

Status SizeRule(RuleContext& ctx) {
  ctx.SetTensor(0, DataType::kInt64, {});
  return OkStatus();
}

Status ReshapeRule(RuleContext& ctx) {
  const DataType type = ctx.elem(0);
  const std::vector<int64_t>* shape = ctx.opset() < 5 ? ctx.Ints("shape") : ctx.ints(1);
  if (shape == nullptr) {
    const Dims* s = ctx.opset() < 5 ? nullptr : ctx.dims(1);
    if (s != nullptr && s->size() == 1 && (*s)[0] >= 0 &&
        (*s)[0] <= static_cast<int64_t>(kMaxTrackedInts)) {
      ctx.SetTensorOfRank(0, type, static_cast<size_t>((*s)[0]));
    } else {
      ctx.SetTensorNoShape(0, type);
    }
    return OkStatus();
  }
  const Dims* x = ctx.dims(0);
  const bool allow_zero = ctx.opset() >= 14 && ctx.Int("allowzero", 0) != 0;
  Dims out(shape->size(), kUnknownDim);
  int infer_at = -1;
  bool all_known = true;
  for (size_t i = 0; i < shape->size(); ++i) {
    const int64_t s = (*shape)[i];
    if (s == kUnknownInt) {
      all_known = false;
    } else if (s == -1) {
      if (infer_at >= 0) return ctx.Error("the shape " + DimsString(*shape) + " has two -1 dims");
      infer_at = static_cast<int>(i);
    } else if (s < -1) {
      return ctx.Error("the shape has an invalid dim " + std::to_string(s));
    } else if (s == 0 && !allow_zero) {
      out[i] = x != nullptr && i < x->size() ? (*x)[i] : kUnknownDim;
      all_known = all_known && out[i] >= 0;
    } else {
      out[i] = s;
    }
  }
  int64_t in_count = 1;
  for (size_t i = 0; x != nullptr && i < x->size(); ++i) in_count = MulDims(in_count, (*x)[i]);
  if (x == nullptr) in_count = kUnknownDim;
  int64_t known_count = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (static_cast<int>(i) != infer_at) known_count = MulDims(known_count, out[i]);
  }
  if (all_known && in_count >= 0 && known_count >= 0) {
    const std::string what = "cannot reshape " + DimsString(*x) + " (" +
                             std::to_string(in_count) + " elements) to " + DimsString(*shape);
    if (infer_at < 0 && known_count != in_count) return ctx.Error(what);
    if (infer_at >= 0 && known_count > 0) {
      if (in_count % known_count != 0) return ctx.Error(what);
      out[infer_at] = in_count / known_count;
    }
  }
  ctx.SetTensor(0, type, std::move(out));
  return OkStatus();
}

Status FlattenRule(RuleContext& ctx) {
  const Dims* x = ctx.dims(0);
  if (x == nullptr) {
    ctx.SetTensorOfRank(0, ctx.elem(0), 2);
    return OkStatus();
  }
  const int64_t rank = static_cast<int64_t>(x->size());
  int64_t axis = ctx.Int("axis", 1);
  if (axis < -rank || axis > rank) {
    return ctx.Error("axis " + std::to_string(axis) + " is out of range for rank " +
                     std::to_string(rank));
  }
  if (axis < 0) axis += rank;
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < rank; ++i) {
    (i < axis ? outer : inner) = MulDims(i < axis ? outer : inner, (*x)[i]);
  }
  ctx.SetTensor(0, ctx.elem(0), {outer, inner});
  return OkStatus();
}

Status TransposeRule(RuleContext& ctx) {
  const Dims* x = ctx.dims(0);
  if (x == nullptr) {
    const auto* perm = ctx.Ints("perm");
    if (perm) {
      ctx.SetTensorOfRank(0, ctx.elem(0), perm->size());
    } else {
      ctx.SetTensorNoShape(0, ctx.elem(0));
    }
    return OkStatus();
  }
  std::vector<int64_t> perm(x->size());
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int64_t>(perm.size() - 1 - i);
  if (const auto* given = ctx.Ints("perm")) perm = *given;
  if (perm.size() != x->size()) {
    return ctx.Error("perm " + DimsString(perm) + " does not fit the input " + DimsString(*x));
  }
  std::vector<bool> seen(perm.size(), false);
  Dims out;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(perm.size()) || seen[p]) {
      return ctx.Error("perm " + DimsString(perm) + " is not a permutation of the input's axes");
    }
    seen[p] = true;
    out.push_back((*x)[p]);
  }
  ctx.SetTensor(0, ctx.elem(0), std::move(out));
  return OkStatus();
}

Status ConcatRule(RuleContext& ctx) {
  DataType type = DataType::kUndefined;
  const Dims* first = nullptr;
  size_t first_index = 0;
  for (size_t i = 0; i < ctx.input_count(); ++i) {
    if (ctx.elem(i) != DataType::kUndefined) {
      if (type == DataType::kUndefined) type = ctx.elem(i);
      if (ctx.elem(i) != type) {
        return ctx.Error("input " + std::to_string(i) + " is " +
                         std::string(DataTypeName(ctx.elem(i))) + ", earlier inputs are " +
                         std::string(DataTypeName(type)));
      }
    }
    const Dims* d = ctx.dims(i);
    if (d == nullptr) continue;
    if (first == nullptr) {
      first = d;
      first_index = i;
    } else if (d->size() != first->size()) {
      return ctx.Error("inputs must have one rank: input " + std::to_string(first_index) +
                       " is " + DimsString(*first) + ", input " + std::to_string(i) + " is " +
                       DimsString(*d));
    }
  }
  if (first == nullptr) {
    ctx.SetTensorNoShape(0, type);
    return OkStatus();
  }
  const int64_t rank = static_cast<int64_t>(first->size());
  if (rank == 0) return ctx.Error("cannot concatenate scalars");
  ADS_ASSIGN_OR_RETURN(int64_t axis, ctx.Axis(ctx.Int("axis", 0), rank, "axis"));
  Dims out(first->size(), kUnknownDim);
  int64_t sum = 0;
  bool all_inputs_known = true;
  for (size_t i = 0; i < ctx.input_count(); ++i) {
    const Dims* d = ctx.dims(i);
    if (d == nullptr) {
      all_inputs_known = all_inputs_known && !ctx.has_input(i);
      continue;
    }
    for (int64_t k = 0; k < rank; ++k) {
      const int64_t dk = (*d)[k];
      if (k == axis) {
        sum = dk < 0 || sum < 0 ? kUnknownDim : sum + dk;
      } else if (out[k] < 0) {
        out[k] = dk;
      } else if (dk >= 0 && dk != out[k]) {
        return ctx.Error("input " + std::to_string(i) + " " + DimsString(*d) +
                         " differs from the other inputs in dim " + std::to_string(k) +
                         " (concatenating along axis " + std::to_string(axis) + ")");
      }
    }
  }
  out[axis] = all_inputs_known ? sum : kUnknownDim;
  ctx.SetTensor(0, type, out);
  // Concatenated shape vectors (Shape -> Concat -> Reshape).
  if (rank == 1) {
    std::vector<int64_t> values;
    for (size_t i = 0; i < ctx.input_count(); ++i) {
      const auto* v = ctx.ints(i);
      if (v == nullptr) return OkStatus();
      values.insert(values.end(), v->begin(), v->end());
    }
    SetInts(ctx, 0, std::move(values));
  }
  return OkStatus();
}

// Squeeze/Unsqueeze axes: an attribute before opset 13, an input from it.
std::optional<std::vector<int64_t>> AxesOf(const RuleContext& ctx) {
  if (ctx.opset() < 13) {
    if (const auto* a = ctx.Ints("axes")) return *a;
    return std::vector<int64_t>();
  }
  if (!ctx.has_input(1)) return std::vector<int64_t>();
  if (const auto* a = ctx.ints(1);
      a != nullptr && std::count(a->begin(), a->end(), kUnknownInt) == 0) {
    return *a;
  }
  return std::nullopt;
}

Status SqueezeRule(RuleContext& ctx) {
  const Dims* x = ctx.dims(0);
  const auto axes = AxesOf(ctx);
  if (x == nullptr || !axes) {
    ctx.SetTensorNoShape(0, ctx.elem(0));
    return OkStatus();
  }
  const int64_t rank = static_cast<int64_t>(x->size());
  std::vector<bool> drop(x->size(), false);
  if (axes->empty()) {
    for (size_t i = 0; i < x->size(); ++i) {
      if ((*x)[i] < 0) {
        ctx.SetTensorNoShape(0, ctx.elem(0));
        return OkStatus();
      }
      drop[i] = (*x)[i] == 1;
    }
  }
  for (int64_t a : *axes) {
    ADS_ASSIGN_OR_RETURN(int64_t axis, ctx.Axis(a, rank, "axis"));
    if ((*x)[axis] >= 0 && (*x)[axis] != 1) {
      return ctx.Error("cannot squeeze axis " + std::to_string(a) + " of " + DimsString(*x) +
                       ": its size is not 1");
    }
    drop[axis] = true;
  }
  Dims out;
  for (size_t i = 0; i < x->size(); ++i) {
    if (!drop[i]) out.push_back((*x)[i]);
  }
  ctx.SetTensor(0, ctx.elem(0), std::move(out));
  if (const auto* v = ctx.ints(0)) SetInts(ctx, 0, *v);
  return OkStatus();
}

Status UnsqueezeRule(RuleContext& ctx) {
  const Dims* x = ctx.dims(0);
  const auto axes = AxesOf(ctx);
  if (x == nullptr || !axes) {
    ctx.SetTensorNoShape(0, ctx.elem(0));
    return OkStatus();
  }
  const int64_t out_rank = static_cast<int64_t>(x->size() + axes->size());
  std::vector<bool> inserted(static_cast<size_t>(out_rank), false);
  for (int64_t a : *axes) {
    ADS_ASSIGN_OR_RETURN(int64_t axis, ctx.Axis(a, out_rank, "axis"));
    if (inserted[axis]) return ctx.Error("axis " + std::to_string(a) + " is given twice");
    inserted[axis] = true;
  }
  Dims out;
  size_t next = 0;
  for (int64_t i = 0; i < out_rank; ++i) out.push_back(inserted[i] ? 1 : (*x)[next++]);
  ctx.SetTensor(0, ctx.elem(0), std::move(out));
  if (const auto* v = ctx.ints(0)) SetInts(ctx, 0, *v);
  return OkStatus();
}

Status GatherRule(RuleContext& ctx) {
  const Dims* data = ctx.dims(0);
  const Dims* indices = ctx.dims(1);
  if (data == nullptr || indices == nullptr) {
    ctx.SetTensorNoShape(0, ctx.elem(0));
    return OkStatus();
  }
  const int64_t rank = static_cast<int64_t>(data->size());
  if (rank == 0) return ctx.Error("data must have rank 1 or more");
  ADS_ASSIGN_OR_RETURN(int64_t axis, ctx.Axis(ctx.Int("axis", 0), rank, "axis"));
  Dims out(data->begin(), data->begin() + axis);
  out.insert(out.end(), indices->begin(), indices->end());
  out.insert(out.end(), data->begin() + axis + 1, data->end());
  ctx.SetTensor(0, ctx.elem(0), std::move(out));
  // Picking dims out of a tracked shape vector.
  const auto* values = ctx.ints(0);
  const auto* picks = ctx.ints(1);
  if (values != nullptr && picks != nullptr && rank == 1 && indices->size() <= 1) {
    std::vector<int64_t> picked;
    const int64_t n = static_cast<int64_t>(values->size());
    for (int64_t p : *picks) {
      if (p == kUnknownInt || p < -n || p >= n) return OkStatus();
      picked.push_back((*values)[p < 0 ? p + n : p]);
    }
    SetInts(ctx, 0, std::move(picked));
  }
  return OkStatus();
}

Status GatherElementsRule(RuleContext& ctx) {
  ctx.SetLike(0, 1, ctx.elem(0));
  if (ctx.elem(0) == DataType::kUndefined) ctx.output(0).type.elem_type = DataType::kUndefined;
  return OkStatus();
}

Status ExpandRule(RuleContext& ctx) {
  const Dims* x = ctx.dims(0);
  const auto* shape = ctx.ints(1);
  if (x != nullptr && shape != nullptr) {
    ADS_ASSIGN_OR_RETURN(Dims out, Broadcast(ctx, *x, DimsFromInts(*shape)));
    ctx.SetTensor(0, ctx.elem(0), std::move(out));
  } else {
    ctx.SetTensorNoShape(0, ctx.elem(0));
  }
  return OkStatus();
}

Status TileRule(RuleContext& ctx) {
  const Dims* x = ctx.dims(0);
  const auto* repeats = ctx.ints(1);
  if (x == nullptr) {
    ctx.SetTensorNoShape(0, ctx.elem(0));
    return OkStatus();
  }
  Dims out(x->size(), kUnknownDim);
  if (repeats != nullptr && repeats->size() == x->size()) {
    for (size_t i = 0; i < out.size(); ++i) out[i] = MulDims((*x)[i], (*repeats)[i]);
  }
  ctx.SetTensor(0, ctx.elem(0), std::move(out));
  return OkStatus();
}

// One axis of Slice: the number of elements from `start` to `end` by `step`.
int64_t SliceLength(int64_t dim, int64_t start, int64_t end, int64_t step) {
  if (dim < 0 || start == kUnknownInt || end == kUnknownInt || step == kUnknownInt ||
      step == 0) {
    return kUnknownDim;
  }
  if (start < 0) start = start < -dim ? 0 : start + dim;
  if (end < 0) end = end < -dim ? -1 : end + dim;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    return end <= start ? 0 : (end - start - 1) / step + 1;
  }
  start = std::clamp<int64_t>(start, -1, dim - 1);
  end = std::clamp<int64_t>(end, -1, dim - 1);
  if (step == std::numeric_limits<int64_t>::min()) return kUnknownDim;
  return start <= end ? 0 : (start - end - 1) / -step + 1;
}

Status SliceRule(RuleContext& ctx) {
  const Dims* x = ctx.dims(0);
  if (x == nullptr) {
    ctx.SetTensorNoShape(0, ctx.elem(0));
    return OkStatus();
  }
  const bool attrs = ctx.opset() < 10;
  const auto* starts = attrs ? ctx.Ints("starts") : ctx.ints(1);
  const auto* ends = attrs ? ctx.Ints("ends") : ctx.ints(2);
  const auto* axes = attrs ? ctx.Ints("axes") : ctx.ints(3);
  const auto* steps = attrs ? nullptr : ctx.ints(4);
  const bool axes_given = attrs ? axes != nullptr : ctx.has_input(3);
  const bool steps_given = !attrs && ctx.has_input(4);
  const int64_t rank = static_cast<int64_t>(x->size());
  Dims out = *x;
  const bool known = starts && ends && starts->size() == ends->size() &&
                     (!axes_given || (axes && axes->size() == starts->size())) &&
                     (!steps_given || (steps && steps->size() == starts->size()));
  if (!known) {
    // Which axes are sliced is unknown unless the axes are.
    if (!axes_given || axes == nullptr) {
      std::fill(out.begin(), out.end(), kUnknownDim);
    } else {
      for (int64_t a : *axes) {
        if (a != kUnknownInt && a >= -rank && a < rank) out[a < 0 ? a + rank : a] = kUnknownDim;
        else std::fill(out.begin(), out.end(), kUnknownDim);
      }
    }
    ctx.SetTensor(0, ctx.elem(0), std::move(out));
    return OkStatus();
  }
  for (size_t i = 0; i < starts->size(); ++i) {
    int64_t a = axes_given ? (*axes)[i] : static_cast<int64_t>(i);
    if (a == kUnknownInt || a < -rank || a >= rank) {
      std::fill(out.begin(), out.end(), kUnknownDim);
      break;
    }
    if (a < 0) a += rank;
    out[a] = SliceLength((*x)[a], (*starts)[i], (*ends)[i], steps_given ? (*steps)[i] : 1);
  }
  ctx.SetTensor(0, ctx.elem(0), std::move(out));
  return OkStatus();
}

Status SplitRule(RuleContext& ctx) {
  const Dims* x = ctx.dims(0);
  const size_t n = ctx.output_count();
  if (x == nullptr || x->empty()) {
    for (size_t o = 0; o < n; ++o) ctx.SetLike(o, 0);
    return OkStatus();
  }
  ADS_ASSIGN_OR_RETURN(int64_t axis,
                       ctx.Axis(ctx.Int("axis", 0), static_cast<int64_t>(x->size()), "axis"));
  const auto* split = ctx.opset() < 13 ? ctx.Ints("split") : ctx.ints(1);
  const int64_t dim = (*x)[axis];
  for (size_t o = 0; o < n; ++o) {
    Dims out = *x;
    if (split != nullptr && split->size() == n) {
      out[axis] = (*split)[o] == kUnknownInt ? kUnknownDim : (*split)[o];
    } else if ((split == nullptr && !ctx.has_input(1)) && dim >= 0 && n > 0 &&
               dim % static_cast<int64_t>(n) == 0) {
      out[axis] = dim / static_cast<int64_t>(n);
    } else {
      out[axis] = kUnknownDim;
    }
    ctx.SetTensor(o, ctx.elem(0), std::move(out));
  }
  return OkStatus();
}

// Same rank and type as input 0, dims not worked out (Pad, Resize, ...).
Status SameRank(RuleContext& ctx) {
  if (const Dims* x = ctx.dims(0)) {
    ctx.SetTensorOfRank(0, ctx.elem(0), x->size());
  } else {
    ctx.SetTensorNoShape(0, ctx.elem(0));
  }
  return OkStatus();
}

Status NonZeroRule(RuleContext& ctx) {
  const Dims* x = ctx.dims(0);
  ctx.SetTensor(0, DataType::kInt64,
                {x ? static_cast<int64_t>(x->size()) : kUnknownDim, kUnknownDim});
  return OkStatus();
}

Status RangeRule(RuleContext& ctx) {
  ctx.SetTensorOfRank(0, ctx.FirstType({0, 1, 2}), 1);
  return OkStatus();
}

}  // namespace

void AddShapeRules(RuleTable& rules) {
  auto add = [&](std::initializer_list<const char*> ops, Rule rule) {
    for (const char* op : ops) rules[std::string("ai.onnx::") + op] = rule;
  };
  add({"Identity"}, IdentityRule);
  add({"Cast"}, CastRule);
  add({"CastLike"}, CastLikeRule);
  add({"Constant"}, ConstantRule);
  add({"ConstantOfShape"}, ConstantOfShapeRule);
  add({"Shape"}, ShapeRule);
  add({"Size"}, SizeRule);
  add({"Reshape"}, ReshapeRule);
  add({"Flatten"}, FlattenRule);
  add({"Transpose"}, TransposeRule);
  add({"Concat"}, ConcatRule);
  add({"Squeeze"}, SqueezeRule);
  add({"Unsqueeze"}, UnsqueezeRule);
  add({"Gather"}, GatherRule);
  add({"GatherElements"}, GatherElementsRule);
  add({"Expand"}, ExpandRule);
  add({"Tile"}, TileRule);
  add({"Slice"}, SliceRule);
  add({"Split"}, SplitRule);
  add({"Pad", "Resize", "Upsample", "DepthToSpace", "SpaceToDepth"}, SameRank);
  add({"NonZero"}, NonZeroRule);
  add({"Range"}, RangeRule);
}

}  // namespace ads::engine::shape_internal
