package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/modcomp/modcomp/runs"
)

// slurmFlags are the flags of sweep that submit it to Slurm.
func slurmFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "slurm", Usage: "submit the sweep to Slurm as an array job of `N` tasks, one per shard, into --dir (on a file system the compute nodes share)"},
		&cli.StringSliceFlag{Name: "sbatch-arg", Usage: "with --slurm: pass one option `ARG` to sbatch, e.g. --sbatch-arg=--time=60 --sbatch-arg='--partition gpu' (repeat)"},
		&cli.BoolFlag{Name: "wait", Usage: "with --slurm: wait until every task has ended, then aggregate into the sweep directory"},
	}
}

// sweepSubcommands follow a sweep submitted with --slurm.
func sweepSubcommands(stdout, stderr io.Writer) []*cli.Command {
	quiet := &cli.BoolFlag{Name: "quiet", Usage: "print only the result"}
	jsonFlag := &cli.BoolFlag{Name: "json", Usage: "print the result as JSON"}
	return []*cli.Command{
		{
			Name:      "status",
			Usage:     "show a sweep directory's points complete and missing per shard, and the state of its Slurm tasks",
			ArgsUsage: "DIR",
			Flags:     []cli.Flag{jsonFlag},
			Action: func(c *cli.Context) error {
				return sweepStatus(c, stdout)
			},
			OnUsageError: onUsageError,
		},
		{
			Name:        "wait",
			Usage:       "wait until the Slurm tasks of a sweep directory have ended, then aggregate its points into it",
			ArgsUsage:   "DIR",
			Description: "Exits non-zero and names the points missing when a task failed, was cancelled or timed out.",
			Flags:       []cli.Flag{quiet, jsonFlag},
			Action: func(c *cli.Context) error {
				dir, err := oneDir(c, "sweep wait")
				if err != nil {
					return err
				}
				return waitSlurm(c, stdout, stderr, dir)
			},
			OnUsageError: onUsageError,
		},
		{
			Name:      "resubmit",
			Usage:     "submit again to Slurm the shards of a sweep directory that miss points and whose task has ended",
			ArgsUsage: "DIR",
			Description: "Uses the sweep file, the job script and the sbatch options recorded in DIR/slurm;\n" +
				"--sbatch-arg adds options (a later one wins, e.g. a longer --time).",
			Flags: []cli.Flag{
				&cli.StringSliceFlag{Name: "sbatch-arg", Usage: "pass one more option `ARG` to sbatch (repeat)"},
				&cli.BoolFlag{Name: "wait", Usage: "wait until every task has ended, then aggregate into the sweep directory"},
				quiet, jsonFlag,
			},
			Action: func(c *cli.Context) error {
				return sweepResubmit(c, stdout, stderr)
			},
			OnUsageError: onUsageError,
		},
	}
}

// oneDir returns the single directory argument of command.
func oneDir(c *cli.Context, command string) (string, error) {
	if err := flagsAfterArgs(c, command); err != nil {
		return "", err
	}
	if c.NArg() != 1 {
		return "", usageError{fmt.Errorf("%s needs one argument: the sweep directory", command)}
	}
	return c.Args().First(), nil
}

// executable is the modcomp binary running now, for the Slurm tasks to run.
func executable() (string, error) {
	path, err := os.Executable()
	if err == nil {
		path, err = filepath.EvalSymlinks(path)
	}
	if err != nil {
		return "", fmt.Errorf("cannot tell which modcomp binary is running, for the Slurm tasks to run: %w", err)
	}
	return path, nil
}

// sweepSlurm submits the sweep of cfg over axes to Slurm, and with --wait
// waits for it and aggregates.
func sweepSlurm(c *cli.Context, stdout, stderr io.Writer, cfg runs.Config, axes []runs.Axis) error {
	n := c.Int("slurm")
	if n < 1 {
		return usageError{fmt.Errorf("--slurm %d: want the number of array tasks, at least 1", n)}
	}
	if c.IsSet("shard") {
		return usageError{errors.New("--slurm N runs each shard I/N as array task I: drop --shard")}
	}
	exe, err := executable()
	if err != nil {
		return err
	}
	sub, err := runs.SubmitSweep(c.Context, cfg, axes, runs.SlurmOptions{
		Dir: c.String("dir"), Tasks: n, SbatchArgs: c.StringSlice("sbatch-arg"), Executable: exe,
	})
	if err != nil {
		return err
	}
	return afterSubmit(c, stdout, stderr, sub)
}

func sweepResubmit(c *cli.Context, stdout, stderr io.Writer) error {
	dir, err := oneDir(c, "sweep resubmit")
	if err != nil {
		return err
	}
	exe, err := executable()
	if err != nil {
		return err
	}
	sub, err := runs.ResubmitSweep(c.Context, dir, c.StringSlice("sbatch-arg"), exe, nil)
	if err != nil {
		return err
	}
	return afterSubmit(c, stdout, stderr, sub)
}

// afterSubmit reports a submission; with --wait it waits and aggregates.
func afterSubmit(c *cli.Context, stdout, stderr io.Writer, sub *runs.SlurmSubmission) error {
	wait := c.Bool("wait")
	w := stdout
	if wait {
		w = stderr // the table goes to stdout once the job has ended
		if c.Bool("quiet") {
			w = io.Discard
		}
	}
	if c.Bool("json") && !wait {
		return printJSON(stdout, sub)
	}
	if !c.Bool("json") || wait {
		printSubmission(w, sub, wait)
	}
	if !wait {
		return nil
	}
	return waitSlurm(c, stdout, stderr, sub.Dir)
}

