#include "engine/kernel.h"

#include <algorithm>

#include "base/strings.h"
#include "engine/kernels/register.h"

namespace ads::engine {

Result<Tensor> KernelContext::NewOutput(size_t i, DataType type, Shape shape) const {
  const bool escapes = escaping_ != nullptr && i < escaping_->size() && (*escaping_)[i];
  return Tensor::MakeUninitialized(type, std::move(shape), escapes ? nullptr : allocator_);
}

Result<const Tensor*> KernelContext::input(size_t i) const {
  if (!has_input(i)) {
    return InvalidArgumentError("required input " + std::to_string(i) + " is missing");
  }
  if (!inputs_[i]->is_tensor()) {
    return InvalidArgumentError("input " + std::to_string(i) + " must be a tensor, got " +
                                inputs_[i]->Describe());
  }
  return &inputs_[i]->tensor();
}

const Tensor* KernelContext::optional_input(size_t i) const {
  if (!has_input(i) || !inputs_[i]->is_tensor()) return nullptr;
  return &inputs_[i]->tensor();
}

const Value* KernelInfo::constant_input(size_t i) const {
  auto it = constants_.find(i);
  return it == constants_.end() ? nullptr : it->second;
}

Status KernelInfo::Error(const std::string& message) const {
  return InvalidArgumentError(node_.Describe() + ": " + message);
}

Result<const Attribute*> KernelInfo::Find(std::string_view name, AttributeType type) const {
  const Attribute* a = node_.FindAttribute(name);
  if (a == nullptr) return static_cast<const Attribute*>(nullptr);
  if (a->type != type) {
    return Error("attribute " + Quoted(name) + " must be of type " +
                 std::string(AttributeTypeName(type)) + ", not " +
                 std::string(AttributeTypeName(a->type)));
  }
  return a;
}

Result<int64_t> KernelInfo::GetInt(std::string_view name, int64_t fallback) const {
  ADS_ASSIGN_OR_RETURN(const Attribute* a, Find(name, AttributeType::kInt));
  return a ? a->i : fallback;
}

Result<float> KernelInfo::GetFloat(std::string_view name, float fallback) const {
  ADS_ASSIGN_OR_RETURN(const Attribute* a, Find(name, AttributeType::kFloat));
  return a ? a->f : fallback;
}

Result<std::string> KernelInfo::GetString(std::string_view name, std::string fallback) const {
  ADS_ASSIGN_OR_RETURN(const Attribute* a, Find(name, AttributeType::kString));
  return a ? a->s : fallback;
}

Result<std::vector<int64_t>> KernelInfo::GetInts(std::string_view name) const {
  ADS_ASSIGN_OR_RETURN(const Attribute* a, Find(name, AttributeType::kInts));
  return a ? a->ints : std::vector<int64_t>{};
}

Result<std::vector<float>> KernelInfo::GetFloats(std::string_view name) const {
  ADS_ASSIGN_OR_RETURN(const Attribute* a, Find(name, AttributeType::kFloats));
  return a ? a->floats : std::vector<float>{};
}

Result<std::vector<std::string>> KernelInfo::GetStrings(std::string_view name) const {
  ADS_ASSIGN_OR_RETURN(const Attribute* a, Find(name, AttributeType::kStrings));
  return a ? a->strings : std::vector<std::string>{};
}

Result<Tensor> KernelInfo::GetTensor(std::string_view name) const {
  ADS_ASSIGN_OR_RETURN(const Attribute* a, Find(name, AttributeType::kTensor));
  if (a == nullptr) return Error("attribute " + Quoted(name) + " is required");
  return a->t;
}

Result<int64_t> KernelInfo::RequireInt(std::string_view name) const {
  if (!HasAttribute(name)) return Error("attribute " + Quoted(name) + " is required");
  return GetInt(name, 0);
}

Result<std::string> KernelInfo::RequireString(std::string_view name) const {
  if (!HasAttribute(name)) return Error("attribute " + Quoted(name) + " is required");
  return GetString(name, "");
}

void KernelRegistry::Register(KernelKey key, KernelFactory factory, int priority,
                              std::string implementation) {
  key.domain = CanonicalDomain(key.domain);
  auto& list = entries_[{key.domain, key.op_type}];
  list.push_back({std::move(key), std::move(factory), priority, std::move(implementation)});
  // Highest since_version first, then highest priority.
  std::stable_sort(list.begin(), list.end(), [](const Entry& a, const Entry& b) {
    if (a.key.since_version != b.key.since_version) {
      return a.key.since_version > b.key.since_version;
    }
    return a.priority > b.priority;
  });
}

const KernelRegistry::Entry* KernelRegistry::Best(std::string_view domain, std::string_view op,
                                                  int64_t opset,
                                                  std::vector<const Entry*>* candidates) const {
  auto it = entries_.find({CanonicalDomain(domain), std::string(op)});
  if (it == entries_.end()) return nullptr;
  int64_t chosen = -1;
  for (const Entry& e : it->second) {
    if (e.key.since_version > opset) continue;
    if (chosen < 0) chosen = e.key.since_version;
    if (e.key.since_version != chosen) break;
    if (candidates) candidates->push_back(&e);
  }
  if (chosen < 0) return nullptr;
  for (const Entry& e : it->second) {
    if (e.key.since_version == chosen) return &e;
  }
  return nullptr;
}

Result<std::unique_ptr<Kernel>> KernelRegistry::Create(const KernelInfo& info) const {
  const Node& n = info.node();
  std::vector<const Entry*> candidates;
  Best(n.domain, n.op_type, n.opset, &candidates);
  for (const Entry* e : candidates) {
    auto kernel = e->factory(info);
    if (kernel.ok()) return kernel;
    if (kernel.status().code() != StatusCode::kUnimplemented || e == candidates.back()) {
      return kernel.status();
    }
  }
  return UnimplementedError("unsupported operator " + n.domain + "::" + n.op_type + " (opset " +
                            std::to_string(n.opset) + ") at node " +
                            (n.name.empty() ? "#" + std::to_string(n.index) : Quoted(n.name)));
}

bool KernelRegistry::Supports(std::string_view domain, std::string_view op_type,
                              int64_t opset) const {
  return Best(domain, op_type, opset, nullptr) != nullptr;
}

std::vector<KernelKey> KernelRegistry::List() const {
  std::vector<KernelKey> out;
  for (const auto& [k, list] : entries_) {
    for (const Entry& e : list) out.push_back(e.key);
  }
  std::sort(out.begin(), out.end(), [](const KernelKey& a, const KernelKey& b) {
    return std::tie(a.domain, a.op_type, a.since_version) <
           std::tie(b.domain, b.op_type, b.since_version);
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const KernelKey& a, const KernelKey& b) {
                          return a.domain == b.domain && a.op_type == b.op_type &&
                                 a.since_version == b.since_version;
                        }),
            out.end());
  return out;
}

const KernelRegistry& KernelRegistry::Default() {
  static const KernelRegistry* registry = [] {
    auto* r = new KernelRegistry();
    RegisterBuiltinKernels(*r);
    return r;
  }();
  return *registry;
}

}  // namespace ads::engine
