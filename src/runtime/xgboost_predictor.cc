#include "runtime/xgboost_predictor.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <mutex>
#include <utility>
#include <vector>

#include "artifact/model_info.h"
#include "base/json.h"
#include "base/strings.h"
#include "runtime/input_schema.h"
#include "runtime/output_json.h"
#include "runtime/tensor_convert.h"

namespace ads::runtime {
namespace {

using engine::DataType;
using engine::Tensor;

struct BoosterFree {
  void operator()(void* h) const { XGBoosterFree(h); }
};
struct DMatrixFree {
  void operator()(void* h) const { XGDMatrixFree(h); }
};
using BoosterPtr = std::unique_ptr<void, BoosterFree>;
using DMatrixPtr = std::unique_ptr<void, DMatrixFree>;

std::string LastError() { return XGBGetLastError(); }

// What Booster.predict(DMatrix) asks for (xgboost 1.7's Python package).
constexpr char kPredictConfig[] =
    R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
    R"("strict_shape": false})";
// Booster.inplace_predict's config: the same plus the missing-value marker.
constexpr char kInplaceConfig[] =
    R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
    R"("strict_shape": false, "missing": NaN, "cache_id": 0})";

struct Prediction {
  std::vector<float> values;
  engine::Shape shape;
};

Prediction CopyPrediction(const bst_ulong* shape, bst_ulong dim, const float* result) {
  Prediction p;
  int64_t count = 1;
  for (bst_ulong i = 0; i < dim; ++i) {
    p.shape.push_back(static_cast<int64_t>(shape[i]));
    count *= static_cast<int64_t>(shape[i]);
  }
  p.values.assign(result, result + count);
  return p;
}

class XgboostPredictor : public Predictor {
 public:
  XgboostPredictor(BoosterPtr booster, int64_t num_features, std::vector<std::string> names,
                   bool inplace, InputSchema schema)
      : booster_(std::move(booster)),
        num_features_(num_features),
        feature_names_(std::move(names)),
        inplace_(inplace),
        schema_(std::move(schema)) {}

  RuntimeKind kind() const override { return RuntimeKind::kXgboost; }

  Result<PredictResponse> Predict(const PredictRequest& request) const override {
    ADS_ASSIGN_OR_RETURN(Payload payload, DecodePayload(request.body, request.content_type,
                                                        schema_.payload_options));
    ADS_ASSIGN_OR_RETURN(Tensor x, Matrix(payload));
    PredictResponse response;
    response.body = "{\"prediction\": ";
    if (x.dim(0) == 0) {
      response.body += "[]}";  // ndarray.tolist() of zero rows, whatever the columns
      return response;
    }
    ADS_ASSIGN_OR_RETURN(Prediction p, Run(x));
    AppendFloatsJson(p.values, p.shape, &response.body);
    response.body += '}';
    return response;
  }

  // One prediction at load: XGBoost configures a booster lazily on first use,
  // which is best done before requests arrive from many threads.
  Status WarmUp() const {
    Tensor row(DataType::kFloat, {1, std::max<int64_t>(num_features_, 1)});
    float* data = row.mutable_data<float>();
    for (int64_t i = 0; i < row.size(); ++i) data[i] = 0.0f;
    return Run(row).status();
  }

 private:
  Result<Tensor> Matrix(const Payload& payload) const {
    ADS_ASSIGN_OR_RETURN(Tensor x, AsFloatMatrix(payload));
    if (x.rank() == 1) {
      const int64_t n = x.dim(0);
      ADS_ASSIGN_OR_RETURN(x, x.Reshaped(num_features_ == 1 ? engine::Shape{n, 1}
                                                             : engine::Shape{1, n}));
    }
    if (x.rank() != 2) {
      return InvalidArgumentError("The payload must be a row or a list of rows of features; got " +
                                  std::string(x.rank() == 0 ? "a single value" : "a " +
                                  std::to_string(x.rank()) + "-D array") + ".");
    }
    if (x.dim(0) > 0 && x.dim(1) != num_features_) {
      return InvalidArgumentError("The model takes " + std::to_string(num_features_) +
                                  " features per row; the payload has " +
                                  std::to_string(x.dim(1)) + ".");
    }
    return x;
  }

  Result<Tensor> AsFloatMatrix(const Payload& payload) const {
    switch (payload.kind) {
      case Payload::Kind::kFrame: {
        ADS_ASSIGN_OR_RETURN(std::vector<size_t> columns, FrameColumns(payload.frame));
        return FrameToTensor(payload.frame, columns, DataType::kFloat, "The payload");
      }
      case Payload::Kind::kArray: return CastTensor(payload.array, DataType::kFloat, "The payload");
      case Payload::Kind::kList:
        if (payload.dense) return CastTensor(payload.array, DataType::kFloat, "The payload");
        break;
      case Payload::Kind::kSeries: break;
    }
    return JsonToTensor(payload.json, DataType::kFloat, "The payload");
  }

  // score.py: X[feature_names] when the frame has them all, else X.values.
  Result<std::vector<size_t>> FrameColumns(const Frame& frame) const {
    std::vector<size_t> columns;
    for (const std::string& name : feature_names_) {
      const int at = frame.ColumnIndex(name);
      if (at < 0) break;
      columns.push_back(static_cast<size_t>(at));
    }
    if (!feature_names_.empty() && columns.size() == feature_names_.size()) return columns;
    return TableColumns(frame, schema_);
  }

