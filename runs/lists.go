package runs

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// FloatList is a per-modality list of numbers. In a config file it is a
// number, a list of numbers or a string "1.0,0.4"; on the command line,
// "1.0,0.4".
type FloatList []float64

// IntList is a list of integers, written like FloatList.
type IntList []int

// StringList is a per-modality list of names, written "patch,mlp" on the
// command line and as a string or a list of strings in a config file.
type StringList []string

// At returns the value for modality r: the r-th value, or the only one.
func (l StringList) At(r int) string {
	if len(l) == 1 {
		return l[0]
	}
	return l[r]
}

func (l StringList) String() string { return strings.Join(l, ",") }

// UnmarshalJSON accepts "patch", ["patch", "mlp"] and "patch,mlp".
func (l *StringList) UnmarshalJSON(b []byte) error {
	var many []string
	if err := json.Unmarshal(b, &many); err == nil {
		*l = many
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("not a string or a list of strings")
	}
	*l = parseStringList(s)
	return nil
}

func parseStringList(s string) StringList {
	if strings.TrimSpace(s) == "" {
		return StringList{}
	}
	var l StringList
	for _, part := range strings.Split(s, ",") {
		l = append(l, strings.TrimSpace(part))
	}
	return l
}

// At returns the value for modality r: the r-th value, or the only one.
func (l FloatList) At(r int) float64 {
	if len(l) == 1 {
		return l[0]
	}
	return l[r]
}

// At returns the value for modality r: the r-th value, or the only one.
func (l IntList) At(r int) int {
	if len(l) == 1 {
		return l[0]
	}
	return l[r]
}

func (l FloatList) String() string {
	s := make([]string, len(l))
	for i, v := range l {
		s[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strings.Join(s, ",")
}

func (l IntList) String() string {
	s := make([]string, len(l))
	for i, v := range l {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}

// UnmarshalJSON accepts 0.4, [1.0, 0.4] and "1.0,0.4".
func (l *FloatList) UnmarshalJSON(b []byte) error {
	return unmarshalList(b, l, parseFloatList)
}

// UnmarshalJSON accepts 1, [0, 1] and "0,1".
func (l *IntList) UnmarshalJSON(b []byte) error {
	return unmarshalList(b, l, parseIntList)
}

func unmarshalList[L ~[]E, E int | float64](b []byte, l *L, parse func(string) (L, error)) error {
	var one E
	if err := json.Unmarshal(b, &one); err == nil {
		*l = L{one}
		return nil
	}
	var many []E
	if err := json.Unmarshal(b, &many); err == nil {
		*l = many
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("not a list")
	}
	v, err := parse(s)
	if err != nil {
		return err
	}
	*l = v
	return nil
}

func parseFloatList(s string) (FloatList, error) {
	l := FloatList{}
	if strings.TrimSpace(s) == "" {
		return l, nil
	}
	for _, part := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil {
			return nil, err
		}
		l = append(l, v)
	}
	return l, nil
}

func parseIntList(s string) (IntList, error) {
	l := IntList{}
	if strings.TrimSpace(s) == "" {
		return l, nil
	}
	for _, part := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return nil, err
		}
		l = append(l, v)
	}
	return l, nil
}
