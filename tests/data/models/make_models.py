#!/usr/bin/python3
"""Generates the model-file fixtures of src/artifact/model_info_test.cc.

Run with Debian's /usr/bin/python3 (python3-sklearn, python3-onnx, python3-xgboost):

    /usr/bin/python3 tests/data/models/make_models.py

Writes, next to this script:
  xgb_classifier.{json,ubj,bin}  XGBClassifier, binary:logistic, 6 features
  xgb_multiclass.{json,ubj,bin}  XGBClassifier, multi:softprob, 3 classes, 4 features
  xgb_regressor.{json,ubj,bin}   xgb.train booster (no sklearn wrapper), reg:squarederror
  linear_regressor.onnx          ai.onnx.ml LinearRegressor, producer skl2onnx
  tree_classifier.onnx           ai.onnx.ml TreeEnsembleClassifier + ZipMap, producer skl2onnx
  xgb_tree.onnx                  TreeEnsembleClassifier (BRANCH_LT) from an XGBoost dump,
                                 producer onnxmltools
  mlp.onnx                       Gemm/Relu/Gemm, dynamic batch "batch", producer pytorch,
                                 weights also listed as graph inputs (old exporter style)
  empty.onnx, random.onnx, truncated.onnx, truncated.json, garbage.ubj, truncated.bin
  expected.json                  what xgboost / onnx (Python) say about each file

Everything is deterministic: fixed seeds, single-threaded exact tree growth.
"""

import json
import os

import numpy as np
import onnx
import sklearn
import xgboost as xgb
from onnx import TensorProto, helper, numpy_helper
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = {}


def path(name):
    return os.path.join(HERE, name)


def xgb_expected(booster, fname, serialization):
    """Facts about a saved booster, as xgboost itself reports them."""
    reloaded = xgb.Booster()
    reloaded.load_model(path(fname))
    config = json.loads(reloaded.save_config())
    learner = config["learner"]
    version = xgb.__version__
    if serialization == "bin":
        # The legacy binary header stores only major and minor.
        version = ".".join(version.split(".")[:2])
    EXPECTED[fname] = {
        "format": "xgboost",
        "serialization_format": serialization,
        "framework_version": version,
        "objective": learner["objective"]["name"],
        "num_features": reloaded.num_features(),
        "num_class": int(learner["learner_model_param"]["num_class"]),
        "num_trees": len(reloaded.get_dump()),
        "booster": learner["gradient_booster"]["name"],
        "feature_names": list(reloaded.feature_names or []),
    }


def save_xgb(model_or_booster, stem, algorithm):
    for ext in ("json", "ubj", "bin"):
        fname = f"{stem}.{ext}"
        model_or_booster.save_model(path(fname))
        booster = (model_or_booster.get_booster()
                   if hasattr(model_or_booster, "get_booster") else model_or_booster)
        xgb_expected(booster, fname, ext)
        EXPECTED[fname]["algorithm"] = algorithm


def make_xgboost():
    rng = np.random.RandomState(0)
    x = rng.rand(60, 6).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 1.0).astype(int)
    clf = xgb.XGBClassifier(n_estimators=4, max_depth=3, n_jobs=1, tree_method="exact",
                            random_state=0)
    clf.fit(x, y)
    save_xgb(clf, "xgb_classifier", "XGBClassifier")
    for ext in ("json", "ubj", "bin"):
        EXPECTED[f"xgb_classifier.{ext}"]["max_depth"] = clf.get_params()["max_depth"]
        EXPECTED[f"xgb_classifier.{ext}"]["n_estimators"] = clf.get_params()["n_estimators"]

    x3 = rng.rand(90, 4).astype(np.float32)
    y3 = np.digitize(x3[:, 2], [0.33, 0.66])
    multi = xgb.XGBClassifier(n_estimators=2, max_depth=2, n_jobs=1, tree_method="exact",
                              random_state=0)
    multi.fit(x3, y3)
    save_xgb(multi, "xgb_multiclass", "XGBClassifier")

    xr = rng.rand(50, 3).astype(np.float32)
    yr = 2.0 * xr[:, 0] - xr[:, 2]
    dtrain = xgb.DMatrix(xr, label=yr, feature_names=["age", "income", "score"])
    booster = xgb.train({"objective": "reg:squarederror", "max_depth": 2, "nthread": 1,
                         "tree_method": "exact"}, dtrain, num_boost_round=3)
    save_xgb(booster, "xgb_regressor", "XGBRegressor")
    return clf


