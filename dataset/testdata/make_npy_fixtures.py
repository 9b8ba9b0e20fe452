#!/usr/bin/python3
"""Write the NPY fixtures that npy_test.go reads, using real numpy.

Run from anywhere with a python that has numpy (on the dev machine that is
/usr/bin/python3, not the pyenv python first in PATH):

    /usr/bin/python3 dataset/testdata/make_npy_fixtures.py [OUTDIR]

OUTDIR defaults to dataset/testdata/npy; the Go interop test passes a
temporary directory to check against the numpy installed today.
Each fixture NAME.npy comes with NAME.json:
  {"shape": [...], "dtype": "<f8", "values": [...]}   values in C order;
      NaN, infinities and negative zero are the strings "nan", "inf",
      "-inf", "-0" because JSON has no numbers for them;
  {"error": "text"}   ReadNPY must fail with an error containing text.

The outputs are committed so that the Go tests need no numpy.
"""

import json
import os
import sys

import numpy as np
import numpy.lib.format as npformat

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "npy")


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


def expect(name, a):
    return {
        "shape": list(a.shape),
        "dtype": a.dtype.str,
        "values": [jsonable(v) for v in np.asarray(a).ravel(order="C")],
    }


def save(name, a, version=None):
    path = os.path.join(OUT, name + ".npy")
    if version is None:
        np.save(path, a)
    else:
        with open(path, "wb") as f:
            npformat.write_array(f, a, version=version)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(expect(name, a), f)
        f.write("\n")


def save_error(name, a, text, allow_pickle=False):
    np.save(os.path.join(OUT, name + ".npy"), a, allow_pickle=allow_pickle)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump({"error": text}, f)
        f.write("\n")


def main():
    global OUT
    if len(sys.argv) > 1:
        OUT = sys.argv[1]
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.endswith((".npy", ".json")):
            os.remove(os.path.join(OUT, old))

    cube = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 8 - 1
    save("f8_3d", cube)
    save("f8_special", np.array([np.nan, np.inf, -np.inf, -0.0, 5e-324, 1.7976931348623157e308]))
    save("f8_0d", np.array(3.25))
    save("f8_1d_single", np.array([7.5]))
    save("f8_empty", np.zeros((0,)))
    save("f8_empty_2d", np.zeros((2, 0)))
    save("f4_2d", (np.arange(6, dtype=np.float32).reshape(2, 3) / 4 - 0.5).astype(np.float32))
    save("i8_1d", np.array([-(2**53), -1, 0, 1, 2**53], dtype=np.int64))
    save("i4_1d", np.array([-(2**31), -1, 0, 2**31 - 1], dtype=np.int32))
    save("i2_1d", np.array([-(2**15), 0, 2**15 - 1], dtype=np.int16))
    save("i1_1d", np.array([-128, 0, 127], dtype=np.int8))
    save("u8_1d", np.array([0, 1, 2**53], dtype=np.uint64))
    save("u4_1d", np.array([0, 2**32 - 1], dtype=np.uint32))
    save("u2_1d", np.array([0, 2**16 - 1], dtype=np.uint16))
    save("u1_1d", np.array([0, 255], dtype=np.uint8))
    save("b1_2d", np.array([[True, False, True], [False, False, True]]))
    # np.save of a transposed (or Fortran-contiguous) array writes
    # fortran_order True with the data in column-major order.
    save("f8_fortran_3d", np.asfortranarray(cube))
    save("i4_fortran_2d", np.arange(12, dtype=np.int32).reshape(3, 4).T)
    save("b1_fortran_2d", np.array([[True, False, False], [True, True, False]]).T)
    save("f8_v2", cube[0], version=(2, 0))
    save("f8_v3", cube[1], version=(3, 0))

    save_error("err_big_endian", np.arange(3, dtype=">f8"), "big-endian")
    save_error("err_unicode", np.array(["a", "bc"]), "unsupported dtype")
    save_error("err_complex", np.array([1 + 2j]), "unsupported dtype")
    save_error("err_f2", np.array([1.5], dtype=np.float16), "unsupported dtype")
    save_error("err_object", np.array([{"a": 1}], dtype=object), "unsupported dtype", allow_pickle=True)
    save_error("err_structured", np.zeros(2, dtype=[("x", "<f8"), ("y", "<i4")]), "structured")
    save_error("err_i8_too_big", np.array([0, 2**53 + 1], dtype=np.int64), "element [1]")
    save_error("err_u8_too_big", np.array([[0, 1], [2**63, 3]], dtype=np.uint64).T, "element [0, 1]")
    print("wrote fixtures to", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
