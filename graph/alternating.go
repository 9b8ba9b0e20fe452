package graph

// alternating updates one encoder per step, in turn, on its own loss
// L(f_r, y), the idea behind alternating uni-modal adaptation (Zhang et al.,
// CVPR 2024): no encoder ever sees a gradient shaped by another modality.
type alternating struct{ k int }

var alternatingMethod = methodKind{
	help:      "one encoder per step, on its own loss",
	objective: Objective{PerEncoder: true},
	build:     func(_ MethodSettings, modalities []int) Method { return alternating{k: len(modalities)} },
}

// Before selects encoder (step-1) mod K: its loss alone, its group alone.
func (m alternating) Before(st *StepState) error {
	turn := (st.Step - 1) % m.k
	for i := range st.Weights {
		st.Weights[i] = 0
	}
	st.Weights[1+turn] = 1
	for g := range st.Update {
		st.Update[g] = g == turn
	}
	return nil
}

func (alternating) After(*StepState) error { return nil }
func (alternating) Log(*Record)            {}
