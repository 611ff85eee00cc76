// The onnx runtime: an ONNX model served by our engine (engine/Session),
// answering exactly as the ONNX branch of the generated score.py would with
// onnxruntime.
//
//   ADS_ASSIGN_OR_RETURN(auto p, LoadOnnxPredictor(env, "/a", "model.onnx", {}));
//   ADS_ASSIGN_OR_RETURN(PredictResponse r, p->Predict({.body = "[[5.1, 3.5, 1.4, 0.2]]"}));
//   // r.body == {"prediction": [[0], [[0.9, 0.05, 0.05]]]} for a model with the
//   // outputs label and probabilities (every output, in graph order)
//
// Feeding (score.py's _feeds): a model with one input takes the whole table
// (DataFrame columns matched to input_schema.json by name, see input_schema.h);
// several inputs take one DataFrame column, or one item of a list or array,
// each, by name or position. Each input is cast to the declared element type,
// and a single sample (one axis fewer than declared) gets a batch axis.
// Output: {"prediction": out} for one output, {"prediction": [out1, out2, ...]}
// for several; ZipMap outputs are lists of {label: probability} dicts.
//
// Thread-safety: Predict is const and safe from many threads (Session::Run is).
#ifndef ADS_RUNTIME_ONNX_PREDICTOR_H_
#define ADS_RUNTIME_ONNX_PREDICTOR_H_

#include <memory>
#include <string>
#include <vector>

#include "base/env.h"
#include "base/status.h"
#include "engine/value.h"
#include "runtime/payload.h"
#include "runtime/predictor.h"

namespace ads::runtime {

// Loads <dir>/<model_file> and, when present, <dir>/input_schema.json.
Result<std::unique_ptr<Predictor>> LoadOnnxPredictor(Env& env, const std::string& dir,
                                                     const std::string& model_file,
                                                     const PredictorOptions& options);

}  // namespace ads::runtime

#endif  // ADS_RUNTIME_ONNX_PREDICTOR_H_