def np_dtype_name(elem_type):
    if elem_type == TensorProto.STRING:
        return "string"
    return np.dtype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[elem_type]).name


def describe_value_info(vi):
    t = vi.type
    if t.HasField("tensor_type"):
        dims = [d.dim_value if d.HasField("dim_value") else -1 for d in t.tensor_type.shape.dim]
        return {"name": vi.name, "dtype": np_dtype_name(t.tensor_type.elem_type), "shape": dims}
    m = t.sequence_type.elem_type.map_type
    key = np_dtype_name(m.key_type)
    value = np_dtype_name(m.value_type.tensor_type.elem_type)
    return {"name": vi.name, "dtype": f"seq(map({key},{value}))", "shape": []}


def save_onnx(model, fname, extra):
    onnx.checker.check_model(model)
    data = model.SerializeToString()
    with open(path(fname), "wb") as f:
        f.write(data)
    back = onnx.load_from_string(data)
    init = {i.name for i in back.graph.initializer}
    EXPECTED[fname] = {
        "format": "onnx",
        "serialization_format": "onnx",
        "producer_name": back.producer_name,
        "producer_version": back.producer_version,
        "ir_version": back.ir_version,
        "opsets": {o.domain: o.version for o in back.opset_import},
        "inputs": [describe_value_info(v) for v in back.graph.input if v.name not in init],
        "outputs": [describe_value_info(v) for v in back.graph.output],
        "op_types": sorted({n.op_type for n in back.graph.node}),
        **extra,
    }


def finish(graph, producer, version, opsets):
    model = helper.make_model(graph, producer_name=producer, producer_version=version,
                              opset_imports=[helper.make_opsetid(d, v) for d, v in opsets])
    model.ir_version = 8
    return model


def make_linear():
    rng = np.random.RandomState(1)
    x = rng.rand(30, 3)
    y = x @ np.array([1.5, -2.0, 0.5]) + 0.25
    reg = LinearRegression().fit(x, y)
    node = helper.make_node("LinearRegressor", ["X"], ["variable"], domain="ai.onnx.ml",
                            coefficients=reg.coef_.astype(np.float32).tolist(),
                            intercepts=[float(reg.intercept_)])
    # skl2onnx writes [None, 3]: a dimension with neither value nor name.
    graph = helper.make_graph([node], "LinearRegression",
                              [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 3])],
                              [helper.make_tensor_value_info("variable", TensorProto.FLOAT,
                                                             [None, 1])])
    model = finish(graph, "skl2onnx", "1.13", [("", 13), ("ai.onnx.ml", 1)])
    save_onnx(model, "linear_regressor.onnx",
              {"framework": "scikit-learn", "algorithm": "LinearRegressor",
               "use_case_type": "regression", "num_features": 3})


