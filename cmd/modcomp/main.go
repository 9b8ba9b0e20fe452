// Command modcomp reproduces and extends "Modality Competition" (Huang et
// al., ICML 2022): it trains uni-modal and late-fusion joint networks on the
// paper's synthetic multi-modal data and shows when joint training loses to
// the best uni-modal model because the modalities compete.
//
//	modcomp compare                  the headline comparison on the default configuration
//	modcomp train --modalities 0,1   one network, every seed
//	modcomp sweep --grid KEY=VALUES  compare at every point of a grid; resumable, shardable
//	modcomp sweep ... --slurm N      the same as a Slurm array job of N tasks (--wait, sweep status, wait, resubmit)
//	modcomp aggregate DIR...         merge sweep directories (e.g. shards) into one table
//	modcomp data import --npz F DIR  check numpy arrays and write them as a dataset directory
//	modcomp data export DIR          write a dataset as NPY
//	modcomp data inspect DIR|F.npz   describe a dataset as --data reads it
//	modcomp status DIR...            running, complete, interrupted (even after kill -9) or failed
//	modcomp version
//
// Run any command with --help for its flags.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/runs"
)

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// Exit codes.
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// run executes the command line args and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := interruptible(stderr)
	defer stop()
	app := newApp(stdout, stderr)
	err := app.RunContext(ctx, args)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, runs.ErrInterrupted):
		if err == runs.ErrInterrupted {
			fmt.Fprintln(stderr, "modcomp: interrupted; the run directory holds everything finished before")
		} else {
			fmt.Fprintf(stderr, "modcomp: %v\n", err) // it says what was interrupted
		}
		return exitInterrupted
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "modcomp: %v\n", err)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "modcomp: %v\n", err)
		return exitError
	}
}

// usageError is a mistake on the command line.
type usageError struct{ error }

// onUsageError turns urfave/cli's flag errors into a usageError, so that the
// error is printed once, on stderr, without the help text.
func onUsageError(_ *cli.Context, err error, _ bool) error {
	return usageError{err}
}

// interruptible returns a context cancelled by the first SIGINT or SIGTERM,
// so training stops cleanly between steps and the results so far are
// written; a second signal exits at once.
func interruptible(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-sig; !ok {
			return
		}
		fmt.Fprintln(stderr, "\nmodcomp: stopping after the current step and writing results; interrupt again to exit at once")
		cancel()
		if _, ok := <-sig; ok {
			os.Exit(exitInterrupted)
		}
	}()
	return ctx, func() {
		signal.Stop(sig)
		close(sig)
		cancel()
	}
}

