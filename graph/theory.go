package graph

import "math"

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
