#!/usr/bin/python3
"""Write the NPZ fixtures that npz_test.go and import_test.go read, using
real numpy.savez and numpy.savez_compressed.

Run from anywhere with a python that has numpy (on the dev machine that is
/usr/bin/python3, not the pyenv python first in PATH):

    /usr/bin/python3 dataset/testdata/make_npz_fixtures.py [OUTDIR]

OUTDIR defaults to dataset/testdata/npz; the Go interop test passes a
temporary directory to check against the numpy installed today.
Each fixture NAME.npz comes with NAME.json:
  "arrays": [{"key", "shape", "dtype", "values"}, ...] in archive order,
      values in C order as make_npy_fixtures.py writes them;
  "task", "classes", "n": {"train": .., "val": .., "test": ..} of the
      dataset ImportSource.Load infers (no "val" and "test" when the
      archive has only a training split);
  "read_error": text   ReadNPZFile must fail with an error containing text;
  "load_error": text   ReadNPZFile succeeds, ImportSource.Load fails so.

The arrays are tiny so that the committed outputs stay a few KB each.
"""

import json
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "npz")


def jsonable(v):
    v = float(v)
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0 and np.signbit(v):
        return "-0"
    if v == int(v) and abs(v) < 2**63:
        return int(v)
    return v


def describe(key, a):
    return {
        "key": key,
        "shape": list(a.shape),
        "dtype": a.dtype.str,
        "values": [jsonable(v) for v in np.asarray(a).ravel(order="C")],
    }


def write(name, arrays, compressed, **expect):
    path = os.path.join(OUT, name + ".npz")
    (np.savez_compressed if compressed else np.savez)(path, **arrays)
    if "read_error" not in expect:
        expect["arrays"] = [describe(k, a) for k, a in arrays.items()]
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(expect, f)
        f.write("\n")


def main():
    global OUT
    if len(sys.argv) > 1:
        OUT = sys.argv[1]
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.endswith((".npz", ".json")):
            os.remove(os.path.join(OUT, old))

    rng = np.random.default_rng(20220717)

    def normal(*shape):
        # Rounded to a few digits so the JSON stays short; still not integral.
        return np.round(rng.normal(size=shape), 3)

    pm1 = np.array([1, -1, -1, 1, 1, -1], dtype=np.int64)
    write("binary_savez", {"x0": normal(6, 2, 3), "x1": normal(6, 4).astype(np.float32), "y": pm1},
          False, task="binary", classes=2, n={"train": 6})
    write("binary_split_compressed", {
        "x0": normal(6, 3), "y": pm1.astype(np.int8),
        "val_x0": normal(2, 3), "val_y": np.array([1, -1], dtype=np.int8),
        "test_x0": normal(3, 3), "test_y": np.array([-1, -1, 1], dtype=np.int8),
    }, True, task="binary", classes=2, n={"train": 6, "val": 2, "test": 3})
    # Integral float labels are class indices; inputs of every integer
    # width and a Fortran-ordered (transposed) array.
    write("multiclass_split_savez", {
        "x0": rng.integers(0, 256, size=(5, 2, 2), dtype=np.uint8),
        "x1": np.asfortranarray(normal(5, 3)),
        "y": np.array([0, 2, 1, 2, 0], dtype=np.float64),
        "val_x0": rng.integers(0, 256, size=(2, 2, 2), dtype=np.uint8),
        "val_x1": normal(2, 3),
        "val_y": np.array([3.0, 1.0]),
        "test_x0": rng.integers(0, 256, size=(2, 2, 2), dtype=np.uint8),
        "test_x1": normal(3, 2).T,
        "test_y": np.array([1.0, 0.0]),
    }, False, task="multiclass", classes=4, n={"train": 5, "val": 2, "test": 2})
    # 0/1 integers are two classes of a multiclass task.
    write("multiclass_01_compressed", {
        "x0": rng.integers(-5, 5, size=(6, 2), dtype=np.int16),
        "y": np.array([0, 1, 1, 0, 1, 0], dtype=np.int32),
    }, True, task="multiclass", classes=2, n={"train": 6})
    write("regression_savez", {"x0": normal(4, 2), "x1": normal(4, 1, 2), "y": normal(4)},
          False, task="regression", classes=0, n={"train": 4})
    write("regression_split_compressed", {
        "x0": rng.integers(-3, 3, size=(4, 2), dtype=np.int64), "y": normal(4).astype(np.float32),
        "val_x0": rng.integers(-3, 3, size=(2, 2), dtype=np.int64), "val_y": normal(2),
        "test_x0": rng.integers(-3, 3, size=(2, 2), dtype=np.int64), "test_y": normal(2),
    }, True, task="regression", classes=0, n={"train": 4, "val": 2, "test": 2})

    # Archives the reader takes but the dataset builder refuses.
    x_nan = normal(3, 2, 2)
    x_nan[1, 0, 1] = np.nan
    write("err_nan_savez", {"x0": x_nan, "y": np.array([1, -1, 1])}, False,
          load_error='key "x0": sample 1, value [0, 1] is NaN, want a finite number')
    write("err_positional_savez", {"arr_0": normal(3, 2), "arr_1": np.array([1, -1, 1])}, False,
          load_error='key "arr_0" is not a dataset key')
    # Archives the reader refuses.
    write("err_big_endian_compressed", {"x0": normal(2, 2).astype(">f8"), "y": np.array([1, -1])}, True,
          read_error='key "x0": dtype ">f8" is big-endian')
    write("err_object_savez", {"x0": np.array([{"a": 1}, None], dtype=object), "y": np.array([1, -1])}, False,
          read_error='key "x0": unsupported dtype "|O"')
    print("wrote fixtures to", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
