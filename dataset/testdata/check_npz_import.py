#!/usr/bin/python3
"""Check, with real numpy, that a dataset directory written by the Go Import
holds exactly the arrays of the NPZ archive it was imported from.

    /usr/bin/python3 check_npz_import.py ARCHIVE.npz DIR [ARCHIVE.npz DIR ...]

For every split and modality, np.load(DIR/<file named by manifest.json>)
must equal the archive's array cast to float64 (inputs) or to the labels'
dtype, bit for bit with NaN equal to NaN. Prints one line per mismatch and
exits 1 if there is any; import_test.go runs it.
"""

import json
import os
import sys

import numpy as np


def same(got, want):
    if got.shape != want.shape:
        return f"shape {got.shape}, want {want.shape}"
    g = got.astype(np.float64).ravel()
    w = want.astype(np.float64).ravel()
    for i, (a, b) in enumerate(zip(g, w)):
        if np.isnan(a) and np.isnan(b):
            continue
        if a != b or np.signbit(a) != np.signbit(b):
            return f"value {i} is {a!r}, want {b!r}"
    return None


def check(archive, d):
    bad = 0
    with open(os.path.join(d, "manifest.json")) as f:
        manifest = json.load(f)
    z = np.load(archive, allow_pickle=False)
    prefixes = {"train": "", "val": "val_", "test": "test_"}
    for split, files in manifest["splits"].items():
        if files is None:
            continue
        p = prefixes[split]
        pairs = [(p + f"x{r}", name) for r, name in enumerate(files["inputs"])]
        pairs.append((p + "y", files["labels"]))
        for key, name in pairs:
            a = np.load(os.path.join(d, name), allow_pickle=False)
            want_kind = "f" if key != p + "y" or manifest["task"] == "regression" else "i"
            if a.dtype.kind != want_kind:
                print(f"{archive}: {name}: dtype {a.dtype}, want kind {want_kind}")
                bad += 1
            problem = same(a, z[key])
            if problem:
                print(f"{archive}: {name} against key {key}: {problem}")
                bad += 1
    extra = set(k for k in z.files) - set(
        p + f"x{r}" for p in prefixes.values() for r in range(len(manifest["modalities"]))
    ) - set(p + "y" for p in prefixes.values())
    if extra:
        print(f"{archive}: keys {sorted(extra)} not in the dataset")
        bad += 1
    return bad


def main(args):
    bad = 0
    for archive, d in zip(args[::2], args[1::2]):
        bad += check(archive, d)
    print(f"checked {len(args) // 2} imports")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
