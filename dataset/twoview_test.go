package dataset

import (
	"errors"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modcomp/modcomp/internal/check"
	"github.com/modcomp/modcomp/internal/rng"
)

// tvImages makes n images of h×w with labels i % classes. Image i of class c
// is 255 on the rows y with y % classes == c (except the last column) and 0
// elsewhere, except for an identity mark 1 + (offset+i) % 254 in the
// bottom-right corner, so that a clean view tells its class and its image.
func tvImages(n, h, w, classes, offset int) *Images {
	im := &Images{N: n, H: h, W: w, Pixels: make([]uint8, n*h*w), Labels: make([]uint8, n)}
	for i := 0; i < n; i++ {
		c := i % classes
		im.Labels[i] = uint8(c)
		px := im.Pixels[i*h*w : (i+1)*h*w]
		for y := c; y < h; y += classes {
			for x := 0; x < w-1; x++ {
				px[y*w+x] = 255
			}
		}
		px[h*w-1] = uint8(1 + (offset+i)%254)
	}
	return im
}

// uniformImages makes n images of h×w with every pixel v and labels
// i % classes.
func uniformImages(n, h, w, classes int, v uint8) *Images {
	im := &Images{N: n, H: h, W: w, Pixels: make([]uint8, n*h*w), Labels: make([]uint8, n)}
	for i := range im.Labels {
		im.Labels[i] = uint8(i % classes)
	}
	for j := range im.Pixels {
		im.Pixels[j] = v
	}
	return im
}

// tvDecode reads a view made by tvImages without degradation: its class and
// image mark, or clean = false when the view is not such an image.
func tvDecode(x []float64, h, w, classes int) (class, mark int, clean bool) {
	lit := make([]bool, h)
	for y := 0; y < h; y++ {
		row := x[y*w : y*w+w-1]
		lit[y] = row[0] == 1
		for _, v := range row {
			if (v == 1) != lit[y] || (v != 0 && v != 1) {
				return -1, -1, false
			}
		}
		if y < h-1 && x[y*w+w-1] != 0 {
			return -1, -1, false
		}
	}
	class = slices.Index(lit, true)
	if class < 0 || class >= classes {
		return -1, -1, false
	}
	for y, l := range lit {
		if l != (y%classes == class) {
			return -1, -1, false
		}
	}
	m := x[h*w-1] * 255
	if m != math.Round(m) || m < 1 {
		return -1, -1, false
	}
	return class, int(m), true
}

