// Reference kernels for ai.onnx.ml TreeEnsembleRegressor and
// TreeEnsembleClassifier (versions 1 and 3), and the attribute parsing they
// share with the fast kernels (ml_tree.h).
//
// The attribute tuples (nodes_*, target_*/class_*) are turned once into a
// flat node array with child indices, validated (ids, children, modes,
// cycles), then evaluated row by row. Thresholds and inputs compare as
// doubles: a float input against float thresholds compares exactly as in
// float, and *_as_tensor double thresholds keep their precision.
#include "engine/kernels/ml_tree.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "base/strings.h"
#include "engine/kernels/kernel_util.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

using Mode = TreeMode;
using Aggregate = TreeAggregate;
using Ensemble = TreeEnsemble;

Result<Mode> ParseMode(const KernelInfo& info, const std::string& s) {
  static const std::map<std::string, Mode> kModes = {
      {"BRANCH_LEQ", Mode::kLeq}, {"BRANCH_LT", Mode::kLt}, {"BRANCH_GTE", Mode::kGte},
      {"BRANCH_GT", Mode::kGt},   {"BRANCH_EQ", Mode::kEq}, {"BRANCH_NEQ", Mode::kNeq},
      {"LEAF", Mode::kLeaf}};
  auto it = kModes.find(s);
  if (it == kModes.end()) return info.Error("unknown tree node mode " + Quoted(s));
  return it->second;
}

// Checks that every tree is acyclic and every node reached at most once.
Status CheckAcyclic(const KernelInfo& info, const Ensemble& e) {
  std::vector<int> seen(e.nodes.size(), 0);
  for (size_t t = 0; t < e.roots.size(); ++t) {
    std::vector<int32_t> stack{e.roots[t]};
    while (!stack.empty()) {
      const int32_t i = stack.back();
      stack.pop_back();
      if (seen[i]++) return info.Error("a tree node is reached twice (the tree has a cycle)");
      const TreeNode& n = e.nodes[i];
      if (n.mode == Mode::kLeaf) continue;
      stack.push_back(n.true_child);
      stack.push_back(n.false_child);
    }
  }
  return OkStatus();
}

