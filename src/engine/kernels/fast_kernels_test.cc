// The fast kernels against the reference kernels, case by case: random
// models built with ModelBuilder run once with a registry holding only the
// reference kernels and once with one holding only the fast kernels (so a
// load that succeeds proves the fast kernel served the node), on random
// inputs. Labels must be equal; scores equal to 1e-6 relative.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/kernels/fast_gemm.h"
#include "engine/kernels/fast_tree.h"
#include "engine/kernels/register.h"
#include "engine/test_util.h"

namespace ads::engine {
namespace {

using testing::AddFloatsAttr;
using testing::AddIntAttr;
using testing::AddIntsAttr;
using testing::AddStringAttr;
using testing::AddStringsAttr;
using testing::ModelBuilder;

const KernelRegistry& FastOnly() {
  static const KernelRegistry* r = [] {
    auto* reg = new KernelRegistry();
    RegisterFastKernels(*reg);
    return reg;
  }();
  return *r;
}

// Compares every output of the two runs: strings and ints exactly, floats to
// 1e-6 relative (NaN must match NaN).
void ExpectSameOutputs(const std::map<std::string, Value>& ref,
                       const std::map<std::string, Value>& fast, const std::string& what) {
  ASSERT_EQ(ref.size(), fast.size()) << what;
  for (const auto& [name, rv] : ref) {
    ASSERT_TRUE(fast.count(name)) << what << ": missing " << name;
    const Tensor& a = rv.tensor();
    const Tensor& b = fast.at(name).tensor();
    ASSERT_EQ(a.dtype(), b.dtype()) << what << " " << name;
    ASSERT_EQ(a.shape(), b.shape()) << what << " " << name;
    for (int64_t i = 0; i < a.size(); ++i) {
      if (a.dtype() == DataType::kFloat) {
        const float x = a.data<float>()[i], y = b.data<float>()[i];
        if (std::isnan(x) || std::isinf(x)) {  // e.g. PROBIT of 0 or 1
          EXPECT_EQ(std::isnan(x), std::isnan(y)) << what << " " << name << "[" << i << "]";
          if (std::isinf(x)) {
            EXPECT_EQ(x, y) << what << " " << name << "[" << i << "]";
          }
          continue;
        }
        EXPECT_NEAR(x, y, 1e-6 * std::max(1.0f, std::fabs(x)))
            << what << " " << name << "[" << i << "]";
      } else {
        EXPECT_EQ(a.ElementToString(i), b.ElementToString(i))
            << what << " " << name << "[" << i << "]";
      }
    }
  }
}

// Every output identical: the raw bytes of numeric tensors, strings by value.
void ExpectIdenticalOutputs(const std::map<std::string, Value>& want,
                            const std::map<std::string, Value>& got, const std::string& what) {
  ASSERT_EQ(want.size(), got.size()) << what;
  for (const auto& [name, wv] : want) {
    ASSERT_TRUE(got.count(name)) << what << ": missing " << name;
    const Tensor& a = wv.tensor();
    const Tensor& c = got.at(name).tensor();
    ASSERT_EQ(a.dtype(), c.dtype()) << what << " " << name;
    ASSERT_EQ(a.shape(), c.shape()) << what << " " << name;
    if (a.dtype() == DataType::kString) {
      for (int64_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a.ElementToString(i), c.ElementToString(i)) << what << " " << name << "[" << i << "]";
      }
    } else {
      EXPECT_EQ(std::memcmp(a.raw_data(), c.raw_data(), a.byte_size()), 0) << what << " " << name;
    }
  }
}

// Loads `b` with both registries and `threads`, runs `feeds`, compares.
void CompareFastToReference(const ModelBuilder& b, const std::map<std::string, Value>& feeds,
                            int threads, const std::string& what) {
  auto ref = b.Load({.threads = threads, .registry = &ReferenceKernelRegistry()});
  ASSERT_TRUE(ref.ok()) << what << ": " << ref.status().ToString();
  auto fast = b.Load({.threads = threads, .registry = &FastOnly()});
  ASSERT_TRUE(fast.ok()) << what
                         << ": the fast kernel did not take the node: " << fast.status().ToString();
  auto r = (*ref)->Run(feeds);
  auto f = (*fast)->Run(feeds);
  ASSERT_EQ(r.ok(), f.ok()) << what << ": " << r.status().ToString() << " vs "
                            << f.status().ToString();
  if (!r.ok()) return;
  ExpectSameOutputs(*r, *f, what);
}

// ---------------------------------------------------------------- trees ---

struct TreeOptions {
  int trees = 5;
  int max_depth = 4;
  int features = 4;
  int outputs = 1;
  std::vector<std::string> modes = {"BRANCH_LEQ"};  // each branch picks one
  double missing_prob = 0;   // share of branches with missing_value_tracks_true
  bool every_output = true;  // every leaf votes for every output
  bool negative = false;     // weights in [-1, 1) instead of [0, 1)
  int only_output = -1;      // >= 0: all leaves vote for this output only
};

// Thresholds and inputs share a grid so that equality cases occur.
float GridOrUniform(std::mt19937& rng) {
  static const float kGrid[] = {-1.5f, -1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 1.5f};
  if (rng() % 2) return kGrid[rng() % 7];
  return std::uniform_real_distribution<float>(-2, 2)(rng);
}

struct TreeAttrs {
  std::vector<int64_t> tree_ids, node_ids, features, true_ids, false_ids, missing;
  std::vector<std::string> modes;
  std::vector<float> values;
  std::vector<int64_t> w_tree, w_node, w_id;
  std::vector<float> w_value;
};

void AddRandomNode(const TreeOptions& o, std::mt19937& rng, int64_t tree, int depth,
                   int64_t& next_id, TreeAttrs& a) {
  const int64_t id = next_id++;
  const size_t at = a.node_ids.size();
  a.tree_ids.push_back(tree);
  a.node_ids.push_back(id);
  const bool leaf = depth >= o.max_depth || (depth > 0 && rng() % 5 == 0);
  a.features.push_back(leaf ? 0 : static_cast<int64_t>(rng() % o.features));
  a.values.push_back(leaf ? 0 : GridOrUniform(rng));
  a.modes.push_back(leaf ? "LEAF" : o.modes[rng() % o.modes.size()]);
  a.missing.push_back(!leaf && std::uniform_real_distribution<>(0, 1)(rng) < o.missing_prob);
  a.true_ids.push_back(0);
  a.false_ids.push_back(0);
  if (leaf) {
    std::uniform_real_distribution<float> w(o.negative ? -1.0f : 0.0f, 1.0f);
    for (int j = 0; j < o.outputs; ++j) {
      if (o.only_output >= 0 && j != o.only_output) continue;
      if (!o.every_output && o.only_output < 0 && rng() % 2) continue;
      a.w_tree.push_back(tree);
      a.w_node.push_back(id);
      a.w_id.push_back(j);
      a.w_value.push_back(w(rng));
    }
    return;
  }
  a.true_ids[at] = next_id;
  AddRandomNode(o, rng, tree, depth + 1, next_id, a);
  a.false_ids[at] = next_id;
  AddRandomNode(o, rng, tree, depth + 1, next_id, a);
}

// Adds random trees to `n` (prefix "target" or "class"); the node tuples are
// shuffled so the kernels cannot rely on the attribute order.
void AddRandomTrees(onnx::NodeProto* n, const TreeOptions& o, const std::string& prefix,
                    std::mt19937& rng) {
  TreeAttrs a;
  for (int t = 0; t < o.trees; ++t) {
    int64_t next_id = 0;
    AddRandomNode(o, rng, (t * 7) % o.trees + 100 * t, 0, next_id, a);
  }
  std::vector<size_t> order(a.node_ids.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  auto pick = [&](auto& v) {
    auto copy = v;
    for (size_t i = 0; i < order.size(); ++i) v[i] = copy[order[i]];
  };
  pick(a.tree_ids), pick(a.node_ids), pick(a.features), pick(a.values), pick(a.modes),
      pick(a.missing), pick(a.true_ids), pick(a.false_ids);
  AddIntsAttr(n, "nodes_treeids", a.tree_ids);
  AddIntsAttr(n, "nodes_nodeids", a.node_ids);
  AddIntsAttr(n, "nodes_featureids", a.features);
  AddFloatsAttr(n, "nodes_values", a.values);
  AddStringsAttr(n, "nodes_modes", a.modes);
  AddIntsAttr(n, "nodes_truenodeids", a.true_ids);
  AddIntsAttr(n, "nodes_falsenodeids", a.false_ids);
  AddIntsAttr(n, "nodes_missing_value_tracks_true", a.missing);
  AddIntsAttr(n, prefix + "_treeids", a.w_tree);
  AddIntsAttr(n, prefix + "_nodeids", a.w_node);
  AddIntsAttr(n, prefix + "_ids", a.w_id);
  AddFloatsAttr(n, prefix + "_weights", a.w_value);
}

Value RandomFeatures(int64_t rows, int64_t cols, double nan_share, std::mt19937& rng,
                     bool as_double = false, bool one_d = false) {
  std::vector<float> v(static_cast<size_t>(rows * cols));
  for (float& x : v) {
    x = std::uniform_real_distribution<>(0, 1)(rng) < nan_share ? std::nanf("")
                                                                : GridOrUniform(rng);
  }
  Shape shape = one_d ? Shape{cols} : Shape{rows, cols};
  if (!as_double) return Value(Tensor::FromVector<float>(shape, v));
  return Value(Tensor::FromVector<double>(shape, std::vector<double>(v.begin(), v.end())));
}

ModelBuilder TreeRegressorModel(const TreeOptions& o, const std::string& agg,
                                const std::string& post, std::vector<float> base, std::mt19937& rng,
                                int elem = onnx::TensorProto::FLOAT) {
  ModelBuilder b;
  b.Input("x", elem).Output("y");
  auto* n = b.Node("TreeEnsembleRegressor", {"x"}, {"y"}, "trees", "ai.onnx.ml");
  AddIntAttr(n, "n_targets", o.outputs);
  AddStringAttr(n, "aggregate_function", agg);
  AddStringAttr(n, "post_transform", post);
  if (!base.empty()) AddFloatsAttr(n, "base_values", base);
  AddRandomTrees(n, o, "target", rng);
  return b;
}

ModelBuilder TreeClassifierModel(const TreeOptions& o, const std::string& post,
                                 std::vector<float> base, bool string_labels, std::mt19937& rng) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT)
      .Output("label", string_labels ? onnx::TensorProto::STRING : onnx::TensorProto::INT64)
      .Output("scores");
  auto* n = b.Node("TreeEnsembleClassifier", {"x"}, {"label", "scores"}, "trees", "ai.onnx.ml");
  const int classes = o.outputs == 1 ? 2 : o.outputs;
  if (string_labels) {
    std::vector<std::string> names;
    for (int j = 0; j < classes; ++j) names.push_back("c" + std::to_string(j));
    AddStringsAttr(n, "classlabels_strings", names);
  } else {
    std::vector<int64_t> ids;
    for (int j = 0; j < classes; ++j) ids.push_back(10 + j);
    AddIntsAttr(n, "classlabels_int64s", ids);
  }
  AddStringAttr(n, "post_transform", post);
  if (!base.empty()) AddFloatsAttr(n, "base_values", base);
  TreeOptions to = o;
  to.outputs = classes;
  if (o.outputs == 1) to.only_output = 0;  // the binary case: votes for one class
  AddRandomTrees(n, to, "class", rng);
  return b;
}

