#!/usr/bin/env python3
"""Writes breast_cancer_reference.json: scikit-learn's LogisticRegression on breast_cancer.csv.

The recipe of the committed reference that ReferenceDatasetTest (trainer tests) compares the
trainer's logistic kind with. The build never runs it (CI has no Python); rerun it by hand and
commit the JSON when the split or the settings change:

    python3 trainer/src/test/resources/datasets/sklearn_reference.py

Data: breast_cancer.csv is scikit-learn's bundled copy of the UCI Wisconsin Diagnostic Breast
Cancer set (569 rows, 30 features; see README.md here). First line: "569,30,malignant,benign";
then 30 feature values and the target per row, target 0 = malignant, 1 = benign.

What is fitted, and why it matches the trainer:
- Labels: the trainer's positive class (label 1) is the one to flag, so label = 1 for malignant
  (target 0) and 0 for benign. ROC-AUC does not depend on which class is called positive.
- Split: a stratified split with a fixed seed (train_test_split(test_size=169, stratify=labels,
  random_state=0)): 400 training rows, 169 test rows. The row indices (0-based, data rows after
  the header line, ascending) are written to the JSON, so Java uses exactly these rows.
- Standardisation: StandardScaler fitted on the 400 training rows (population std, as the
  trainer's Standardizer computes it), so the L2 penalty is on standardised weights, as in the
  trainer.
- Model: LogisticRegression(C=1.0, max_iter=10000): minimises sum of log-losses + 0.5 * |w|^2,
  intercept unpenalised. The trainer weights classes by default (class weighting on: positives
  weigh negatives/positives of its training rows, capped at 50), so class_weight gives the
  positives that weight and the negatives 1.
"""

import hashlib
import json
import os

import numpy as np
import scipy
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "breast_cancer.csv")
OUT = os.path.join(HERE, "breast_cancer_reference.json")
TEST_ROWS = 169
SEED = 0
MAX_POSITIVE_WEIGHT = 50.0  # DenseClassifier.MAX_POSITIVE_WEIGHT


def main():
    with open(DATA, "rb") as f:
        sha256 = hashlib.sha256(f.read()).hexdigest()
    table = np.loadtxt(DATA, delimiter=",", skiprows=1)
    x = table[:, :30]
    labels = (table[:, 30] == 0).astype(int)  # 1 = malignant
    rows = np.arange(len(labels))
    train_rows, test_rows = train_test_split(rows, test_size=TEST_ROWS, stratify=labels, random_state=SEED)
    train_rows = np.sort(train_rows)
    test_rows = np.sort(test_rows)

    scaler = StandardScaler().fit(x[train_rows])
    z_train = scaler.transform(x[train_rows])
    z_test = scaler.transform(x[test_rows])
    y_train = labels[train_rows]
    y_test = labels[test_rows]
    positives = int(y_train.sum())
    negatives = len(y_train) - positives
    positive_weight = min(MAX_POSITIVE_WEIGHT, negatives / positives)

    model = LogisticRegression(C=1.0, max_iter=10000, class_weight={0: 1.0, 1: positive_weight})
    model.fit(z_train, y_train)
    probabilities = model.predict_proba(z_test)[:, 1]
    auc = roc_auc_score(y_test, probabilities)

    reference = {
        "data": "breast_cancer.csv",
        "data_sha256": sha256,
        "labels": "1 = malignant (target 0), 0 = benign",
        "split": f"train_test_split(test_size={TEST_ROWS}, stratify=labels, random_state={SEED}), indices ascending",
        "train_rows": train_rows.tolist(),
        "test_rows": test_rows.tolist(),
        "standardisation": "StandardScaler fitted on the training rows",
        "model": "LogisticRegression(C=1.0, max_iter=10000, class_weight={0: 1, 1: positive_weight})",
        "positive_weight": positive_weight,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "n_iter": int(model.n_iter_[0]),
        "test_roc_auc": auc,
        "intercept": float(model.intercept_[0]),
        "coefficients_standardised": model.coef_[0].tolist(),
        "test_probabilities": probabilities.tolist(),
    }
    with open(OUT, "w") as f:  # one key a line, so a diff shows what changed
        f.write("{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in reference.items()) + "\n}\n")
    print(f"sklearn {sklearn.__version__}: {len(train_rows)} train / {len(test_rows)} test rows, "
          f"positive weight {positive_weight:.4f}, {model.n_iter_[0]} iterations, test ROC-AUC {auc:.4f}")


if __name__ == "__main__":
    main()
