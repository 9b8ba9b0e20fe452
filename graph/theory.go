package graph

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// The theory companion: a prediction, before training, of when each
// modality's encoder escapes the tensor-power phase of its early training
// (its alignment reaches rho).
//
// Take a neuron w of the class head +1 of modality r, and its alignment
// gamma = <w, v_r>. Noise patches are orthogonal to v_r, so only the signal
// patch z_i y_i v_r moves gamma. Under full-batch gradient descent on the
// logistic loss, with l'_i the loss derivative at sample i,
//
//	gamma_{t+1} = gamma_t - eta (1/n) sum_i l'_i z_i srelu'(z_i y_i gamma_t)
//
// and, while z_i gamma_t < rho, srelu'(u) = (u/rho)^(q-1) for u > 0 and 0
// otherwise, so only samples of class +1 contribute. Early in training the
// scores are near 0, l'_i = -1/2, and half the samples are of class +1:
//
//	gamma_{t+1} = gamma_t + eta c_r gamma_t^(q-1),   c_r = E[z_r^q] / (4 rho^(q-1))
//
// with E[z_r^q] = (1 - mu_r) alpha_r^q + mu_r beta_r^q; the head -1 obeys the
// same recursion for -v_r. This is a tensor power iteration: for q = 3 it
// reaches rho after about (1/gamma_0 - 1/rho)/(eta c_r) steps. The neuron of
// largest initial alignment leads its head, and the modality whose head gets
// there first wins: once it fits the data, l' and with it the others' growth
// vanish. The approximations: l' frozen at -1/2 (the scores stay small until
// some head escapes), no memorisation of noise, and the expectation in place
// of the training sample's average.
//
// Two thresholds come out of this, and they differ whenever alpha_r < 1:
//
//   - A class head has escaped (Escaped) when its alignment gamma reaches
//     rho: the end of the tensor-power phase above, in the theory's own
//     terms. The escape steps of training (Escape metrics) and of the
//     prediction (PredictEscape) both use it.
//   - An encoder has learned its modality's feature (Learned) when its
//     response to the signal has left the polynomial part of the smoothed
//     ReLU. A sufficient signal patch z v_r with z = alpha_r gives a neuron
//     the pre-activation alpha_r gamma, which passes rho only once gamma
//     passes rho/alpha_r (LearnedAlignment). With the default alpha_1 = 0.45
//     that is 2.2 rho: a head past rho has escaped but its response to the
//     signal is still polynomial.
//
// # The race: what training ends in
//
// The escape step says which modality leaves the tensor-power phase first,
// not what the networks end up knowing, nor how accurate they are. For that
// the recursion above is followed to the end of training, with the two
// things it froze set free: the loss derivative, which falls as samples are
// fitted, and the memorisation of noise, which fits the samples no feature
// carries. Race.Predict iterates, for each class head c (the two are
// symmetric: class c's samples drive head c) and the network's modalities:
//
//   - Signal. Every neuron j of modality r follows its alignment
//     gamma_j = <w_j, v_r>; its initial values are the actual leader's (the
//     largest initial alignment, from the run) and, for the other m-1, the
//     expected order statistics of N(0, sigma0^2). With the training samples
//     grouped by which modalities are sufficient (2^K groups g of
//     probability prod_r (1-mu_r or mu_r), signal z_{r,g} = alpha_r or
//     beta_r),
//
//     gamma_j <- gamma_j + (eta_r/2) sum_g p_g |l'_g| z_{r,g} srelu'(z_{r,g} gamma_j)
//
//     which is the escape recursion above while |l'| = 1/2 and z gamma < rho.
//
//   - Noise. A training sample's noise patch xi (||xi||^2 = sigma_p^2 (d-1),
//     orthogonal to v_r) moves the pre-activation psi = <w_j, xi> of every
//     neuron of its class head by its own gradient,
//
//     psi <- psi + kappa (eta_r/n) |l'_g| ||xi||^2 srelu'(psi)
//
//     from the expected order statistics of the m(P-1) pairs of neuron and
//     noise patch, N(0, sigma0^2 sigma_p^2 (d-1)); only the growth of psi
//     enters the score (at initialisation both heads respond alike to
//     noise). The patches of different samples are not orthogonal once
//     n(P-1) > d: the gradient of the samples being memorised adds up along
//     their common directions and memorisation runs faster than the term of
//     one sample alone. kappa = 1 + crossTalk sqrt(a n (P-1)/d), with a the
//     mean of 2|l'| over the training samples (the fraction still being
//     fitted), is that speed-up, with one constant (crossTalk, below).
//
//   - Loss. A sample of group g scores f_g = sum_r [sum_j srelu(z_{r,g}
//     gamma_j) + sum_pairs (srelu(psi) - srelu(psi_0))] for its class and
//     |l'_g| = 1/(1 + exp(f_g)) (logistic loss).
//
// The loser's criterion. While a modality's response stays polynomial (z
// gamma < rho) its recursion is the escape recursion run on a slower clock:
// gamma_{t+1} = gamma_t + eta c_r a_r(t) gamma_t^(q-1) with a_r(t) =
// sum_g p_g 2|l'_g| z_{r,g}^q / E[z_r^q], the drive of step t (1 before any
// sample is fitted). So a modality that needs N_r steps of full drive to
// reach its learned alignment rho/alpha_r (DriveNeeded: the escape
// recursion run to rho/alpha_r) is learned within T steps exactly when its
// drive D_r(T) = sum_{t<T} a_r(t) reaches N_r. In the joint network the
// first modality to escape (the winner w) fits its sufficient samples
// within a few steps of its escape; from then on the loser l is driven only
// by the fraction mu_w of samples the winner cannot carry, so its drive
// grows at mu_w per step (with independent insufficiency), while those same
// samples are memorised at the rate of one sample, which does not scale
// with mu_w. Memorisation fits them (FitStep: the step at which their loss
// has halved), |l'| on them decays, and the loser's drive stalls:
//
//	the loser is learned jointly  iff  D_l(T) >= N_l,
//	D_l(T) ~ T_w + mu_w sum_{T_w <= t < T} 2|l'_I(t)| / (2|l'_I(0)|)
//
// with l'_I the loss derivative on the winner's insufficient samples. The
// race reports both numbers, for the modality's leading head; its Learned
// is read, as training's is, from the predicted alignment at step T (mean
// of the heads' leaders, past rho/alpha_r), which the criterion decides up
// to about a step (the recursion moves in whole steps of unequal drive, and
// the other head may lag).
//
// Test accuracy. A fresh sample of class c whose modalities have signals
// z_r scores, through the features, mu = sum_r sum_j srelu(z_r gamma_j(T))
// (the other head's neurons, aligned with -v_r, do not respond); through its
// P-1 fresh noise patches per modality it scores F_c - F_{-c}, a sum of
// 2m(P-1) terms srelu(X) of either sign with X ~ N(0, sigma_p^2 |w_perp|^2),
// where |w_perp|^2 = sigma0^2 (d-1) plus the squared norm a neuron has
// memorised. It is classified correctly with probability Phi(mu / s), s^2
// the variance of that sum. When the features' response dwarfs the noise
// this is the simple formula: a network that has learned the set S of
// modalities is right on a sample some modality of S carries and guesses on
// the others, 1 - (1/2) prod_{r in S} mu_r for beta = 0 (independent
// insufficiency): uni-modal 1 - mu_r/2, joint with only the winner
// 1 - mu_w/2, both 1 - mu_0 mu_1/2. With beta_r > 0 a weak sample is carried
// by how far beta_r gamma_j rises above the noise; in between, partial
// learning and memorised noise give the fractions the formula cannot.
//
// What the race assumes, beyond the escape's assumptions: the paper's patch
// encoders and synthetic data, late fusion (scores add) and the logistic
// loss, full-batch gradient descent (mini-batch sgd in expectation); noise
// patches of one sample orthogonal to the feature; neurons other than a
// head's leader, and the noise pairs, at their expected order statistics;
// a sample's noise memorised by its own gradient, sped up by kappa; the
// test-time noise a Gaussian sum. Where it stops: close races are decided
// by the initial weights of the other neurons and the noise of each seed,
// which the race replaces by expectations; a weak modality near the
// threshold of learning alone (its uni-modal network memorises in some
// seeds) is predicted learned too often.

