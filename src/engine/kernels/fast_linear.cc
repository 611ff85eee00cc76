// Fast LinearClassifier, LinearRegressor and Scaler for float inputs (the
// StandardScaler + LogisticRegression pipeline skl2onnx writes). The
// reference kernels first copy the whole input into doubles and compute one
// score at a time; these read the floats in place, compute four rows' scores
// at once (so the sums' dependency chains overlap) and spread large batches
// over the thread pool. Each score is still summed in double in column order
// and each row finished by the same LinearSpec code (ml_linear.h), so the
// answers are the reference's exactly.
//
// Declined at load: nothing (they take every node the reference takes).
// At run time a non-float input, or one of rank other than 1 or 2, goes to a
// reference kernel made at load, which also produces its errors.
//
// Thread-safety: immutable after creation; Run is reentrant.
#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include "engine/kernels/kernel_util.h"
#include "engine/kernels/ml_linear.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {
namespace {

// Rows per chunk of the thread pool (ParallelFor keeps a batch this small
// on the caller).
constexpr int64_t kRowsPerChunk = 256;
constexpr int64_t kRowBlock = 4;  // the four sums below

// The float input as rows x cols, or nullopt when the fast path does not
// apply (the reference kernel then serves the call).
struct FloatRows {
  const float* x;
  int64_t rows;
  int64_t cols;
};
std::optional<FloatRows> AsFloatRows(const Tensor& t) {
  if (t.dtype() != DataType::kFloat) return std::nullopt;
  if (t.rank() == 1) return FloatRows{t.data<float>(), 1, t.dim(0)};
  if (t.rank() == 2) return FloatRows{t.data<float>(), t.dim(0), t.dim(1)};
  return std::nullopt;
}

class FastLinear : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> Create(const KernelInfo& info) {
    auto k = std::make_unique<FastLinear>();
    k->classifier_ = info.node().op_type == "LinearClassifier";
    if (k->classifier_) {
      ADS_ASSIGN_OR_RETURN(k->spec_, ReadLinearClassifier(info));
    } else {
      ADS_ASSIGN_OR_RETURN(k->spec_, ReadLinearRegressor(info));
    }
    ADS_ASSIGN_OR_RETURN(k->reference_, ReferenceKernelRegistry().Create(info));
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status Run(KernelContext& ctx) const override {
    ADS_ASSIGN_OR_RETURN(const Tensor* xt, ctx.input(0));
    const std::optional<FloatRows> in = AsFloatRows(*xt);
    if (!in) return reference_->Run(ctx);
    ADS_RETURN_IF_ERROR(spec_.CheckColumns(in->cols));
    const int64_t rows = in->rows, out_cols = spec_.out_cols;
    ADS_ASSIGN_OR_RETURN(Tensor z, ctx.NewOutput(classifier_ ? 1 : 0, DataType::kFloat,
                                                 {rows, out_cols}));
    float* pz = z.mutable_data<float>();
    if (!classifier_) {
      ctx.ParallelFor(rows, kRowsPerChunk, [&](int64_t begin, int64_t end) {
        ScoreRows(*in, begin, end, [&](int64_t r, double* s) {
          spec_.FinishRegressorRow(s, pz + r * out_cols);
        });
      });
      ctx.set_output(0, std::move(z));
      return OkStatus();
    }
    LabelWriter labels(spec_.labels);
    ADS_RETURN_IF_ERROR(labels.Start(ctx, 0, rows));
    ctx.ParallelFor(rows, kRowsPerChunk, [&](int64_t begin, int64_t end) {
      ScoreRows(*in, begin, end, [&](int64_t r, double* s) {
        labels.Set(r, spec_.FinishClassifierRow(s, pz + r * out_cols));
      });
    });
    ctx.set_output(0, labels.Finish());
    ctx.set_output(1, std::move(z));
    return OkStatus();
  }

