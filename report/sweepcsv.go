package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
)

// CSV renders sweep.csv: one row per point and complete seed, then one per
// point (seed "all") with means over seeds and, in the *_std columns, their
// spread. Its columns are sweepColumns.
func (sw Sweep) CSV() []byte {
	k := 0
	for _, p := range sw.Points {
		k = max(k, len(p.Summary.Unimodal))
	}
	cols := sweepColumns(sw.Axes, k, sweepMethods(sw.Points))
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	row := make([]string, len(cols))
	for i, c := range cols {
		row[i] = c.name
	}
	w.Write(row)
	for _, p := range sw.Points {
		for _, ss := range p.Summary.PerSeed {
			if !ss.Complete {
				continue
			}
			for i, c := range cols {
				row[i] = c.seed(p, ss)
			}
			w.Write(row)
		}
	}
	for _, p := range sw.Points {
		for i, c := range cols {
			row[i] = c.all(p)
		}
		w.Write(row)
	}
	w.Flush()
	return buf.Bytes()
}

// sweepColumn is one column of sweep.csv, defined once for its header and
// both kinds of row: its cell in the row of one complete seed of a point,
// and in the point's row over its seeds. A cell is empty where the point
// has no such value (a modality, a method or a theory it lacks).
type sweepColumn struct {
	name string
	seed func(p Point, ss SeedSummary) string
	all  func(p Point) string
}

// A value of one seed of a point, of a point over seeds, and a mean over
// seeds with its spread; ok is false where the point has none.
type (
	seedValue func(p Point, ss SeedSummary) (v Num, ok bool)
	meanValue func(p Point) (v Num, ok bool)
	statValue func(p Point) (mean, std Num, ok bool)
)

// number is a column of a number.
func number(name string, seed seedValue, all meanValue) sweepColumn {
	return sweepColumn{name: name,
		seed: func(p Point, ss SeedSummary) string { return numCell(seed(p, ss)) },
		all:  func(p Point) string { return numCell(all(p)) },
	}
}

// withStd is the columns of a number and of its spread over seeds, name_std,
// which is empty in the rows of one seed.
func withStd(name string, seed seedValue, all statValue) []sweepColumn {
	mean := func(p Point) (Num, bool) { m, _, ok := all(p); return m, ok }
	std := func(p Point) (Num, bool) { _, sd, ok := all(p); return sd, ok }
	return []sweepColumn{
		number(name, seed, mean),
		{name: name + "_std", seed: func(Point, SeedSummary) string { return "" }, all: func(p Point) string { return numCell(std(p)) }},
	}
}

// modalityColumn is a column of a modality's index (-1: none); all is nil
// for a column empty over seeds.
func modalityColumn(name string, seed func(ss SeedSummary) (int, bool), all func(s *Summary) int) sweepColumn {
	c := sweepColumn{name: name,
		seed: func(_ Point, ss SeedSummary) string {
			if r, ok := seed(ss); ok {
				return strconv.Itoa(r)
			}
			return ""
		},
		all: func(Point) string { return "" },
	}
	if all != nil {
		c.all = func(p Point) string { return strconv.Itoa(all(p.Summary)) }
	}
	return c
}

// pointText is a column of the point's own text, the same in each of its
// rows: its index, an axis.
func pointText(name string, of func(p Point) string) sweepColumn {
	return sweepColumn{name: name, seed: func(p Point, _ SeedSummary) string { return of(p) }, all: of}
}

func numCell(v Num, ok bool) string {
	if !ok {
		return ""
	}
	return formatFloat(float64(v))
}

// flag is 1 for true and 0 for false, the values a fraction of seeds
// averages.
func flag(b bool) Num {
	if b {
		return 1
	}
	return 0
}