// Escaped reports whether a class head whose alignment with its modality's
// feature is gamma has escaped the tensor-power phase: gamma >= rho.
func Escaped(gamma, rho float64) bool { return gamma >= rho }

// LearnedAlignment is the alignment rho/alpha at which a neuron's response
// alpha <w, v> to a signal patch of strength alpha reaches rho, the end of
// the polynomial part of the smoothed ReLU.
func LearnedAlignment(alpha, rho float64) float64 { return rho / alpha }

// Learned reports whether an encoder whose alignment with its modality's
// feature is gamma has learned the feature: alpha gamma >= rho, compared as
// gamma >= LearnedAlignment(alpha, rho) so that it agrees exactly with the
// threshold reports print. NaN (no known feature) is never learned.
func Learned(gamma, alpha, rho float64) bool { return gamma >= LearnedAlignment(alpha, rho) }

// Without a known feature (an MLP, a convolution, real data), what an encoder
// learned is read off a linear probe of its frozen features, on a
// chance-corrected scale: raw accuracies compare badly, as a probe at 0.92
// "of" 0.67 alone is more than all of it, and 0.55 of 0.60 is not 92% of a
// modality when guessing gets 0.50.
//
//   - Kept is the share of its uni-modal counterpart's accuracy above chance
//     that a joint encoder's probe keeps: (acc - chance) / (acc alone -
//     chance); NaN when the encoder alone does not beat chance, as there is
//     nothing to keep.
//   - An encoder learned its modality alone (LearnedAlone) when its probe
//     covers at least LearnedAloneShare of the way from chance to a perfect
//     score, and jointly (LearnedKept) when it keeps at least LearnedKeptShare
//     of what it reached alone.
//
// Chance is the score of guessing: 1/C for C balanced classes, 0 for the R²
// of a regression.

