package dataset

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// npyExpect is the NAME.json written next to each fixture by
// testdata/make_npy_fixtures.py.
type npyExpect struct {
	Shape  []int       `json:"shape"`
	DType  string      `json:"dtype"`
	Values []jsonFloat `json:"values"`
	Error  string      `json:"error"`
}

// jsonFloat decodes a number, or one of the strings the fixture script uses
// for values JSON cannot hold.
type jsonFloat float64

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		switch s {
		case "nan":
			*f = jsonFloat(math.NaN())
		case "inf":
			*f = jsonFloat(math.Inf(1))
		case "-inf":
			*f = jsonFloat(math.Inf(-1))
		case "-0":
			*f = jsonFloat(math.Copysign(0, -1))
		default:
			return fmt.Errorf("unknown special value %q", s)
		}
		return nil
	}
	var v float64
	err := json.Unmarshal(b, &v)
	*f = jsonFloat(v)
	return err
}

// sameValues compares bit for bit, except that any NaN equals any NaN.
func sameValues(got, want []float64) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d values, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if math.IsNaN(g) && math.IsNaN(w) {
			continue
		}
		if math.Float64bits(g) != math.Float64bits(w) {
			return fmt.Errorf("value %d is %v, want %v", i, g, w)
		}
	}
	return nil
}

// checkNPYDir reads every NAME.npy of dir and compares it with NAME.json.
func checkNPYDir(t *testing.T, dir string) {
	t.Helper()
	jsons, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(jsons) == 0 {
		t.Fatalf("no fixtures in %s (err %v)", dir, err)
	}
	for _, jpath := range jsons {
		name := strings.TrimSuffix(filepath.Base(jpath), ".json")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(jpath)
			if err != nil {
				t.Fatal(err)
			}
			var want npyExpect
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatalf("%s: %v", jpath, err)
			}
			path := filepath.Join(dir, name+".npy")
			a, err := ReadNPYFile(path)
			if want.Error != "" {
				if err == nil {
					t.Fatalf("ReadNPYFile succeeded (shape %v, dtype %s), want an error containing %q", a.Shape, a.DType, want.Error)
				}
				if !strings.Contains(err.Error(), want.Error) || !strings.Contains(err.Error(), path) {
					t.Fatalf("error %q, want it to contain %q and the path", err, want.Error)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Shape, want.Shape) {
				t.Errorf("shape %v, want %v", a.Shape, want.Shape)
			}
			if a.DType != want.DType {
				t.Errorf("dtype %q, want %q", a.DType, want.DType)
			}
			if h, err := readNPYHeaderFile(path); err != nil || !slices.Equal(h.Shape, a.Shape) || h.DType != a.DType || h.Data != nil {
				t.Errorf("readNPYHeaderFile = %+v, %v; want shape %v and dtype %s without data", h, err, a.Shape, a.DType)
			}
			wv := make([]float64, len(want.Values))
			for i, v := range want.Values {
				wv[i] = float64(v)
			}
			if err := sameValues(a.Data, wv); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestReadNPYFixtures(t *testing.T) {
	checkNPYDir(t, filepath.Join("testdata", "npy"))
}

// npyFile assembles an NPY file by hand, for inputs WriteNPY never makes.
func npyFile(major byte, header string, data []byte) []byte {
	b := []byte(npyMagic)
	b = append(b, major, 0)
	if major == 1 {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(header)))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(header)))
	}
	b = append(b, header...)
	return append(b, data...)
}

func f8Bytes(vs ...float64) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

