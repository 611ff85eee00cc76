// Input and output plumbing of the `ads onnx` commands: reading tensors from
// files typed by the model's declared inputs, and rendering engine values as
// JSON.
//
//   ADS_ASSIGN_OR_RETURN(auto feeds,
//                        ReadFeeds(env, session->inputs(), {"x=batch.npy"}));
//   ADS_ASSIGN_OR_RETURN(auto outs, session->Run(feeds));
//   std::cout << DumpPythonJson(OutputsToJson(session->outputs(), outs));
//
// Input files, chosen by extension:
//   .pb    a serialized TensorProto (SequenceProto/MapProto when the input is
//          declared as a sequence/map), as in ONNX backend test data;
//   .npy   a NumPy array (little-endian numbers, bool, or fixed-width unicode
//          strings; C order); numbers are converted to the declared type;
//   .json  nested lists of numbers, bools or strings (a bare value is a
//          scalar); the element type is the declared one.
// An argument "NAME=FILE" names the input; a bare "FILE" takes the next input
// in the model's order.
//
// Thread-safety: stateless functions.
#ifndef ADS_CLI_ONNX_IO_H_
#define ADS_CLI_ONNX_IO_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"
#include "engine/model.h"
#include "engine/value.h"

namespace ads::cli {

// Parses a .npy file's bytes into a tensor of its own dtype; `what` names the
// file in errors.
Result<engine::Tensor> ParseNpy(std::string_view bytes, std::string_view what);

// Builds a tensor of element type `type` from nested JSON lists.
Result<engine::Tensor> TensorFromJson(const Json& doc, engine::DataType type,
                                      std::string_view what);

// Converts a numeric or bool tensor to `type` (numeric casts as C++ does);
// strings convert only to strings.
Result<engine::Tensor> ConvertTensor(const engine::Tensor& t, engine::DataType type,
                                     std::string_view what);

// Reads one input file for the declared input `info`.
Result<engine::Value> ReadInputFile(Env& env, const std::string& path,
                                    const engine::ValueInfo& info);

// Maps "NAME=FILE" / "FILE" arguments to the model's inputs and reads them.
// Errors name unknown inputs, inputs given twice and missing inputs.
Result<std::map<std::string, engine::Value>> ReadFeeds(Env& env,
                                                       const std::vector<engine::ValueInfo>& inputs,
                                                       const std::vector<std::string>& args);

// {"dtype": "float", "shape": [2,3], "data": [[...],[...]]} for a tensor;
// a list of objects for a sequence of maps; a list for other sequences.
Json ValueToJson(const engine::Value& value);
// {"<output name>": <ValueToJson>, ...} in the model's output order.
Json OutputsToJson(const std::vector<engine::ValueInfo>& outputs,
                   const std::map<std::string, engine::Value>& values);

}  // namespace ads::cli

#endif  // ADS_CLI_ONNX_IO_H_