const std::vector<int64_t> kRowCounts = {1, 2, 3, 7, 8, 9, 129, 300};
// Every branch mode alone, then all of them mixed in one ensemble.
const std::vector<std::vector<std::string>> kModeSets = {
    {"BRANCH_LEQ"},
    {"BRANCH_LT"},
    {"BRANCH_GTE"},
    {"BRANCH_GT"},
    {"BRANCH_EQ"},
    {"BRANCH_NEQ"},
    {"BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT", "BRANCH_EQ", "BRANCH_NEQ"}};

TEST(FastTreeTest, RegressorMatchesReferenceForEveryModeAndAggregate) {
  std::mt19937 rng(7);
  for (const auto& modes : kModeSets) {
    for (const char* agg : {"SUM", "AVERAGE", "MIN", "MAX"}) {
      for (double missing : {0.0, 0.5}) {
        TreeOptions o;
        o.modes = modes;
        o.missing_prob = missing;
        o.trees = 1 + static_cast<int>(rng() % 12);
        o.max_depth = 1 + static_cast<int>(rng() % 6);
        ModelBuilder b = TreeRegressorModel(o, agg, "NONE", {0.25f}, rng);
        for (int64_t rows : kRowCounts) {
          const std::string what = modes[0] + "/" + std::to_string(modes.size()) + " " + agg +
                                   " missing=" + std::to_string(missing) +
                                   " rows=" + std::to_string(rows);
          CompareFastToReference(b, {{"x", RandomFeatures(rows, o.features, 0.15, rng)}}, 1, what);
        }
      }
    }
  }
}

TEST(FastTreeTest, MultiTargetRegressorWithPostTransformsAndPartialVotes) {
  std::mt19937 rng(11);
  for (const char* post : {"NONE", "SOFTMAX", "LOGISTIC", "SOFTMAX_ZERO", "PROBIT"}) {
    for (const char* agg : {"SUM", "AVERAGE", "MIN", "MAX"}) {
      for (bool every : {true, false}) {
        TreeOptions o;
        o.outputs = 3;
        o.every_output = every;
        o.negative = true;
        o.trees = 6;
        o.modes = {"BRANCH_LT"};
        o.missing_prob = 0.3;
        ModelBuilder b = TreeRegressorModel(o, agg, post, {0.5f, -0.5f, 0.0f}, rng);
        for (int64_t rows : {1, 5, 40}) {
          CompareFastToReference(b, {{"x", RandomFeatures(rows, o.features, 0.1, rng)}}, 1,
                                 std::string(post) + " " + agg + (every ? " every" : " partial"));
        }
      }
    }
  }
}

