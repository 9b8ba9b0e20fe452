// Package dataset holds multi-modal datasets in memory and on disk.
//
// A Dataset has K modalities; each sample has one input array per modality and
// a label. Train, validation and test splits share the modalities' metadata
// (per-sample shape and, for synthetic data, the feature vector v_r).
//
// Synthetic draws the distribution of Huang et al. (2022), "Modality
// Competition: What Makes Joint Training of Multi-modal Network Fail in Deep
// Learning? (Provably)": in modality r one of P patches carries the signal
// z_r·y·v_r and the others are Gaussian noise orthogonal to v_r, where
// z_r = alpha_r with probability 1-mu_r ("sufficient") and beta_r otherwise.
//
// TwoView builds a real two-modality benchmark from an image dataset such as
// Fashion-MNIST (read by LoadMNISTDir from IDX files), in the style of
// Noisy-MNIST: modality 0 is an image under one degradation, modality 1 a
// different image of the same class under another.
//
// Save and Load store a dataset as NPY arrays that numpy reads directly, one
// file per modality and split, with a JSON manifest (see Manifest). The same
// layout lets users bring their own data. ReadNPY and WriteNPY implement the
// NPY format itself.
//
// Data from numpy comes in most easily as one NPZ archive, written by
// numpy.savez(path, x0=..., x1=..., y=...) or numpy.savez_compressed, with
// val_x0, ..., val_y and test_x0, ..., test_y for a validation and a test
// split (both or neither). ReadNPZ reads the archive; ImportSource.Load
// builds a dataset from it, or from separate NPY files per modality and
// split, inferring the task from the labels; Import saves that dataset as a
// directory Load reads. ImportSource.Layout (and Manifest.Layout for a
// directory) says what a dataset holds, from the arrays' headers and the
// labels alone, before its inputs are read. Every array and value is checked before anything is
// used or written, and an error names the key or file, the sample and the
// position in it.
//
// A dataset may have only a training split: Splits then lists just that,
// and SplitByRatio divides it per seed.
//
// The package knows nothing of neural networks: package graph trains on a
// Dataset, package runs decides where datasets live.
package dataset
