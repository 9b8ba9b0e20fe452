package rng

import "testing"

func TestStreamsAreReproducibleAndDistinct(t *testing.T) {
	a, b := New(7, "train"), New(7, "train")
	c, d := New(7, "test"), New(8, "train")
	for i := 0; i < 100; i++ {
		x := a.Uint64()
		if x != b.Uint64() {
			t.Fatalf("draw %d: same seed and name gave different numbers", i)
		}
		if x == c.Uint64() || x == d.Uint64() {
			t.Fatalf("draw %d: streams with a different name or seed coincide", i)
		}
	}
}
