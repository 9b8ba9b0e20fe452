package runs

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkCompareDefault times a whole `modcomp compare` on the embedded
// default configuration (5 seeds x 3 networks), with 1 and 2 workers. It
// takes about a minute per iteration: run it with -benchtime 1x.
func BenchmarkCompareDefault(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			cfg := Default()
			cfg.Workers = workers
			cfg.Out = b.TempDir()
			for i := 0; i < b.N; i++ {
				out, err := Compare(context.Background(), resolve(b, cfg), Options{})
				if err != nil {
					b.Fatal(err)
				}
				if out.State != StateComplete {
					b.Fatalf("state %s", out.State)
				}
			}
		})
	}
}