func tvBuild(t *testing.T, tv TwoView, train, test *Images, seed uint64) *Dataset {
	t.Helper()
	ds, err := tv.Build(train, test, seed)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestTwoViewShapes(t *testing.T) {
	train, test := tvImages(60, 8, 8, 3, 0), tvImages(30, 8, 8, 3, 100)
	tv := TwoView{NTrain: 30, NVal: 12, NTest: 20, Views: [2]View{{Degradation: "rotate", Strength: 30}, {Degradation: "noise", Strength: 0.3, Mu: 0.2}}}
	ds := tvBuild(t, tv, train, test, 1)
	if ds.Task != Multiclass || ds.Classes != 3 {
		t.Errorf("task %s with %d classes, want multiclass with 3", ds.Task, ds.Classes)
	}
	if len(ds.Modalities) != 2 {
		t.Fatalf("%d modalities, want 2", len(ds.Modalities))
	}
	for r, m := range ds.Modalities {
		if want := []string{"view0", "view1"}[r]; m.Name != want || !slices.Equal(m.Shape, []int{8, 8}) || m.Feature != nil {
			t.Errorf("modality %d: %+v, want name %s, shape [8 8], no feature", r, m, want)
		}
	}
	for _, ns := range ds.Splits() {
		sp, n := ns.Split, map[string]int{"train": 30, "val": 12, "test": 20}[ns.Name]
		if sp.Len() != n || len(sp.Inputs) != 2 || len(sp.Sufficient) != 2 || sp.SignalPatch != nil {
			t.Errorf("%s: %d samples, %d inputs, %d sufficiency lists, signal patches %v; want %d, 2, 2, nil",
				ns.Name, sp.Len(), len(sp.Inputs), len(sp.Sufficient), sp.SignalPatch, n)
		}
		for r, x := range sp.Inputs {
			if len(x) != n*64 || len(sp.Sufficient[r]) != n {
				t.Errorf("%s view %d: %d values and %d flags, want %d and %d", ns.Name, r, len(x), len(sp.Sufficient[r]), n*64, n)
			}
			for _, v := range x {
				if !(v >= 0 && v <= 1) {
					t.Fatalf("%s view %d: value %v outside [0, 1]", ns.Name, r, v)
				}
			}
		}
	}
	if g := ds.Groups(); !slices.Equal(g, []string{"11", "10", "01", "00"}) {
		t.Errorf("groups %v", g)
	}
}

func TestTwoViewPairs(t *testing.T) {
	train, test := tvImages(60, 8, 8, 3, 0), tvImages(30, 8, 8, 3, 100)
	tv := TwoView{NTrain: 30, NVal: 12, NTest: 20, Views: [2]View{{Degradation: "none"}, {Degradation: "none"}}}
	for seed := uint64(0); seed < 5; seed++ {
		ds := tvBuild(t, tv, train, test, seed)
		primaries := map[int]string{} // image mark of view 0 -> split
		used := map[string]map[int]bool{}
		partners := map[int]bool{}
		for _, ns := range ds.Splits() {
			sp := ns.Split
			used[ns.Name] = map[int]bool{}
			lo, hi := 1, 60
			if ns.Name == "test" {
				lo, hi = 101, 130
			}
			for i := 0; i < sp.Len(); i++ {
				c0, m0, ok0 := tvDecode(sp.Inputs[0][i*64:(i+1)*64], 8, 8, 3)
				c1, m1, ok1 := tvDecode(sp.Inputs[1][i*64:(i+1)*64], 8, 8, 3)
				if !ok0 || !ok1 || !sp.Sufficient[0][i] || !sp.Sufficient[1][i] {
					t.Fatalf("seed %d %s sample %d: views are not clean images (%v %v)", seed, ns.Name, i, ok0, ok1)
				}
				if y := int(sp.Labels[i]); c0 != y || c1 != y {
					t.Errorf("seed %d %s sample %d: label %d, views of classes %d and %d", seed, ns.Name, i, y, c0, c1)
				}
				if m0 == m1 {
					t.Errorf("seed %d %s sample %d: both views show image %d", seed, ns.Name, i, m0)
				}
				for _, m := range []int{m0, m1} {
					if m < lo || m > hi {
						t.Errorf("seed %d %s sample %d: image mark %d outside the split's images %d..%d", seed, ns.Name, i, m, lo, hi)
					}
					used[ns.Name][m] = true
				}
				if s, dup := primaries[m0]; dup && ns.Name != "test" {
					t.Errorf("seed %d: image %d is the first view of a %s and a %s sample", seed, m0, s, ns.Name)
				}
				primaries[m0] = ns.Name
				if ns.Name == "train" {
					partners[m1] = true
				}
			}
		}
		for m := range used["train"] {
			if used["val"][m] {
				t.Errorf("seed %d: image %d appears in both training and validation samples", seed, m)
			}
		}
		if len(partners) < 10 {
			t.Errorf("seed %d: only %d distinct partner images in 30 training samples", seed, len(partners))
		}
	}
}

func TestTwoViewLabelsBecomeClassIndices(t *testing.T) {
	train, test := tvImages(40, 8, 8, 2, 0), tvImages(20, 8, 8, 2, 100)
	for _, im := range []*Images{train, test} {
		for i, l := range im.Labels {
			im.Labels[i] = []uint8{3, 7}[l]
		}
	}
	ds := tvBuild(t, TwoView{NTrain: 20, NVal: 10, NTest: 10, Views: [2]View{{Degradation: "none"}, {Degradation: "none"}}}, train, test, 3)
	if ds.Classes != 2 {
		t.Fatalf("%d classes, want 2", ds.Classes)
	}
	for i, y := range ds.Train.Labels {
		if c, _, _ := tvDecode(ds.Train.Inputs[0][i*64:(i+1)*64], 8, 8, 2); float64(c) != y {
			t.Errorf("sample %d: label %v for an image of class index %d", i, y, c)
		}
	}
}

func TestTwoViewInsufficient(t *testing.T) {
	train, test := tvImages(600, 8, 8, 3, 0), tvImages(300, 8, 8, 3, 0)
	mu := [2]float64{0.2, 0.5}
	tv := TwoView{NTrain: 400, NVal: 100, NTest: 200, Views: [2]View{{Degradation: "none", Mu: mu[0]}, {Degradation: "none", Mu: mu[1]}}}
	ds := tvBuild(t, tv, train, test, 11)
	for _, ns := range ds.Splits() {
		sp := ns.Split
		n := sp.Len()
		for r := range 2 {
			noisy, contrast, mean := 0, 0.0, 0.0
			for i := 0; i < n; i++ {
				x := sp.Inputs[r][i*64 : (i+1)*64]
				_, _, clean := tvDecode(x, 8, 8, 3)
				if clean != sp.Sufficient[r][i] {
					t.Fatalf("%s view %d sample %d: sufficient %v but clean image %v", ns.Name, r, i, sp.Sufficient[r][i], clean)
				}
				if clean {
					continue
				}
				noisy++
				// Contrast between the rows of the sample's class pattern
				// and the others: 1 for a clean image, ~0 for noise.
				var on, off, non, noff float64
				for y := 0; y < 8; y++ {
					for xx := 0; xx < 7; xx++ {
						if y%3 == int(sp.Labels[i]) {
							on, non = on+x[y*8+xx], non+1
						} else {
							off, noff = off+x[y*8+xx], noff+1
						}
					}
				}
				contrast += on/non - off/noff
				m := 0.0
				for _, v := range x {
					m += v
				}
				m /= 64
				sq := 0.0
				for _, v := range x {
					sq += (v - m) * (v - m)
				}
				// Uniform [0, 1] pixels: mean 1/2, standard deviation
				// 1/sqrt(12) = 0.289.
				if std := math.Sqrt(sq / 64); math.Abs(m-0.5) > 0.2 || std < 0.2 || std > 0.38 {
					t.Errorf("%s view %d sample %d: noise view has mean %.3f and std %.3f, want about 0.5 and 0.289", ns.Name, r, i, m, std)
				}
				mean += m
			}
			frac := float64(noisy) / float64(n)
			if tol := 4 * math.Sqrt(mu[r]*(1-mu[r])/float64(n)); math.Abs(frac-mu[r]) > tol {
				t.Errorf("%s view %d: %.3f of the views are noise, want %.2f ± %.3f", ns.Name, r, frac, mu[r], tol)
			}
			if noisy == 0 {
				continue
			}
			if c := contrast / float64(noisy); math.Abs(c) > 0.05 {
				t.Errorf("%s view %d: noise views have a mean class contrast of %.3f, want about 0", ns.Name, r, c)
			}
			if m := mean / float64(noisy); math.Abs(m-0.5) > 0.02 {
				t.Errorf("%s view %d: noise views have a mean of %.3f, want 0.5", ns.Name, r, m)
			}
		}
	}
}

var tvDegraded = TwoView{NTrain: 30, NVal: 12, NTest: 20, Views: [2]View{
	{Degradation: "rotate", Strength: 45, Mu: 0.3},
	{Degradation: "noise", Strength: 0.2, Mu: 0.1},
}}

func TestTwoViewSeeds(t *testing.T) {
	train, test := tvImages(60, 8, 8, 3, 0), tvImages(30, 8, 8, 3, 100)
	a, b := tvBuild(t, tvDegraded, train, test, 5), tvBuild(t, tvDegraded, train, test, 5)
	if !reflect.DeepEqual(a, b) {
		t.Error("the same seed gave different datasets")
	}
	c := tvBuild(t, tvDegraded, train, test, 6)
	for _, ns := range a.Splits() {
		other := map[string]*Split{"train": c.Train, "val": c.Val, "test": c.Test}[ns.Name]
		for r := range 2 {
			if slices.Equal(ns.Split.Inputs[r], other.Inputs[r]) {
				t.Errorf("%s view %d: seeds 5 and 6 gave the same inputs", ns.Name, r)
			}
		}
	}
}

func TestTwoViewNTestKeepsTrain(t *testing.T) {
	train, test := tvImages(60, 8, 8, 3, 0), tvImages(30, 8, 8, 3, 100)
	small, large := tvDegraded, tvDegraded
	small.NTest, large.NTest = 10, 25
	a, b := tvBuild(t, small, train, test, 9), tvBuild(t, large, train, test, 9)
	if !reflect.DeepEqual(a.Train, b.Train) || !reflect.DeepEqual(a.Val, b.Val) {
		t.Error("changing n-test changed the training or validation split")
	}
	// The test samples come in order from their own streams, so the
	// smaller test split is the start of the larger one.
	for r := range 2 {
		if !slices.Equal(a.Test.Inputs[r], b.Test.Inputs[r][:len(a.Test.Inputs[r])]) {
			t.Errorf("view %d: the 10 test samples are not the first 10 of 25", r)
		}
	}
}

func TestRotateImage(t *testing.T) {
	const h, w = 8, 8
	point := func(y, x int) []float64 {
		img := make([]float64, h*w)
		img[y*w+x] = 1
		return img
	}
	// (row 1, column 6) is up and to the right of the centre (3.5, 3.5).
	src := point(1, 6)
	for _, c := range []struct {
		degrees float64
		y, x    int
	}{
		{0, 1, 6},
		{90, 1, 1},  // counter-clockwise on screen: to the upper left
		{-90, 6, 6}, // clockwise: to the lower right
		{180, 6, 1},
		{360, 1, 6},
	} {
		dst := make([]float64, h*w)
		rotateImage(dst, src, h, w, c.degrees)
		for j, v := range dst {
			want := 0.0
			if j == c.y*w+c.x {
				want = 1
			}
			if math.Abs(v-want) > 1e-9 {
				t.Errorf("%v degrees: pixel (%d, %d) is %v, want %v", c.degrees, j/w, j%w, v, want)
			}
		}
	}

	// Zero outside: corners of a white image turned by 45 degrees come
	// from outside the image; the centre stays white.
	ones := make([]float64, h*w)
	for j := range ones {
		ones[j] = 1
	}
	dst := make([]float64, h*w)
	rotateImage(dst, ones, h, w, 45)
	if dst[0] != 0 || dst[h*w-1] != 0 {
		t.Errorf("corners after 45 degrees: %v %v, want 0", dst[0], dst[h*w-1])
	}
	if math.Abs(dst[3*w+3]-1) > 1e-9 || math.Abs(dst[4*w+4]-1) > 1e-9 {
		t.Errorf("centre after 45 degrees: %v %v, want 1", dst[3*w+3], dst[4*w+4])
	}
	// Bilinear: a half-pixel shift spreads a pixel over its neighbours
	// without changing the total.
	sum := 0.0
	rotateImage(dst, point(2, 3), h, w, 30)
	for _, v := range dst {
		if v < 0 || v > 1 {
			t.Fatalf("interpolated value %v outside [0, 1]", v)
		}
		sum += v
	}
	if math.Abs(sum-1) > 0.05 {
		t.Errorf("a rotated interior pixel has total %v, want about 1", sum)
	}
}

func TestAddNoise(t *testing.T) {
	src := rng.New(1, "test")
	x := make([]float64, 40000)
	for j := range x {
		x[j] = 0.5
	}
	addNoise(x, 0.1, src)
	var mean, sq float64
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		sq += (v - mean) * (v - mean)
	}
	std := math.Sqrt(sq / float64(len(x)))
	if math.Abs(mean-0.5) > 0.003 || math.Abs(std-0.1) > 0.003 {
		t.Errorf("noise of std 0.1 on 0.5: mean %.4f, std %.4f", mean, std)
	}

	// Strong noise is clipped to the pixel range.
	clipped := 0
	addNoise(x, 2, src)
	for _, v := range x {
		if v < 0 || v > 1 {
			t.Fatalf("value %v outside [0, 1]", v)
		}
		if v == 0 || v == 1 {
			clipped++
		}
	}
	if clipped < len(x)/2 {
		t.Errorf("only %d of %d values clipped with std 2", clipped, len(x))
	}
	y := []float64{0.25, 0.75}
	addNoise(y, 0, src)
	if y[0] != 0.25 || y[1] != 0.75 {
		t.Errorf("std 0 changed the image: %v", y)
	}
}

