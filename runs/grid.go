package runs

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Axis is one swept configuration key and its values, as a flag spells
// them: "n-train" with "100", "200"; "alpha" with "1,0.4", "1,0.6"; or one
// modality's entry of a per-modality key, "mu[0]" with "0.1", "0.2".
type Axis struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// ParseAxis parses a grid flag "key=values":
//
//	n-train=100,200,400          scalar keys: values separated by commas
//	alpha=1.0,0.4:1.0,0.6        per-modality keys: lists separated by colons
//	mu=0.1..0.5/0.1              a range from 0.1 to 0.5 in steps of 0.1 (ends included)
//	alpha[1]=0.2..0.6/0.1        modality 1's entry only; the others keep the base value
func ParseAxis(spec string) (Axis, error) {
	key, values, ok := strings.Cut(spec, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" || strings.TrimSpace(values) == "" {
		return Axis{}, fmt.Errorf("grid %q: want key=values, e.g. n-train=100,200 or mu[0]=0.1..0.5/0.1", spec)
	}
	base, index, err := splitIndex(key)
	if err != nil {
		return Axis{}, fmt.Errorf("grid %q: %w", spec, err)
	}
	var c Config
	field, known := c.field(base)
	if !known {
		return Axis{}, fmt.Errorf("grid %q: %w", spec, unknownKeyError(base))
	}
	list := field.Type() == reflect.TypeOf(FloatList{}) || field.Type() == reflect.TypeOf(IntList{})
	if index >= 0 && !list {
		return Axis{}, fmt.Errorf("grid %q: %s is not a per-modality key, it takes no [index]", spec, base)
	}
	sep := ","
	if list && index < 0 {
		sep = ":"
	}
	var out []string
	for _, part := range strings.Split(values, sep) {
		part = strings.TrimSpace(part)
		if strings.Contains(part, "..") {
			r, err := expandRange(part)
			if err != nil {
				return Axis{}, fmt.Errorf("grid %q: %w", spec, err)
			}
			out = append(out, r...)
			continue
		}
		out = append(out, part)
	}
	// Parse every value once now, so a typo fails before any training.
	for _, v := range out {
		var probe Config
		if err := probe.setAxisValue(base, index, v, 0); err != nil {
			return Axis{}, fmt.Errorf("grid %q: %w", spec, err)
		}
	}
	return Axis{Key: key, Values: out}, nil
}

// maxModalities bounds a modality index in a grid key.
const maxModalities = 64

// splitIndex splits "mu[0]" into "mu" and 0; a key without [..] gives -1.
func splitIndex(key string) (string, int, error) {
	open := strings.IndexByte(key, '[')
	if open < 0 {
		return key, -1, nil
	}
	if !strings.HasSuffix(key, "]") {
		return "", 0, fmt.Errorf("key %q: want key[modality], e.g. mu[0]", key)
	}
	r, err := strconv.Atoi(key[open+1 : len(key)-1])
	if err != nil || r < 0 || r >= maxModalities {
		return "", 0, fmt.Errorf("key %q: the modality index must be an integer in 0..%d", key, maxModalities-1)
	}
	return key[:open], r, nil
}

