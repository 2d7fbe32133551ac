package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"strings"
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

func TestScratchDump(t *testing.T) {
	dir := os.Getenv("SCRATCH_OUT")
	if dir == "" {
		t.Skip()
	}
	os.MkdirAll(dir, 0o755)
	list, _ := filepath.Glob("/tmp/probe_input/*")
	more, _ := filepath.Glob("/tmp/probe_input/*/*")
	list = append(list, more...)
	for _, f := range list {
		if st, err := os.Stat(f); err != nil || st.IsDir() {
			continue
		}
		data, _ := os.ReadFile(f)
		start := time.Now()
		res, err := Read(data, Options{Name: filepath.Base(f)})
		d := time.Since(start)
		if d > time.Second {
			fmt.Printf("slow %s %v\n", f, d)
		}
		out := summary(res, err)
		if len(out) > 20000 {
			out = out[:20000] + "...TRUNCATED"
		}
		os.WriteFile(filepath.Join(dir, strings.ReplaceAll(strings.TrimPrefix(f, "/tmp/probe_input/"), "/", "_")+".txt"), []byte(out), 0o644)
	}
}
