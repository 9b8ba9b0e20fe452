// Package report turns the runs of modcomp into what a researcher reads:
// summaries, verdicts, tables, markdown and figures.
//
// It works from plain data, never from the configuration: a Setting (the
// few settings a report needs), the runs as Run values (a network's name,
// seed, status and logged records), and a sweep's axes and points (Sweep).
// Nothing here trains or reads a directory; package runs does both and
// calls this package, which draws through package internal/figure.
//
// A comparison (uni-modal networks against the joint network, per seed):
//
//	Summarize       summary.json: per seed and over seeds, the best uni-modal
//	                model, the gap, which modality each encoder learned
//	                (graph.Learned), the winner, the verdict, the training
//	                methods, and the theory companion's escape steps and its
//	                prediction of the outcome (the race: accuracies, the
//	                learned set, the gap), made before training
//	CompareTable    the table printed on stdout
//	CompareMarkdown report.md
//	CompareFigures  alignment, accuracy, accuracy_curves, methods_alignment
//	MetricsCSV      metrics.csv, every logged metric of every run
//
// A training of one network: SummarizeTraining, TrainTable, TrainMarkdown.
// A sweep: Sweep.CSV (sweep.csv, its columns defined once in sweepcsv.go),
// Sweep.Markdown and Sweep.Table (sweep.md), Sweep.Theory (how well the
// theory companion predicted escape and, with the race, the outcome over
// every point, in sweep.md and the theory figures' titles) and
// Sweep.SaveFigures (the sweep's figures, phase diagrams with the predicted
// boundary and the theory companion's figures among them).
package report
