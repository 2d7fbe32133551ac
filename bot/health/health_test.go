package health

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestRegistryGolden(t *testing.T) {
	reg := NewRegistry()
	env := reg.Counter("test_envelopes_total", "Envelopes received, by type.", "type")
	plain := reg.Counter("test_reconnects_total", "Reconnections.")
	odd := reg.Counter("test_errors_total", "Errors with\nodd \\ help.", "method", "error")
	depth := 3.0
	reg.GaugeFunc("test_queue_depth", "Requests waiting.", func() float64 { return depth })
	h := reg.Histogram("test_duration_seconds", "Durations.", []float64{0.5, 0.1, 1})

	env.Inc("slash_commands")
	env.Inc("events_api")
	env.Add(2, "events_api")
	odd.Inc("chat.update", `say "hi"\now`+"\n")
	for _, v := range []float64{0.05, 0.1, 0.3, 2} {
		h.Observe(v)
	}
	_ = plain

	var buf bytes.Buffer
	n, err := reg.WriteTo(&buf)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("WriteTo = %d, %v; wrote %d", n, err, buf.Len())
	}
	golden := filepath.Join("testdata", "metrics.txt")
	if *update {
		os.WriteFile(golden, buf.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(want) {
		t.Errorf("metrics:\n%s\nwant:\n%s", buf.String(), want)
	}
	if got := env.Value("events_api"); got != 3 {
		t.Errorf("Value = %v, want 3", got)
	}
	if h.Count() != 4 {
		t.Errorf("Count = %d, want 4", h.Count())
	}
}

func TestRegistryConcurrent(t *testing.T) {
	reg := NewRegistry()
	c := reg.Counter("c_total", "c", "k")
	h := reg.Histogram("h", "h", []float64{1})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				c.Inc("a")
				h.Observe(0.5)
				reg.WriteTo(io.Discard)
			}
		})
	}
	wg.Wait()
	if c.Value("a") != 800 || h.Count() != 800 {
		t.Errorf("counter %v, histogram %d; want 800", c.Value("a"), h.Count())
	}
}

func TestHandler(t *testing.T) {
	reg := NewRegistry()
	reg.Counter("up_total", "u").Inc()
	var readyErr error
	srv := httptest.NewServer(Handler(reg, func(ctx context.Context) error { return readyErr }))
	defer srv.Close()

	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tests := []struct {
		path     string
		ready    error
		code     int
		contains string
	}{
		{"/healthz", errors.New("down"), 200, "ok"},
		{"/readyz", nil, 200, "ok"},
		{"/readyz", errors.New("not connected to Slack"), 503, "not connected to Slack"},
		{"/metrics", nil, 200, "up_total 1\n"},
		{"/nope", nil, 404, ""},
	}
	for _, tt := range tests {
		readyErr = tt.ready
		code, body := get(tt.path)
		if code != tt.code || !strings.Contains(body, tt.contains) {
			t.Errorf("GET %s = %d %q; want %d containing %q", tt.path, code, body, tt.code, tt.contains)
		}
	}
}

// TestCounterBounded: label values from outside cannot grow a counter
// without bound; the ones past MaxSeries are counted under "other".
func TestCounterBounded(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("x_total", "X.", "method", "error")
	for i := range MaxSeries + 50 {
		c.Inc("chat.postMessage", fmt.Sprintf("code_%d", i))
	}
	if got := c.Value(Other, Other); got != 50 {
		t.Errorf("other = %v, want 50", got)
	}
	var b strings.Builder
	r.WriteTo(&b)
	if n := strings.Count(b.String(), "\nx_total{"); n != MaxSeries+1 {
		t.Errorf("%d series written, want %d", n, MaxSeries+1)
	}
}