def tree_attributes(tree, scale):
    """TreeEnsembleClassifier node/class attributes of one sklearn tree (tree id 0)."""
    t = tree.tree_
    a = {k: [] for k in ("nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values",
                         "nodes_modes", "nodes_truenodeids", "nodes_falsenodeids",
                         "class_treeids", "class_nodeids", "class_ids", "class_weights")}
    for i in range(t.node_count):
        leaf = t.children_left[i] < 0
        a["nodes_treeids"].append(0)
        a["nodes_nodeids"].append(i)
        a["nodes_featureids"].append(0 if leaf else int(t.feature[i]))
        a["nodes_values"].append(0.0 if leaf else float(t.threshold[i]))
        a["nodes_modes"].append("LEAF" if leaf else "BRANCH_LEQ")
        a["nodes_truenodeids"].append(0 if leaf else int(t.children_left[i]))
        a["nodes_falsenodeids"].append(0 if leaf else int(t.children_right[i]))
        if leaf:
            value = t.value[i][0]
            for c, w in enumerate(value / value.sum()):
                a["class_treeids"].append(0)
                a["class_nodeids"].append(i)
                a["class_ids"].append(c)
                a["class_weights"].append(float(w) * scale)
    return a


def zipmap_output(name):
    value = helper.make_tensor_type_proto(TensorProto.FLOAT, [])
    map_type = onnx.TypeProto()
    map_type.map_type.key_type = TensorProto.INT64
    map_type.map_type.value_type.CopyFrom(value)
    return helper.make_value_info(name, helper.make_sequence_type_proto(map_type))


def make_tree_classifier():
    rng = np.random.RandomState(2)
    x = rng.rand(80, 4)
    y = np.digitize(x[:, 1], [0.3, 0.7])
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(x, y)
    attrs = tree_attributes(tree, 1.0)
    ens = helper.make_node("TreeEnsembleClassifier", ["input"], ["label", "probabilities"],
                           domain="ai.onnx.ml", classlabels_int64s=[0, 1, 2],
                           post_transform="NONE", **attrs)
    zipmap = helper.make_node("ZipMap", ["probabilities"], ["output_probability"],
                              domain="ai.onnx.ml", classlabels_int64s=[0, 1, 2])
    graph = helper.make_graph(
        [ens, zipmap], "DecisionTreeClassifier",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("label", TensorProto.INT64, ["N"]),
         zipmap_output("output_probability")])
    model = finish(graph, "skl2onnx", "1.13", [("", 15), ("ai.onnx.ml", 1)])
    save_onnx(model, "tree_classifier.onnx",
              {"framework": "scikit-learn", "algorithm": "TreeEnsembleClassifier",
               "use_case_type": "multinomial_classification", "num_features": 4})


def flatten_xgb_tree(tree_json, tree_id, a):
    stack = [tree_json]
    while stack:
        n = stack.pop()
        a["nodes_treeids"].append(tree_id)
        a["nodes_nodeids"].append(n["nodeid"])
        if "leaf" in n:
            for k, v in (("nodes_featureids", 0), ("nodes_values", 0.0), ("nodes_modes", "LEAF"),
                         ("nodes_truenodeids", 0), ("nodes_falsenodeids", 0),
                         ("nodes_missing_value_tracks_true", 0)):
                a[k].append(v)
            a["class_treeids"].append(tree_id)
            a["class_nodeids"].append(n["nodeid"])
            a["class_ids"].append(0)
            a["class_weights"].append(float(n["leaf"]))
            continue
        a["nodes_featureids"].append(int(n["split"][1:]))
        a["nodes_values"].append(float(n["split_condition"]))
        a["nodes_modes"].append("BRANCH_LT")
        a["nodes_truenodeids"].append(n["yes"])
        a["nodes_falsenodeids"].append(n["no"])
        a["nodes_missing_value_tracks_true"].append(int(n["missing"] == n["yes"]))
        stack.extend(n["children"])


def make_xgb_onnx(clf):
    dumps = clf.get_booster().get_dump(dump_format="json")[:2]
    a = {k: [] for k in ("nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values",
                         "nodes_modes", "nodes_truenodeids", "nodes_falsenodeids",
                         "nodes_missing_value_tracks_true", "class_treeids", "class_nodeids",
                         "class_ids", "class_weights")}
    for i, d in enumerate(dumps):
        flatten_xgb_tree(json.loads(d), i, a)
    ens = helper.make_node("TreeEnsembleClassifier", ["input"], ["label", "probabilities"],
                           domain="ai.onnx.ml", classlabels_int64s=[0, 1],
                           post_transform="LOGISTIC", base_values=[0.0], **a)
    graph = helper.make_graph(
        [ens], "XGBClassifier",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, 6])],
        [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
         helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 2])])
    model = finish(graph, "onnxmltools", "1.11.1", [("", 13), ("ai.onnx.ml", 1)])
    save_onnx(model, "xgb_tree.onnx",
              {"framework": "xgboost", "algorithm": "TreeEnsembleClassifier",
               "use_case_type": "binary_classification", "num_features": 6})


