// The xgboost runtime: an XGBoost booster (JSON, UBJSON or legacy binary
// file) served through libxgboost's C API, answering exactly as the XGBoost
// branch of the generated score.py would: {"prediction": Booster.predict(X)}
// as lists — the positive-class probability per row for binary:logistic, one
// row of class probabilities for multi:softprob, the class index for
// multi:softmax, the value for regression.
//
//   ADS_ASSIGN_OR_RETURN(auto p, LoadXgboostPredictor(env, "/a", "model.json", {}));
//   ADS_ASSIGN_OR_RETURN(PredictResponse r, p->Predict({.body = "[[1, 2, 3, 4]]"}));
//   // r.body == {"prediction": [0.7856536507606506]}
//
// Input (score.py's _as_dmatrix): a DataFrame is matched to the booster's
// feature names when it has them all, else to input_schema.json, else taken
// as sent; lists and arrays are float32 matrices; a 1-D input is one row (one
// column for a single-feature model). Unlike libxgboost, which treats missing
// trailing columns as missing values, a row with a different number of
// features than the booster's is refused: that is almost always a client bug.
//
// Thread-safety: Predict is const and safe from many threads. Tree boosters
// (gbtree, dart) predict in place (XGBoosterPredictFromDense), which keeps no
// shared state and which XGBoost documents as thread-safe; gblinear has no
// in-place prediction, so its DMatrix path is serialised by a mutex.
#ifndef ADS_RUNTIME_XGBOOST_PREDICTOR_H_
#define ADS_RUNTIME_XGBOOST_PREDICTOR_H_

#include <memory>
#include <string>

#include "base/env.h"
#include "base/status.h"
#include "runtime/predictor.h"

namespace ads::runtime {

// Loads <dir>/<model_file> (format recognised from the content) and, when
// present, <dir>/input_schema.json.
Result<std::unique_ptr<Predictor>> LoadXgboostPredictor(Env& env, const std::string& dir,
                                                        const std::string& model_file,
                                                        const PredictorOptions& options);

}  // namespace ads::runtime

#endif  // ADS_RUNTIME_XGBOOST_PREDICTOR_H_
