package report

import "github.com/modcomp/modcomp/graph"

// Setting is what a report needs to know of the configuration its runs
// were trained with: nothing else of it reaches this package.
type Setting struct {
	// Description is the configuration in one line, for report.md.
	Description string
	// K is the number of modalities.
	K int
	// Seeds are the seeds of the runs, in their order.
	Seeds []uint64
	// Rho is where the smoothed ReLU stops being polynomial, and Alpha the
	// signal strength of a sufficient sample of each modality (K of them):
	// together they say when an encoder has learned its feature
	// (graph.Learned).
	Rho   float64
	Alpha []float64
	// Fusion is how the joint network combines its encoders ("late").
	Fusion string
	// Chance is the score of guessing (1/C for C classes, 0 for the R² of a
	// regression): where the chance-corrected scale of linear probes starts
	// (graph.Kept).
	Chance float64
	// Theory holds what the theory companion predicts escape steps from;
	// nil where the prediction does not apply. It covers the paper's patch
	// encoders on its synthetic data, trained by gradient descent.
	Theory *TheorySetting
}

// TheorySetting is the data and training of each modality, K values per
// list, as the theory companion reads them.
type TheorySetting struct {
	Q            float64   // order of the smoothed ReLU
	Beta, Mu, LR []float64 // weak signal strength, its probability, learning rate
	Steps        int       // training steps: no escape is predicted beyond them
	// Race says whether the race of the modalities (graph.Race) predicts
	// how the networks end, their accuracies and what they learn: it needs
	// late fusion and the logistic loss besides what the escape needs. It
	// reads the rest of the fields.
	Race    bool
	Neurons int       // m, neurons per class head
	NTrain  int       // n, training samples
	D, P    []int     // dimension and number of patches
	SigmaP  []float64 // standard deviation of the noise patches
	Sigma0  []float64 // standard deviation of the initial weights
}

// Run is one network trained for one seed, as a report reads it.
type Run struct {
	Seed       uint64
	Network    string // "uni-m0", "joint", "joint-ume", ...
	Modalities []int  // the modalities the network sees
	Method     string // its training method, "naive" for plain training
	Status     string // graph.Completed, or how it ended otherwise
	Message    string // why it did not complete
	Steps      int    // steps trained
	Log        []graph.Record
}

// completed reports whether the run trained to its end.
func (r Run) completed() bool { return r.Status == string(graph.Completed) }

// endpoints returns the first and last records of the run (empty records,
// whose metrics read as NaN, when it logged nothing).
func (r Run) endpoints() (graph.Record, graph.Record) {
	if len(r.Log) == 0 {
		return graph.Record{}, graph.Record{}
	}
	return r.Log[0], r.Log[len(r.Log)-1]
}

// learnedThreshold is the alignment from which an encoder of modality r has
// learned its feature.
func (s Setting) learnedThreshold(r int) float64 {
	return graph.LearnedAlignment(s.Alpha[r], s.Rho)
}

// learned reports whether an encoder of modality r with alignment a has
// learned its feature.
func (s Setting) learned(r int, a Num) bool {
	return graph.Learned(float64(a), s.Alpha[r], s.Rho)
}