TEST(FastTreeTest, SingleTargetProbitAndNoBase) {
  std::mt19937 rng(12);
  TreeOptions o;
  o.negative = true;
  ModelBuilder b = TreeRegressorModel(o, "SUM", "PROBIT", {}, rng);
  CompareFastToReference(b, {{"x", RandomFeatures(50, o.features, 0.1, rng)}}, 1, "probit");
}

TEST(FastTreeTest, DoubleAndOneDimensionalInputs) {
  std::mt19937 rng(13);
  TreeOptions o;
  o.modes = {"BRANCH_LEQ", "BRANCH_GT"};
  o.missing_prob = 0.5;
  ModelBuilder b = TreeRegressorModel(o, "SUM", "NONE", {}, rng, onnx::TensorProto::DOUBLE);
  for (int64_t rows : {1, 17}) {
    CompareFastToReference(b, {{"x", RandomFeatures(rows, o.features, 0.1, rng, true)}}, 1,
                           "double rows=" + std::to_string(rows));
  }
  ModelBuilder f = TreeRegressorModel(o, "SUM", "NONE", {}, rng);
  CompareFastToReference(f, {{"x", RandomFeatures(1, o.features, 0.1, rng, false, true)}}, 1,
                         "1-D input");
}

TEST(FastTreeTest, ClassifierMatchesReference) {
  std::mt19937 rng(17);
  for (const char* post : {"NONE", "LOGISTIC", "SOFTMAX", "SOFTMAX_ZERO", "PROBIT"}) {
    for (int outputs : {1, 3}) {  // 1: the binary case (two labels, one voted class)
      for (bool negative : {false, true}) {
        TreeOptions o;
        o.outputs = outputs;
        o.negative = negative;
        o.trees = 1 + static_cast<int>(rng() % 20);
        o.max_depth = 2 + static_cast<int>(rng() % 5);
        o.modes = {outputs == 1 ? "BRANCH_LT" : "BRANCH_LEQ"};
        o.missing_prob = outputs == 1 ? 0.5 : 0.0;
        o.every_output = rng() % 2;
        std::vector<float> base;
        if (rng() % 2) base.assign(outputs == 1 ? 1 : 3, 0.1f);
        ModelBuilder b = TreeClassifierModel(o, post, base, rng() % 2, rng);
        for (int64_t rows : kRowCounts) {
          CompareFastToReference(b, {{"x", RandomFeatures(rows, o.features, 0.1, rng)}}, 1,
                                 std::string(post) + " classes=" + std::to_string(outputs) +
                                     " rows=" + std::to_string(rows));
        }
      }
    }
  }
}

TEST(FastTreeTest, ThreadedRunsMatchReference) {
  std::mt19937 rng(19);
  TreeOptions o;
  o.trees = 300;
  o.max_depth = 8;
  o.features = 10;
  o.outputs = 3;
  o.missing_prob = 0.2;
  ModelBuilder b = TreeClassifierModel(o, "SOFTMAX", {}, false, rng);
  ModelBuilder r = TreeRegressorModel(o, "AVERAGE", "NONE", {}, rng);
  for (int64_t rows : {1, 3, 40, 1000}) {
    Value x = RandomFeatures(rows, o.features, 0.05, rng);
    CompareFastToReference(b, {{"x", x}}, 2, "classifier rows=" + std::to_string(rows));
    CompareFastToReference(r, {{"x", x}}, 2, "regressor rows=" + std::to_string(rows));
  }
}

