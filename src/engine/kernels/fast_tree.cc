// FastTreeEnsemble (see fast_tree.h): building the compact layout and walking
// it. The kernels that use it are in fast_tree_kernels.cc.
#include "engine/kernels/fast_tree.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ads::engine::kernels {

namespace {

constexpr int kGenericMode = -1;
constexpr int kLanes = 8;

// For a mode, which outcomes of comparing v with the threshold send a row to
// the true child: bit 0 v < t, bit 1 v == t, bit 2 v > t, bit 3 unordered
// (NaN). NEQ is "not equal", which NaN is. Leaves take no branch.
constexpr uint8_t kModeMask[8] = {1 | 2,      // kLeq
                                  1,          // kLt
                                  4 | 2,      // kGte
                                  4,          // kGt
                                  2,          // kEq
                                  1 | 4 | 8,  // kNeq
                                  0,          // kLeaf
                                  0};

template <typename T, int kMode>
inline bool GoesTrue(T v, T t, uint8_t mode) {
  if constexpr (kMode == static_cast<int>(TreeMode::kLeq)) return v <= t;
  if constexpr (kMode == static_cast<int>(TreeMode::kLt)) return v < t;
  if constexpr (kMode == static_cast<int>(TreeMode::kGte)) return v >= t;
  if constexpr (kMode == static_cast<int>(TreeMode::kGt)) return v > t;
  // Mixed modes: branch-free lookup instead of a switch per node.
  const unsigned outcome = static_cast<unsigned>(v < t) | static_cast<unsigned>(v == t) << 1 |
                           static_cast<unsigned>(v > t) << 2 | static_cast<unsigned>(v != v) << 3;
  return (kModeMask[mode & 7] & outcome) != 0;
}

// One step of one lane. A leaf's NaN threshold fails every comparison and
// its children index is itself, so a leaf stays put without a test.
template <typename T, int kMode, bool kMissing>
inline int32_t Step(const FastTreeNode* nodes, int32_t i, const T* row) {
  const FastTreeNode& n = nodes[i];
  const T v = row[n.feature];
  bool go_true = GoesTrue<T, kMode>(v, static_cast<T>(n.threshold), n.mode);
  if constexpr (kMissing) go_true = go_true | ((n.missing_true != 0) & (v != v));
  return n.children + static_cast<int32_t>(go_true);
}

// Advances kLanes lanes `depth` steps, which brings every lane to its leaf.
// (Checking whether all lanes have arrived costs about as much as the steps
// it would save on the converters' near-balanced trees.)
template <typename T, int kMode, bool kMissing>
inline void Walk(const FastTreeNode* nodes, int32_t* idx, const T* const* rows, int32_t depth) {
  for (int32_t d = 0; d < depth; ++d) {
    for (int k = 0; k < kLanes; ++k) idx[k] = Step<T, kMode, kMissing>(nodes, idx[k], rows[k]);
  }
}

// Lays out one tree of `e` from `root`: each internal node's children as an
// adjacent (false, true) pair, pairs placed depth first down the false side.
// Returns the tree's depth, or an error for what the compact layout cannot
// hold exactly.
Result<int32_t> LayOutTree(const TreeEnsemble& e, int32_t root, std::vector<FastTreeNode>& out,
                           std::vector<int32_t>& first_weight, std::vector<int32_t>& w_out,
                           std::vector<double>& w_value) {
  struct Pending {
    int32_t node;  // in e.nodes
    int32_t pos;   // its slot in `out`
    int32_t depth;
  };
  std::vector<Pending> stack{{root, static_cast<int32_t>(out.size()), 0}};
  out.emplace_back();
  first_weight.push_back(0);
  int32_t depth = 0;
  while (!stack.empty()) {
    const Pending p = stack.back();
    stack.pop_back();
    const TreeNode& t = e.nodes[p.node];
    FastTreeNode n;
    n.mode = static_cast<uint8_t>(t.mode);
    if (t.mode == TreeMode::kLeaf) {
      if (t.weights.size() > std::numeric_limits<uint16_t>::max()) {
        return UnimplementedError("fast trees: a leaf has too many weights");
      }
      n.threshold = std::numeric_limits<float>::quiet_NaN();
      n.children = p.pos;
      n.n_weights = static_cast<uint16_t>(t.weights.size());
      first_weight[p.pos] = static_cast<int32_t>(w_value.size());
      for (const auto& [j, w] : t.weights) {
        w_out.push_back(static_cast<int32_t>(j));
        w_value.push_back(w);
      }
      depth = std::max(depth, p.depth);
    } else {
      n.threshold = static_cast<float>(t.threshold);
      const bool exact = static_cast<double>(n.threshold) == t.threshold ||
                         (std::isnan(t.threshold) && std::isnan(n.threshold));
      if (!exact) return UnimplementedError("fast trees: a threshold is not a float32 value");
      n.feature = static_cast<int32_t>(t.feature);
      n.missing_true = t.missing_true ? 1 : 0;
      n.children = static_cast<int32_t>(out.size());
      out.emplace_back();
      out.emplace_back();
      first_weight.push_back(0);
      first_weight.push_back(0);
      // Pushed last, popped first: the false child's pair comes next.
      stack.push_back({t.true_child, n.children + 1, p.depth + 1});
      stack.push_back({t.false_child, n.children, p.depth + 1});
    }
    out[p.pos] = n;
  }
  return depth;
}

// Whether output j gets a vote on every row: some tree has j in all leaves.
void ComputeVotes(const TreeEnsemble& e, std::vector<uint8_t>& always, bool& constant) {
  const size_t n_out = static_cast<size_t>(e.n_outputs);
  std::vector<uint8_t> any(n_out, 0);
  always.assign(n_out, 0);
  std::vector<int64_t> count(n_out, 0);
  std::vector<int64_t> seen_in_leaf(n_out, -1);
  for (int32_t root : e.roots) {
    std::fill(count.begin(), count.end(), 0);
    int64_t leaves = 0;
    std::vector<int32_t> stack{root};
    while (!stack.empty()) {
      const TreeNode& n = e.nodes[stack.back()];
      const int64_t id = stack.back();
      stack.pop_back();
      if (n.mode != TreeMode::kLeaf) {
        stack.push_back(n.true_child);
        stack.push_back(n.false_child);
        continue;
      }
      ++leaves;
      for (const auto& [j, w] : n.weights) {
        any[j] = 1;
        if (seen_in_leaf[j] != id) ++count[j];  // a leaf may list j twice
        seen_in_leaf[j] = id;
      }
    }
    for (size_t j = 0; j < n_out; ++j) always[j] |= count[j] == leaves ? 1 : 0;
  }
  constant = true;
  for (size_t j = 0; j < n_out; ++j) constant = constant && (always[j] || !any[j]);
}

}  // namespace