 private:
  // Scores rows [begin, end) kRowBlock at a time and hands each row's
  // scores (scratch_size() doubles) to finish(r, s). Every score is the sum
  // LinearSpec::Scores computes, term by term in the same order.
  template <typename Finish>
  void ScoreRows(const FloatRows& in, int64_t begin, int64_t end, Finish finish) const {
    const int64_t targets = spec_.targets, cols = in.cols, width = spec_.scratch_size();
    std::vector<double> acc(static_cast<size_t>(kRowBlock * width));
    int64_t r = begin;
    for (; r + kRowBlock <= end; r += kRowBlock) {
      const float* x = in.x + r * cols;
      for (int64_t t = 0; t < targets; ++t) {
        const double b = spec_.intercepts.empty() ? 0.0 : spec_.intercepts[t];
        const float* w = spec_.coef.data() + t * cols;
        double a0 = b, a1 = b, a2 = b, a3 = b;
        for (int64_t c = 0; c < cols; ++c) {
          const double wc = w[c];
          a0 += static_cast<double>(x[c]) * wc;
          a1 += static_cast<double>(x[cols + c]) * wc;
          a2 += static_cast<double>(x[2 * cols + c]) * wc;
          a3 += static_cast<double>(x[3 * cols + c]) * wc;
        }
        acc[t] = a0, acc[width + t] = a1, acc[2 * width + t] = a2, acc[3 * width + t] = a3;
      }
      for (int64_t i = 0; i < kRowBlock; ++i) finish(r + i, acc.data() + i * width);
    }
    for (; r < end; ++r) {
      spec_.Scores(in.x + r * cols, cols, acc.data());
      finish(r, acc.data());
    }
  }

  bool classifier_ = false;
  LinearSpec spec_;
  std::unique_ptr<Kernel> reference_;
};

// y = (x - offset) * scale per column, in double as the reference does.
class FastScaler : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> Create(const KernelInfo& info) {
    auto k = std::make_unique<FastScaler>();
    ADS_ASSIGN_OR_RETURN(std::vector<float> offset, info.GetFloats("offset"));
    ADS_ASSIGN_OR_RETURN(std::vector<float> scale, info.GetFloats("scale"));
    // Per-column values when either list has more than one; a width of 0
    // means both are scalars (or absent).
    k->width_ = static_cast<int64_t>(std::max(offset.size() > 1 ? offset.size() : 0,
                                              scale.size() > 1 ? scale.size() : 0));
    const auto value = [](const std::vector<float>& v, size_t c, double none) {
      return v.empty() ? none : static_cast<double>(v[v.size() == 1 ? 0 : c]);
    };
    const bool fits = (offset.size() <= 1 || static_cast<int64_t>(offset.size()) == k->width_) &&
                      (scale.size() <= 1 || static_cast<int64_t>(scale.size()) == k->width_);
    for (size_t c = 0; fits && c < static_cast<size_t>(std::max<int64_t>(1, k->width_)); ++c) {
      k->offset_.push_back(value(offset, c, 0.0));
      k->scale_.push_back(value(scale, c, 1.0));
    }
    // Offset and scale of different lengths: the reference reports it.
    k->fits_ = fits;
    ADS_ASSIGN_OR_RETURN(k->reference_, ReferenceKernelRegistry().Create(info));
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status Run(KernelContext& ctx) const override {
    ADS_ASSIGN_OR_RETURN(const Tensor* xt, ctx.input(0));
    const std::optional<FloatRows> in = AsFloatRows(*xt);
    if (!in || !fits_ || (width_ > 0 && width_ != in->cols)) return reference_->Run(ctx);
    ADS_ASSIGN_OR_RETURN(Tensor y, ctx.NewOutput(0, DataType::kFloat, xt->shape()));
    float* py = y.mutable_data<float>();
    const int64_t cols = in->cols;
    ctx.ParallelFor(in->rows, kRowsPerChunk, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const float* x = in->x + r * cols;
        float* out = py + r * cols;
        if (width_ == 0) {
          const double o = offset_[0], k = scale_[0];
          for (int64_t c = 0; c < cols; ++c) {
            out[c] = static_cast<float>((static_cast<double>(x[c]) - o) * k);
          }
        } else {
          for (int64_t c = 0; c < cols; ++c) {
            out[c] = static_cast<float>((static_cast<double>(x[c]) - offset_[c]) * scale_[c]);
          }
        }
      }
    });
    ctx.set_output(0, std::move(y));
    return OkStatus();
  }

 private:
  int64_t width_ = 0;
  bool fits_ = true;
  std::vector<double> offset_, scale_;
  std::unique_ptr<Kernel> reference_;
};

}  // namespace

void RegisterFastLinearKernels(KernelRegistry& r) {
  r.Register({"ai.onnx.ml", "LinearClassifier", 1}, FastLinear::Create, kFastKernelPriority,
             "fast");
  r.Register({"ai.onnx.ml", "LinearRegressor", 1}, FastLinear::Create, kFastKernelPriority,
             "fast");
  r.Register({"ai.onnx.ml", "Scaler", 1}, FastScaler::Create, kFastKernelPriority, "fast");
}

}  // namespace ads::engine::kernels