func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:      "modcomp",
		Usage:     "measure modality competition in multi-modal training (Huang et al., ICML 2022)",
		Version:   runs.Version,
		Writer:    stdout,
		ErrWriter: stderr,
		// Errors are printed once, by run, with the right exit code.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   onUsageError,
		Suggest:        true,
		// A --grid value holds commas (n-train=100,200): one flag, one axis.
		DisableSliceFlagSeparator: true,
		Commands: []*cli.Command{
			{
				Name:  "compare",
				Usage: "train each uni-modal network and the joint network on the same data and compare them (the paper's headline result)",
				Description: "With no flags, runs the embedded default configuration over its default seeds.\n" +
					"Flags override keys of --config, which override the defaults.\n" +
					"Writes a run directory <out>/<UTC timestamp>-<name>/ and prints its table.",
				Flags:        configFlags(),
				OnUsageError: onUsageError,
				Action:       func(c *cli.Context) error { return compare(c, stdout, stderr) },
			},
			{
				Name:         "train",
				Usage:        "train one network: uni-modal (--modalities 0) or late-fusion joint (--modalities 0,1)",
				Description:  "Trains the network for every seed and writes a run directory like compare.",
				Flags:        configFlags(),
				OnUsageError: onUsageError,
				Action:       func(c *cli.Context) error { return train(c, stdout, stderr) },
			},
			{
				Name:  "sweep",
				Usage: "run compare at every point of a grid over configuration keys, and aggregate the points into tables and phase diagrams (here, or on Slurm with --slurm N)",
				Description: "Every point is a full compare over --seeds seeds. Grid axes (repeat --grid):\n" +
					"  --grid n-train=100,200,400          scalar keys: values separated by commas\n" +
					"  --grid alpha=1,0.4:1,0.6            per-modality keys: lists separated by colons\n" +
					"  --grid mu[0]=0.1..0.5/0.1           one modality's entry, a range from..to/step (ends included)\n" +
					"Running the same sweep again with the same --dir resumes it: complete points are kept.\n" +
					"With --slurm N the sweep is submitted to Slurm as an array job of N tasks, one per shard;\n" +
					"follow it with the commands below.",
				Flags: append(append(configFlags(),
					&cli.StringSliceFlag{Name: "grid", Usage: "a grid axis `KEY=VALUES` (repeat for more axes)"},
					&cli.StringFlag{Name: "sweep", Usage: "load configuration keys and a \"grid\" list of axes from a JSON or YAML `FILE`"},
					&cli.StringFlag{Name: "dir", Usage: "sweep directory `DIR`: resumed if it holds the same sweep (default: a new <out>/<timestamp>-<name>)"},
					&cli.StringFlag{Name: "shard", Usage: "run only shard `I/N` of the points (index mod N = I), e.g. for a Slurm job array"},
				), slurmFlags()...),
				Subcommands:  sweepSubcommands(stdout, stderr),
				OnUsageError: onUsageError,
				Action:       func(c *cli.Context) error { return sweep(c, stdout, stderr) },
			},
			{
				Name:      "aggregate",
				Usage:     "merge sweep directories (e.g. the shards of one sweep) into one table and its plots",
				ArgsUsage: "DIR...",
				Description: "Writes sweep.csv, sweep.md and the plots of every complete point into a new directory\n" +
					"<out>/<timestamp>-<name>/.",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "out", Value: "results", Usage: "directory under which the aggregate directory is created"},
					&cli.StringFlag{Name: "name", Value: "aggregate", Usage: "name appended to the aggregate directory's timestamp"},
					&cli.BoolFlag{Name: "quiet", Usage: "print only the directory"},
				},
				OnUsageError: onUsageError,
				Action:       func(c *cli.Context) error { return aggregate(c, stdout) },
			},
			{
				Name:  "data",
				Usage: "import, write or describe datasets",
				Subcommands: []*cli.Command{
					{
						Name:      "import",
						Usage:     "check your numpy arrays and write them as a dataset directory that --data reads",
						ArgsUsage: "DIR",
						Description: "From an NPZ archive (numpy.savez(path, x0=..., x1=..., y=...), optionally with val_x0, ..., val_y\n" +
							"and test_x0, ..., test_y), or from NPY files: one --x per modality, in order, and --y; a validation\n" +
							"and a test split with --val-x/--val-y and --test-x/--test-y, or neither (then each seed draws them,\n" +
							"see --split). Every array and value is checked before DIR, new or empty, is written.\n" +
							"  modcomp data import --npz mine.npz data/mine\n" +
							"  modcomp data import --x audio.npy --x video.npy --y labels.npy data/mine",
						Flags: []cli.Flag{
							taskFlag(),
							&cli.StringFlag{Name: "npz", Usage: "the NPZ archive `FILE`: keys x0, x1, ... and y, optionally val_* and test_*"},
							&cli.StringSliceFlag{Name: "x", Usage: "training inputs of the next modality, an NPY `FILE` of shape (n, ...) (repeat: one per modality, in order)"},
							&cli.StringFlag{Name: "y", Usage: "training labels, an NPY `FILE` of shape (n,)"},
							&cli.StringSliceFlag{Name: "val-x", Usage: "validation inputs of the next modality, an NPY `FILE` (repeat)"},
							&cli.StringFlag{Name: "val-y", Usage: "validation labels, an NPY `FILE`"},
							&cli.StringSliceFlag{Name: "test-x", Usage: "test inputs of the next modality, an NPY `FILE` (repeat)"},
							&cli.StringFlag{Name: "test-y", Usage: "test labels, an NPY `FILE`"},
						},
						OnUsageError: onUsageError,
						Action:       func(c *cli.Context) error { return dataImport(c, stdout) },
					},
					{
						Name:         "export",
						Usage:        "draw the configured dataset for --seed and write it as NPY arrays with a manifest",
						ArgsUsage:    "DIR",
						Flags:        configFlags(),
						OnUsageError: onUsageError,
						Action:       func(c *cli.Context) error { return dataExport(c, stdout) },
					},
					{
						Name:         "inspect",
						Usage:        "describe a dataset directory or an NPZ archive, as --data reads it: shapes, labels, sufficiency, statistics",
						ArgsUsage:    "DIR|FILE.npz",
						Flags:        []cli.Flag{taskFlag()},
						OnUsageError: onUsageError,
						Action:       func(c *cli.Context) error { return dataInspect(c, stdout) },
					},
				},
			},
			{
				Name:      "status",
				Usage:     "say how runs and sweeps stand: running, complete, failed, or interrupted (also when killed by kill -9)",
				ArgsUsage: "DIR...",
				Description: "Reads status.json of each run or sweep directory (and a sweep's shard status files). A directory\n" +
					"whose process is gone without recording how the run ended (kill -9, a crash) reads as interrupted.",
				OnUsageError: onUsageError,
				Action:       func(c *cli.Context) error { return status(c, stdout) },
			},
			{
				Name:  "version",
				Usage: "print modcomp's version and git commit",
				Action: func(c *cli.Context) error {
					commit := runs.Commit()
					if commit == "" {
						commit = "unknown"
					}
					fmt.Fprintf(stdout, "modcomp %s (commit %s)\n", runs.Version, commit)
					return nil
				},
			},
		},
	}
}

