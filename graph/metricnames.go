package graph

import "fmt"

// The names of the metrics of a Record, which are also the columns of
// metrics.csv. Every package spells a metric through these, so that a typo
// does not compile. A Record holds, in this order, for a given network and
// dataset:
//
//	train_loss, train_acc, val_loss, val_acc, test_loss, test_acc
//	                           SplitLoss, SplitAcc: loss and accuracy (R² for regression) on each split
//	enc_test_acc_m<r>          EncTestAcc: stand-alone test accuracy of encoder r (sign of f_r alone),
//	                           joint networks
//	test_acc_g<pattern>        TestAccGroup: test accuracy on samples whose sufficient modalities match
//	                           pattern ("10": modality 0 sufficient, modality 1 not); NaN for an empty group
//	align_m<r>_pos, _neg       AlignHead: feature alignment of encoder r's class heads:
//	                           max_j <w_{r,+1,j}, v_r> and max_j <w_{r,-1,j}, -v_r>
//	align_m<r>                 Align: mean of the heads' alignments
//	contrib_m<r>               Contrib: networks of several modalities: variance over the training set of
//	                           modality r's additive contribution to the scores (its f_r under late fusion;
//	                           h_r W_r under concatenation without hidden layers)
//	memo_m<r>                  Memo: noise memorisation of encoder r: mean over training samples of the
//	                           largest pre-activation of the sample's own class head on its noise patches
//	(method metrics)           the training method's own values: OGMCoeff (ogm_coeff_m<r>),
//	                           GBlendFused and GBlendWeight (gblend_w_fused, gblend_w_m<r>)
//	escape_m<r>_pos, _neg      Escape: the step at which each class head's alignment first reached its
//	                           escape level (rho), tracked every step; NaN while it has not
//	probe_val_acc_m<r>,        ProbeValAcc, ProbeTestAcc: final record with TrainConfig.Probe: accuracy
//	probe_test_acc_m<r>        (R² for regression) of a linear probe of encoder r's frozen features, fit on
//	                           train, selected on val
//
// Alignment and memorisation are logged for encoders that support them
// (Aligner, Memoriser) when the dataset knows its features and signal patches.

// Metrics of the whole network on the test split, the ones most read.
const (
	TestLoss = "test_loss"
	TestAcc  = "test_acc"
	ValAcc   = "val_acc"
)

// GBlendFused is the weight gradient blending gives the fused head's loss.
const GBlendFused = "gblend_w_fused"

// SplitLoss is the loss of the network on the split ("train", "val" or
// "test").
func SplitLoss(split string) string { return split + "_loss" }

// SplitAcc is the accuracy of the network on the split.
func SplitAcc(split string) string { return split + "_acc" }

// EncTestAcc is the stand-alone test accuracy of the joint network's encoder
// of modality r.
func EncTestAcc(r int) string { return fmt.Sprintf("enc_test_acc_m%d", r) }

// TestAccGroup is the test accuracy on the samples whose sufficient
// modalities match pattern.
func TestAccGroup(pattern string) string { return "test_acc_g" + pattern }

// Align is the mean feature alignment of encoder r's class heads.
func Align(r int) string { return fmt.Sprintf("align_m%d", r) }

// AlignHead is the feature alignment of class head head (HeadName) of
// encoder r.
func AlignHead(r int, head string) string { return fmt.Sprintf("align_m%d_%s", r, head) }

// Escape is the step at which class head head of encoder r first reached its
// escape level.
func Escape(r int, head string) string { return fmt.Sprintf("escape_m%d_%s", r, head) }

// Contrib is the variance of modality r's additive contribution to the
// scores.
func Contrib(r int) string { return fmt.Sprintf("contrib_m%d", r) }

// Memo is the noise memorisation of encoder r.
func Memo(r int) string { return fmt.Sprintf("memo_m%d", r) }

// ProbeValAcc is the validation accuracy of a linear probe of encoder r.
func ProbeValAcc(r int) string { return fmt.Sprintf("probe_val_acc_m%d", r) }

// ProbeTestAcc is the test accuracy of a linear probe of encoder r.
func ProbeTestAcc(r int) string { return fmt.Sprintf("probe_test_acc_m%d", r) }

// OGMCoeff is the gradient coefficient OGM-GE gives encoder r.
func OGMCoeff(r int) string { return fmt.Sprintf("ogm_coeff_m%d", r) }

// GBlendWeight is the weight gradient blending gives encoder r's own loss.
func GBlendWeight(r int) string { return fmt.Sprintf("gblend_w_m%d", r) }

// Binary class heads: c = +1 and c = -1.
const (
	HeadPos = "pos"
	HeadNeg = "neg"
)

// HeadName names class head c of heads: HeadPos and HeadNeg for the binary
// heads (+1, -1), "c<k>" otherwise.
func HeadName(c, heads int) string {
	if heads == 2 {
		return [2]string{HeadPos, HeadNeg}[c]
	}
	return fmt.Sprintf("c%d", c)
}
