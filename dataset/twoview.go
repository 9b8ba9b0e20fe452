package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/modcomp/modcomp/internal/check"
	"github.com/modcomp/modcomp/internal/rng"
)

// The degradations a View applies.
const (
	DegradeNone    = "none"
	DegradeRotate  = "rotate"
	DegradeNoise   = "noise"
	DegradeOcclude = "occlude"
)

// View says how one modality of a TwoView sample is made from an image.
type View struct {
	Degradation string  // "none", "rotate", "noise", "occlude"
	Strength    float64 // rotate: the largest angle in degrees (uniform in [-s, s]); noise: std of Gaussian noise added to pixels in [0, 1], then clipped; occlude: side of a random square blacked out, as a fraction of the image side
	Mu          float64 // fraction of samples whose view is replaced by pure noise (uniform [0, 1] pixels): insufficient
}

// TwoView builds, per sample, modality 0 from an image under View 0 and
// modality 1 from a *different* image of the same class under View 1.
//
// This is the Noisy-MNIST construction of multi-view learning (Wang et al.,
// 2015): the two views share only the class, not the image, so neither view
// can be predicted from the other beyond the label, as with two real sensors.
// Degradations set how hard each view is, and Mu makes a view
// insufficient the way the paper's mu_r does: the replaced view carries no
// information about the label at all, and Split.Sufficient records which.
//
// Training and validation samples come from disjoint parts of the training
// images, and so do their partners: the training images are shuffled once
// and cut into a validation pool and a training pool in the ratio
// n-val : n-train, so no image seen in training ever appears in validation,
// in either view. Test samples and their partners come from the test images.
type TwoView struct {
	NTrain, NVal, NTest int
	Views               [2]View
}

// Validate reports the first parameter outside its allowed range, as a
// *check.FieldError whose Index is the view for per-view fields. Whether the
// sample counts fit the images is checked by Build, which knows the images.
func (t TwoView) Validate() error {
	var c check.Checker
	c.PositiveInt("n-train", -1, t.NTrain)
	c.PositiveInt("n-val", -1, t.NVal)
	c.PositiveInt("n-test", -1, t.NTest)
	for r, v := range t.Views {
		c.OneOf("view-degradation", r, v.Degradation, []string{DegradeNone, DegradeRotate, DegradeNoise, DegradeOcclude})
		s := v.Strength
		switch v.Degradation {
		case DegradeRotate:
			if !(s >= 0 && s <= 180) {
				c.Fail(&check.FieldError{Field: "view-strength", Index: r, Value: s,
					Want: "a largest rotation angle in degrees in [0, 180]"})
			}
		case DegradeNoise:
			if !(s >= 0) || math.IsInf(s, 0) {
				c.Fail(&check.FieldError{Field: "view-strength", Index: r, Value: s,
					Want: "a finite noise standard deviation >= 0"})
			}
		case DegradeOcclude:
			if !(s >= 0 && s <= 1) {
				c.Fail(&check.FieldError{Field: "view-strength", Index: r, Value: s,
					Want: "an occluded square side, as a fraction of the image side, in [0, 1]"})
			}
		default:
			// "none" ignores the strength, but a NaN or negative one is a
			// mistake wherever it came from.
			c.NonNegative("view-strength", r, s)
		}
		c.Probability("mu", r, v.Mu)
	}
	return c.Err()
}

