#include "artifact/score_py.h"

#include <optional>
#include <string>

#include "base/hash.h"
#include "base/strings.h"

namespace ads::artifact {
namespace {

// The body shared by both runtimes. Placeholders: {{RUNTIME}}, {{FORMAT}},
// {{MODEL}}, {{FRAMEWORK_IMPORT}}, {{FRAMEWORK_DOC}}.
constexpr std::string_view kHead = R"PY(# ads-runtime: {{RUNTIME}} {{FORMAT}}
"""Inference script for this model artifact ({{FRAMEWORK_DOC}}).

The OCI Data Science conda runtime imports this file and calls predict(data).
The ads server recognises the unmodified file by the hash on its first line and
serves the model with its native runtime instead; editing this file makes the
server run it as Python.
"""
import base64
import hashlib
import json
import logging
import os
import sys
from functools import lru_cache
from io import BytesIO, StringIO

import numpy as np
import pandas as pd
{{FRAMEWORK_IMPORT}}

model_name = '{{MODEL}}'

_MANIFEST_NAME = 'model_artifact_manifest.json'
_ARTIFACT_DIR = os.path.dirname(os.path.realpath(__file__))
_DEFAULT_SCHEMA_PATH = os.path.join(_ARTIFACT_DIR, 'input_schema.json')


def _check_against_manifest(model_dir, file_name):
    """Refuses a model file whose size or sha256 differ from the artifact manifest.

    Artifacts unpacked from an ads/ADS >= 2.15 zip carry model_artifact_manifest.json;
    older ones do not, and are accepted as they are.
    """
    manifest_path = os.path.join(model_dir, _MANIFEST_NAME)
    if not os.path.exists(manifest_path):
        return False
    with open(manifest_path, 'r', encoding='utf-8') as handle:
        entries = json.load(handle).get('files', {})
    entry = entries.get(file_name)
    if not entry:
        raise ValueError(f'Model artifact manifest does not include `{file_name}`.')
    path = os.path.join(model_dir, file_name)
    if os.path.getsize(path) != entry.get('size'):
        raise ValueError(f'Model artifact file `{file_name}` size mismatch.')
    hasher = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1 << 20), b''):
            hasher.update(block)
    if hasher.hexdigest() != entry.get('sha256'):
        raise ValueError(f'Model artifact file `{file_name}` hash mismatch.')
    return True


def _locate_model_file(model_file_name):
    model_dir = _ARTIFACT_DIR
    if model_dir not in sys.path:
        sys.path.insert(0, model_dir)
    if model_file_name not in os.listdir(model_dir):
        raise Exception(f'{model_file_name} is not found in model directory {model_dir}')
    _check_against_manifest(model_dir, model_file_name)
    return os.path.join(model_dir, model_file_name)


@lru_cache(maxsize=1)
def fetch_data_type_from_schema(input_schema_path=_DEFAULT_SCHEMA_PATH):
    """Column name -> dtype from input_schema.json, so that JSON payloads get the
    dtypes the model was trained with."""
    data_type = {}
    if os.path.exists(input_schema_path):
        with open(input_schema_path, 'r', encoding='utf-8') as handle:
            schema = json.load(handle)
        for column in schema.get('schema', []):
            data_type[column['name']] = column['dtype']
    else:
        logging.info('No input_schema.json: JSON payloads keep the dtypes pandas infers.')
    return data_type


def deserialize(data, input_schema_path=_DEFAULT_SCHEMA_PATH):
    """Rebuilds the object the client serialised.

    Accepts raw JSON values and the {"data": ..., "data_type": "<class '...'>"}
    wrapper ADS clients send: base64 NPY bytes for numpy arrays (never
    unpickled), lists for Series, DataFrame.to_json() strings, and dicts.
    Bytes are handed to the model unchanged.
    """
    if isinstance(data, bytes):
        return data
    data_type = data.get('data_type', '') if isinstance(data, dict) else ''
    json_data = data.get('data', data) if isinstance(data, dict) else data
    if 'numpy.ndarray' in data_type:
        raw = base64.b64decode(json_data.encode('utf-8'))
        return np.load(BytesIO(raw), allow_pickle=False)
    if 'pandas.core.series.Series' in data_type:
        return pd.Series(json_data)
    if 'pandas.core.frame.DataFrame' in data_type or isinstance(json_data, str):
        dtypes = fetch_data_type_from_schema(input_schema_path)
        return pd.read_json(StringIO(json_data), dtype=dtypes or True)
    if isinstance(json_data, dict):
        return pd.DataFrame.from_dict(json_data)
    return json_data


