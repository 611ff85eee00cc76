// Conformance runner: runs ONNX backend test cases (the layout of onnx's
// backend/test/data, shipped by Debian's libonnx-testdata) on the engine.
//
//   <case>/model.onnx
//   <case>/test_data_set_<k>/input_<i>.pb    positional graph inputs
//   <case>/test_data_set_<k>/output_<j>.pb   positional graph outputs
//
//   CaseResult r = RunConformanceCase(env, "/usr/share/libonnx-testdata/data/node/test_abs");
//   if (r.outcome == CaseOutcome::kFail) std::cerr << r.detail;
//
// A case PASSes when every data set's outputs match (same dtype and shape;
// floats within atol + rtol*|expected|, NaN equal to NaN; everything else
// exact). It is SKIPped when the engine reports kUnimplemented (unsupported
// operator, opset or dtype), and FAILs otherwise, with the first mismatch.
//
// Thread-safety: stateless functions.
#ifndef ADS_ENGINE_CONFORMANCE_H_
#define ADS_ENGINE_CONFORMANCE_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/status.h"
#include "engine/model.h"
#include "engine/session.h"
#include "engine/value.h"

namespace ads::engine {

enum class CaseOutcome { kPass, kFail, kSkip };
std::string_view CaseOutcomeName(CaseOutcome outcome);  // "PASS", "FAIL", "SKIP"

struct CaseResult {
  std::string name;  // the case folder's base name
  CaseOutcome outcome = CaseOutcome::kFail;
  std::string detail;  // why it failed or was skipped; empty on pass
};

struct ConformanceOptions {
  double rtol = 1e-3;
  double atol = 1e-7;
  SessionOptions session{.threads = 1};
};

CaseResult RunConformanceCase(Env& env, const std::string& case_dir,
                              const ConformanceOptions& options = {});

// Runs every sub-folder of `suite_dir` that holds a model.onnx, sorted by name.
Result<std::vector<CaseResult>> RunConformanceSuite(Env& env, const std::string& suite_dir,
                                                    const ConformanceOptions& options = {});

// Parses a serialized TensorProto, SequenceProto, MapProto or OptionalProto,
// chosen by `type`.
Result<Value> ParseValueProto(std::string_view bytes, const ValueType& type);

// OK when `got` matches `expected`; otherwise an error describing the first
// difference (shape, dtype, or element index with both values).
Status CompareValues(const Value& expected, const Value& got, double rtol, double atol);

}  // namespace ads::engine

#endif  // ADS_ENGINE_CONFORMANCE_H_