  Result<Prediction> Run(const Tensor& x) const {
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* result = nullptr;
    if (inplace_) {
      const std::string array =
          R"({"data": [)" + std::to_string(reinterpret_cast<uintptr_t>(x.data<float>())) +
          R"(, true], "shape": [)" + std::to_string(x.dim(0)) + ", " + std::to_string(x.dim(1)) +
          R"(], "typestr": "<f4", "version": 3})";
      if (XGBoosterPredictFromDense(booster_.get(), array.c_str(), kInplaceConfig, nullptr, &shape,
                                    &dim, &result) != 0) {
        return InternalError("XGBoost prediction failed: " + LastError());
      }
      // The result lives in a per-thread buffer of the booster: copy it now.
      return CopyPrediction(shape, dim, result);
    }
    DMatrixHandle handle = nullptr;
    if (XGDMatrixCreateFromMat(x.data<float>(), static_cast<bst_ulong>(x.dim(0)),
                               static_cast<bst_ulong>(x.dim(1)), std::numeric_limits<float>::quiet_NaN(),
                               &handle) != 0) {
      return InternalError("XGBoost could not take the input: " + LastError());
    }
    DMatrixPtr dmatrix(handle);
    std::lock_guard<std::mutex> lock(mu_);
    if (XGBoosterPredictFromDMatrix(booster_.get(), dmatrix.get(), kPredictConfig, &shape, &dim,
                                    &result) != 0) {
      return InternalError("XGBoost prediction failed: " + LastError());
    }
    return CopyPrediction(shape, dim, result);
  }

  BoosterPtr booster_;
  int64_t num_features_;
  std::vector<std::string> feature_names_;
  bool inplace_;
  InputSchema schema_;
  mutable std::mutex mu_;  // the DMatrix path's prediction cache is not thread-safe
};

Result<std::vector<std::string>> FeatureNames(BoosterHandle h) {
  bst_ulong len = 0;
  const char** names = nullptr;
  if (XGBoosterGetStrFeatureInfo(h, "feature_name", &len, &names) != 0) {
    return InternalError("XGBoost could not report the feature names: " + LastError());
  }
  return std::vector<std::string>(names, names + len);
}

// "gbtree", "dart" or "gblinear", from the booster's saved configuration.
Result<std::string> BoosterType(BoosterHandle h) {
  bst_ulong len = 0;
  const char* text = nullptr;
  if (XGBoosterSaveJsonConfig(h, &len, &text) != 0) {
    return InternalError("XGBoost could not report its configuration: " + LastError());
  }
  ADS_ASSIGN_OR_RETURN(Json config, ParseJson(std::string_view(text, len), "XGBoost's configuration"));
  const Json* learner = FindMember(config, "learner");
  const Json* booster = learner != nullptr ? FindMember(*learner, "gradient_booster") : nullptr;
  return booster != nullptr ? StringMemberOr(*booster, "name", "gbtree") : std::string("gbtree");
}

}  // namespace

Result<std::unique_ptr<Predictor>> LoadXgboostPredictor(Env& env, const std::string& dir,
                                                        const std::string& model_file,
                                                        const PredictorOptions& options) {
  const std::string path = JoinPath(dir, model_file);
  ADS_ASSIGN_OR_RETURN(std::string bytes, env.ReadFile(path));
  // Our own inspection first: it names the problem in a damaged file, and
  // libxgboost is never handed bytes that are not a recognisable model.
  ADS_ASSIGN_OR_RETURN(artifact::ModelInfo info, artifact::InspectModelBytes(bytes, model_file));
  if (info.format != artifact::ModelFormat::kXgboostJson &&
      info.format != artifact::ModelFormat::kXgboostUbj &&
      info.format != artifact::ModelFormat::kXgboostBinary) {
    return InvalidArgumentError(model_file + " is not an XGBoost model (it looks like " +
                                std::string(artifact::ModelFormatName(info.format)) + ").");
  }
  BoosterHandle handle = nullptr;
  if (XGBoosterCreate(nullptr, 0, &handle) != 0) {
    return InternalError("XGBoost could not create a booster: " + LastError());
  }
  BoosterPtr booster(handle);
  if (XGBoosterLoadModelFromBuffer(handle, bytes.data(), bytes.size()) != 0) {
    return InvalidArgumentError("XGBoost could not load " + model_file + ": " + LastError());
  }
  if (options.threads > 0 &&
      XGBoosterSetParam(handle, "nthread", std::to_string(options.threads).c_str()) != 0) {
    return InternalError("XGBoost refused nthread: " + LastError());
  }
  bst_ulong num_features = 0;
  if (XGBoosterGetNumFeature(handle, &num_features) != 0) {
    return InternalError("XGBoost could not report the number of features: " + LastError());
  }
  ADS_ASSIGN_OR_RETURN(std::vector<std::string> names, FeatureNames(handle));
  ADS_ASSIGN_OR_RETURN(std::string type, BoosterType(handle));
  ADS_ASSIGN_OR_RETURN(InputSchema schema, ReadInputSchema(env, dir));
  auto predictor = std::make_unique<XgboostPredictor>(
      std::move(booster), static_cast<int64_t>(num_features), std::move(names),
      /*inplace=*/type != "gblinear", std::move(schema));
  ADS_RETURN_IF_ERROR(predictor->WarmUp());
  return std::unique_ptr<Predictor>(std::move(predictor));
}

}  // namespace ads::runtime
