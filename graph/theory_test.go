package graph

import (
	"math"
	"slices"
	"testing"
)

func TestEscapedAndLearned(t *testing.T) {
	const rho = 0.1
	for _, c := range []struct {
		name             string
		gamma, alpha     float64
		escaped, learned bool
	}{
		{"before escape", 0.05, 1, false, false},
		{"at rho, alpha 1", 0.1, 1, true, true},
		// The default alpha_1: escaped at rho, learned only from rho/0.45.
		{"escaped, response still polynomial", 0.15, 0.45, true, false},
		{"learned at rho/alpha", LearnedAlignment(0.45, rho), 0.45, true, true},
		{"strong signal learns before escape", 0.08, 2, false, true},
		{"no known feature", math.NaN(), 1, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Escaped(c.gamma, rho); got != c.escaped {
				t.Errorf("Escaped(%g, %g) = %v, want %v", c.gamma, rho, got, c.escaped)
			}
			if got := Learned(c.gamma, c.alpha, rho); got != c.learned {
				t.Errorf("Learned(%g, %g, %g) = %v, want %v", c.gamma, c.alpha, rho, got, c.learned)
			}
		})
	}
}

// The chance-corrected scale of linear probes.
func TestProbeLearned(t *testing.T) {
	for _, c := range []struct {
		name                  string
		acc, alone, chance    float64
		kept                  float64 // NaN: nothing to keep
		learnedAlone, jointly bool
	}{
		{"keeps all", 0.9, 0.9, 0.5, 1, true, true},
		{"beats its uni-modal network", 0.924, 0.674, 0.5, 0.424 / 0.174, true, true},
		{"keeps half", 0.56, 0.62, 0.5, 0.5, true, false},
		{"keeps 92.5%", 0.87, 0.9, 0.5, 0.925, true, true},
		{"ten classes", 0.56, 0.6, 0.1, 0.92, true, true},
		{"regression R²", 0.3, 0.4, 0, 0.75, true, false},
		{"at chance alone", 0.5, 0.5, 0.5, math.NaN(), false, false},
		{"below the share alone", 0.58, 0.59, 0.5, 8.0 / 9, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			kept := Kept(c.acc, c.alone, c.chance)
			if math.IsNaN(c.kept) != math.IsNaN(kept) || !math.IsNaN(kept) && math.Abs(kept-c.kept) > 1e-12 {
				t.Errorf("Kept(%g, %g, %g) = %g, want %g", c.acc, c.alone, c.chance, kept, c.kept)
			}
			if got := LearnedAlone(c.alone, c.chance); got != c.learnedAlone {
				t.Errorf("LearnedAlone(%g, %g) = %v, want %v", c.alone, c.chance, got, c.learnedAlone)
			}
			if got := LearnedAlone(c.alone, c.chance) && LearnedKept(kept); got != c.jointly {
				t.Errorf("learned jointly %v, want %v (kept %g)", got, c.jointly, kept)
			}
		})
	}
}

// PredictEscape stops where Escaped says the head has escaped.
func TestPredictEscapeStopsAtEscape(t *testing.T) {
	const rho, q, eta = 0.1, 3, 1.0
	c := EscapeRate(SignalMoment(1, 0.2, 0.1, q), q, rho)
	steps := PredictEscape(0.01, eta, c, q, rho, 10000)
	if steps <= 0 {
		t.Fatalf("no escape predicted: %d", steps)
	}
	g := 0.01
	for range steps - 1 {
		g += eta * c * math.Pow(g, q-1)
	}
	if Escaped(g, rho) || !Escaped(g+eta*c*math.Pow(g, q-1), rho) {
		t.Errorf("PredictEscape = %d: alignment %g one step before, want escape exactly then", steps, g)
	}
	if PredictEscape(rho, eta, c, q, rho, 10) != 0 {
		t.Error("an alignment already at rho must escape at step 0")
	}
}