def make_mlp():
    rng = np.random.RandomState(3)
    w1 = numpy_helper.from_array(rng.randn(8, 16).astype(np.float32), "fc1.weight")
    b1 = numpy_helper.from_array(rng.randn(16).astype(np.float32), "fc1.bias")
    w2 = numpy_helper.from_array(rng.randn(16, 2).astype(np.float32), "fc2.weight")
    b2 = numpy_helper.from_array(rng.randn(2).astype(np.float32), "fc2.bias")
    nodes = [helper.make_node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h"]),
             helper.make_node("Relu", ["h"], ["r"]),
             helper.make_node("Gemm", ["r", "fc2.weight", "fc2.bias"], ["output"])]
    inputs = [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 8])]
    # Old torch.onnx exports (keep_initializers_as_inputs) list weights as inputs too.
    inputs += [helper.make_tensor_value_info(t.name, TensorProto.FLOAT, list(t.dims))
               for t in (w1, b1, w2, b2)]
    graph = helper.make_graph(nodes, "torch_jit", inputs,
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT,
                                                             ["batch", 2])],
                              initializer=[w1, b1, w2, b2])
    model = finish(graph, "pytorch", "1.13.1", [("", 13)])
    save_onnx(model, "mlp.onnx",
              {"framework": "pytorch", "framework_version": "1.13.1", "algorithm": "",
               "use_case_type": "", "num_features": 8})


def make_bad_files():
    with open(path("empty.onnx"), "wb"):
        pass
    random_bytes = np.random.RandomState(4).bytes(1024)
    with open(path("random.onnx"), "wb") as f:
        f.write(random_bytes)
    bad = {"empty.onnx": b"", "random.onnx": random_bytes}
    with open(path("tree_classifier.onnx"), "rb") as f:
        data = f.read()
    bad["truncated.onnx"] = data[: len(data) * 6 // 10]
    with open(path("xgb_classifier.json"), "rb") as f:
        data = f.read()
    bad["truncated.json"] = data[: len(data) // 2]
    bad["garbage.ubj"] = b"{L\x00\x00\x00\x00\x00\x00\x00\x07learnerZ" + b"\xff" * 16
    with open(path("xgb_classifier.bin"), "rb") as f:
        bad["truncated.bin"] = f.read()[:100]
    for name, payload in bad.items():
        with open(path(name), "wb") as f:
            f.write(payload)
        if name.endswith(".onnx"):
            try:
                onnx.checker.check_model(onnx.load_from_string(payload))
                raise AssertionError(f"{name} unexpectedly loads as ONNX")
            except AssertionError:
                raise
            except Exception:  # noqa: BLE001 - any failure is what we want
                pass
        else:
            try:
                xgb.Booster().load_model(bytearray(payload))
                raise AssertionError(f"{name} unexpectedly loads as XGBoost")
            except (xgb.core.XGBoostError, UnicodeDecodeError):  # message echoes bytes
                pass
        EXPECTED[name] = {"error": True}


def main():
    clf = make_xgboost()
    make_linear()
    make_tree_classifier()
    make_xgb_onnx(clf)
    make_mlp()
    make_bad_files()
    EXPECTED["_generator"] = {"xgboost": xgb.__version__, "onnx": onnx.__version__,
                              "scikit-learn": sklearn.__version__}
    with open(path("expected.json"), "w") as f:
        json.dump(EXPECTED, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
