package graph

import (
	"fmt"

	"github.com/modcomp/modcomp/internal/check"
)

// batchRule is the batch sizes an optimizer accepts.
type batchRule int

const (
	anyBatch  batchRule = iota // full or mini-batches
	fullBatch                  // the whole training set at every step
	miniBatch                  // a part of the training set at every step
)

// accepts tells whether a batch of batch samples (0: the full batch) out of
// nTrain follows the rule.
func (r batchRule) accepts(batch, nTrain int) bool {
	full := batch == 0 || batch == nTrain
	switch r {
	case fullBatch:
		return full
	case miniBatch:
		return !full
	}
	return true
}

// check fails when the optimizer name, which follows rule r, does not
// accept batch, and names the optimizers that do.
func (r batchRule) check(name string, batch, nTrain int, ck *check.Checker) {
	if r.accepts(batch, nTrain) {
		return
	}
	var others []string
	for _, o := range Optimizers().Names() {
		if optimizers[o].batch.accepts(batch, nTrain) {
			others = append(others, o)
		}
	}
	want := fmt.Sprintf("0 (the full batch) with optimizer %s; use optimizer %s for mini-batches", name, either(others))
	if r == miniBatch {
		want = fmt.Sprintf("a mini-batch size in 1..%d with optimizer %s (n-train is %d); use optimizer %s for full batches",
			nTrain-1, name, nTrain, either(others))
	}
	ck.Fail(&check.FieldError{Field: "batch-size", Index: -1, Value: batch, Want: want})
}
