package dataset

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Images is a set of grey-scale images with their labels.
type Images struct {
	N, H, W int
	Pixels  []uint8 // (N, H, W) row-major
	Labels  []uint8 // (N,)
}

// check reports an Images whose slices do not match its sizes, so that code
// building on it (TwoView) may index without bounds surprises.
func (im *Images) check() error {
	switch {
	case im == nil:
		return errors.New("no images (nil)")
	case im.N < 1 || im.H < 1 || im.W < 1:
		return fmt.Errorf("%d images of %dx%d: want at least one image of at least 1x1", im.N, im.H, im.W)
	case len(im.Pixels) != im.N*im.H*im.W:
		return fmt.Errorf("%d pixels for %d images of %dx%d, want %d", len(im.Pixels), im.N, im.H, im.W, im.N*im.H*im.W)
	case len(im.Labels) != im.N:
		return fmt.Errorf("%d labels for %d images", len(im.Labels), im.N)
	}
	return nil
}

// maxIDXBytes bounds the data an IDX header may declare. The IDX header is
// a handful of 32-bit sizes, so a corrupted one can claim up to 2^32 bytes
// per axis; refusing anything above 2 GiB keeps a bad file from turning into
// a huge allocation. MNIST's largest file holds 47 MB.
const maxIDXBytes = 1 << 31

// idxTypeNames names the element types of the IDX format, for the error that
// refuses all but unsigned bytes.
var idxTypeNames = map[byte]string{
	0x08: "unsigned byte",
	0x09: "signed byte",
	0x0B: "short (int16)",
	0x0C: "int (int32)",
	0x0D: "float (float32)",
	0x0E: "double (float64)",
}

// ReadIDX reads one IDX array: its shape and its values as bytes (only the
// unsigned-byte type 0x08 is supported; others are a clear error naming the
// type).
//
// The input may be gzip-compressed: ReadIDX recognises the gzip magic bytes
// 1f 8b (an IDX file always starts with two zero bytes, so the two cannot be
// confused) rather than trusting a file name. The reader must hold exactly
// one array: bytes after the declared data are an error, since they mean the
// file is not what its header says; for gzip input, reading to the end also
// verifies the checksum. Data are read in chunks, so a header that declares
// more than the input holds costs no more memory than the bytes present.
func ReadIDX(r io.Reader) (shape []int, data []uint8, err error) {
	br := bufio.NewReader(r)
	magic, err := br.Peek(2)
	if err != nil && !isEOF(err) {
		return nil, nil, err
	}
	compressed := len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b
	var src io.Reader = br
	what := "IDX"
	if compressed {
		what = "gzip-compressed IDX"
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("corrupt gzip data: %w", err)
		}
		defer gz.Close()
		src = gz
	}
	shape, data, err = readIDX(src)
	if err != nil {
		if compressed && isGzipError(err) {
			return nil, nil, fmt.Errorf("corrupt gzip data: %w", err)
		}
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	return shape, data, nil
}

// isGzipError tells whether err comes from a damaged compressed stream rather
// than from a well-formed stream holding a bad IDX array.
func isGzipError(err error) bool {
	var corrupt flate.CorruptInputError
	return errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.As(err, &corrupt)
}

// readIDX reads an uncompressed IDX array from r.
func readIDX(r io.Reader) ([]int, []uint8, error) {
	var head [4]byte
	if n, err := io.ReadFull(r, head[:]); err != nil {
		if isEOF(err) {
			return nil, nil, fmt.Errorf("only %d bytes, too short for the 4-byte IDX magic", n)
		}
		return nil, nil, err
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, nil, fmt.Errorf("bad magic % x: an IDX file starts with 00 00, then its type and number of dimensions", head)
	}
	if head[2] != 0x08 {
		name, ok := idxTypeNames[head[2]]
		if !ok {
			return nil, nil, fmt.Errorf("unknown element type 0x%02x in magic % x: only unsigned byte (0x08) is supported", head[2], head)
		}
		return nil, nil, fmt.Errorf("element type 0x%02x (%s) is not supported: only unsigned byte (0x08), the type of MNIST and Fashion-MNIST, is", head[2], name)
	}
	ndim := int(head[3])
	if ndim == 0 {
		return nil, nil, errors.New("the header declares 0 dimensions")
	}
	dims := make([]byte, 4*ndim)
	if n, err := io.ReadFull(r, dims); err != nil {
		if isEOF(err) {
			return nil, nil, fmt.Errorf("truncated header: %d dimensions need %d bytes of sizes, only %d follow", ndim, len(dims), n)
		}
		return nil, nil, err
	}
	shape := make([]int, ndim)
	declared := uint64(1)
	for i := range shape {
		d := binary.BigEndian.Uint32(dims[4*i:])
		shape[i] = int(d)
		// Each factor is below 2^32 and the product is capped just above
		// the limit before the next one, so it cannot overflow uint64.
		declared = min(declared*uint64(d), maxIDXBytes+1)
	}
	if declared > maxIDXBytes {
		return nil, nil, fmt.Errorf("the header declares shape %s, more than the limit of %d bytes", formatShape(shape), int64(maxIDXBytes))
	}
	size := int64(declared)
	// Grow the buffer as data arrive rather than trusting the header.
	var buf bytes.Buffer
	buf.Grow(int(min(size, 1<<20)))
	got, err := buf.ReadFrom(io.LimitReader(r, size))
	if err != nil && !isEOF(err) {
		return nil, nil, err
	}
	if got < size {
		return nil, nil, fmt.Errorf("truncated data: shape %s needs %d bytes, only %d follow the header", formatShape(shape), size, got)
	}
	if err != nil {
		// All the data arrived, then the input ended in the middle of
		// something: only a compressed stream can, in its trailer.
		return nil, nil, fmt.Errorf("truncated: the input ends unexpectedly after the %d bytes of shape %s", size, formatShape(shape))
	}
	extra, err := io.Copy(io.Discard, r)
	if err != nil {
		if isEOF(err) {
			// Only a compressed stream can end in the middle of something
			// after the data: its trailer.
			return nil, nil, fmt.Errorf("truncated: the input ends unexpectedly after the %d bytes of shape %s", size, formatShape(shape))
		}
		return nil, nil, err
	}
	if extra > 0 {
		return nil, nil, fmt.Errorf("%d bytes of trailing data after the %d bytes of shape %s", extra, size, formatShape(shape))
	}
	return shape, buf.Bytes(), nil
}

