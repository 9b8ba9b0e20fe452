package graph

// umt is the uni-modal teacher (Du et al., 2023): joint training plus, for
// every encoder, a distillation term pulling its scores f_r towards those of
// its trained uni-modal network: L(f, y) + w sum_r mean |f_r - t_r|². The
// teachers' scores on the training set are TrainConfig.Teachers.
type umt struct{ weight float64 }

func newUMT(cfg MethodConfig, _ []int) Method { return umt{weight: cfg.UMTWeight} }

func (umt) Objective() Objective { return Objective{Distill: true} }

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
