package awslog

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/aws/smithy-go/logging"
)

type ctxKey struct{}

// ctxHandler records the context value of ctxKey of each record.
type ctxHandler struct {
	slog.Handler
	seen *[]any
}

func (h ctxHandler) Handle(ctx context.Context, r slog.Record) error {
	*h.seen = append(*h.seen, ctx.Value(ctxKey{}))
	return h.Handler.Handle(ctx, r)
}

func TestLogf(t *testing.T) {
	var buf bytes.Buffer
	var seen []any
	h := ctxHandler{slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}), &seen}
	var l logging.Logger = New(slog.New(h))
	l.Logf(logging.Warn, "failed to parse response Date header value, got %v", "garbage")
	l.Logf(logging.Debug, "not shown at info: %d", 1)
	logging.WithContext(context.WithValue(context.Background(), ctxKey{}, "request"), l).Logf("NOTICE", "other")

	var got []map[string]any
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, buf.String())
		}
		got = append(got, m)
	}
	if len(got) != 2 {
		t.Fatalf("%d records, want 2 (the debug line is below the level):\n%s", len(got), buf.String())
	}
	want := []struct{ level, msg string }{
		{"WARN", "failed to parse response Date header value, got garbage"},
		{"INFO", "other"},
	}
	for i, w := range want {
		if got[i]["level"] != w.level || got[i]["msg"] != w.msg || got[i]["component"] != "aws-sdk" {
			t.Errorf("record %d = %v, want level %s, msg %q, component aws-sdk", i, got[i], w.level, w.msg)
		}
	}
	if seen[1] != "request" {
		t.Errorf("the context given to WithContext did not reach the handler: %v", seen)
	}
}
