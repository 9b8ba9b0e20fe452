package graph

import "github.com/modcomp/modcomp/internal/check"

// umt is the uni-modal teacher (Du et al., 2023): joint training plus, for
// every encoder, a distillation term pulling its scores f_r towards those of
// its trained uni-modal network: L(f, y) + w sum_r mean |f_r - t_r|². The
// teachers' scores on the training set are TrainConfig.Teachers.
type umt struct{ weight float64 }

var umtMethod = methodKind{
	help:      "uni-modal teacher",
	objective: Objective{Distill: true},
	validate: func(s MethodSettings, ck *check.Checker) {
		ck.NonNegative("umt-weight", -1, s.Float("umt-weight"))
	},
	build: func(s MethodSettings, _ []int) Method { return umt{weight: s.Float("umt-weight")} },
}

// Before weighs the fused loss 1 and each distillation term w.
func (m umt) Before(st *StepState) error {
	st.Weights[0] = 1
	for i := 1; i < len(st.Weights); i++ {
		st.Weights[i] = m.weight
	}
	return nil
}

func (umt) After(*StepState) error { return nil }
func (umt) Log(*Record)            {}