// LearnedAloneShare and LearnedKeptShare are the thresholds of LearnedAlone
// and LearnedKept.
const (
	LearnedAloneShare = 0.2
	LearnedKeptShare  = 0.9
)

// Kept is the share of the accuracy above chance that an encoder's probe at
// acc keeps of its uni-modal counterpart's at alone.
func Kept(acc, alone, chance float64) float64 {
	if !(alone > chance) {
		return math.NaN()
	}
	return (acc - chance) / (alone - chance)
}

// LearnedAlone reports whether an encoder whose probe scores acc learned its
// modality: acc is at least LearnedAloneShare of the way from chance to 1.
func LearnedAlone(acc, chance float64) bool {
	return acc-chance >= LearnedAloneShare*(1-chance)
}

// LearnedKept reports whether a joint encoder that keeps kept of its
// uni-modal counterpart's accuracy above chance learned its modality.
func LearnedKept(kept float64) bool { return kept >= LearnedKeptShare }

// SignalMoment is E[z^q] for a signal strength z that is alpha with
// probability 1 - mu and beta otherwise.
func SignalMoment(alpha, beta, mu, q float64) float64 {
	return (1-mu)*powT(alpha, q) + mu*powT(beta, q)
}

// EscapeRate is c_r = E[z_r^q] / (4 rho^(q-1)), the rate of the power
// iteration of an alignment.
func EscapeRate(moment, q, rho float64) float64 {
	return moment / (4 * powT(rho, q-1))
}

// PredictEscape iterates gamma_{t+1} = gamma_t + eta c gamma_t^(q-1) from
// gamma0 and returns the first step at which gamma reaches rho, or -1 if it
// does not within maxSteps (or cannot: gamma0 <= 0, c <= 0).
func PredictEscape(gamma0, eta, c, q, rho float64, maxSteps int) int {
	if !(gamma0 > 0 && eta > 0 && c > 0) {
		return -1
	}
	if Escaped(gamma0, rho) {
		return 0
	}
	g := gamma0
	for t := 1; t <= maxSteps; t++ {
		g += eta * c * math.Pow(g, q-1)
		if Escaped(g, rho) {
			return t
		}
	}
	return -1
}

// crossTalk is the speed-up of memorisation by the other samples' noise:
// kappa = 1 + crossTalk sqrt(a n (P-1)/d). It is the one constant of the
// race, calibrated on networks that can only memorise (uni-modal, alpha =
// 0: no signal) and on nothing else: the step at which their training loss
// halves, over seeds 101-103, for d in {50, 100, 200, 400} and n in {50,
// 100, 200, 400} (7 configurations, rms error 6% against 81-131% without
// it); four held-out configurations (P = 3, lr 0.3, sigma0 0.02, sigma_p
// 0.13) are within 2-12%. No point of a comparison or phase diagram went
// into it.
const crossTalk = 0.5

