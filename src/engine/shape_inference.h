// Type and shape inference: the element type and shape of every value of a
// graph, worked out at load from the graph inputs' declared types, the
// initializers and one rule per operator.
//
//   ADS_ASSIGN_OR_RETURN(InferredTypes types, InferTypes(model.graph));
//   const ValueType* t = types.Find("probabilities");  // tensor(float)[?,3]
//
// A dim is -1 where it is symbolic or not known; `has_shape` is false where
// even the rank is not known. Operators without a rule (and nodes that own
// subgraphs) give their outputs an unknown type, and inference goes on with
// the nodes after them: a missing rule never refuses a model.
//
// A graph that provably cannot run is refused with an InvalidArgument error
// naming the node, its operator and the mismatch ("node 'fc' (#2, ai.onnx::
// MatMul, opset 13): inner dimensions differ: A is [?,4] (K=4), B is [5,3]
// (K=5)"): non-broadcastable static dims, MatMul/Gemm inner dims, Conv
// channels against the weight, Concat ranks or dims, element types of
// inputs that must agree, axes out of range, a Reshape whose constant shape
// cannot hold the input, and graph outputs whose declared element type
// contradicts the inferred one. Only dims known on both sides are compared:
// an unknown or symbolic dim never causes a refusal.
//
// Small integer tensors (initializers, Constant nodes, Shape of a known
// shape, and Concat/Gather/Squeeze/Unsqueeze/Cast of those) have their
// values tracked, so Reshape/Expand/Tile/ConstantOfShape fed from them get
// static shapes.
//
// Thread-safety: InferTypes is a pure function; InferredTypes is plain data.
#ifndef ADS_ENGINE_SHAPE_INFERENCE_H_
#define ADS_ENGINE_SHAPE_INFERENCE_H_

#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/model.h"

namespace ads::engine {

struct InferredTypes {
  // Every value of the graph: inputs, initializers and node outputs.
  std::map<std::string, ValueType> values;
  // "domain::op" of the operators that had no rule, sorted, once each.
  std::vector<std::string> ops_without_rule;
  // Nodes whose outputs got a type from a rule.
  size_t inferred_nodes = 0;

  // Null when `name` is not a value of the graph.
  const ValueType* Find(const std::string& name) const;
};

// Infers the types of the values of `graph` (a main graph: subgraphs are
// left to their own executors). Fails only for a graph that cannot run.
Result<InferredTypes> InferTypes(const Graph& graph);

// "tensor(float)[?,4]": like ValueType::ToString, with '?' for unknown dims
// and "[...]" when the rank is unknown.
std::string TypeShapeString(const ValueType& type);

}  // namespace ads::engine

#endif  // ADS_ENGINE_SHAPE_INFERENCE_H_
