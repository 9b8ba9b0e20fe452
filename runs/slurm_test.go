package runs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fakeCommand writes an executable shell script name into dir.
func fakeCommand(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestSlurmSubmit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name, sbatch string // the fake sbatch's body; "" for none
		wantJob      string
		wantErr      []string
	}{
		{"job id", `echo "$@" > "$(dirname "$0")/args"; echo 42`, "42", nil},
		{"job id and cluster", `echo "42;cluster-a"`, "42", nil},
		{"missing", "", "", []string{"Slurm is not available here", "sbatch not found"}},
		{"refused", `echo "sbatch: error: invalid partition specified: nope" >&2; echo "sbatch: error: Batch job submission failed: Invalid partition name specified" >&2; exit 1`, "",
			[]string{"sbatch refused the job: sbatch: error: invalid partition specified: nope sbatch: error: Batch job submission failed: Invalid partition name specified"}},
		{"refused without a word", `exit 3`, "", []string{"sbatch refused the job: exit status 3"}},
		{"not a job id", `echo "Submitted batch job 42"`, "", []string{`sbatch printed "Submitted batch job 42", want a job id`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bin := t.TempDir()
			if tc.sbatch != "" {
				fakeCommand(t, bin, "sbatch", tc.sbatch)
			}
			job, err := Slurm{Bin: bin}.Submit(ctx, "/sweep/slurm/array.sbatch", []int{1, 3, 4, 5})
			if job != tc.wantJob {
				t.Errorf("job %q, want %q", job, tc.wantJob)
			}
			if tc.wantErr == nil && err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v, want one mentioning %q", err, w)
				}
			}
			if tc.sbatch == "" && !errors.Is(err, ErrNoScheduler) {
				t.Errorf("sbatch missing: %v is not ErrNoScheduler", err)
			}
			if tc.name == "job id" {
				args, _ := os.ReadFile(filepath.Join(bin, "args"))
				if got, want := string(args), "--parsable --array=1,3-5 /sweep/slurm/array.sbatch\n"; got != want {
					t.Errorf("sbatch ran with %q, want %q", got, want)
				}
			}
		})
	}
}

func TestSlurmTasks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name, squeue string
		want         map[int]string
		wantErr      string
	}{
		{"pending array", `echo "12|0-3|PENDING"`, map[int]string{0: "PENDING", 1: "PENDING", 2: "PENDING", 3: "PENDING"}, ""},
		{"split", `printf '12|2-3%%1|PENDING\n12|1|RUNNING\n12|0|COMPLETED\n'`, map[int]string{0: "COMPLETED", 1: "RUNNING", 2: "PENDING", 3: "PENDING"}, ""},
		{"cancelled by", `printf '12|1|CANCELLED by 0\n12|0|COMPLETED\n'`, map[int]string{0: "COMPLETED", 1: "CANCELLED"}, ""},
		{"forgotten", `echo "slurm_load_jobs error: Invalid job id specified" >&2; exit 1`, nil, "Slurm does not know this job"},
		{"nothing listed", `exit 0`, nil, "Slurm does not know this job"},
		{"controller down", `echo "slurm_load_jobs error: Unable to contact slurm controller (connect failure)" >&2; exit 1`, nil, "squeue: slurm_load_jobs error: Unable to contact slurm controller"},
		{"garbage", `echo "12 0 RUNNING"`, nil, `want ARRAYJOB|TASKS|STATE`},
		{"missing", "", nil, "squeue not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bin := t.TempDir()
			if tc.squeue != "" {
				fakeCommand(t, bin, "squeue", `[ "$*" = "-j 12 -t all -h -o %F|%K|%T" ] || { echo "unexpected arguments: $*" >&2; exit 2; }`+"\n"+tc.squeue)
			}
			got, err := Slurm{Bin: bin}.Tasks(ctx, "12")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %v, want one mentioning %q", err, tc.wantErr)
				}
				if strings.Contains(tc.wantErr, "does not know") && !errors.Is(err, ErrJobUnknown) {
					t.Errorf("%v is not ErrJobUnknown", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("states %v, want %v", got, tc.want)
			}
		})
	}
}

func TestArraySpec(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tasks []int
		spec  string
	}{
		{[]int{0}, "0"},
		{[]int{0, 1}, "0-1"},
		{[]int{1, 3}, "1,3"},
		{[]int{0, 1, 2, 5, 7, 8}, "0-2,5,7-8"},
	} {
		if got := ArraySpec(tc.tasks); got != tc.spec {
			t.Errorf("ArraySpec(%v) = %q, want %q", tc.tasks, got, tc.spec)
		}
		if got, err := parseArraySpec(tc.spec); err != nil || !reflect.DeepEqual(got, tc.tasks) {
			t.Errorf("parseArraySpec(%q) = %v, %v; want %v", tc.spec, got, err, tc.tasks)
		}
	}
	for spec, want := range map[string][]int{"[0-3]": {0, 1, 2, 3}, "0,2,5-7%1": {0, 2, 5, 6, 7}, "1-7:3": {1, 4, 7}} {
		if got, err := parseArraySpec(spec); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("parseArraySpec(%q) = %v, %v; want %v", spec, got, err, want)
		}
	}
	for _, bad := range []string{"", "x", "3-1", "1-", "-1", "0-4:0", "0-99999999999"} {
		if got, err := parseArraySpec(bad); err == nil {
			t.Errorf("parseArraySpec(%q) = %v, want an error", bad, got)
		}
	}
}
