// Runs the generated ai.onnx.ml cases in tests/data/engine/ml (built by
// tests/data/engine/make_ml_cases.py from sklearn/xgboost estimators and
// numpy evaluators of the spec) and requires every one to pass.
#include <gtest/gtest.h>

#include "base/env.h"
#include "engine/conformance.h"

namespace ads::engine {
namespace {

std::string CaseDir(const std::string& name) {
  return std::string(ADS_SOURCE_DIR) + "/tests/data/engine/ml/" + name;
}

class MlCaseTest : public ::testing::TestWithParam<const char*> {};

TEST_P(MlCaseTest, MatchesReference) {
  CaseResult r = RunConformanceCase(*Env::Default(), CaseDir(GetParam()));
  EXPECT_EQ(CaseOutcomeName(r.outcome), "PASS") << r.detail;
}

INSTANTIATE_TEST_SUITE_P(
    Generated, MlCaseTest,
    ::testing::Values("tree_regressor_rf", "tree_classifier_rf_2class",
                      "tree_classifier_rf_3class_zipmap", "tree_classifier_xgb_binary",
                      "tree_regressor_modes_sum", "tree_regressor_modes_average",
                      "tree_regressor_modes_min", "tree_regressor_modes_max",
                      "tree_classifier_modes_softmax_strings", "scaler_linear_classifier",
                      "linear_regressor", "imputer_normalizer_binarizer_afe",
                      "onehot_label_encoder_strings", "svm_classifier_rbf_3class",
                      "svm_classifier_rbf_3class_proba", "svm_classifier_poly_2class",
                      "svm_classifier_linear_2class_proba", "svm_regressor_rbf",
                      "tree_classifier_xgb_multiclass", "tree_regressor_xgb",
                      "tree_regressor_xgb_as_tensor", "tree_regressor_gb",
                      "tree_classifier_gb_2class", "tree_classifier_gb_3class",
                      "tree_classifier_et_3class", "tree_regressor_et_2targets_as_tensor",
                      "tree_regressor_dt_on_thresholds",
                      "tree_classifier_dt_on_thresholds_strings",
                      "linear_classifier_binary_strings_zipmap", "linear_svc_3class_zipmap",
                      "logistic_ovr_normalizer_zipmap", "imputer_sklearn_mean",
                      "imputer_sklearn_int64", "tree_regressor_rf_2targets"));

TEST(MlCaseTest, EveryGeneratedCaseIsListed) {
  auto entries = Env::Default()->ListDir(std::string(ADS_SOURCE_DIR) + "/tests/data/engine/ml");
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 34u) << "add new cases to the list above";
}

}  // namespace
}  // namespace ads::engine