// readIDXFile reads the IDX file at path; every error names the path.
func readIDXFile(path string) ([]int, []uint8, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err // *fs.PathError names the path
	}
	defer f.Close()
	shape, data, err := ReadIDX(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return shape, data, nil
}

// LoadImages reads an images file and a labels file (IDX, plain or gzip) and
// checks that they agree.
//
// The images file must hold a 3-D array (count, rows, columns) and the
// labels file a 1-D array (count,) with the same count.
func LoadImages(imagesPath, labelsPath string) (*Images, error) {
	ishape, pixels, err := readIDXFile(imagesPath)
	if err != nil {
		return nil, err
	}
	if len(ishape) != 3 {
		return nil, fmt.Errorf("%s: %d dimensions %s, want 3 (images, rows, columns) for an images file", imagesPath, len(ishape), formatShape(ishape))
	}
	if ishape[0] < 1 || ishape[1] < 1 || ishape[2] < 1 {
		return nil, fmt.Errorf("%s: shape %s is empty, want at least one image of at least 1x1", imagesPath, formatShape(ishape))
	}
	lshape, labels, err := readIDXFile(labelsPath)
	if err != nil {
		return nil, err
	}
	if len(lshape) != 1 {
		return nil, fmt.Errorf("%s: %d dimensions %s, want 1 (labels,) for a labels file", labelsPath, len(lshape), formatShape(lshape))
	}
	if lshape[0] != ishape[0] {
		return nil, fmt.Errorf("%s holds %d images but %s holds %d labels", imagesPath, ishape[0], labelsPath, lshape[0])
	}
	return &Images{N: ishape[0], H: ishape[1], W: ishape[2], Pixels: pixels, Labels: labels}, nil
}

// The file names of the MNIST distribution, shared by Fashion-MNIST.
const (
	mnistTrainImages = "train-images-idx3-ubyte"
	mnistTrainLabels = "train-labels-idx1-ubyte"
	mnistTestImages  = "t10k-images-idx3-ubyte"
	mnistTestLabels  = "t10k-labels-idx1-ubyte"
)

// LoadMNISTDir reads train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte from dir, each with or
// without a .gz suffix (whichever exists).
//
// When both forms of a file exist the plain one is read: it is what a user
// who decompressed the download by hand last touched. The content decides
// whether a file is compressed, so a mislabelled file still reads.
func LoadMNISTDir(dir string) (train, test *Images, err error) {
	var paths [4]string
	for i, name := range []string{mnistTrainImages, mnistTrainLabels, mnistTestImages, mnistTestLabels} {
		if paths[i], err = findIDXFile(dir, name); err != nil {
			return nil, nil, err
		}
	}
	if train, err = LoadImages(paths[0], paths[1]); err != nil {
		return nil, nil, fmt.Errorf("training set: %w", err)
	}
	if test, err = LoadImages(paths[2], paths[3]); err != nil {
		return nil, nil, fmt.Errorf("test set: %w", err)
	}
	if train.H != test.H || train.W != test.W {
		return nil, nil, fmt.Errorf("%s: training images are %dx%d but test images are %dx%d", dir, train.H, train.W, test.H, test.W)
	}
	return train, test, nil
}

// findIDXFile returns the path of name or name.gz in dir, whichever exists
// (the plain one if both do).
func findIDXFile(dir, name string) (string, error) {
	tried := []string{filepath.Join(dir, name), filepath.Join(dir, name+".gz")}
	for _, p := range tried {
		fi, err := os.Stat(p)
		if err == nil {
			if fi.IsDir() {
				return "", fmt.Errorf("%s is a directory, want an IDX file", p)
			}
			return p, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("MNIST-format file %s not found: tried %s", name, strings.Join(tried, " and "))
}
