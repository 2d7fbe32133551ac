package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/policycheck/policycheck/internal/corpus"
)

// BenchmarkCheckCorpus runs `check --format json` over the 1,594 AWS
// managed policies written as files (pretty-printed, as people save
// them), suggestions included, in one process, and, in the same run, merely
// reads and JSON-decodes the same files: the ratio of the two is the
// figure (the target is at most 4). The first check of the process
// also builds the knowledge base and fills the caches the others find
// full: first-ratio is its own. (The heap has grown already, reading
// the corpus: the page faults of a new process's first check are not in
// it.)
func BenchmarkCheckCorpus(b *testing.B) {
	docs, err := corpus.Load(corpus.Path(b))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	var paths []string
	for name, doc := range docs {
		var v any
		if err := json.Unmarshal(doc, &v); err != nil {
			b.Fatal(err)
		}
		data, _ := json.MarshalIndent(v, "", "  ")
		path := filepath.Join(dir, name+".json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, path)
	}
	b.Setenv("BEDROCK_MODEL_ID", "")
	b.Setenv("POLICYCHECK_ACCESS_ANALYZER", "false")
	// The corpus read above is garbage: collected now, it does not weigh
	// on the first check.
	docs = nil
	runtime.GC()
	var check, decode, checkCPU, decodeCPU time.Duration
	var firstRatio float64
	for b.Loop() {
		start, cpu := time.Now(), cpuTime()
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
		decode += time.Since(start)
		decodeCPU += cpuTime() - cpu

		start, cpu = time.Now(), cpuTime()
		var errb strings.Builder
		if code := run(context.Background(), []string{"check", "--format", "json", dir}, strings.NewReader(""), io.Discard, &errb); code != 0 {
			b.Fatalf("exit %d: %s", code, errb.String())
		}
		check += time.Since(start)
		checkCPU += cpuTime() - cpu
		if firstRatio == 0 { // the first check
			firstRatio = float64(check) / float64(decode)
		}
	}
	b.ReportMetric(check.Seconds()/float64(b.N), "s/check")
	b.ReportMetric(decode.Seconds()/float64(b.N), "s/decode")
	b.ReportMetric(float64(check)/float64(decode), "ratio")
	b.ReportMetric(firstRatio, "first-ratio")
	// On a shared machine the wall clock of the parallel part suffers
	// most: the processor time tells the work apart from the waiting.
	b.ReportMetric(checkCPU.Seconds()/float64(b.N), "cpu-s/check")
	b.ReportMetric(float64(checkCPU)/float64(decodeCPU), "cpu-ratio")
}

// cpuTime is the processor time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
