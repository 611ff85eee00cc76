// The `ads onnx` command group: run, benchmark and conformance-test ONNX
// models with the built-in engine (engine::Session, the path a server uses).
//
//   ads onnx run model.onnx --input x=rows.json
//   ads onnx bench model.onnx --input x=batch.npy --threads 1 --iterations 200
//   ads onnx test /usr/share/libonnx-testdata/data/node/test_abs my_cases/
//   ads onnx shapes model.onnx
//
// Each command's callback runs on the main thread and stores the exit status.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "base/strings.h"
#include "cli/commands.h"
#include "cli/onnx_io.h"
#include "cli/output.h"
#include "engine/conformance.h"
#include "engine/session.h"

namespace ads::cli {
namespace {

using engine::Session;
using engine::Value;

struct ModelFlags {
  std::string model;
  std::vector<std::string> inputs;
  int threads = 1;
};

void AddModelFlags(CLI::App* cmd, ModelFlags* flags) {
  cmd->add_option("MODEL", flags->model, "The .onnx file")->required();
  cmd->add_option("--input,-i", flags->inputs,
                  "NAME=FILE or FILE (the next input in model order); FILE is .pb (TensorProto), "
                  ".npy or .json (nested lists, typed as the model declares)");
  cmd->add_option("--threads", flags->threads, "Intra-op threads; 0 = one per core")
      ->default_val(1)
      ->check(CLI::Range(0, 1024));
}

struct Loaded {
  std::unique_ptr<Session> session;
  std::map<std::string, Value> feeds;
  double load_ms = 0;
};

Result<Loaded> LoadWithInputs(const ModelFlags& flags) {
  Env& env = *Env::Default();
  Loaded l;
  const auto start = std::chrono::steady_clock::now();
  ADS_ASSIGN_OR_RETURN(l.session, Session::Load(env, flags.model, {.threads = flags.threads}));
  l.load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ADS_ASSIGN_OR_RETURN(l.feeds, ReadFeeds(env, l.session->inputs(), flags.inputs));
  return l;
}

std::string InputsHint(const Session* session) {
  if (session == nullptr) return {};
  std::vector<std::string> parts;
  for (const auto& in : session->inputs()) parts.push_back(in.name + ": " + in.type.ToString());
  return "the model's inputs are " + Join(parts, ", ");
}

// ---- run ----

struct RunFlags : ModelFlags {
  bool pretty = false;
};

int RunOnnxRun(const RunFlags& flags) {
  auto loaded = LoadWithInputs(flags);
  if (!loaded.ok()) return ReportError(loaded.status());
  auto outs = loaded->session->Run(loaded->feeds);
  if (!outs.ok()) return ReportError(outs.status(), InputsHint(loaded->session.get()));
  std::cout << DumpPythonJson(OutputsToJson(loaded->session->outputs(), *outs),
                              {.indent = flags.pretty ? 2 : -1})
            << "\n";
  return kExitOk;
}

// ---- bench ----

struct BenchFlags : ModelFlags {
  int iterations = 100;
  int warmup = 10;
};

// Rows in one run: the first dimension of the first input (1 for scalars
// and non-tensor inputs).
int64_t RowsPerRun(const Session& session, const std::map<std::string, Value>& feeds) {
  if (session.inputs().empty()) return 1;
  auto it = feeds.find(session.inputs()[0].name);
  if (it == feeds.end() || !it->second.is_tensor() || it->second.tensor().rank() == 0) return 1;
  return it->second.tensor().dim(0);
}

double Percentile(const std::vector<double>& sorted, double q) {
  const size_t n = sorted.size();
  const double pos = q * static_cast<double>(n - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, n - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}

int RunOnnxBench(const BenchFlags& flags) {
  auto loaded = LoadWithInputs(flags);
  if (!loaded.ok()) return ReportError(loaded.status());
  const Session& s = *loaded->session;
  for (int i = 0; i < flags.warmup; ++i) {
    auto outs = s.Run(loaded->feeds);
    if (!outs.ok()) return ReportError(outs.status(), InputsHint(&s));
  }
  std::vector<double> us;
  us.reserve(static_cast<size_t>(flags.iterations));
  for (int i = 0; i < flags.iterations; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto outs = s.Run(loaded->feeds);
    const auto end = std::chrono::steady_clock::now();
    if (!outs.ok()) return ReportError(outs.status(), InputsHint(&s));
    us.push_back(std::chrono::duration<double, std::micro>(end - start).count());
  }
  std::sort(us.begin(), us.end());
  const double median = Percentile(us, 0.5);
  const int64_t rows = RowsPerRun(s, loaded->feeds);
  const double rows_per_s = median > 0 ? static_cast<double>(rows) * 1e6 / median : 0;
  std::printf("model %s: %zu nodes planned, %zu folded at load, load %.3f ms\n",
              flags.model.c_str(), s.planned_nodes(), s.folded_nodes(), loaded->load_ms);
  for (const auto& in : s.inputs()) {
    std::printf("input %s: %s\n", in.name.c_str(), loaded->feeds.at(in.name).Describe().c_str());
  }
  std::printf("rows per run %lld; min_us=%.3f p90_us=%.3f max_us=%.3f\n",
              static_cast<long long>(rows), us.front(), Percentile(us, 0.9), us.back());
  std::printf("median_us=%.3f rows_per_s=%.1f iterations=%d threads=%d\n", median, rows_per_s,
              flags.iterations, flags.threads);
  std::fflush(stdout);
  return kExitOk;
}

// ---- shapes ----

// The types and shapes inferred at load (engine/shape_inference.h): one line
// per graph input, then one per node output in graph order.
int RunOnnxShapes(const std::string& model) {
  auto session = Session::Load(*Env::Default(), model, {.threads = 1});
  if (!session.ok()) return ReportError(session.status());
  const engine::InferredTypes& types = (*session)->types();
  auto type_of = [&](const std::string& name) {
    const engine::ValueType* t = types.Find(name);
    return t ? engine::TypeShapeString(*t) : std::string("unknown");
  };
  for (const auto& in : (*session)->inputs()) {
    std::cout << "input " << in.name << ": " << type_of(in.name) << "\n";
  }
  for (const engine::Node& n : (*session)->model().graph.nodes) {
    for (const std::string& out : n.outputs) {
      if (out.empty()) continue;
      std::cout << out << ": " << type_of(out) << "  <- " << n.Describe() << "\n";
    }
  }
  if (!types.ops_without_rule.empty()) {
    std::cout << "no shape rule (outputs unknown): " << Join(types.ops_without_rule, ", ")
              << "\n";
  }
  return kExitOk;
}

// ---- test ----

struct TestFlags {
  std::vector<std::string> dirs;
  double rtol = 1e-3;
  double atol = 1e-7;
};

int RunOnnxTest(const TestFlags& flags) {
  Env& env = *Env::Default();
  engine::ConformanceOptions options;
  options.rtol = flags.rtol;
  options.atol = flags.atol;
  std::vector<engine::CaseResult> results;
  for (const std::string& dir : flags.dirs) {
    if (env.FileExists(JoinPath(dir, "model.onnx"))) {
      results.push_back(engine::RunConformanceCase(env, dir, options));
      continue;
    }
    if (!env.IsDirectory(dir)) {
      return ReportError(NotFoundError(dir + " is not a folder"),
                         "give a test case folder (model.onnx + test_data_set_*) or a folder of "
                         "them");
    }
    auto suite = engine::RunConformanceSuite(env, dir, options);
    if (!suite.ok()) return ReportError(suite.status());
    if (suite->empty()) {
      return ReportError(NotFoundError(dir + " holds no test cases (no */model.onnx)"));
    }
    results.insert(results.end(), suite->begin(), suite->end());
  }
  int passed = 0, failed = 0, skipped = 0;
  for (const engine::CaseResult& r : results) {
    std::cout << engine::CaseOutcomeName(r.outcome) << " " << r.name;
    if (!r.detail.empty()) std::cout << ": " << r.detail;
    std::cout << "\n";
    switch (r.outcome) {
      case engine::CaseOutcome::kPass:
        ++passed;
        break;
      case engine::CaseOutcome::kFail:
        ++failed;
        break;
      case engine::CaseOutcome::kSkip:
        ++skipped;
        break;
    }
  }
  std::cout << passed << " passed, " << failed << " failed, " << skipped << " skipped\n";
  return failed > 0 ? kExitFailed : kExitOk;
}

}  // namespace

void RegisterOnnxRun(CLI::App& parent, int* exit_code) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "run",
      "Run a model once and print its outputs as JSON: {\"<output>\": {\"dtype\", "
      "\"shape\", \"data\"}} for tensors, lists of objects for ZipMap outputs");
  AddModelFlags(cmd, flags.get());
  cmd->add_flag("--pretty", flags->pretty, "Indent the JSON");
  cmd->callback([flags, exit_code] { *exit_code = RunOnnxRun(*flags); });
}