// sweepColumns are the columns of sweep.csv for points over axes of up to k
// modalities, compared with the training methods methods beyond naive: the
// point and its seed, each modality alone, the joint network and its
// encoders, the outcome, the theory companion, and a block per method.
func sweepColumns(axes []Axis, k int, methods []string) []sweepColumn {
	cols := []sweepColumn{pointText("point", func(p Point) string { return strconv.Itoa(p.Index) })}
	for _, a := range axes {
		cols = append(cols, pointText(a.Key, func(p Point) string { return p.Values[a.Key] }))
	}
	cols = append(cols,
		sweepColumn{name: "seed",
			seed: func(_ Point, ss SeedSummary) string { return strconv.FormatUint(ss.Seed, 10) },
			all:  func(Point) string { return "all" }},
		sweepColumn{name: "seeds",
			seed: func(Point, SeedSummary) string { return "1" },
			all:  func(p Point) string { return strconv.Itoa(len(p.Summary.SeedsAggregated)) }})

	for r := 0; r < k; r++ {
		uni := func(ss SeedSummary) (UnimodalResult, bool) {
			if r < len(ss.Unimodal) {
				return ss.Unimodal[r], true
			}
			return UnimodalResult{}, false
		}
		uniAll := func(p Point) (UnimodalAggregate, bool) {
			if r < len(p.Summary.Unimodal) {
				return p.Summary.Unimodal[r], true
			}
			return UnimodalAggregate{}, false
		}
		name := func(what string) string { return fmt.Sprintf("uni_m%d_%s", r, what) }
		cols = append(cols, withStd(name("val_acc"),
			func(_ Point, ss SeedSummary) (Num, bool) { u, ok := uni(ss); return u.ValAcc, ok },
			func(p Point) (Num, Num, bool) { u, ok := uniAll(p); return u.ValAcc, u.ValAccStd, ok })...)
		cols = append(cols, withStd(name("test_acc"),
			func(_ Point, ss SeedSummary) (Num, bool) { u, ok := uni(ss); return u.TestAcc, ok },
			func(p Point) (Num, Num, bool) { u, ok := uniAll(p); return u.TestAcc, u.TestAccStd, ok })...)
		cols = append(cols, withStd(name("alignment"),
			func(_ Point, ss SeedSummary) (Num, bool) { u, ok := uni(ss); return u.Alignment, ok },
			func(p Point) (Num, Num, bool) { u, ok := uniAll(p); return u.Alignment, u.AlignmentStd, ok })...)
		cols = append(cols, withStd(name("probe_test_acc"),
			func(_ Point, ss SeedSummary) (Num, bool) { u, ok := uni(ss); return u.ProbeTestAcc, ok },
			func(p Point) (Num, Num, bool) { u, ok := uniAll(p); return u.ProbeTestAcc, u.ProbeTestAccStd, ok })...)
		cols = append(cols, number(name("learned"),
			func(_ Point, ss SeedSummary) (Num, bool) { u, ok := uni(ss); return flag(u.Learned), ok },
			func(p Point) (Num, bool) { u, ok := uniAll(p); return u.LearnedFraction, ok }))
	}

	cols = append(cols, withStd("joint_val_acc",
		func(_ Point, ss SeedSummary) (Num, bool) { return ss.Joint.ValAcc, true },
		func(p Point) (Num, Num, bool) { return p.Summary.Joint.ValAcc, p.Summary.Joint.ValAccStd, true })...)
	cols = append(cols, withStd("joint_test_acc",
		func(_ Point, ss SeedSummary) (Num, bool) { return ss.Joint.TestAcc, true },
		func(p Point) (Num, Num, bool) { return p.Summary.Joint.TestAcc, p.Summary.Joint.TestAccStd, true })...)
	for r := 0; r < k; r++ {
		seedHas := func(ss SeedSummary) bool { return r < len(ss.Joint.Alignment) }
		pointHas := func(p Point) bool { return r < len(p.Summary.Joint.Alignment) }
		cols = append(cols, withStd(fmt.Sprintf("joint_enc_m%d_test_acc", r),
			func(_ Point, ss SeedSummary) (Num, bool) { return at(ss.Joint.EncoderTestAcc, r, seedHas(ss)) },
			func(p Point) (Num, Num, bool) {
				j := p.Summary.Joint
				return atStd(j.EncoderTestAcc, j.EncoderTestAccStd, r, pointHas(p))
			})...)
		cols = append(cols, withStd(fmt.Sprintf("joint_m%d_alignment", r),
			func(_ Point, ss SeedSummary) (Num, bool) { return at(ss.Joint.Alignment, r, seedHas(ss)) },
			func(p Point) (Num, Num, bool) {
				j := p.Summary.Joint
				return atStd(j.Alignment, j.AlignmentStd, r, pointHas(p))
			})...)
		cols = append(cols, withStd(fmt.Sprintf("joint_m%d_probe_test_acc", r),
			func(_ Point, ss SeedSummary) (Num, bool) { return at(ss.Joint.ProbeTestAcc, r, seedHas(ss)) },
			func(p Point) (Num, Num, bool) {
				j := p.Summary.Joint
				return atStd(j.ProbeTestAcc, j.ProbeTestAccStd, r, pointHas(p))
			})...)
		// What the probe keeps of its accuracy above chance alone: empty
		// in a summary written before it had the value.
		cols = append(cols, withStd(fmt.Sprintf("joint_m%d_probe_kept", r),
			func(_ Point, ss SeedSummary) (Num, bool) {
				return at(ss.Joint.ProbeKept, r, r < len(ss.Joint.ProbeKept))
			},
			func(p Point) (Num, Num, bool) {
				j := p.Summary.Joint
				return atStd(j.ProbeKept, j.ProbeKeptStd, r, r < len(j.ProbeKept) && r < len(j.ProbeKeptStd))
			})...)
		cols = append(cols, number(fmt.Sprintf("joint_m%d_learned", r),
			func(_ Point, ss SeedSummary) (Num, bool) {
				if !seedHas(ss) {
					return 0, false
				}
				return flag(ss.Joint.Learned[r]), true
			},
			func(p Point) (Num, bool) { return at(p.Summary.Joint.LearnedFraction, r, pointHas(p)) }))
	}

	cols = append(cols,
		modalityColumn("best_unimodal", func(ss SeedSummary) (int, bool) { return ss.BestUnimodal.Modality, true },
			func(s *Summary) int { return s.BestUnimodal.Modality }),
		number("best_unimodal_test_acc",
			func(_ Point, ss SeedSummary) (Num, bool) { return ss.BestUnimodal.TestAcc, true },
			func(p Point) (Num, bool) { return p.Summary.BestUnimodal.TestAcc, true }))
	cols = append(cols, withStd("gap",
		func(_ Point, ss SeedSummary) (Num, bool) { return ss.Gap, true },
		func(p Point) (Num, Num, bool) { return p.Summary.Gap, p.Summary.GapStd, true })...)
	cols = append(cols,
		modalityColumn("winner", func(ss SeedSummary) (int, bool) { return ss.Winner, true }, func(s *Summary) int { return s.Winner }),
		number("competition",
			func(_ Point, ss SeedSummary) (Num, bool) { return flag(competition(ss)), true },
			func(p Point) (Num, bool) { return competitionFraction(p.Summary), true }))
	cols = append(cols, theoryColumns(k)...)
	for _, m := range methods {
		cols = append(cols, methodColumns(m, k)...)
	}
	return cols
}