Result<FastTreeEnsemble> FastTreeEnsemble::Build(const TreeEnsemble& e, TreeAggregate agg) {
  if (e.nodes.size() >= static_cast<size_t>(std::numeric_limits<int32_t>::max() / 2) ||
      e.max_feature >= std::numeric_limits<int32_t>::max()) {
    return UnimplementedError("fast trees: the ensemble is too large for 32-bit indices");
  }
  FastTreeEnsemble f;
  f.n_outputs_ = e.n_outputs;
  f.max_feature_ = e.max_feature;
  f.agg_ = agg;
  f.nodes_.reserve(e.nodes.size());
  for (int32_t root : e.roots) {
    f.roots_.push_back(static_cast<int32_t>(f.nodes_.size()));
    ADS_ASSIGN_OR_RETURN(int32_t depth, LayOutTree(e, root, f.nodes_, f.first_weight_,
                                                   f.weight_output_, f.weight_value_));
    f.depths_.push_back(depth);
    f.steps_per_row_ += depth;
  }
  // One branch mode everywhere (sklearn: LEQ, XGBoost: LT) selects a walk
  // with the comparison compiled in; mixed modes use the lookup.
  bool first = true;
  bool mixed = false;
  int mode = static_cast<int>(TreeMode::kLeq);
  for (const TreeNode& n : e.nodes) {
    if (n.mode == TreeMode::kLeaf) continue;
    if (first) mode = static_cast<int>(n.mode);
    mixed = mixed || static_cast<int>(n.mode) != mode;
    first = false;
    f.has_missing_ = f.has_missing_ || n.missing_true;
  }
  f.same_mode_ = mixed ? kGenericMode : mode;
  ComputeVotes(e, f.votes_, f.votes_constant_);
  // Dense leaves: every leaf lists each output once, in order 0..n-1 (the
  // converters' forests and boosters), so a leaf's weight for output j is at
  // its first weight + j.
  f.dense_leaves_ = true;
  for (const TreeNode& n : e.nodes) {
    if (n.mode != TreeMode::kLeaf) continue;
    bool dense = n.weights.size() == static_cast<size_t>(e.n_outputs);
    for (size_t j = 0; dense && j < n.weights.size(); ++j) {
      dense = n.weights[j].first == static_cast<int64_t>(j);
    }
    f.dense_leaves_ = f.dense_leaves_ && dense;
  }
  return f;
}

