#include "runtime/onnx_predictor.h"

#include <utility>

#include "base/strings.h"
#include "engine/session.h"
#include "runtime/input_schema.h"
#include "runtime/output_json.h"
#include "runtime/tensor_convert.h"

namespace ads::runtime {
namespace {

using engine::DataType;
using engine::Tensor;
using engine::Value;
using engine::ValueInfo;

// The element type score.py casts an input to: the declared one; float32 when
// the model leaves it open (as score.py's _ONNX_TYPES lookup does).
DataType FeedType(const ValueInfo& in) {
  return in.type.elem_type == DataType::kUndefined ? DataType::kFloat : in.type.elem_type;
}

// score.py's _as_tensor: one axis fewer than declared means a single sample.
Result<Value> AsInput(Tensor t, const ValueInfo& in) {
  if (in.type.has_shape && t.rank() + 1 == in.type.dims.size()) {
    engine::Shape batched = t.shape();
    batched.insert(batched.begin(), 1);
    ADS_ASSIGN_OR_RETURN(t, t.Reshaped(std::move(batched)));
  }
  return Value(std::move(t));
}

std::string InputNames(const std::vector<ValueInfo>& inputs) {
  std::string out;
  for (const ValueInfo& in : inputs) out += (out.empty() ? "" : ", ") + Quoted(in.name);
  return "[" + out + "]";
}

class OnnxPredictor : public Predictor {
 public:
  OnnxPredictor(std::unique_ptr<engine::Session> session, InputSchema schema)
      : session_(std::move(session)), schema_(std::move(schema)) {}

  RuntimeKind kind() const override { return RuntimeKind::kOnnx; }

  Result<PredictResponse> Predict(const PredictRequest& request) const override {
    ADS_ASSIGN_OR_RETURN(Payload payload, DecodePayload(request.body, request.content_type,
                                                        schema_.payload_options));
    ADS_ASSIGN_OR_RETURN(std::vector<Value> feeds, Feeds(payload));
    ADS_ASSIGN_OR_RETURN(std::vector<Value> outputs, session_->RunPositional(std::move(feeds)));
    PredictResponse response;
    std::string& body = response.body;
    body = "{\"prediction\": ";
    if (outputs.size() == 1) {
      ADS_RETURN_IF_ERROR(AppendValueJson(outputs[0], &body));
    } else {
      body += '[';
      for (size_t i = 0; i < outputs.size(); ++i) {
        if (i > 0) body += ", ";
        ADS_RETURN_IF_ERROR(AppendValueJson(outputs[i], &body));
      }
      body += ']';
    }
    body += '}';
    return response;
  }

 private:
  const std::vector<ValueInfo>& inputs() const { return session_->inputs(); }

  Result<std::vector<Value>> Feeds(const Payload& payload) const {
    if (inputs().empty()) return std::vector<Value>{};
    switch (payload.kind) {
      case Payload::Kind::kFrame: return FrameFeeds(payload.frame);
      case Payload::Kind::kArray: return ArrayFeeds(payload.array);
      case Payload::Kind::kList:
        if (payload.dense) return ArrayFeeds(payload.array);  // same result, no JSON tree
        return ListFeeds(payload.json);
      case Payload::Kind::kSeries: return ListFeeds(payload.json);
    }
    return std::vector<Value>{};
  }

