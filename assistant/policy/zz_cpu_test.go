package policy

import (
	"syscall"
	"testing"
	"time"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestZZCPU(t *testing.T) {
	names, docs := corpusDocs(t)
	for range 3 {
		Read(docs[names[0]], Options{})
	}
	const n = 20
	start, wall := cpuNow(), time.Now()
	for range n {
		for _, nm := range names {
			Read(docs[nm], Options{MaxBytes: 1 << 20})
		}
	}
	t.Logf("cpu per corpus %v, wall %v", (cpuNow()-start)/n, time.Since(wall)/n)
}
