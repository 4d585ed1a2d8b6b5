#!/usr/bin/env python3
"""Compares loupe's probe accuracies with scikit-learn's LogisticRegression on the same folds.

    loupe analyze probe --workspace W --export-data [--out NAME]
    python3 scripts/check-probe-sklearn.py W/analyses/NAME

Reads probe.json and probe_data.safetensors (x.I, y.I, fold.I for table row I), fits a
StandardScaler + LogisticRegression(C) on each row's training folds, and exits 1 when any mean
accuracy differs from loupe's by more than 0.02. Needs numpy and scikit-learn (Debian:
apt-get install python3-sklearn); the test suite does not.
"""
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from safetensors_np import read_safetensors


def main():
    folder = Path(sys.argv[1])
    rows = json.loads((folder / "probe.json").read_text())
    tensors, metadata = read_safetensors(folder / "probe_data.safetensors")
    C = float(metadata["C"])
    worst = 0.0
    for i, row in enumerate(rows):
        x, y, fold = tensors[f"x.{i}"], tensors[f"y.{i}"], tensors[f"fold.{i}"]
        accuracies = []
        for f in range(int(fold.max()) + 1):
            train, test = fold != f, fold == f
            scaler = StandardScaler().fit(x[train])
            model = LogisticRegression(C=C, max_iter=10000, tol=1e-10).fit(scaler.transform(x[train]), y[train])
            accuracies.append(float((model.predict(scaler.transform(x[test])) == y[test]).mean()))
        ours, theirs = row["accuracy_mean"], float(np.mean(accuracies))
        worst = max(worst, abs(ours - theirs))
        print(f'{row["hook"]:32} {row["target"]:9} {row["lang"]:5} loupe {ours:.4f}  scikit-learn {theirs:.4f}')
    print(f"largest difference {worst:.4f} (allowed 0.02)")
    sys.exit(0 if worst <= 0.02 else 1)


if __name__ == "__main__":
    main()