double FastTreeEnsemble::InitialScore() const {
  if (agg_ == TreeAggregate::kMin) return std::numeric_limits<double>::infinity();
  if (agg_ == TreeAggregate::kMax) return -std::numeric_limits<double>::infinity();
  return 0.0;
}

inline void FastTreeEnsemble::AddLeaf(int32_t leaf, double* scores, uint8_t* has) const {
  const int32_t begin = first_weight_[leaf];
  const int32_t end = begin + nodes_[leaf].n_weights;
  const int32_t* out = weight_output_.data();
  const double* value = weight_value_.data();
  // Same expressions as the reference's sum and std::min/std::max.
  switch (agg_) {
    case TreeAggregate::kMin:
      for (int32_t w = begin; w < end; ++w) {
        scores[out[w]] = value[w] < scores[out[w]] ? value[w] : scores[out[w]];
      }
      break;
    case TreeAggregate::kMax:
      for (int32_t w = begin; w < end; ++w) {
        scores[out[w]] = scores[out[w]] < value[w] ? value[w] : scores[out[w]];
      }
      break;
    default:
      for (int32_t w = begin; w < end; ++w) scores[out[w]] += value[w];
      break;
  }
  if (has) {
    for (int32_t w = begin; w < end; ++w) has[out[w]] = 1;
  }
}

inline void FastTreeEnsemble::AddLeaves(const int32_t* leaves, size_t n, double* scores,
                                        uint8_t* has) const {
  if (!dense_leaves_ || agg_ == TreeAggregate::kMin || agg_ == TreeAggregate::kMax) {
    for (size_t k = 0; k < n; ++k) AddLeaf(leaves[k], scores, has);
    return;
  }
  // Output by output, each sum kept in a register across the lanes: the same
  // additions in the same (tree) order as AddLeaf, without a store and
  // reload between them.
  const double* value = weight_value_.data();
  for (int64_t j = 0; j < n_outputs_; ++j) {
    double s = scores[j];
    for (size_t k = 0; k < n; ++k) s += value[first_weight_[leaves[k]] + j];
    scores[j] = s;
    if (has && n > 0) has[j] = 1;
  }
}

void FastTreeEnsemble::Finish(double* scores, const uint8_t* has) const {
  if (agg_ == TreeAggregate::kAverage) {
    for (int64_t j = 0; j < n_outputs_; ++j) scores[j] /= static_cast<double>(roots_.size());
  } else if (agg_ == TreeAggregate::kMin || agg_ == TreeAggregate::kMax) {
    for (int64_t j = 0; j < n_outputs_; ++j) {
      if (!(has ? has[j] : votes_[j])) scores[j] = 0;
    }
  }
}

template <typename T, int kMode, bool kMissing>
void FastTreeEnsemble::AccumulateAs(const T* x, int64_t cols, int64_t rows, size_t tree_begin,
                                    size_t tree_end, double* scores, uint8_t* has) const {
  const FastTreeNode* nodes = nodes_.data();
  int32_t idx[kLanes];
  const T* lane_rows[kLanes];
  if (rows >= kLanes / 2) {
    // Trees outer, rows inner: one tree stays in cache for the whole block.
    for (size_t t = tree_begin; t < tree_end; ++t) {
      for (int64_t r0 = 0; r0 < rows; r0 += kLanes) {
        const int64_t n = std::min<int64_t>(kLanes, rows - r0);
        for (int k = 0; k < kLanes; ++k) {
          idx[k] = roots_[t];
          lane_rows[k] = x + (r0 + std::min<int64_t>(k, n - 1)) * cols;
        }
        Walk<T, kMode, kMissing>(nodes, idx, lane_rows, depths_[t]);
        for (int64_t k = 0; k < n; ++k) {
          const int64_t o = (r0 + k) * n_outputs_;
          AddLeaf(idx[k], scores + o, has ? has + o : nullptr);
        }
      }
    }
    return;
  }
  // Few rows: the lanes are trees of one row (leaves added in tree order).
  for (int64_t r = 0; r < rows; ++r) {
    double* s = scores + r * n_outputs_;
    uint8_t* h = has ? has + r * n_outputs_ : nullptr;
    for (int k = 0; k < kLanes; ++k) lane_rows[k] = x + r * cols;
    for (size_t t0 = tree_begin; t0 < tree_end; t0 += kLanes) {
      const size_t n = std::min<size_t>(kLanes, tree_end - t0);
      int32_t depth = 0;
      for (size_t k = 0; k < kLanes; ++k) {
        const size_t t = t0 + std::min(k, n - 1);
        idx[k] = roots_[t];
        depth = std::max(depth, depths_[t]);
      }
      Walk<T, kMode, kMissing>(nodes, idx, lane_rows, depth);
      AddLeaves(idx, n, s, h);
    }
  }
}

