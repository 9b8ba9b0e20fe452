package runs

import (
	"context"
	"fmt"
	"testing"

	"github.com/modcomp/modcomp/graph"
)

// TestEveryEncoderKindTrainsWithItsDefaults wants each encoder kind, with
// nothing but the kind changed from the defaults (its own learning rate,
// width, activation and the default steps), to learn each modality of small
// paper data alone: test accuracy well above chance (0.5).
func TestEveryEncoderKindTrainsWithItsDefaults(t *testing.T) {
	t.Parallel()
	for _, kind := range graph.EncoderKinds().Names() {
		for _, r := range []int{0, 1} {
			t.Run(fmt.Sprintf("%s/m%d", kind, r), func(t *testing.T) {
				t.Parallel()
				cfg := Default()
				cfg.Encoder = StringList{kind}
				cfg.D = IntList{20}
				cfg.NTrain, cfg.NVal, cfg.NTest = 100, 100, 400
				cfg.Seeds, cfg.Workers = 1, 1
				cfg.Modalities = IntList{r}
				cfg.Out = t.TempDir()
				if err := cfg.Validate(); err != nil {
					t.Fatal(err)
				}
				out, err := Train(context.Background(), resolve(t, cfg), Options{})
				if err != nil {
					t.Fatal(err)
				}
				if acc := out.Train.Mean[graph.TestAcc]; !(acc >= 0.8) {
					t.Errorf("test accuracy %.3f after %d steps, want at least 0.8", acc, cfg.Steps)
				}
			})
		}
	}
}
