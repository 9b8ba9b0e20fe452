package dataset

import (
	"archive/zip"
	"bytes"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// keyed is an array under its NPZ key.
type keyed struct {
	key string
	a   *Array
}

// zipMember is one member of a hand-made archive.
type zipMember struct {
	name   string
	data   []byte // uncompressed
	method uint16
}

// zipOf writes members as archive/zip does, with honest headers.
func zipOf(t testing.TB, members ...zipMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, m := range members {
		f, err := w.CreateHeader(&zip.FileHeader{Name: m.name, Method: m.method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(m.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawZip writes one member whose header says whatever fh says about the
// bytes raw, for archives no honest writer makes.
func rawZip(t testing.TB, fh zip.FileHeader, raw []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.CreateRaw(&fh)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func npyOf(t testing.TB, a *Array) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteNPY(&buf, a); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// npzOf writes arrays as numpy.savez (zip.Store) or savez_compressed
// (zip.Deflate) would.
func npzOf(t testing.TB, method uint16, arrays ...keyed) []byte {
	t.Helper()
	var members []zipMember
	for _, k := range arrays {
		members = append(members, zipMember{k.key + ".npy", npyOf(t, k.a), method})
	}
	return zipOf(t, members...)
}

// npzNoCRC writes arrays stored with a zero CRC-32, which archive/zip takes
// as "not recorded": the fuzzer's changes to their bytes then reach the NPY
// reader and the dataset checks instead of failing the checksum.
func npzNoCRC(t testing.TB, arrays ...keyed) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, k := range arrays {
		b := npyOf(t, k.a)
		f, err := w.CreateRaw(&zip.FileHeader{Name: k.key + ".npy", Method: zip.Store,
			CompressedSize64: uint64(len(b)), UncompressedSize64: uint64(len(b))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadNPZ(t *testing.T) {
	x := &Array{Shape: []int{2, 3}, DType: "<f8", Data: []float64{1, 2, 3, 4, 5, 6.5}}
	y := &Array{Shape: []int{2}, DType: "<i8", Data: []float64{-1, 1}}
	scalar := &Array{Shape: []int{}, DType: "<f4", Data: []float64{0.25}}
	empty := &Array{Shape: []int{0, 3}, DType: "|b1", Data: []float64{}}
	fortran := npyFile(1, "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }", []byte{1, 4, 2, 5, 3, 6})
	tests := []struct {
		name    string
		archive []byte
		want    []keyed
	}{
		{"stored", npzOf(t, zip.Store, keyed{"x0", x}, keyed{"y", y}), []keyed{{"x0", x}, {"y", y}}},
		{"deflated", npzOf(t, zip.Deflate, keyed{"x0", x}, keyed{"y", y}), []keyed{{"x0", x}, {"y", y}}},
		{"archive order kept", npzOf(t, zip.Store, keyed{"y", y}, keyed{"x0", x}), []keyed{{"y", y}, {"x0", x}}},
		{"stored and deflated", zipOf(t,
			zipMember{"a.npy", npyOf(t, scalar), zip.Deflate},
			zipMember{"b.npy", npyOf(t, empty), zip.Store}), []keyed{{"a", scalar}, {"b", empty}}},
		{"fortran order", zipOf(t, zipMember{"f.npy", fortran, zip.Deflate}),
			[]keyed{{"f", &Array{Shape: []int{2, 3}, DType: "|u1", Data: []float64{1, 2, 3, 4, 5, 6}}}}},
		{"any key", npzOf(t, zip.Store, keyed{"a b/c.d", scalar}), []keyed{{"a b/c.d", scalar}}},
		{"no members", zipOf(t), nil},
		{"no checksum", npzNoCRC(t, keyed{"x0", x}), []keyed{{"x0", x}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z, err := ReadNPZ(bytes.NewReader(tt.archive), int64(len(tt.archive)))
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, k := range tt.want {
				keys = append(keys, k.key)
			}
			if !slices.Equal(z.Keys, keys) || len(z.Arrays) != len(keys) {
				t.Fatalf("keys %q (%d arrays), want %q", z.Keys, len(z.Arrays), keys)
			}
			for _, k := range tt.want {
				got := z.Arrays[k.key]
				if !slices.Equal(got.Shape, k.a.Shape) || got.DType != k.a.DType {
					t.Errorf("key %q: shape %v dtype %s, want %v %s", k.key, got.Shape, got.DType, k.a.Shape, k.a.DType)
				}
				if err := sameValues(got.Data, k.a.Data); err != nil {
					t.Errorf("key %q: %v", k.key, err)
				}
			}
		})
	}
}

func TestReadNPZErrors(t *testing.T) {
	x := &Array{Shape: []int{2, 3}, DType: "<f8", Data: []float64{1, 2, 3, 4, 5, 6}}
	npy := npyOf(t, x) // 128-byte preamble and 48 bytes of data
	stored := npzOf(t, zip.Store, keyed{"x0", x})
	flipped := bytes.Clone(stored)
	flipped[bytes.Index(flipped, npy)+len(npy)-1] ^= 0x40 // the last data byte
	huge := npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000,), }", nil)
	header := func(method uint16, comp, uncomp uint64, flags uint16) zip.FileHeader {
		return zip.FileHeader{Name: "x0.npy", Method: method, Flags: flags, CRC32: crc32.ChecksumIEEE(npy),
			CompressedSize64: comp, UncompressedSize64: uncomp}
	}
	tests := []struct {
		name    string
		archive []byte
		want    string
	}{
		{"empty input", nil, "not an NPZ archive (numpy.savez writes zip archives): zip: not a valid zip file"},
		{"text", []byte("x0,y\n1,2\n"), "not an NPZ archive (numpy.savez writes zip archives): zip: not a valid zip file"},
		{"an NPY file", npy, "an NPY file, not an NPZ archive: read it with ReadNPYFile, or save it with numpy.savez"},
		{"truncated archive", stored[:len(stored)-10], "not an NPZ archive (numpy.savez writes zip archives): zip: not a valid zip file"},
		{"member not .npy", zipOf(t, zipMember{"x0.npy", npy, zip.Store}, zipMember{"notes.txt", []byte("hi"), zip.Store}),
			`member "notes.txt" is not an array: numpy.savez writes only <key>.npy members`},
		{"member without a key", zipOf(t, zipMember{".npy", npy, zip.Store}), `member ".npy" is not an array: numpy.savez writes only <key>.npy members`},
		{"directory", zipOf(t, zipMember{"x0/", nil, zip.Store}), `member "x0/" is not an array: numpy.savez writes only <key>.npy members`},
		{"upper-case suffix", zipOf(t, zipMember{"x0.NPY", npy, zip.Store}), `member "x0.NPY" is not an array: numpy.savez writes only <key>.npy members`},
		{"duplicate key", zipOf(t, zipMember{"x0.npy", npy, zip.Store}, zipMember{"x0.npy", npy, zip.Deflate}),
			`key "x0": the archive holds two members named "x0.npy"`},
		{"member not NPY", zipOf(t, zipMember{"y.npy", []byte("-1,1,1,-1\n"), zip.Deflate}), `key "y": not an NPY file: starts with "-1,1,1", want "\x93NUMPY"`},
		{"member truncated", zipOf(t, zipMember{"x0.npy", npy[:len(npy)-6], zip.Deflate}),
			`key "x0": member declares 170 bytes but its NPY header (shape (2, 3) of <f8) makes 176`},
		{"member with trailing bytes", zipOf(t, zipMember{"x0.npy", append(bytes.Clone(npy), 0, 0), zip.Store}),
			`key "x0": member declares 178 bytes but its NPY header (shape (2, 3) of <f8) makes 176`},
		{"huge shape, small member", zipOf(t, zipMember{"x0.npy", huge, zip.Deflate}),
			`key "x0": member declares 76 bytes but its NPY header (shape (1000000000,) of <f8) makes 8000000076`},
		{"bad dtype in member", zipOf(t, zipMember{"x0.npy", npyFile(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", make([]byte, 8)), zip.Store}),
			`key "x0": dtype ">f8" is big-endian, which is not supported (convert with a.astype(a.dtype.newbyteorder('<'))); supported dtypes: <f8 <f4 <i8 <i4 <i2 |i1 <u8 <u4 <u2 |u1 |b1`},
		{"stored sizes differ", rawZip(t, header(zip.Store, 170, 176, 0), npy[:170]),
			`key "x0": stored member declares 170 bytes compressed but 176 uncompressed`},
		{"beyond deflate's ratio", rawZip(t, header(zip.Deflate, 10, 1<<40, 0), make([]byte, 10)),
			`key "x0": member declares 1099511627776 bytes inflated from 10, beyond what deflate can produce`},
		{"beyond the archive", rawZip(t, header(zip.Store, 1<<40, 1<<40, 0), npy),
			`key "x0": member declares 1099511627776 compressed bytes at offset 36 of a 314-byte archive`},
		{"unknown method", rawZip(t, header(12, 176, 176, 0), npy),
			`key "x0": compression method 12 is not supported: numpy writes stored (savez) or deflated (savez_compressed) members`},
		{"encrypted", rawZip(t, header(zip.Store, 176, 176, 1), npy), `key "x0": the member is encrypted, which numpy never writes`},
		{"corrupt deflate stream", rawZip(t, header(zip.Deflate, 16, 176, 0), bytes.Repeat([]byte{0xff}, 16)),
			`key "x0": flate: corrupt input before offset 1`},
		{"checksum", flipped, `key "x0": reading NPY data: zip: checksum error`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z, err := ReadNPZ(bytes.NewReader(tt.archive), int64(len(tt.archive)))
			if err == nil {
				t.Fatalf("ReadNPZ succeeded with keys %q, want an error %q", z.Keys, tt.want)
			}
			if err.Error() != tt.want {
				t.Fatalf("error\n  %s\nwant\n  %s", err, tt.want)
			}
		})
	}
}

// TestReadNPZFileErrorsNamePath checks that file errors say which file.
func TestReadNPZFileErrorsNamePath(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.npz")
	if err := os.WriteFile(bad, []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{bad, bad + ": not an NPZ archive"},
		{filepath.Join(dir, "missing.npz"), "open " + filepath.Join(dir, "missing.npz") + ": no such file or directory"},
		{dir, dir + ": not a regular file"},
	}
	for _, tt := range tests {
		if _, err := ReadNPZFile(tt.path); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ReadNPZFile(%s): error %v, want one starting %q", tt.path, err, tt.want)
		}
	}
}

// FuzzReadNPZ checks that no input makes ReadNPZ, reading only the headers
// (as ImportSource.Layout does), or building a dataset or its layout from
// what they read, panic, and that what they accept is consistent: the
// headers of an archive ReadNPZ reads say what it read, and the layout of a
// dataset built is the dataset's.
func FuzzReadNPZ(f *testing.F) {
	x := &Array{Shape: []int{3, 2}, DType: "<f8", Data: []float64{1, 2, 3, 4, 5, 6}}
	y := &Array{Shape: []int{3}, DType: "<i8", Data: []float64{1, -1, 1}}
	for _, method := range []uint16{zip.Store, zip.Deflate} {
		f.Add(npzOf(f, method, keyed{"x0", x}, keyed{"y", y}))
		f.Add(npzOf(f, method, keyed{"x0", x}, keyed{"y", y}, keyed{"val_x0", x}, keyed{"val_y", y}, keyed{"test_x0", x}, keyed{"test_y", y}))
	}
	f.Add(npzNoCRC(f, keyed{"x0", x}, keyed{"x1", x}, keyed{"y", y}, keyed{"val_x0", x}, keyed{"val_x1", x}, keyed{"val_y", y},
		keyed{"test_x0", x}, keyed{"test_x1", x}, keyed{"test_y", y}))
	f.Fuzz(func(t *testing.T, b []byte) {
		headers, herr := readNPZ(bytes.NewReader(b), int64(len(b)), func(string) bool { return true })
		var layout *Layout
		if herr == nil {
			if splits, err := npzSplits(headers); err == nil {
				layout, _ = layoutOf(splits, Regression, false) // labels have no data: any task
			}
		}
		z, err := ReadNPZ(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		if herr != nil {
			t.Fatalf("ReadNPZ reads the archive but its headers alone fail: %v", herr)
		}
		if !slices.Equal(headers.Keys, z.Keys) {
			t.Fatalf("headers have keys %q, the archive %q", headers.Keys, z.Keys)
		}
		for _, k := range z.Keys {
			if h, a := headers.Arrays[k], z.Arrays[k]; !slices.Equal(h.Shape, a.Shape) || h.DType != a.DType || h.Data != nil {
				t.Fatalf("key %q: header says %v %s (data %d), array is %v %s", k, h.Shape, h.DType, len(h.Data), a.Shape, a.DType)
			}
		}
		if len(z.Keys) != len(z.Arrays) {
			t.Fatalf("%d keys for %d arrays", len(z.Keys), len(z.Arrays))
		}
		for _, k := range z.Keys {
			a := z.Arrays[k]
			if a == nil {
				t.Fatalf("key %q has no array", k)
			}
			count := 1
			for _, s := range a.Shape {
				count *= s
			}
			if count != len(a.Data) {
				t.Fatalf("key %q: shape %v holds %d values, data has %d", k, a.Shape, count, len(a.Data))
			}
		}
		splits, err := npzSplits(z)
		if err != nil {
			return
		}
		ds, err := buildDataset(splits, "")
		if err != nil {
			return
		}
		if err := ds.Validate(); err != nil {
			t.Fatalf("built an invalid dataset: %v", err)
		}
		if layout == nil {
			t.Fatal("a dataset was built but not the layout of its headers")
		}
		if len(layout.Modalities) != len(ds.Modalities) || layout.Train != ds.Train.Len() || layout.Val != ds.Val.Len() || layout.Test != ds.Test.Len() {
			t.Fatalf("layout %+v, dataset of %d modalities and splits %d/%d/%d", layout, len(ds.Modalities), ds.Train.Len(), ds.Val.Len(), ds.Test.Len())
		}
	})
}