  Result<std::vector<Value>> FrameFeeds(const Frame& frame) const {
    bool by_name = true;
    for (const ValueInfo& in : inputs()) by_name = by_name && frame.ColumnIndex(in.name) >= 0;
    const bool sequences = by_name && frame.rows > 0 &&
                           frame.cells[static_cast<size_t>(frame.ColumnIndex(inputs()[0].name))]
                               .front()
                               .is_array();
    std::vector<Value> feeds;
    if (by_name && (inputs().size() > 1 || sequences)) {
      for (const ValueInfo& in : inputs()) {
        const size_t column = static_cast<size_t>(frame.ColumnIndex(in.name));
        ADS_ASSIGN_OR_RETURN(Tensor t, ColumnToTensor(frame, column, FeedType(in), Input(in)));
        ADS_ASSIGN_OR_RETURN(Value v, AsInput(std::move(t), in));
        feeds.push_back(std::move(v));
      }
      return feeds;
    }
    if (inputs().size() > 1) {
      return InvalidArgumentError("The model has the inputs " + InputNames(inputs()) +
                                  ": send one column per input.");
    }
    ADS_ASSIGN_OR_RETURN(std::vector<size_t> columns, TableColumns(frame, schema_));
    const ValueInfo& in = inputs()[0];
    ADS_ASSIGN_OR_RETURN(Tensor t, FrameToTensor(frame, columns, FeedType(in), Input(in)));
    ADS_ASSIGN_OR_RETURN(Value v, AsInput(std::move(t), in));
    feeds.push_back(std::move(v));
    return feeds;
  }

  Result<std::vector<Value>> ListFeeds(const Json& json) const {
    std::vector<Value> feeds;
    if (inputs().size() == 1) {
      const ValueInfo& in = inputs()[0];
      ADS_ASSIGN_OR_RETURN(Tensor t, JsonToTensor(json, FeedType(in), Input(in)));
      ADS_ASSIGN_OR_RETURN(Value v, AsInput(std::move(t), in));
      feeds.push_back(std::move(v));
      return feeds;
    }
    if (!json.is_array() || json.size() != inputs().size()) {
      return InvalidArgumentError("The model has the inputs " + InputNames(inputs()) +
                                  ": send one value per input.");
    }
    for (size_t i = 0; i < inputs().size(); ++i) {
      const ValueInfo& in = inputs()[i];
      ADS_ASSIGN_OR_RETURN(Tensor t, JsonToTensor(json[i], FeedType(in), Input(in)));
      ADS_ASSIGN_OR_RETURN(Value v, AsInput(std::move(t), in));
      feeds.push_back(std::move(v));
    }
    return feeds;
  }

  Result<std::vector<Value>> ArrayFeeds(const Tensor& array) const {
    std::vector<Value> feeds;
    if (inputs().size() == 1) {
      const ValueInfo& in = inputs()[0];
      ADS_ASSIGN_OR_RETURN(Tensor t, CastTensor(array, FeedType(in), Input(in)));
      ADS_ASSIGN_OR_RETURN(Value v, AsInput(std::move(t), in));
      feeds.push_back(std::move(v));
      return feeds;
    }
    if (array.rank() == 0 || array.dim(0) != static_cast<int64_t>(inputs().size())) {
      return InvalidArgumentError("The model has the inputs " + InputNames(inputs()) +
                                  ": send one value per input (the array's first axis has " +
                                  (array.rank() == 0 ? "no length" : std::to_string(array.dim(0))) +
                                  ").");
    }
    for (size_t i = 0; i < inputs().size(); ++i) {
      const ValueInfo& in = inputs()[i];
      ADS_ASSIGN_OR_RETURN(Tensor item, FirstAxisItem(array, static_cast<int64_t>(i)));
      ADS_ASSIGN_OR_RETURN(Tensor t, CastTensor(item, FeedType(in), Input(in)));
      ADS_ASSIGN_OR_RETURN(Value v, AsInput(std::move(t), in));
      feeds.push_back(std::move(v));
    }
    return feeds;
  }

  static std::string Input(const ValueInfo& in) { return "Input " + Quoted(in.name); }

  std::unique_ptr<engine::Session> session_;
  InputSchema schema_;
};

}  // namespace

Result<std::unique_ptr<Predictor>> LoadOnnxPredictor(Env& env, const std::string& dir,
                                                     const std::string& model_file,
                                                     const PredictorOptions& options) {
  ADS_ASSIGN_OR_RETURN(std::unique_ptr<engine::Session> session,
                       engine::Session::Load(env, JoinPath(dir, model_file),
                                             {.threads = options.threads}));
  ADS_ASSIGN_OR_RETURN(InputSchema schema, ReadInputSchema(env, dir));
  return std::unique_ptr<Predictor>(new OnnxPredictor(std::move(session), std::move(schema)));
}

}  // namespace ads::runtime