def pre_inference(data, input_schema_path=_DEFAULT_SCHEMA_PATH):
    """Turns the request payload into model input."""
    return deserialize(data, input_schema_path)


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {_plain(key): _plain(item) for key, item in value.items()}
    return value


def post_inference(yhat):
    """Turns model output into JSON-serialisable Python values."""
    if isinstance(yhat, (pd.DataFrame, pd.Series)):
        yhat = yhat.values
    return _plain(yhat)
)PY";

constexpr std::string_view kOnnx = R"PY(

@lru_cache(maxsize=10)
def load_model(model_file_name=model_name):
    """Opens an onnxruntime session on the model file beside this script."""
    path = _locate_model_file(model_file_name)
    return onnxruntime.InferenceSession(path, providers=['CPUExecutionProvider'])


_ONNX_TYPES = {
    'tensor(float)': np.float32, 'tensor(double)': np.float64,
    'tensor(float16)': np.float16, 'tensor(int64)': np.int64,
    'tensor(int32)': np.int32, 'tensor(int16)': np.int16, 'tensor(int8)': np.int8,
    'tensor(uint8)': np.uint8, 'tensor(bool)': np.bool_, 'tensor(string)': object,
}


def _as_tensor(value, node):
    """Casts one input to the dtype the model declares; adds the batch axis to a
    single sample."""
    array = np.asarray(value, dtype=_ONNX_TYPES.get(node.type, np.float32))
    rank = len(node.shape) if node.shape is not None else None
    if rank is not None and array.ndim == rank - 1:
        array = array.reshape((1,) + array.shape)
    return array


def _holds_sequences(column):
    return len(column) > 0 and isinstance(column.iloc[0], (list, tuple, np.ndarray))


def _column_tensor(column):
    if _holds_sequences(column):
        return [list(item) for item in column]
    return column.to_numpy().reshape(-1, 1)


def _feeds(X, session):
    """Maps the model input(s) by name: one input takes the whole table, several
    inputs take one column (or one list item) each."""
    inputs = session.get_inputs()
    names = [node.name for node in inputs]
    if isinstance(X, pd.Series):
        X = X.to_numpy()
    if isinstance(X, pd.DataFrame):
        by_name = all(name in X.columns for name in names)
        if by_name and (len(inputs) > 1 or _holds_sequences(X[names[0]])):
            return {node.name: _as_tensor(_column_tensor(X[node.name]), node) for node in inputs}
        if len(inputs) == 1:
            return {names[0]: _as_tensor(X.values, inputs[0])}
        raise ValueError(f'The model has the inputs {names}: send one column per input.')
    if len(inputs) == 1:
        return {names[0]: _as_tensor(X, inputs[0])}
    if len(X) != len(inputs):
        raise ValueError(f'The model has the inputs {names}: send one value per input.')
    return {node.name: _as_tensor(item, node) for node, item in zip(inputs, X)}


def predict(data, model=load_model(), input_schema_path=_DEFAULT_SCHEMA_PATH):
    """Returns {'prediction': ...}: the model's only output as nested lists, or a
    list with one entry per output when the model has several."""
    X = pre_inference(data, input_schema_path)
    outputs = model.run(None, _feeds(X, model))
    if len(outputs) == 1:
        return {'prediction': post_inference(outputs[0])}
    return {'prediction': [post_inference(output) for output in outputs]}
)PY";

constexpr std::string_view kXgboost = R"PY(

@lru_cache(maxsize=10)
def load_model(model_file_name=model_name):
    """Loads the booster saved beside this script (JSON, UBJSON or the legacy binary format)."""
    path = _locate_model_file(model_file_name)
    booster = xgboost.Booster()
    booster.load_model(path)
    return booster


def _as_dmatrix(X, booster):
    """Builds the DMatrix; a 1-D input is one row (or one column for a
    single-feature model), columns are matched to the model's feature names."""
    names = booster.feature_names
    if isinstance(X, pd.DataFrame):
        if names and all(name in X.columns for name in names):
            return xgboost.DMatrix(X[names])
        return xgboost.DMatrix(np.asarray(X.values, dtype=np.float32), feature_names=names)
    if isinstance(X, pd.Series):
        X = X.to_numpy()
    X = np.asarray(X, dtype=np.float32)
    if X.ndim == 1:
        X = X.reshape(-1, 1) if booster.num_features() == 1 else X.reshape(1, -1)
    return xgboost.DMatrix(X, feature_names=names)