// taskFlag is the task key as a flag of the data commands, with its help.
func taskFlag() cli.Flag {
	for _, f := range runs.Fields() {
		if f.Key == "task" {
			return &cli.StringFlag{Name: f.Key, Usage: f.Help}
		}
	}
	panic("modcomp: the configuration has no key task") // a build defect, caught by tests
}

// configFlags has one flag per configuration key, plus --config, --quiet
// and --json. Configuration flags are strings parsed by runs, so that a flag
// and a config file accept the same spellings and give the same errors.
func configFlags() []cli.Flag {
	def := runs.Default()
	flags := []cli.Flag{
		&cli.StringFlag{Name: "config", Usage: "load configuration keys from a JSON or YAML `FILE` (keys are the flag names; flags given here win)"},
		&cli.BoolFlag{Name: "quiet", Usage: "print nothing but the result (no progress)"},
		&cli.BoolFlag{Name: "json", Usage: "print the summary as JSON on stdout instead of the table"},
	}
	for _, f := range runs.Fields() {
		flags = append(flags, &cli.StringFlag{Name: f.Key, Usage: f.Help, Value: def.Get(f.Key)})
	}
	return flags
}

// loadPlan resolves the configuration: defaults, then --config, then the
// flags set on the command line.
func loadPlan(c *cli.Context) (*runs.Plan, error) {
	cfg := runs.Default()
	if err := overlay(c, &cfg); err != nil {
		return nil, err
	}
	return cfg.Resolve()
}

// overlay applies --config and then the configuration flags set on the
// command line to cfg.
func overlay(c *cli.Context, cfg *runs.Config) error {
	if path := c.String("config"); path != "" {
		if err := cfg.LoadFile(path); err != nil {
			return err
		}
	}
	for _, f := range runs.Fields() {
		if c.IsSet(f.Key) {
			if err := cfg.Set(f.Key, c.String(f.Key)); err != nil {
				return usageError{fmt.Errorf("--%w", err)}
			}
		}
	}
	return nil
}