// RaceModality is what the race reads of one modality r: its data, the
// initialisation and learning rate of its encoder, and where its class heads
// start.
type RaceModality struct {
	Alpha, Beta, Mu float64 // alpha_r, beta_r, mu_r
	SigmaP          float64 // sigma_p of the noise patches
	D, P            int     // d and P
	Sigma0          float64 // sigma0 of the initial weights
	LR              float64 // eta_r
	// Gamma0 is, per class head (+1, -1), the largest initial alignment of
	// its neurons with the feature (align_m<r>_pos, _neg at step 0).
	Gamma0 []float64
}

// Race is a network of the paper's patch encoders on its synthetic data,
// late fusion and the logistic loss, trained by gradient descent for Steps
// steps, as the race sees it: the modalities, the encoders' m and smoothed
// ReLU, and n.
type Race struct {
	Q, Rho     float64 // q, rho
	Neurons    int     // m
	N          int     // n training samples
	Steps      int     // T
	Modalities []RaceModality
}

// RacePrediction is how the race says a network over some modalities ends;
// its lists hold one entry per modality of the network, in its order.
type RacePrediction struct {
	// Alignment is the mean over class heads of the leading neuron's
	// alignment at step T, as align_m<r> reads it; Learned applies Learned.
	Alignment []float64
	Learned   []bool
	// Escape is the first step at which a head's leader reaches rho in this
	// network (-1: not within T).
	Escape []int
	// DriveNeeded is the steps of full drive (|l'| = 1/2) the leader of the
	// modality's leading head (the one needing the least) needs to reach
	// rho/alpha_r, Drive the drive that head receives within T: the
	// criterion of the loser. NaN-free; +Inf when it never gets there.
	DriveNeeded []float64
	Drive       []float64
	// FitStep is the step at which the loss on the training samples that
	// the modality needing the least drive (DriveNeeded) cannot carry (it is
	// insufficient on them) has halved, in class head +1: memorisation has
	// fitted them. -1: not within T, or no such samples.
	FitStep int
	// TestAcc is the predicted test accuracy.
	TestAcc float64
}

// raceGroup is the training samples of one class whose modalities are
// sufficient as pattern says (bit i set: modality i of the network is
// insufficient): their share p, signal z_i, and the growth of each noise
// pair's pre-activation (psi - psi_0) per modality.
type raceGroup struct {
	p            float64
	insufficient []bool
	z            []float64
	psi          [][]float64 // psi_0 per modality and pair
	mem          [][]float64 // psi - psi_0
	lp           float64     // |l'| of the group at the current step
}

// Predict runs the race of the network over modalities (indices into
// rc.Modalities) for T steps and returns how it ends (see the top of this
// file).
func (rc Race) Predict(modalities []int) RacePrediction {
	k := len(modalities)
	pr := RacePrediction{Alignment: make([]float64, k), Learned: make([]bool, k), Escape: make([]int, k),
		DriveNeeded: make([]float64, k), Drive: make([]float64, k), FitStep: -1}
	for i := range pr.Escape {
		pr.Escape[i] = -1
	}
	mods := make([]RaceModality, k)
	for i, r := range modalities {
		mods[i] = rc.Modalities[r]
	}
	heads := len(mods[0].Gamma0)
	for c := 0; c < heads; c++ {
		h := rc.head(mods, c)
		for i := range mods {
			pr.Alignment[i] += h.leader(i) / float64(heads)
			if c == 0 || h.needed[i] < pr.DriveNeeded[i] {
				pr.DriveNeeded[i], pr.Drive[i] = h.needed[i], h.drive[i]
			}
			if h.escape[i] >= 0 && (pr.Escape[i] < 0 || h.escape[i] < pr.Escape[i]) {
				pr.Escape[i] = h.escape[i]
			}
		}
		if c == 0 {
			pr.FitStep = h.fitStep
		}
		pr.TestAcc += h.testAcc() / float64(heads)
	}
	for i, m := range mods {
		pr.Learned[i] = Learned(pr.Alignment[i], m.Alpha, rc.Rho)
	}
	return pr
}

// raceHead is the race of class head c of a network over mods.
type raceHead struct {
	rc      Race
	mods    []RaceModality
	gamma   [][]float64 // per modality, its neurons' alignments
	groups  []raceGroup
	escape  []int
	needed  []float64
	drive   []float64
	fitStep int
}

