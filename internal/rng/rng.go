// Package rng derives independent, reproducible random streams from a seed.
//
// modcomp has no global random state: every draw comes from a stream named after
// its purpose ("features", "train", "init/encoder/1", ...). Two streams with
// different names are independent; the same name and seed always give the same
// numbers, whatever else runs at the same time.
package rng

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
)

// New returns the stream called name under seed. It is a ChaCha8 generator
// keyed by SHA-256(seed, name).
func New(seed uint64, name string) *rand.Rand {
	h := sha256.New()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte(name))
	var key [32]byte
	copy(key[:], h.Sum(nil))
	return rand.New(rand.NewChaCha8(key))
}
