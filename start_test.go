package main

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkProcessStart runs the built binary on an example policy: the
// whole process, start to first answer (the target is under 100 ms).
func BenchmarkProcessStart(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "policycheck")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(bin, "check", "--offline", "examples/least-privilege.json")
		cmd.Env = []string{"PATH=/usr/bin:/bin"}
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/process")
}
