// Fast evaluation of tree ensembles (ai.onnx.ml TreeEnsembleRegressor /
// TreeEnsembleClassifier): a compact re-layout of the validated trees of
// ml_tree.h, walked several lanes at a time.
//
//   ADS_ASSIGN_OR_RETURN(TreeRegressorSpec spec, ParseTreeRegressor(info));
//   ADS_ASSIGN_OR_RETURN(FastTreeEnsemble fast,
//                        FastTreeEnsemble::Build(spec.trees, spec.agg));
//   fast.Accumulate(x, cols, rows, 0, fast.n_trees(), scores, has);
//
// Layout: a node's two children are adjacent (false child first, true child
// next), so a step is `next = children + went_true` with no select between
// two indices. Trees are laid out depth first (a node's children pair is
// placed before the pairs of its grandchildren down the false side), and
// consecutive. Nodes are 16 bytes (float threshold, feature, children, mode,
// missing flag, leaf weight count). A leaf's threshold is NaN and its
// children index is its own: every ordered comparison with NaN is false, so
// a leaf steps to itself without a leaf test, which makes extra steps
// harmless. Leaf weights are flattened into two arrays. A walk advances 8
// independent lanes (8 rows of one tree, or 8 trees of one row) for the
// deepest lane's depth, so the CPU overlaps their dependent memory loads.
//
// Numerics equal the reference kernels: float32 inputs compare with float32
// thresholds, double inputs with the same thresholds widened (exact), and
// scores accumulate in double in tree order. Ensembles whose thresholds are not
// float32 values (v3 *_as_tensor doubles) are declined with kUnimplemented, so
// the reference kernel serves them.
//
// Thread-safety: immutable after Build; Accumulate is const and reentrant.
#ifndef ADS_ENGINE_KERNELS_FAST_TREE_H_
#define ADS_ENGINE_KERNELS_FAST_TREE_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "base/status.h"
#include "engine/kernels/ml_tree.h"
#include "engine/thread_pool.h"

namespace ads::engine::kernels {

struct FastTreeNode {
  float threshold = 0;   // NaN for leaves
  int32_t feature = 0;   // 0 for leaves, so a leaf step reads a valid column
  int32_t children = 0;  // the false child; the true child is children + 1. Leaves: themselves
  uint8_t mode = 0;      // TreeMode
  uint8_t missing_true = 0;
  uint16_t n_weights = 0;  // leaves only
};
static_assert(sizeof(FastTreeNode) == 16, "nodes must stay 16 bytes for cache density");

class FastTreeEnsemble {
 public:
  static Result<FastTreeEnsemble> Build(const TreeEnsemble& trees, TreeAggregate agg);

  size_t n_trees() const { return roots_.size(); }
  int64_t n_outputs() const { return n_outputs_; }
  int64_t max_feature() const { return max_feature_; }
  TreeAggregate aggregate() const { return agg_; }
  // Node steps to score one row (sum of tree depths): the cost model for
  // deciding when to use the thread pool.
  int64_t steps_per_row() const { return steps_per_row_; }
  // Whether every output's "some leaf voted" flag is the same for all rows
  // (true for the converters' forests and boosters); then Accumulate needs no
  // `has` array and votes() gives the flags.
  bool votes_are_constant() const { return votes_constant_; }
  const std::vector<uint8_t>& votes() const { return votes_; }

  // The initial score for Accumulate: 0 for SUM/AVERAGE, +inf for MIN, -inf
  // for MAX (a vote replaces it; unvoted outputs become 0 in Finish).
  double InitialScore() const;
  // Aggregates trees [tree_begin, tree_end) over `rows` rows of `x` (row
  // stride `cols`) into scores[rows x n_outputs], initialised by the caller to
  // InitialScore(). `has` [rows x n_outputs] is set to 1 for voted outputs;
  // it may be null when votes_are_constant(). T is float or double.
  template <typename T>
  void Accumulate(const T* x, int64_t cols, int64_t rows, size_t tree_begin, size_t tree_end,
                  double* scores, uint8_t* has) const;
  // As Accumulate over all trees, with the trees split into one slice per
  // pool thread and the partial scores merged in slice order.
  template <typename T>
  void AccumulateSliced(const T* x, int64_t cols, int64_t rows, ThreadPool& pool, double* scores,
                        uint8_t* has) const;
  // Completes one row's aggregation into the reference's form: AVERAGE
  // divides by the tree count, unvoted MIN/MAX outputs become 0.
  void Finish(double* scores, const uint8_t* has) const;

 private:
  template <typename T, int kMode, bool kMissing>
  void AccumulateAs(const T* x, int64_t cols, int64_t rows, size_t tree_begin, size_t tree_end,
                    double* scores, uint8_t* has) const;
  void AddLeaf(int32_t leaf, double* scores, uint8_t* has) const;
  // Adds the leaves reached by n lanes of one row, in lane (= tree) order.
  void AddLeaves(const int32_t* leaves, size_t n, double* scores, uint8_t* has) const;