TEST(FastTreeTest, DeclinesDoubleThresholdsSoTheReferenceServesThem) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::DOUBLE).Output("y");
  auto* n = b.Node("TreeEnsembleRegressor", {"x"}, {"y"}, "t", "ai.onnx.ml");
  AddIntsAttr(n, "nodes_treeids", {0, 0, 0});
  AddIntsAttr(n, "nodes_nodeids", {0, 1, 2});
  AddIntsAttr(n, "nodes_featureids", {0, 0, 0});
  AddStringsAttr(n, "nodes_modes", {"BRANCH_LEQ", "LEAF", "LEAF"});
  AddIntsAttr(n, "nodes_truenodeids", {1, 0, 0});
  AddIntsAttr(n, "nodes_falsenodeids", {2, 0, 0});
  auto* t = n->add_attribute();
  t->set_name("nodes_values_as_tensor");
  t->set_type(onnx::AttributeProto::TENSOR);
  t->mutable_t()->set_data_type(onnx::TensorProto::DOUBLE);
  t->mutable_t()->add_dims(3);
  for (double v : {0.1, 0.0, 0.0}) t->mutable_t()->add_double_data(v);  // 0.1 is not a float
  AddIntsAttr(n, "target_treeids", {0, 0});
  AddIntsAttr(n, "target_nodeids", {1, 2});
  AddIntsAttr(n, "target_ids", {0, 0});
  AddFloatsAttr(n, "target_weights", {1, 2});
  auto fast = b.Load({.threads = 1, .registry = &FastOnly()});
  ASSERT_FALSE(fast.ok());
  EXPECT_EQ(fast.status().code(), StatusCode::kUnimplemented);
  auto def = b.Load({.threads = 1});
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  // 0.1 (double) <= 0.1 goes true; as float32 the threshold would be
  // 0.100000001 and 0.1000000005 would also go true, but it must not.
  auto out = (*def)->Run({{"x", Value(Tensor::FromVector<double>({2, 1}, {0.1, 0.1000000005}))}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(testing::ToVector<float>(out->at("y").tensor()), (std::vector<float>{1, 2}));
}

TEST(FastTreeTest, BadInputsAreErrorsNotCrashes) {
  std::mt19937 rng(23);
  TreeOptions o;
  o.features = 5;
  o.max_depth = 6;
  ModelBuilder b = TreeRegressorModel(o, "SUM", "NONE", {}, rng);
  auto s = b.Load({.threads = 1, .registry = &FastOnly()});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  // One column, while the random trees read features beyond it.
  EXPECT_FALSE((*s)->Run({{"x", RandomFeatures(3, 1, 0, rng)}}).ok());
  EXPECT_FALSE((*s)->Run({{"x", Value(Tensor(DataType::kFloat, {2, 2, 5}))}}).ok());
}

// The parallel paths need more work than the test models give at the
// default threshold, so drive the scorer directly with threshold 0 and
// compare with the serial result.
TEST(FastTreeTest, ParallelSplitsAgreeWithSerialScoring) {
  std::mt19937 rng(29);
  TreeOptions o;
  o.trees = 37;
  o.max_depth = 6;
  o.outputs = 2;
  o.every_output = false;  // votes are tracked per row
  o.missing_prob = 0.3;
  ModelBuilder b = TreeRegressorModel(o, "MAX", "NONE", {}, rng);
  auto model = ParseModel(b.Bytes());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  KernelInfo info(model->graph.nodes[0], {});
  auto spec = kernels::ParseTreeRegressor(info);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  auto fast = kernels::FastTreeEnsemble::Build(spec->trees, spec->agg);
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  EXPECT_FALSE(fast->votes_are_constant());
  ThreadPool pool(2);
  for (int64_t rows : {1, 5, 33, 700}) {
    Value xv = RandomFeatures(rows, o.features, 0.1, rng);
    const float* x = xv.tensor().data<float>();
    auto collect = [&](ThreadPool* p) {
      std::vector<double> out(static_cast<size_t>(rows * 2), -99);
      kernels::ScoreTreeRows(*fast, x, rows, o.features, p, {.min_parallel_steps = 0},
                             [&](int64_t r, kernels::TreeRowScratch& sc) {
                               for (int j = 0; j < 2; ++j) {
                                 out[r * 2 + j] = sc.has[j] ? sc.s[j] : -1;
                               }
                             });
      return out;
    };
    // MAX is order-independent, so the split must agree exactly.
    EXPECT_EQ(collect(nullptr), collect(&pool)) << "rows=" << rows;
  }
}

// One tree at a time, in tree order, as the reference kernel walks them; the
// aggregation in double with FastTreeEnsemble's conventions (MIN/MAX start at
// +/-inf, unvoted outputs become 0, AVERAGE divides by the tree count).
std::vector<double> OneTreeAtATime(const kernels::TreeEnsemble& e, kernels::TreeAggregate agg,
                                   const float* x, int64_t rows, int64_t cols, size_t t0,
                                   size_t t1) {
  using kernels::TreeAggregate;
  using kernels::TreeMode;
  const size_t n_out = static_cast<size_t>(e.n_outputs);
  std::vector<double> out(static_cast<size_t>(rows) * n_out);
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<double> s(n_out, agg == TreeAggregate::kMin   ? INFINITY
                                 : agg == TreeAggregate::kMax ? -INFINITY
                                                              : 0.0);
    std::vector<bool> has(n_out, false);
    for (size_t t = t0; t < t1; ++t) {
      const kernels::TreeNode* n = &e.nodes[e.roots[t]];
      while (n->mode != TreeMode::kLeaf) {
        const float v = x[r * cols + n->feature];
        const auto th = static_cast<float>(n->threshold);
        bool go = false;
        switch (n->mode) {
          case TreeMode::kLeq:
            go = v <= th;
            break;
          case TreeMode::kLt:
            go = v < th;
            break;
          case TreeMode::kGte:
            go = v >= th;
            break;
          case TreeMode::kGt:
            go = v > th;
            break;
          case TreeMode::kEq:
            go = v == th;
            break;
          default:
            go = v != th;
            break;
        }
        if (std::isnan(v) && n->missing_true) go = true;
        n = &e.nodes[go ? n->true_child : n->false_child];
      }
      for (const auto& [j, w] : n->weights) {
        if (agg == TreeAggregate::kMin)
          s[j] = w < s[j] ? w : s[j];
        else if (agg == TreeAggregate::kMax)
          s[j] = s[j] < w ? w : s[j];
        else
          s[j] += w;
        has[j] = true;
      }
    }
    for (size_t j = 0; j < n_out; ++j) {
      if (agg == TreeAggregate::kAverage) s[j] /= static_cast<double>(e.roots.size());
      if ((agg == TreeAggregate::kMin || agg == TreeAggregate::kMax) && !has[j]) s[j] = 0;
      out[r * n_out + j] = s[j];
    }
  }
  return out;
}

// The interleaved walk (8 trees of one row, or 8 rows of one tree) must give
// bit-identical scores to walking the trees one by one: same leaves, same
// accumulation order per output. Every branch mode, mixed modes, NaN inputs
// with and without missing-value tracking, every aggregate, tree counts that
// are not multiples of the lane count, and tree sub-ranges.
TEST(FastTreeTest, InterleavedWalkEqualsOneTreeAtATimeExactly) {
  std::mt19937 rng(37);
  const std::pair<const char*, kernels::TreeAggregate> aggs[] = {
      {"SUM", kernels::TreeAggregate::kSum},
      {"AVERAGE", kernels::TreeAggregate::kAverage},
      {"MIN", kernels::TreeAggregate::kMin},
      {"MAX", kernels::TreeAggregate::kMax}};
  for (const auto& modes : kModeSets) {
    for (const auto& [agg_name, agg] : aggs) {
      for (double missing : {0.0, 0.4}) {
        TreeOptions o;
        o.modes = modes;
        o.missing_prob = missing;
        o.trees = 1 + static_cast<int>(rng() % 30);
        o.max_depth = 1 + static_cast<int>(rng() % 9);
        o.outputs = 1 + static_cast<int>(rng() % 3);
        o.every_output = rng() % 2;
        o.negative = true;
        ModelBuilder b = TreeRegressorModel(o, agg_name, "NONE", {}, rng);
        auto model = ParseModel(b.Bytes());
        ASSERT_TRUE(model.ok()) << model.status().ToString();
        KernelInfo info(model->graph.nodes[0], {});
        auto spec = kernels::ParseTreeRegressor(info);
        ASSERT_TRUE(spec.ok()) << spec.status().ToString();
        auto fast = kernels::FastTreeEnsemble::Build(spec->trees, agg);
        ASSERT_TRUE(fast.ok()) << fast.status().ToString();
        const size_t n_trees = spec->trees.roots.size();
        const size_t n_out = static_cast<size_t>(o.outputs);
        for (int64_t rows : {1, 2, 3, 4, 9, 17}) {
          Value xv = RandomFeatures(rows, o.features, 0.2, rng);
          const float* x = xv.tensor().data<float>();
          const size_t t0 = rng() % 2 ? 0 : rng() % n_trees;
          for (size_t t1 : {n_trees, t0 + (n_trees - t0) / 2}) {
            std::vector<double> got(static_cast<size_t>(rows) * n_out, fast->InitialScore());
            std::vector<uint8_t> has(got.size(), 0);
            fast->Accumulate(x, o.features, rows, t0, t1, got.data(), has.data());
            for (int64_t r = 0; r < rows; ++r)
              fast->Finish(got.data() + r * n_out, has.data() + r * n_out);
            const std::vector<double> want =
                OneTreeAtATime(spec->trees, agg, x, rows, o.features, t0, t1);
            for (size_t i = 0; i < want.size(); ++i) {
              // Bit equality (NaN never arises: weights and inputs are finite or NaN-routed).
              ASSERT_EQ(std::memcmp(&got[i], &want[i], sizeof(double)), 0)
                  << modes.size() << " modes from " << modes[0] << " " << agg_name
                  << " missing=" << missing << " rows=" << rows << " trees [" << t0 << ", " << t1
                  << ") [" << i << "]: " << got[i] << " vs " << want[i];
            }
          }
        }
      }
    }
  }
}