func printSubmission(w io.Writer, sub *runs.SlurmSubmission, wait bool) {
	if sub.CopiedExecutable != "" {
		fmt.Fprintf(w, "note: this modcomp is a temporary binary of go run; the tasks run its copy %s\n", sub.CopiedExecutable)
	}
	if len(sub.Running) > 0 {
		fmt.Fprintf(w, "%s not ended in an earlier job: left to it\n", shards(sub.Running, "has", "have"))
	}
	if sub.Job == "" {
		if len(sub.Running) == 0 {
			fmt.Fprintf(w, "nothing to submit: all %d points are complete\n", sub.Points)
		}
	} else {
		word := "tasks"
		if len(sub.Tasks) == 1 {
			word = "task"
		}
		fmt.Fprintf(w, "submitted Slurm job %s: array %s %s of 0-%d (task I runs shard I/%d); %d of %d points to run\n",
			sub.Job, word, runs.ArraySpec(sub.Tasks), sub.Shards-1, sub.Shards, sub.Missing, sub.Points)
	}
	fmt.Fprintf(w, "sweep directory: %s\n", sub.Dir)
	if sub.Job != "" {
		fmt.Fprintf(w, "task logs:       %s\n", strings.ReplaceAll(sub.Logs, "%a", "<task>"))
	}
	if !wait {
		if sub.Job != "" || len(sub.Running) > 0 {
			fmt.Fprintf(w, "follow it:       modcomp sweep status %s\n", sub.Dir)
		}
		fmt.Fprintf(w, "aggregate:       modcomp sweep wait %s   (waits until the tasks have ended, then writes sweep.csv, sweep.md and the plots into the directory)\n", sub.Dir)
	}
}

// waitSlurm waits for the Slurm tasks of dir and prints the aggregate.
func waitSlurm(c *cli.Context, stdout, stderr io.Writer, dir string) error {
	opts := runs.WaitOptions{}
	if !c.Bool("quiet") {
		opts.Progress = stderr
	}
	out, err := runs.WaitSweep(c.Context, dir, opts)
	if out == nil {
		return err
	}
	if c.Bool("json") {
		if jerr := printJSON(stdout, out); jerr != nil {
			return jerr
		}
		return err
	}
	st := out.Status
	fmt.Fprint(stdout, out.Table)
	fmt.Fprintf(stdout, "%d of %d points complete; %s\nsweep directory: %s\n", st.Complete, st.Total, jobList(st), st.Dir)
	return err
}

// jobList names a sweep's Slurm jobs: "Slurm jobs 12 (tasks 0-1), 14 (task 1)".
// A sweep that never ran on Slurm has "no Slurm job".
func jobList(st *runs.SlurmStatus) string {
	if len(st.Jobs) == 0 {
		return "no Slurm job"
	}
	var parts []string
	for _, j := range st.Jobs {
		word := "tasks"
		if len(j.Tasks) == 1 {
			word = "task"
		}
		parts = append(parts, fmt.Sprintf("%s (%s %s)", j.ID, word, runs.ArraySpec(j.Tasks)))
	}
	if len(parts) == 1 {
		return "Slurm job " + parts[0]
	}
	return "Slurm jobs " + strings.Join(parts, ", ")
}

func sweepStatus(c *cli.Context, stdout io.Writer) error {
	dir, err := oneDir(c, "sweep status")
	if err != nil {
		return err
	}
	st, err := runs.SweepStatus(c.Context, dir, nil)
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return printJSON(stdout, st)
	}
	fmt.Fprintf(stdout, "sweep directory: %s\n", st.Dir)
	plural := "s"
	if len(st.Shards) == 1 {
		plural = ""
	}
	fmt.Fprintf(stdout, "%d points in %d shard%s; %s\n\n", st.Total, len(st.Shards), plural, jobList(st))
	fmt.Fprint(stdout, st.Table())
	fmt.Fprintln(stdout)
	if len(st.Missing) == 0 {
		fmt.Fprintf(stdout, "%d of %d points complete\n", st.Complete, st.Total)
	} else {
		fmt.Fprintf(stdout, "%d of %d points complete; missing: %s\n", st.Complete, st.Total, st.MissingLabels())
	}
	var ended, running []int
	for _, sh := range st.Shards {
		switch {
		case sh.State == runs.TaskUnknown:
		case slices.Contains(st.Active(), sh.Shard):
			running = append(running, sh.Shard)
		case len(sh.Missing) > 0:
			ended = append(ended, sh.Shard)
		}
	}
	if len(st.Jobs) == 0 {
		fmt.Fprintf(stdout, "this sweep was not submitted to Slurm (modcomp sweep --slurm N)\n")
		return nil
	}
	if len(st.Unknown()) > 0 {
		fmt.Fprintf(stdout, "cannot tell whether %s ended: %s\n", shards(st.Unknown(), "has", "have"), st.SchedulerError)
	}
	if len(ended) > 0 {
		fmt.Fprintf(stdout, "%s ended with points missing (logs in %s); resubmit: modcomp sweep resubmit %s\n",
			shards(ended, "has", "have"), filepath.Join(st.Dir, "slurm", "logs"), st.Dir)
	}
	if len(running) > 0 {
		fmt.Fprintf(stdout, "%s not ended; wait and aggregate: modcomp sweep wait %s\n", shards(running, "has", "have"), st.Dir)
	}
	if len(st.Unknown())+len(ended)+len(running) == 0 {
		fmt.Fprintf(stdout, "every task has ended; modcomp sweep wait %s aggregates the points into the directory\n", st.Dir)
	}
	return nil
}

// shards names shards with a verb: "shard 1 has", "shards 0-2 have".
func shards(list []int, one, many string) string {
	if len(list) == 1 {
		return fmt.Sprintf("shard %d %s", list[0], one)
	}
	return fmt.Sprintf("shards %s %s", runs.ArraySpec(list), many)
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