func TestReadNPYHeaderVariants(t *testing.T) {
	three := f8Bytes(1, 2, 3)
	tests := []struct {
		name   string
		file   []byte
		shape  []int
		dtype  string
		values []float64
	}{
		{"numpy style", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }\n", three), []int{3}, "<f8", []float64{1, 2, 3}},
		{"key order, no trailing comma", npyFile(1, "{'shape': (3,), 'descr': '<f8', 'fortran_order': False}", three), []int{3}, "<f8", []float64{1, 2, 3}},
		{"double quotes and spaces", npyFile(1, " { \"descr\" :\"<f8\" ,\t\"fortran_order\": False , \"shape\" : ( 3 , ) , } \n", three), []int{3}, "<f8", []float64{1, 2, 3}},
		{"python 2 long", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1L, 3L), }", three), []int{1, 3}, "<f8", []float64{1, 2, 3}},
		{"0-d", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", f8Bytes(4)), []int{}, "<f8", []float64{4}},
		{"0-d fortran", npyFile(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (), }", f8Bytes(4)), []int{}, "<f8", []float64{4}},
		{"empty 3-d", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 0, 1000000), }", nil), []int{2, 0, 1000000}, "<f8", []float64{}},
		{"version 2", npyFile(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", three), []int{3}, "<f8", []float64{1, 2, 3}},
		{"version 3", npyFile(3, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", three), []int{3}, "<f8", []float64{1, 2, 3}},
		{"u1 without order", npyFile(1, "{'descr': 'u1', 'fortran_order': False, 'shape': (2,), }", []byte{7, 200}), []int{2}, "|u1", []float64{7, 200}},
		{"i1 native order", npyFile(1, "{'descr': '=i1', 'fortran_order': False, 'shape': (2,), }", []byte{0xff, 3}), []int{2}, "|i1", []float64{-1, 3}},
		{"b1 as ?", npyFile(1, "{'descr': '?', 'fortran_order': False, 'shape': (2,), }", []byte{1, 0}), []int{2}, "|b1", []float64{1, 0}},
		{"fortran 2-d", npyFile(1, "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }", []byte{1, 4, 2, 5, 3, 6}), []int{2, 3}, "|u1", []float64{1, 2, 3, 4, 5, 6}},
		{"fortran 3-d", npyFile(1, "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 2, 2), }", []byte{0, 4, 2, 6, 1, 5, 3, 7}), []int{2, 2, 2}, "|u1", []float64{0, 1, 2, 3, 4, 5, 6, 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ReadNPY(bytes.NewReader(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Shape, tt.shape) || a.DType != tt.dtype {
				t.Errorf("shape %v dtype %q, want %v %q", a.Shape, a.DType, tt.shape, tt.dtype)
			}
			if err := sameValues(a.Data, tt.values); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestReadNPYMalformed(t *testing.T) {
	hdr := func(descr, fortran, shape string) string {
		return fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }\n", descr, fortran, shape)
	}
	f8 := func(shape string, data []byte) []byte { return npyFile(1, hdr("<f8", "False", shape), data) }
	bigHeader := []byte(npyMagic + "\x02\x00\xff\xff\xff\xff{")
	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"short", []byte("\x93NUM"), "too short"},
		{"bad magic", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), "not an NPY file"},
		{"version 4", npyFile(1, hdr("<f8", "False", "(1,)"), f8Bytes(1))[:6:6], "too short"},
		{"unknown version", append([]byte(npyMagic+"\x04\x00"), npyFile(1, hdr("<f8", "False", "(1,)"), f8Bytes(1))[8:]...), "unsupported NPY version 4.0"},
		{"unknown minor version", append([]byte(npyMagic+"\x01\x01"), npyFile(1, hdr("<f8", "False", "(1,)"), f8Bytes(1))[8:]...), "unsupported NPY version 1.1"},
		{"no header length", []byte(npyMagic + "\x01\x00\x05"), "header length"},
		{"header beyond file", npyFile(1, hdr("<f8", "False", "(1,)"), nil)[:30], "file ends after 20"},
		{"header too long", bigHeader, "exceeds the limit"},
		{"not a dict", npyFile(1, "['descr', '<f8']", nil), "want '{'"},
		{"unclosed dict", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)", f8Bytes(1)), "want ',' or '}'"},
		{"missing key", npyFile(1, "{'descr': '<f8', 'shape': (1,)}", f8Bytes(1)), `missing key "fortran_order"`},
		{"unknown key", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}", f8Bytes(1)), `unexpected key "extra"`},
		{"duplicate key", npyFile(1, "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", f8Bytes(1)), `duplicate key "descr"`},
		{"key not a string", npyFile(1, "{1: '<f8'}", nil), "want a string"},
		{"missing colon", npyFile(1, "{'descr' '<f8'}", nil), "want ':'"},
		{"text after dict", npyFile(1, hdr("<f8", "False", "(1,)")+"x", f8Bytes(1)), "unexpected text"},
		{"unclosed string", npyFile(1, "{'descr: '<f8'}", nil), "want ':'"},
		{"string to the end", npyFile(1, "{'descr", nil), "string not closed"},
		{"escape", npyFile(1, "{'de\\scr': '<f8'}", nil), "escape"},
		{"bad name", npyFile(1, hdr("<f8", "false", "(1,)"), f8Bytes(1)), `unexpected name "false"`},
		{"fortran not bool", npyFile(1, hdr("<f8", "0", "(1,)"), f8Bytes(1)), "want True or False"},
		{"descr not string", npyFile(1, hdr("<f8", "False", "(1,)")[:10]+"None, 'fortran_order': False, 'shape': (1,)}", f8Bytes(1)), "'descr' is None"},
		{"shape list", f8("[1]", f8Bytes(1)), "want a tuple"},
		{"shape not a tuple", f8("(7)", f8Bytes(1)), "'shape' is an integer"},
		{"shape of strings", f8("('a',)", f8Bytes(1)), "want an integer"},
		{"shape float", f8("(1.5,)", f8Bytes(1)), "want an integer"},
		{"negative shape", f8("(-1,)", nil), "negative"},
		{"sign without digits", f8("(-,)", nil), "want digits"},
		{"shape overflows int64", f8("(99999999999999999999,)", nil), "overflows int64"},
		{"shape too large", f8("(17179869185,)", nil), "more than the limit"},
		{"shape product too large", f8("(4294967296, 4294967296)", nil), "holds more than"},
		{"too many axes", f8("("+strings.Repeat("1, ", 65)+")", f8Bytes(1)), "65 axes, more than numpy's limit of 64"},
		{"shape product overflows", f8("(17179869184, 17179869184, 17179869184, 17179869184)", nil), "holds more than"},
		{"nested too deep", f8(strings.Repeat("(", 100)+strings.Repeat(")", 100), nil), "nested"},
		{"unclosed tuple", f8("(1, 2", nil), "unexpected character '}'"},
		{"unclosed list", npyFile(1, "{'descr': [1 2]}", nil), "want ',' or ']'"},
		{"header ends in value", npyFile(1, "{'descr':", nil), "header ends"},
		{"bad character", npyFile(1, "{'descr': @}", nil), "unexpected character"},
		{"big-endian", npyFile(1, hdr(">f8", "False", "(1,)"), f8Bytes(1)), `dtype ">f8" is big-endian`},
		{"native-order f8", npyFile(1, hdr("=f8", "False", "(1,)"), f8Bytes(1)), `unsupported dtype "=f8"; supported dtypes: <f8 <f4`},
		{"string dtype", npyFile(1, hdr("<U3", "False", "(1,)"), make([]byte, 12)), `unsupported dtype "<U3"`},
		{"structured", npyFile(1, "{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (1,)}", f8Bytes(1)), "structured"},
		{"truncated data", f8("(2, 3)", f8Bytes(1, 2, 3, 4, 5)), "data holds 40 bytes, shape (2, 3) of <f8 needs 48"},
		{"no data", f8("(1,)", nil), "data holds 0 bytes, shape (1,) of <f8 needs 8"},
		{"huge shape, little data", f8("(1000000000,)", f8Bytes(1)), "data holds 8 bytes, shape (1000000000,) of <f8 needs 8000000000"},
		{"trailing bytes", f8("(1,)", f8Bytes(1, 2)), "8 trailing bytes"},
		{"bad bool", npyFile(1, hdr("|b1", "False", "(3,)"), []byte{0, 1, 2}), "element [2] of the |b1 data is the byte 0x02"},
		{"i8 beyond 2^53", npyFile(1, hdr("<i8", "False", "(2, 2)"), binary.LittleEndian.AppendUint64(make([]byte, 24), 1<<53+1)), "element [1, 1] of the <i8 data is 9007199254740993"},
		{"i8 below -2^53", npyFile(1, hdr("<i8", "True", "(2, 2)"), append(binary.LittleEndian.AppendUint64(make([]byte, 8), uint64(1)<<63), make([]byte, 16)...)), "element [1, 0] of the <i8 data is -9223372036854775808"},
		{"u8 beyond 2^53", npyFile(1, hdr("<u8", "False", "(1,)"), binary.LittleEndian.AppendUint64(nil, math.MaxUint64)), "is 18446744073709551615, beyond ±2^53"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ReadNPY(bytes.NewReader(tt.file))
			if err == nil {
				t.Fatalf("ReadNPY succeeded with shape %v, want an error containing %q", a.Shape, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestReadNPYFileErrorsNamePath checks that file errors say which file.
func TestReadNPYFileErrorsNamePath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.npy")
	if err := os.WriteFile(path, []byte("not numpy at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, filepath.Join(dir, "missing.npy"), dir} {
		if _, err := ReadNPYFile(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("ReadNPYFile(%s): error %v, want one naming the path", p, err)
		}
	}
	// A read failure is not a short file.
	if _, err := ReadNPYFile(dir); err == nil || strings.Contains(err.Error(), "too short") {
		t.Errorf("ReadNPYFile(directory): error %v, want the read error", err)
	}
}

func TestNPYRoundTrip(t *testing.T) {
	tests := []struct {
		name      string
		a         Array
		wantDType string
	}{
		{"f8 3-d", Array{Shape: []int{2, 3, 4}, DType: "<f8", Data: seq(24, func(i int) float64 { return float64(i)/3 - 4 })}, "<f8"},
		{"f8 special", Array{Shape: []int{5}, Data: []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), math.SmallestNonzeroFloat64}}, "<f8"},
		{"f8 0-d", Array{Shape: []int{}, DType: "<f8", Data: []float64{2.5}}, "<f8"},
		{"f8 nil shape", Array{Data: []float64{2.5}}, "<f8"},
		{"f8 empty", Array{Shape: []int{0, 3}, DType: "<f8", Data: []float64{}}, "<f8"},
		{"f4", Array{Shape: []int{2, 2}, DType: "<f4", Data: []float64{0.5, -1.25, math.Inf(1), float64(float32(3e38))}}, "<f4"},
		{"i8", Array{Shape: []int{5}, DType: "<i8", Data: []float64{-1 << 53, -1, 0, 1, 1 << 53}}, "<i8"},
		{"b1", Array{Shape: []int{3, 2}, DType: "|b1", Data: []float64{1, 0, 0, 1, 1, 1}}, "|b1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteNPY(&buf, &tt.a); err != nil {
				t.Fatal(err)
			}
			b := buf.Bytes()
			var start int
			switch b[6] {
			case 1:
				start = 10 + int(binary.LittleEndian.Uint16(b[8:]))
			case 2:
				start = 12 + int(binary.LittleEndian.Uint32(b[8:]))
			default:
				t.Fatalf("version %d.%d", b[6], b[7])
			}
			if b[6] != 1 {
				t.Errorf("version %d, want 1", b[6])
			}
			if start%64 != 0 || b[start-1] != '\n' {
				t.Errorf("data starts at byte %d after %q, want a multiple of 64 after a newline", start, b[start-1])
			}
			got, err := ReadNPY(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Shape) != len(tt.a.Shape) || !slices.Equal(got.Shape, tt.a.Shape) && len(got.Shape) > 0 {
				t.Errorf("shape %v, want %v", got.Shape, tt.a.Shape)
			}
			if got.DType != tt.wantDType {
				t.Errorf("dtype %q, want %q", got.DType, tt.wantDType)
			}
			if err := sameValues(got.Data, tt.a.Data); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestNPYPreambleVersion2 covers the fallback to version 2.0, which no
// array WriteNPY accepts (at most 64 axes) can reach: it exists so that the
// header length never wraps around silently.
func TestNPYPreambleVersion2(t *testing.T) {
	long := make([]int, 30000) // "1, " each: a header beyond 64 KiB
	for i := range long {
		long[i] = 1
	}
	b, err := npyPreamble("<f8", long)
	if err != nil {
		t.Fatal(err)
	}
	if b[6] != 2 || b[7] != 0 {
		t.Fatalf("version %d.%d, want 2.0", b[6], b[7])
	}
	hlen := int(binary.LittleEndian.Uint32(b[8:]))
	if 12+hlen != len(b) || len(b)%64 != 0 || b[len(b)-1] != '\n' {
		t.Errorf("header length %d in a %d-byte preamble, want the rest, a multiple of 64 in all, ending with a newline", hlen, len(b))
	}
	if _, err := parseNPYHeader(string(b[12:])); err == nil || !strings.Contains(err.Error(), "limit of 64") {
		t.Errorf("parsing the 30000-axis header: %v, want the axis limit", err)
	}
	// numpy too needs 128 bytes here: the dictionary alone is 58.
	short, err := npyPreamble("<f8", []int{3})
	if err != nil || short[6] != 1 || len(short) != 128 {
		t.Errorf("1-d preamble: version %d, %d bytes, err %v; want 1.0 in 128 bytes", short[6], len(short), err)
	}
}

func seq(n int, f func(int) float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = f(i)
	}
	return v
}

func TestWriteNPYErrors(t *testing.T) {
	tests := []struct {
		name string
		a    *Array
		want string
	}{
		{"nil", nil, "nil array"},
		{"unsupported dtype", &Array{Shape: []int{1}, DType: "<i4", Data: []float64{1}}, `cannot write dtype "<i4"; writable dtypes: <f8 <f4 <i8 |b1`},
		{"shape mismatch", &Array{Shape: []int{2, 2}, Data: []float64{1, 2, 3}}, "shape (2, 2) holds 4 values but data has 3"},
		{"nil shape, many values", &Array{Data: []float64{1, 2}}, "shape () holds 1 values but data has 2"},
		{"negative shape", &Array{Shape: []int{-1}, Data: nil}, "negative"},
		{"too many axes", &Array{Shape: make([]int, 65), Data: []float64{}}, "65 axes"},
		{"fractional int", &Array{Shape: []int{2}, DType: "<i8", Data: []float64{1, 1.5}}, "value 1 is 1.5, want an integer"},
		{"NaN int", &Array{Shape: []int{1}, DType: "<i8", Data: []float64{math.NaN()}}, "want an integer"},
		{"int overflow", &Array{Shape: []int{1}, DType: "<i8", Data: []float64{1 << 63}}, "want an integer"},
		{"bool 2", &Array{Shape: []int{2}, DType: "|b1", Data: []float64{0, 2}}, "value 1 is 2, want 0 or 1"},
		{"float32 overflow", &Array{Shape: []int{1}, DType: "<f4", Data: []float64{1e39}}, "overflows float32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteNPY(&buf, tt.a)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

func TestWriteNPYFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.npy")
	if err := WriteNPYFile(path, &Array{Shape: []int{1}, Data: []float64{1}}); err != nil {
		t.Fatal(err)
	}
	// A failed write must leave the previous file alone and no temporary.
	err := WriteNPYFile(path, &Array{Shape: []int{1}, DType: "|b1", Data: []float64{3}})
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("error %v, want one naming %s", err, path)
	}
	a, err := ReadNPYFile(path)
	if err != nil || a.Data[0] != 1 {
		t.Fatalf("after a failed write: %v, %v", a, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only a.npy", len(entries))
	}
}

// numpyPython returns the interpreter with numpy, or skips the test. The
// python first in PATH may be a pyenv without numpy, hence the fixed path.
func numpyPython(t *testing.T) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if testing.Short() {
		t.Skip("skipping numpy interop in -short mode")
	}
	if err := exec.Command(py, "-c", "import numpy").Run(); err != nil {
		t.Skipf("no numpy at %s: %v", py, err)
	}
	return py
}

// TestNumpyReadsWriteNPY has numpy load what WriteNPY wrote.
func TestNumpyReadsWriteNPY(t *testing.T) {
	py := numpyPython(t)
	dir := t.TempDir()
	arrays := map[string]Array{
		"f8_3d":    {Shape: []int{2, 3, 4}, DType: "<f8", Data: seq(24, func(i int) float64 { return float64(i)/7 - 1 })},
		"f8_0d":    {Shape: []int{}, Data: []float64{-3.5}},
		"f8_1d":    {Shape: []int{4}, Data: []float64{math.NaN(), math.Inf(-1), math.Copysign(0, -1), 1e-310}},
		"f8_empty": {Shape: []int{3, 0}, Data: []float64{}},
		"f4_2d":    {Shape: []int{2, 3}, DType: "<f4", Data: []float64{0.25, -1, 2, 3, 4, 1 << 20}},
		"i8_2d":    {Shape: []int{2, 2}, DType: "<i8", Data: []float64{-1 << 53, -1, 1, 1 << 53}},
		"b1_2d":    {Shape: []int{2, 2}, DType: "|b1", Data: []float64{1, 0, 0, 1}},
	}
	for name, a := range arrays {
		if err := WriteNPYFile(filepath.Join(dir, name+".npy"), &a); err != nil {
			t.Fatal(err)
		}
		values := make([]any, len(a.Data))
		for i, v := range a.Data {
			switch {
			case math.IsNaN(v):
				values[i] = "nan"
			case math.IsInf(v, 1):
				values[i] = "inf"
			case math.IsInf(v, -1):
				values[i] = "-inf"
			case v == 0 && math.Signbit(v):
				values[i] = "-0"
			default:
				values[i] = v
			}
		}
		dtype := a.DType
		if dtype == "" {
			dtype = "<f8"
		}
		b, err := json.Marshal(map[string]any{"shape": a.Shape, "dtype": dtype, "values": values})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(py, filepath.Join("testdata", "check_npy.py"), dir).CombinedOutput()
	if err != nil {
		t.Fatalf("numpy disagrees: %v\n%s", err, out)
	}
}

// TestReadNPYFromNumpy regenerates the fixtures with the numpy installed
// now, so a numpy release that writes differently is caught, not just the
// one that wrote testdata/npy.
func TestReadNPYFromNumpy(t *testing.T) {
	py := numpyPython(t)
	dir := t.TempDir()
	out, err := exec.Command(py, filepath.Join("testdata", "make_npy_fixtures.py"), dir).CombinedOutput()
	if err != nil {
		t.Fatalf("make_npy_fixtures.py: %v\n%s", err, out)
	}
	checkNPYDir(t, dir)
}

// FuzzReadNPY checks that no input makes ReadNPY panic, and that whatever it
// accepts survives a write and a second read unchanged.
func FuzzReadNPY(f *testing.F) {
	for _, a := range []Array{
		{Shape: []int{2, 3}, Data: []float64{1, 2, 3, 4, 5, 6}},
		{Shape: []int{}, DType: "|b1", Data: []float64{1}},
		{Shape: []int{2}, DType: "<i8", Data: []float64{-1, 1}},
	} {
		var buf bytes.Buffer
		if err := WriteNPY(&buf, &a); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ReadNPY(bytes.NewReader(b))
		if err != nil {
			return
		}
		count := 1
		for _, s := range a.Shape {
			count *= s
		}
		if count != len(a.Data) {
			t.Fatalf("shape %v holds %d values, data has %d", a.Shape, count, len(a.Data))
		}
		var buf bytes.Buffer
		if err := WriteNPY(&buf, &Array{Shape: a.Shape, DType: "<f8", Data: a.Data}); err != nil {
			t.Fatalf("WriteNPY of what ReadNPY accepted: %v", err)
		}
		back, err := ReadNPY(&buf)
		if err != nil {
			t.Fatalf("ReadNPY of what WriteNPY wrote: %v", err)
		}
		if !slices.Equal(back.Shape, a.Shape) {
			t.Fatalf("shape %v after the round trip, want %v", back.Shape, a.Shape)
		}
		if err := sameValues(back.Data, a.Data); err != nil {
			t.Fatalf("after the round trip: %v", err)
		}
	})
}

// TestFuzzSeedCorpus keeps the committed seeds meaningful: those named
// valid_* must read and those named invalid_* must not, so the fuzzers start
// from both sides of each format.
func TestFuzzSeedCorpus(t *testing.T) {
	targets := []struct {
		name string
		read func(string) error
	}{
		{"FuzzReadNPY", func(in string) error { _, err := ReadNPY(strings.NewReader(in)); return err }},
		{"FuzzReadNPZ", func(in string) error { _, err := ReadNPZ(strings.NewReader(in), int64(len(in))); return err }},
	}
	for _, target := range targets {
		paths, err := filepath.Glob(filepath.Join("testdata", "fuzz", target.name, "*"))
		if err != nil || len(paths) == 0 {
			t.Fatalf("%s: no seed corpus (err %v)", target.name, err)
		}
		for _, path := range paths {
			name := target.name + "/" + filepath.Base(path)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			text, ok := strings.CutPrefix(string(b), "go test fuzz v1\n[]byte(")
			text, ok2 := strings.CutSuffix(strings.TrimSpace(text), ")")
			if !ok || !ok2 {
				t.Errorf("%s: not a one-[]byte corpus file", name)
				continue
			}
			input, err := strconv.Unquote(text)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			err = target.read(input)
			switch base := filepath.Base(path); {
			case strings.HasPrefix(base, "valid_") && err != nil:
				t.Errorf("%s: %v", name, err)
			case strings.HasPrefix(base, "invalid_") && err == nil:
				t.Errorf("%s: read without error", name)
			}
		}
	}
}

func benchmarkArray(n int) *Array {
	return &Array{Shape: []int{n / 100, 100}, Data: seq(n, func(i int) float64 { return float64(i) * 0.5 })}
}

func BenchmarkWriteNPY(b *testing.B) {
	a := benchmarkArray(10_000_000)
	b.SetBytes(int64(8 * len(a.Data)))
	for b.Loop() {
		var buf bytes.Buffer
		buf.Grow(8*len(a.Data) + 128)
		if err := WriteNPY(&buf, a); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadNPYFile(b *testing.B) {
	a := benchmarkArray(10_000_000)
	path := filepath.Join(b.TempDir(), "a.npy")
	if err := WriteNPYFile(path, a); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(8 * len(a.Data)))
	for b.Loop() {
		if _, err := ReadNPYFile(path); err != nil {
			b.Fatal(err)
		}
	}
}