func TestOcclude(t *testing.T) {
	const h, w = 20, 30
	src := rng.New(2, "test")
	corners := map[[2]int]bool{}
	for trial := 0; trial < 50; trial++ {
		x := make([]float64, h*w)
		for j := range x {
			x[j] = 1
		}
		top, left, side := occlude(x, h, w, 0.25, src)
		if side != 5 {
			t.Fatalf("side %d, want 0.25 × 20 = 5", side)
		}
		if top < 0 || left < 0 || top+side > h || left+side > w {
			t.Fatalf("square at (%d, %d) of side %d outside %dx%d", top, left, side, h, w)
		}
		corners[[2]int{top, left}] = true
		for y := 0; y < h; y++ {
			for xx := 0; xx < w; xx++ {
				in := y >= top && y < top+side && xx >= left && xx < left+side
				if (x[y*w+xx] == 0) != in {
					t.Fatalf("pixel (%d, %d) is %v; square at (%d, %d) of side %d", y, xx, x[y*w+xx], top, left, side)
				}
			}
		}
	}
	if len(corners) < 20 {
		t.Errorf("only %d distinct positions in 50 draws", len(corners))
	}
	x := []float64{1, 1, 1, 1}
	if _, _, side := occlude(x, 2, 2, 0, src); side != 0 || !slices.Equal(x, []float64{1, 1, 1, 1}) {
		t.Errorf("fraction 0: side %d, image %v", side, x)
	}
	if _, _, side := occlude(x, 2, 2, 1, src); side != 2 || !slices.Equal(x, []float64{0, 0, 0, 0}) {
		t.Errorf("fraction 1: side %d, image %v", side, x)
	}
}

