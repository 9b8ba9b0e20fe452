// Package runs wires configurations, datasets and networks together and owns
// the disk: it runs comparisons and trainings and writes self-describing run
// directories.
//
// A Config holds every setting under the name of its command-line flag;
// Default returns the embedded default configuration (defaults.json).
// Config.Resolve checks it once and returns a Plan: the opened data source,
// the number of modalities K, the model and the training of each method.
// Compare, Train, ExportData and every point of a sweep work from a Plan, so
// nothing is derived from the settings twice.
//
// Before a run writes anything it is prepared (prepare.go): its memory is
// estimated and compared with the memory available, and a run that does
// not fit is refused with both numbers (memory.go documents the estimate,
// graph.EstimateMemory that of a network); the data the seeds share are
// read and checked, so that a NaN or a bad label is one error naming the
// file and the index; and the network is built on the data's shapes, so
// that an encoder that cannot read its modality is refused too.
//
// Compare trains, for every seed, one uni-modal network per modality and the
// late-fusion joint network on the same data from the same initial encoder
// weights, in parallel, and writes to a new RunDir:
//
//	config.json   the resolved configuration; passed back with --config it reproduces the run
//	metrics.csv   every logged metric of every network and seed over steps
//	summary.json  uni-modal against joint, per seed and aggregated (see report.Summary)
//	report.md     the table, the verdict and the plots
//	*.png, *.svg  alignment over steps, accuracies
//	status.json   running, complete, interrupted or failed, and the process writing it
//	log.jsonl     structured log
//
// The files of results (all but config.json, status.json and log.jsonl) are
// rendered by package report, from the runs and the few settings it needs.
// With Config.Methods, a comparison also trains the joint network with each
// training method that rebalances modalities (see graph.Method), and the
// summary compares them. Where it applies, the summary compares the theory
// companion's predicted escape steps and winner (graph/theory.go) with
// training.
//
// Sweep runs a comparison at every point of a grid over configuration keys
// (ParseAxis), resumably and in shards, and Aggregate reads the points back
// and merges them into sweep.csv, sweep.md and plots, phase diagrams among
// them (report.Sweep). SubmitSweep submits a sweep to Slurm instead, as an
// array job of one task per shard into one directory (cluster.go; the
// Scheduler interface, implemented by Slurm with sbatch and squeue, is what
// a test fakes); SweepStatus, WaitSweep and ResubmitSweep follow it, wait
// for it and aggregate, and submit again the shards that miss points.
// Train trains one network; ImportData, ExportData and InspectData handle
// datasets on disk. The data come from a source per Config.Dataset: the
// paper's synthetic distribution, an NPY dataset directory, an NPZ archive,
// or two views of Fashion-MNIST, one file per source (source_*.go),
// registered in source.go with its help and its own checks.
//
// A run killed without a chance to record how it ended (kill -9) leaves
// status.json saying running: ReadStatus, and every command that reads a
// status (modcomp status, a sweep's resume, aggregate), tells it from a
// live run by the process status.json records, and reads it as
// interrupted.
//
// Results never depend on the number of workers: each network draws from
// its own seeded streams. Every file is written to a temporary name and
// renamed, and an existing run directory is never written into.
package runs