def predict(data, model=load_model(), input_schema_path=_DEFAULT_SCHEMA_PATH):
    """Returns {'prediction': Booster.predict(...)} as lists, like ADS's XGBoost
    template: the objective's output, i.e. the positive-class probability for
    binary:logistic, one probability per class for multi:softprob, the class
    index for multi:softmax and the value for regression."""
    X = pre_inference(data, input_schema_path)
    return {'prediction': post_inference(model.predict(_as_dmatrix(X, model)))}
)PY";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// YYYYmmdd_HHMMSS by shape only, as the pattern [0-9]{8}_[0-9]{6}.
bool IsTimestamp(std::string_view s) {
  if (s.size() != 15 || s[8] != '_') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i != 8 && !IsDigit(s[i])) return false;
  }
  return true;
}

// The parts of a marker line. The first line and the body are read with
// plain scans rather than std::regex, which recurses once per character and
// overflows the stack on a long line.
struct MarkerParts {
  std::string version, time, hash;
};

// "# score.py 1.0 generated by ads <[!-~]+> on <timestamp> sha256=<64 hex>".
std::optional<MarkerParts> ParseMarkerLine(std::string_view line) {
  constexpr std::string_view kPrefix = "# score.py 1.0 generated by ads ";
  constexpr std::string_view kOn = " on ";
  constexpr std::string_view kSha = " sha256=";
  if (!line.starts_with(kPrefix)) return std::nullopt;
  line.remove_prefix(kPrefix.size());
  size_t v = 0;
  while (v < line.size() && line[v] >= '!' && line[v] <= '~') ++v;
  if (v == 0) return std::nullopt;
  MarkerParts parts;
  parts.version = std::string(line.substr(0, v));
  line.remove_prefix(v);
  if (!line.starts_with(kOn) || line.size() < kOn.size() + 15) return std::nullopt;
  line.remove_prefix(kOn.size());
  if (!IsTimestamp(line.substr(0, 15))) return std::nullopt;
  parts.time = std::string(line.substr(0, 15));
  line.remove_prefix(15);
  if (!line.starts_with(kSha)) return std::nullopt;
  line.remove_prefix(kSha.size());
  if (line.size() != 64) return std::nullopt;
  for (char c : line) {
    if (!IsDigit(c) && !(c >= 'a' && c <= 'f')) return std::nullopt;
  }
  parts.hash = std::string(line);
  return parts;
}

// ^# ads-runtime: (onnx|xgboost) (onnx|json|ubj|bin)\n at the start of the body.
bool ParseRuntimeLine(std::string_view body, std::string* runtime, std::string* format) {
  constexpr std::string_view kPrefix = "# ads-runtime: ";
  if (!body.starts_with(kPrefix)) return false;
  body.remove_prefix(kPrefix.size());
  const size_t eol = body.find('\n');
  if (eol == std::string_view::npos) return false;
  const std::string_view line = body.substr(0, eol);
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return false;
  const std::string_view rt = line.substr(0, space), fmt = line.substr(space + 1);
  if (rt != "onnx" && rt != "xgboost") return false;
  if (fmt != "onnx" && fmt != "json" && fmt != "ubj" && fmt != "bin") return false;
  *runtime = std::string(rt);
  *format = std::string(fmt);
  return true;
}

// The first "\nmodel_name = '<[^'\n]+>'\n" in the body.
bool FindModelName(std::string_view body, std::string* name) {
  constexpr std::string_view kPrefix = "\nmodel_name = '";
  for (size_t at = body.find(kPrefix); at != std::string_view::npos;
       at = body.find(kPrefix, at + 1)) {
    const size_t start = at + kPrefix.size();
    const size_t end = body.find_first_of("'\n", start);
    if (end == std::string_view::npos || end == start || body[end] != '\'') continue;
    if (end + 1 >= body.size() || body[end + 1] != '\n') continue;
    *name = std::string(body.substr(start, end - start));
    return true;
  }
  return false;
}

