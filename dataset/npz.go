package dataset

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// NPZ holds the arrays of an NPZ archive, the format numpy.savez and
// numpy.savez_compressed write: a zip archive with one NPY file per array,
// named <key>.npy, stored or deflated.
type NPZ struct {
	// Keys lists the keys in archive order, which is the order savez was
	// given the arrays in.
	Keys []string
	// Arrays maps each key to its array.
	Arrays map[string]*Array
}

// maxDeflateRatio bounds how much deflate can expand: a 258-byte match
// costs at least 2 bits, so no stream inflates more than 1032-fold. A
// member declaring more is corrupt, and checking this keeps a small archive
// from making the reader allocate for data it cannot hold.
const maxDeflateRatio = 1032

// ReadNPZ reads the NPZ archive of size bytes in r. Every member must be an
// NPY file named <key>.npy, stored or deflated, with a key no other member
// has; errors name the key. Each member's declared size must be what its NPY
// header needs and what its compressed bytes can hold, so that a corrupt
// archive fails before the reader allocates for it.
func ReadNPZ(r io.ReaderAt, size int64) (*NPZ, error) {
	return readNPZ(r, size, nil)
}

// readNPZ reads the archive as ReadNPZ does; the arrays whose keys
// headerOnly accepts (none when it is nil) are read up to their NPY header
// only: their Data is nil, their shape and dtype checked.
func readNPZ(r io.ReaderAt, size int64, headerOnly func(key string) bool) (*NPZ, error) {
	zr, err := zip.NewReader(r, size)
	// Names are only keys here, never paths to write to: an insecure path
	// is no concern (and becomes an unknown key for a dataset).
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		var magic [len(npyMagic)]byte
		if n, _ := r.ReadAt(magic[:], 0); n == len(magic) && string(magic[:]) == npyMagic {
			return nil, errors.New("an NPY file, not an NPZ archive: read it with ReadNPYFile, or save it with numpy.savez")
		}
		return nil, fmt.Errorf("not an NPZ archive (numpy.savez writes zip archives): %w", err)
	}
	z := &NPZ{Arrays: make(map[string]*Array, len(zr.File))}
	for _, f := range zr.File {
		key, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok || key == "" {
			return nil, fmt.Errorf("member %q is not an array: numpy.savez writes only <key>.npy members", f.Name)
		}
		if _, dup := z.Arrays[key]; dup {
			return nil, fmt.Errorf("key %q: the archive holds two members named %q", key, f.Name)
		}
		a, err := readNPZMember(f, size, headerOnly != nil && headerOnly(key))
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", key, err)
		}
		z.Keys = append(z.Keys, key)
		z.Arrays[key] = a
	}
	return z, nil
}

// ReadNPZFile reads the NPZ archive at path. Every error names the path.
func ReadNPZFile(path string) (*NPZ, error) {
	return readNPZFile(path, nil)
}

func readNPZFile(path string, headerOnly func(key string) bool) (*NPZ, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *fs.PathError already names the path
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	z, err := readNPZ(f, fi.Size(), headerOnly)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return z, nil
}

// readNPZMember reads one member of an archive of archiveSize bytes, or
// only its header.
func readNPZMember(f *zip.File, archiveSize int64, headerOnly bool) (*Array, error) {
	if f.Flags&0x1 != 0 {
		return nil, errors.New("the member is encrypted, which numpy never writes")
	}
	comp, uncomp := f.CompressedSize64, f.UncompressedSize64
	switch f.Method {
	case zip.Store:
		if comp != uncomp {
			return nil, fmt.Errorf("stored member declares %d bytes compressed but %d uncompressed", comp, uncomp)
		}
	case zip.Deflate:
		if uncomp/maxDeflateRatio > comp {
			return nil, fmt.Errorf("member declares %d bytes inflated from %d, beyond what deflate can produce", uncomp, comp)
		}
	default:
		return nil, fmt.Errorf("compression method %d is not supported: numpy writes stored (savez) or deflated (savez_compressed) members", f.Method)
	}
	off, err := f.DataOffset()
	if err != nil {
		return nil, err
	}
	if off < 0 || off > archiveSize || comp > uint64(archiveSize-off) {
		return nil, fmt.Errorf("member declares %d compressed bytes at offset %d of a %d-byte archive", comp, off, archiveSize)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	p, err := readNPYPrefix(rc)
	if err != nil {
		return nil, err
	}
	if need := p.consumed + p.dataSize(); uint64(need) != uncomp {
		return nil, fmt.Errorf("member declares %d bytes but its NPY header (shape %s of %s) makes %d",
			uncomp, formatShape(p.header.shape), p.dt.descr, need)
	}
	if headerOnly {
		return &Array{Shape: p.header.shape, DType: p.dt.descr}, nil
	}
	// A stored member's bytes are in the archive: allocate once. Deflate can
	// expand 1032-fold, so trusting the declared size would let a small
	// corrupt archive allocate gigabytes; real arrays rarely compress beyond
	// 8 values a byte, and past that the data grows as it inflates.
	capHint := p.count
	if f.Method == zip.Deflate {
		capHint = int(min(uint64(p.count), max(1<<16, 8*comp)))
	}
	return p.readData(rc, capHint)
}
