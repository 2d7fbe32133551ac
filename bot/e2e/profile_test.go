package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// profileDir, from POLICYCHECK_BENCH_PROFILE, asks for profiles of the bot
// during the benchmarks: the binary is then built with a profiling hook,
// added to package main by -overlay for that build only, and the burst
// benchmark writes bot-cpu.prof and bot-allocs.prof there.
//
//	POLICYCHECK_BENCH_PROFILE=/tmp/prof go test ./bot/e2e -run '^$' -bench Burst -benchtime 5x
//	go tool pprof -top /tmp/prof/bot-cpu.prof
var profileDir = os.Getenv("POLICYCHECK_BENCH_PROFILE")

// profileHook is added to package main: with POLICYCHECK_PROFILE_ADDR set
// it serves /cpu/start, /cpu/stop (which answers the CPU profile) and
// /allocs on that loopback address, and logs the address.
const profileHook = `package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
)

func init() {
	addr := os.Getenv("POLICYCHECK_PROFILE_ADDR")
	if addr == "" {
		return
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "profiling hook:", err)
		return
	}
	var mu sync.Mutex
	var buf bytes.Buffer
	mux := http.NewServeMux()
	mux.HandleFunc("/cpu/start", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		buf.Reset()
		if err := pprof.StartCPUProfile(&buf); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
		}
	})
	mux.HandleFunc("/cpu/stop", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		pprof.StopCPUProfile()
		w.Write(buf.Bytes())
	})
	mux.HandleFunc("/allocs", func(w http.ResponseWriter, r *http.Request) {
		runtime.GC()
		pprof.Lookup("allocs").WriteTo(w, 0)
	})
	go http.Serve(ln, mux)
	fmt.Fprintf(os.Stderr, "{\"msg\":\"profiling hook\",\"addr\":%q}\n", ln.Addr().String())
}
`

func init() {
	if profileDir == "" {
		return
	}
	if err := addProfileHook(profileDir); err != nil {
		fmt.Fprintln(os.Stderr, "POLICYCHECK_BENCH_PROFILE:", err)
		os.Exit(1)
	}
}

// addProfileHook writes the hook and its overlay under dir and adds the
// overlay to the build flags.
func addProfileHook(dir string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return err
	}
	hook := filepath.Join(dir, "profile_hook.go")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(hook, []byte(profileHook), 0o644); err != nil {
		return err
	}
	overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{
		filepath.Join(root, "zz_profile_hook.go"): hook,
	}})
	path := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(path, overlay, 0o644); err != nil {
		return err
	}
	buildFlags = append(buildFlags, "-overlay", path)
	return nil
}

// profiler drives the hook of a running bot; nil when not profiling.
type profiler struct {
	addr string
}

// profilerEnv is the environment that turns the hook on.
func profilerEnv(extra map[string]string) map[string]string {
	if profileDir != "" {
		extra["POLICYCHECK_PROFILE_ADDR"] = "127.0.0.1:0"
	}
	return extra
}

// newProfiler finds the hook of p; nil when not profiling.
func newProfiler(t testing.TB, p *proc) *profiler {
	if profileDir == "" {
		return nil
	}
	addr, err := p.logs.waitField(ctxFor(t), p.done, "profiling hook", "addr")
	if err != nil {
		t.Fatalf("the bot has no profiling hook: %v", err)
	}
	return &profiler{addr: "http://" + addr}
}

func (pr *profiler) start(t testing.TB) {
	if pr == nil {
		return
	}
	if _, err := pr.get("/cpu/start"); err != nil {
		t.Fatal(err)
	}
}

// stop ends the CPU profile and writes it and the allocations to
// profileDir.
func (pr *profiler) stop(t testing.TB) {
	if pr == nil {
		return
	}
	for path, file := range map[string]string{"/cpu/stop": "bot-cpu.prof", "/allocs": "bot-allocs.prof"} {
		data, err := pr.get(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(profileDir, file), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("profiles of the bot written to %s", profileDir)
}

func (pr *profiler) get(path string) ([]byte, error) {
	resp, err := http.Get(pr.addr + path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: %s: %s", path, resp.Status, data)
	}
	return data, err
}
