#!/usr/bin/python3
"""Builds the benchmark models and their input batches (run with Debian's /usr/bin/python3).

    /usr/bin/python3 bench/models/make_bench_models.py --out build-bench/models

Writes, for each model NAME: NAME.onnx, and the input batches NAME.b1.pb / NAME.b1000.pb
(serialized TensorProto, for `ads onnx bench`) plus NAME.b1.npy / NAME.b1000.npy (the same
arrays, for the onnxruntime-node script), and models.txt listing "NAME INPUT" per line.

Models (built with onnx.helper from fitted estimators' public attributes, as in
tests/data/engine/make_ml_cases.py; random weights where no training is needed):
  rf_reg   RandomForestRegressor, 100 trees, max_depth 10, 20 features -> TreeEnsembleRegressor
  rf_clf   RandomForestClassifier, 100 trees, max_depth 10, 20 features, 3 classes
  xgb_clf  XGBClassifier (binary), 100 trees, max_depth 6, 20 features -> TreeEnsembleClassifier
  logreg   StandardScaler + multinomial LogisticRegression, 30 features -> Scaler + LinearClassifier
  mlp      Gemm+Relu x3 (64 -> 256 -> 256 -> 256) -> Gemm (10), random weights
  cnn      Conv(1->16,3x3)+Relu, MaxPool 2x2, Conv(16->32,3x3)+Relu, MaxPool 2x2, Flatten,
           Gemm(800->10) on [N,1,28,28], random weights
Classifiers output plain tensors (no ZipMap): onnxruntime-node cannot return maps.
"""
import argparse
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ML = "ai.onnx.ml"
RNG = np.random.default_rng(0)


def save(out, name, graph, input_name, x, ml_opset=3):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                    helper.make_opsetid(ML, ml_opset)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(model.SerializeToString())
    for batch in (1, 1000):
        arr = np.ascontiguousarray(x[:batch].astype(np.float32))
        t = numpy_helper.from_array(arr, input_name)
        with open(os.path.join(out, "%s.b%d.pb" % (name, batch)), "wb") as f:
            f.write(t.SerializeToString())
        np.save(os.path.join(out, "%s.b%d.npy" % (name, batch)), arr)
    return name, input_name


def sklearn_tree_attrs(trees, weights_of_leaf, prefix):
    """Attributes of a TreeEnsemble* node from sklearn trees (BRANCH_LEQ, true = left)."""
    a = {k: [] for k in ("nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values",
                         "nodes_modes", "nodes_truenodeids", "nodes_falsenodeids",
                         "nodes_missing_value_tracks_true", "nodes_hitrates")}
    w = {k: [] for k in (prefix + "_treeids", prefix + "_nodeids", prefix + "_ids",
                         prefix + "_weights")}
    for t, tree in enumerate(trees):
        tr = tree.tree_
        for i in range(tr.node_count):
            leaf = tr.children_left[i] == -1
            a["nodes_treeids"].append(t)
            a["nodes_nodeids"].append(i)
            a["nodes_featureids"].append(0 if leaf else int(tr.feature[i]))
            a["nodes_values"].append(0.0 if leaf else float(np.float32(tr.threshold[i])))
            a["nodes_modes"].append("LEAF" if leaf else "BRANCH_LEQ")
            a["nodes_truenodeids"].append(0 if leaf else int(tr.children_left[i]))
            a["nodes_falsenodeids"].append(0 if leaf else int(tr.children_right[i]))
            a["nodes_missing_value_tracks_true"].append(0)
            a["nodes_hitrates"].append(1.0)
            if leaf:
                for j, v in weights_of_leaf(tr.value[i]):
                    w[prefix + "_treeids"].append(t)
                    w[prefix + "_nodeids"].append(i)
                    w[prefix + "_ids"].append(j)
                    w[prefix + "_weights"].append(float(v))
    a.update(w)
    return a