// leader is the largest alignment of modality i's neurons.
func (h *raceHead) leader(i int) float64 {
	best := math.Inf(-1)
	for _, g := range h.gamma[i] {
		best = math.Max(best, g)
	}
	return best
}

func (rc Race) head(mods []RaceModality, c int) *raceHead {
	q, rho := rc.Q, rc.Rho
	k := len(mods)
	h := &raceHead{rc: rc, mods: mods, escape: make([]int, k), needed: make([]float64, k), drive: make([]float64, k), fitStep: -1}
	for i, m := range mods {
		g := orderStatistics(rc.Neurons, m.Sigma0)
		g[0] = m.Gamma0[c]
		for j := 1; j < len(g); j++ {
			g[j] = math.Min(g[j], g[0])
		}
		h.gamma = append(h.gamma, g)
		h.escape[i] = -1
		h.needed[i] = math.Inf(1)
		if moment := SignalMoment(m.Alpha, m.Beta, m.Mu, q); m.Alpha > 0 {
			if t := stepsTo(g[0], m.LR, EscapeRate(moment, q, rho), q, LearnedAlignment(m.Alpha, rho), rc.Steps*1000); t >= 0 {
				h.needed[i] = float64(t)
			}
		}
	}
	for pattern := 0; pattern < 1<<k; pattern++ {
		gr := raceGroup{p: 1}
		for i, m := range mods {
			z, insufficient := m.Alpha, pattern>>i&1 == 1
			if insufficient {
				gr.p *= m.Mu
				z = m.Beta
			} else {
				gr.p *= 1 - m.Mu
			}
			gr.z, gr.insufficient = append(gr.z, z), append(gr.insufficient, insufficient)
			psi := positive(orderStatistics(rc.Neurons*(m.P-1), m.Sigma0*m.SigmaP*math.Sqrt(float64(m.D-1))))
			gr.psi = append(gr.psi, psi)
			gr.mem = append(gr.mem, make([]float64, len(psi)))
		}
		if gr.p > 0 {
			h.groups = append(h.groups, gr)
		}
	}
	// The samples the modality learned first cannot carry: FitStep.
	first := 0
	for i := range mods {
		if h.needed[i] < h.needed[first] {
			first = i
		}
	}
	loss0 := -1.0
	for t := 0; t < rc.Steps; t++ {
		h.scores()
		if loss := h.lossWhere(first); h.fitStep < 0 && loss >= 0 {
			if loss0 < 0 {
				loss0 = loss
			} else if loss <= loss0/2 {
				h.fitStep = t
			}
		}
		h.step(t + 1)
	}
	h.scores()
	return h
}

// scores sets every group's |l'| from its score.
func (h *raceHead) scores() {
	q, rho := h.rc.Q, h.rc.Rho
	for g := range h.groups {
		gr := &h.groups[g]
		f := 0.0
		for i := range h.mods {
			for _, gamma := range h.gamma[i] {
				f += SmoothedReLU(gr.z[i]*gamma, q, rho)
			}
			for p, psi := range gr.psi[i] {
				f += SmoothedReLU(psi+gr.mem[i][p], q, rho) - SmoothedReLU(psi, q, rho)
			}
		}
		gr.lp = 1 / (1 + math.Exp(f))
	}
}

// lossWhere is the mean logistic loss of the groups where modality i is
// insufficient (-1 when there are none).
func (h *raceHead) lossWhere(i int) float64 {
	loss, p := 0.0, 0.0
	for _, gr := range h.groups {
		if gr.insufficient[i] {
			loss += gr.p * -math.Log1p(-gr.lp)
			p += gr.p
		}
	}
	if p == 0 {
		return -1
	}
	return loss / p
}

