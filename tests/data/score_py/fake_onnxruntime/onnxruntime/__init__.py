"""A stand-in for onnxruntime, for tests only (Debian has no onnxruntime).

It loads the model with the `onnx` package and evaluates MatMul/Add/Identity
graphs with numpy. Like onnxruntime it refuses feeds with unknown names, a
dtype other than the declared one, or the wrong rank, so a test through it
shows that score.py feeds inputs by name with the model's dtype and shape.
"""
import numpy as np
import onnx
from onnx import numpy_helper

_TYPES = {1: ('tensor(float)', np.float32), 11: ('tensor(double)', np.float64),
          7: ('tensor(int64)', np.int64), 6: ('tensor(int32)', np.int32),
          9: ('tensor(bool)', np.bool_)}


class NodeArg:
    def __init__(self, value_info):
        tensor = value_info.type.tensor_type
        self.name = value_info.name
        self.type, self.dtype = _TYPES[tensor.elem_type]
        self.shape = [d.dim_value if d.HasField('dim_value') else (d.dim_param or None)
                      for d in tensor.shape.dim]


class InferenceSession:
    def __init__(self, path, providers=None):
        self._model = onnx.load(path)
        graph = self._model.graph
        self._constants = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
        self._inputs = [NodeArg(v) for v in graph.input if v.name not in self._constants]
        self._outputs = [NodeArg(v) for v in graph.output]

    def get_inputs(self):
        return list(self._inputs)

    def get_outputs(self):
        return list(self._outputs)

    def run(self, output_names, feeds):
        names = {arg.name for arg in self._inputs}
        if set(feeds) != names:
            raise ValueError(f'INVALID_ARGUMENT: feeds {sorted(feeds)} != inputs {sorted(names)}')
        values = dict(self._constants)
        for arg in self._inputs:
            array = feeds[arg.name]
            if not isinstance(array, np.ndarray) or array.dtype != arg.dtype:
                raise ValueError(f'INVALID_ARGUMENT: Unexpected input data type for {arg.name}')
            if array.ndim != len(arg.shape):
                raise ValueError(f'INVALID_ARGUMENT: Invalid rank for input: {arg.name}')
            values[arg.name] = array
        for node in self._model.graph.node:
            args = [values[name] for name in node.input]
            if node.op_type == 'MatMul':
                result = np.matmul(args[0], args[1])
            elif node.op_type == 'Add':
                result = np.add(args[0], args[1])
            elif node.op_type == 'Identity':
                result = args[0]
            else:
                raise NotImplementedError(node.op_type)
            values[node.output[0]] = result
        wanted = output_names or [arg.name for arg in self._outputs]
        return [values[name] for name in wanted]
