package figure

// Files keeps the files of figures in memory, by name: a Sink for tests,
// and for callers that store figures elsewhere than in a directory.
type Files map[string][]byte

// WriteFile keeps a copy of data under name.
func (f Files) WriteFile(name string, data []byte) error {
	f[name] = append([]byte(nil), data...)
	return nil
}
