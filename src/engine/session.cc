#include "engine/session.h"

#include <algorithm>

#include "base/strings.h"

namespace ads::engine {

Result<std::unique_ptr<Session>> Session::Load(Env& env, const std::string& path,
                                               const SessionOptions& options) {
  ADS_ASSIGN_OR_RETURN(Model model, LoadModel(env, path));
  auto session = FromModel(std::move(model), options);
  if (!session.ok()) return session.status().WithContext(path);
  return session;
}

Result<std::unique_ptr<Session>> Session::LoadFromBytes(std::string_view bytes,
                                                        const SessionOptions& options,
                                                        const ExternalDataContext& external) {
  ADS_ASSIGN_OR_RETURN(Model model, ParseModel(bytes, external));
  return FromModel(std::move(model), options);
}

Result<std::unique_ptr<Session>> Session::FromModel(Model model, const SessionOptions& options) {
  std::unique_ptr<Session> s(new Session());
  s->model_ = std::make_unique<Model>(std::move(model));
  if (options.shape_inference) {
    ADS_ASSIGN_OR_RETURN(s->types_, InferTypes(s->model_->graph));
  }
  if (options.shared_pool != nullptr) {
    s->pool_ = options.shared_pool;
  } else {
    s->own_pool_ = std::make_unique<ThreadPool>(options.threads);
    s->pool_ = s->own_pool_.get();
  }
  std::vector<std::string> feeds;
  for (const ValueInfo& in : s->model_->graph.inputs) feeds.push_back(in.name);
  ADS_ASSIGN_OR_RETURN(s->executor_,
                       GraphExecutor::Create(s->model_->graph, std::move(feeds),
                                             {.registry = options.registry,
                                              .constant_folding = options.constant_folding,
                                              .pool = s->pool_,
                                              .arena = options.arena,
                                              .fusion = options.fusion}));
  return s;
}

Status Session::CheckInput(const ValueInfo& info, const Value& value) const {
  const ValueType& t = info.type;
  // Built only on failure: this runs on every request.
  auto what = [&info] { return "input " + Quoted(info.name); };
  if (t.kind != ValueType::Kind::kTensor) return OkStatus();  // sequences/maps: kernels check
  if (!value.is_tensor()) {
    return InvalidArgumentError(what() + " must be a tensor, got " + value.Describe());
  }
  const Tensor& x = value.tensor();
  if (t.elem_type != DataType::kUndefined && x.dtype() != t.elem_type) {
    return InvalidArgumentError(what() + " must have element type " +
                                std::string(DataTypeName(t.elem_type)) + ", got " +
                                x.TypeAndShape());
  }
  if (!t.has_shape) return OkStatus();
  bool fits = x.rank() == t.dims.size();
  for (size_t i = 0; fits && i < t.dims.size(); ++i) {
    fits = t.dims[i] < 0 || t.dims[i] == x.dim(i);
  }
  if (!fits) {
    return InvalidArgumentError(what() + " must have shape " + ShapeToString(t.dims) +
                                " (-1 = any), got " + x.TypeAndShape());
  }
  return OkStatus();
}

Result<std::map<std::string, Value>> Session::Run(
    const std::map<std::string, Value>& feeds) const {
  std::vector<Value> ordered;
  for (const ValueInfo& in : inputs()) {
    auto it = feeds.find(in.name);
    if (it == feeds.end()) {
      std::vector<std::string> names;
      for (const ValueInfo& i : inputs()) names.push_back(i.name);
      return InvalidArgumentError("input " + Quoted(in.name) +
                                  " is missing; the model expects: " + Join(names, ", "));
    }
    ordered.push_back(it->second);
  }
  for (const auto& feed : feeds) {
    // (A named variable, not a structured binding: clang 14, used for the
    // fuzz build, cannot capture those in a lambda.)
    const std::string& name = feed.first;
    bool known = std::any_of(inputs().begin(), inputs().end(),
                             [&](const ValueInfo& i) { return i.name == name; });
    if (!known) return InvalidArgumentError("the model has no input named " + Quoted(name));
  }
  ADS_ASSIGN_OR_RETURN(std::vector<Value> outs, RunPositional(std::move(ordered)));
  std::map<std::string, Value> named;
  for (size_t j = 0; j < outs.size(); ++j) named[outputs()[j].name] = std::move(outs[j]);
  return named;
}

Result<std::vector<Value>> Session::RunPositional(std::vector<Value> inputs) const {
  if (inputs.size() != this->inputs().size()) {
    return InvalidArgumentError("the model expects " + std::to_string(this->inputs().size()) +
                                " inputs, got " + std::to_string(inputs.size()));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    ADS_RETURN_IF_ERROR(CheckInput(this->inputs()[i], inputs[i]));
  }
  return executor_->Run(std::move(inputs), pool_);
}

}  // namespace ads::engine
