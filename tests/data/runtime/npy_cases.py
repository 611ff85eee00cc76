"""Writes .npy files with numpy and prints what numpy reads back.

usage: npy_cases.py <dir>
For each case writes <dir>/<name>.npy and prints a JSON line
{"name": ..., "shape": [...], "values": arr.tolist()}; for the cases numpy
can only read with pickle (object arrays) or that are structured, prints
{"name": ..., "refused": true}. The C++ test parses the files with ParseNpy.
"""
import json
import os
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(3)
base = rng.normal(size=(3, 4))
cases = {
    'f8': base,
    'f4': base.astype(np.float32),
    'f2': base.astype(np.float16),
    'f8_big_endian': base.astype('>f8'),
    'i4_big_endian': (base * 100).astype('>i4'),
    'f4_fortran': np.asfortranarray(base.astype(np.float32)),
    'i8_fortran_3d': np.asfortranarray(np.arange(24, dtype=np.int64).reshape(2, 3, 4)),
    'i1': np.array([-128, 0, 127], dtype=np.int8),
    'i2': np.array([[-300, 300]], dtype=np.int16),
    'u1': np.array([0, 255], dtype=np.uint8),
    'u2': np.array([65535], dtype=np.uint16),
    'u4': np.array([4294967295], dtype=np.uint32),
    'u8': np.array([18446744073709551615], dtype=np.uint64),
    'bool': base > 0,
    'unicode': np.array([['iris', 'set\u00f4sa'], ['\U0001F600', '']]),
    'scalar': np.array(2.5),
    'empty': np.zeros((0, 3)),
    'nan_inf': np.array([np.nan, np.inf, -np.inf, -0.0]),
}
for name, array in cases.items():
    np.save(os.path.join(out, name + '.npy'), array, allow_pickle=False)
    print(json.dumps({'name': name, 'shape': list(array.shape), 'values': array.tolist()}))
np.save(os.path.join(out, 'object.npy'), np.array([1, 'a', None], dtype=object), allow_pickle=True)
print(json.dumps({'name': 'object', 'refused': True}))
np.save(os.path.join(out, 'structured.npy'), np.zeros(2, dtype=[('a', '<i4'), ('b', '<f8')]))
print(json.dumps({'name': 'structured', 'refused': True}))
np.save(os.path.join(out, 'complex.npy'), np.array([1 + 2j]))
print(json.dumps({'name': 'complex', 'refused': True}))
