#include "runtime/python_predictor.h"

namespace ads::runtime {

Result<std::unique_ptr<Predictor>> LoadPythonPredictor(Env&, const std::string& dir,
                                                       const PredictorOptions&) {
  return Status(StatusCode::kUnimplemented,
                "the python runtime (score.py workers) is not built yet; cannot serve " + dir);
}

}  // namespace ads::runtime
