// Shared pieces of the ai.onnx.ml kernels: post transforms, the binary-class
// score convention, and reading a 1-D/2-D numeric feature input as rows.
//
//   ADS_ASSIGN_OR_RETURN(PostTransform pt, ParsePostTransform(info));
//   ApplyPostTransform(pt, scores);           // in place, one row
//
// Semantics follow the ONNX ai.onnx.ml operator specs; where the spec is
// silent (the binary case of the classifiers), they follow onnxruntime, which
// is what model converters are tested against.
//
// Thread-safety: stateless.
#ifndef ADS_ENGINE_KERNELS_ML_COMMON_H_
#define ADS_ENGINE_KERNELS_ML_COMMON_H_

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/kernel.h"
#include "engine/tensor.h"

namespace ads::engine::kernels {

enum class PostTransform { kNone, kSoftmax, kLogistic, kSoftmaxZero, kProbit };

Result<PostTransform> ParsePostTransform(const KernelInfo& info);

double Logistic(double x);
// sqrt(2) * erfinv(2p - 1): the standard normal quantile of p.
double Probit(double p);

// Applies a post transform to one row of scores (size >= 2 for the
// softmaxes; elementwise otherwise).
void ApplyPostTransform(PostTransform pt, std::span<double> scores);

// How a classifier that produced one score expands it into two columns
// (onnxruntime's convention): kProbability: [1-s, s]; kMargin: [-s, s], or
// [logistic(-s), logistic(s)] under LOGISTIC.
enum class SecondClass { kNone, kProbability, kMargin };
// Returns the two output columns for a single raw score.
std::pair<double, double> ExpandBinaryScore(double s, PostTransform pt, SecondClass mode);

// A numeric input viewed as rows x cols of doubles ([N, C], or [C] as 1 row).
struct FeatureMatrix {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<double> values;
  double at(int64_t r, int64_t c) const { return values[r * cols + c]; }
};
Result<FeatureMatrix> ReadFeatures(const Tensor& x, std::string_view op);

// Class labels: int64 or string, from classlabels_ints/classlabels_int64s or
// classlabels_strings.
struct ClassLabels {
  bool strings = false;
  std::vector<int64_t> ints;
  std::vector<std::string> names;
  size_t size() const { return strings ? names.size() : ints.size(); }
};
Result<ClassLabels> ReadClassLabels(const KernelInfo& info, const char* ints_name);
// A [rows] tensor of labels picked by index from `labels`.
Tensor MakeLabelTensor(const ClassLabels& labels, const std::vector<int64_t>& index);

// A classifier's label output filled row by row (rows may be set from
// several threads, each row once): int64 labels go straight into an output
// tensor from the run's arena, string labels through their indices. Used in
// place, not copied: Set writes through a pointer into the output Start made.
//
//   LabelWriter labels(spec.labels);
//   ADS_RETURN_IF_ERROR(labels.Start(ctx, /*output=*/0, rows));
//   labels.Set(r, best);               // for every row
//   ctx.set_output(0, labels.Finish());
class LabelWriter {
 public:
  explicit LabelWriter(const ClassLabels& labels) : labels_(labels) {}
  LabelWriter(const LabelWriter&) = delete;
  LabelWriter& operator=(const LabelWriter&) = delete;

  Status Start(const KernelContext& ctx, size_t output, int64_t rows);
  void Set(int64_t row, int64_t index) {
    if (ints_ != nullptr) {
      ints_[row] = labels_.ints[index];
    } else {
      index_[row] = index;
    }
  }
  // The [rows] label tensor; call once, after every row is set.
  Tensor Finish();

 private:
  const ClassLabels& labels_;
  std::optional<Tensor> tensor_;  // int labels
  int64_t* ints_ = nullptr;
  std::vector<int64_t> index_;  // string labels
};

// Attribute `name` as doubles from `<name>_as_tensor` (double tensor) when
// present, otherwise from the float list `name`.
Result<std::vector<double>> GetDoubles(const KernelInfo& info, const std::string& name);

}  // namespace ads::engine::kernels

#endif  // ADS_ENGINE_KERNELS_ML_COMMON_H_