def rf_models(out):
    from sklearn.datasets import make_classification, make_regression
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    x, y = make_regression(n_samples=5000, n_features=20, noise=5.0, random_state=0)
    x = x.astype(np.float32)
    rf = RandomForestRegressor(n_estimators=100, max_depth=10, random_state=0, n_jobs=1).fit(x, y)
    attrs = sklearn_tree_attrs(rf.estimators_, lambda v: [(0, v[0][0] / 100.0)], "target")
    node = helper.make_node("TreeEnsembleRegressor", ["input"], ["variable"], domain=ML,
                            n_targets=1, aggregate_function="SUM", **attrs)
    g = helper.make_graph([node], "rf_reg",
                          [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, 20])],
                          [helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 1])])
    yield save(out, "rf_reg", g, "input", x)

    x, y = make_classification(n_samples=5000, n_features=20, n_informative=10, n_classes=3,
                               random_state=0)
    x = x.astype(np.float32)
    rf = RandomForestClassifier(n_estimators=100, max_depth=10, random_state=0, n_jobs=1).fit(x, y)
    attrs = sklearn_tree_attrs(
        rf.estimators_, lambda v: [(j, v[0][j] / v[0].sum() / 100.0) for j in range(3)], "class")
    node = helper.make_node("TreeEnsembleClassifier", ["input"], ["label", "probabilities"],
                            domain=ML, classlabels_int64s=[0, 1, 2], **attrs)
    g = helper.make_graph([node], "rf_clf",
                          [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, 20])],
                          [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
                           helper.make_tensor_value_info("probabilities", TensorProto.FLOAT,
                                                         [None, 3])])
    yield save(out, "rf_clf", g, "input", x)


def xgb_model(out):
    import xgboost as xgb
    from sklearn.datasets import make_classification
    x, y = make_classification(n_samples=5000, n_features=20, n_informative=10, n_classes=3,
                               random_state=0)
    x = x.astype(np.float32)
    clf = xgb.XGBClassifier(n_estimators=100, max_depth=6, learning_rate=0.1, base_score=0.5,
                            n_jobs=1, random_state=0).fit(x, (y == 0).astype(int))
    a = {k: [] for k in ("nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values",
                         "nodes_modes", "nodes_truenodeids", "nodes_falsenodeids",
                         "nodes_missing_value_tracks_true", "class_treeids", "class_nodeids",
                         "class_ids", "class_weights")}

    def walk(t, n):
        leaf = "leaf" in n
        a["nodes_treeids"].append(t)
        a["nodes_nodeids"].append(n["nodeid"])
        a["nodes_featureids"].append(0 if leaf else int(n["split"][1:]))
        a["nodes_values"].append(0.0 if leaf else float(np.float32(n["split_condition"])))
        a["nodes_modes"].append("LEAF" if leaf else "BRANCH_LT")
        a["nodes_truenodeids"].append(0 if leaf else n["yes"])
        a["nodes_falsenodeids"].append(0 if leaf else n["no"])
        a["nodes_missing_value_tracks_true"].append(0 if leaf else int(n["missing"] == n["yes"]))
        if leaf:
            a["class_treeids"].append(t)
            a["class_nodeids"].append(n["nodeid"])
            a["class_ids"].append(0)
            a["class_weights"].append(float(n["leaf"]))
        for c in n.get("children", []):
            walk(t, c)

    for t, d in enumerate(clf.get_booster().get_dump(dump_format="json")):
        walk(t, json.loads(d))
    node = helper.make_node("TreeEnsembleClassifier", ["input"], ["label", "probabilities"],
                            domain=ML, classlabels_int64s=[0, 1], post_transform="LOGISTIC",
                            base_values=[0.0], **a)
    g = helper.make_graph([node], "xgb_clf",
                          [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, 20])],
                          [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
                           helper.make_tensor_value_info("probabilities", TensorProto.FLOAT,
                                                         [None, 2])])
    yield save(out, "xgb_clf", g, "input", x)