// options wires progress and logs: a status line as wide as the terminal
// and warnings on stderr when it is a terminal and --quiet is not given,
// nothing otherwise.
func options(c *cli.Context, stderr io.Writer, cfg *runs.Config, specs []runs.NetworkSpec) (runs.Options, func()) {
	f, ok := stderr.(*os.File)
	if c.Bool("quiet") || !ok || !term.IsTerminal(int(f.Fd())) {
		return runs.Options{}, func() {}
	}
	p := runs.NewProgress(stderr, cfg, specs)
	p.Columns = func() int {
		// Asked at every draw: the terminal may be resized while training.
		width, _, err := term.GetSize(int(f.Fd()))
		if err != nil {
			return 0
		}
		return width
	}
	logger := slog.New(slog.NewTextHandler(progressSafe{p, stderr}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return runs.Options{Events: p, Logger: logger}, p.Close
}

// progressSafe clears the status line before a log line is written.
type progressSafe struct {
	p *runs.Progress
	w io.Writer
}

func (s progressSafe) Write(b []byte) (int, error) {
	s.p.Close()
	return s.w.Write(b)
}

func compare(c *cli.Context, stdout, stderr io.Writer) error {
	if c.NArg() > 0 {
		return usageError{fmt.Errorf("compare takes no arguments, got %q", c.Args().Slice())}
	}
	plan, err := loadPlan(c)
	if err != nil {
		return err
	}
	opts, done := options(c, stderr, &plan.Config, runs.CompareNetworks(plan.K, plan.Methods))
	out, err := runs.Compare(c.Context, plan, opts)
	done()
	if err != nil {
		return err
	}
	return report(c, stdout, out)
}

func train(c *cli.Context, stdout, stderr io.Writer) error {
	if c.NArg() > 0 {
		return usageError{fmt.Errorf("train takes no arguments, got %q", c.Args().Slice())}
	}
	plan, err := loadPlan(c)
	if err != nil {
		return err
	}
	opts, done := options(c, stderr, &plan.Config, []runs.NetworkSpec{runs.TrainNetwork(plan.Config.Modalities, plan.K, plan.Config.Method)})
	out, err := runs.Train(c.Context, plan, opts)
	done()
	if err != nil {
		return err
	}
	return report(c, stdout, out)
}

// report prints a run's result: the table, or the summary as JSON, and the
// run directory; an interrupted run reports ErrInterrupted after printing.
func report(c *cli.Context, stdout io.Writer, out *runs.Outcome) error {
	if c.Bool("json") {
		var summary any = out.Compare
		if out.Train != nil {
			summary = out.Train
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			RunDir  string `json:"run_dir"`
			State   string `json:"state"`
			Summary any    `json:"summary"`
		}{out.Dir.Path, out.State, summary}); err != nil {
			return err
		}
	} else {
		fmt.Fprint(stdout, out.Table)
		fmt.Fprintf(stdout, "run directory: %s\n", out.Dir.Path)
	}
	if out.State == runs.StateInterrupted {
		return runs.ErrInterrupted
	}
	return nil
}

func sweep(c *cli.Context, stdout, stderr io.Writer) error {
	if c.NArg() > 0 {
		return usageError{fmt.Errorf("sweep takes no arguments, got %q", c.Args().Slice())}
	}
	cfg := runs.Default()
	var specs []string
	if path := c.String("sweep"); path != "" {
		grid, err := cfg.LoadSweepFile(path)
		if err != nil {
			return err
		}
		specs = grid
	}
	if err := overlay(c, &cfg); err != nil {
		return err
	}
	specs = append(specs, c.StringSlice("grid")...)
	var axes []runs.Axis
	for _, s := range specs {
		a, err := runs.ParseAxis(s)
		if err != nil {
			return usageError{err}
		}
		axes = append(axes, a)
	}
	if c.IsSet("slurm") {
		return sweepSlurm(c, stdout, stderr, cfg, axes)
	}
	for _, f := range []string{"wait", "sbatch-arg"} {
		if c.IsSet(f) {
			return usageError{fmt.Errorf("--%s goes with --slurm N", f)}
		}
	}
	opts := runs.SweepOptions{Dir: c.String("dir")}
	if s := c.String("shard"); s != "" {
		i, n, ok := strings.Cut(s, "/")
		var err1, err2 error
		opts.Shard, err1 = strconv.Atoi(i)
		opts.Shards, err2 = strconv.Atoi(n)
		if !ok || err1 != nil || err2 != nil || opts.Shards < 1 || opts.Shard < 0 || opts.Shard >= opts.Shards {
			return usageError{fmt.Errorf("--shard = %q: want I/N with 0 <= I < N, e.g. 0/4", s)}
		}
	}
	if !c.Bool("quiet") {
		opts.Progress = stderr
	}
	out, err := runs.Sweep(c.Context, cfg, axes, opts)
	if err != nil {
		return err
	}
	if c.Bool("json") {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		fmt.Fprint(stdout, out.Table)
		fmt.Fprintf(stdout, "%d of %d points complete (%d this run, %d found complete)\nsweep directory: %s\n",
			out.Skipped+out.Ran, out.Points, out.Ran, out.Skipped, out.Dir)
	}
	if out.State == runs.StateInterrupted {
		return runs.ErrInterrupted
	}
	return nil
}

func aggregate(c *cli.Context, stdout io.Writer) error {
	if c.NArg() == 0 {
		return usageError{errors.New("aggregate needs the sweep directories to merge, e.g. modcomp aggregate results/sweep-shard-*")}
	}
	if err := flagsAfterArgs(c, "aggregate"); err != nil {
		return err
	}
	dir, table, err := runs.AggregateInto(c.String("out"), c.String("name"), c.Args().Slice())
	if err != nil {
		return err
	}
	if !c.Bool("quiet") {
		fmt.Fprint(stdout, table)
		for _, note := range runs.SweepNotes(c.Args().Slice()) {
			fmt.Fprintf(stdout, "note: %s\n", note)
		}
	}
	fmt.Fprintf(stdout, "aggregate directory: %s\n", dir)
	return nil
}

func status(c *cli.Context, stdout io.Writer) error {
	if c.NArg() == 0 {
		return usageError{errors.New("status needs the run or sweep directories, e.g. modcomp status results/*")}
	}
	for _, dir := range c.Args().Slice() {
		text, err := runs.DescribeStatus(dir)
		if err != nil {
			return err
		}
		fmt.Fprint(stdout, text)
	}
	return nil
}

// flagsAfterArgs reports flags given after the first positional argument of
// command, which urfave/cli v2 does not parse.
func flagsAfterArgs(c *cli.Context, command string) error {
	args := c.Args().Slice()
	for _, a := range args[min(1, len(args)):] {
		if strings.HasPrefix(a, "-") {
			fixed := append(append([]string{}, args[1:]...), args[0])
			return usageError{fmt.Errorf("flag %s after %q: put the flags first: modcomp %s %s", a, args[0], command, strings.Join(fixed, " "))}
		}
	}
	return nil
}

func dataExport(c *cli.Context, stdout io.Writer) error {
	if err := flagsAfterArgs(c, "data export"); err != nil {
		return err
	}
	if c.NArg() != 1 {
		return usageError{errors.New("data export needs one argument: the directory to write, e.g. modcomp data export data/default")}
	}
	plan, err := loadPlan(c)
	if err != nil {
		return err
	}
	if err := runs.ExportData(plan, c.Args().First()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote dataset (seed %d) to %s\n", plan.Config.Seed, c.Args().First())
	return nil
}

func dataImport(c *cli.Context, stdout io.Writer) error {
	if err := flagsAfterArgs(c, "data import"); err != nil {
		return err
	}
	if c.NArg() != 1 {
		return usageError{errors.New("data import needs one argument: the dataset directory to write, e.g. modcomp data import --npz mine.npz data/mine")}
	}
	src := dataset.ImportSource{
		NPZ:   c.String("npz"),
		Train: dataset.NPYFiles{X: c.StringSlice("x"), Y: c.String("y")},
		Val:   dataset.NPYFiles{X: c.StringSlice("val-x"), Y: c.String("val-y")},
		Test:  dataset.NPYFiles{X: c.StringSlice("test-x"), Y: c.String("test-y")},
	}
	text, err := runs.ImportData(c.Args().First(), src, c.String("task"))
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, text)
	return nil
}

func dataInspect(c *cli.Context, stdout io.Writer) error {
	if err := flagsAfterArgs(c, "data inspect"); err != nil {
		return err
	}
	if c.NArg() != 1 {
		return usageError{errors.New("data inspect needs one argument: a dataset directory (written by 'modcomp data import' or 'data export', or in their layout) or an NPZ archive")}
	}
	text, err := runs.InspectData(c.Args().First(), c.String("task"))
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, text)
	return nil
}