// Batch-1 runs reuse per-thread scratch and small inline output buffers: the
// outputs of earlier runs, still held, must not change, and each run must
// equal a fresh session's run on the same input.
TEST(FastTreeTest, RepeatedRunsKeepEarlierOutputsAndMatchFreshSessions) {
  std::mt19937 rng(41);
  TreeOptions o;
  o.trees = 23;
  o.max_depth = 7;
  o.outputs = 3;
  o.missing_prob = 0.3;
  for (bool string_labels : {false, true}) {
    ModelBuilder b = TreeClassifierModel(o, "SOFTMAX", {}, string_labels, rng);
    auto s = b.Load({.threads = 1, .registry = &FastOnly()});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    std::vector<std::map<std::string, Value>> kept;
    std::vector<Value> inputs;
    for (int run = 0; run < 4; ++run) {
      inputs.push_back(RandomFeatures(run == 3 ? 5 : 1, o.features, 0.1, rng));
      auto out = (*s)->Run({{"x", inputs.back()}});
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      kept.push_back(*out);
    }
    for (size_t run = 0; run < kept.size(); ++run) {
      auto fresh = b.Load({.threads = 1, .registry = &FastOnly()});
      ASSERT_TRUE(fresh.ok());
      auto want = (*fresh)->Run({{"x", inputs[run]}});
      ASSERT_TRUE(want.ok());
      ExpectIdenticalOutputs(*want, kept[run], "run " + std::to_string(run));
    }
  }
}

// ----------------------------------------------------------------- gemm ---

std::vector<float> RandomMatrix(int64_t count, std::mt19937& rng) {
  std::vector<float> v(static_cast<size_t>(count));
  for (float& x : v) x = std::uniform_real_distribution<float>(-1, 1)(rng);
  return v;
}

Result<Tensor> RunY(const ModelBuilder& b, const KernelRegistry& reg, int threads,
                    const std::map<std::string, Value>& feeds) {
  ADS_ASSIGN_OR_RETURN(auto s, b.Load({.threads = threads, .registry = &reg}));
  ADS_ASSIGN_OR_RETURN(auto out, s->Run(feeds));
  return out.at("y").tensor();
}

// Float accumulation may differ from the double reference by rounding:
// |error| <= (k + 2) * 2^-23 * bound[i], bound[i] = |alpha| sum_p |a b| + |beta c|.
void ExpectGemmClose(const ModelBuilder& b, const std::map<std::string, Value>& feeds,
                     const std::vector<double>& bound, int64_t k, int threads,
                     const std::string& what) {
  auto ref = RunY(b, ReferenceKernelRegistry(), threads, feeds);
  ASSERT_TRUE(ref.ok()) << what << ": " << ref.status().ToString();
  auto fast = RunY(b, FastOnly(), threads, feeds);
  ASSERT_TRUE(fast.ok()) << what << ": " << fast.status().ToString();
  ASSERT_EQ(ref->shape(), fast->shape()) << what;
  ASSERT_EQ(static_cast<size_t>(ref->size()), bound.size()) << what;
  for (int64_t i = 0; i < ref->size(); ++i) {
    const double tol = (k + 2) * std::ldexp(1.0, -23) * bound[i] + 1e-30;
    ASSERT_NEAR(ref->data<float>()[i], fast->data<float>()[i], tol) << what << " [" << i << "]";
  }
}

// sum_p |a[r][p] * b[p][j]| for row-major a [rows x k] and b [k x n].
std::vector<double> AbsProduct(const std::vector<float>& a, const std::vector<float>& b,
                               int64_t rows, int64_t k, int64_t n) {
  std::vector<double> out(static_cast<size_t>(rows * n), 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t p = 0; p < k; ++p) {
      for (int64_t j = 0; j < n; ++j) out[r * n + j] += std::fabs(a[r * k + p] * b[p * n + j]);
    }
  }
  return out;
}

// Runs the MatMul cases with the micro-kernel that `avx512` selects.
void CheckMatMulShapes(bool avx512) {
  std::mt19937 rng(31);
  for (int64_t m : {1, 2, 5, 6, 7, 13, 64}) {
    for (int64_t k : {1, 3, 17, 256, 300}) {
      for (int64_t n : {1, 15, 16, 17, 40}) {
        for (bool constant_b : {true, false}) {
          const std::vector<float> a = RandomMatrix(2 * m * k, rng), w = RandomMatrix(k * n, rng);
          ModelBuilder b;
          b.Input("a", onnx::TensorProto::FLOAT).Output("y");
          if (constant_b)
            b.Initializer("w", Tensor::FromVector<float>({k, n}, w));
          else
            b.Input("w", onnx::TensorProto::FLOAT);
          b.Node("MatMul", {"a", "w"}, {"y"});
          std::map<std::string, Value> feeds = {
              {"a", Value(Tensor::FromVector<float>({2, m, k}, a))}};
          if (!constant_b) feeds["w"] = Value(Tensor::FromVector<float>({k, n}, w));
          const std::string what = "m=" + std::to_string(m) + " k=" + std::to_string(k) +
                                   " n=" + std::to_string(n) + (constant_b ? " packed" : "") +
                                   (avx512 ? " avx512" : " avx2");
          ExpectGemmClose(b, feeds, AbsProduct(a, w, 2 * m, k, n), k, 1, what);
        }
      }
    }
  }
}

TEST(FastGemmTest, MatMulMatchesReferenceOnOddShapes) {
  // Both micro-kernels: the AVX-512 one only where the CPU has it.
  const bool has_avx512 = kernels::SetGemmAvx512ForTesting(false);
  CheckMatMulShapes(false);
  kernels::SetGemmAvx512ForTesting(true);
  if (has_avx512) CheckMatMulShapes(true);
}

