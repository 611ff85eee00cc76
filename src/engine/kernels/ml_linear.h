// LinearRegressor and LinearClassifier as one parsed node: the reference
// kernels (ml_linear.cc) and the fast ones (fast_linear.cc) share it, so the
// two differ only in how they read the input and schedule the rows, never in
// what a row's answer is.
//
//   ADS_ASSIGN_OR_RETURN(LinearSpec spec, ReadLinearClassifier(info));
//   ADS_RETURN_IF_ERROR(spec.CheckColumns(cols));
//   double s[...];                      // spec.scratch_size() doubles
//   spec.Scores(row, cols, s);
//   int64_t label = spec.FinishClassifierRow(s, z_row);
//
// Thread-safety: immutable after Read*; every method is const.
#ifndef ADS_ENGINE_KERNELS_ML_LINEAR_H_
#define ADS_ENGINE_KERNELS_ML_LINEAR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "engine/kernel.h"
#include "engine/kernels/ml_common.h"

namespace ads::engine::kernels {

struct LinearSpec {
  std::string op;  // "LinearRegressor" or "LinearClassifier", for messages
  std::vector<float> coef;  // [targets][cols]
  std::vector<float> intercepts;
  int64_t targets = 1;  // score columns
  PostTransform post = PostTransform::kNone;
  // Classifier only: the labels the label output takes (a single score
  // without two labels gets 0/1), and whether one score column becomes two
  // (onnxruntime's convention for one score with two labels).
  ClassLabels labels;
  bool add_second = false;
  int64_t out_cols = 1;

  int64_t scratch_size() const { return targets < 2 ? 2 : targets; }
  // InvalidArgument unless the coefficients fit `cols` input columns.
  Status CheckColumns(int64_t cols) const;
  // s[t] = intercept[t] + sum over c, in column order, of x[c] * coef[t][c],
  // in double.
  template <typename T>
  void Scores(const T* x, int64_t cols, double* s) const {
    for (int64_t t = 0; t < targets; ++t) {
      double acc = intercepts.empty() ? 0.0 : intercepts[t];
      const float* w = coef.data() + t * cols;
      for (int64_t c = 0; c < cols; ++c) acc += static_cast<double>(x[c]) * w[c];
      s[t] = acc;
    }
  }
  // One row's scores (scratch_size() doubles, changed in place) to its
  // out_cols output values; returns the index of its label.
  int64_t FinishClassifierRow(double* s, float* z) const;
  // One row's scores to its `targets` output values.
  void FinishRegressorRow(double* s, float* y) const;
};

Result<LinearSpec> ReadLinearRegressor(const KernelInfo& info);
Result<LinearSpec> ReadLinearClassifier(const KernelInfo& info);

}  // namespace ads::engine::kernels

#endif  // ADS_ENGINE_KERNELS_ML_LINEAR_H_
