// The python runtime: the artifact's own score.py, run in a pool of isolated
// worker processes (Debian's python3). See predictor.h for the contract.
#ifndef ADS_RUNTIME_PYTHON_PREDICTOR_H_
#define ADS_RUNTIME_PYTHON_PREDICTOR_H_

#include <memory>
#include <string>

#include "base/env.h"
#include "base/status.h"
#include "runtime/predictor.h"

namespace ads::runtime {

// Starts options.python_workers workers for the artifact in `dir`; each imports
// score.py and calls load_model() once. Fails when no worker comes up, with
// the worker's own error (for example an ImportError from score.py).
Result<std::unique_ptr<Predictor>> LoadPythonPredictor(Env& env, const std::string& dir,
                                                       const PredictorOptions& options);

}  // namespace ads::runtime

#endif  // ADS_RUNTIME_PYTHON_PREDICTOR_H_
