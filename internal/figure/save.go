package figure

import (
	"bytes"
	"errors"
	"fmt"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Sink receives the files of figures: a run directory, or memory in tests.
type Sink interface {
	WriteFile(name string, data []byte) error
}

// File is a figure to save: its base file name, its size, and how to draw
// it.
type File struct {
	Name          string
	Width, Height vg.Length
	Draw          func(draw.Canvas) error
}

// Built draws the figure build makes, building it on the first call only
// (Save draws each figure twice, as PNG and SVG). Building inside the
// drawing lets Render turn a panic of gonum/plot while building into an
// error too.
func Built(build func() (Figure, error)) func(draw.Canvas) error {
	var f Figure
	var err error
	done := false
	return func(c draw.Canvas) error {
		if !done {
			f, err = build()
			done = true
		}
		if err != nil {
			return err
		}
		f.Draw(c)
		return nil
	}
}

// Save renders every file as <name>.png and <name>.svg into sink and returns
// the names written. A figure that fails does not stop the others: each
// stands alone.
func Save(sink Sink, files []File) ([]string, error) {
	var names []string
	var errs []error
	for _, f := range files {
		written, err := save(sink, f)
		names = append(names, written...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return names, errors.Join(errs...)
}

// save renders f to PNG and SVG into sink and returns their names.
func save(sink Sink, f File) ([]string, error) {
	var names []string
	for _, format := range []string{"png", "svg"} {
		b, err := Render(format, f.Width, f.Height, f.Draw)
		if err != nil {
			return names, fmt.Errorf("%s.%s: %w", f.Name, format, err)
		}
		name := f.Name + "." + format
		if err := sink.WriteFile(name, b); err != nil {
			return names, err
		}
		names = append(names, name)
	}
	return names, nil
}

// Render draws fn on a new w×h canvas of format ("png" or "svg") and
// returns the encoded file. gonum/plot panics on some inputs (a
// non-positive value on its log scale, a colour map whose min is not below
// its max); Render turns a panic into an error, so that a figure that
// cannot be drawn never takes down the run that made the numbers.
func Render(format string, w, h vg.Length, fn func(draw.Canvas) error) (b []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			b, err = nil, fmt.Errorf("drawing failed: %v", p)
		}
	}()
	var cw vg.CanvasWriterTo
	switch format {
	case "png":
		cw = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(pngDPI))}
	case "svg":
		cw = vgsvg.New(w, h)
	default:
		return nil, fmt.Errorf("unknown image format %q", format)
	}
	if err := fn(draw.New(cw)); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := cw.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
