// Google Benchmark for the fast kernels against the reference kernels, and
// for whole models in-process (the batch-1 latency that a server sees, with no
// process or binding overhead).
//
//   build-bench/bench/kernels_bench                           # synthetic kernels
//   ADS_BENCH_MODELS=build-bench/models build-bench/bench/kernels_bench
//   ADS_BENCH_KEEP_HEAP=1 ...   # no mmap/munmap per large tensor (see main)
//
// Synthetic cases are built in memory with the engine's test ModelBuilder:
// a random forest (100 trees, depth 10, 20 features), Gemm 64->256 and
// 256->256 with constant weights. Each runs with the default registry
// (fast kernels) and a reference-only registry, so the pair gives the
// speed-up of the fast kernel. With ADS_BENCH_MODELS set, every model listed
// in its models.txt (written by bench/models/make_bench_models.py) is timed at
// batch 1 and 1000 with the default registry.
//
// Single-threaded process; each benchmark owns its session.
#include <benchmark/benchmark.h>

#include <malloc.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "base/env.h"
#include "engine/kernels/register.h"
#include "engine/tensor_proto.h"
#include "engine/test_util.h"

namespace ads::engine {
namespace {

using testing::ModelBuilder;

const KernelRegistry* RegistryFor(int64_t fast) {
  return fast ? &KernelRegistry::Default() : &ReferenceKernelRegistry();
}

// A full-ish random forest: every node splits until depth `depth` (leaves
// earlier with probability 1/8), thresholds in the inputs' range.
ModelBuilder ForestModel(int trees, int depth, int features, std::mt19937& rng) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT).Output("y");
  auto* n = b.Node("TreeEnsembleRegressor", {"x"}, {"y"}, "forest", "ai.onnx.ml");
  std::vector<int64_t> tid, nid, fid, tru, fal, wt, wn, wi;
  std::vector<float> val, w;
  std::vector<std::string> modes;
  std::uniform_real_distribution<float> u(-1, 1);
  for (int t = 0; t < trees; ++t) {
    int64_t next = 0;
    std::vector<std::pair<int64_t, int>> stack{{next++, 0}};
    while (!stack.empty()) {
      auto [id, d] = stack.back();
      stack.pop_back();
      const bool leaf = d == depth || (d > 2 && rng() % 8 == 0);
      tid.push_back(t), nid.push_back(id), fid.push_back(leaf ? 0 : rng() % features);
      val.push_back(leaf ? 0 : u(rng)), modes.push_back(leaf ? "LEAF" : "BRANCH_LEQ");
      tru.push_back(leaf ? 0 : next), fal.push_back(leaf ? 0 : next + 1);
      if (leaf) {
        wt.push_back(t), wn.push_back(id), wi.push_back(0), w.push_back(u(rng));
        continue;
      }
      stack.push_back({next++, d + 1});
      stack.push_back({next++, d + 1});
    }
  }
  testing::AddIntsAttr(n, "nodes_treeids", tid);
  testing::AddIntsAttr(n, "nodes_nodeids", nid);
  testing::AddIntsAttr(n, "nodes_featureids", fid);
  testing::AddFloatsAttr(n, "nodes_values", val);
  testing::AddStringsAttr(n, "nodes_modes", modes);
  testing::AddIntsAttr(n, "nodes_truenodeids", tru);
  testing::AddIntsAttr(n, "nodes_falsenodeids", fal);
  testing::AddIntsAttr(n, "target_treeids", wt);
  testing::AddIntsAttr(n, "target_nodeids", wn);
  testing::AddIntsAttr(n, "target_ids", wi);
  testing::AddFloatsAttr(n, "target_weights", w);
  return b;
}

Tensor RandomTensor(Shape shape, std::mt19937& rng) {
  Tensor t(DataType::kFloat, shape);
  std::uniform_real_distribution<float> u(-1, 1);
  for (int64_t i = 0; i < t.size(); ++i) t.mutable_data<float>()[i] = u(rng);
  return t;
}

void RunLoop(benchmark::State& state, const Session& s, const std::map<std::string, Value>& feeds,
             int64_t rows) {
  for (auto _ : state) {
    auto out = s.Run(feeds);
    if (!out.ok()) {
      state.SkipWithError(out.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * rows);
}

// Args: rows, fast (1) or reference (0).
void BM_Forest(benchmark::State& state) {
  std::mt19937 rng(1);
  ModelBuilder b = ForestModel(100, 10, 20, rng);
  auto s = b.Load({.threads = 1, .registry = RegistryFor(state.range(1))});
  if (!s.ok()) return state.SkipWithError(s.status().ToString().c_str());
  RunLoop(state, **s, {{"x", Value(RandomTensor({state.range(0), 20}, rng))}}, state.range(0));
}
BENCHMARK(BM_Forest)->ArgsProduct({{1, 1000}, {1, 0}})->ArgNames({"rows", "fast"});

// Args: rows, k, n, fast.
void BM_Gemm(benchmark::State& state) {
  std::mt19937 rng(2);
  const int64_t rows = state.range(0), k = state.range(1), n = state.range(2);
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT).Output("y");
  b.Initializer("w", RandomTensor({n, k}, rng)).Initializer("c", RandomTensor({n}, rng));
  testing::AddIntAttr(b.Node("Gemm", {"x", "w", "c"}, {"y"}), "transB", 1);
  auto s = b.Load({.threads = 1, .registry = RegistryFor(state.range(3))});
  if (!s.ok()) return state.SkipWithError(s.status().ToString().c_str());
  RunLoop(state, **s, {{"x", Value(RandomTensor({rows, k}, rng))}}, rows);
}
BENCHMARK(BM_Gemm)
    ->ArgsProduct({{1, 1000}, {64, 256}, {256}, {1, 0}})
    ->ArgNames({"rows", "k", "n", "fast"});

// A model file with its input batch, at the default registry.
void BM_Model(benchmark::State& state, std::string dir, std::string name, std::string input,
              int batch) {
  auto s = Session::Load(*Env::Default(), dir + "/" + name + ".onnx", {.threads = 1});
  if (!s.ok()) return state.SkipWithError(s.status().ToString().c_str());
  std::ifstream f(dir + "/" + name + ".b" + std::to_string(batch) + ".pb", std::ios::binary);
  onnx::TensorProto proto;
  if (!proto.ParseFromIstream(&f)) return state.SkipWithError("cannot read the input batch");
  auto t = TensorFromProto(proto);
  if (!t.ok()) return state.SkipWithError(t.status().ToString().c_str());
  RunLoop(state, **s, {{input, Value(*t)}}, batch);
}

void RegisterModelBenchmarks() {
  const char* dir = std::getenv("ADS_BENCH_MODELS");
  if (dir == nullptr) return;
  std::ifstream list(std::string(dir) + "/models.txt");
  std::string name, input;
  while (list >> name >> input) {
    for (int batch : {1, 1000}) {
      benchmark::RegisterBenchmark(("BM_Model/" + name + "/batch:" + std::to_string(batch)).c_str(),
                                   BM_Model, std::string(dir), name, input, batch);
    }
  }
}

}  // namespace
}  // namespace ads::engine

int main(int argc, char** argv) {
  // ADS_BENCH_KEEP_HEAP=1 keeps large blocks in the heap instead of fresh
  // mmap()s, to show how much of a run is page faults on big intermediates
  // (the engine has no arena yet).
  if (std::getenv("ADS_BENCH_KEEP_HEAP") != nullptr) {
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
  }
  benchmark::Initialize(&argc, argv);
  ads::engine::RegisterModelBenchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