// TestTwoViewDegradations checks that Build applies each view's degradation.
func TestTwoViewDegradations(t *testing.T) {
	none := View{Degradation: "none"}
	build := func(v View, train, test *Images) *Dataset {
		return tvBuild(t, TwoView{NTrain: 30, NVal: 10, NTest: 10, Views: [2]View{none, v}}, train, test, 4)
	}
	pattern, patternTest := tvImages(60, 8, 8, 3, 0), tvImages(30, 8, 8, 3, 100)

	t.Run("rotate 0 is none", func(t *testing.T) {
		a, b := build(View{Degradation: "rotate", Strength: 0}, pattern, patternTest), build(none, pattern, patternTest)
		if !reflect.DeepEqual(a, b) {
			t.Error("rotation by at most 0 degrees changed the data")
		}
	})
	t.Run("rotate", func(t *testing.T) {
		ones, onesTest := uniformImages(60, 8, 8, 3, 255), uniformImages(30, 8, 8, 3, 255)
		ds := build(View{Degradation: "rotate", Strength: 180}, ones, onesTest)
		corner := 0.0
		for i := 0; i < ds.Train.Len(); i++ {
			x := ds.Train.Inputs[1][i*64 : (i+1)*64]
			if math.Abs(x[3*8+3]-1) > 1e-9 {
				t.Errorf("sample %d: centre pixel %v, want 1", i, x[3*8+3])
			}
			corner += x[0]
		}
		if c := corner / float64(ds.Train.Len()); c > 0.5 {
			t.Errorf("mean corner %v after rotations up to 180 degrees, want mostly 0", c)
		}
	})
	t.Run("noise", func(t *testing.T) {
		grey, greyTest := uniformImages(60, 16, 16, 3, 128), uniformImages(30, 16, 16, 3, 128)
		ds := build(View{Degradation: "noise", Strength: 0.1}, grey, greyTest)
		var sq float64
		x := ds.Train.Inputs[1]
		for _, v := range x {
			sq += (v - 128.0/255) * (v - 128.0/255)
		}
		if std := math.Sqrt(sq / float64(len(x))); math.Abs(std-0.1) > 0.005 {
			t.Errorf("noise std %.4f, want 0.1", std)
		}
		for j, v := range ds.Train.Inputs[0] {
			if v != 128.0/255 {
				t.Fatalf("view 0 value %d is %v: the noise leaked into the clean view", j, v)
			}
		}
	})
	t.Run("occlude", func(t *testing.T) {
		ones, onesTest := uniformImages(60, 8, 8, 3, 255), uniformImages(30, 8, 8, 3, 255)
		ds := build(View{Degradation: "occlude", Strength: 0.5}, ones, onesTest)
		for _, ns := range ds.Splits() {
			for i := 0; i < ns.Split.Len(); i++ {
				x := ns.Split.Inputs[1][i*64 : (i+1)*64]
				zeros, top, left, bottom, right := 0, 8, 8, -1, -1
				for j, v := range x {
					if v == 0 {
						zeros++
						y, xx := j/8, j%8
						top, left = min(top, y), min(left, xx)
						bottom, right = max(bottom, y), max(right, xx)
					}
				}
				if zeros != 16 || bottom-top != 3 || right-left != 3 {
					t.Errorf("%s sample %d: %d black pixels in rows %d..%d, columns %d..%d; want a 4x4 square",
						ns.Name, i, zeros, top, bottom, left, right)
				}
			}
		}
	})
}

