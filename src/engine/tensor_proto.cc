#include "engine/tensor_proto.h"

#include <cstring>

#include <onnx/onnx_pb.h>

#include "base/strings.h"

namespace ads::engine {

namespace {

std::string ProtoName(const onnx::TensorProto& p) {
  return p.name().empty() ? std::string("tensor") : "tensor " + Quoted(p.name());
}

Status SizeMismatch(const onnx::TensorProto& p, const char* field, int64_t got, int64_t want) {
  return InvalidArgumentError(ProtoName(p) + " has " + std::to_string(got) + " values in " +
                              field + " but its shape needs " + std::to_string(want));
}

// Copies a repeated typed field into the tensor, converting element types.
template <typename Dst, typename Field>
Status CopyField(const onnx::TensorProto& p, const Field& field, const char* name, Tensor* t) {
  if (static_cast<int64_t>(field.size()) != t->size()) {
    return SizeMismatch(p, name, field.size(), t->size());
  }
  Dst* out = t->mutable_data<Dst>();
  for (int i = 0; i < field.size(); ++i) out[i] = static_cast<Dst>(field.Get(i));
  return OkStatus();
}

const char* TypedFieldName(DataType t) {
  switch (t) {
    case DataType::kFloat: return "float_data";
    case DataType::kDouble: return "double_data";
    case DataType::kInt64: return "int64_data";
    case DataType::kUint64: case DataType::kUint32: return "uint64_data";
    case DataType::kString: return "string_data";
    default: return "int32_data";
  }
}

int64_t TypedFieldSize(const onnx::TensorProto& p, DataType t) {
  switch (t) {
    case DataType::kFloat: return p.float_data_size();
    case DataType::kDouble: return p.double_data_size();
    case DataType::kInt64: return p.int64_data_size();
    case DataType::kUint64: case DataType::kUint32: return p.uint64_data_size();
    case DataType::kString: return p.string_data_size();
    default: return p.int32_data_size();
  }
}

Status FillFromTypedFields(const onnx::TensorProto& p, Tensor* t) {
  switch (t->dtype()) {
    case DataType::kFloat: return CopyField<float>(p, p.float_data(), "float_data", t);
    case DataType::kDouble: return CopyField<double>(p, p.double_data(), "double_data", t);
    case DataType::kInt64: return CopyField<int64_t>(p, p.int64_data(), "int64_data", t);
    case DataType::kUint64: return CopyField<uint64_t>(p, p.uint64_data(), "uint64_data", t);
    case DataType::kUint32: return CopyField<uint32_t>(p, p.uint64_data(), "uint64_data", t);
    case DataType::kInt32: return CopyField<int32_t>(p, p.int32_data(), "int32_data", t);
    case DataType::kInt16: return CopyField<int16_t>(p, p.int32_data(), "int32_data", t);
    case DataType::kInt8: return CopyField<int8_t>(p, p.int32_data(), "int32_data", t);
    case DataType::kUint16: case DataType::kFloat16: case DataType::kBFloat16:
      return CopyField<uint16_t>(p, p.int32_data(), "int32_data", t);
    case DataType::kUint8: return CopyField<uint8_t>(p, p.int32_data(), "int32_data", t);
    case DataType::kBool: {
      if (p.int32_data_size() != t->size()) {
        return SizeMismatch(p, "int32_data", p.int32_data_size(), t->size());
      }
      bool* out = t->mutable_data<bool>();
      for (int i = 0; i < p.int32_data_size(); ++i) out[i] = p.int32_data(i) != 0;
      return OkStatus();
    }
    case DataType::kString: {
      if (p.string_data_size() != t->size()) {
        return SizeMismatch(p, "string_data", p.string_data_size(), t->size());
      }
      std::string* out = t->mutable_data<std::string>();
      for (int i = 0; i < p.string_data_size(); ++i) out[i] = p.string_data(i);
      return OkStatus();
    }
    default:
      return UnimplementedError(ProtoName(p) + " has unsupported element type " +
                                std::string(DataTypeName(t->dtype())));
  }
}

Status FillFromBytes(const onnx::TensorProto& p, std::string_view bytes, Tensor* t) {
  if (t->is_string()) {
    return InvalidArgumentError(ProtoName(p) + " is a string tensor with raw bytes");
  }
  if (bytes.size() != t->byte_size()) {
    return InvalidArgumentError(ProtoName(p) + " has " + std::to_string(bytes.size()) +
                                " bytes of data but " + t->TypeAndShape() + " needs " +
                                std::to_string(t->byte_size()));
  }
  if (t->dtype() == DataType::kBool) {
    bool* out = t->mutable_data<bool>();
    for (size_t i = 0; i < bytes.size(); ++i) out[i] = bytes[i] != 0;
  } else if (!bytes.empty()) {
    std::memcpy(t->mutable_raw_data(), bytes.data(), bytes.size());  // little-endian host
  }
  return OkStatus();
}

// Resolves `location` inside ctx.model_dir, refusing anything that could read
// outside it.
Result<std::string> ResolveExternalPath(const onnx::TensorProto& p, const std::string& location,
                                        const ExternalDataContext& ctx) {
  const std::string what = ProtoName(p) + " external data location " + Quoted(location);
  if (location.empty() || location[0] == '/' || location.find('\\') != std::string::npos ||
      location.find('\0') != std::string::npos) {
    return InvalidArgumentError(what + " must be a relative path inside the model folder");
  }
  const std::string normal = NormalizePath(location);
  if (normal == ".." || normal.rfind("../", 0) == 0 || normal == "." || normal.empty()) {
    return InvalidArgumentError(what + " escapes the model folder");
  }
  std::string path = ctx.model_dir.empty() ? std::string(".") : ctx.model_dir;
  for (const std::string& part : Split(normal, '/')) {
    if (part.empty()) continue;
    path = JoinPath(path, part);
    auto info = ctx.env->Stat(path);
    if (!info.ok()) return NotFoundError(what + " does not exist");
    if (info->type == FileInfo::Type::kSymlink) {
      return PermissionDeniedError(what + " passes through a symlink, which is not allowed");
    }
  }
  return path;
}

Result<std::string> ReadExternal(const onnx::TensorProto& p, const ExternalDataContext& ctx) {
  if (ctx.env == nullptr) {
    return InvalidArgumentError(ProtoName(p) +
                                " uses external data but no model folder is known");
  }
  std::string location;
  int64_t offset = 0;
  int64_t length = -1;
  for (const auto& kv : p.external_data()) {
    try {
      if (kv.key() == "location") location = kv.value();
      if (kv.key() == "offset") offset = std::stoll(kv.value());
      if (kv.key() == "length") length = std::stoll(kv.value());
    } catch (const std::exception&) {
      return InvalidArgumentError(ProtoName(p) + " has a bad external data " + Quoted(kv.key()) +
                                  ": " + Quoted(kv.value()));
    }
  }
  ADS_ASSIGN_OR_RETURN(std::string path, ResolveExternalPath(p, location, ctx));
  ADS_ASSIGN_OR_RETURN(std::string data, ctx.env->ReadFile(path));
  if (offset < 0 || offset > static_cast<int64_t>(data.size())) {
    return InvalidArgumentError(ProtoName(p) + " external data offset " +
                                std::to_string(offset) + " is outside " + Quoted(location));
  }
  if (length < 0) length = static_cast<int64_t>(data.size()) - offset;
  if (offset + length > static_cast<int64_t>(data.size())) {
    return InvalidArgumentError(ProtoName(p) + " external data range ends past the end of " +
                                Quoted(location));
  }
  return data.substr(static_cast<size_t>(offset), static_cast<size_t>(length));
}

}  // namespace

Result<Tensor> TensorFromProto(const onnx::TensorProto& p, const ExternalDataContext& external) {
  if (!IsSupportedDataType(p.data_type())) {
    return UnimplementedError(ProtoName(p) + " has unsupported element type code " +
                              std::to_string(p.data_type()));
  }
  if (p.has_segment()) {
    return UnimplementedError(ProtoName(p) + " is segmented, which is not supported");
  }
  Shape shape(p.dims().begin(), p.dims().end());
  const DataType type = static_cast<DataType>(p.data_type());
  const int64_t count = ElementCount(shape);
  if (count < 0) {
    return InvalidArgumentError(ProtoName(p) + " has an invalid shape " + ShapeToString(shape));
  }
  // Check the payload length before allocating, so that a small file cannot
  // make us allocate a huge tensor.
  std::string external_bytes;
  std::string_view bytes;
  const bool from_bytes = p.data_location() == onnx::TensorProto::EXTERNAL || p.has_raw_data();
  if (p.data_location() == onnx::TensorProto::EXTERNAL) {
    ADS_ASSIGN_OR_RETURN(external_bytes, ReadExternal(p, external));
    bytes = external_bytes;
  } else if (p.has_raw_data()) {
    bytes = p.raw_data();
  }
  if (from_bytes && type != DataType::kString &&
      bytes.size() / DataTypeSize(type) != static_cast<uint64_t>(count)) {
    return InvalidArgumentError(ProtoName(p) + " has " + std::to_string(bytes.size()) +
                                " bytes of data but shape " + ShapeToString(shape) + " needs " +
                                std::to_string(count) + " " + std::string(DataTypeName(type)) +
                                " values");
  }
  if (!from_bytes && TypedFieldSize(p, type) != count) {
    return SizeMismatch(p, TypedFieldName(type), TypedFieldSize(p, type), count);
  }
  ADS_ASSIGN_OR_RETURN(Tensor t, Tensor::Make(type, shape));
  if (from_bytes) {
    ADS_RETURN_IF_ERROR(FillFromBytes(p, bytes, &t));
  } else {
    ADS_RETURN_IF_ERROR(FillFromTypedFields(p, &t));
  }
  return t;
}

void TensorToProto(const Tensor& t, onnx::TensorProto* p) {
  p->Clear();
  p->set_data_type(static_cast<int32_t>(t.dtype()));
  for (int64_t d : t.shape()) p->add_dims(d);
  if (t.is_string()) {
    for (const std::string& s : t.span<std::string>()) p->add_string_data(s);
  } else if (t.dtype() == DataType::kBool) {
    std::string bytes(static_cast<size_t>(t.size()), '\0');
    for (int64_t i = 0; i < t.size(); ++i) bytes[i] = t.data<bool>()[i] ? 1 : 0;
    p->set_raw_data(bytes);
  } else {
    p->set_raw_data(static_cast<const char*>(t.raw_data()), t.byte_size());
  }
}

}  // namespace ads::engine