TEST(FastGemmTest, GemmMatchesReferenceForTransposesAndBiasShapes) {
  std::mt19937 rng(37);
  const int64_t m = 9, k = 21, n = 18;
  const std::vector<Shape> bias_shapes = {{}, {n}, {1, n}, {m, 1}, {m, n}, {1}};
  for (int ta : {0, 1}) {
    for (int tb : {0, 1}) {
      for (size_t bs = 0; bs <= bias_shapes.size(); ++bs) {  // == size(): no C
        for (bool constant_b : {true, false}) {
          const std::vector<float> a = RandomMatrix(m * k, rng), w = RandomMatrix(k * n, rng);
          const bool has_c = bs < bias_shapes.size();
          const Shape cs = has_c ? bias_shapes[bs] : Shape{};
          const std::vector<float> c = RandomMatrix(ElementCount(cs), rng);
          const float alpha = 0.75f, beta = -1.5f;
          ModelBuilder b;
          b.Input("a", onnx::TensorProto::FLOAT).Output("y");
          // Lay a and w out transposed when the flags say so.
          std::vector<float> at(a.size()), wt(w.size());
          for (int64_t i = 0; i < m; ++i)
            for (int64_t p = 0; p < k; ++p) at[p * m + i] = a[i * k + p];
          for (int64_t p = 0; p < k; ++p)
            for (int64_t j = 0; j < n; ++j) wt[j * k + p] = w[p * n + j];
          Tensor wten =
              tb ? Tensor::FromVector<float>({n, k}, wt) : Tensor::FromVector<float>({k, n}, w);
          if (constant_b)
            b.Initializer("w", wten);
          else
            b.Input("w", onnx::TensorProto::FLOAT);
          std::vector<std::string> ins = {"a", "w"};
          if (has_c) {
            b.Initializer("c", Tensor::FromVector<float>(cs, c));
            ins.push_back("c");
          }
          auto* node = b.Node("Gemm", ins, {"y"});
          AddIntAttr(node, "transA", ta);
          AddIntAttr(node, "transB", tb);
          testing::AddFloatAttr(node, "alpha", alpha);
          testing::AddFloatAttr(node, "beta", beta);
          std::map<std::string, Value> feeds = {
              {"a", Value(ta ? Tensor::FromVector<float>({k, m}, at)
                             : Tensor::FromVector<float>({m, k}, a))}};
          if (!constant_b) feeds["w"] = Value(wten);
          std::vector<double> bound = AbsProduct(a, w, m, k, n);
          for (double& v : bound) v = v * alpha + (has_c ? std::fabs(beta) : 0.0);
          ExpectGemmClose(b, feeds, bound, k, 1,
                          "transA=" + std::to_string(ta) + " transB=" + std::to_string(tb) +
                              " C=" + (has_c ? ShapeToString(cs) : "none"));
        }
      }
    }
  }
}

TEST(FastGemmTest, ThreadedLargeMatMulMatchesReference) {
  std::mt19937 rng(41);
  const int64_t m = 301, k = 64, n = 70;
  const std::vector<float> a = RandomMatrix(m * k, rng), w = RandomMatrix(k * n, rng);
  ModelBuilder b;
  b.Input("a", onnx::TensorProto::FLOAT).Output("y");
  b.Initializer("w", Tensor::FromVector<float>({k, n}, w));
  b.Node("MatMul", {"a", "w"}, {"y"});
  ExpectGemmClose(b, {{"a", Value(Tensor::FromVector<float>({m, k}, a))}},
                  AbsProduct(a, w, m, k, n), k, 2, "threads=2");
}