func TestTwoViewValidate(t *testing.T) {
	valid := TwoView{NTrain: 10, NVal: 5, NTest: 5, Views: [2]View{{Degradation: "rotate", Strength: 45}, {Degradation: "noise", Strength: 0.5, Mu: 0.3}}}
	if err := valid.Validate(); err != nil {
		t.Fatalf("valid configuration: %v", err)
	}
	for _, deg := range []string{"none", "rotate", "noise", "occlude"} {
		v := valid
		v.Views[0] = View{Degradation: deg, Strength: 1, Mu: 1}
		if err := v.Validate(); err != nil {
			t.Errorf("%s with strength 1 and mu 1: %v", deg, err)
		}
	}
	cases := []struct {
		name  string
		edit  func(*TwoView)
		field string
		index int
	}{
		{"n-train 0", func(c *TwoView) { c.NTrain = 0 }, "n-train", -1},
		{"n-val 0", func(c *TwoView) { c.NVal = 0 }, "n-val", -1},
		{"n-test negative", func(c *TwoView) { c.NTest = -1 }, "n-test", -1},
		{"unknown degradation", func(c *TwoView) { c.Views[1].Degradation = "blur" }, "view-degradation", 1},
		{"empty degradation", func(c *TwoView) { c.Views[0].Degradation = "" }, "view-degradation", 0},
		{"rotate above 180", func(c *TwoView) { c.Views[0].Strength = 181 }, "view-strength", 0},
		{"rotate negative", func(c *TwoView) { c.Views[0].Strength = -1 }, "view-strength", 0},
		{"rotate NaN", func(c *TwoView) { c.Views[0].Strength = math.NaN() }, "view-strength", 0},
		{"noise negative", func(c *TwoView) { c.Views[1].Strength = -0.1 }, "view-strength", 1},
		{"noise infinite", func(c *TwoView) { c.Views[1].Strength = math.Inf(1) }, "view-strength", 1},
		{"occlude above 1", func(c *TwoView) { c.Views[1] = View{Degradation: "occlude", Strength: 1.5} }, "view-strength", 1},
		{"none NaN", func(c *TwoView) { c.Views[0] = View{Degradation: "none", Strength: math.NaN()} }, "view-strength", 0},
		{"mu above 1", func(c *TwoView) { c.Views[1].Mu = 1.2 }, "mu", 1},
		{"mu negative", func(c *TwoView) { c.Views[0].Mu = -0.1 }, "mu", 0},
		{"mu NaN", func(c *TwoView) { c.Views[0].Mu = math.NaN() }, "mu", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tv := valid
			c.edit(&tv)
			err := tv.Validate()
			var fe *check.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want a *check.FieldError", err)
			}
			if fe.Field != c.field || fe.Index != c.index {
				t.Errorf("field %q index %d, want %q index %d (%v)", fe.Field, fe.Index, c.field, c.index, err)
			}
			if !strings.Contains(err.Error(), c.field) {
				t.Errorf("error %q does not name %s", err, c.field)
			}
			// Build refuses the same configuration.
			if _, err := tv.Build(tvImages(60, 8, 8, 3, 0), tvImages(30, 8, 8, 3, 0), 1); !errors.As(err, &fe) {
				t.Errorf("Build: error %v, want a *check.FieldError", err)
			}
		})
	}
}

