package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func TestScratchTimes(t *testing.T) {
	files := os.Getenv("SCRATCH_FILES")
	if files == "" {
		t.Skip()
	}
	list, _ := filepath.Glob(files)
	for _, f := range list {
		data, _ := os.ReadFile(f)
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		start := time.Now()
		res, err := Read(data, Options{Name: filepath.Base(f)})
		d := time.Since(start)
		runtime.ReadMemStats(&m1)
		st := 0
		if res != nil {
			for _, d := range res.Documents {
				st += len(d.Statements)
			}
		}
		es := ""
		if err != nil {
			es = err.Error()
			if len(es) > 150 {
				es = es[:150]
			}
		}
		fmt.Printf("%-24s %6d B %8.3fs %6d MB stmts=%d err=%s\n", filepath.Base(f), len(data), d.Seconds(), (m1.TotalAlloc-m0.TotalAlloc)>>20, st, es)
	}
}