TEST(FastGemmTest, NonFloatAndBadShapesFallBackToTheReference) {
  ModelBuilder b;
  b.Input("a", onnx::TensorProto::DOUBLE)
      .Input("w", onnx::TensorProto::DOUBLE)
      .Output("y", onnx::TensorProto::DOUBLE);
  b.Node("Gemm", {"a", "w"}, {"y"});
  auto s = b.Load({.threads = 1, .registry = &FastOnly()});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  // [[1, 2]] x [[3], [4]] = [[11]].
  auto out = (*s)->Run({{"a", Value(Tensor::FromVector<double>({1, 2}, {1, 2}))},
                        {"w", Value(Tensor::FromVector<double>({2, 1}, {3, 4}))}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(testing::ToVector<double>(out->at("y").tensor()), (std::vector<double>{11}));
  auto bad = (*s)->Run({{"a", Value(Tensor::FromVector<double>({1, 2}, {1, 2}))},
                        {"w", Value(Tensor::FromVector<double>({3, 1}, {3, 4, 5}))}});
  EXPECT_FALSE(bad.ok());
}

// ----------------------------------------------------------------- conv ---

struct ConvCase {
  int64_t n, c, h, w, m, kh, kw;
  std::vector<int64_t> strides, dilations, pads;
  std::string auto_pad;
  bool bias;
};

// Runs the Conv cases with the micro-kernel that `avx512` selects.
void CheckConvGeometries(bool avx512) {
  std::mt19937 rng(43);
  // Stride 1 goes through GemmShifted (no im2col), other strides through
  // im2col; a single large image splits its channels over two threads.
  const std::vector<ConvCase> cases = {
      {1, 1, 28, 28, 16, 3, 3, {}, {}, {}, "NOTSET", true},
      {3, 16, 13, 13, 32, 3, 3, {}, {}, {}, "NOTSET", true},
      {2, 3, 9, 7, 5, 1, 1, {}, {}, {}, "NOTSET", false},
      {2, 3, 9, 7, 17, 2, 3, {2, 1}, {}, {1, 0, 0, 2}, "NOTSET", true},
      {1, 2, 10, 11, 4, 3, 3, {1, 2}, {2, 1}, {2, 2, 1, 1}, "NOTSET", true},
      {2, 4, 8, 8, 6, 3, 3, {2, 2}, {}, {}, "SAME_UPPER", true},
      {2, 4, 7, 8, 6, 2, 2, {2, 3}, {}, {}, "SAME_LOWER", false},
      {1, 2, 6, 6, 3, 3, 3, {}, {}, {}, "VALID", true},
      {1, 32, 24, 24, 40, 3, 3, {}, {}, {}, "NOTSET", true},
      {2, 3, 9, 7, 5, 3, 3, {}, {2, 2}, {1, 2, 0, 1}, "NOTSET", true},
      {3, 2, 5, 6, 9, 3, 2, {1, 1}, {}, {}, "SAME_UPPER", false},
      {2, 2, 6, 5, 7, 2, 2, {}, {1, 2}, {}, "SAME_LOWER", true},
      {1, 20, 9, 12, 40, 1, 1, {}, {}, {0, 1, 2, 0}, "NOTSET", true},
  };
  for (const ConvCase& cc : cases) {
    for (int threads : {1, 2}) {
      const std::vector<float> x = RandomMatrix(cc.n * cc.c * cc.h * cc.w, rng);
      const std::vector<float> w = RandomMatrix(cc.m * cc.c * cc.kh * cc.kw, rng);
      ModelBuilder b;
      b.Input("a", onnx::TensorProto::FLOAT).Output("y");
      b.Initializer("w", Tensor::FromVector<float>({cc.m, cc.c, cc.kh, cc.kw}, w));
      std::vector<std::string> ins = {"a", "w"};
      if (cc.bias) {
        b.Initializer("bias", Tensor::FromVector<float>({cc.m}, RandomMatrix(cc.m, rng)));
        ins.push_back("bias");
      }
      auto* node = b.Node("Conv", ins, {"y"});
      AddIntsAttr(node, "kernel_shape", {cc.kh, cc.kw});
      if (!cc.strides.empty()) AddIntsAttr(node, "strides", cc.strides);
      if (!cc.dilations.empty()) AddIntsAttr(node, "dilations", cc.dilations);
      if (!cc.pads.empty()) AddIntsAttr(node, "pads", cc.pads);
      AddStringAttr(node, "auto_pad", cc.auto_pad);
      const std::map<std::string, Value> feeds = {
          {"a", Value(Tensor::FromVector<float>({cc.n, cc.c, cc.h, cc.w}, x))}};
      auto ref = RunY(b, ReferenceKernelRegistry(), threads, feeds);
      ASSERT_TRUE(ref.ok()) << ref.status().ToString();
      auto fast = RunY(b, FastOnly(), threads, feeds);
      ASSERT_TRUE(fast.ok()) << fast.status().ToString();
      ASSERT_EQ(ref->shape(), fast->shape());
      // Inputs and weights are in [-1, 1): each output sums at most k products
      // and the bias, so float rounding stays below (k + 2)^2 * 2^-23.
      const int64_t k = cc.c * cc.kh * cc.kw;
      for (int64_t i = 0; i < ref->size(); ++i) {
        ASSERT_NEAR(ref->data<float>()[i], fast->data<float>()[i],
                    (k + 2) * (k + 2) * std::ldexp(1.0, -23))
            << "case c=" << cc.c << " m=" << cc.m << " " << cc.auto_pad
            << (avx512 ? " avx512" : " avx2") << " [" << i << "]";
      }
    }
  }
}

TEST(FastConvTest, MatchesReferenceOnGeometries) {
  const bool has_avx512 = kernels::SetGemmAvx512ForTesting(false);
  CheckConvGeometries(false);
  kernels::SetGemmAvx512ForTesting(true);
  if (has_avx512) CheckConvGeometries(true);
}

TEST(FastConvTest, DeclinesGroupsAndRuntimeWeights) {
  ModelBuilder grouped;
  grouped.Input("a", onnx::TensorProto::FLOAT).Output("y");
  grouped.Initializer("w", Tensor(DataType::kFloat, {4, 1, 3, 3}));
  AddIntAttr(grouped.Node("Conv", {"a", "w"}, {"y"}), "group", 4);
  auto g = grouped.Load({.threads = 1, .registry = &FastOnly()});
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kUnimplemented);
  EXPECT_TRUE(grouped.Load({.threads = 1}).ok());

  ModelBuilder runtime_w;
  runtime_w.Input("a", onnx::TensorProto::FLOAT).Input("w", onnx::TensorProto::FLOAT).Output("y");
  runtime_w.Node("Conv", {"a", "w"}, {"y"});
  auto r = runtime_w.Load({.threads = 1, .registry = &FastOnly()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
}

TEST(FastConvTest, MismatchedInputFallsBackToTheReferenceError) {
  ModelBuilder b;
  b.Input("a", onnx::TensorProto::FLOAT).Output("y");
  b.Initializer("w", Tensor(DataType::kFloat, {2, 3, 3, 3}));
  b.Node("Conv", {"a", "w"}, {"y"});
  auto s = b.Load({.threads = 1, .registry = &FastOnly()});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  // Two channels where W wants three; and an image smaller than the kernel.
  EXPECT_FALSE((*s)->Run({{"a", Value(Tensor(DataType::kFloat, {1, 2, 5, 5}))}}).ok());
  EXPECT_FALSE((*s)->Run({{"a", Value(Tensor(DataType::kFloat, {1, 3, 2, 2}))}}).ok());
  EXPECT_TRUE((*s)->Run({{"a", Value(Tensor(DataType::kFloat, {1, 3, 3, 3}))}}).ok());
}

// ----------------------------------------------------------------- pool ---

TEST(FastPoolTest, MaxPoolEqualsReferenceIncludingNaNsAndPads) {
  std::mt19937 rng(47);
  struct PoolCase {
    int64_t h, w, kh, kw;
    std::vector<int64_t> strides, pads;
  };
  const std::vector<PoolCase> cases = {{26, 26, 2, 2, {2, 2}, {}},
                                       {11, 11, 2, 2, {2, 2}, {}},
                                       {7, 9, 3, 2, {1, 2}, {1, 0, 1, 1}},
                                       {5, 5, 3, 3, {}, {2, 2, 2, 2}},
                                       {6, 4, 1, 4, {3, 1}, {}}};
  for (const PoolCase& pc : cases) {
    for (int threads : {1, 2}) {
      std::vector<float> x = RandomMatrix(3 * 5 * pc.h * pc.w, rng);
      for (size_t i = 0; i < x.size(); i += 7) x[i] = std::nanf("");
      ModelBuilder b;
      b.Input("a", onnx::TensorProto::FLOAT).Output("y");
      auto* node = b.Node("MaxPool", {"a"}, {"y"});
      AddIntsAttr(node, "kernel_shape", {pc.kh, pc.kw});
      if (!pc.strides.empty()) AddIntsAttr(node, "strides", pc.strides);
      if (!pc.pads.empty()) AddIntsAttr(node, "pads", pc.pads);
      const std::map<std::string, Value> feeds = {
          {"a", Value(Tensor::FromVector<float>({3, 5, pc.h, pc.w}, x))}};
      auto ref = RunY(b, ReferenceKernelRegistry(), threads, feeds);
      ASSERT_TRUE(ref.ok()) << ref.status().ToString();
      auto fast = RunY(b, FastOnly(), threads, feeds);
      ASSERT_TRUE(fast.ok()) << fast.status().ToString();
      ASSERT_EQ(ref->shape(), fast->shape());
      for (int64_t i = 0; i < ref->size(); ++i) {
        const float r = ref->data<float>()[i], f = fast->data<float>()[i];
        EXPECT_TRUE(r == f || (std::isnan(r) && std::isnan(f))) << i << ": " << r << " vs " << f;
      }
    }
  }
}

TEST(FastPoolTest, DeclinesCeilModeAndAutoPad) {
  for (const char* attr : {"ceil_mode", "auto_pad"}) {
    ModelBuilder b(13);
    b.Input("a", onnx::TensorProto::FLOAT).Output("y");
    auto* node = b.Node("MaxPool", {"a"}, {"y"});
    AddIntsAttr(node, "kernel_shape", {2, 2});
    if (std::string(attr) == "ceil_mode")
      AddIntAttr(node, "ceil_mode", 1);
    else
      AddStringAttr(node, "auto_pad", "SAME_UPPER");
    auto s = b.Load({.threads = 1, .registry = &FastOnly()});
    ASSERT_FALSE(s.ok()) << attr;
    EXPECT_EQ(s.status().code(), StatusCode::kUnimplemented) << attr;
    EXPECT_TRUE(b.Load({.threads = 1}).ok()) << attr;
  }
}

// --------------------------------------------------------------- linear ---

// The fast linear kernels sum in the same order as the reference, so their
// answers must be identical, bit for bit: runs both and compares them with
// ExpectIdenticalOutputs.
void ExpectIdenticalToReference(const ModelBuilder& b, const std::map<std::string, Value>& feeds,
                                int threads, const std::string& what) {
  auto ref = b.Load({.threads = threads, .registry = &ReferenceKernelRegistry()});
  ASSERT_TRUE(ref.ok()) << what << ": " << ref.status().ToString();
  auto fast = b.Load({.threads = threads, .registry = &FastOnly()});
  ASSERT_TRUE(fast.ok()) << what << ": the fast kernel did not take the node: "
                         << fast.status().ToString();
  auto r = (*ref)->Run(feeds);
  auto f = (*fast)->Run(feeds);
  ASSERT_EQ(r.ok(), f.ok()) << what << ": " << r.status().ToString() << " vs "
                            << f.status().ToString();
  if (!r.ok()) {
    EXPECT_EQ(r.status().message(), f.status().message()) << what;
    return;
  }
  ExpectIdenticalOutputs(*r, *f, what);
}

ModelBuilder LinearClassifierModel(int64_t classes, int64_t cols, int labels, bool string_labels,
                                   const std::string& post, std::mt19937& rng) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT)
      .Output("label", string_labels ? onnx::TensorProto::STRING : onnx::TensorProto::INT64)
      .Output("scores");
  auto* n = b.Node("LinearClassifier", {"x"}, {"label", "scores"}, "linear", "ai.onnx.ml");
  AddFloatsAttr(n, "coefficients", RandomMatrix(classes * cols, rng));
  AddFloatsAttr(n, "intercepts", RandomMatrix(classes, rng));
  if (string_labels) {
    std::vector<std::string> names;
    for (int j = 0; j < labels; ++j) names.push_back("c" + std::to_string(j));
    AddStringsAttr(n, "classlabels_strings", names);
  } else {
    std::vector<int64_t> ids;
    for (int j = 0; j < labels; ++j) ids.push_back(7 * j + 3);
    AddIntsAttr(n, "classlabels_ints", ids);
  }
  AddStringAttr(n, "post_transform", post);
  return b;
}

const std::vector<int64_t> kLinearRows = {1, 3, 4, 5, 8, 9, 257, 1000};
const std::vector<std::string> kPosts = {"NONE", "LOGISTIC", "SOFTMAX", "SOFTMAX_ZERO", "PROBIT"};

TEST(FastLinearTest, ClassifierIsIdenticalToReference) {
  std::mt19937 rng(11);
  // (score columns, labels): multiclass, one margin with two labels (the
  // binary logistic model), and one score with no labels (0/1).
  const std::vector<std::pair<int64_t, int>> shapes = {{3, 3}, {5, 5}, {1, 2}, {1, 0}, {2, 2}};
  for (const auto& [classes, labels] : shapes) {
    for (const std::string& post : kPosts) {
      for (bool strings : {false, true}) {
        if (strings && labels == 0) continue;
        const int64_t cols = 1 + static_cast<int64_t>(rng() % 31);
        ModelBuilder b = LinearClassifierModel(classes, cols, labels, strings, post, rng);
        for (int64_t rows : kLinearRows) {
          for (int threads : {1, 2}) {
            const std::string what = std::to_string(classes) + " classes " + post +
                                     (strings ? " strings" : " ints") + " cols=" +
                                     std::to_string(cols) + " rows=" + std::to_string(rows) +
                                     " threads=" + std::to_string(threads);
            ExpectIdenticalToReference(b, {{"x", RandomFeatures(rows, cols, 0.05, rng)}}, threads,
                                       what);
          }
        }
      }
    }
  }
}

TEST(FastLinearTest, RegressorIsIdenticalToReference) {
  std::mt19937 rng(12);
  for (int64_t targets : {1, 2, 4}) {
    for (const std::string& post : kPosts) {
      for (bool intercepts : {true, false}) {
        const int64_t cols = 1 + static_cast<int64_t>(rng() % 40);
        ModelBuilder b;
        b.Input("x", onnx::TensorProto::FLOAT).Output("y");
        auto* n = b.Node("LinearRegressor", {"x"}, {"y"}, "linear", "ai.onnx.ml");
        AddFloatsAttr(n, "coefficients", RandomMatrix(targets * cols, rng));
        if (intercepts) AddFloatsAttr(n, "intercepts", RandomMatrix(targets, rng));
        AddIntAttr(n, "targets", targets);
        AddStringAttr(n, "post_transform", post);
        for (int64_t rows : kLinearRows) {
          for (int threads : {1, 2}) {
            ExpectIdenticalToReference(b, {{"x", RandomFeatures(rows, cols, 0.05, rng)}}, threads,
                                       std::to_string(targets) + " targets " + post +
                                           " rows=" + std::to_string(rows));
          }
        }
        // One row as a 1-D input, and a double input (the reference serves it).
        ExpectIdenticalToReference(b, {{"x", RandomFeatures(1, cols, 0, rng, false, true)}}, 1,
                                   "1-D");
        ExpectIdenticalToReference(b, {{"x", RandomFeatures(9, cols, 0, rng, true)}}, 1, "double");
      }
    }
  }
}

TEST(FastLinearTest, ScalerIsIdenticalToReference) {
  std::mt19937 rng(13);
  const int64_t cols = 6;
  // offset and scale: absent, one value, one per column, and lengths that
  // fit no input (an error from both).
  const std::vector<std::pair<int64_t, int64_t>> sizes = {{0, 0}, {1, 0}, {0, 1}, {1, 1},
                                                         {6, 1}, {1, 6}, {6, 6}, {6, 4}, {3, 3}};
  for (const auto& [offsets, scales] : sizes) {
    ModelBuilder b;
    b.Input("x", onnx::TensorProto::FLOAT).Output("y");
    auto* n = b.Node("Scaler", {"x"}, {"y"}, "scaler", "ai.onnx.ml");
    if (offsets > 0) AddFloatsAttr(n, "offset", RandomMatrix(offsets, rng));
    if (scales > 0) AddFloatsAttr(n, "scale", RandomMatrix(scales, rng));
    const std::string what = "offset " + std::to_string(offsets) + " scale " +
                             std::to_string(scales);
    for (int64_t rows : kLinearRows) {
      for (int threads : {1, 2}) {
        ExpectIdenticalToReference(b, {{"x", RandomFeatures(rows, cols, 0.05, rng)}}, threads,
                                   what + " rows=" + std::to_string(rows));
      }
    }
    ExpectIdenticalToReference(b, {{"x", RandomFeatures(1, cols, 0, rng, false, true)}}, 1,
                               what + " 1-D");
    ExpectIdenticalToReference(b, {{"x", RandomFeatures(4, cols, 0, rng, true)}}, 1,
                               what + " double");
  }
}

TEST(FastLinearTest, BadInputsGiveTheReferenceErrors) {
  std::mt19937 rng(14);
  ModelBuilder b = LinearClassifierModel(3, 4, 3, false, "SOFTMAX", rng);
  // Five columns for four coefficients per class; a 3-D input.
  ExpectIdenticalToReference(b, {{"x", RandomFeatures(8, 5, 0, rng)}}, 1, "columns");
  ExpectIdenticalToReference(
      b, {{"x", Value(Tensor::FromVector<float>({2, 1, 4}, RandomMatrix(8, rng)))}}, 1, "rank 3");
}

}  // namespace
}  // namespace ads::engine
