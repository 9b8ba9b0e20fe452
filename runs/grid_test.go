package runs

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/modcomp/modcomp/graph"
)

func TestParseAxis(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		spec   string
		key    string
		values []string
	}{
		// Scalar keys: values separated by commas.
		{"n-train=100,200,400", "n-train", []string{"100", "200", "400"}},
		{" n-train = 100 , 200 ", "n-train", []string{"100", "200"}},
		{"optimizer=gd,adam", "optimizer", []string{"gd", "adam"}},
		{"lr=0.5", "lr", []string{"0.5"}},
		// Per-modality keys: whole lists separated by colons.
		{"alpha=1,0.4:1,0.6", "alpha", []string{"1,0.4", "1,0.6"}},
		{"d=10:20,30", "d", []string{"10", "20,30"}},
		// One modality's entry: scalar values separated by commas.
		{"mu[0]=0.1,0.2", "mu[0]", []string{"0.1", "0.2"}},
		{"patches[1]=2,4", "patches[1]", []string{"2", "4"}},
		// Ranges: exact decimal values, without binary noise.
		{"mu[0]=0.1..0.5/0.1", "mu[0]", []string{"0.1", "0.2", "0.3", "0.4", "0.5"}},
		{"mu[1]=0..0.3/0.1", "mu[1]", []string{"0", "0.1", "0.2", "0.3"}},
		{"alpha[1]=0.7..1/0.1", "alpha[1]", []string{"0.7", "0.8", "0.9", "1"}},
		{"lr=1e-3..5e-3/1e-3", "lr", []string{"0.001", "0.002", "0.003", "0.004", "0.005"}},
		{"n-train=100..400/100", "n-train", []string{"100", "200", "300", "400"}},
		{"mu[0]=0.2..0.2/0.1", "mu[0]", []string{"0.2"}},
		// Ends not on the step grid: the last value is the last step at or below to.
		{"mu[0]=0.1..0.45/0.1", "mu[0]", []string{"0.1", "0.2", "0.3", "0.4"}},
		{"n-train=100..350/100", "n-train", []string{"100", "200", "300"}},
		{"lr=0.1..0.15/0.1", "lr", []string{"0.1"}},
		// Ranges on a per-modality key without [index]: one value per list.
		{"mu=0.1..0.3/0.1", "mu", []string{"0.1", "0.2", "0.3"}},
		// Mixed lists and ranges, in order.
		{"mu[0]=0.1,0.3..0.5/0.1", "mu[0]", []string{"0.1", "0.3", "0.4", "0.5"}},
		{"n-train=50,100..300/100,1000", "n-train", []string{"50", "100", "200", "300", "1000"}},
		{"alpha=1,0.4:0.2..0.3/0.1", "alpha", []string{"1,0.4", "0.2", "0.3"}},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			a, err := ParseAxis(tc.spec)
			if err != nil {
				t.Fatalf("ParseAxis(%q): %v", tc.spec, err)
			}
			if a.Key != tc.key || !reflect.DeepEqual(a.Values, tc.values) {
				t.Errorf("ParseAxis(%q) = %s %q, want %s %q", tc.spec, a.Key, a.Values, tc.key, tc.values)
			}
		})
	}
}

func TestParseAxisErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, spec string
		want       []string // parts of the error message
	}{
		{"missing =", "n-train", []string{`"n-train"`, "key=values"}},
		{"empty key", "=100", []string{"key=values"}},
		{"empty values", "n-train=", []string{"key=values"}},
		{"blank values", "n-train=  ", []string{"key=values"}},
		{"unknown key", "n-trian=100", []string{`unknown key "n-trian"`, `did you mean "n-train"`}},
		{"unknown indexed key", "muu[0]=0.1", []string{`unknown key "muu"`, `"mu"`}},
		{"index on a scalar key", "n-train[0]=100", []string{"n-train", "not a per-modality key", "[index]"}},
		{"index not a number", "mu[x]=0.1", []string{`"mu[x]"`, "integer in 0..63"}},
		{"negative index", "mu[-1]=0.1", []string{`"mu[-1]"`, "integer in 0..63"}},
		{"empty index", "mu[]=0.1", []string{`"mu[]"`, "integer in 0..63"}},
		{"unclosed index", "mu[0=0.1", []string{`"mu[0"`, "mu[0]"}},
		{"zero step", "mu[0]=0.1..0.5/0", []string{`"0.1..0.5/0"`, "step > 0"}},
		{"negative step", "mu[0]=0.1..0.5/-0.1", []string{`"0.1..0.5/-0.1"`, "step > 0"}},
		{"from above to", "mu[0]=0.5..0.1/0.1", []string{`"0.5..0.1/0.1"`, "from <= to"}},
		{"no step", "mu[0]=0.1..0.5", []string{`"0.1..0.5"`, "from..to/step"}},
		{"range of words", "mu[0]=a..0.5/0.1", []string{`"a..0.5/0.1"`, "must be numbers"}},
		{"step not a number", "mu[0]=0.1..0.5/x", []string{"must be numbers"}},
		{"infinite end", "lr=0.1..inf/0.1", []string{"must be numbers"}},
		{"NaN step", "lr=0.1..0.5/nan", []string{"must be numbers"}},
		{"too many values", "n-train=1..100000/1", []string{"100000 values", "more than 10000"}},
		{"scalar not an integer", "n-train=abc", []string{`n-train = "abc"`, "integer"}},
		{"one bad scalar among good", "n-train=100,abc,200", []string{`"abc"`, "integer"}},
		{"empty item", "n-train=100,,200", []string{`n-train = ""`}},
		{"range of non-integers on an int key", "n-train=100..200/0.5", []string{`"100.5"`, "integer"}},
		{"indexed entry not a number", "mu[0]=abc", []string{`"abc"`, "number"}},
		{"indexed int entry not an integer", "d[1]=2.5", []string{`"2.5"`, "integer"}},
		{"list not numbers", "alpha=1,x:1,0.4", []string{`"1,x"`, "list of numbers"}},
		{"seed negative", "seed=-1", []string{`"-1"`, "non-negative integer"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseAxis(tc.spec)
			if err == nil {
				t.Fatalf("ParseAxis(%q) = %s %q, want an error", tc.spec, a.Key, a.Values)
			}
			t.Logf("%v", err)
			if !strings.Contains(err.Error(), fmt.Sprintf("grid %q", tc.spec)) {
				t.Errorf("error %q does not quote the grid flag %q", err, tc.spec)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// parseAxis is ParseAxis for specs a test knows to be right.
func parseAxis(t *testing.T, spec string) Axis {
	t.Helper()
	a, err := ParseAxis(spec)
	if err != nil {
		t.Fatalf("ParseAxis(%q): %v", spec, err)
	}
	return a
}

// safeParseAxis is ParseAxis with a panic turned into an error.
func safeParseAxis(spec string) (a Axis, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return ParseAxis(spec)
}

// TestParseAxisHugeRange wants a range with a step so small that its count
// of values overflows an int refused like any range of more than 10000
// values, not a crash.
func TestParseAxisHugeRange(t *testing.T) {
	t.Parallel()
	for _, spec := range []string{"mu[0]=0..1/1e-300", "lr=-1e308..1e308/1"} {
		if a, err := safeParseAxis(spec); err == nil || strings.HasPrefix(err.Error(), "panic") {
			t.Errorf("ParseAxis(%q) = %d values, %v; want an error about too many values", spec, len(a.Values), err)
		}
	}
}

// TestParseAxisHugeIndex wants a modality index far beyond any number of
// modalities refused, not a crash or a list of a billion entries.
func TestParseAxisHugeIndex(t *testing.T) {
	t.Parallel()
	if _, err := safeParseAxis("mu[9223372036854775807]=0.1"); err == nil || strings.HasPrefix(err.Error(), "panic") {
		t.Errorf("ParseAxis(mu[9223372036854775807]=0.1): %v, want an error about the index", err)
	}
}

// TestParseAxisRangeThroughZero wants a range crossing zero to give 0, not
// the binary noise of -0.3 + 3*0.1.
func TestParseAxisRangeThroughZero(t *testing.T) {
	t.Parallel()
	a, err := ParseAxis("lr=-0.3..0.3/0.1")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"-0.3", "-0.2", "-0.1", "0", "0.1", "0.2", "0.3"}; !reflect.DeepEqual(a.Values, want) {
		t.Errorf("values %q, want %q", a.Values, want)
	}
}

func TestPoints(t *testing.T) {
	t.Parallel()
	axes := []Axis{
		parseAxis(t, "n-train=40,60"),
		parseAxis(t, "mu[0]=0.1,0.2,0.3"),
		parseAxis(t, "alpha=1,0.4:1,0.6"),
	}
	points := Points(axes)
	if len(points) != 2*3*2 {
		t.Fatalf("%d points, want 12", len(points))
	}
	// The last axis varies fastest.
	i := 0
	for _, n := range []string{"40", "60"} {
		for _, mu := range []string{"0.1", "0.2", "0.3"} {
			for _, alpha := range []string{"1,0.4", "1,0.6"} {
				p := points[i]
				want := map[string]string{"n-train": n, "mu[0]": mu, "alpha": alpha}
				if p.Index != i || !reflect.DeepEqual(p.Values, want) {
					t.Errorf("point %d = %d %v, want %d %v", i, p.Index, p.Values, i, want)
				}
				if wantLabel := fmt.Sprintf("n-train=%s mu[0]=%s alpha=%s", n, mu, alpha); p.Label != wantLabel {
					t.Errorf("point %d label %q, want %q", i, p.Label, wantLabel)
				}
				i++
			}
		}
	}
	// Points do not share their value maps.
	points[0].Values["n-train"] = "changed"
	if points[1].Values["n-train"] != "40" {
		t.Errorf("changing point 0's values changed point 1's: %v", points[1].Values)
	}

	one := Points([]Axis{parseAxis(t, "seed=1")})
	if len(one) != 1 || one[0].Label != "seed=1" || one[0].Index != 0 {
		t.Errorf("Points of one single-valued axis = %+v", one)
	}
}

func TestPointAt(t *testing.T) {
	t.Parallel()
	base := Default()
	base.Mu = FloatList{0.1, 0.02}
	base.Alpha = FloatList{1, 0.45}
	base.D = IntList{200}
	muBefore := append(FloatList(nil), base.Mu...)
	alphaBefore := append(FloatList(nil), base.Alpha...)
	dBefore := append(IntList(nil), base.D...)
	baseBefore := base.clone()

	axes := []Axis{
		parseAxis(t, "n-train=40,60"),
		parseAxis(t, "mu[0]=0.3"),
		parseAxis(t, "alpha=1,0.6"),
		parseAxis(t, "d[1]=30"),
	}
	points := Points(axes)
	c, err := points[1].At(resolve(t, base), axes)
	if err != nil {
		t.Fatal(err)
	}
	if c.NTrain != 60 {
		t.Errorf("n-train = %d, want 60", c.NTrain)
	}
	if want := (FloatList{0.3, 0.02}); !reflect.DeepEqual(c.Mu, want) {
		t.Errorf("mu = %v, want %v (mu[0] set, mu[1] kept)", c.Mu, want)
	}
	if want := (FloatList{1, 0.6}); !reflect.DeepEqual(c.Alpha, want) {
		t.Errorf("alpha = %v, want %v", c.Alpha, want)
	}
	if want := (IntList{200, 30}); !reflect.DeepEqual(c.D, want) {
		t.Errorf("d = %v, want %v (the single value spread over both modalities, then d[1] set)", c.D, want)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("the point's configuration does not validate: %v", err)
	}

	// The base is untouched, and shares no list with the point.
	c.Mu[1] = 0.99
	c.Alpha[0] = 0.99
	if !reflect.DeepEqual(base.Mu, muBefore) || !reflect.DeepEqual(base.Alpha, alphaBefore) || !reflect.DeepEqual(base.D, dBefore) {
		t.Errorf("At changed the base: mu %v alpha %v d %v, want %v %v %v", base.Mu, base.Alpha, base.D, muBefore, alphaBefore, dBefore)
	}
	if !reflect.DeepEqual(base, baseBefore) {
		t.Errorf("At changed the base:\n got %+v\nwant %+v", base, baseBefore)
	}
	// Another point from the same base starts from the base's values.
	c0, err := points[0].At(resolve(t, base), axes)
	if err != nil {
		t.Fatal(err)
	}
	if c0.NTrain != 40 || !reflect.DeepEqual(c0.Mu, FloatList{0.3, 0.02}) {
		t.Errorf("point 0: n-train %d mu %v, want 40 [0.3 0.02]", c0.NTrain, c0.Mu)
	}
}

// TestPointAtLearningRate wants a point's learning rate to be the one its
// own encoders train with when the base names none, also along an axis of
// encoder kinds (an mlp point does not inherit the patch encoder's rate),
// and a rate given, by the base or an axis, kept.
func TestPointAtLearningRate(t *testing.T) {
	t.Parallel()
	patch, _ := graph.DefaultLR("patch")
	mlp, _ := graph.DefaultLR("mlp")
	for _, tc := range []struct {
		name   string
		baseLR FloatList
		axes   []string
		want   []FloatList // resolved lr of each point
	}{
		{"no lr, encoder axis", nil, []string{"encoder=patch,mlp"}, []FloatList{{patch}, {mlp}}},
		{"no lr, other axis", nil, []string{"depth=1,2"}, []FloatList{{patch}, {patch}}},
		{"lr given, encoder axis", FloatList{0.5}, []string{"encoder=patch,mlp"}, []FloatList{{0.5}, {0.5}}},
		{"no lr, lr axis", nil, []string{"encoder=mlp", "lr=0.3:0.7"}, []FloatList{{0.3}, {0.7}}},
		{"no lr, one modality's lr", nil, []string{"encoder=mlp", "lr[1]=0.3"}, []FloatList{{mlp, 0.3}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			base := Default()
			base.LR = tc.baseLR
			var axes []Axis
			for _, a := range tc.axes {
				axes = append(axes, parseAxis(t, a))
			}
			plan := resolve(t, base)
			for i, pt := range Points(axes) {
				c, err := pt.At(plan, axes)
				if err != nil {
					t.Fatal(err)
				}
				if got := resolve(t, c).Config.LR; !reflect.DeepEqual(got, tc.want[i]) {
					t.Errorf("point %d (%s): lr %v, want %v", i, pt.Label, got, tc.want[i])
				}
			}
		})
	}
}

func TestPointAtSpreadsSingleValue(t *testing.T) {
	t.Parallel()
	base := Default()
	base.Mu = FloatList{0.1}
	base.Alpha = FloatList{1, 0.45} // K = 2
	axes := []Axis{parseAxis(t, "mu[1]=0.5")}
	c, err := Points(axes)[0].At(resolve(t, base), axes)
	if err != nil {
		t.Fatal(err)
	}
	if want := (FloatList{0.1, 0.5}); !reflect.DeepEqual(c.Mu, want) {
		t.Errorf("mu = %v, want %v", c.Mu, want)
	}
	if want := (FloatList{0.1}); !reflect.DeepEqual(base.Mu, want) {
		t.Errorf("base mu = %v, want it untouched %v", base.Mu, want)
	}

	// Three modalities: the single value fills every entry but the one set.
	base.Alpha = FloatList{1, 0.45, 0.3}
	axes = []Axis{parseAxis(t, "mu[2]=0.5"), parseAxis(t, "beta[0]=0.2")}
	c, err = Points(axes)[0].At(resolve(t, base), axes)
	if err != nil {
		t.Fatal(err)
	}
	if want := (FloatList{0.1, 0.1, 0.5}); !reflect.DeepEqual(c.Mu, want) {
		t.Errorf("mu = %v, want %v", c.Mu, want)
	}
	if want := (FloatList{0.2, base.Beta.At(1), base.Beta.At(2)}); !reflect.DeepEqual(c.Beta, want) {
		t.Errorf("beta = %v, want %v", c.Beta, want)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestPointAtBadValue(t *testing.T) {
	t.Parallel()
	// A point whose value does not parse (an axis not made by ParseAxis)
	// is an error naming the point, not a silent default.
	axes := []Axis{{Key: "n-train", Values: []string{"40", "x"}}}
	_, err := Points(axes)[1].At(resolve(t, Default()), axes)
	if err == nil {
		t.Fatal("At with n-train=x: no error")
	}
	for _, w := range []string{"point 1", "n-train=x", `"x"`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

// TestPointAtIndexPastModalities wants an axis of a modality the data does
// not have refused with the number of modalities, not turned into new
// modalities of zeros.
func TestPointAtIndexPastModalities(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		alpha FloatList
		axis  string
		want  []string
	}{
		{"two modalities, index 5", FloatList{1, 0.45}, "alpha[5]=1,2", []string{"grid alpha[5]", "modality 5", "2 modalities", "alpha = 1,0.45", "0 to 1"}},
		{"two modalities, index 2", FloatList{1, 0.45}, "mu[2]=0.1", []string{"grid mu[2]", "modality 2", "2 modalities", "0 to 1"}},
		{"three modalities, index 3", FloatList{1, 0.45, 0.3}, "d[3]=10", []string{"grid d[3]", "3 modalities", "0 to 2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			base := Default()
			base.Alpha, base.Mu = tc.alpha, FloatList{0.1}
			axes := []Axis{parseAxis(t, tc.axis)}
			_, err := Points(axes)[0].At(resolve(t, base), axes)
			if err == nil {
				t.Fatalf("At with %s: no error", tc.axis)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