func TestTwoViewBuildErrors(t *testing.T) {
	train, test := tvImages(60, 8, 8, 3, 0), tvImages(30, 8, 8, 3, 100)
	ok := TwoView{NTrain: 30, NVal: 12, NTest: 20, Views: [2]View{{Degradation: "none"}, {Degradation: "none"}}}
	wrongPixels := tvImages(60, 8, 8, 3, 0)
	wrongPixels.Pixels = wrongPixels.Pixels[:100]
	oneClass := uniformImages(60, 8, 8, 1, 9)
	oneClassTest := uniformImages(30, 8, 8, 1, 9)
	// Class 2 has one training image: with every image a sample, that image
	// has no partner.
	lonely := tvImages(60, 8, 8, 2, 0)
	lonely.Labels[17] = 2
	withN := func(nTrain, nVal, nTest int) TwoView {
		c := ok
		c.NTrain, c.NVal, c.NTest = nTrain, nVal, nTest
		return c
	}
	cases := []struct {
		name        string
		tv          TwoView
		train, test *Images
		want        []string
		field       string
	}{
		{"too many training samples", withN(50, 11, 5), train, test, []string{"n-train", "50 + 11", "60 training images"}, "n-train"},
		{"too many test samples", withN(30, 12, 31), train, test, []string{"n-test", "30 test images"}, "n-test"},
		{"nil training images", ok, nil, test, []string{"training images", "nil"}, ""},
		{"nil test images", ok, train, nil, []string{"test images", "nil"}, ""},
		{"pixels do not match", ok, wrongPixels, test, []string{"training images", "100 pixels"}, ""},
		{"sizes differ", ok, train, tvImages(30, 8, 9, 3, 0), []string{"8x8", "8x9"}, ""},
		{"one class", ok, oneClass, oneClassTest, []string{"1 distinct label", "at least 2 classes"}, ""},
		{"no partner", withN(50, 10, 5), lonely, test, []string{"label 2 has a single image"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.tv.Build(c.train, c.test, 1)
			if err == nil {
				t.Fatalf("no error, want one containing %q", c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q, want it to contain %q", err, w)
				}
			}
			var fe *check.FieldError
			if c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field) {
				t.Errorf("error %v, want a *check.FieldError for %s", err, c.field)
			}
		})
	}
}