// Builds the ensemble; `prefix` is "target" or "class".
Result<Ensemble> BuildEnsemble(const KernelInfo& info, const std::string& prefix,
                               int64_t n_outputs) {
  Ensemble e;
  e.n_outputs = n_outputs;
  ADS_ASSIGN_OR_RETURN(auto tree_ids, info.GetInts("nodes_treeids"));
  ADS_ASSIGN_OR_RETURN(auto node_ids, info.GetInts("nodes_nodeids"));
  ADS_ASSIGN_OR_RETURN(auto features, info.GetInts("nodes_featureids"));
  ADS_ASSIGN_OR_RETURN(auto modes, info.GetStrings("nodes_modes"));
  ADS_ASSIGN_OR_RETURN(auto values, GetDoubles(info, "nodes_values"));
  ADS_ASSIGN_OR_RETURN(auto true_ids, info.GetInts("nodes_truenodeids"));
  ADS_ASSIGN_OR_RETURN(auto false_ids, info.GetInts("nodes_falsenodeids"));
  ADS_ASSIGN_OR_RETURN(auto missing, info.GetInts("nodes_missing_value_tracks_true"));
  const size_t n = node_ids.size();
  if (n == 0) return info.Error("the tree ensemble has no nodes");
  if (tree_ids.size() != n || features.size() != n || modes.size() != n ||
      true_ids.size() != n || false_ids.size() != n || (!values.empty() && values.size() != n) ||
      (!missing.empty() && missing.size() != n)) {
    return info.Error("the nodes_* attributes differ in length");
  }
  std::map<std::pair<int64_t, int64_t>, int32_t> index;
  e.nodes.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (!index.emplace(std::make_pair(tree_ids[i], node_ids[i]), static_cast<int32_t>(i)).second) {
      return info.Error("tree " + std::to_string(tree_ids[i]) + " has node id " +
                        std::to_string(node_ids[i]) + " twice");
    }
    TreeNode& t = e.nodes[i];
    ADS_ASSIGN_OR_RETURN(t.mode, ParseMode(info, modes[i]));
    t.feature = features[i];
    t.threshold = values.empty() ? 0 : values[i];
    t.missing_true = !missing.empty() && missing[i] != 0;
    if (t.mode != Mode::kLeaf) {
      if (t.feature < 0) return info.Error("a tree node has a negative feature id");
      e.max_feature = std::max(e.max_feature, t.feature);
    }
  }
  std::set<int32_t> children;
  for (size_t i = 0; i < n; ++i) {
    TreeNode& t = e.nodes[i];
    if (t.mode == Mode::kLeaf) continue;
    auto tc = index.find({tree_ids[i], true_ids[i]});
    auto fc = index.find({tree_ids[i], false_ids[i]});
    if (tc == index.end() || fc == index.end()) {
      return info.Error("tree " + std::to_string(tree_ids[i]) + " node " +
                        std::to_string(node_ids[i]) + " points to a missing child");
    }
    t.true_child = tc->second;
    t.false_child = fc->second;
    children.insert(t.true_child);
    children.insert(t.false_child);
  }
  std::map<int64_t, int32_t> roots;
  for (size_t i = 0; i < n; ++i) {
    if (children.count(static_cast<int32_t>(i))) continue;
    if (!roots.emplace(tree_ids[i], static_cast<int32_t>(i)).second) {
      return info.Error("tree " + std::to_string(tree_ids[i]) + " has more than one root");
    }
  }
  for (const auto& [tree, root] : roots) e.roots.push_back(root);
  if (roots.size() != std::set<int64_t>(tree_ids.begin(), tree_ids.end()).size()) {
    return info.Error("a tree has no root node");
  }
  ADS_RETURN_IF_ERROR(CheckAcyclic(info, e));
  ADS_ASSIGN_OR_RETURN(auto w_trees, info.GetInts(prefix + "_treeids"));
  ADS_ASSIGN_OR_RETURN(auto w_nodes, info.GetInts(prefix + "_nodeids"));
  ADS_ASSIGN_OR_RETURN(auto w_ids, info.GetInts(prefix + "_ids"));
  ADS_ASSIGN_OR_RETURN(auto w_values, GetDoubles(info, prefix + "_weights"));
  if (w_nodes.size() != w_trees.size() || w_ids.size() != w_trees.size() ||
      w_values.size() != w_trees.size()) {
    return info.Error("the " + prefix + "_* attributes differ in length");
  }
  for (size_t i = 0; i < w_trees.size(); ++i) {
    auto it = index.find({w_trees[i], w_nodes[i]});
    if (it == index.end()) return info.Error(prefix + " weight for a node that does not exist");
    if (w_ids[i] < 0 || w_ids[i] >= n_outputs) {
      return info.Error(prefix + "_ids value " + std::to_string(w_ids[i]) + " is out of range");
    }
    e.nodes[it->second].weights.emplace_back(w_ids[i], w_values[i]);
  }
  return e;
}

const TreeNode& FindLeaf(const Ensemble& e, int32_t root, const FeatureMatrix& x, int64_t row) {
  const TreeNode* n = &e.nodes[root];
  while (n->mode != Mode::kLeaf) {
    const double v = x.at(row, n->feature);
    bool go_true;
    if (std::isnan(v) && n->missing_true) {
      go_true = true;
    } else {
      switch (n->mode) {
        case Mode::kLeq: go_true = v <= n->threshold; break;
        case Mode::kLt: go_true = v < n->threshold; break;
        case Mode::kGte: go_true = v >= n->threshold; break;
        case Mode::kGt: go_true = v > n->threshold; break;
        case Mode::kEq: go_true = v == n->threshold; break;
        default: go_true = v != n->threshold; break;
      }
    }
    n = &e.nodes[go_true ? n->true_child : n->false_child];
  }
  return *n;
}

// Raw aggregated scores of one row; has[j] tells whether any leaf voted for j.
void ScoreRow(const Ensemble& e, Aggregate agg, const FeatureMatrix& x, int64_t row,
              std::vector<double>& score, std::vector<bool>& has) {
  score.assign(static_cast<size_t>(e.n_outputs), 0.0);
  has.assign(static_cast<size_t>(e.n_outputs), false);
  for (int32_t root : e.roots) {
    for (const auto& [j, w] : FindLeaf(e, root, x, row).weights) {
      if (agg == Aggregate::kMin) score[j] = has[j] ? std::min(score[j], w) : w;
      else if (agg == Aggregate::kMax) score[j] = has[j] ? std::max(score[j], w) : w;
      else score[j] += w;
      has[j] = true;
    }
  }
  if (agg == Aggregate::kAverage) {
    for (double& s : score) s /= static_cast<double>(e.roots.size());
  }
}