// A file name that can sit in a single-quoted Python literal and beside score.py.
bool IsSafeModelFileName(std::string_view name) {
  if (name.empty() || name == "." || name == ".." || name == "score.py") return false;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\' || c == '\'' || u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

bool IsSafeVersion(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
  }
  return true;
}

Status ValidateOptions(const ScorePyOptions& o) {
  if (o.framework != "onnx" && o.framework != "xgboost") {
    return InvalidArgumentError("score.py can only be generated for the frameworks onnx and xgboost, not " +
                                Quoted(o.framework) + ".");
  }
  const bool format_ok =
      o.framework == "onnx" ? o.serialization_format == "onnx"
                            : (o.serialization_format == "json" || o.serialization_format == "ubj" ||
                               o.serialization_format == "bin");
  if (!format_ok) {
    return InvalidArgumentError("The serialization format " + Quoted(o.serialization_format) +
                                " does not fit the framework " + o.framework + ".");
  }
  if (!IsSafeModelFileName(o.model_file_name)) {
    return InvalidArgumentError("The model file name " + Quoted(o.model_file_name) +
                                " must be a plain file name without quotes, slashes or control characters.");
  }
  if (!IsSafeVersion(o.ads_version)) {
    return InvalidArgumentError("The ads version " + Quoted(o.ads_version) +
                                " must be non-empty printable ASCII without spaces.");
  }
  if (!IsTimestamp(o.time_created)) {
    return InvalidArgumentError("The creation time " + Quoted(o.time_created) +
                                " must have the form YYYYmmdd_HHMMSS.");
  }
  return OkStatus();
}

std::string MarkerLine(std::string_view version, std::string_view time, std::string_view hash) {
  std::string line = "# score.py ";
  line += kScorePyVersion;
  line += " generated by ads ";
  line += version;
  line += " on ";
  line += time;
  line += " sha256=";
  line += hash;
  return line;
}

}  // namespace

Result<std::string> GenerateScorePy(const ScorePyOptions& options) {
  ADS_RETURN_IF_ERROR(ValidateOptions(options));
  const bool onnx = options.framework == "onnx";
  std::string body(kHead);
  body += onnx ? kOnnx : kXgboost;
  body = ReplaceAll(std::move(body), "{{RUNTIME}}", options.framework);
  body = ReplaceAll(std::move(body), "{{FORMAT}}", options.serialization_format);
  body = ReplaceAll(std::move(body), "{{MODEL}}", options.model_file_name);
  body = ReplaceAll(std::move(body), "{{FRAMEWORK_IMPORT}}",
                    onnx ? "import onnxruntime" : "import xgboost");
  body = ReplaceAll(std::move(body), "{{FRAMEWORK_DOC}}",
                    onnx ? "ONNX, onnxruntime" : "XGBoost, " + options.serialization_format);
  return MarkerLine(options.ads_version, options.time_created, Sha256Hex(body)) + "\n" + body;
}

ScorePyOrigin RecognizeScorePy(std::string_view text) {
  ScorePyOrigin origin;
  const size_t eol = text.find('\n');
  if (eol == std::string_view::npos) return origin;
  const std::optional<MarkerParts> marker = ParseMarkerLine(text.substr(0, eol));
  if (!marker) return origin;
  origin.ads_version = marker->version;
  origin.time_created = marker->time;
  const std::string_view body = text.substr(eol + 1);
  if (Sha256Hex(body) != marker->hash) {
    origin.kind = ScorePyOrigin::kGeneratedModified;
    return origin;
  }
  // The hash is right, so the body is one we wrote; still read it defensively.
  std::string runtime, format, model;
  if (!ParseRuntimeLine(body, &runtime, &format) || !FindModelName(body, &model)) {
    origin.kind = ScorePyOrigin::kGeneratedModified;
    return origin;
  }
  origin.kind = ScorePyOrigin::kGeneratedUnmodified;
  origin.runtime = std::move(runtime);
  origin.serialization_format = std::move(format);
  origin.model_file_name = std::move(model);
  return origin;
}

std::string_view ScorePyOriginKindName(ScorePyOrigin::Kind kind) {
  switch (kind) {
    case ScorePyOrigin::kGeneratedUnmodified:
      return "generated";
    case ScorePyOrigin::kGeneratedModified:
      return "generated-modified";
    case ScorePyOrigin::kUserProvided:
      return "user";
  }
  return "user";
}

}  // namespace ads::artifact