func TestOrderStatistics(t *testing.T) {
	for _, c := range []struct {
		n    int
		s    float64
		want []float64
	}{
		{1, 1, []float64{0}},
		// Blom: Phi^{-1}(1 - 0.625/2.25) = 0.5895 for the larger of two.
		{2, 1, []float64{0.5895, -0.5895}},
		{2, 0.01, []float64{0.005895, -0.005895}},
		// Phi^{-1}(1 - 0.625/3.25) = 0.8694, the median 0.
		{3, 2, []float64{1.7388, 0, -1.7388}},
	} {
		got := orderStatistics(c.n, c.s)
		for i, w := range c.want {
			if math.Abs(got[i]-w) > 1e-4*math.Max(1, c.s) {
				t.Errorf("orderStatistics(%d, %g) = %v, want %v", c.n, c.s, got, c.want)
				break
			}
		}
	}
}

func TestSReLUVariance(t *testing.T) {
	const q, rho = 3, 0.1
	for _, c := range []struct {
		name string
		s    float64
		want float64
		tol  float64 // relative
	}{
		// Polynomial part only: srelu(X) = X^3/(3 rho^2) for X > 0, so
		// E = s^3 sqrt(2/pi)/(3 rho^2), E[srelu^2] = s^6 (15/2)/(9 rho^4):
		// Var = s^6/rho^4 (15/18 - 2/(9 pi)) = 0.76259 s^6/rho^4.
		{"polynomial", 0.01, 0.76259 * math.Pow(0.01, 6) / math.Pow(rho, 4), 1e-3},
		// Far past rho: srelu(X) ~ max(X, 0) - c 1{X > 0}, c = (2/3) rho, of
		// variance s^2 (1/2 - 1/(2 pi)) - c s/sqrt(2 pi) + c^2/4, up to
		// terms of order rho^2 from the polynomial part.
		{"linear", 100 * rho, 100*0.34085 - (2.0/3*rho)*10/math.Sqrt(2*math.Pi) + (2.0/3*rho)*(2.0/3*rho)/4, 1e-3},
		{"no spread", 0, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := sreluVariance(c.s, q, rho)
			if math.Abs(got-c.want) > c.tol*c.want {
				t.Errorf("sreluVariance(%g) = %g, want %g", c.s, got, c.want)
			}
		})
	}
}

// raceModality is a modality of the race with the paper's defaults; sigma_p
// 0 leaves nothing to memorise.
func raceModality(alpha, mu, sigmaP, gamma0 float64) RaceModality {
	return RaceModality{Alpha: alpha, Mu: mu, SigmaP: sigmaP, D: 200, P: 5, Sigma0: 0.01, LR: 1, Gamma0: []float64{gamma0, gamma0}}
}

// Without noise the features carry every sample they can: the race's
// accuracies are the simple formulas, 1 - (1/2) prod_{r in S} mu_r with
// beta = 0 and 1 with beta > 0, and every modality is learned.
func TestRaceAccuracyWithoutNoise(t *testing.T) {
	weak := raceModality(1, 0.1, 0, 0.02)
	weak.Beta = 0.5
	for _, c := range []struct {
		name       string
		modalities []RaceModality
		network    []int
		want       float64
	}{
		{"uni-modal m0", []RaceModality{raceModality(1, 0.1, 0, 0.02), raceModality(0.45, 0.02, 0, 0.02)}, []int{0}, 1 - 0.1/2},
		{"uni-modal m1", []RaceModality{raceModality(1, 0.1, 0, 0.02), raceModality(0.45, 0.02, 0, 0.02)}, []int{1}, 1 - 0.02/2},
		{"joint, both learned", []RaceModality{raceModality(1, 0.1, 0, 0.02), raceModality(0.45, 0.02, 0, 0.02)}, []int{0, 1}, 1 - 0.1*0.02/2},
		{"insufficient samples with a weak signal", []RaceModality{weak}, []int{0}, 1},
		{"no signal: a guess", []RaceModality{raceModality(0, 0.1, 0, 0.02)}, []int{0}, 0.5},
	} {
		t.Run(c.name, func(t *testing.T) {
			rc := Race{Q: 3, Rho: 0.1, Neurons: 10, N: 200, Steps: 300, Modalities: c.modalities}
			p := rc.Predict(c.network)
			if math.Abs(p.TestAcc-c.want) > 1e-9 {
				t.Errorf("TestAcc = %.6f, want %.6f", p.TestAcc, c.want)
			}
			for i, r := range c.network {
				if want := c.modalities[r].Alpha > 0; p.Learned[i] != want {
					t.Errorf("m%d learned = %v, want %v (alignment %.3f)", r, p.Learned[i], want, p.Alignment[i])
				}
			}
		})
	}
}

