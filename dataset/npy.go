package dataset

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/modcomp/modcomp/internal/atomicfile"
)

// Array is an n-dimensional array in NPY form: values in C (row-major) order.
type Array struct {
	// Shape is the size of each axis; empty (or nil) for a 0-d array, which
	// holds one value.
	Shape []int
	// DType is the numpy type descriptor, e.g. "<f8", "<f4", "<i8", "|b1".
	// ReadNPY sets the canonical form ("|u1", never "u1" or "=u1"); WriteNPY
	// treats "" as "<f8".
	DType string
	// Data holds the values converted to float64, in C order whatever order
	// the file used.
	Data []float64
}

// npyMagic starts every NPY file.
const npyMagic = "\x93NUMPY"

// maxNPYValues bounds the number of values a shape may declare. A corrupted
// header must not make a reader believe it is about to receive petabytes;
// 2^34 float64 values (128 GiB) is far beyond any dataset modcomp trains on.
const maxNPYValues = 1 << 34

// maxNPYDims is numpy's own limit on the number of axes (NPY_MAXDIMS in
// numpy 2; numpy 1 allows 32). Beyond it no numpy can load the file, and
// reordering a Fortran array costs time proportional to values × axes.
const maxNPYDims = 64

// maxNPYHeader bounds the header length a file may declare. A header for at
// most 64 axes takes under 1 KiB, and numpy refuses headers above 10000 bytes
// by default; the margin accepts generous padding from other writers while
// still refusing a length read from garbage.
const maxNPYHeader = 1 << 20

// exactIntLimit is 2^53: integers of larger magnitude do not all have a
// float64 representation, so reading them would silently change values.
const exactIntLimit = 1 << 53

// npyDType describes how one supported dtype is stored.
type npyDType struct {
	descr string // canonical descriptor
	size  int    // bytes per value
	kind  byte   // 'f' float, 'i' signed, 'u' unsigned, 'b' bool
}

// readableDTypes lists, in the order error messages show them, every dtype
// ReadNPY converts to float64.
var readableDTypes = []npyDType{
	{"<f8", 8, 'f'}, {"<f4", 4, 'f'},
	{"<i8", 8, 'i'}, {"<i4", 4, 'i'}, {"<i2", 2, 'i'}, {"|i1", 1, 'i'},
	{"<u8", 8, 'u'}, {"<u4", 4, 'u'}, {"<u2", 2, 'u'}, {"|u1", 1, 'u'},
	{"|b1", 1, 'b'},
}

// writableDTypes lists the dtypes WriteNPY produces: the ones a Dataset needs
// (float inputs, integer labels and patches, bool sufficiency) plus float32
// for users who want smaller files.
var writableDTypes = []string{"<f8", "<f4", "<i8", "|b1"}

func supportedList(dts []npyDType) string {
	names := make([]string, len(dts))
	for i, dt := range dts {
		names[i] = dt.descr
	}
	return strings.Join(names, " ")
}

// lookupDType resolves a descriptor as numpy writes it. Byte order is
// meaningless for one-byte types, so '|', '=', '<', '>' and no prefix all
// name the same type there; for wider types only explicit little-endian is
// accepted, because '=' means "this machine's order", which the file does not
// record.
func lookupDType(descr string) (npyDType, error) {
	for _, dt := range readableDTypes {
		if descr == dt.descr {
			return dt, nil
		}
		if dt.size == 1 {
			base := dt.descr[1:]
			switch descr {
			case base, "=" + base, "<" + base, ">" + base:
				return dt, nil
			}
		}
	}
	if len(descr) > 1 && descr[0] == '>' {
		return npyDType{}, fmt.Errorf("dtype %q is big-endian, which is not supported (convert with a.astype(a.dtype.newbyteorder('<'))); supported dtypes: %s",
			descr, supportedList(readableDTypes))
	}
	if descr == "?" {
		return lookupDType("|b1")
	}
	return npyDType{}, fmt.Errorf("unsupported dtype %q; supported dtypes: %s", descr, supportedList(readableDTypes))
}

// ReadNPY reads one array in NPY format (versions 1.0, 2.0 and 3.0) and
// converts its values to float64 in C order. The reader must hold exactly
// one array: bytes after the data are an error, since they mean the file is
// not what its header says.
func ReadNPY(r io.Reader) (*Array, error) {
	return readNPY(r, -1)
}