// expandRange expands "a..b/step" into a, a+step, ..., up to b included.
func expandRange(s string) ([]string, error) {
	span, stepText, ok := strings.Cut(s, "/")
	from, to, ok2 := strings.Cut(span, "..")
	if !ok || !ok2 {
		return nil, fmt.Errorf("range %q: want from..to/step, e.g. 0.1..0.5/0.1", s)
	}
	a, err1 := strconv.ParseFloat(strings.TrimSpace(from), 64)
	b, err2 := strconv.ParseFloat(strings.TrimSpace(to), 64)
	step, err3 := strconv.ParseFloat(strings.TrimSpace(stepText), 64)
	if err1 != nil || err2 != nil || err3 != nil || math.IsNaN(a+b+step) || math.IsInf(a+b+step, 0) {
		return nil, fmt.Errorf("range %q: from, to and step must be numbers", s)
	}
	if step <= 0 || b < a {
		return nil, fmt.Errorf("range %q: want from <= to and a step > 0", s)
	}
	count := math.Floor((b-a)/step+1e-9) + 1
	if !(count <= 10000) {
		return nil, fmt.Errorf("range %q has %.0f values, more than 10000", s, count)
	}
	out := make([]string, int(count))
	for i := range out {
		v := a + float64(i)*step
		if math.Abs(v) < step*1e-9 {
			v = 0 // a range through zero: -0.3 + 3*0.1 is 5.6e-17
		}
		// Round away the binary noise of a + i*step (0.30000000000000004).
		v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
		out[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	return out, nil
}

// setAxisValue sets key (or its entry index, if index >= 0) to value; a
// single value for every one of k modalities is spread over them first.
func (c *Config) setAxisValue(key string, index int, value string, k int) error {
	if index < 0 {
		return c.Set(key, value)
	}
	field, _ := c.field(key)
	switch l := field.Addr().Interface().(type) {
	case *FloatList:
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return fmt.Errorf("%s = %q: want a number", key, value)
		}
		*l = withEntry(*l, index, v, k)
	case *IntList:
		v, err := strconv.Atoi(strings.TrimSpace(value))
		if err != nil {
			return fmt.Errorf("%s = %q: want an integer", key, value)
		}
		*l = withEntry(*l, index, v, k)
	}
	return nil
}

// withEntry returns a copy of a per-modality list with entry r set to v,
// first spreading a single value over all k modalities.
func withEntry[E int | float64](l []E, r int, v E, k int) []E {
	out := make([]E, max(len(l), k, r+1))
	for i := range out {
		if len(l) == 1 {
			out[i] = l[0]
		} else if i < len(l) {
			out[i] = l[i]
		}
	}
	out[r] = v
	return out
}

// Point is one configuration of a grid: its index and the value of every
// axis.
type Point struct {
	Index  int               `json:"index"`
	Values map[string]string `json:"values"`
	Label  string            `json:"label"`
}

// Points enumerates the grid's points in order, the last axis varying
// fastest.
func Points(axes []Axis) []Point {
	points := []Point{{Values: map[string]string{}}}
	for _, a := range axes {
		var next []Point
		for _, p := range points {
			for _, v := range a.Values {
				values := make(map[string]string, len(p.Values)+1)
				for k, x := range p.Values {
					values[k] = x
				}
				values[a.Key] = v
				next = append(next, Point{Values: values})
			}
		}
		points = next
	}
	for i := range points {
		points[i].Index = i
		var parts []string
		for _, a := range axes {
			parts = append(parts, a.Key+"="+points[i].Values[a.Key])
		}
		points[i].Label = strings.Join(parts, " ")
	}
	return points
}

// At returns the configuration of base with the point's values applied, in
// axis order. An axis of one modality's entry (mu[2]) must name a modality
// of base: an index past them would make new modalities of defaults. Where
// base names no learning rate, the point's encoders train with their kind's
// own, also where an axis changes the kind; an axis of lr (or of one
// modality's) starts from those.
func (p Point) At(base *Plan, axes []Axis) (Config, error) {
	c := base.Config.clone()
	if base.kindRates {
		c.LR = nil
	}
	isLR := func(a Axis) bool { k, _, _ := splitIndex(a.Key); return k == "lr" }
	// The learning rate last, so that it starts from the point's encoders.
	ordered := slices.Concat(slices.DeleteFunc(slices.Clone(axes), isLR), slices.DeleteFunc(slices.Clone(axes), func(a Axis) bool { return !isLR(a) }))
	for _, a := range ordered {
		key, index, _ := splitIndex(a.Key)
		if index >= base.K {
			_, from := base.source.modalities()
			return c, fmt.Errorf("grid %s: modality %d does not exist: the data has %d modalities (%s), so the index of %s runs from 0 to %d",
				a.Key, index, base.K, from, key, base.K-1)
		}
		if key == "lr" && len(c.LR) == 0 {
			c.LR = defaultRates(c.Encoder, base.K)
		}
		if err := c.setAxisValue(key, index, p.Values[a.Key], base.K); err != nil {
			return c, fmt.Errorf("point %d (%s): %w", p.Index, p.Label, err)
		}
	}
	return c, nil
}