// step applies one step of gradient descent, the step-th, to the
// alignments and the memorised noise, from the groups' |l'|.
func (h *raceHead) step(step int) {
	q, rho := h.rc.Q, h.rc.Rho
	active := 0.0 // mean of 2|l'| over the training samples
	for _, gr := range h.groups {
		active += gr.p * 2 * gr.lp
	}
	for i, m := range h.mods {
		moment, drive := SignalMoment(m.Alpha, m.Beta, m.Mu, q), 0.0
		for _, gr := range h.groups {
			drive += gr.p * 2 * gr.lp * powT(gr.z[i], q)
		}
		if moment > 0 {
			h.drive[i] += drive / moment
		}
		for j, gamma := range h.gamma[i] {
			dg := 0.0
			for _, gr := range h.groups {
				dg += gr.p * gr.lp * gr.z[i] * SmoothedReLUDeriv(gr.z[i]*gamma, q, rho)
			}
			h.gamma[i][j] = gamma + m.LR/2*dg
		}
		kappa := 1 + crossTalk*math.Sqrt(active*float64(h.rc.N*(m.P-1))/float64(m.D))
		rate := kappa * m.LR / float64(h.rc.N) * m.SigmaP * m.SigmaP * float64(m.D-1)
		for g := range h.groups {
			gr := &h.groups[g]
			for p, psi := range gr.psi[i] {
				gr.mem[i][p] += rate * gr.lp * SmoothedReLUDeriv(psi+gr.mem[i][p], q, rho)
			}
		}
		if h.escape[i] < 0 && Escaped(h.leader(i), rho) {
			h.escape[i] = step
		}
	}
}

// testAcc is the probability that the network classifies a fresh sample of
// the head's class correctly: over the patterns of sufficiency, Phi of the
// features' response over the spread of the fresh noise's.
func (h *raceHead) testAcc() float64 {
	q, rho := h.rc.Q, h.rc.Rho
	noise := 0.0 // variance of F_c - F_{-c} on the fresh noise patches
	for i, m := range h.mods {
		xi2 := m.SigmaP * m.SigmaP * float64(m.D-1)
		mass := 0.0 // squared norm memorised by the head's neurons, per neuron
		for _, gr := range h.groups {
			for _, d := range gr.mem[i] {
				mass += gr.p * d * d / xi2
			}
		}
		w2 := m.Sigma0*m.Sigma0*float64(m.D-1) + float64(h.rc.N)/float64(2*h.rc.Neurons)*mass
		noise += 2 * float64(h.rc.Neurons*(m.P-1)) * sreluVariance(m.SigmaP*math.Sqrt(w2), q, rho)
	}
	acc := 0.0
	for _, gr := range h.groups {
		mu := 0.0
		for i := range h.mods {
			for _, gamma := range h.gamma[i] {
				mu += SmoothedReLU(gr.z[i]*gamma, q, rho)
			}
		}
		switch {
		case noise > 0:
			acc += gr.p * distuv.UnitNormal.CDF(mu/math.Sqrt(noise))
		case mu > 0:
			acc += gr.p
		default:
			acc += gr.p / 2
		}
	}
	return acc
}

// stepsTo iterates gamma_{t+1} = gamma_t + eta c gamma_t^(q-1) from gamma0
// and returns the first step at which gamma reaches target, or -1 if it
// does not within maxSteps (or cannot: gamma0 <= 0, c <= 0).
func stepsTo(gamma0, eta, c, q, target float64, maxSteps int) int {
	if !(gamma0 > 0 && eta > 0 && c > 0) {
		return -1
	}
	if gamma0 >= target {
		return 0
	}
	g := gamma0
	for t := 1; t <= maxSteps; t++ {
		g += eta * c * math.Pow(g, q-1)
		if g >= target {
			return t
		}
	}
	return -1
}

// orderStatistics are the expected order statistics of n draws of
// N(0, s^2), largest first (Blom's approximation).
func orderStatistics(n int, s float64) []float64 {
	out := make([]float64, n)
	for k := range out {
		out[k] = s * distuv.UnitNormal.Quantile(1-(float64(k+1)-0.375)/(float64(n)+0.25))
	}
	return out
}

// positive is the positive values of xs: the noise pairs whose smoothed
// ReLU has a gradient (the others stay at their start and add nothing).
func positive(xs []float64) []float64 {
	var out []float64
	for _, x := range xs {
		if x > 0 {
			out = append(out, x)
		}
	}
	return out
}

// sreluVariance is the variance of srelu(X) for X ~ N(0, s^2), by the
// trapezoidal rule over +-8 standard deviations.
func sreluVariance(s, q, rho float64) float64 {
	if !(s > 0) {
		return 0
	}
	const n = 1600
	h := 16.0 / n
	m1, m2 := 0.0, 0.0
	for i := 0; i <= n; i++ {
		u := -8 + float64(i)*h
		w := h * math.Exp(-u*u/2) / math.Sqrt(2*math.Pi)
		if i == 0 || i == n {
			w /= 2
		}
		v := SmoothedReLU(s*u, q, rho)
		m1 += w * v
		m2 += w * v * v
	}
	return m2 - m1*m1
}
