package dataset

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/modcomp/modcomp/internal/check"
	"github.com/modcomp/modcomp/internal/rng"
)

// SyntheticModality holds the parameters of one modality r of the paper's
// sparse-coding distribution.
type SyntheticModality struct {
	Patches int     // P: patches per input
	Dim     int     // d: dimension of a patch
	Alpha   float64 // alpha_r: signal strength z_r of a sufficient sample
	Beta    float64 // beta_r: signal strength z_r of an insufficient sample
	Mu      float64 // mu_r: probability that a sample is insufficient
	SigmaP  float64 // sigma_p: standard deviation of the noise patches
}

// Synthetic is the paper's multi-modal distribution: for each sample, a label
// y uniform in {-1, +1} and, in every modality r, P patches of dimension d of
// which one, at a uniformly random position, is z_r·y·v_r and the others are
// N(0, sigma_p² (I - v_r v_rᵀ)). z_r is alpha_r with probability 1-mu_r and
// beta_r otherwise. The unit features v_r are drawn once per seed.
type Synthetic struct {
	Modalities []SyntheticModality
	NTrain     int
	NVal       int
	NTest      int
}

// Validate reports the first parameter outside its allowed range.
func (s Synthetic) Validate() error {
	var c check.Checker
	if len(s.Modalities) < 1 {
		c.Fail(errors.New("no modalities: give each per-modality parameter one value per modality"))
	}
	for r, m := range s.Modalities {
		c.PositiveInt("patches", r, m.Patches)
		c.PositiveInt("d", r, m.Dim)
		c.NonNegative("alpha", r, m.Alpha)
		c.NonNegative("beta", r, m.Beta)
		c.Probability("mu", r, m.Mu)
		c.NonNegative("sigma-p", r, m.SigmaP)
		if m.Dim == 1 && m.Patches > 1 && m.SigmaP > 0 {
			c.Fail(&check.FieldError{Field: "d", Index: r, Value: m.Dim,
				Want: "at least 2: noise orthogonal to the feature needs a second dimension"})
		}
	}
	c.PositiveInt("n-train", -1, s.NTrain)
	c.PositiveInt("n-val", -1, s.NVal)
	c.PositiveInt("n-test", -1, s.NTest)
	return c.Err()
}

// Generate draws the features and the three splits for seed. Features,
// train, validation and test data come from independent random streams, so
// changing n-test does not change the training data.
func (s Synthetic) Generate(seed uint64) (*Dataset, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("synthetic dataset: %w", err)
	}
	ds := &Dataset{Task: Binary, Classes: 2}
	for r, m := range s.Modalities {
		ds.Modalities = append(ds.Modalities, Modality{
			Name:    fmt.Sprintf("m%d", r),
			Shape:   []int{m.Patches, m.Dim},
			Feature: unitVector(rng.New(seed, fmt.Sprintf("dataset/feature/%d", r)), m.Dim),
		})
	}
	ds.Train = s.drawSplit(ds, s.NTrain, rng.New(seed, "dataset/train"))
	ds.Val = s.drawSplit(ds, s.NVal, rng.New(seed, "dataset/val"))
	ds.Test = s.drawSplit(ds, s.NTest, rng.New(seed, "dataset/test"))
	return ds, nil
}

func (s Synthetic) drawSplit(ds *Dataset, n int, src *rand.Rand) *Split {
	k := len(s.Modalities)
	sp := &Split{
		Inputs:      make([][]float64, k),
		Labels:      make([]float64, n),
		Sufficient:  make([][]bool, k),
		SignalPatch: make([][]int, k),
	}
	for r, m := range s.Modalities {
		sp.Inputs[r] = make([]float64, n*m.Patches*m.Dim)
		sp.Sufficient[r] = make([]bool, n)
		sp.SignalPatch[r] = make([]int, n)
	}
	for i := 0; i < n; i++ {
		y := 1.0
		if src.IntN(2) == 0 {
			y = -1
		}
		sp.Labels[i] = y
		for r, m := range s.Modalities {
			v := ds.Modalities[r].Feature
			sufficient := src.Float64() >= m.Mu
			z := m.Beta
			if sufficient {
				z = m.Alpha
			}
			signal := src.IntN(m.Patches)
			sp.Sufficient[r][i] = sufficient
			sp.SignalPatch[r][i] = signal
			x := sp.Inputs[r][i*m.Patches*m.Dim : (i+1)*m.Patches*m.Dim]
			for p := 0; p < m.Patches; p++ {
				patch := x[p*m.Dim : (p+1)*m.Dim]
				if p == signal {
					for j := range patch {
						patch[j] = z * y * v[j]
					}
					continue
				}
				orthogonalNoise(src, patch, v, m.SigmaP)
			}
		}
	}
	return sp
}

// orthogonalNoise fills patch with a draw of N(0, sigma² (I - v vᵀ)) for a
// unit v: an isotropic Gaussian with its component along v removed.
func orthogonalNoise(src *rand.Rand, patch, v []float64, sigma float64) {
	dot := 0.0
	for j := range patch {
		patch[j] = sigma * src.NormFloat64()
		dot += patch[j] * v[j]
	}
	for j := range patch {
		patch[j] -= dot * v[j]
	}
}

// unitVector draws a direction uniformly on the unit sphere of R^d.
func unitVector(src *rand.Rand, d int) []float64 {
	v := make([]float64, d)
	for {
		norm := 0.0
		for j := range v {
			v[j] = src.NormFloat64()
			norm += v[j] * v[j]
		}
		if norm > 0 {
			norm = math.Sqrt(norm)
			for j := range v {
				v[j] /= norm
			}
			return v
		}
	}
}