// at is xs[r], where has says the point has it.
func at(xs []Num, r int, has bool) (Num, bool) {
	if !has {
		return 0, false
	}
	return xs[r], true
}

// atStd is means[r] and stds[r], where has says the point has them.
func atStd(means, stds []Num, r int, has bool) (Num, Num, bool) {
	if !has {
		return 0, 0, false
	}
	return means[r], stds[r], true
}

// theoryColumns are the theory companion's columns: each modality's
// predicted and observed escape steps (over seeds: means over the seeds
// where the step is known, the observed ones with their spread, and the
// fraction of seeds in which the modality escaped at all), the predicted
// winner, and whether it escaped first jointly and was learned (over seeds:
// the fractions of seeds), the escape errors, then the race's
// (raceColumns). Empty where the theory does not apply.
func theoryColumns(k int) []sweepColumn {
	var cols []sweepColumn
	for r := 0; r < k; r++ {
		seedHas := func(ss SeedSummary) bool { return ss.Theory != nil && r < len(ss.Theory.PredictedEscape) }
		pointTheory := func(p Point) (*TheoryAggregate, bool) {
			a := p.Summary.Theory
			return a, a != nil && r < len(a.PredictedEscape)
		}
		cols = append(cols, number(fmt.Sprintf("predicted_escape_m%d", r),
			func(_ Point, ss SeedSummary) (Num, bool) {
				return at(nilOr(ss.Theory, func(t *Theory) []Num { return t.PredictedEscape }), r, seedHas(ss))
			},
			func(p Point) (Num, bool) {
				a, ok := pointTheory(p)
				return at(nilOr(a, func(a *TheoryAggregate) []Num { return a.PredictedEscape }), r, ok)
			}))
		for _, c := range []struct {
			network            string
			of                 func(t *Theory) []Num
			mean, std, escaped func(a *TheoryAggregate) []Num
		}{
			{"alone", func(t *Theory) []Num { return t.EscapeAlone },
				func(a *TheoryAggregate) []Num { return a.EscapeAlone }, func(a *TheoryAggregate) []Num { return a.EscapeAloneStd },
				func(a *TheoryAggregate) []Num { return a.EscapedAlone }},
			{"joint", func(t *Theory) []Num { return t.EscapeJoint },
				func(a *TheoryAggregate) []Num { return a.EscapeJoint }, func(a *TheoryAggregate) []Num { return a.EscapeJointStd },
				func(a *TheoryAggregate) []Num { return a.EscapedJoint }},
		} {
			step := func(_ Point, ss SeedSummary) (Num, bool) { return at(nilOr(ss.Theory, c.of), r, seedHas(ss)) }
			// A summary written before it had the spread and the fraction
			// escaped leaves them NaN and empty.
			cols = append(cols, withStd(fmt.Sprintf("escape_%s_m%d", c.network, r), step,
				func(p Point) (Num, Num, bool) {
					a, ok := pointTheory(p)
					if !ok {
						return 0, 0, false
					}
					return c.mean(a)[r], at0(c.std(a), r), true
				})...)
			cols = append(cols, number(fmt.Sprintf("escaped_%s_m%d", c.network, r),
				func(p Point, ss SeedSummary) (Num, bool) {
					v, ok := step(p, ss)
					return flag(!math.IsNaN(float64(v))), ok
				},
				func(p Point) (Num, bool) {
					a, ok := pointTheory(p)
					if !ok || r >= len(c.escaped(a)) {
						return 0, false
					}
					return c.escaped(a)[r], true
				}))
		}
	}
	cols = append(cols,
		modalityColumn("predicted_winner", func(ss SeedSummary) (int, bool) {
			if ss.Theory == nil {
				return 0, false
			}
			return ss.Theory.PredictedWinner, true
		}, nil),
		number("first_escape_right",
			func(_ Point, ss SeedSummary) (Num, bool) {
				return flag(ss.Theory != nil && ss.Theory.FirstRight), ss.Theory != nil
			},
			func(p Point) (Num, bool) {
				if a := p.Summary.Theory; a != nil {
					return a.FirstAccuracy, true
				}
				return 0, false
			}),
		number("prediction_right",
			func(_ Point, ss SeedSummary) (Num, bool) {
				return flag(ss.Theory != nil && ss.Theory.Right), ss.Theory != nil
			},
			func(p Point) (Num, bool) {
				if a := p.Summary.Theory; a != nil {
					return a.Accuracy, true
				}
				return 0, false
			}),
		escapeErrorColumn("escape_median_error_alone", false),
		escapeErrorColumn("escape_median_error_joint", true))
	return append(cols, raceColumns(k)...)
}

