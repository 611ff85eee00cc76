// Parsed form of the ai.onnx.ml TreeEnsembleRegressor / TreeEnsembleClassifier
// attributes (versions 1 and 3), shared by the reference kernels (ml_tree.cc)
// and the fast kernels (fast_tree.cc) so both read a model the same way and
// finish each row (base values, labels, post transform) with the same code.
//
//   ADS_ASSIGN_OR_RETURN(TreeRegressorSpec spec, ParseTreeRegressor(info));
//   std::vector<double> s(spec.n_targets);  std::vector<bool> has(...);
//   ... sum the reached leaves' weights into s ...
//   spec.Finalize(s, has);   // s is now the output row
//
// Thread-safety: specs are immutable after parsing; Finalize is const.
#ifndef ADS_ENGINE_KERNELS_ML_TREE_H_
#define ADS_ENGINE_KERNELS_ML_TREE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/kernel.h"
#include "engine/kernels/ml_common.h"

namespace ads::engine::kernels {

enum class TreeMode : uint8_t { kLeq, kLt, kGte, kGt, kEq, kNeq, kLeaf };
enum class TreeAggregate { kSum, kAverage, kMin, kMax };

struct TreeNode {
  int64_t feature = 0;
  double threshold = 0;
  int32_t true_child = -1;
  int32_t false_child = -1;
  TreeMode mode = TreeMode::kLeaf;
  bool missing_true = false;
  std::vector<std::pair<int64_t, double>> weights;  // (output index, weight)
};

// The validated trees: ids resolved to indices, every tree acyclic with one
// root, children and weight targets in range.
struct TreeEnsemble {
  std::vector<TreeNode> nodes;
  std::vector<int32_t> roots;  // one per tree, in tree-id order
  int64_t n_outputs = 0;
  int64_t max_feature = -1;
};

// Builds the ensemble; `prefix` is "target" or "class".
Result<TreeEnsemble> BuildTreeEnsemble(const KernelInfo& info, const std::string& prefix,
                                       int64_t n_outputs);
// An error when the trees read a feature beyond `cols`.
Status CheckTreeFeatures(const TreeEnsemble& e, int64_t cols);

struct TreeRegressorSpec {
  int64_t n_targets = 1;
  TreeAggregate agg = TreeAggregate::kSum;
  PostTransform post = PostTransform::kNone;
  std::vector<double> base;
  TreeEnsemble trees;

  // Turns aggregated scores (`has[j]`: some leaf voted for j) into the output
  // row, in place: AVERAGE division is the caller's, base values and the post
  // transform are applied here, as onnxruntime applies them.
  void Finalize(std::vector<double>& s, const std::vector<bool>& has) const;
};
Result<TreeRegressorSpec> ParseTreeRegressor(const KernelInfo& info);

struct TreeClassifierSpec {
  ClassLabels labels;
  PostTransform post = PostTransform::kNone;
  std::vector<double> base;
  TreeEnsemble trees;
  bool binary_case = false;  // two labels, votes for one class only
  bool all_positive = true;  // every class weight >= 0

  // Adds base values, picks the label index (returned) and applies the post
  // transform, leaving the probability row in `s` (size n_classes).
  int64_t Finalize(std::vector<double>& s, std::vector<bool>& has) const;
};
Result<TreeClassifierSpec> ParseTreeClassifier(const KernelInfo& info);

}  // namespace ads::engine::kernels

#endif  // ADS_ENGINE_KERNELS_ML_TREE_H_