  std::vector<FastTreeNode> nodes_;
  std::vector<int32_t> first_weight_;  // per node: a leaf's first weight (0 for others)
  std::vector<int32_t> roots_;
  std::vector<int32_t> depths_;  // per tree: longest root-to-leaf path
  std::vector<int32_t> weight_output_;
  std::vector<double> weight_value_;
  std::vector<uint8_t> votes_;
  int64_t n_outputs_ = 0;
  int64_t max_feature_ = -1;
  int64_t steps_per_row_ = 0;
  TreeAggregate agg_ = TreeAggregate::kSum;
  int same_mode_ = -1;  // the one branch mode of all nodes, or -1 when mixed
  bool has_missing_ = false;
  bool votes_constant_ = true;
  bool dense_leaves_ = false;  // every leaf: one weight per output, in output order
};

// Rows per block: trees outer, rows inner, so a tree stays in cache while a
// block runs through it.
inline constexpr int64_t kTreeBlockRows = 128;

struct TreeScoreOptions {
  // Below this many node steps a run stays on the calling thread: waking the
  // pool costs more than it saves (a step is ~1-2 ns, a wake-up ~10-20 us).
  int64_t min_parallel_steps = 1 << 14;
};

// A row's aggregated scores and vote flags, handed to the kernel's finaliser
// in the vectors that the reference's Finalize takes.
struct TreeRowScratch {
  std::vector<double> s;
  std::vector<bool> has;
};

// Scores `rows` rows of `x` and calls row_fn(r, scratch) with each row's
// finished aggregation (FastTreeEnsemble::Finish) loaded into the scratch
// vectors; row_fn may run on several threads at once, for distinct rows.
// With a pool and enough work, row blocks are spread over the threads; when
// there are too few rows to share (batch 1 with many trees), the trees are
// split across the threads instead and the partial scores merged in slice
// order (so sums may differ from the serial order in the last bits).
template <typename T, typename RowFn>
void ScoreTreeRows(const FastTreeEnsemble& f, const T* x, int64_t rows, int64_t cols,
                   ThreadPool* pool, const TreeScoreOptions& options, const RowFn& row_fn) {
  const int64_t n_out = f.n_outputs();
  const bool track = !f.votes_are_constant();
  auto emit = [&](int64_t r, const double* s, const uint8_t* h, TreeRowScratch& scratch) {
    scratch.s.assign(s, s + n_out);
    scratch.has.resize(static_cast<size_t>(n_out));
    for (int64_t j = 0; j < n_out; ++j) scratch.has[j] = (h ? h[j] : f.votes()[j]) != 0;
    row_fn(r, scratch);
  };
  auto blocks = [&](int64_t begin, int64_t end) {
    // Kept per thread so that a run of a few rows allocates nothing here;
    // row_fn never re-enters ScoreTreeRows, so one set per thread suffices.
    thread_local TreeRowScratch scratch;
    thread_local std::vector<double> scores;
    thread_local std::vector<uint8_t> has;
    for (int64_t b = begin; b < end; b += kTreeBlockRows) {
      const int64_t n = std::min(end, b + kTreeBlockRows) - b;
      scores.assign(static_cast<size_t>(n * n_out), f.InitialScore());
      has.assign(track ? static_cast<size_t>(n * n_out) : 0, 0);
      f.Accumulate(x + b * cols, cols, n, 0, f.n_trees(), scores.data(),
                   track ? has.data() : nullptr);
      for (int64_t r = 0; r < n; ++r) {
        double* s = scores.data() + r * n_out;
        const uint8_t* h = track ? has.data() + r * n_out : nullptr;
        f.Finish(s, h);
        emit(b + r, s, h, scratch);
      }
    }
  };
  const int threads = pool ? pool->threads() : 1;
  const int64_t steps = std::max<int64_t>(1, f.steps_per_row());
  if (threads <= 1 || rows * steps < options.min_parallel_steps || f.n_trees() < 2) {
    blocks(0, rows);
    return;
  }
  if (rows >= 16 * threads) {
    const int64_t min_rows = std::max<int64_t>(16, options.min_parallel_steps / steps);
    pool->ParallelFor(rows, min_rows, blocks);
    return;
  }
  // Few rows, much work per row: each thread takes a slice of the trees.
  std::vector<double> s(static_cast<size_t>(rows * n_out), f.InitialScore());
  std::vector<uint8_t> has(track ? s.size() : 0, 0);
  f.AccumulateSliced(x, cols, rows, *pool, s.data(), track ? has.data() : nullptr);
  TreeRowScratch scratch;
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t* h = track ? has.data() + r * n_out : nullptr;
    f.Finish(s.data() + r * n_out, h);
    emit(r, s.data() + r * n_out, h, scratch);
  }
}

}  // namespace ads::engine::kernels

#endif  // ADS_ENGINE_KERNELS_FAST_TREE_H_