// raceColumns are the race's predictions (Race; over seeds RaceAggregate):
// each network's test accuracy, the gap, what the joint network learns and
// the competition, beside the observed columns of the same names without
// "predicted_". Empty where the race does not apply.
func raceColumns(k int) []sweepColumn {
	seedRace := func(ss SeedSummary) (*Race, bool) {
		if ss.Theory == nil || ss.Theory.Race == nil || len(ss.Theory.UnimodalTestAcc) < k {
			return nil, false
		}
		return ss.Theory.Race, true
	}
	pointRace := func(p Point) (*RaceAggregate, bool) {
		a := theoryOfPoint(p.Summary)
		if a == nil || a.RaceAggregate == nil || len(a.UnimodalTestAcc) < k {
			return nil, false
		}
		return a.RaceAggregate, true
	}
	var cols []sweepColumn
	for r := 0; r < k; r++ {
		cols = append(cols, number(fmt.Sprintf("predicted_uni_m%d_test_acc", r),
			func(_ Point, ss SeedSummary) (Num, bool) {
				rc, ok := seedRace(ss)
				return at(nilOr(rc, func(rc *Race) []Num { return rc.UnimodalTestAcc }), r, ok)
			},
			func(p Point) (Num, bool) {
				a, ok := pointRace(p)
				return at(nilOr(a, func(a *RaceAggregate) []Num { return a.UnimodalTestAcc }), r, ok)
			}))
	}
	cols = append(cols,
		number("predicted_joint_test_acc",
			func(_ Point, ss SeedSummary) (Num, bool) {
				rc, ok := seedRace(ss)
				return raceNum(rc, ok, func(rc *Race) Num { return rc.JointTestAcc })
			},
			func(p Point) (Num, bool) {
				a, ok := pointRace(p)
				return raceNum(a, ok, func(a *RaceAggregate) Num { return a.JointTestAcc })
			}),
		number("predicted_gap",
			func(_ Point, ss SeedSummary) (Num, bool) {
				rc, ok := seedRace(ss)
				return raceNum(rc, ok, func(rc *Race) Num { return rc.Gap })
			},
			func(p Point) (Num, bool) {
				a, ok := pointRace(p)
				return raceNum(a, ok, func(a *RaceAggregate) Num { return a.Gap })
			}))
	for r := 0; r < k; r++ {
		cols = append(cols, number(fmt.Sprintf("predicted_joint_m%d_learned", r),
			func(_ Point, ss SeedSummary) (Num, bool) {
				rc, ok := seedRace(ss)
				return raceNum(rc, ok, func(rc *Race) Num { return flag(rc.LearnedJointly[r]) })
			},
			func(p Point) (Num, bool) {
				a, ok := pointRace(p)
				return at(nilOr(a, func(a *RaceAggregate) []Num { return a.LearnedJointlyFraction }), r, ok)
			}))
	}
	return append(cols, number("predicted_competition",
		func(_ Point, ss SeedSummary) (Num, bool) {
			rc, ok := seedRace(ss)
			return raceNum(rc, ok, func(rc *Race) Num { return flag(rc.Competition) })
		},
		func(p Point) (Num, bool) {
			a, ok := pointRace(p)
			return raceNum(a, ok, func(a *RaceAggregate) Num { return a.Competition })
		}))
}

