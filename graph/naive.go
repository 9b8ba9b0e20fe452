package graph

var naiveMethod = methodKind{
	help:  "plain joint training, the paper's",
	build: func(MethodSettings, []int) Method { return naive{} },
}

// naive is plain joint training: the loss of the fused scores, every group
// updated every step.
type naive struct{}

func (naive) Before(*StepState) error { return nil }
func (naive) After(*StepState) error  { return nil }
func (naive) Log(*Record)             {}
