"""Runs the generated ONNX score.py on many ADS payloads and prints its answers.

usage: onnx_equivalence.py <artifact_dir> <fake_onnxruntime_dir>

The artifact dir must hold the generated score.py (model_name = 'model.onnx').
The script writes small ONNX models there (MatMul/Add/Identity graphs, which
the test stand-in for onnxruntime evaluates with numpy), builds each payload
the way ADS clients do (np.save + base64, DataFrame.to_json, ...), calls
score.predict() and prints one JSON line per case:
  {"model": file, "name": case, "body": request body, "expected": response body}
or "error" instead of "expected" when score.py raised. The C++ test sends the
same bodies to the native predictor and compares the text.
"""
import base64
import importlib.util
import io
import json
import os
import sys

import numpy as np
import onnx
import pandas as pd
from onnx import TensorProto, helper, numpy_helper

sys.dont_write_bytecode = True
artifact, fake = sys.argv[1], sys.argv[2]
sys.path.insert(0, fake)

W = np.array([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]], dtype=np.float32)
B = np.array([0.1, -0.2], dtype=np.float32)


def save(path, nodes, inputs, outputs, inits):
    graph = helper.make_graph(nodes, 'g', inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
    model.ir_version = 8
    onnx.save(model, os.path.join(artifact, path))


def info(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


linear = [helper.make_node('MatMul', ['X', 'W'], ['XW']), helper.make_node('Add', ['XW', 'B'], ['Y'])]
save('model.onnx', linear, [info('X', TensorProto.FLOAT, ['N', 3])], [info('Y', TensorProto.FLOAT, ['N', 2])],
     [numpy_helper.from_array(W, 'W'), numpy_helper.from_array(B, 'B')])
save('two_outputs.onnx', linear + [helper.make_node('Identity', ['XW'], ['Z'])],
     [info('X', TensorProto.FLOAT, ['N', 3])],
     [info('Y', TensorProto.FLOAT, ['N', 2]), info('Z', TensorProto.FLOAT, ['N', 2])],
     [numpy_helper.from_array(W, 'W'), numpy_helper.from_array(B, 'B')])
save('double.onnx', linear, [info('X', TensorProto.DOUBLE, ['N', 3])], [info('Y', TensorProto.DOUBLE, ['N', 2])],
     [numpy_helper.from_array(W.astype(np.float64), 'W'), numpy_helper.from_array(B.astype(np.float64), 'B')])
save('two_inputs.onnx',
     [helper.make_node('MatMul', ['a', 'Wa'], ['aW']), helper.make_node('MatMul', ['b', 'Wb'], ['bW']),
      helper.make_node('Add', ['aW', 'bW'], ['Y'])],
     [info('a', TensorProto.FLOAT, ['N', 2]), info('b', TensorProto.FLOAT, ['N', 1])],
     [info('Y', TensorProto.FLOAT, ['N', 2])],
     [numpy_helper.from_array(W[:2], 'Wa'), numpy_helper.from_array(W[2:], 'Wb')])

spec = importlib.util.spec_from_file_location('score', os.path.join(artifact, 'score.py'))
score = importlib.util.module_from_spec(spec)
spec.loader.exec_module(score)

rng = np.random.default_rng(11)
X = rng.normal(size=(4, 3)) * 10
columns = ['f0', 'f1', 'f2']
df = pd.DataFrame(X, columns=columns)


def npy(array):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return {'data': base64.b64encode(buf.getvalue()).decode(), 'data_type': "<class 'numpy.ndarray'>"}


def frame(text):
    return {'data': text, 'data_type': "<class 'pandas.core.frame.DataFrame'>"}


Xnan = X.copy()
Xnan[1, 2] = np.nan
single = {
    'raw list': X.tolist(),
    'single sample': X[0].tolist(),
    'integers': [[1, 2, 3], [4, 5, 6]],
    'booleans and null': [[True, False, None], [1, 0.5, -2]],
    'with NaN': Xnan.tolist(),
    'list wrapper': {'data': X.tolist(), 'data_type': "<class 'list'>"},
    'data without type': {'data': X.tolist()},
    'numpy float64': npy(X),
    'numpy float32': npy(X.astype(np.float32)),
    'numpy int64': npy(np.arange(6, dtype=np.int64).reshape(2, 3)),
    'numpy fortran': npy(np.asfortranarray(X)),
    'numpy big-endian': npy(X.astype('>f8')),
    'numpy one row': npy(X[0]),
    'numpy bool': npy(X > 0),
    'dataframe columns': frame(df.to_json()),
    'dataframe records': frame(df.to_json(orient='records')),
    'dataframe values': frame(df.to_json(orient='values')),
    'dataframe split': frame(df.to_json(orient='split')),
    'json string only': df.to_json(),
    'dict of dicts': json.loads(df.to_json()),
    'dict of lists': df.to_dict(orient='list'),
    'series': {'data': X[0].tolist(), 'data_type': "<class 'pandas.core.series.Series'>"},
    'ragged': [[1, 2, 3], [4, 5]],
    'strings': [['a', 'b', 'c']],
    'wrong width': [[1.0, 2.0]],
}
two_inputs = {
    'dict of sequences': {'a': X[:, :2].tolist(), 'b': X[:, 2:].tolist()},
    'list per input': [X[:, :2].tolist(), X[:, 2:].tolist()],
    'too few values': [X[:, :2].tolist()],
    'unknown column': {'a': X[:, :2].tolist(), 'c': X[:, 2:].tolist()},
}
cases = [('model.onnx', single), ('two_outputs.onnx', {k: single[k] for k in ('raw list', 'numpy float32')}),
         ('double.onnx', {k: single[k] for k in ('raw list', 'numpy float32', 'dict of lists')}),
         ('two_inputs.onnx', two_inputs)]
for model_file, payloads in cases:
    model = score.load_model(model_file)
    for name, payload in payloads.items():
        body = json.dumps(payload)
        line = {'model': model_file, 'name': name, 'body': body}
        try:
            line['expected'] = json.dumps(score.predict(json.loads(body), model=model))
        except Exception as e:  # the native runtime must fail too
            line['error'] = f'{type(e).__name__}: {e}'
        print(json.dumps(line))