// raceNum is of(t) where ok, for a column of the race.
func raceNum[T any](t *T, ok bool, of func(*T) Num) (Num, bool) {
	if !ok {
		return 0, false
	}
	return of(t), true
}

// escapeErrorColumn is the median of |observed / predicted - 1| over the
// escape steps of a seed's modalities, and of the point's seeds and
// modalities, observed alone or in the joint network: where the prediction
// holds along the sweep (Sweep.Theory has it over every point).
func escapeErrorColumn(name string, joint bool) sweepColumn {
	medianError := func(seeds []SeedSummary) (Num, bool) {
		ps, _ := escapePairs(seeds, joint)
		if len(ps) == 0 {
			return 0, false
		}
		return agreement(ps).MedianError, true
	}
	return number(name,
		func(_ Point, ss SeedSummary) (Num, bool) { return medianError([]SeedSummary{ss}) },
		func(p Point) (Num, bool) { return medianError(completeSeeds(p.Summary)) })
}

// nilOr is of(t), or nil for a nil t.
func nilOr[T any](t *T, of func(*T) []Num) []Num {
	if t == nil {
		return nil
	}
	return of(t)
}

// methodColumns are the columns of training method m (beyond naive, whose
// joint network the joint_* columns hold): its joint network's test
// accuracy, its gap to the best uni-modal model, and each encoder's
// alignment and whether it learned. Empty in the rows of a seed where the
// method's network did not complete, and of a point without the method.
func methodColumns(m string, k int) []sweepColumn {
	seedRun := func(ss SeedSummary) (MethodResult, bool) {
		for _, mr := range ss.Methods {
			if mr.Method == m && mr.Completed {
				return mr, true
			}
		}
		return MethodResult{}, false
	}
	pointAgg := func(p Point) (MethodAggregate, bool) {
		for _, ma := range p.Summary.Methods {
			if ma.Method == m {
				return ma, true
			}
		}
		return MethodAggregate{}, false
	}
	cols := withStd(m+"_test_acc",
		func(_ Point, ss SeedSummary) (Num, bool) { mr, ok := seedRun(ss); return mr.TestAcc, ok },
		func(p Point) (Num, Num, bool) { ma, ok := pointAgg(p); return ma.TestAcc, ma.TestAccStd, ok })
	// A seed's gap is taken against the modality the point picked as the
	// best uni-modal model, as the point's mean gap is.
	cols = append(cols, withStd(m+"_gap",
		func(p Point, ss SeedSummary) (Num, bool) {
			mr, ok := seedRun(ss)
			if !ok {
				return 0, false
			}
			return ss.Unimodal[p.Summary.BestUnimodal.Modality].TestAcc - mr.TestAcc, true
		},
		func(p Point) (Num, Num, bool) { ma, ok := pointAgg(p); return ma.Gap, ma.GapStd, ok })...)
	for r := 0; r < k; r++ {
		cols = append(cols, withStd(fmt.Sprintf("%s_m%d_alignment", m, r),
			func(_ Point, ss SeedSummary) (Num, bool) {
				mr, ok := seedRun(ss)
				return at(mr.Alignment, r, ok && r < len(mr.Alignment))
			},
			func(p Point) (Num, Num, bool) {
				ma, ok := pointAgg(p)
				return atStd(ma.Alignment, ma.AlignmentStd, r, ok && r < len(ma.Alignment))
			})...)
		cols = append(cols, number(fmt.Sprintf("%s_m%d_learned", m, r),
			func(_ Point, ss SeedSummary) (Num, bool) {
				mr, ok := seedRun(ss)
				if !ok || r >= len(mr.Alignment) {
					return 0, false
				}
				return flag(mr.Learned[r]), true
			},
			func(p Point) (Num, bool) {
				ma, ok := pointAgg(p)
				return at(ma.LearnedFraction, r, ok && r < len(ma.Alignment))
			}))
	}
	return cols
}
