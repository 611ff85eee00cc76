#!/usr/bin/python3
"""Builds the ai.onnx.ml test cases under tests/data/engine/ml/.

ONNX 1.12's backend data has no ai.onnx.ml cases, so these are generated in
the same layout (model.onnx + test_data_set_0/{input,output}_<i>.pb). Models
are built with onnx.helper from fitted sklearn / xgboost estimators; expected
outputs come from the estimators themselves (predict / predict_proba) or, for
hand-made trees and transforms, from the small numpy evaluators below, which
follow the ONNX operator specs. Run with Debian's /usr/bin/python3:

    /usr/bin/python3 tests/data/engine/make_ml_cases.py
"""
import json
import os
import shutil

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor,
                              GradientBoostingClassifier, GradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR, LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
import xgboost as xgb

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ml")
ML = "ai.onnx.ml"


def save_case(name, nodes, inputs, outputs, feeds, expected, ml_opset=3, onnx_opset=13):
    graph = helper.make_graph(nodes, name, inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", onnx_opset),
                                                    helper.make_opsetid(ML, ml_opset)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    d = os.path.join(OUT, name)
    os.makedirs(os.path.join(d, "test_data_set_0"))
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    for i, x in enumerate(feeds):
        with open(os.path.join(d, "test_data_set_0", "input_%d.pb" % i), "wb") as f:
            f.write(numpy_helper.from_array(np.ascontiguousarray(x)).SerializeToString())
    for j, y in enumerate(expected):
        proto = y if not isinstance(y, np.ndarray) else numpy_helper.from_array(np.ascontiguousarray(y))
        with open(os.path.join(d, "test_data_set_0", "output_%d.pb" % j), "wb") as f:
            f.write(proto.SerializeToString())


def tensor_info(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def sklearn_tree_attrs(estimators, leaf_weights):
    """nodes_* and leaf (tree, node, id, weight) lists for sklearn trees.
    leaf_weights gets the leaf's class counts (classifiers) or its values, one
    per output (regressors)."""
    a = {k: [] for k in ["nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values",
                         "nodes_modes", "nodes_truenodeids", "nodes_falsenodeids"]}
    leaves = []
    for t, est in enumerate(estimators):
        tree = est.tree_
        for n in range(tree.node_count):
            leaf = tree.children_left[n] == -1
            a["nodes_treeids"].append(t)
            a["nodes_nodeids"].append(n)
            a["nodes_featureids"].append(0 if leaf else int(tree.feature[n]))
            a["nodes_values"].append(0.0 if leaf else float(tree.threshold[n]))
            a["nodes_modes"].append("LEAF" if leaf else "BRANCH_LEQ")
            a["nodes_truenodeids"].append(0 if leaf else int(tree.children_left[n]))
            a["nodes_falsenodeids"].append(0 if leaf else int(tree.children_right[n]))
            if leaf:
                # value[n] is (outputs, classes): classifiers have one output
                # row, multi-output regressors one column.
                v = tree.value[n][0] if tree.value.shape[1] == 1 else tree.value[n][:, 0]
                for cid, w in leaf_weights(v):
                    leaves.append((t, n, cid, w))
    return a, leaves


def float32_safe(X, estimators):
    """Moves X away from thresholds so float32/float64 comparisons agree."""
    thr = np.concatenate([e.tree_.threshold[e.tree_.children_left != -1] for e in estimators])
    X = X.astype(np.float32)
    for _ in range(3):
        close = np.isin(np.round(X.astype(np.float64), 5), np.round(thr, 5))
        X[close] += np.float32(1e-3)
    return X


def rf_regressor():
    X, y = make_regression(n_samples=300, n_features=6, noise=3.0, random_state=0)
    rf = RandomForestRegressor(n_estimators=5, max_depth=4, random_state=0).fit(X, y)
    n = len(rf.estimators_)
    a, leaves = sklearn_tree_attrs(rf.estimators_, lambda v: [(0, float(v[0]) / n)])
    node = helper.make_node("TreeEnsembleRegressor", ["X"], ["Y"], domain=ML, n_targets=1,
                            aggregate_function="SUM", target_treeids=[l[0] for l in leaves],
                            target_nodeids=[l[1] for l in leaves], target_ids=[l[2] for l in leaves],
                            target_weights=[l[3] for l in leaves], **a)
    Xt = float32_safe(X[:40], rf.estimators_)
    expected = rf.predict(Xt).astype(np.float32).reshape(-1, 1)
    save_case("tree_regressor_rf", [node], [tensor_info("X", TensorProto.FLOAT, [None, 6])],
              [tensor_info("Y", TensorProto.FLOAT, [None, 1])], [Xt], [expected], ml_opset=1)


def rf_classifier(n_classes, zipmap):
    X, y = make_classification(n_samples=300, n_features=6, n_informative=4,
                               n_classes=n_classes, random_state=1)
    rf = RandomForestClassifier(n_estimators=4, max_depth=4, random_state=0).fit(X, y)
    n = len(rf.estimators_)
    if n_classes == 2:  # the binary convention: only the positive-class weight
        weights = lambda v: [(0, float(v[1] / v.sum()) / n)]
    else:
        weights = lambda v: [(c, float(v[c] / v.sum()) / n) for c in range(len(v))]
    a, leaves = sklearn_tree_attrs(rf.estimators_, weights)
    node = helper.make_node("TreeEnsembleClassifier", ["X"], ["label", "probs"], domain=ML,
                            classlabels_int64s=list(range(n_classes)),
                            class_treeids=[l[0] for l in leaves], class_nodeids=[l[1] for l in leaves],
                            class_ids=[l[2] for l in leaves], class_weights=[l[3] for l in leaves],
                            post_transform="NONE", **a)
    Xt = float32_safe(X[:40], rf.estimators_)
    proba = rf.predict_proba(Xt).astype(np.float32)
    label = rf.predict(Xt).astype(np.int64)
    nodes = [node]
    outputs = [tensor_info("label", TensorProto.INT64, [None]),
               tensor_info("probs", TensorProto.FLOAT, [None, n_classes])]
    expected = [label, proba]
    name = "tree_classifier_rf_%dclass" % n_classes
    if zipmap:
        nodes.append(helper.make_node("ZipMap", ["probs"], ["zip"], domain=ML,
                                      classlabels_int64s=list(range(n_classes))))
        map_type = onnx.TypeProto()
        map_type.map_type.key_type = TensorProto.INT64
        map_type.map_type.value_type.tensor_type.elem_type = TensorProto.FLOAT
        zip_info = helper.make_value_info("zip", helper.make_sequence_type_proto(map_type))
        outputs = [outputs[0], zip_info]
        seq = onnx.SequenceProto()
        seq.elem_type = onnx.SequenceProto.MAP
        for row in proba:
            m = seq.map_values.add()
            m.key_type = TensorProto.INT64
            m.keys.extend(range(n_classes))
            m.values.elem_type = onnx.SequenceProto.TENSOR
            for v in row:
                m.values.tensor_values.append(numpy_helper.from_array(np.array(v, dtype=np.float32)))
        expected = [label, seq]
        name += "_zipmap"
    save_case(name, nodes, [tensor_info("X", TensorProto.FLOAT, [None, 6])], outputs, [Xt],
              expected, ml_opset=1)


def xgb_tree_attrs(booster):
    """nodes_* attributes and (tree, node, value) leaves from an xgboost dump,
    as onnxmltools writes them: BRANCH_LT, missing goes where `missing` says."""
    a = {k: [] for k in ["nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values",
                         "nodes_modes", "nodes_truenodeids", "nodes_falsenodeids",
                         "nodes_missing_value_tracks_true"]}
    leaves = []
    for t, dump in enumerate(booster.get_dump(dump_format="json")):
        stack = [json.loads(dump)]
        while stack:
            n = stack.pop()
            leaf = "leaf" in n
            a["nodes_treeids"].append(t)
            a["nodes_nodeids"].append(n["nodeid"])
            a["nodes_featureids"].append(0 if leaf else int(n["split"][1:]))
            a["nodes_values"].append(0.0 if leaf else float(n["split_condition"]))
            a["nodes_modes"].append("LEAF" if leaf else "BRANCH_LT")
            a["nodes_truenodeids"].append(0 if leaf else n["yes"])
            a["nodes_falsenodeids"].append(0 if leaf else n["no"])
            a["nodes_missing_value_tracks_true"].append(0 if leaf else int(n["missing"] == n["yes"]))
            if leaf:
                leaves.append((t, n["nodeid"], float(n["leaf"])))
            else:
                stack.extend(n["children"])
    return a, leaves


def xgb_base_score(booster):
    config = json.loads(booster.save_config())
    return float(config["learner"]["learner_model_param"]["base_score"])


def xgb_binary():
    X, y = make_classification(n_samples=400, n_features=5, random_state=2)
    X[::7, 1] = np.nan
    clf = xgb.XGBClassifier(n_estimators=6, max_depth=3, learning_rate=0.3, base_score=0.5,
                            tree_method="exact", random_state=0).fit(X, y)
    a, leaves = xgb_tree_attrs(clf.get_booster())
    node = helper.make_node("TreeEnsembleClassifier", ["X"], ["label", "probs"], domain=ML,
                            classlabels_int64s=[0, 1], class_treeids=[l[0] for l in leaves],
                            class_nodeids=[l[1] for l in leaves], class_ids=[0] * len(leaves),
                            class_weights=[l[2] for l in leaves], post_transform="LOGISTIC",
                            base_values=[0.0], **a)
    Xt = X[:40].astype(np.float32)
    proba = np.ascontiguousarray(clf.predict_proba(Xt)).astype(np.float32)
    label = clf.predict(Xt).astype(np.int64)
    save_case("tree_classifier_xgb_binary", [node],
              [tensor_info("X", TensorProto.FLOAT, [None, 5])],
              [tensor_info("label", TensorProto.INT64, [None]),
               tensor_info("probs", TensorProto.FLOAT, [None, 2])], [Xt], [label, proba])


# A hand-made two-tree ensemble that uses every branch mode; evaluated by a
# direct numpy transcription of the spec.
HAND = {
    "nodes_treeids":     [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
    "nodes_nodeids":     [0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4],
    "nodes_featureids":  [0, 1, 2, 0, 0, 0, 0, 2, 1, 0, 0, 0],
    "nodes_modes": ["BRANCH_GT", "BRANCH_GTE", "BRANCH_EQ", "LEAF", "LEAF", "LEAF", "LEAF",
                    "BRANCH_NEQ", "BRANCH_LT", "LEAF", "LEAF", "LEAF"],
    "nodes_values":      [0.5, -0.25, 1.0, 0, 0, 0, 0, 2.0, 0.75, 0, 0, 0],
    "nodes_truenodeids": [1, 3, 5, 0, 0, 0, 0, 1, 3, 0, 0, 0],
    "nodes_falsenodeids": [2, 4, 6, 0, 0, 0, 0, 2, 4, 0, 0, 0],
    "nodes_missing_value_tracks_true": [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
}
HAND_LEAVES = {(0, 3): [(0, 1.0), (1, -2.0)], (0, 4): [(0, 2.0), (1, 0.5)],
               (0, 5): [(0, -1.5), (1, 3.0)], (0, 6): [(0, 0.25), (1, 1.0)],
               (1, 2): [(0, 4.0), (1, -1.0)], (1, 3): [(0, -0.5), (1, 2.5)],
               (1, 4): [(0, 0.75), (1, 0.0)]}


def hand_leaf(tree, x):
    idx = {(t, n): i for i, (t, n) in enumerate(zip(HAND["nodes_treeids"], HAND["nodes_nodeids"]))}
    n = 0
    while True:
        i = idx[(tree, n)]
        mode = HAND["nodes_modes"][i]
        if mode == "LEAF":
            return HAND_LEAVES[(tree, n)]
        v, thr = x[HAND["nodes_featureids"][i]], np.float32(HAND["nodes_values"][i])
        if np.isnan(v) and HAND["nodes_missing_value_tracks_true"][i]:
            go = True
        else:
            go = {"BRANCH_LEQ": v <= thr, "BRANCH_LT": v < thr, "BRANCH_GTE": v >= thr,
                  "BRANCH_GT": v > thr, "BRANCH_EQ": v == thr, "BRANCH_NEQ": v != thr}[mode]
        n = HAND["nodes_truenodeids"][i] if go else HAND["nodes_falsenodeids"][i]


def hand_features():
    rng = np.random.RandomState(3)
    X = rng.choice([-1.0, -0.25, 0.0, 0.5, 0.75, 1.0, 2.0, 3.0], size=(30, 3)).astype(np.float32)
    X[::5, 0] = np.nan
    X[2::6, 1] = np.nan
    return X


def hand_regressors():
    X = hand_features()
    base = np.array([0.5, -1.0])
    for agg in ["SUM", "AVERAGE", "MIN", "MAX"]:
        votes = [[hand_leaf(t, x) for t in (0, 1)] for x in X]
        out = []
        for row in votes:
            per_target = [[w for leaf in row for (tid, w) in leaf if tid == k] for k in (0, 1)]
            f = {"SUM": np.sum, "AVERAGE": np.mean, "MIN": np.min, "MAX": np.max}[agg]
            out.append([f(v) + base[k] for k, v in enumerate(per_target)])
        expected = np.array(out, dtype=np.float32)
        post = "NONE"
        if agg == "SUM":  # also exercise a multi-target post transform
            post = "LOGISTIC"
            expected = (1 / (1 + np.exp(-expected.astype(np.float64)))).astype(np.float32)
        leaves = [(t, n, k, w) for (t, n), ws in HAND_LEAVES.items() for (k, w) in ws]
        attrs = dict(HAND)
        as_tensor = agg == "MAX"  # v3 double attributes
        if as_tensor:
            attrs["nodes_values_as_tensor"] = numpy_helper.from_array(
                np.array(attrs.pop("nodes_values"), dtype=np.float64))
        node = helper.make_node(
            "TreeEnsembleRegressor", ["X"], ["Y"], domain=ML, n_targets=2, aggregate_function=agg,
            post_transform=post, base_values=list(base),
            target_treeids=[l[0] for l in leaves], target_nodeids=[l[1] for l in leaves],
            target_ids=[l[2] for l in leaves], target_weights=[l[3] for l in leaves], **attrs)
        save_case("tree_regressor_modes_" + agg.lower(), [node],
                  [tensor_info("X", TensorProto.FLOAT, [None, 3])],
                  [tensor_info("Y", TensorProto.FLOAT, [None, 2])], [X], [expected])


def hand_classifier_softmax():
    X = hand_features()
    leaves = [(t, n, k, w) for (t, n), ws in HAND_LEAVES.items() for (k, w) in ws]
    node = helper.make_node(
        "TreeEnsembleClassifier", ["X"], ["label", "probs"], domain=ML,
        classlabels_strings=["cat", "dog"], post_transform="SOFTMAX", base_values=[0.1, 0.2],
        class_treeids=[l[0] for l in leaves], class_nodeids=[l[1] for l in leaves],
        class_ids=[l[2] for l in leaves], class_weights=[l[3] for l in leaves], **HAND)
    scores = []
    for x in X:
        s = np.array([0.1, 0.2])
        for t in (0, 1):
            for k, w in hand_leaf(t, x):
                s[k] += w
        scores.append(s)
    scores = np.array(scores)
    label = np.array(["cat", "dog"], dtype=object)[scores.argmax(axis=1)]
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    save_case("tree_classifier_modes_softmax_strings", [node],
              [tensor_info("X", TensorProto.FLOAT, [None, 3])],
              [tensor_info("label", TensorProto.STRING, [None]),
               tensor_info("probs", TensorProto.FLOAT, [None, 2])], [X], [label, probs])


def linear_models():
    X, y = make_classification(n_samples=300, n_features=4, n_informative=3, n_redundant=0,
                               n_classes=3, random_state=4)
    scaler = StandardScaler().fit(X)
    lr = LogisticRegression(multi_class="multinomial", max_iter=500).fit(scaler.transform(X), y)
    nodes = [helper.make_node("Scaler", ["X"], ["Xs"], domain=ML,
                              offset=list(scaler.mean_), scale=list(1 / scaler.scale_)),
             helper.make_node("LinearClassifier", ["Xs"], ["label", "probs"], domain=ML,
                              coefficients=list(lr.coef_.ravel()), intercepts=list(lr.intercept_),
                              classlabels_ints=[0, 1, 2], multi_class=1,
                              post_transform="SOFTMAX")]
    Xt = X[:30].astype(np.float32)
    save_case("scaler_linear_classifier", nodes, [tensor_info("X", TensorProto.FLOAT, [None, 4])],
              [tensor_info("label", TensorProto.INT64, [None]),
               tensor_info("probs", TensorProto.FLOAT, [None, 3])], [Xt],
              [lr.predict(scaler.transform(Xt)).astype(np.int64),
               lr.predict_proba(scaler.transform(Xt)).astype(np.float32)], ml_opset=1)

    Xr, yr = make_regression(n_samples=200, n_features=4, n_targets=2, random_state=5)
    reg = LinearRegression().fit(Xr, yr)
    node = helper.make_node("LinearRegressor", ["X"], ["Y"], domain=ML, targets=2,
                            coefficients=list(reg.coef_.ravel()), intercepts=list(reg.intercept_))
    Xt = Xr[:20].astype(np.float32)
    save_case("linear_regressor", [node], [tensor_info("X", TensorProto.FLOAT, [None, 4])],
              [tensor_info("Y", TensorProto.FLOAT, [None, 2])], [Xt],
              [reg.predict(Xt).astype(np.float32)], ml_opset=1)


def preprocessors():
    rng = np.random.RandomState(6)
    X = rng.randn(10, 4).astype(np.float32)
    X[1, 2] = np.nan
    X[4, 0] = np.nan
    fill = np.array([1.5, -2.0, 3.25, 0.5], dtype=np.float32)
    imputed = np.where(np.isnan(X), fill, X)
    l1 = imputed / np.abs(imputed).sum(axis=1, keepdims=True)
    nodes = [helper.make_node("Imputer", ["X"], ["Xi"], domain=ML,
                              imputed_value_floats=list(fill), replaced_value_float=float("nan")),
             helper.make_node("Normalizer", ["Xi"], ["Xn"], domain=ML, norm="L1"),
             helper.make_node("Binarizer", ["Xi"], ["Xb"], domain=ML, threshold=0.25),
             helper.make_node("ArrayFeatureExtractor", ["Xi", "cols"], ["Xc"], domain=ML)]
    cols = np.array([3, 0], dtype=np.int64)
    save_case("imputer_normalizer_binarizer_afe", nodes,
              [tensor_info("X", TensorProto.FLOAT, [None, 4]),
               tensor_info("cols", TensorProto.INT64, [2])],
              [tensor_info("Xn", TensorProto.FLOAT, [None, 4]),
               tensor_info("Xb", TensorProto.FLOAT, [None, 4]),
               tensor_info("Xc", TensorProto.FLOAT, [None, 2])], [X, cols],
              [l1.astype(np.float32), (imputed > 0.25).astype(np.float32), imputed[:, [3, 0]]],
              ml_opset=1)

    words = np.array([["red"], ["blue"], ["green"], ["blue"], ["mauve"]], dtype=object)
    cats = ["blue", "green", "red"]
    onehot = np.array([[[1.0 if w[0] == c else 0.0 for c in cats]] for w in words], dtype=np.float32)
    codes = np.array([[{"blue": 0, "green": 1, "red": 2}.get(w[0], -1)] for w in words], dtype=np.int64)
    nodes = [helper.make_node("OneHotEncoder", ["W"], ["H"], domain=ML, cats_strings=cats, zeros=1),
             helper.make_node("LabelEncoder", ["W"], ["C"], domain=ML, keys_strings=cats,
                              values_int64s=[0, 1, 2], default_int64=-1)]
    save_case("onehot_label_encoder_strings", nodes,
              [tensor_info("W", TensorProto.STRING, [None, 1])],
              [tensor_info("H", TensorProto.FLOAT, [None, 1, 3]),
               tensor_info("C", TensorProto.INT64, [None, 1])], [words], [onehot, codes],
              ml_opset=2)


def svm_models():
    # sklearn keeps libsvm's own signs in _dual_coef_/_intercept_ (its public
    # binary attributes are negated); onnx's rho is added, i.e. rho = -rho_libsvm.
    for n_classes, proba, kernel in [(3, False, "rbf"), (3, True, "rbf"), (2, False, "poly"),
                                     (2, True, "linear")]:
        X, y = make_classification(n_samples=120, n_features=4, n_informative=3, n_redundant=0,
                                   n_classes=n_classes, random_state=7)
        clf = SVC(kernel=kernel, probability=proba, gamma=0.3, coef0=0.5, degree=2,
                  decision_function_shape="ovo", random_state=0).fit(X, y)
        attrs = dict(kernel_type=kernel.upper(), kernel_params=[0.3, 0.5 if kernel != "rbf" else 0.0, 2.0],
                     vectors_per_class=[int(v) for v in clf.n_support_],
                     support_vectors=list(clf.support_vectors_.ravel()),
                     coefficients=list(clf._dual_coef_.ravel()), rho=list(clf._intercept_),
                     classlabels_ints=list(range(n_classes)))
        if kernel == "linear":
            attrs["kernel_params"] = [0.3, 0.0, 2.0]
        if proba:
            attrs["prob_a"] = list(clf._probA)
            attrs["prob_b"] = list(clf._probB)
        node = helper.make_node("SVMClassifier", ["X"], ["label", "scores"], domain=ML, **attrs)
        Xt = X[:25].astype(np.float32)
        Xd = Xt.astype(np.float64)
        if proba:
            scores = clf.predict_proba(Xd)
        elif n_classes == 2:
            # onnxruntime's two-column form of one pairwise score s: [-s, s],
            # where s > 0 votes for class 0; sklearn's decision_function is -s.
            df = clf.decision_function(Xd)
            scores = np.stack([df, -df], axis=1)
        else:
            scores = clf.decision_function(Xd)
        cols = scores.shape[1]
        save_case("svm_classifier_%s_%dclass%s" % (kernel, n_classes, "_proba" if proba else ""),
                  [node], [tensor_info("X", TensorProto.FLOAT, [None, 4])],
                  [tensor_info("label", TensorProto.INT64, [None]),
                   tensor_info("scores", TensorProto.FLOAT, [None, cols])], [Xt],
                  [clf.predict(Xd).astype(np.int64), scores.astype(np.float32)], ml_opset=1)

    X, y = make_regression(n_samples=120, n_features=4, noise=2.0, random_state=8)
    reg = SVR(kernel="rbf", gamma=0.2, C=10.0).fit(X, y)
    node = helper.make_node("SVMRegressor", ["X"], ["Y"], domain=ML, kernel_type="RBF",
                            kernel_params=[0.2, 0.0, 3.0], n_supports=int(len(reg.support_)),
                            support_vectors=list(reg.support_vectors_.ravel()),
                            coefficients=list(reg.dual_coef_.ravel()), rho=list(reg.intercept_))
    Xt = X[:25].astype(np.float32)
    save_case("svm_regressor_rbf", [node], [tensor_info("X", TensorProto.FLOAT, [None, 4])],
              [tensor_info("Y", TensorProto.FLOAT, [None, 1])], [Xt],
              [reg.predict(Xt.astype(np.float64)).astype(np.float32).reshape(-1, 1)], ml_opset=1)


# ---- more cases: boosted trees, extra trees, linear models with ZipMap, imputers ----

def zipmap_info(name, key_type):
    map_type = onnx.TypeProto()
    map_type.map_type.key_type = key_type
    map_type.map_type.value_type.tensor_type.elem_type = TensorProto.FLOAT
    return helper.make_value_info(name, helper.make_sequence_type_proto(map_type))


def zipmap_expected(rows, keys):
    """A SequenceProto of MapProto, one map {key: value} per row."""
    seq = onnx.SequenceProto()
    seq.elem_type = onnx.SequenceProto.MAP
    for row in rows:
        m = seq.map_values.add()
        if isinstance(keys[0], str):
            m.key_type = TensorProto.STRING
            m.string_keys.extend(k.encode() for k in keys)
        else:
            m.key_type = TensorProto.INT64
            m.keys.extend(int(k) for k in keys)
        m.values.elem_type = onnx.SequenceProto.TENSOR
        for v in row:
            m.values.tensor_values.append(numpy_helper.from_array(np.array(v, dtype=np.float32)))
    return seq


def leaf_lists(leaves, prefix):
    return {prefix + "_treeids": [l[0] for l in leaves], prefix + "_nodeids": [l[1] for l in leaves],
            prefix + "_ids": [l[2] for l in leaves], prefix + "_weights": [l[3] for l in leaves]}


def xgb_multiclass():
    X, y = make_classification(n_samples=450, n_features=5, n_informative=4, n_redundant=0,
                               n_classes=3, random_state=11)
    X[::6, 2] = np.nan
    X[3::9, 0] = np.nan
    clf = xgb.XGBClassifier(n_estimators=4, max_depth=3, learning_rate=0.4,
                            objective="multi:softprob", tree_method="exact",
                            random_state=0).fit(X, y)
    booster = clf.get_booster()
    a, leaves = xgb_tree_attrs(booster)
    # xgboost interleaves the trees by class: tree t adds to class t % 3.
    leaves = [(t, n, t % 3, w) for t, n, w in leaves]
    node = helper.make_node("TreeEnsembleClassifier", ["X"], ["label", "probs"], domain=ML,
                            classlabels_int64s=[0, 1, 2], post_transform="SOFTMAX",
                            base_values=[xgb_base_score(booster)] * 3,
                            **leaf_lists(leaves, "class"), **a)
    Xt = X[:40].astype(np.float32)
    save_case("tree_classifier_xgb_multiclass", [node],
              [tensor_info("X", TensorProto.FLOAT, [None, 5])],
              [tensor_info("label", TensorProto.INT64, [None]),
               tensor_info("probs", TensorProto.FLOAT, [None, 3])], [Xt],
              [clf.predict(Xt).astype(np.int64), clf.predict_proba(Xt).astype(np.float32)])


def xgb_regressor(as_tensor):
    X, y = make_regression(n_samples=300, n_features=5, noise=1.0, random_state=12)
    X[::5, 3] = np.nan
    reg = xgb.XGBRegressor(n_estimators=8, max_depth=3, learning_rate=0.3,
                           objective="reg:squarederror", tree_method="exact",
                           random_state=0).fit(X, y)
    booster = reg.get_booster()
    a, leaves = xgb_tree_attrs(booster)
    leaves = [(t, n, 0, w) for t, n, w in leaves]
    attrs = dict(a, **leaf_lists(leaves, "target"))
    base = xgb_base_score(booster)
    if as_tensor:  # ai.onnx.ml 3: double thresholds, weights and base values
        attrs["nodes_values_as_tensor"] = numpy_helper.from_array(
            np.array(attrs.pop("nodes_values"), dtype=np.float64))
        attrs["target_weights_as_tensor"] = numpy_helper.from_array(
            np.array(attrs.pop("target_weights"), dtype=np.float64))
        attrs["base_values_as_tensor"] = numpy_helper.from_array(np.array([base], np.float64))
    else:
        attrs["base_values"] = [base]
    node = helper.make_node("TreeEnsembleRegressor", ["X"], ["Y"], domain=ML, n_targets=1,
                            aggregate_function="SUM", **attrs)
    Xt = X[:40].astype(np.float32)
    save_case("tree_regressor_xgb" + ("_as_tensor" if as_tensor else ""), [node],
              [tensor_info("X", TensorProto.FLOAT, [None, 5])],
              [tensor_info("Y", TensorProto.FLOAT, [None, 1])], [Xt],
              [reg.predict(Xt).astype(np.float32).reshape(-1, 1)])


def gradient_boosting():
    X, y = make_regression(n_samples=300, n_features=5, noise=2.0, random_state=13)
    gb = GradientBoostingRegressor(n_estimators=10, max_depth=3, learning_rate=0.2,
                                   random_state=0).fit(X, y)
    lr = gb.learning_rate
    a, leaves = sklearn_tree_attrs(gb.estimators_[:, 0], lambda v: [(0, float(v[0]) * lr)])
    Xt = float32_safe(X[:40], gb.estimators_[:, 0])
    node = helper.make_node("TreeEnsembleRegressor", ["X"], ["Y"], domain=ML, n_targets=1,
                            aggregate_function="SUM",
                            base_values=[float(gb._raw_predict_init(Xt[:1])[0, 0])],
                            **leaf_lists(leaves, "target"), **a)
    save_case("tree_regressor_gb", [node], [tensor_info("X", TensorProto.FLOAT, [None, 5])],
              [tensor_info("Y", TensorProto.FLOAT, [None, 1])], [Xt],
              [gb.predict(Xt).astype(np.float32).reshape(-1, 1)], ml_opset=1)

    for n_classes in (2, 3):
        X, y = make_classification(n_samples=300, n_features=5, n_informative=4,
                                   n_redundant=0, n_classes=n_classes, random_state=14)
        gb = GradientBoostingClassifier(n_estimators=6, max_depth=2, learning_rate=0.3,
                                        random_state=0).fit(X, y)
        k = gb.estimators_.shape[1]  # 1 column for two classes (the binary convention)
        trees = [gb.estimators_[i, c] for i in range(gb.estimators_.shape[0]) for c in range(k)]
        lr = gb.learning_rate
        a, raw = sklearn_tree_attrs(trees, lambda v: [(0, float(v[0]) * lr)])
        leaves = [(t, n, t % k, w) for t, n, _, w in raw]
        Xt = float32_safe(X[:40], trees)
        node = helper.make_node(
            "TreeEnsembleClassifier", ["X"], ["label", "probs"], domain=ML,
            classlabels_int64s=list(range(n_classes)),
            post_transform="LOGISTIC" if n_classes == 2 else "SOFTMAX",
            base_values=[float(v) for v in gb._raw_predict_init(Xt[:1])[0]],
            **leaf_lists(leaves, "class"), **a)
        save_case("tree_classifier_gb_%dclass" % n_classes, [node],
                  [tensor_info("X", TensorProto.FLOAT, [None, 5])],
                  [tensor_info("label", TensorProto.INT64, [None]),
                   tensor_info("probs", TensorProto.FLOAT, [None, n_classes])], [Xt],
                  [gb.predict(Xt).astype(np.int64), gb.predict_proba(Xt).astype(np.float32)],
                  ml_opset=1)


def extra_trees():
    X, y = make_classification(n_samples=300, n_features=6, n_informative=4, n_classes=3,
                               random_state=15)
    et = ExtraTreesClassifier(n_estimators=4, max_depth=5, random_state=0).fit(X, y)
    n = len(et.estimators_)
    a, leaves = sklearn_tree_attrs(
        et.estimators_, lambda v: [(c, float(v[c] / v.sum()) / n) for c in range(len(v))])
    Xt = float32_safe(X[:40], et.estimators_)
    node = helper.make_node("TreeEnsembleClassifier", ["X"], ["label", "probs"], domain=ML,
                            classlabels_int64s=[0, 1, 2], **leaf_lists(leaves, "class"), **a)
    save_case("tree_classifier_et_3class", [node], [tensor_info("X", TensorProto.FLOAT, [None, 6])],
              [tensor_info("label", TensorProto.INT64, [None]),
               tensor_info("probs", TensorProto.FLOAT, [None, 3])], [Xt],
              [et.predict(Xt).astype(np.int64), et.predict_proba(Xt).astype(np.float32)],
              ml_opset=1)

    X, y = make_regression(n_samples=300, n_features=6, n_targets=2, noise=1.0, random_state=16)
    et = ExtraTreesRegressor(n_estimators=4, max_depth=5, random_state=0).fit(X, y)
    n = len(et.estimators_)
    a, leaves = sklearn_tree_attrs(et.estimators_,
                                   lambda v: [(k, float(v[k]) / n) for k in range(len(v))])
    # ai.onnx.ml 3 double attributes keep sklearn's float64 thresholds exact,
    # so no input needs to be moved off a threshold.
    a["nodes_values_as_tensor"] = numpy_helper.from_array(
        np.array([e.tree_.threshold[i] if e.tree_.children_left[i] != -1 else 0.0
                  for e in et.estimators_ for i in range(e.tree_.node_count)], dtype=np.float64))
    del a["nodes_values"]
    lists = leaf_lists(leaves, "target")
    lists["target_weights_as_tensor"] = numpy_helper.from_array(
        np.array(lists.pop("target_weights"), dtype=np.float64))
    node = helper.make_node("TreeEnsembleRegressor", ["X"], ["Y"], domain=ML, n_targets=2,
                            aggregate_function="SUM", **lists, **a)
    Xt = X[:40].astype(np.float32)
    save_case("tree_regressor_et_2targets_as_tensor", [node],
              [tensor_info("X", TensorProto.FLOAT, [None, 6])],
              [tensor_info("Y", TensorProto.FLOAT, [None, 2])], [Xt],
              [et.predict(Xt).astype(np.float32)])


def decision_tree_boundaries():
    """Integer features give thresholds like 1.5; the inputs sit exactly on them."""
    rng = np.random.RandomState(17)
    X = rng.randint(0, 5, size=(300, 3)).astype(np.float64)
    y = X[:, 0] * 2 - X[:, 1] + (X[:, 2] > 2) * 3 + rng.randn(300) * 0.1
    dt = DecisionTreeRegressor(max_depth=5, random_state=0).fit(X, y)
    Xt = rng.choice([0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0], size=(40, 3)).astype(np.float32)
    thr = dt.tree_.threshold[dt.tree_.children_left != -1]
    assert np.isin(Xt, thr.astype(np.float32)).sum() > 20, "too few inputs on a threshold"
    a, leaves = sklearn_tree_attrs([dt], lambda v: [(0, float(v[0]))])
    node = helper.make_node("TreeEnsembleRegressor", ["X"], ["Y"], domain=ML, n_targets=1,
                            **leaf_lists(leaves, "target"), **a)
    save_case("tree_regressor_dt_on_thresholds", [node],
              [tensor_info("X", TensorProto.FLOAT, [None, 3])],
              [tensor_info("Y", TensorProto.FLOAT, [None, 1])], [Xt],
              [dt.predict(Xt).astype(np.float32).reshape(-1, 1)], ml_opset=1)

    yc = np.array(["low", "mid", "high"], dtype=object)[(X[:, 0] + X[:, 1] > 3).astype(int) +
                                                          (X[:, 2] > 3).astype(int)]
    dc = DecisionTreeClassifier(max_depth=4, random_state=0).fit(X, yc)
    a, leaves = sklearn_tree_attrs(
        [dc], lambda v: [(c, float(v[c] / v.sum())) for c in range(len(v))])
    node = helper.make_node("TreeEnsembleClassifier", ["X"], ["label", "probs"], domain=ML,
                            classlabels_strings=list(dc.classes_), **leaf_lists(leaves, "class"),
                            **a)
    save_case("tree_classifier_dt_on_thresholds_strings", [node],
              [tensor_info("X", TensorProto.FLOAT, [None, 3])],
              [tensor_info("label", TensorProto.STRING, [None]),
               tensor_info("probs", TensorProto.FLOAT, [None, 3])], [Xt],
              [dc.predict(Xt).astype(object), dc.predict_proba(Xt).astype(np.float32)],
              ml_opset=1)


def linear_with_zipmap():
    X, y = make_classification(n_samples=300, n_features=4, n_informative=3, n_redundant=0,
                               random_state=18)
    names = np.array(["no", "yes"], dtype=object)
    lr = LogisticRegression().fit(X, names[y])
    nodes = [helper.make_node("LinearClassifier", ["X"], ["label", "probs"], domain=ML,
                              coefficients=list(lr.coef_.ravel()), intercepts=list(lr.intercept_),
                              classlabels_strings=["no", "yes"], post_transform="LOGISTIC"),
             helper.make_node("ZipMap", ["probs"], ["zip"], domain=ML,
                              classlabels_strings=["no", "yes"])]
    Xt = X[:30].astype(np.float32)
    save_case("linear_classifier_binary_strings_zipmap", nodes,
              [tensor_info("X", TensorProto.FLOAT, [None, 4])],
              [tensor_info("label", TensorProto.STRING, [None]), zipmap_info("zip", TensorProto.STRING)],
              [Xt], [lr.predict(Xt).astype(object),
                     zipmap_expected(lr.predict_proba(Xt), ["no", "yes"])], ml_opset=1)

    X, y = make_classification(n_samples=300, n_features=4, n_informative=3, n_redundant=0,
                               n_classes=3, random_state=19)
    svc = LinearSVC(C=0.5, max_iter=5000, random_state=0).fit(X, y)
    nodes = [helper.make_node("LinearClassifier", ["X"], ["label", "scores"], domain=ML,
                              coefficients=list(svc.coef_.ravel()), intercepts=list(svc.intercept_),
                              classlabels_ints=[0, 1, 2], post_transform="NONE"),
             helper.make_node("ZipMap", ["scores"], ["zip"], domain=ML,
                              classlabels_int64s=[0, 1, 2])]
    Xt = X[:30].astype(np.float32)
    save_case("linear_svc_3class_zipmap", nodes, [tensor_info("X", TensorProto.FLOAT, [None, 4])],
              [tensor_info("label", TensorProto.INT64, [None]), zipmap_info("zip", TensorProto.INT64)],
              [Xt], [svc.predict(Xt).astype(np.int64),
                     zipmap_expected(svc.decision_function(Xt), [0, 1, 2])], ml_opset=1)

    # One-vs-rest logistic regression: logistic scores, then L1 normalisation.
    ovr = LogisticRegression(multi_class="ovr", max_iter=500).fit(X, y)
    nodes = [helper.make_node("LinearClassifier", ["X"], ["label", "scores"], domain=ML,
                              coefficients=list(ovr.coef_.ravel()), intercepts=list(ovr.intercept_),
                              classlabels_ints=[0, 1, 2], post_transform="LOGISTIC"),
             helper.make_node("Normalizer", ["scores"], ["probs"], domain=ML, norm="L1"),
             helper.make_node("ZipMap", ["probs"], ["zip"], domain=ML,
                              classlabels_int64s=[0, 1, 2])]
    save_case("logistic_ovr_normalizer_zipmap", nodes,
              [tensor_info("X", TensorProto.FLOAT, [None, 4])],
              [tensor_info("label", TensorProto.INT64, [None]), zipmap_info("zip", TensorProto.INT64)],
              [Xt], [ovr.predict(Xt).astype(np.int64),
                     zipmap_expected(ovr.predict_proba(Xt), [0, 1, 2])], ml_opset=1)


def imputers():
    rng = np.random.RandomState(20)
    X = rng.randn(60, 4).astype(np.float32) * 3 + 1
    X[rng.rand(60, 4) < 0.2] = np.nan
    imp = SimpleImputer(strategy="mean").fit(X)
    node = helper.make_node("Imputer", ["X"], ["Y"], domain=ML,
                            imputed_value_floats=list(imp.statistics_.astype(np.float32)),
                            replaced_value_float=float("nan"))
    save_case("imputer_sklearn_mean", [node], [tensor_info("X", TensorProto.FLOAT, [None, 4])],
              [tensor_info("Y", TensorProto.FLOAT, [None, 4])], [X[:20]],
              [imp.transform(X[:20]).astype(np.float32)], ml_opset=1)

    Xi = rng.randint(0, 9, size=(20, 3)).astype(np.int64)
    Xi[rng.rand(20, 3) < 0.25] = -1
    imp = SimpleImputer(missing_values=-1, strategy="most_frequent").fit(Xi)
    node = helper.make_node("Imputer", ["X"], ["Y"], domain=ML,
                            imputed_value_int64s=[int(v) for v in imp.statistics_],
                            replaced_value_int64=-1)
    save_case("imputer_sklearn_int64", [node], [tensor_info("X", TensorProto.INT64, [None, 3])],
              [tensor_info("Y", TensorProto.INT64, [None, 3])], [Xi],
              [imp.transform(Xi).astype(np.int64)], ml_opset=1)


def rf_regressor_two_targets():
    X, y = make_regression(n_samples=300, n_features=5, n_targets=2, noise=2.0, random_state=21)
    rf = RandomForestRegressor(n_estimators=3, max_depth=4, random_state=0).fit(X, y)
    n = len(rf.estimators_)
    a, leaves = sklearn_tree_attrs(rf.estimators_,
                                   lambda v: [(k, float(v[k]) / n) for k in range(len(v))])
    Xt = float32_safe(X[:40], rf.estimators_)
    node = helper.make_node("TreeEnsembleRegressor", ["X"], ["Y"], domain=ML, n_targets=2,
                            aggregate_function="SUM", **leaf_lists(leaves, "target"), **a)
    save_case("tree_regressor_rf_2targets", [node], [tensor_info("X", TensorProto.FLOAT, [None, 5])],
              [tensor_info("Y", TensorProto.FLOAT, [None, 2])], [Xt],
              [rf.predict(Xt).astype(np.float32)], ml_opset=1)


def more_cases():
    xgb_multiclass()
    xgb_regressor(as_tensor=False)
    xgb_regressor(as_tensor=True)
    gradient_boosting()
    extra_trees()
    decision_tree_boundaries()
    linear_with_zipmap()
    imputers()
    rf_regressor_two_targets()


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    rf_regressor()
    rf_classifier(2, zipmap=False)
    rf_classifier(3, zipmap=True)
    xgb_binary()
    hand_regressors()
    hand_classifier_softmax()
    linear_models()
    preprocessors()
    svm_models()
    more_cases()


if __name__ == "__main__":
    main()