class TreeRegressor : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> Create(const KernelInfo& info) {
    auto k = std::make_unique<TreeRegressor>();
    ADS_ASSIGN_OR_RETURN(k->spec_, ParseTreeRegressor(info));
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status Run(KernelContext& ctx) const override {
    ADS_ASSIGN_OR_RETURN(const Tensor* xt, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(FeatureMatrix x, ReadFeatures(*xt, "TreeEnsembleRegressor"));
    ADS_RETURN_IF_ERROR(CheckTreeFeatures(spec_.trees, x.cols));
    const int64_t n_targets = spec_.n_targets;
    Tensor y(DataType::kFloat, {x.rows, n_targets});
    float* py = y.mutable_data<float>();
    auto rows = [&](int64_t begin, int64_t end) {
      std::vector<double> s;
      std::vector<bool> has;
      for (int64_t r = begin; r < end; ++r) {
        ScoreRow(spec_.trees, spec_.agg, x, r, s, has);
        spec_.Finalize(s, has);
        for (int64_t j = 0; j < n_targets; ++j) py[r * n_targets + j] = static_cast<float>(s[j]);
      }
    };
    ctx.ParallelFor(x.rows, 16, rows);
    ctx.set_output(0, std::move(y));
    return OkStatus();
  }

 private:
  TreeRegressorSpec spec_;
};

class TreeClassifier : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> Create(const KernelInfo& info) {
    auto k = std::make_unique<TreeClassifier>();
    ADS_ASSIGN_OR_RETURN(k->spec_, ParseTreeClassifier(info));
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status Run(KernelContext& ctx) const override {
    ADS_ASSIGN_OR_RETURN(const Tensor* xt, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(FeatureMatrix x, ReadFeatures(*xt, "TreeEnsembleClassifier"));
    ADS_RETURN_IF_ERROR(CheckTreeFeatures(spec_.trees, x.cols));
    const int64_t n_classes = spec_.trees.n_outputs;
    Tensor z(DataType::kFloat, {x.rows, n_classes});
    std::vector<int64_t> label(static_cast<size_t>(x.rows));
    float* pz = z.mutable_data<float>();
    auto rows = [&](int64_t begin, int64_t end) {
      std::vector<double> s;
      std::vector<bool> has;
      for (int64_t r = begin; r < end; ++r) {
        ScoreRow(spec_.trees, Aggregate::kSum, x, r, s, has);
        label[r] = spec_.Finalize(s, has);
        for (int64_t j = 0; j < n_classes; ++j) {
          pz[r * n_classes + j] = static_cast<float>(j < static_cast<int64_t>(s.size()) ? s[j] : 0);
        }
      }
    };
    ctx.ParallelFor(x.rows, 16, rows);
    ctx.set_output(0, MakeLabelTensor(spec_.labels, label));
    ctx.set_output(1, std::move(z));
    return OkStatus();
  }

 private:
  TreeClassifierSpec spec_;
};

}  // namespace

Result<TreeEnsemble> BuildTreeEnsemble(const KernelInfo& info, const std::string& prefix,
                                       int64_t n_outputs) {
  return BuildEnsemble(info, prefix, n_outputs);
}

Status CheckTreeFeatures(const TreeEnsemble& e, int64_t cols) {
  if (e.max_feature >= cols) {
    return InvalidArgumentError("the trees read feature " + std::to_string(e.max_feature) +
                                " but the input has " + std::to_string(cols) + " columns");
  }
  return OkStatus();
}

Result<TreeRegressorSpec> ParseTreeRegressor(const KernelInfo& info) {
  TreeRegressorSpec k;
  ADS_ASSIGN_OR_RETURN(k.n_targets, info.GetInt("n_targets", 1));
  if (k.n_targets < 1) return info.Error("n_targets must be at least 1");
  ADS_ASSIGN_OR_RETURN(std::string agg, info.GetString("aggregate_function", "SUM"));
  if (agg == "SUM") k.agg = Aggregate::kSum;
  else if (agg == "AVERAGE") k.agg = Aggregate::kAverage;
  else if (agg == "MIN") k.agg = Aggregate::kMin;
  else if (agg == "MAX") k.agg = Aggregate::kMax;
  else return info.Error("unknown aggregate_function " + Quoted(agg));
  ADS_ASSIGN_OR_RETURN(k.post, ParsePostTransform(info));
  ADS_ASSIGN_OR_RETURN(k.base, GetDoubles(info, "base_values"));
  ADS_ASSIGN_OR_RETURN(k.trees, BuildEnsemble(info, "target", k.n_targets));
  return k;
}

// A single target only honours PROBIT; several targets take any transform.
void TreeRegressorSpec::Finalize(std::vector<double>& s, const std::vector<bool>& has) const {
  if (n_targets == 1) {
    const double origin = base.size() == 1 ? base[0] : 0.0;
    s[0] = (has[0] || agg == Aggregate::kSum || agg == Aggregate::kAverage ? s[0] : 0) + origin;
    if (post == PostTransform::kProbit) s[0] = Probit(s[0]);
    return;
  }
  if (base.size() == static_cast<size_t>(n_targets)) {
    for (int64_t j = 0; j < n_targets; ++j) s[j] += base[j];
  }
  ApplyPostTransform(post, s);
}

Result<TreeClassifierSpec> ParseTreeClassifier(const KernelInfo& info) {
  TreeClassifierSpec k;
  ADS_ASSIGN_OR_RETURN(k.labels, ReadClassLabels(info, "classlabels_int64s"));
  const int64_t n_classes = static_cast<int64_t>(k.labels.size());
  if (n_classes == 0) return info.Error("the classifier has no class labels");
  ADS_ASSIGN_OR_RETURN(k.post, ParsePostTransform(info));
  ADS_ASSIGN_OR_RETURN(k.base, GetDoubles(info, "base_values"));
  ADS_ASSIGN_OR_RETURN(k.trees, BuildEnsemble(info, "class", n_classes));
  ADS_ASSIGN_OR_RETURN(auto class_ids, info.GetInts("class_ids"));
  ADS_ASSIGN_OR_RETURN(auto weights, GetDoubles(info, "class_weights"));
  std::set<int64_t> distinct(class_ids.begin(), class_ids.end());
  k.binary_case = n_classes == 2 && distinct.size() == 1;
  k.all_positive = std::all_of(weights.begin(), weights.end(), [](double w) { return w >= 0; });
  return k;
}

// Two labels but votes for one class only (the ONNX spec leaves this case
// open; converters and onnxruntime agree on it): the summed score is the
// positive-class score. With non-negative weights it is a probability and
// the row is [1-s, s]; otherwise it is a margin and the row is [-s, s], or
// [logistic(-s), logistic(s)] under LOGISTIC.
int64_t TreeClassifierSpec::Finalize(std::vector<double>& s, std::vector<bool>& has) const {
  if (binary_case) {
    const size_t voted = has[1] ? 1 : 0;
    double score = s[voted];
    if (base.size() == 1) score += base[0];
    else if (base.size() == 2) score += base[voted];
    const int64_t label = all_positive ? (score > 0.5 ? 1 : 0) : (score > 0 ? 1 : 0);
    if (post == PostTransform::kProbit) {
      s = {Probit(score), 0.0};
    } else {
      auto [a, b] = ExpandBinaryScore(
          score, post, all_positive ? SecondClass::kProbability : SecondClass::kMargin);
      s = {a, b};
    }
    return label;
  }
  for (size_t j = 0; j < base.size() && j < s.size(); ++j) {
    s[j] += base[j];
    has[j] = true;
  }
  int64_t best = -1;
  for (size_t j = 0; j < s.size(); ++j) {
    if (has[j] && (best < 0 || s[j] > s[best])) best = static_cast<int64_t>(j);
  }
  ApplyPostTransform(post, s);
  return best < 0 ? 0 : best;
}

void RegisterMlTreeKernels(KernelRegistry& r) {
  RegisterVersions(r, "ai.onnx.ml", "TreeEnsembleRegressor", {1, 3}, TreeRegressor::Create);
  RegisterVersions(r, "ai.onnx.ml", "TreeEnsembleClassifier", {1, 3}, TreeClassifier::Create);
}

}  // namespace ads::engine::kernels
