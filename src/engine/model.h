// Model and Graph: the engine's own, validated form of an ONNX ModelProto.
//
//   ADS_ASSIGN_OR_RETURN(Model m, LoadModel(env, "/models/iris/model.onnx"));
//   for (const Node& n : m.graph.nodes) std::cout << n.Describe() << "\n";
//
// Loading checks what the executor relies on and reports problems as Status
// errors naming the node (name or index), op type, domain and opset: protobuf
// parse failures, missing opset imports, undefined inputs, values produced
// twice, cycles, bad attributes and tensors. Nothing here aborts.
//
// Domains are canonical: "" in the file is "ai.onnx" here.
//
// Thread-safety: a loaded Model is immutable data; share it freely.
#ifndef ADS_ENGINE_MODEL_H_
#define ADS_ENGINE_MODEL_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/status.h"
#include "engine/tensor.h"
#include "engine/tensor_proto.h"

namespace ads::engine {

inline constexpr std::string_view kOnnxDomain = "ai.onnx";
inline constexpr std::string_view kOnnxMlDomain = "ai.onnx.ml";

struct Graph;

enum class AttributeType {
  kUndefined, kFloat, kInt, kString, kTensor, kGraph,
  kFloats, kInts, kStrings, kTensors, kGraphs, kSparseTensor, kTypeProto,
};
std::string_view AttributeTypeName(AttributeType type);

struct Attribute {
  std::string name;
  AttributeType type = AttributeType::kUndefined;
  float f = 0;
  int64_t i = 0;
  std::string s;
  Tensor t;
  std::shared_ptr<const Graph> g;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<Tensor> tensors;
  std::vector<std::shared_ptr<const Graph>> graphs;
};

// The declared type of a graph input/output or value_info entry.
struct ValueType {
  enum class Kind { kUnknown, kTensor, kSequence, kMap, kOptional };
  Kind kind = Kind::kUnknown;
  DataType elem_type = DataType::kUndefined;  // tensors: element type
  bool has_shape = false;
  std::vector<int64_t> dims;  // -1 where the dim is symbolic or unknown
  DataType map_key_type = DataType::kUndefined;
  std::shared_ptr<const ValueType> element;  // sequence/optional element, map value
  std::string ToString() const;
};

struct ValueInfo {
  std::string name;
  ValueType type;
};

struct Node {
  int index = 0;  // position in the graph's node list
  std::string name;
  std::string op_type;
  std::string domain;  // canonical ("ai.onnx", "ai.onnx.ml", ...)
  int64_t opset = 0;   // the model's opset for `domain`
  std::vector<std::string> inputs;  // "" = optional input left out
  std::vector<std::string> outputs;
  std::map<std::string, Attribute> attributes;

  // "node 'fc1' (#3, ai.onnx::Gemm, opset 13)".
  std::string Describe() const;
  const Attribute* FindAttribute(std::string_view name) const;
};

struct Graph {
  std::string name;
  std::vector<ValueInfo> inputs;   // without initializers
  std::vector<ValueInfo> outputs;
  std::map<std::string, Tensor> initializers;
  std::vector<Node> nodes;  // in file order; see TopologicalOrder
  std::map<std::string, ValueType> value_types;  // from value_info
};

struct Model {
  int64_t ir_version = 0;
  std::string producer_name;
  std::string producer_version;
  std::map<std::string, int64_t> opsets;  // canonical domain -> version
  Graph graph;
};

// Parses and validates a serialized ModelProto. `external` locates external
// tensor data (its env may be null when the model has none).
Result<Model> ParseModel(std::string_view bytes, const ExternalDataContext& external = {});
// Reads `path` through `env` and parses it; external data is read relative
// to the file's folder.
Result<Model> LoadModel(Env& env, const std::string& path);

// Node indices in an order where every node follows the producers of its
// inputs (explicit ones, and the values its subgraphs read).
Result<std::vector<int>> TopologicalOrder(const Graph& graph);

// Names `graph` reads but does not define (outer-scope references of a
// subgraph), including those of nested subgraphs; sorted.
std::vector<std::string> FreeVariables(const Graph& graph);
// The outer values the subgraphs of `node` read; sorted.
std::vector<std::string> ImplicitInputs(const Node& node);

std::string CanonicalDomain(std::string_view domain);

}  // namespace ads::engine

#endif  // ADS_ENGINE_MODEL_H_