// Build draws the dataset for seed from the training and test images.
//
// Every random choice comes from its own named stream, so that changing one
// parameter moves as little as possible: "twoview/split" shuffles the
// training and the test images (the shuffles do not depend on the sample
// counts), "twoview/partner/<split>" picks partners and "twoview/<split>"
// draws insufficiency and degradations, per split. Changing n-test thus
// leaves the training and validation data unchanged. Changing n-val moves
// the boundary between the two pools and so changes the training data.
//
// Labels are class indices: the distinct labels of train and test together,
// in increasing order, become 0..Classes-1 (the identity for MNIST).
func (t TwoView) Build(train, test *Images, seed uint64) (*Dataset, error) {
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("two-view dataset: %w", err)
	}
	if err := train.check(); err != nil {
		return nil, fmt.Errorf("two-view dataset: training images: %w", err)
	}
	if err := test.check(); err != nil {
		return nil, fmt.Errorf("two-view dataset: test images: %w", err)
	}
	if train.H != test.H || train.W != test.W {
		return nil, fmt.Errorf("two-view dataset: training images are %dx%d but test images are %dx%d", train.H, train.W, test.H, test.W)
	}
	if t.NTrain+t.NVal > train.N {
		return nil, fmt.Errorf("two-view dataset: %w", &check.FieldError{Field: "n-train", Index: -1, Value: t.NTrain,
			Want: fmt.Sprintf("n-train + n-val (here %d + %d) at most the %d training images", t.NTrain, t.NVal, train.N)})
	}
	if t.NTest > test.N {
		return nil, fmt.Errorf("two-view dataset: %w", &check.FieldError{Field: "n-test", Index: -1, Value: t.NTest,
			Want: fmt.Sprintf("at most the %d test images", test.N)})
	}

	// Dense class indices over both image sets, so that a label means the
	// same class in every split.
	var class [256]int
	var seen [256]bool
	for _, im := range []*Images{train, test} {
		for _, l := range im.Labels {
			seen[l] = true
		}
	}
	classes := 0
	for l := range class {
		class[l] = -1
		if seen[l] {
			class[l] = classes
			classes++
		}
	}
	if classes < 2 {
		return nil, fmt.Errorf("two-view dataset: the images have %d distinct label, want at least 2 classes", classes)
	}

	split := rng.New(seed, "twoview/split")
	trainPerm := split.Perm(train.N)
	testPerm := split.Perm(test.N)
	nValPool := valPoolSize(train.N, t.NTrain, t.NVal)
	valPool, trainPool := trainPerm[:nValPool], trainPerm[nValPool:]

	ds := &Dataset{Task: Multiclass, Classes: classes}
	for r := range t.Views {
		ds.Modalities = append(ds.Modalities, Modality{Name: fmt.Sprintf("view%d", r), Shape: []int{train.H, train.W}})
	}
	var err error
	if ds.Train, err = t.buildSplit("train", train, trainPool, t.NTrain, &class, seed); err != nil {
		return nil, fmt.Errorf("two-view dataset: %w", err)
	}
	if ds.Val, err = t.buildSplit("val", train, valPool, t.NVal, &class, seed); err != nil {
		return nil, fmt.Errorf("two-view dataset: %w", err)
	}
	if ds.Test, err = t.buildSplit("test", test, testPerm, t.NTest, &class, seed); err != nil {
		return nil, fmt.Errorf("two-view dataset: %w", err)
	}
	if err := ds.Validate(); err != nil {
		return nil, fmt.Errorf("two-view dataset: internal error: %w", err)
	}
	return ds, nil
}

// valPoolSize is the number of training images reserved for validation
// samples and their partners: a share n-val / (n-train + n-val) of all, but
// never fewer than the validation samples nor so many that the training
// samples do not fit.
func valPoolSize(images, nTrain, nVal int) int {
	v := int(math.Round(float64(images) * float64(nVal) / float64(nTrain+nVal)))
	return min(max(v, nVal), images-nTrain)
}

// buildSplit makes n samples whose first views are the images pool[:n] and
// whose partners come from pool.
func (t TwoView) buildSplit(name string, im *Images, pool []int, n int, class *[256]int, seed uint64) (*Split, error) {
	// Members of each label in the pool, and each image's position among
	// them, so that a partner other than the image itself is one draw.
	var members [256][]int
	pos := make([]int, im.N)
	for _, i := range pool {
		l := im.Labels[i]
		pos[i] = len(members[l])
		members[l] = append(members[l], i)
	}
	partners := rng.New(seed, "twoview/partner/"+name)
	src := rng.New(seed, "twoview/"+name)

	hw := im.H * im.W
	sp := &Split{
		Inputs:     [][]float64{make([]float64, n*hw), make([]float64, n*hw)},
		Labels:     make([]float64, n),
		Sufficient: [][]bool{make([]bool, n), make([]bool, n)},
	}
	scratch := make([]float64, hw)
	for s, img := range pool[:n] {
		l := im.Labels[img]
		same := members[l]
		if len(same) < 2 {
			return nil, fmt.Errorf("split %s: label %d has a single image in the %d images of the split's pool, so sample %d has no partner of the same class; use more images or fewer samples",
				name, l, len(pool), s)
		}
		k := partners.IntN(len(same) - 1)
		if k >= pos[img] {
			k++ // skip the image itself
		}
		sp.Labels[s] = float64(class[l])
		for r, v := range t.Views {
			from := img
			if r == 1 {
				from = same[k]
			}
			out := sp.Inputs[r][s*hw : (s+1)*hw]
			if src.Float64() < v.Mu {
				for j := range out {
					out[j] = src.Float64()
				}
				continue
			}
			sp.Sufficient[r][s] = true
			v.apply(out, scratch, im.Pixels[from*hw:(from+1)*hw], im.H, im.W, src)
		}
	}
	return sp, nil
}

