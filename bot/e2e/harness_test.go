package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/policycheck/policycheck/internal/slackfake"
)

// binary is the policycheck binary built by TestMain, with buildFlags.
var (
	binary     string
	buildFlags []string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "policycheck-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "policycheck")
	build := exec.Command("go", append(append([]string{"build"}, buildFlags...), "-o", binary, ".")...)
	build.Dir = filepath.Join("..", "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build policycheck:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Users and channels of the fake workspace.
const (
	alice    = "U0ALICE01"
	bob      = "U0BOB0001"
	general  = "C0GENERAL"  // the bot is a member
	outside  = "C0OUTSIDE"  // the bot is not a member
	watched  = "C0WATCHED"  // watched by ID
	named    = "C0NAMED01"  // watched by name
	namedTag = "iam-review" // its name
	chatter  = "C0CHATTER"  // the bot is a member, not watched
)

// waitTime bounds every wait of a test; the waits are for conditions,
// never for durations.
const waitTime = 90 * time.Second

func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTime)
	t.Cleanup(cancel)
	return ctx
}

// newSlack starts a fake workspace with its users and channels.
func newSlack(t testing.TB, opts slackfake.Options) *slackfake.Server {
	s := slackfake.New(opts)
	t.Cleanup(s.Close)
	s.AddUser(alice, "alice")
	s.AddUser(bob, "bob")
	s.AddChannel(general, "general", true)
	s.AddChannel(outside, "outside", false)
	s.AddChannel(watched, "watched", true)
	s.AddChannel(named, namedTag, true)
	s.AddChannel(chatter, "chatter", true)
	return s
}

// proc is a running `policycheck serve`.
type proc struct {
	t      testing.TB
	cmd    *exec.Cmd
	logs   *logBuffer
	done   chan struct{}
	err    error // once done
	health string
}

// env is the environment of a bot talking to s, with a database in dir.
func env(s *slackfake.Server, dir string, extra map[string]string) []string {
	cfg := s.Config()
	vars := map[string]string{
		"PATH":                         os.Getenv("PATH"),
		"HOME":                         dir,
		"SLACK_BOT_TOKEN":              cfg.BotToken,
		"SLACK_APP_TOKEN":              cfg.AppToken,
		"SLACK_API_URL":                s.APIURL(),
		"POLICYCHECK_DB_PATH":          filepath.Join(dir, "policycheck.db"),
		"POLICYCHECK_HTTP_ADDR":        "127.0.0.1:0",
		"POLICYCHECK_LOG_LEVEL":        "debug",
		"POLICYCHECK_SHUTDOWN_TIMEOUT": "30s",
		"POLICYCHECK_WATCH_CHANNELS":   watched + ",#" + namedTag,
	}
	for k, v := range extra {
		if v == "" {
			delete(vars, k)
		} else {
			vars[k] = v
		}
	}
	out := make([]string, 0, len(vars))
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	return out
}

// launch runs the binary with the environment; it does not wait.
func launch(t testing.TB, environ []string) *proc {
	t.Helper()
	p := &proc{t: t, logs: &logBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(binary, "serve")
	p.cmd.Env = environ
	p.cmd.Stdout = p.logs
	p.cmd.Stderr = p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
		if strings.Contains(p.logs.String(), "WARNING: DATA RACE") {
			t.Error("the race detector found a data race in the bot")
		}
		if t.Failed() {
			t.Logf("bot logs:\n%s", p.logs.String())
		}
	})
	return p
}

// start runs a bot against s and waits until it is connected and serving
// its health endpoints.
func start(t testing.TB, s *slackfake.Server, dir string, extra map[string]string) *proc {
	t.Helper()
	p := launch(t, env(s, dir, extra))
	ctx := ctxFor(t)
	addr, err := p.logs.waitField(ctx, p.done, "serving /healthz, /readyz and /metrics", "addr")
	if err != nil {
		t.Fatalf("the bot did not start its health server: %v", err)
	}
	p.health = "http://" + addr
	p.waitReady(ctx)
	return p
}

// waitReady waits until /readyz answers 200.
func (p *proc) waitReady(ctx context.Context) {
	p.t.Helper()
	if err := poll(ctx, p.done, func() bool { code, _ := p.get("/readyz"); return code == http.StatusOK }); err != nil {
		p.t.Fatalf("the bot did not become ready: %v", err)
	}
}

// get fetches a health endpoint.
func (p *proc) get(path string) (int, string) {
	resp, err := http.Get(p.health + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// metric reads one sample of /metrics, 0 when absent; series is the name
// with its labels as written, e.g. `policycheck_reviews_total{outcome="ok"}`.
func (p *proc) metric(series string) float64 {
	_, body := p.get("/metrics")
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return 0
}

// waitMetric waits until a metric reaches at least min.
func (p *proc) waitMetric(ctx context.Context, series string, min float64) {
	p.t.Helper()
	if err := poll(ctx, p.done, func() bool { return p.metric(series) >= min }); err != nil {
		p.t.Fatalf("%s did not reach %v (now %v): %v", series, min, p.metric(series), err)
	}
}

// stop sends SIGTERM and returns the exit code.
func (p *proc) stop(ctx context.Context) int {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	return p.wait(ctx)
}

// wait waits for the process to exit and returns its exit code.
func (p *proc) wait(ctx context.Context) int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-ctx.Done():
		p.t.Fatalf("the bot did not exit: %v", ctx.Err())
	}
	if p.err == nil {
		return 0
	}
	if ee, ok := p.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	p.t.Fatalf("wait: %v", p.err)
	return -1
}

// poll checks cond until it holds, the process exits or ctx ends.
func poll(ctx context.Context, done <-chan struct{}, cond func() bool) error {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-done:
			if cond() {
				return nil
			}
			return fmt.Errorf("the bot exited")
		case <-t.C:
		}
	}
	return nil
}

// logBuffer collects the bot's output, safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// records are the JSON log records written so far.
func (l *logBuffer) records() []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r map[string]any
		if json.Unmarshal(sc.Bytes(), &r) == nil {
			out = append(out, r)
		}
	}
	return out
}

// waitField waits for a log record with message msg and returns its field.
func (l *logBuffer) waitField(ctx context.Context, done <-chan struct{}, msg, field string) (string, error) {
	var v string
	err := poll(ctx, done, func() bool {
		for _, r := range l.records() {
			if r["msg"] == msg {
				v, _ = r[field].(string)
				return true
			}
		}
		return false
	})
	return v, err
}
