package graph

// ume is the uni-modal ensemble: every encoder trains on its own loss
// L(f_r, y) only, exactly as its uni-modal network would, and the network
// predicts with the sum of their scores (late fusion). No modality can
// crowd out another, at the price of never learning from their combination.
type ume struct{}

var umeMethod = methodKind{
	help:      "uni-modal ensemble",
	objective: Objective{PerEncoder: true},
	build:     func(MethodSettings, []int) Method { return ume{} },
}

// Before weighs each encoder's own loss 1 and the fused loss 0.
func (ume) Before(st *StepState) error {
	st.Weights[0] = 0
	for i := 1; i < len(st.Weights); i++ {
		st.Weights[i] = 1
	}
	return nil
}

func (ume) After(*StepState) error { return nil }
func (ume) Log(*Record)            {}
