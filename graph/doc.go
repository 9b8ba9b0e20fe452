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
// implementation lives in its own file.
//
// # Training
//
// NewNetwork draws the initial weights from a seeded stream per modality, so
// that the uni-modal network of modality r and encoder r of the joint
// network start from identical weights and every difference between them
// comes from training. Train runs full-batch gradient descent (the paper's
// algorithm), mini-batch SGD or Adam for a number of steps and logs a Record
// of metrics (see Record) on the train, validation and test splits at step
// 0, every LogEvery steps and at the end: losses and accuracies, each
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
// terms of every step and may change the gradients. theory.go predicts,
// from the data and the initial weights, when each modality's encoder
// leaves the polynomial region of the smoothed ReLU (PredictEscape), and
// training records when each head does. LinearProbe measures what a frozen
// encoder's features know.
//
// # Gorgonia
//
// Each network is compiled once into a TapeMachine for training and one per
// split for evaluation; all of them read the encoders' weight tensors, which
// the optimizer updates in place, so nothing is rebuilt between steps.
// Outputs are copied out of the machines with Read nodes, because a
// TapeMachine reuses the memory of intermediate nodes. Only the nodes the
// outputs need are compiled, which drops the input gradients that symbolic
// differentiation adds. The smoothed ReLU is a fused Op (srelu_op.go) with
// its own derivative Op.
//
// The package knows nothing of files or flags: package runs wires datasets,
// networks and run directories together.
package graph
