#!/usr/bin/python3
"""Builds the bundled iris sample: a scikit-learn random forest as ONNX.

Run with Debian's /usr/bin/python3 (python3-sklearn, python3-onnx, python3-numpy):

    /usr/bin/python3 examples/iris/make_iris.py

Writes model.onnx, X.csv, y.csv and expected.json next to this script. The output is
deterministic (fixed random_state, fixed row choice).

The ONNX graph is what skl2onnx writes for a RandomForestClassifier with zipmap=False:
one ai.onnx.ml TreeEnsembleClassifier whose leaf weights are the class fractions of each
tree divided by n_estimators, so the summed scores are predict_proba's average. skl2onnx
is not packaged in Debian, so the node is built with onnx.helper from the fitted trees.

Before writing, the script checks the model twice: onnx.checker.check_model, and a small
numpy evaluator of the TreeEnsembleClassifier spec (it reads the attributes back from the
serialized model, independently of the code that wrote them) must reproduce sklearn's
predict and predict_proba on all 150 iris rows.
"""

import json
import os

import numpy as np
import onnx
import sklearn
from onnx import TensorProto, helper
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
N_SAMPLE_ROWS = 20


# ---------------------------------------------------------------- writing the model

def float32_threshold(threshold):
    """The float32 threshold t32 with (float32 x <= t32) == (x <= threshold).

    sklearn compares float32 features with float64 thresholds; ONNX compares in float32.
    Rounding the threshold up would send values in (threshold, t32] the wrong way, so
    step down one ulp in that case (skl2onnx does the same).
    """
    t32 = np.float32(threshold)
    if float(t32) > threshold:
        t32 = np.nextafter(t32, np.float32(-np.inf))
    return float(t32)


def forest_attributes(forest):
    n_estimators = len(forest.estimators_)
    attrs = {k: [] for k in ("nodes_treeids", "nodes_nodeids", "nodes_featureids",
                             "nodes_values", "nodes_modes", "nodes_truenodeids",
                             "nodes_falsenodeids", "class_treeids", "class_nodeids",
                             "class_ids", "class_weights")}
    for tree_id, estimator in enumerate(forest.estimators_):
        t = estimator.tree_
        for node in range(t.node_count):
            leaf = t.children_left[node] < 0
            attrs["nodes_treeids"].append(tree_id)
            attrs["nodes_nodeids"].append(node)
            attrs["nodes_featureids"].append(0 if leaf else int(t.feature[node]))
            attrs["nodes_values"].append(0.0 if leaf else float32_threshold(t.threshold[node]))
            attrs["nodes_modes"].append("LEAF" if leaf else "BRANCH_LEQ")
            attrs["nodes_truenodeids"].append(0 if leaf else int(t.children_left[node]))
            attrs["nodes_falsenodeids"].append(0 if leaf else int(t.children_right[node]))
            if not leaf:
                continue
            counts = t.value[node][0]
            for class_id, fraction in enumerate(counts / counts.sum()):
                attrs["class_treeids"].append(tree_id)
                attrs["class_nodeids"].append(node)
                attrs["class_ids"].append(class_id)
                attrs["class_weights"].append(float(fraction) / n_estimators)
    return attrs


def build_model(forest, hyperparameters):
    n_classes = len(forest.classes_)
    node = helper.make_node(
        "TreeEnsembleClassifier", ["input"], ["label", "probabilities"],
        name="TreeEnsembleClassifier", domain="ai.onnx.ml",
        classlabels_int64s=[int(c) for c in forest.classes_], post_transform="NONE",
        **forest_attributes(forest))
    graph = helper.make_graph(
        [node], "RandomForestClassifier",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, len(FEATURES)])],
        [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
         helper.make_tensor_value_info("probabilities", TensorProto.FLOAT,
                                       [None, n_classes])])
    model = helper.make_model(
        graph, producer_name="ads-examples", producer_version="1.0",
        opset_imports=[helper.make_opsetid("", 15), helper.make_opsetid("ai.onnx.ml", 3)])
    model.ir_version = 8  # onnx 1.12's IR version
    helper.set_model_props(model, {
        "framework": "scikit-learn",
        "framework_version": sklearn.__version__,
        "algorithm": "RandomForestClassifier",
        "hyperparameters": json.dumps(hyperparameters),
        "use_case_type": "multinomial_classification",
    })
    return model