void RegisterOnnxBench(CLI::App& parent, int* exit_code) {
  auto flags = std::make_shared<BenchFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "bench",
      "Time Session::Run on fixed inputs. Output: human-readable lines, then as the last line "
      "`median_us=<float> rows_per_s=<float> iterations=<K> threads=<N>` (median wall time of "
      "one run in microseconds; rows = first dimension of the first input)");
  AddModelFlags(cmd, flags.get());
  cmd->add_option("--iterations", flags->iterations, "Timed runs")
      ->default_val(100)
      ->check(CLI::Range(1, 100000000));
  cmd->add_option("--warmup", flags->warmup, "Untimed runs first")
      ->default_val(10)
      ->check(CLI::Range(0, 100000000));
  cmd->callback([flags, exit_code] { *exit_code = RunOnnxBench(*flags); });
}

void RegisterOnnxShapes(CLI::App& parent, int* exit_code) {
  auto model = std::make_shared<std::string>();
  CLI::App* cmd = parent.add_subcommand(
      "shapes",
      "Load a model and print the element type and shape inferred for every value "
      "(`name: tensor(float)[?,4]  <- node ...`, `?` = symbolic or unknown dim)");
  cmd->add_option("MODEL", *model, "The .onnx file")->required();
  cmd->callback([model, exit_code] { *exit_code = RunOnnxShapes(*model); });
}

void RegisterOnnxTest(CLI::App& parent, int* exit_code) {
  auto flags = std::make_shared<TestFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "test",
      "Run ONNX backend-style test cases (model.onnx + test_data_set_*/input_<i>.pb, "
      "output_<j>.pb). Prints `PASS name`, `FAIL name: why` or `SKIP name: why` per case and "
      "`N passed, N failed, N skipped`; exits 1 if any case fails");
  cmd->add_option("DIR", flags->dirs, "A case folder, or a folder of case folders")->required();
  cmd->add_option("--rtol", flags->rtol, "Relative tolerance for floating-point outputs")
      ->default_val(1e-3)
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--atol", flags->atol, "Absolute tolerance for floating-point outputs")
      ->default_val(1e-7)
      ->check(CLI::NonNegativeNumber);
  cmd->callback([flags, exit_code] { *exit_code = RunOnnxTest(*flags); });
}

}  // namespace ads::cli
