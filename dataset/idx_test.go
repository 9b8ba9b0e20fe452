package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// fashionMNISTDir is where the test machine keeps Fashion-MNIST; tests that
// need the real data skip when it is absent.
const fashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// idxBytes encodes an IDX array of element type typ.
func idxBytes(typ byte, shape []int, data []byte) []byte {
	b := []byte{0, 0, typ, byte(len(shape))}
	for _, s := range shape {
		b = binary.BigEndian.AppendUint32(b, uint32(s))
	}
	return append(b, data...)
}

func idxGzip(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func idxWriteFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// idxSeq returns n bytes 0, 1, 2, ...
func idxSeq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func TestReadIDXPlainAndGzip(t *testing.T) {
	plain := idxBytes(0x08, []int{2, 3, 4}, idxSeq(24))
	for name, in := range map[string][]byte{"plain": plain, "gzip": idxGzip(t, plain)} {
		t.Run(name, func(t *testing.T) {
			shape, data, err := ReadIDX(bytes.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(shape, []int{2, 3, 4}) {
				t.Errorf("shape %v, want [2 3 4]", shape)
			}
			if !bytes.Equal(data, idxSeq(24)) {
				t.Errorf("data %v, want %v", data, idxSeq(24))
			}
		})
	}
}

func TestReadIDXErrors(t *testing.T) {
	valid := idxBytes(0x08, []int{2, 3}, idxSeq(6))
	gzValid := idxGzip(t, valid)
	badCRC := slices.Clone(gzValid)
	badCRC[len(badCRC)-8] ^= 0xff // the CRC-32 of the trailer
	badDeflate := slices.Clone(gzValid)
	badDeflate[10] = 0xff // the first deflate block header: reserved type 3

	cases := []struct {
		name string
		in   []byte
		want string
		// plainOnly marks cases about the compression layer itself; the
		// others are also run inside a valid gzip stream.
		plainOnly bool
	}{
		{name: "empty", in: nil, want: "too short"},
		{name: "short magic", in: []byte{0, 0, 8}, want: "too short"},
		{name: "bad magic", in: []byte{1, 2, 8, 1, 0, 0, 0, 0}, want: "bad magic"},
		{name: "text file", in: []byte("hello world"), want: "bad magic"},
		{name: "float type", in: idxBytes(0x0D, []int{1}, []byte{0, 0, 0, 0}), want: "0x0d (float (float32)) is not supported"},
		{name: "int type", in: idxBytes(0x0C, []int{1}, []byte{0, 0, 0, 0}), want: "0x0c (int (int32))"},
		{name: "unknown type", in: idxBytes(0x42, []int{1}, []byte{0}), want: "unknown element type 0x42"},
		{name: "no dimensions", in: []byte{0, 0, 8, 0}, want: "0 dimensions"},
		{name: "truncated header", in: valid[:9], want: "truncated header"},
		{name: "truncated data", in: valid[:len(valid)-1], want: "truncated data: shape (2, 3) needs 6 bytes, only 5"},
		{name: "no data", in: valid[:12], want: "truncated data"},
		{name: "trailing data", in: append(slices.Clone(valid), 1, 2), want: "2 bytes of trailing data"},
		{name: "too large", in: idxBytes(0x08, []int{65536, 65536}, nil), want: "more than the limit"},
		{name: "too large 3-D", in: idxBytes(0x08, []int{1 << 20, 1 << 20, 1 << 20}, nil), want: "(1048576, 1048576, 1048576), more than the limit"},
		{name: "largest sizes", in: idxBytes(0x08, []int{1<<32 - 1, 1<<32 - 1, 1<<32 - 1, 1<<32 - 1}, nil), want: "more than the limit"},
		{name: "large and truncated", in: idxBytes(0x08, []int{1 << 30}, idxSeq(10)), want: "truncated data"},
		{name: "corrupt gzip header", in: []byte{0x1f, 0x8b, 0, 0, 0}, want: "corrupt gzip", plainOnly: true},
		{name: "corrupt deflate", in: badDeflate, want: "corrupt gzip", plainOnly: true},
		{name: "bad checksum", in: badCRC, want: "corrupt gzip", plainOnly: true},
		{name: "truncated gzip", in: gzValid[:len(gzValid)/2], want: "truncated", plainOnly: true},
		{name: "truncated gzip trailer", in: gzValid[:len(gzValid)-4], want: "truncated: the input ends unexpectedly after the 6 bytes", plainOnly: true},
	}
	for _, c := range cases {
		inputs := map[string][]byte{"plain": c.in}
		if !c.plainOnly {
			inputs["gzip"] = idxGzip(t, c.in)
		}
		for kind, in := range inputs {
			t.Run(c.name+"/"+kind, func(t *testing.T) {
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				_, _, err := ReadIDX(bytes.NewReader(in))
				runtime.ReadMemStats(&after)
				if err == nil {
					t.Fatalf("no error, want one containing %q", c.want)
				}
				if !strings.Contains(err.Error(), c.want) {
					t.Errorf("error %q, want it to contain %q", err, c.want)
				}
				// A header that lies about its size must not cost its size.
				if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
					t.Errorf("allocated %d bytes reading %d", alloc, len(in))
				}
			})
		}
	}
}

// idxWriteImages writes an images and a labels file into dir, gzipping those
// whose name ends in .gz, and returns their paths.
func idxWriteImages(t testing.TB, dir, imagesName, labelsName string, n, h, w int) (string, string) {
	t.Helper()
	img := idxBytes(0x08, []int{n, h, w}, idxSeq(n*h*w))
	lab := idxBytes(0x08, []int{n}, idxSeq(n))
	if strings.HasSuffix(imagesName, ".gz") {
		img = idxGzip(t, img)
	}
	if strings.HasSuffix(labelsName, ".gz") {
		lab = idxGzip(t, lab)
	}
	return idxWriteFile(t, dir, imagesName, img), idxWriteFile(t, dir, labelsName, lab)
}

func TestLoadImages(t *testing.T) {
	dir := t.TempDir()
	ip, lp := idxWriteImages(t, dir, "images", "labels.gz", 3, 2, 4)
	im, err := LoadImages(ip, lp)
	if err != nil {
		t.Fatal(err)
	}
	if im.N != 3 || im.H != 2 || im.W != 4 {
		t.Errorf("got %d images of %dx%d, want 3 of 2x4", im.N, im.H, im.W)
	}
	if !bytes.Equal(im.Pixels, idxSeq(24)) || !bytes.Equal(im.Labels, idxSeq(3)) {
		t.Errorf("pixels %v labels %v", im.Pixels, im.Labels)
	}
	if err := im.check(); err != nil {
		t.Error(err)
	}
}

func TestLoadImagesErrors(t *testing.T) {
	dir := t.TempDir()
	images := idxWriteFile(t, dir, "images", idxBytes(0x08, []int{3, 2, 2}, idxSeq(12)))
	labels := idxWriteFile(t, dir, "labels", idxBytes(0x08, []int{3}, idxSeq(3)))
	flat := idxWriteFile(t, dir, "flat", idxBytes(0x08, []int{12}, idxSeq(12)))
	labels2D := idxWriteFile(t, dir, "labels2d", idxBytes(0x08, []int{3, 1}, idxSeq(3)))
	fewLabels := idxWriteFile(t, dir, "few", idxGzip(t, idxBytes(0x08, []int{2}, idxSeq(2))))
	empty := idxWriteFile(t, dir, "empty", idxBytes(0x08, []int{0, 2, 2}, nil))
	truncated := idxWriteFile(t, dir, "truncated.gz", idxGzip(t, idxBytes(0x08, []int{3, 2, 2}, idxSeq(11))))
	missing := filepath.Join(dir, "missing")

	cases := []struct {
		name           string
		images, labels string
		want           []string
	}{
		{"images not 3-D", flat, labels, []string{flat, "1 dimensions (12,), want 3"}},
		{"labels not 1-D", images, labels2D, []string{labels2D, "2 dimensions (3, 1), want 1"}},
		{"labels as images", labels, labels, []string{labels, "want 3"}},
		{"counts differ", images, fewLabels, []string{images, "3 images", fewLabels, "2 labels"}},
		{"no images", empty, labels, []string{empty, "empty"}},
		{"truncated gzip images", truncated, labels, []string{truncated, "gzip-compressed IDX: truncated data"}},
		{"missing images", missing, labels, []string{missing, "no such file"}},
		{"missing labels", images, missing, []string{missing, "no such file"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadImages(c.images, c.labels)
			if err == nil {
				t.Fatalf("no error, want one containing %q", c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadMNISTDir(t *testing.T) {
	dir := t.TempDir()
	idxWriteImages(t, dir, mnistTrainImages+".gz", mnistTrainLabels, 5, 3, 2)
	idxWriteImages(t, dir, mnistTestImages, mnistTestLabels+".gz", 4, 3, 2)
	train, test, err := LoadMNISTDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 5 || test.N != 4 || train.H != 3 || test.W != 2 {
		t.Errorf("train %d, test %d images of %dx%d; want 5 and 4 of 3x2", train.N, test.N, train.H, train.W)
	}

	// The plain file wins when both exist: make the .gz one unreadable.
	idxWriteFile(t, dir, mnistTestImages+".gz", []byte("garbage"))
	if _, _, err := LoadMNISTDir(dir); err != nil {
		t.Errorf("with a plain and a .gz file: %v", err)
	}
	// A compressed file without the suffix still reads.
	idxWriteFile(t, dir, mnistTestImages, idxGzip(t, idxBytes(0x08, []int{4, 3, 2}, idxSeq(24))))
	if _, _, err := LoadMNISTDir(dir); err != nil {
		t.Errorf("with a gzipped file without .gz: %v", err)
	}
}

func TestLoadMNISTDirErrors(t *testing.T) {
	t.Run("missing file", func(t *testing.T) {
		dir := t.TempDir()
		idxWriteImages(t, dir, mnistTrainImages, mnistTrainLabels, 5, 3, 2)
		idxWriteImages(t, dir, mnistTestImages, "other", 4, 3, 2)
		_, _, err := LoadMNISTDir(dir)
		if err == nil {
			t.Fatal("no error for a missing labels file")
		}
		for _, w := range []string{filepath.Join(dir, mnistTestLabels), filepath.Join(dir, mnistTestLabels+".gz")} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not list %s", err, w)
			}
		}
	})
	t.Run("sizes differ", func(t *testing.T) {
		dir := t.TempDir()
		idxWriteImages(t, dir, mnistTrainImages, mnistTrainLabels, 5, 3, 2)
		idxWriteImages(t, dir, mnistTestImages, mnistTestLabels, 4, 2, 3)
		if _, _, err := LoadMNISTDir(dir); err == nil || !strings.Contains(err.Error(), "3x2 but test images are 2x3") {
			t.Errorf("error %v, want one about differing sizes", err)
		}
	})
	t.Run("bad file names the split and file", func(t *testing.T) {
		dir := t.TempDir()
		idxWriteImages(t, dir, mnistTrainImages, mnistTrainLabels, 5, 3, 2)
		idxWriteImages(t, dir, mnistTestImages, mnistTestLabels, 4, 3, 2)
		bad := idxWriteFile(t, dir, mnistTrainLabels, []byte{0, 0, 8, 1, 0, 0, 0, 5, 1})
		_, _, err := LoadMNISTDir(dir)
		if err == nil || !strings.Contains(err.Error(), "training set") || !strings.Contains(err.Error(), bad) {
			t.Errorf("error %v, want one naming the training set and %s", err, bad)
		}
	})
}

func TestLoadFashionMNIST(t *testing.T) {
	if _, err := os.Stat(fashionMNISTDir); err != nil {
		t.Skipf("Fashion-MNIST not installed: %v", err)
	}
	train, test, err := LoadMNISTDir(fashionMNISTDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		im       *Images
		n, class int
	}{{"train", train, 60000, 6000}, {"test", test, 10000, 1000}} {
		if c.im.N != c.n || c.im.H != 28 || c.im.W != 28 {
			t.Errorf("%s: %d images of %dx%d, want %d of 28x28", c.name, c.im.N, c.im.H, c.im.W, c.n)
		}
		if err := c.im.check(); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		var count [256]int
		for _, l := range c.im.Labels {
			count[l]++
		}
		for l, k := range count {
			want := 0
			if l < 10 {
				want = c.class
			}
			if k != want {
				t.Errorf("%s: label %d occurs %d times, want %d", c.name, l, k, want)
			}
		}
	}
}
