#!/usr/bin/python3
"""Check, with real numpy, NPY files written by the Go WriteNPY.

    /usr/bin/python3 check_npy.py DIR

For every DIR/NAME.json (same format as make_npy_fixtures.py writes:
{"shape", "dtype", "values"}), load DIR/NAME.npy with np.load and compare
shape, dtype and values bit for bit (NaN equal to NaN). Prints one line per
mismatch and exits 1 if there is any; npy_test.go runs it.
"""

import json
import os
import sys

import numpy as np

SPECIAL = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf, "-0": -0.0}


def same(got, want):
    got = float(got)
    if np.isnan(want):
        return np.isnan(got)
    return got == want and np.signbit(got) == np.signbit(want)


def main(d):
    bad = 0
    names = sorted(n[:-5] for n in os.listdir(d) if n.endswith(".json"))
    for name in names:
        with open(os.path.join(d, name + ".json")) as f:
            want = json.load(f)
        a = np.load(os.path.join(d, name + ".npy"), allow_pickle=False)
        if list(a.shape) != want["shape"]:
            print(f"{name}: shape {a.shape}, want {tuple(want['shape'])}")
            bad += 1
            continue
        if a.dtype.str != want["dtype"]:
            print(f"{name}: dtype {a.dtype.str}, want {want['dtype']}")
            bad += 1
        values = [SPECIAL[v] if isinstance(v, str) else float(v) for v in want["values"]]
        flat = a.ravel(order="C")
        if len(flat) != len(values):
            print(f"{name}: {len(flat)} values, want {len(values)}")
            bad += 1
            continue
        for i, (g, w) in enumerate(zip(flat, values)):
            if not same(g, w):
                print(f"{name}: value {i} is {g!r}, want {w!r}")
                bad += 1
                break
    print(f"checked {len(names)} files")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main(sys.argv[1])
