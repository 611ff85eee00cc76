"""Runs the generated XGBoost score.py on many ADS payloads and prints its answers.

usage: xgboost_equivalence.py <artifact_dir>

The artifact dir must hold the generated score.py (model_name = 'model.json').
The script trains small boosters (objectives, booster types, the three file
formats, with and without feature names), builds each payload the way ADS
clients do, calls score.predict() (python3-xgboost) and prints one JSON line
per case: {"model", "name", "body", "expected" | "error"}. The C++ test sends
the same bodies to the native predictor and compares the text.
"""
import base64
import importlib.util
import io
import json
import os
import sys
import warnings

import numpy as np
import pandas as pd
import xgboost as xgb

sys.dont_write_bytecode = True
warnings.simplefilter('ignore')
xgb.set_config(verbosity=0)
artifact = sys.argv[1]
rng = np.random.default_rng(5)
X = rng.normal(size=(80, 4))
columns = ['a', 'b', 'c', 'd']
df = pd.DataFrame(X, columns=columns)
y_binary = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
y_multi = np.digitize(X[:, 2], [-0.5, 0.5]).astype(int)
y_reg = X[:, 0] * 2 - X[:, 3]


def train(params, data, label, rounds=6):
    if params.get('booster') != 'gblinear':
        params = dict(params, max_depth=3)
    return xgb.train(dict(params, seed=1), xgb.DMatrix(data, label=label), rounds)


models = {
    'model.json': train({'objective': 'binary:logistic'}, df, y_binary),  # feature names a..d
    'multi.ubj': train({'objective': 'multi:softprob', 'num_class': 3}, X, y_multi),
    'softmax.bin': train({'objective': 'multi:softmax', 'num_class': 3}, X, y_multi),
    'regression.json': train({'objective': 'reg:squarederror'}, X, y_reg),
    'linear.json': train({'objective': 'reg:squarederror', 'booster': 'gblinear'}, X, y_reg),
    'dart.ubj': train({'objective': 'binary:logistic', 'booster': 'dart', 'rate_drop': 0.3}, X, y_binary),
    'one_feature.json': train({'objective': 'reg:squarederror'}, X[:, :1], y_reg),
}
for name, booster in models.items():
    booster.save_model(os.path.join(artifact, name))

spec = importlib.util.spec_from_file_location('score', os.path.join(artifact, 'score.py'))
score = importlib.util.module_from_spec(spec)
spec.loader.exec_module(score)


def npy(array):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return {'data': base64.b64encode(buf.getvalue()).decode(), 'data_type': "<class 'numpy.ndarray'>"}


Xq = X[:5]
dfq = df.iloc[:5]
Xnan = Xq.copy()
Xnan[0, 1] = np.nan
common = {
    'raw list': Xq.tolist(),
    'single row': Xq[0].tolist(),
    'with NaN': Xnan.tolist(),
    'numpy float64': npy(Xq),
    'numpy float32 fortran': npy(np.asfortranarray(Xq.astype(np.float32))),
    'numpy int32': npy((Xq * 10).astype(np.int32)),
    'dataframe columns': {'data': dfq.to_json(), 'data_type': "<class 'pandas.core.frame.DataFrame'>"},
    'dataframe records': {'data': dfq.to_json(orient='records'),
                          'data_type': "<class 'pandas.core.frame.DataFrame'>"},
    'dict of lists': dfq.to_dict(orient='list'),
    'dict reordered': dfq[['d', 'c', 'b', 'a']].to_dict(orient='list'),
    'series': {'data': Xq[1].tolist(), 'data_type': "<class 'pandas.core.series.Series'>"},
    'too wide': np.hstack([Xq, Xq[:, :1]]).tolist(),
    'strings': [['x', 'y', 'z', 'w']],
}
one_feature = {
    'column of values': Xq[:, 0].tolist(),
    'rows of one': Xq[:, :1].tolist(),
}
for model_file in models:
    payloads = one_feature if model_file == 'one_feature.json' else common
    model = score.load_model(model_file)
    for name, payload in payloads.items():
        body = json.dumps(payload)
        line = {'model': model_file, 'name': name, 'body': body}
        try:
            line['expected'] = json.dumps(score.predict(json.loads(body), model=model))
        except Exception as e:  # the native runtime must fail too
            line['error'] = f'{type(e).__name__}: {e}'
        print(json.dumps(line))
