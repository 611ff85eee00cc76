"""Runs a generated ONNX score.py against the fake onnxruntime.

usage: onnx_check.py <artifact_dir> <fake_onnxruntime_dir>
Builds two linear models (one input; two named inputs), imports score.py and
checks predict() on several ADS payload encodings against numpy. Prints ALL OK.
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

sys.dont_write_bytecode = True  # keep the source tree clean
artifact, fake = sys.argv[1], sys.argv[2]
sys.path.insert(0, fake)

W = np.array([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]], dtype=np.float32)
B = np.array([0.1, -0.2], dtype=np.float32)


def save_single(path):
    graph = helper.make_graph(
        [helper.make_node('MatMul', ['X', 'W'], ['XW']), helper.make_node('Add', ['XW', 'B'], ['Y'])],
        'linear', [helper.make_tensor_value_info('X', TensorProto.FLOAT, ['N', 3])],
        [helper.make_tensor_value_info('Y', TensorProto.FLOAT, ['N', 2])],
        [numpy_helper.from_array(W, 'W'), numpy_helper.from_array(B, 'B')])
    onnx.save(helper.make_model(graph), path)


def save_two_inputs(path):
    graph = helper.make_graph(
        [helper.make_node('MatMul', ['a', 'Wa'], ['aW']), helper.make_node('MatMul', ['b', 'Wb'], ['bW']),
         helper.make_node('Add', ['aW', 'bW'], ['Y'])],
        'two', [helper.make_tensor_value_info('a', TensorProto.FLOAT, ['N', 2]),
                helper.make_tensor_value_info('b', TensorProto.FLOAT, ['N', 1])],
        [helper.make_tensor_value_info('Y', TensorProto.FLOAT, ['N', 2])],
        [numpy_helper.from_array(W[:2], 'Wa'), numpy_helper.from_array(W[2:], 'Wb')])
    onnx.save(helper.make_model(graph), path)


save_single(os.path.join(artifact, 'model.onnx'))
save_two_inputs(os.path.join(artifact, 'two.onnx'))
spec = importlib.util.spec_from_file_location('score', os.path.join(artifact, 'score.py'))
score = importlib.util.module_from_spec(spec)
spec.loader.exec_module(score)

X = np.array([[1.0, 2.0, 3.0], [-1.5, 0.0, 4.25], [7.0, 8.0, -9.0]])
expected = (X.astype(np.float32) @ W + B).tolist()
df = pd.DataFrame(X, columns=['f0', 'f1', 'f2'])
npy = io.BytesIO()
np.save(npy, X, allow_pickle=False)
payloads = {
    'raw list': X.tolist(),
    'list wrapper': {'data': X.tolist(), 'data_type': "<class 'list'>"},
    'numpy wrapper': {'data': base64.b64encode(npy.getvalue()).decode(), 'data_type': "<class 'numpy.ndarray'>"},
    'dataframe wrapper': {'data': df.to_json(), 'data_type': "<class 'pandas.core.frame.DataFrame'>"},
    'dict': df.to_dict(),
}
failures = []
for name, payload in payloads.items():
    got = score.predict(json.loads(json.dumps(payload)))
    json.dumps(got)
    if got != {'prediction': expected}:
        failures.append(f'{name}: {got} != {expected}')

one = score.predict(X[0].tolist())['prediction']
if one != expected[:1]:
    failures.append(f'single sample: {one}')

two = score.load_model('two.onnx')
got = score.predict(json.loads(json.dumps({'a': X[:, :2].tolist(), 'b': X[:, 2:].tolist()})), model=two)
if got['prediction'] != (X[:, :2].astype(np.float32) @ W[:2] + X[:, 2:].astype(np.float32) @ W[2:]).tolist():
    failures.append(f'two inputs: {got}')

if failures:
    print('\n'.join(failures))
    sys.exit(1)
print('ALL OK')