// apply writes into out the image pixels under the view's degradation, as
// float64 in [0, 1]; scratch is a buffer of the same size.
func (v View) apply(out, scratch []float64, pixels []uint8, h, w int, src *rand.Rand) {
	switch v.Degradation {
	case DegradeRotate:
		toUnit(scratch, pixels)
		rotateImage(out, scratch, h, w, v.Strength*(2*src.Float64()-1))
	case DegradeNoise:
		toUnit(out, pixels)
		addNoise(out, v.Strength, src)
	case DegradeOcclude:
		toUnit(out, pixels)
		occlude(out, h, w, v.Strength, src)
	default:
		toUnit(out, pixels)
	}
}

// toUnit converts grey levels 0..255 to [0, 1].
func toUnit(out []float64, pixels []uint8) {
	for j, p := range pixels {
		out[j] = float64(p) / 255
	}
}

// rotateImage writes into dst the h×w image src rotated by degrees about its
// centre, counter-clockwise as displayed (row 0 at the top) for a positive
// angle. Each output pixel is the bilinear interpolation of src at the
// rotated position, with zeros outside src, so that nothing from one edge
// wraps onto another and a 90-degree turn of a square image is exact.
func rotateImage(dst, src []float64, h, w int, degrees float64) {
	if degrees == 0 {
		copy(dst, src)
		return
	}
	sin, cos := math.Sincos(degrees * math.Pi / 180)
	cx, cy := float64(w-1)/2, float64(h-1)/2
	at := func(y, x int) float64 {
		if x < 0 || x >= w || y < 0 || y >= h {
			return 0
		}
		return src[y*w+x]
	}
	for y := 0; y < h; y++ {
		dy := float64(y) - cy
		for x := 0; x < w; x++ {
			dx := float64(x) - cx
			// The inverse rotation finds where output pixel (x, y) comes
			// from: on screen (y down) a counter-clockwise turn by theta
			// sends (dx, dy) to (dx cos + dy sin, -dx sin + dy cos).
			sx := cos*dx - sin*dy + cx
			sy := sin*dx + cos*dy + cy
			x0, y0 := math.Floor(sx), math.Floor(sy)
			if x0 < -1 || x0 >= float64(w) || y0 < -1 || y0 >= float64(h) {
				dst[y*w+x] = 0
				continue
			}
			fx, fy := sx-x0, sy-y0
			ix, iy := int(x0), int(y0)
			dst[y*w+x] = (1-fy)*((1-fx)*at(iy, ix)+fx*at(iy, ix+1)) +
				fy*((1-fx)*at(iy+1, ix)+fx*at(iy+1, ix+1))
		}
	}
}

// addNoise adds N(0, std²) to every pixel and clips the result to [0, 1],
// the range of a real image. Clipping makes the realised noise smaller than
// std on pixels near 0 or 1 (most of an MNIST digit's background).
func addNoise(x []float64, std float64, src *rand.Rand) {
	if std == 0 {
		return
	}
	for j := range x {
		x[j] = min(max(x[j]+std*src.NormFloat64(), 0), 1)
	}
}

// occlude blacks out a square of side round(frac · min(h, w)) at a uniformly
// random position inside the h×w image, and returns where. The square stays
// inside the image, so every occluded view loses the same area.
func occlude(x []float64, h, w int, frac float64, src *rand.Rand) (top, left, side int) {
	side = int(math.Round(frac * float64(min(h, w))))
	if side == 0 {
		return 0, 0, 0
	}
	top, left = src.IntN(h-side+1), src.IntN(w-side+1)
	for y := top; y < top+side; y++ {
		clear(x[y*w+left : y*w+left+side])
	}
	return top, left, side
}