def logreg_model(out):
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    x, y = make_classification(n_samples=5000, n_features=30, n_informative=12, n_classes=3,
                               random_state=0)
    x = x.astype(np.float32)
    sc = StandardScaler().fit(x)
    lr = LogisticRegression(multi_class="multinomial", max_iter=500).fit(sc.transform(x), y)
    scaler = helper.make_node("Scaler", ["input"], ["scaled"], domain=ML,
                              offset=sc.mean_.astype(np.float32).tolist(),
                              scale=(1.0 / sc.scale_).astype(np.float32).tolist())
    linear = helper.make_node("LinearClassifier", ["scaled"], ["label", "probabilities"],
                              domain=ML, coefficients=lr.coef_.ravel().astype(np.float32).tolist(),
                              intercepts=lr.intercept_.astype(np.float32).tolist(),
                              classlabels_ints=[0, 1, 2], multi_class=1, post_transform="SOFTMAX")
    g = helper.make_graph([scaler, linear], "logreg",
                          [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, 30])],
                          [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
                           helper.make_tensor_value_info("probabilities", TensorProto.FLOAT,
                                                         [None, 3])])
    yield save(out, "logreg", g, "input", x, ml_opset=1)


def dense(name, fan_in, fan_out):
    w = (RNG.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / fan_in)).astype(np.float32)
    b = (RNG.standard_normal(fan_out) * 0.1).astype(np.float32)
    return [numpy_helper.from_array(w, name + "_w"), numpy_helper.from_array(b, name + "_b")]


def mlp_model(out):
    nodes, inits, prev = [], [], "input"
    for i, (fi, fo) in enumerate([(64, 256), (256, 256), (256, 256), (256, 10)]):
        inits += dense("fc%d" % i, fi, fo)
        y = "h%d" % i if i < 3 else "logits"
        nodes.append(helper.make_node("Gemm", [prev, "fc%d_w" % i, "fc%d_b" % i], [y + "_pre" if i < 3 else y], transB=1))
        if i < 3:
            nodes.append(helper.make_node("Relu", [y + "_pre"], [y]))
        prev = y
    g = helper.make_graph(nodes, "mlp",
                          [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, 64])],
                          [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [None, 10])],
                          inits)
    yield save(out, "mlp", g, "input", RNG.standard_normal((1000, 64)))


def cnn_model(out):
    def conv(name, cin, cout):
        w = (RNG.standard_normal((cout, cin, 3, 3)) * np.sqrt(2.0 / (cin * 9))).astype(np.float32)
        b = (RNG.standard_normal(cout) * 0.1).astype(np.float32)
        return [numpy_helper.from_array(w, name + "_w"), numpy_helper.from_array(b, name + "_b")]
    inits = conv("c1", 1, 16) + conv("c2", 16, 32) + dense("fc", 800, 10)
    n = helper.make_node
    nodes = [n("Conv", ["input", "c1_w", "c1_b"], ["c1"], kernel_shape=[3, 3]),
             n("Relu", ["c1"], ["r1"]),
             n("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
             n("Conv", ["p1", "c2_w", "c2_b"], ["c2"], kernel_shape=[3, 3]),
             n("Relu", ["c2"], ["r2"]),
             n("MaxPool", ["r2"], ["p2"], kernel_shape=[2, 2], strides=[2, 2]),
             n("Flatten", ["p2"], ["f"]),
             n("Gemm", ["f", "fc_w", "fc_b"], ["logits"], transB=1)]
    g = helper.make_graph(nodes, "cnn",
                          [helper.make_tensor_value_info("input", TensorProto.FLOAT,
                                                         [None, 1, 28, 28])],
                          [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [None, 10])],
                          inits)
    yield save(out, "cnn", g, "input", RNG.random((1000, 1, 28, 28)))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--only", nargs="*", help="model names to build (default: all)")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    made = []
    for gen in (rf_models, xgb_model, logreg_model, mlp_model, cnn_model):
        for name, input_name in gen(args.out):
            if not args.only or name in args.only:
                made.append((name, input_name))
    with open(os.path.join(args.out, "models.txt"), "w") as f:
        for name, input_name in made:
            f.write("%s %s\n" % (name, input_name))
    print("wrote %d models to %s" % (len(made), args.out))


if __name__ == "__main__":
    main()
