// Package graph builds the networks of Huang et al. (2022), "Modality
// Competition: What Makes Joint Training of Multi-modal Network Fail in Deep
// Learning? (Provably)", as Gorgonia graphs, and trains them.
//
// # The network
//
// model.go holds the paper's network in one place: the smoothed ReLU of
// order q and threshold rho (SmoothedReLU), the encoder of one modality with
// m neurons per class applied to every patch (PatchEncoder), late fusion
// (LateFusion: the joint network's score is the sum of the encoders'
// scores) and the logistic loss (LogisticLoss). A uni-modal network is a
// Network with one encoder; the late-fusion joint network has one encoder
// per modality. Beyond the paper: MLP and convolutional encoders,
// concatenation fusion, softmax and squared losses, Adam.
//
// The parts are interfaces (interfaces.go): an Encoder owns its weights and
// adds its forward pass to a graph; a Fusion combines encoders; a Loss turns
// scores into the objective; an Optimizer updates weights. Each
// implementation lives in its own file, which also declares its entry in
// the registries (registry.go, one line per part a configuration can name):
// a line of help, the validation of its settings and what it needs or
// offers (a fusion: whether it uses the encoders' heads; an optimizer: the
// batches it takes; a loss: its task). EncoderKinds, Fusions, Losses,
// Optimizers and Methods list them.
//
// # Training
//
// NewNetwork draws the initial weights from a seeded stream per modality, so
// that the uni-modal network of modality r and encoder r of the joint
// network start from identical weights and every difference between them
// comes from training. Train runs full-batch gradient descent (the paper's
// algorithm), mini-batch SGD or Adam for a number of steps and logs a Record
// of metrics (see Record) on the train, validation and test splits at step
// 0, every LogEvery steps and at the end (with the geometric log schedule,
// at steps 1, 2, 4, 8, ... too): losses and accuracies, each
// encoder's stand-alone accuracy, accuracy per group of sufficient
// modalities, feature alignment of each class head and noise memorisation.
// Training stops early, with a Result that says why, when the context is
// cancelled or the loss or a weight stops being finite.
//
// # Methods and theory
//
// TrainConfig.Method chooses how a joint network trains: naive (the
// paper's) or a method that rebalances modalities (ume, umt, ogm-ge,
// alternating, gblend), each a Method in its own file that weighs the loss
// terms of every step and may change the gradients. A method reads its
// settings by configuration key (MethodSettings) and declares the Objective
// it trains, which says what it needs: the scores of trained uni-modal
// teachers, each encoder's own scores. theory.go predicts,
// from the data and the initial weights, when each modality's encoder
// leaves the polynomial region of the smoothed ReLU (PredictEscape), and
// training records when each head does. LinearProbe measures what a frozen
// encoder's features know.
//
// # Gorgonia
//
// Each network is compiled once into a graph for training and one per chunk
// size for evaluation; all of them read the encoders' weight tensors, which
// the optimizer updates in place, so nothing is rebuilt between steps. A
// machine (machine.go) runs a graph and keeps every node's value from one
// run to the next, so a warm step allocates almost nothing; values read out
// of a run stay valid until the next. Only the nodes the outputs need are
// compiled, which drops the input gradients that symbolic differentiation
// adds. Evaluation runs each split in chunks of samples (evaluator.go), so
// its memory does not grow with the splits.
//
// The paper's encoder is one Op with its own gradient Op (patch_op.go): the
// product of every patch with every neuron, the smoothed ReLU and the sums
// over patches and neurons, in cache-sized blocks of rows. The products and
// the smoothed ReLU run in package internal/kernel: AVX2/FMA assembly where
// the CPU has it, Go elsewhere. The logistic loss is one Op too.
//
// The package knows nothing of files or flags: package runs wires datasets,
// networks and run directories together.
package graph
