"""Trains XGBoost models, runs a generated score.py and compares with xgboost.

usage: xgboost_check.py <artifact_dir> <json|ubj|bin>
Trains a binary:logistic model (saved as model.<fmt>, the file score.py names)
and a multi:softprob model, then checks predict() on several ADS payload
encodings, and the manifest check of load_model. Prints ALL OK.
"""
import base64
import hashlib
import importlib.util
import io
import json
import os
import sys

import numpy as np
import pandas as pd
import xgboost as xgb

artifact, fmt = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(7)
X = rng.normal(size=(60, 4))
columns = ['a', 'b', 'c', 'd']
y_binary = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
y_multi = (np.digitize(X[:, 2], [-0.5, 0.5])).astype(int)
df = pd.DataFrame(X, columns=columns)

binary = xgb.train({'objective': 'binary:logistic', 'max_depth': 3}, xgb.DMatrix(df, label=y_binary), 8)
multi = xgb.train({'objective': 'multi:softprob', 'num_class': 3, 'max_depth': 3},
                  xgb.DMatrix(df, label=y_multi), 8)
binary.save_model(os.path.join(artifact, f'model.{fmt}'))
multi.save_model(os.path.join(artifact, f'multi.{fmt}'))

spec = importlib.util.spec_from_file_location('score', os.path.join(artifact, 'score.py'))
score = importlib.util.module_from_spec(spec)
spec.loader.exec_module(score)

Xq = X[:5]
dfq = df.iloc[:5]
npy = io.BytesIO()
np.save(npy, Xq, allow_pickle=False)
payloads = {
    'raw list': Xq.tolist(),
    'list wrapper': {'data': Xq.tolist(), 'data_type': "<class 'list'>"},
    'numpy wrapper': {'data': base64.b64encode(npy.getvalue()).decode(), 'data_type': "<class 'numpy.ndarray'>"},
    'dataframe wrapper': {'data': dfq.to_json(), 'data_type': "<class 'pandas.core.frame.DataFrame'>"},
    'dataframe string': dfq.to_json(),
    'dict': dfq.to_dict(),
}
failures = []


def check(name, booster, payload, rows, model=None):
    expected = booster.predict(xgb.DMatrix(rows)).tolist()
    kwargs = {'model': model} if model is not None else {}
    got = score.predict(json.loads(json.dumps(payload)), **kwargs)
    json.dumps(got)
    if got != {'prediction': expected}:
        failures.append(f'{name}: {got} != {expected}')


for name, payload in payloads.items():
    check(name, binary, payload, dfq)
series = {'data': dfq.iloc[0].tolist(), 'data_type': "<class 'pandas.core.series.Series'>"}
check('series row', binary, series, dfq.iloc[:1])
check('multi dataframe', multi, {'data': dfq.to_json(), 'data_type': "<class 'pandas.core.frame.DataFrame'>"},
      dfq, model=score.load_model(f'multi.{fmt}'))

# load_model verifies the file against model_artifact_manifest.json when present.
path = os.path.join(artifact, f'model.{fmt}')
data = open(path, 'rb').read()
manifest = os.path.join(artifact, 'model_artifact_manifest.json')
entry = {'sha256': hashlib.sha256(data).hexdigest(), 'size': len(data)}
with open(manifest, 'w') as f:
    json.dump({'files': {f'model.{fmt}': entry}, 'version': 1}, f)
score.load_model.__wrapped__(f'model.{fmt}')
entry['sha256'] = '0' * 64
with open(manifest, 'w') as f:
    json.dump({'files': {f'model.{fmt}': entry}, 'version': 1}, f)
try:
    score.load_model.__wrapped__(f'model.{fmt}')
    failures.append('a manifest hash mismatch was accepted')
except ValueError as e:
    if 'hash mismatch' not in str(e):
        failures.append(f'unexpected manifest error: {e}')
os.remove(manifest)

if failures:
    print('\n'.join(failures))
    sys.exit(1)
print('ALL OK')
