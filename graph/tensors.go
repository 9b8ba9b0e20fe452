package graph

import (
	"fmt"

	"gorgonia.org/tensor"
)

// dtypes maps the dtype names of the configuration to tensor dtypes.
var dtypes = map[string]tensor.Dtype{"float64": tensor.Float64, "float32": tensor.Float32}

// newDense makes a tensor of dtype holding values. A float64 tensor uses
// values as its backing array (no copy); a float32 one converts them.
func newDense(dtype tensor.Dtype, shape tensor.Shape, values []float64) *tensor.Dense {
	switch dtype {
	case tensor.Float32:
		v32 := make([]float32, len(values))
		for i, v := range values {
			v32[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v32))
	case tensor.Float64:
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(values))
	}
	panic(fmt.Sprintf("graph: unsupported dtype %v", dtype)) // dtypes are validated with the config
}

// float64s returns the values of t: its backing array for float64, a
// converted copy for float32.
func float64s(t *tensor.Dense) []float64 {
	switch t.Dtype() {
	case tensor.Float64:
		return t.Float64s()
	case tensor.Float32:
		d := t.Float32s()
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	}
	panic(fmt.Sprintf("graph: unsupported dtype %v", t.Dtype()))
}

// allFinite reports whether t holds no NaN or infinity.
func allFinite(t *tensor.Dense) bool {
	if t.Dtype() == tensor.Float32 {
		return finite(t.Float32s())
	}
	return finite(t.Float64s())
}

func finite[T float32 | float64](values []T) bool {
	for _, v := range values {
		if v-v != 0 {
			return false
		}
	}
	return true
}
