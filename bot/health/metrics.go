package health

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Registry holds metrics and writes them in the Prometheus text exposition
// format (version 0.0.4), in the order they were registered. Its methods
// and those of its metrics are safe for concurrent use.
type Registry struct {
	mu      sync.Mutex
	metrics []metric
	names   map[string]bool
}

type metric interface {
	write(w *bufio.Writer)
}

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry {
	return &Registry{names: map[string]bool{}}
}

func (r *Registry) add(name string, m metric) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.names[name] {
		panic("health: metric " + name + " registered twice") // a programming error, found by any test
	}
	r.names[name] = true
	r.metrics = append(r.metrics, m)
}

// WriteTo writes every metric to w.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	r.mu.Lock()
	ms := slices.Clone(r.metrics)
	r.mu.Unlock()
	cw := &countingWriter{w: w}
	bw := bufio.NewWriter(cw)
	for _, m := range ms {
		m.write(bw)
	}
	err := bw.Flush()
	return cw.n, err
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func header(w *bufio.Writer, name, help, typ string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(help), name, typ)
}

// Counter is a monotonically increasing count, optionally split by labels.
type Counter struct {
	name, help string
	labels     []string
	mu         sync.Mutex
	values     map[string]float64 // by label values joined with "\xff"
}

// Counter registers a counter with the given label names.
func (r *Registry) Counter(name, help string, labels ...string) *Counter {
	c := &Counter{name: name, help: help, labels: labels, values: map[string]float64{}}
	if len(labels) == 0 {
		c.values[""] = 0 // a counter without labels is always shown
	}
	r.add(name, c)
	return c
}

// Inc adds one to the count for the label values, given in the order of
// the label names.
func (c *Counter) Inc(labelValues ...string) { c.Add(1, labelValues...) }

// Add adds v (which must not be negative) to the count for the label values.
func (c *Counter) Add(v float64, labelValues ...string) {
	if len(labelValues) != len(c.labels) || v < 0 {
		panic(fmt.Sprintf("health: counter %s: %d label values for %d labels", c.name, len(labelValues), len(c.labels)))
	}
	key := strings.Join(labelValues, "\xff")
	c.mu.Lock()
	if _, ok := c.values[key]; !ok && len(c.values) >= MaxSeries {
		// Label values can come from outside (Slack's error codes,
		// envelope types): past the bound, new ones are counted
		// together.
		key = strings.Repeat(Other+"\xff", len(c.labels)-1) + Other
	}
	c.values[key] += v
	c.mu.Unlock()
}

// MaxSeries bounds the label values a counter keeps: beyond them, new
// values are counted under Other in every label.
const (
	MaxSeries = 200
	Other     = "other"
)

// Value returns the count for the label values.
func (c *Counter) Value(labelValues ...string) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.values[strings.Join(labelValues, "\xff")]
}

func (c *Counter) write(w *bufio.Writer) {
	c.mu.Lock()
	keys := make([]string, 0, len(c.values))
	for k := range c.values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	vals := make([]float64, len(keys))
	for i, k := range keys {
		vals[i] = c.values[k]
	}
	c.mu.Unlock()
	header(w, c.name, c.help, "counter")
	for i, k := range keys {
		w.WriteString(c.name)
		if len(c.labels) > 0 {
			writeLabels(w, c.labels, strings.Split(k, "\xff"))
		}
		w.WriteByte(' ')
		w.WriteString(formatFloat(vals[i]))
		w.WriteByte('\n')
	}
}

// GaugeFunc registers a gauge whose value is read when metrics are written.
func (r *Registry) GaugeFunc(name, help string, f func() float64) {
	r.add(name, gaugeFunc{name: name, help: help, f: f})
}

type gaugeFunc struct {
	name, help string
	f          func() float64
}

func (g gaugeFunc) write(w *bufio.Writer) {
	header(w, g.name, g.help, "gauge")
	fmt.Fprintf(w, "%s %s\n", g.name, formatFloat(g.f()))
}

// Histogram counts observations in cumulative buckets.
type Histogram struct {
	name, help string
	bounds     []float64 // upper bounds, increasing; +Inf implied
	mu         sync.Mutex
	counts     []uint64 // per bucket, not cumulative; last is +Inf
	sum        float64
	count      uint64
}

// Histogram registers a histogram with the given bucket upper bounds.
func (r *Registry) Histogram(name, help string, bounds []float64) *Histogram {
	b := slices.Clone(bounds)
	slices.Sort(b)
	h := &Histogram{name: name, help: help, bounds: b, counts: make([]uint64, len(b)+1)}
	r.add(name, h)
	return h
}

// Observe records one value.
func (h *Histogram) Observe(v float64) {
	i, _ := slices.BinarySearch(h.bounds, v) // first bound >= v
	h.mu.Lock()
	h.counts[i]++
	h.sum += v
	h.count++
	h.mu.Unlock()
}

// Count returns the number of observations.
func (h *Histogram) Count() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.count
}

func (h *Histogram) write(w *bufio.Writer) {
	h.mu.Lock()
	counts := slices.Clone(h.counts)
	sum, count := h.sum, h.count
	h.mu.Unlock()
	header(w, h.name, h.help, "histogram")
	var cum uint64
	for i, b := range h.bounds {
		cum += counts[i]
		fmt.Fprintf(w, "%s_bucket{le=\"%s\"} %d\n", h.name, formatFloat(b), cum)
	}
	fmt.Fprintf(w, "%s_bucket{le=\"+Inf\"} %d\n", h.name, count)
	fmt.Fprintf(w, "%s_sum %s\n%s_count %d\n", h.name, formatFloat(sum), h.name, count)
}

func writeLabels(w *bufio.Writer, names, values []string) {
	w.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString(n)
		w.WriteString(`="`)
		w.WriteString(labelEscaper.Replace(values[i]))
		w.WriteByte('"')
	}
	w.WriteByte('}')
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