// ReadNPYFile reads the NPY file at path. Every error names the path.
func ReadNPYFile(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *fs.PathError already names the path
	}
	defer f.Close()
	a, err := readNPYOpen(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// readNPYHeaderFile reads the header of the NPY file at path, not its data:
// the Array it returns has no Data. A file shorter than its header says is
// an error, as for ReadNPYFile.
func readNPYHeaderFile(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := readNPYPrefix(f)
	if err == nil {
		if fi, serr := f.Stat(); serr == nil && fi.Mode().IsRegular() && fi.Size() != p.consumed+p.dataSize() {
			err = fmt.Errorf("the header promises %d bytes of data (shape %s of %s) but the file holds %d",
				p.dataSize(), formatShape(p.header.shape), p.dt.descr, fi.Size()-p.consumed)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Array{Shape: p.header.shape, DType: p.dt.descr}, nil
}

// readNPYOpen reads an opened file, telling readNPY its size.
func readNPYOpen(f *os.File) (*Array, error) {
	size := int64(-1)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	return readNPY(f, size)
}

// readNPY reads an array from r. size is the total length of the input when
// known (-1 otherwise); it lets the reader allocate the data at once instead
// of growing it, but never decides whether the input is valid.
func readNPY(r io.Reader, size int64) (*Array, error) {
	p, err := readNPYPrefix(r)
	if err != nil {
		return nil, err
	}
	if size < 0 {
		if l, ok := r.(interface{ Len() int }); ok { // bytes.Reader, bytes.Buffer, ...
			size = p.consumed + int64(l.Len())
		}
	}
	capHint := min(p.count, 1<<16)
	if size >= 0 && size-p.consumed >= p.dataSize() {
		capHint = p.count // the data is there: allocate once
	}
	return p.readData(r, capHint)
}

// npyPrefix is what the preamble and header of an NPY file promise: enough
// to check the size of the data before reading any of it.
type npyPrefix struct {
	header   npyHeader
	dt       npyDType
	count    int   // number of values
	consumed int64 // bytes of preamble and header
}

// dataSize is the number of data bytes the header promises.
func (p npyPrefix) dataSize() int64 { return int64(p.count) * int64(p.dt.size) }

// readNPYPrefix reads and checks the preamble and header of an NPY file.
func readNPYPrefix(r io.Reader) (npyPrefix, error) {
	var pre [8]byte
	if n, err := io.ReadFull(r, pre[:]); err != nil {
		if isEOF(err) {
			return npyPrefix{}, fmt.Errorf("not an NPY file: only %d bytes, too short for the NPY preamble", n)
		}
		return npyPrefix{}, err
	}
	if string(pre[:6]) != npyMagic {
		return npyPrefix{}, fmt.Errorf("not an NPY file: starts with %q, want %q", pre[:6], npyMagic)
	}
	major, minor := pre[6], pre[7]
	var hlen int64
	var consumed int64
	switch {
	case major == 1 && minor == 0:
		var b [2]byte
		if err := readFull(r, b[:], "NPY file ends inside the header length"); err != nil {
			return npyPrefix{}, err
		}
		hlen = int64(binary.LittleEndian.Uint16(b[:]))
		consumed = 10
	case (major == 2 || major == 3) && minor == 0:
		var b [4]byte
		if err := readFull(r, b[:], "NPY file ends inside the header length"); err != nil {
			return npyPrefix{}, err
		}
		hlen = int64(binary.LittleEndian.Uint32(b[:]))
		consumed = 12
	default:
		return npyPrefix{}, fmt.Errorf("unsupported NPY version %d.%d (supported: 1.0, 2.0, 3.0)", major, minor)
	}
	if hlen > maxNPYHeader {
		return npyPrefix{}, fmt.Errorf("NPY header length %d exceeds the limit of %d bytes", hlen, maxNPYHeader)
	}
	// LimitReader + ReadAll grows with the bytes actually present, so a
	// header length beyond the end of the input costs no allocation.
	header, err := io.ReadAll(io.LimitReader(r, hlen))
	if err != nil {
		return npyPrefix{}, fmt.Errorf("reading NPY header: %w", err)
	}
	if int64(len(header)) < hlen {
		return npyPrefix{}, fmt.Errorf("NPY header length is %d bytes but the file ends after %d", hlen, len(header))
	}
	consumed += hlen
	h, err := parseNPYHeader(string(header))
	if err != nil {
		return npyPrefix{}, fmt.Errorf("NPY header %s: %w", quoteHeader(header), err)
	}
	dt, err := lookupDType(h.descr)
	if err != nil {
		return npyPrefix{}, err
	}
	count, err := shapeCount(h.shape)
	if err != nil {
		return npyPrefix{}, err
	}
	return npyPrefix{header: h, dt: dt, count: count, consumed: consumed}, nil
}

// readData reads the data p promises from r, which must end right after it.
// capHint is how many values to allocate room for up front.
func (p npyPrefix) readData(r io.Reader, capHint int) (*Array, error) {
	h := p.header
	data, err := readNPYData(r, p.dt, h.shape, h.fortran, p.count, capHint)
	if err != nil {
		return nil, err
	}
	if h.fortran {
		data = fortranToC(data, h.shape)
	}
	return &Array{Shape: h.shape, DType: p.dt.descr, Data: data}, nil
}

func isEOF(err error) bool { return err == io.EOF || err == io.ErrUnexpectedEOF }

// readFull is io.ReadFull with eofMsg for an input that ends too early, so
// that a short file and a failing disk give different errors.
func readFull(r io.Reader, b []byte, eofMsg string) error {
	if _, err := io.ReadFull(r, b); err != nil {
		if isEOF(err) {
			return errors.New(eofMsg)
		}
		return err
	}
	return nil
}

// readNPYData reads count values of type dt in chunks, so that a shape the
// data does not back costs no more memory than the bytes actually present.
func readNPYData(r io.Reader, dt npyDType, shape []int, fortran bool, count, capHint int) ([]float64, error) {
	need := int64(count) * int64(dt.size)
	data := make([]float64, 0, capHint)
	buf := make([]byte, 1<<16) // a multiple of every item size
	var got int64
	for got < need {
		want := min(int64(len(buf)), need-got)
		n, err := io.ReadFull(r, buf[:want])
		got += int64(n)
		if isEOF(err) {
			return nil, fmt.Errorf("data holds %d bytes, shape %s of %s needs %d", got, formatShape(shape), dt.descr, need)
		}
		if err != nil {
			return nil, fmt.Errorf("reading NPY data: %w", err)
		}
		start := len(data)
		data, err = decodeValues(data, buf[:n], dt)
		if err != nil {
			var be *badValueError
			if errors.As(err, &be) {
				return nil, fmt.Errorf("element %s of the %s data %s",
					formatIndex(start+be.offset, shape, fortran), dt.descr, be.problem)
			}
			return nil, err
		}
	}
	extra, err := io.Copy(io.Discard, r)
	if err != nil {
		return nil, fmt.Errorf("reading NPY data: %w", err)
	}
	if extra > 0 {
		return nil, fmt.Errorf("data holds %d bytes, shape %s of %s needs %d: %d trailing bytes", need+extra, formatShape(shape), dt.descr, need, extra)
	}
	return data, nil
}

// badValueError reports a value that cannot be converted, offset values into
// the chunk being decoded; the caller turns the offset into an array index.
type badValueError struct {
	offset  int
	problem string
}

func (e *badValueError) Error() string { return e.problem }

func tooBig(offset int, v string) *badValueError {
	return &badValueError{offset, "is " + v + ", beyond ±2^53, the range float64 holds exactly"}
}

// decodeValues appends the little-endian values in b to data.
func decodeValues(data []float64, b []byte, dt npyDType) ([]float64, error) {
	le := binary.LittleEndian
	switch dt.descr {
	case "<f8":
		for i := 0; i+8 <= len(b); i += 8 {
			data = append(data, math.Float64frombits(le.Uint64(b[i:])))
		}
	case "<f4":
		for i := 0; i+4 <= len(b); i += 4 {
			data = append(data, float64(math.Float32frombits(le.Uint32(b[i:]))))
		}
	case "<i8":
		for i := 0; i+8 <= len(b); i += 8 {
			v := int64(le.Uint64(b[i:]))
			if v > exactIntLimit || v < -exactIntLimit {
				return data, tooBig(i/8, strconv.FormatInt(v, 10))
			}
			data = append(data, float64(v))
		}
	case "<i4":
		for i := 0; i+4 <= len(b); i += 4 {
			data = append(data, float64(int32(le.Uint32(b[i:]))))
		}
	case "<i2":
		for i := 0; i+2 <= len(b); i += 2 {
			data = append(data, float64(int16(le.Uint16(b[i:]))))
		}
	case "|i1":
		for _, c := range b {
			data = append(data, float64(int8(c)))
		}
	case "<u8":
		for i := 0; i+8 <= len(b); i += 8 {
			v := le.Uint64(b[i:])
			if v > exactIntLimit {
				return data, tooBig(i/8, strconv.FormatUint(v, 10))
			}
			data = append(data, float64(v))
		}
	case "<u4":
		for i := 0; i+4 <= len(b); i += 4 {
			data = append(data, float64(le.Uint32(b[i:])))
		}
	case "<u2":
		for i := 0; i+2 <= len(b); i += 2 {
			data = append(data, float64(le.Uint16(b[i:])))
		}
	case "|u1":
		for _, c := range b {
			data = append(data, float64(c))
		}
	case "|b1":
		for i, c := range b {
			if c > 1 {
				// numpy never writes such a byte: the file is corrupted.
				return data, &badValueError{i, fmt.Sprintf("is the byte 0x%02x, want 0 or 1", c)}
			}
			data = append(data, float64(c))
		}
	default:
		return data, fmt.Errorf("internal error: no decoder for dtype %q", dt.descr)
	}
	return data, nil
}

// shapeCount returns the number of values of shape, refusing shapes whose
// product overflows or exceeds maxNPYValues.
func shapeCount(shape []int) (int, error) {
	if len(shape) > maxNPYDims {
		return 0, fmt.Errorf("shape has %d axes, more than numpy's limit of %d", len(shape), maxNPYDims)
	}
	count := 1
	for _, s := range shape {
		if s < 0 {
			return 0, fmt.Errorf("shape %s has a negative size", formatShape(shape))
		}
		if s > maxNPYValues {
			return 0, fmt.Errorf("shape %s holds more than %d values", formatShape(shape), maxNPYValues)
		}
	}
	for _, s := range shape {
		if s == 0 {
			return 0, nil
		}
	}
	for _, s := range shape {
		if count > maxNPYValues/s {
			return 0, fmt.Errorf("shape %s holds more than %d values", formatShape(shape), maxNPYValues)
		}
		count *= s
	}
	return count, nil
}

// fortranToC reorders values stored column-major (first axis fastest) into
// row-major order.
func fortranToC(src []float64, shape []int) []float64 {
	if len(shape) <= 1 || len(src) == 0 {
		return src
	}
	stride := make([]int, len(shape)) // Fortran-order stride of each axis
	s := 1
	for k, n := range shape {
		stride[k] = s
		s *= n
	}
	idx := make([]int, len(shape))
	dst := make([]float64, len(src))
	off := 0
	for c := range dst {
		dst[c] = src[off]
		for k := len(shape) - 1; k >= 0; k-- {
			idx[k]++
			off += stride[k]
			if idx[k] < shape[k] {
				break
			}
			off -= idx[k] * stride[k]
			idx[k] = 0
		}
	}
	return dst
}

// formatIndex turns the position of a value in the file into its index along
// each axis, which is what a user can look up in numpy.
func formatIndex(pos int, shape []int, fortran bool) string {
	if len(shape) == 0 {
		return "()"
	}
	idx := make([]string, len(shape))
	if fortran {
		for k := 0; k < len(shape); k++ {
			idx[k] = strconv.Itoa(pos % shape[k])
			pos /= shape[k]
		}
	} else {
		for k := len(shape) - 1; k >= 0; k-- {
			idx[k] = strconv.Itoa(pos % shape[k])
			pos /= shape[k]
		}
	}
	return "[" + strings.Join(idx, ", ") + "]"
}

// formatShape writes shape as a Python tuple, the way numpy prints it.
func formatShape(shape []int) string {
	switch len(shape) {
	case 0:
		return "()"
	case 1:
		return "(" + strconv.Itoa(shape[0]) + ",)"
	}
	parts := make([]string, len(shape))
	for i, s := range shape {
		parts[i] = strconv.Itoa(s)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// quoteHeader quotes a header for an error message, cut short because a
// corrupted header may be a megabyte of noise.
func quoteHeader(h []byte) string {
	s := strings.TrimRight(string(h), " \n")
	if len(s) > 120 {
		return strconv.Quote(s[:120]) + "..."
	}
	return strconv.Quote(s)
}

// npyHeader is the content of the header dictionary.
type npyHeader struct {
	descr   string
	fortran bool
	shape   []int
}

// pyValue is a Python literal of the subset NPY headers use.
type pyValue struct {
	kind  byte // 's' string, 'b' bool, 'n' None, 'i' int, 't' tuple, 'l' list
	str   string
	bool  bool
	int   int64
	items []pyValue
}

func (v pyValue) describe() string {
	switch v.kind {
	case 's':
		return "a string"
	case 'b':
		return "a bool"
	case 'n':
		return "None"
	case 'i':
		return "an integer"
	case 't':
		return "a tuple"
	default:
		return "a list"
	}
}

// parseNPYHeader parses the header dictionary, e.g.
// {'descr': '<f8', 'fortran_order': False, 'shape': (200, 5, 20), }.
// It accepts what Python's literal syntax allows there (any key order, either
// quote, spaces, trailing commas) and requires exactly the three keys numpy
// writes, as numpy does.
func parseNPYHeader(s string) (npyHeader, error) {
	p := &pyParser{s: s}
	p.space()
	if !p.eat('{') {
		return npyHeader{}, p.errorf("want '{' at the start of the header dictionary")
	}
	var h npyHeader
	seen := map[string]bool{}
	for {
		p.space()
		if p.eat('}') {
			break
		}
		key, err := p.value(0)
		if err != nil {
			return npyHeader{}, err
		}
		if key.kind != 's' {
			return npyHeader{}, p.errorf("dictionary key is %s, want a string", key.describe())
		}
		p.space()
		if !p.eat(':') {
			return npyHeader{}, p.errorf("want ':' after key %q", key.str)
		}
		val, err := p.value(0)
		if err != nil {
			return npyHeader{}, err
		}
		if seen[key.str] {
			return npyHeader{}, fmt.Errorf("duplicate key %q", key.str)
		}
		seen[key.str] = true
		switch key.str {
		case "descr":
			switch val.kind {
			case 's':
				h.descr = val.str
			case 'l':
				return npyHeader{}, errors.New("structured (record) dtypes are not supported; supported dtypes: " + supportedList(readableDTypes))
			default:
				return npyHeader{}, fmt.Errorf("'descr' is %s, want a string", val.describe())
			}
		case "fortran_order":
			if val.kind != 'b' {
				return npyHeader{}, fmt.Errorf("'fortran_order' is %s, want True or False", val.describe())
			}
			h.fortran = val.bool
		case "shape":
			if val.kind != 't' {
				return npyHeader{}, fmt.Errorf("'shape' is %s, want a tuple of integers", val.describe())
			}
			if len(val.items) > maxNPYDims {
				return npyHeader{}, fmt.Errorf("'shape' has %d axes, more than numpy's limit of %d", len(val.items), maxNPYDims)
			}
			h.shape = make([]int, len(val.items))
			for i, it := range val.items {
				if it.kind != 'i' {
					return npyHeader{}, fmt.Errorf("'shape' item %d is %s, want an integer", i, it.describe())
				}
				if it.int < 0 {
					return npyHeader{}, fmt.Errorf("'shape' item %d is negative (%d)", i, it.int)
				}
				if it.int > maxNPYValues {
					return npyHeader{}, fmt.Errorf("'shape' item %d is %d, more than the limit of %d values", i, it.int, int64(maxNPYValues))
				}
				h.shape[i] = int(it.int)
			}
		default:
			return npyHeader{}, fmt.Errorf("unexpected key %q (want 'descr', 'fortran_order' and 'shape')", key.str)
		}
		p.space()
		if p.eat(',') {
			continue
		}
		p.space()
		if !p.eat('}') {
			return npyHeader{}, p.errorf("want ',' or '}' after the value of %q", key.str)
		}
		break
	}
	p.space()
	if p.pos < len(p.s) {
		return npyHeader{}, p.errorf("unexpected text after the dictionary")
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return npyHeader{}, fmt.Errorf("missing key %q", k)
		}
	}
	return h, nil
}

// pyParser reads Python literals from s.
type pyParser struct {
	s   string
	pos int
}

// maxPyDepth bounds nesting so that a header of a million '(' cannot exhaust
// the stack.
const maxPyDepth = 16

func (p *pyParser) errorf(format string, args ...any) error {
	return fmt.Errorf("at byte %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *pyParser) space() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *pyParser) eat(c byte) bool {
	if p.pos < len(p.s) && p.s[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *pyParser) value(depth int) (pyValue, error) {
	if depth > maxPyDepth {
		return pyValue{}, p.errorf("values nested more than %d deep", maxPyDepth)
	}
	p.space()
	if p.pos >= len(p.s) {
		return pyValue{}, p.errorf("header ends where a value is expected")
	}
	switch c := p.s[p.pos]; {
	case c == '\'' || c == '"':
		return p.str(c)
	case c == '(' || c == '[':
		return p.sequence(c, depth)
	case c == '-' || c == '+' || (c >= '0' && c <= '9'):
		return p.integer()
	case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_':
		start := p.pos
		for p.pos < len(p.s) && isIdentByte(p.s[p.pos]) {
			p.pos++
		}
		switch word := p.s[start:p.pos]; word {
		case "True":
			return pyValue{kind: 'b', bool: true}, nil
		case "False":
			return pyValue{kind: 'b'}, nil
		case "None":
			return pyValue{kind: 'n'}, nil
		default:
			p.pos = start
			return pyValue{}, p.errorf("unexpected name %q", word)
		}
	default:
		return pyValue{}, p.errorf("unexpected character %q", c)
	}
}

func isIdentByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
}

// str reads a quoted string. Escapes are refused rather than interpreted:
// no descriptor numpy writes for a supported dtype contains one.
func (p *pyParser) str(quote byte) (pyValue, error) {
	start := p.pos
	p.pos++
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case quote:
			v := pyValue{kind: 's', str: p.s[start+1 : p.pos]}
			p.pos++
			return v, nil
		case '\\':
			return pyValue{}, p.errorf("escape sequences in header strings are not supported")
		case '\n':
			return pyValue{}, p.errorf("string not closed before the end of the line")
		}
		p.pos++
	}
	p.pos = start
	return pyValue{}, p.errorf("string not closed")
}

// integer reads a decimal integer. A trailing 'L' is accepted because
// Python 2 numpy wrote shapes such as (3L, 4L).
func (p *pyParser) integer() (pyValue, error) {
	start := p.pos
	if p.s[p.pos] == '-' || p.s[p.pos] == '+' {
		p.pos++
	}
	digits := p.pos
	for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
		p.pos++
	}
	if p.pos == digits {
		p.pos = start
		return pyValue{}, p.errorf("want digits after the sign")
	}
	text := p.s[start:p.pos]
	if p.pos < len(p.s) && (p.s[p.pos] == 'L' || p.s[p.pos] == 'l') {
		p.pos++
	}
	if p.pos < len(p.s) && (isIdentByte(p.s[p.pos]) || p.s[p.pos] == '.') {
		return pyValue{}, p.errorf("want an integer, found %q", text+string(p.s[p.pos]))
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return pyValue{}, fmt.Errorf("integer %s in the header overflows int64", text)
	}
	return pyValue{kind: 'i', int: n}, nil
}

// sequence reads a tuple or list. A parenthesised single value without a
// comma is just that value in Python, not a tuple, so "(7)" is not a shape.
func (p *pyParser) sequence(open byte, depth int) (pyValue, error) {
	closing, kind := byte(')'), byte('t')
	if open == '[' {
		closing, kind = ']', 'l'
	}
	p.pos++
	var items []pyValue
	comma := false
	for {
		p.space()
		if p.eat(closing) {
			break
		}
		it, err := p.value(depth + 1)
		if err != nil {
			return pyValue{}, err
		}
		items = append(items, it)
		p.space()
		if p.eat(',') {
			comma = true
			continue
		}
		if !p.eat(closing) {
			return pyValue{}, p.errorf("want ',' or %q in a sequence", closing)
		}
		break
	}
	if kind == 't' && len(items) == 1 && !comma {
		return items[0], nil
	}
	return pyValue{kind: kind, items: items}, nil
}

// WriteNPY writes a as an NPY version 1.0 file (2.0 if the header does not
// fit), padding the header so that the data starts at a multiple of 64 bytes
// as numpy does. a.DType must be "<f8" (or ""), "<f4", "<i8" or "|b1"; integer
// and bool types require integral and 0/1 values. Everything is checked
// before the first byte is written, so an error leaves w untouched.
func WriteNPY(w io.Writer, a *Array) error {
	if a == nil {
		return errors.New("WriteNPY: nil array")
	}
	descr := a.DType
	if descr == "" {
		descr = "<f8"
	}
	count, err := shapeCount(a.Shape)
	if err != nil {
		return err
	}
	if count != len(a.Data) {
		return fmt.Errorf("shape %s holds %d values but data has %d", formatShape(a.Shape), count, len(a.Data))
	}
	if err := checkWritable(descr, a.Data); err != nil {
		return err
	}
	pre, err := npyPreamble(descr, a.Shape)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	if _, err := bw.Write(pre); err != nil {
		return err
	}
	if err := encodeValues(bw, descr, a.Data); err != nil {
		return err
	}
	return bw.Flush()
}

// checkWritable refuses values that descr cannot hold, so that writing never
// changes a value silently (float32 rounding excepted: that is the point of
// choosing it).
func checkWritable(descr string, data []float64) error {
	switch descr {
	case "<f8":
	case "<f4":
		for i, v := range data {
			if f := float32(v); math.IsInf(float64(f), 0) && !math.IsInf(v, 0) {
				return fmt.Errorf("value %d is %v, which overflows float32", i, v)
			}
		}
	case "<i8":
		for i, v := range data {
			// -2^63 is exact in float64 and fits; 2^63 does not fit.
			if v != math.Trunc(v) || v < -(1<<63) || v >= 1<<63 {
				return fmt.Errorf("value %d is %v, want an integer for dtype <i8", i, v)
			}
		}
	case "|b1":
		for i, v := range data {
			if v != 0 && v != 1 {
				return fmt.Errorf("value %d is %v, want 0 or 1 for dtype |b1", i, v)
			}
		}
	default:
		return fmt.Errorf("cannot write dtype %q; writable dtypes: %s", descr, strings.Join(writableDTypes, " "))
	}
	return nil
}

// npyPreamble returns magic, version, header length and header.
func npyPreamble(descr string, shape []int) ([]byte, error) {
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, formatShape(shape))
	const align = 64
	for _, v := range []struct {
		major  byte
		prefix int
	}{{1, 10}, {2, 12}} {
		total := v.prefix + len(dict) + 1 // +1 for the final newline
		total += (align - total%align) % align
		hlen := total - v.prefix
		if v.major == 1 && hlen > math.MaxUint16 || hlen > maxNPYHeader {
			continue
		}
		out := make([]byte, 0, total)
		out = append(out, npyMagic...)
		out = append(out, v.major, 0)
		if v.major == 1 {
			out = binary.LittleEndian.AppendUint16(out, uint16(hlen))
		} else {
			out = binary.LittleEndian.AppendUint32(out, uint32(hlen))
		}
		out = append(out, dict...)
		for len(out) < total-1 {
			out = append(out, ' ')
		}
		return append(out, '\n'), nil
	}
	return nil, fmt.Errorf("shape with %d axes makes a header longer than the %d bytes ReadNPY accepts", len(shape), maxNPYHeader)
}

// encodeValues writes data as little-endian descr values, a chunk at a time.
func encodeValues(w io.Writer, descr string, data []float64) error {
	var size int
	switch descr {
	case "<f8", "<i8":
		size = 8
	case "<f4":
		size = 4
	default:
		size = 1
	}
	buf := make([]byte, 1<<16)
	le := binary.LittleEndian
	for len(data) > 0 {
		n := min(len(data), len(buf)/size)
		chunk := data[:n]
		switch descr {
		case "<f8":
			for i, v := range chunk {
				le.PutUint64(buf[i*8:], math.Float64bits(v))
			}
		case "<i8":
			for i, v := range chunk {
				le.PutUint64(buf[i*8:], uint64(int64(v)))
			}
		case "<f4":
			for i, v := range chunk {
				le.PutUint32(buf[i*4:], math.Float32bits(float32(v)))
			}
		case "|b1":
			for i, v := range chunk {
				buf[i] = 0
				if v == 1 {
					buf[i] = 1
				}
			}
		}
		if _, err := w.Write(buf[:n*size]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// WriteNPYFile writes a to path through a temporary file and a rename, so
// that path never holds a partly written array: either the old file, the
// complete new one, or nothing.
func WriteNPYFile(path string, a *Array) error {
	return atomicfile.Write(path, func(w io.Writer) error { return WriteNPY(w, a) })
}
