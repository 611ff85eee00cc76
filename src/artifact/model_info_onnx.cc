// ONNX model inspection through libonnx's protobuf classes.
//
// What the file says wins: the metadata_props our generators write
// (framework, framework_version, algorithm, hyperparameters, use_case_type).
// Otherwise the framework comes from producer_name conventions and the
// algorithm and use case from the ai.onnx.ml estimator ops in the graph.
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <array>
#include <climits>
#include <map>
#include <set>

#include "artifact/model_info.h"
#include "base/strings.h"

namespace ads::artifact::internal {
namespace {

// Highest IR version a plausible file can carry (onnx 1.12 writes 8; newer
// releases have reached 10 or 11).
constexpr int64_t kMaxIrVersion = 100;

std::string DtypeName(int32_t elem_type) {
  switch (elem_type) {
    case onnx::TensorProto::FLOAT: return "float32";
    case onnx::TensorProto::UINT8: return "uint8";
    case onnx::TensorProto::INT8: return "int8";
    case onnx::TensorProto::UINT16: return "uint16";
    case onnx::TensorProto::INT16: return "int16";
    case onnx::TensorProto::INT32: return "int32";
    case onnx::TensorProto::INT64: return "int64";
    case onnx::TensorProto::STRING: return "string";
    case onnx::TensorProto::BOOL: return "bool";
    case onnx::TensorProto::FLOAT16: return "float16";
    case onnx::TensorProto::DOUBLE: return "float64";
    case onnx::TensorProto::UINT32: return "uint32";
    case onnx::TensorProto::UINT64: return "uint64";
    case onnx::TensorProto::COMPLEX64: return "complex64";
    case onnx::TensorProto::COMPLEX128: return "complex128";
    case onnx::TensorProto::BFLOAT16: return "bfloat16";
    default: return "unknown";
  }
}

std::vector<int64_t> Shape(const onnx::TensorShapeProto& shape) {
  std::vector<int64_t> dims;
  for (const auto& d : shape.dim()) {
    // dim_param (a named dimension) and an empty dim are both dynamic.
    dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
  }
  return dims;
}

// The ONNX notation for non-tensor types: seq(map(int64,float32)).
std::string TypeName(const onnx::TypeProto& type, int depth = 0) {
  if (depth > 16) return "unknown";
  switch (type.value_case()) {
    case onnx::TypeProto::kTensorType: return DtypeName(type.tensor_type().elem_type());
    case onnx::TypeProto::kSparseTensorType:
      return "sparse(" + DtypeName(type.sparse_tensor_type().elem_type()) + ")";
    case onnx::TypeProto::kSequenceType:
      return "seq(" + TypeName(type.sequence_type().elem_type(), depth + 1) + ")";
    case onnx::TypeProto::kMapType:
      return "map(" + DtypeName(type.map_type().key_type()) + "," +
             TypeName(type.map_type().value_type(), depth + 1) + ")";
    case onnx::TypeProto::kOptionalType:
      return "optional(" + TypeName(type.optional_type().elem_type(), depth + 1) + ")";
    default: return "unknown";
  }
}

TensorInfo Describe(const onnx::ValueInfoProto& vi) {
  TensorInfo t{vi.name(), TypeName(vi.type()), {}};
  const onnx::TypeProto& type = vi.type();
  if (type.has_tensor_type() && type.tensor_type().has_shape()) {
    t.shape = Shape(type.tensor_type().shape());
  } else if (type.has_sparse_tensor_type() && type.sparse_tensor_type().has_shape()) {
    t.shape = Shape(type.sparse_tensor_type().shape());
  }
  return t;
}

constexpr std::array<std::string_view, 7> kEstimatorOps = {
    "TreeEnsembleClassifier", "TreeEnsembleRegressor", "TreeEnsemble", "LinearClassifier",
    "LinearRegressor",        "SVMClassifier",         "SVMRegressor"};

bool IsMlDomain(const std::string& domain) { return domain == "ai.onnx.ml"; }

// Facts gathered from the graph's ai.onnx.ml nodes.
struct GraphFacts {
  std::string estimator_op;  // first estimator op, or ""
  int64_t num_classes = -1;
  bool regressor = false;
  bool all_branch_lt = false;  // every tree split is BRANCH_LT (XGBoost's convention)
};

void ReadEstimatorNode(const onnx::NodeProto& node, GraphFacts& facts) {
  bool any_split = false, only_lt = true;
  for (const auto& attr : node.attribute()) {
    if (attr.name() == "classlabels_int64s" || attr.name() == "classlabels_ints") {
      facts.num_classes = attr.ints_size();
    } else if (attr.name() == "classlabels_strings") {
      facts.num_classes = attr.strings_size();
    } else if (attr.name() == "nodes_modes") {
      for (const auto& mode : attr.strings()) {
        if (mode == "LEAF") continue;
        any_split = true;
        only_lt = only_lt && mode == "BRANCH_LT";
      }
    }
  }
  if (any_split && only_lt) facts.all_branch_lt = true;
}

GraphFacts ReadGraphFacts(const onnx::GraphProto& graph) {
  GraphFacts facts;
  for (const auto& node : graph.node()) {
    if (!IsMlDomain(node.domain()) || !facts.estimator_op.empty()) continue;
    const std::string& op = node.op_type();
    if (std::find(kEstimatorOps.begin(), kEstimatorOps.end(), op) == kEstimatorOps.end()) continue;
    facts.estimator_op = op;
    facts.regressor = op.ends_with("Regressor");
    // Class labels for classifiers, split modes for every tree ensemble.
    if (op.ends_with("Classifier") || op.starts_with("TreeEnsemble")) {
      ReadEstimatorNode(node, facts);
    }
  }
  return facts;
}

bool NameMentions(const onnx::GraphProto& graph, std::string_view needle) {
  if (ToLower(graph.name()).find(needle) != std::string::npos) return true;
  return std::any_of(graph.node().begin(), graph.node().end(), [&](const auto& n) {
    return ToLower(n.name()).find(needle) != std::string::npos;
  });
}

// producer_name conventions. producer_version is the converter's own version
// for skl2onnx, onnxmltools, tf2onnx and keras2onnx, so it is not reported as
// the framework version; torch.onnx writes torch.__version__, so it is.
void DetectFrameworkFromProducer(const onnx::ModelProto& model, const GraphFacts& facts,
                                 ModelInfo& info) {
  const std::string producer = ToLower(model.producer_name());
  if (producer == "skl2onnx" || producer == "onnxmltools") {
    info.framework = "scikit-learn";
    if (NameMentions(model.graph(), "lgbm") || NameMentions(model.graph(), "lightgbm")) {
      info.framework = "lightgbm";
    } else if (facts.all_branch_lt || NameMentions(model.graph(), "xgb")) {
      info.framework = "xgboost";
    }
  } else if (producer == "tf2onnx" || producer == "keras2onnx") {
    info.framework = "tensorflow";
  } else if (producer == "pytorch") {
    info.framework = "pytorch";
    info.framework_version = model.producer_version();
  }
}

std::string UseCaseFromFacts(const GraphFacts& facts) {
  if (facts.regressor) return "regression";
  if (facts.num_classes == 2) return "binary_classification";
  if (facts.num_classes > 2) return "multinomial_classification";
  return "";
}

// One ADS-style feature count: the width of a single [N, k] input, or the
// number of inputs when each is one column (ADS's per-column inputs).
int64_t CountFeatures(const std::vector<TensorInfo>& inputs) {
  if (inputs.size() == 1 && inputs[0].shape.size() == 2 && inputs[0].shape[1] > 0) {
    return inputs[0].shape[1];
  }
  if (inputs.size() > 1 && std::all_of(inputs.begin(), inputs.end(), [](const TensorInfo& t) {
        return t.shape.size() == 2 && t.shape[1] == 1;
      })) {
    return static_cast<int64_t>(inputs.size());
  }
  return -1;
}

void ApplyMetadataProps(const onnx::ModelProto& model, ModelInfo& info) {
  for (const auto& prop : model.metadata_props()) {
    const std::string& key = prop.key();
    const std::string& value = prop.value();
    if (key == "framework") info.framework = value;
    if (key == "framework_version") info.framework_version = value;
    if (key == "algorithm") info.algorithm = value;
    if (key == "use_case_type") info.use_case_type = value;
    if (key == "hyperparameters") {
      // Unparseable text is kept as a string rather than failing the file.
      Result<Json> hp = ParseJson(value, "hyperparameters");
      info.hyperparameters = hp.ok() ? std::move(hp).value() : Json(value);
    }
  }
}

Status OnnxError(const std::string& what, const std::string& problem) {
  return InvalidArgumentError(what + " is not a valid ONNX model: " + problem + ".");
}

}  // namespace

Result<ModelInfo> InspectOnnx(std::string_view bytes, const std::string& what) {
  if (bytes.empty()) return OnnxError(what, "the file is empty");
  if (bytes.size() > static_cast<size_t>(INT_MAX)) return OnnxError(what, "it exceeds 2 GiB");
  onnx::ModelProto model;
  bool parsed = false;
  try {
    parsed = model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  } catch (const std::exception& e) {
    return OnnxError(what, std::string("protobuf failed: ") + e.what());
  }
  if (!parsed) return OnnxError(what, "the protobuf data does not parse (truncated or not ONNX)");
  if (model.ir_version() <= 0 || model.ir_version() > kMaxIrVersion) {
    return OnnxError(what, "ir_version " + std::to_string(model.ir_version()) + " is invalid");
  }
  if (!model.has_graph()) return OnnxError(what, "it has no graph");

  ModelInfo info;
  info.format = ModelFormat::kOnnx;
  info.serialization_format = "onnx";
  info.ir_version = model.ir_version();
  info.producer_name = model.producer_name();
  info.producer_version = model.producer_version();
  for (const auto& op : model.opset_import()) {
    info.opset_imports.push_back({op.domain(), op.version()});
  }
  const onnx::GraphProto& graph = model.graph();
  std::set<std::string> initializers;
  for (const auto& init : graph.initializer()) initializers.insert(init.name());
  for (const auto& in : graph.input()) {
    if (!initializers.contains(in.name())) info.inputs.push_back(Describe(in));
  }
  for (const auto& out : graph.output()) info.outputs.push_back(Describe(out));
  std::set<std::string> seen_ops;
  for (const auto& node : graph.node()) {
    if (seen_ops.insert(node.op_type()).second) info.op_types.push_back(node.op_type());
  }

  GraphFacts facts = ReadGraphFacts(graph);
  DetectFrameworkFromProducer(model, facts, info);
  info.algorithm = facts.estimator_op;
  info.use_case_type = UseCaseFromFacts(facts);
  info.num_classes = facts.num_classes;
  ApplyMetadataProps(model, info);
  info.num_features = CountFeatures(info.inputs);
  return info;
}

}  // namespace ads::artifact::internal