# ------------------------------------------------------- checking it independently

def evaluate_tree_ensemble_classifier(model_bytes, x):
    """Evaluates the model's single TreeEnsembleClassifier per the ONNX spec.

    Supports what the spec defines for this node: all branch modes, SUM of class
    weights per class id, base_values, post_transform NONE. Returns (labels, scores).
    """
    model = onnx.load_from_string(model_bytes)
    (node,) = model.graph.node
    assert node.op_type == "TreeEnsembleClassifier" and node.domain == "ai.onnx.ml"
    a = {attr.name: helper.get_attribute_value(attr) for attr in node.attribute}
    assert a.get("post_transform", b"NONE") == b"NONE"
    labels = np.array(a["classlabels_int64s"])
    compare = {b"BRANCH_LEQ": np.less_equal, b"BRANCH_LT": np.less,
               b"BRANCH_GTE": np.greater_equal, b"BRANCH_GT": np.greater,
               b"BRANCH_EQ": np.equal, b"BRANCH_NEQ": np.not_equal}
    nodes = {}
    for i, key in enumerate(zip(a["nodes_treeids"], a["nodes_nodeids"])):
        nodes[key] = (a["nodes_modes"][i], a["nodes_featureids"][i],
                      np.float32(a["nodes_values"][i]),
                      a["nodes_truenodeids"][i], a["nodes_falsenodeids"][i])
    leaf_weights = {}
    for t, n, c, w in zip(a["class_treeids"], a["class_nodeids"], a["class_ids"],
                          a["class_weights"]):
        leaf_weights.setdefault((t, n), []).append((c, np.float32(w)))
    roots = sorted({t for t, _ in nodes})
    x32 = x.astype(np.float32)
    scores = np.zeros((len(x32), len(labels)), dtype=np.float32)
    scores += np.array(a.get("base_values", [0.0] * len(labels)), dtype=np.float32)
    for row, features in enumerate(x32):
        for tree in roots:
            node_id = 0
            while nodes[(tree, node_id)][0] != b"LEAF":
                mode, feature, threshold, true_id, false_id = nodes[(tree, node_id)]
                node_id = true_id if compare[mode](features[feature], threshold) else false_id
            for class_id, weight in leaf_weights[(tree, node_id)]:
                scores[row, class_id] += weight
    return labels[np.argmax(scores, axis=1)], scores


# ------------------------------------------------------------------------- main

def write_csv(path, header, rows):
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(repr(v) for v in row) + "\n")


def main():
    iris = load_iris()
    x, y = iris.data, iris.target
    forest = RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0)
    forest.fit(x, y)
    hyperparameters = forest.get_params()
    model = build_model(forest, hyperparameters)
    onnx.checker.check_model(model, full_check=True)
    model_bytes = model.SerializeToString()

    labels, scores = evaluate_tree_ensemble_classifier(model_bytes, x)
    np.testing.assert_array_equal(labels, forest.predict(x))
    np.testing.assert_allclose(scores, forest.predict_proba(x), rtol=0, atol=1e-6)

    rows = np.sort(np.random.RandomState(0).choice(len(x), N_SAMPLE_ROWS, replace=False))
    x_sample = x[rows]
    with open(os.path.join(HERE, "model.onnx"), "wb") as f:
        f.write(model_bytes)
    write_csv(os.path.join(HERE, "X.csv"), FEATURES, [[float(v) for v in r] for r in x_sample])
    write_csv(os.path.join(HERE, "y.csv"), ["species"], [[int(v)] for v in y[rows]])
    expected = {
        "sklearn_version": sklearn.__version__,
        "onnx_version": onnx.__version__,
        "hyperparameters": hyperparameters,
        "classes": [int(c) for c in forest.classes_],
        "class_names": [str(n) for n in iris.target_names],
        "rows": [int(r) for r in rows],
        "predict": [int(v) for v in forest.predict(x_sample)],
        "predict_proba": [[float(p) for p in r] for r in forest.predict_proba(x_sample)],
    }
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print(f"wrote model.onnx ({len(model_bytes)} bytes), X.csv, y.csv, expected.json; "
          f"ONNX evaluation matches sklearn on {len(x)} rows")


if __name__ == "__main__":
    main()