// Until the scores move, the race is the escape recursion: its escape step
// is PredictEscape's, and the drive a modality needs to reach rho/alpha_r
// is the same recursion run to rho/alpha_r.
func TestRaceEscapeIsPredictEscape(t *testing.T) {
	const q, rho = 3, 0.1
	for _, c := range []struct {
		alpha, mu, gamma0 float64
	}{
		{1, 0.1, 0.02},
		{0.45, 0.02, 0.02},
		{0.6, 0, 0.015},
	} {
		m := raceModality(c.alpha, c.mu, 0, c.gamma0)
		rc := Race{Q: q, Rho: rho, Neurons: 1, N: 200, Steps: 1000, Modalities: []RaceModality{m}}
		p := rc.Predict([]int{0})
		rate := EscapeRate(SignalMoment(c.alpha, 0, c.mu, q), q, rho)
		if want := PredictEscape(c.gamma0, 1, rate, q, rho, 1000); p.Escape[0] < want || p.Escape[0] > want+1 {
			t.Errorf("alpha %g: race escapes at %d, PredictEscape at %d", c.alpha, p.Escape[0], want)
		}
		if want := float64(stepsTo(c.gamma0, 1, rate, q, LearnedAlignment(c.alpha, rho), 1000)); p.DriveNeeded[0] != want {
			t.Errorf("alpha %g: drive needed %g, want %g", c.alpha, p.DriveNeeded[0], want)
		}
		if c.alpha == 1 && p.DriveNeeded[0] != float64(PredictEscape(c.gamma0, 1, rate, q, rho, 1000)) {
			t.Errorf("alpha 1: drive needed %g, want the escape step", p.DriveNeeded[0])
		}
	}
}

// The paper's mechanism in the default regime: each modality is learned
// alone; jointly, modality 0 escapes first and fits its sufficient samples,
// memorisation fits the rest before modality 1 gets the drive it needs,
// and modality 1 stays unlearned. A modality 1 almost as strong as
// modality 0 is learned jointly too.
func TestRaceCompetition(t *testing.T) {
	for _, c := range []struct {
		alpha1       float64
		learnedJoint []bool
	}{
		{0.45, []bool{true, false}},
		{0.8, []bool{true, true}},
	} {
		rc := Race{Q: 3, Rho: 0.1, Neurons: 30, N: 200, Steps: 600, Modalities: []RaceModality{
			raceModality(1, 0.1, 0.1, 0.02), raceModality(c.alpha1, 0.02, 0.1, 0.02)}}
		for r := 0; r < 2; r++ {
			if p := rc.Predict([]int{r}); !p.Learned[0] {
				t.Errorf("alpha_1 %g: m%d alone not learned (alignment %.3f)", c.alpha1, r, p.Alignment[0])
			}
		}
		p := rc.Predict([]int{0, 1})
		if !slices.Equal(p.Learned, c.learnedJoint) {
			t.Errorf("alpha_1 %g: learned jointly %v, want %v (alignments %.3f, drive of m1 %.1f of %.0f needed)",
				c.alpha1, p.Learned, c.learnedJoint, p.Alignment, p.Drive[1], p.DriveNeeded[1])
		}
		if !c.learnedJoint[1] {
			if !(p.Drive[1] < p.DriveNeeded[1]) || p.FitStep < 0 {
				t.Errorf("alpha_1 %g: m1 unlearned with drive %.1f of %.0f needed, fit step %d", c.alpha1, p.Drive[1], p.DriveNeeded[1], p.FitStep)
			}
			// The formula of the winner alone: 1 - mu_0/2.
			if math.Abs(p.TestAcc-(1-0.1/2)) > 0.005 {
				t.Errorf("alpha_1 %g: joint test acc %.4f, want about %.4f", c.alpha1, p.TestAcc, 1-0.1/2)
			}
		}
	}
}