template <typename T>
void FastTreeEnsemble::Accumulate(const T* x, int64_t cols, int64_t rows, size_t tree_begin,
                                  size_t tree_end, double* scores, uint8_t* has) const {
  constexpr int kLeq = static_cast<int>(TreeMode::kLeq);
  constexpr int kLt = static_cast<int>(TreeMode::kLt);
  constexpr int kGte = static_cast<int>(TreeMode::kGte);
  constexpr int kGt = static_cast<int>(TreeMode::kGt);
  auto run = [&](auto mode, auto missing) {
    AccumulateAs<T, decltype(mode)::value, decltype(missing)::value>(x, cols, rows, tree_begin,
                                                                     tree_end, scores, has);
  };
  auto with_missing = [&](auto mode) {
    if (has_missing_)
      run(mode, std::true_type{});
    else
      run(mode, std::false_type{});
  };
  switch (same_mode_) {
    case kLeq:
      with_missing(std::integral_constant<int, kLeq>{});
      break;
    case kLt:
      with_missing(std::integral_constant<int, kLt>{});
      break;
    case kGte:
      with_missing(std::integral_constant<int, kGte>{});
      break;
    case kGt:
      with_missing(std::integral_constant<int, kGt>{});
      break;
    default:
      with_missing(std::integral_constant<int, kGenericMode>{});
      break;
  }
}

template <typename T>
void FastTreeEnsemble::AccumulateSliced(const T* x, int64_t cols, int64_t rows, ThreadPool& pool,
                                        double* scores, uint8_t* has) const {
  const size_t slices = std::min<size_t>(std::max(pool.threads(), 1), roots_.size());
  const size_t per = (roots_.size() + slices - 1) / slices;
  const size_t n = static_cast<size_t>(rows * n_outputs_);
  std::vector<std::vector<double>> part(slices);
  std::vector<std::vector<uint8_t>> part_has(slices);
  pool.ParallelFor(static_cast<int64_t>(slices), 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      part[c].assign(n, InitialScore());
      part_has[c].assign(has ? n : 0, 0);
      const size_t t0 = std::min(roots_.size(), c * per);
      const size_t t1 = std::min(roots_.size(), t0 + per);
      Accumulate(x, cols, rows, t0, t1, part[c].data(), has ? part_has[c].data() : nullptr);
    }
  });
  for (size_t c = 0; c < slices; ++c) {
    for (size_t i = 0; i < n; ++i) {
      const double v = part[c][i];
      if (agg_ == TreeAggregate::kMin)
        scores[i] = v < scores[i] ? v : scores[i];
      else if (agg_ == TreeAggregate::kMax)
        scores[i] = scores[i] < v ? v : scores[i];
      else
        scores[i] += v;
      if (has) has[i] |= part_has[c][i];
    }
  }
}

template void FastTreeEnsemble::Accumulate<float>(const float*, int64_t, int64_t, size_t, size_t,
                                                  double*, uint8_t*) const;
template void FastTreeEnsemble::Accumulate<double>(const double*, int64_t, int64_t, size_t, size_t,
                                                   double*, uint8_t*) const;
template void FastTreeEnsemble::AccumulateSliced<float>(const float*, int64_t, int64_t, ThreadPool&,
                                                        double*, uint8_t*) const;
template void FastTreeEnsemble::AccumulateSliced<double>(const double*, int64_t, int64_t,
                                                         ThreadPool&, double*, uint8_t*) const;

}  // namespace ads::engine::kernels