// tvFashion is the two-view configuration timed on Fashion-MNIST.
var tvFashion = TwoView{NTrain: 10000, NVal: 2000, NTest: 5000, Views: [2]View{
	{Degradation: "rotate", Strength: 45, Mu: 0.2},
	{Degradation: "noise", Strength: 0.3, Mu: 0.2},
}}

func loadFashion(tb testing.TB) (train, test *Images) {
	tb.Helper()
	if _, err := os.Stat(fashionMNISTDir); err != nil {
		tb.Skipf("Fashion-MNIST not installed: %v", err)
	}
	train, test, err := LoadMNISTDir(fashionMNISTDir)
	if err != nil {
		tb.Fatal(err)
	}
	return train, test
}

func TestTwoViewFashionMNIST(t *testing.T) {
	train, test := loadFashion(t)
	start := time.Now()
	ds, err := tvFashion.Build(train, test, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built %d/%d/%d two-view samples of 28x28 in %v", ds.Train.Len(), ds.Val.Len(), ds.Test.Len(), time.Since(start))
	if ds.Classes != 10 || !slices.Equal(ds.Modalities[0].Shape, []int{28, 28}) {
		t.Errorf("%d classes, shape %v; want 10 and [28 28]", ds.Classes, ds.Modalities[0].Shape)
	}
	var count [10]int
	for _, y := range ds.Train.Labels {
		count[int(y)]++
	}
	for c, k := range count {
		if k < 850 || k > 1150 {
			t.Errorf("class %d has %d of 10000 training samples, want about 1000", c, k)
		}
	}
}

func BenchmarkTwoViewBuild(b *testing.B) {
	train, test := loadFashion(b)
	for b.Loop() {
		if _, err := tvFashion.Build(train, test, 1); err != nil {
			b.Fatal(err)
		}
	}
}
