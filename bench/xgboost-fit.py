"""XGBoost `hist` on a training table written by bench/train.ts, the yardstick of the TypeScript GBDT.

Run by bench/train.ts as `/usr/bin/python3 bench/xgboost-fit.py DIR` (Debian's python3-xgboost). DIR holds
`X.f32` (train rows, row-major float32 little-endian, NaN = missing), `y.u8` (0/1), `Xtest.f32` and `meta.json`
(`rows`, `testRows`, `features`, `rounds`, `maxDepth`, `eta`, `lambda`, `minChildWeight`, `maxBin`, `nThreads`,
`baseScore` as a probability). Writes the test margins (log-odds, float32 little-endian) to `DIR/pred.f32` and
prints one JSON line: wall and CPU seconds of the fit alone (the DMatrix build and quantile sketch included, as
binning is in the TypeScript fit time; loading the files and predicting are not).
"""
import json
import sys
import time
from pathlib import Path

import numpy as np
import xgboost as xgb


def main() -> None:
    data = Path(sys.argv[1])
    meta = json.loads((data / "meta.json").read_text())
    features = meta["features"]
    X = np.fromfile(data / "X.f32", dtype="<f4").reshape(meta["rows"], features)
    y = np.fromfile(data / "y.u8", dtype=np.uint8).astype(np.float32)
    X_test = np.fromfile(data / "Xtest.f32", dtype="<f4").reshape(meta["testRows"], features)
    # The learning API: the sklearn wrapper (n_estimators = rounds) needs scikit-learn, which Debian's python3-xgboost
    # does not pull in. `fit` here is what XGBClassifier.fit does: build the DMatrix (quantile sketch), then train.
    params = {
        "tree_method": "hist",
        "max_depth": meta["maxDepth"],
        "learning_rate": meta["eta"],
        "reg_lambda": meta["lambda"],
        "reg_alpha": 0,
        "gamma": 0,
        "min_child_weight": meta["minChildWeight"],
        "max_bin": meta["maxBin"],
        "subsample": 1,
        "colsample_bytree": 1,
        "scale_pos_weight": 1,
        "nthread": meta["nThreads"],
        "objective": "binary:logistic",
        "base_score": meta["baseScore"],
    }
    wall = time.perf_counter()
    cpu = time.process_time()  # all threads of this process
    booster = xgb.train(params, xgb.DMatrix(X, label=y, missing=np.nan, nthread=meta["nThreads"]), num_boost_round=meta["rounds"])
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    test = xgb.DMatrix(X_test, missing=np.nan, nthread=meta["nThreads"])
    booster.predict(test, output_margin=True).astype("<f4").tofile(data / "pred.f32")
    trees = len(booster.get_dump())
    print(json.dumps({"seconds": wall, "cpuSeconds": cpu, "trees": trees, "version": xgb.__version__}))


if __name__ == "__main__":
    main()
