package bedrockfake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// cachedBody is validBody with a cachePoint after a long system prompt
// and after the tool.
func cachedBody(t *testing.T, system string) string {
	t.Helper()
	b := strings.Replace(validBody, `"system":[{"text":"Review."}]`, `"system":[{"text":`+jsonText(system)+`},{"cachePoint":{"type":"default"}}]`, 1)
	b = strings.Replace(b, `"properties":{}}}}}]`, `"properties":{}}}}},{"cachePoint":{"type":"default"}}]`, 1)
	if b == validBody {
		t.Fatal("cachedBody did not change the body")
	}
	return b
}

func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

type usageOut struct {
	InputTokens, OutputTokens, TotalTokens      int
	CacheReadInputTokens, CacheWriteInputTokens int
}

func decodeAnswer(t *testing.T, body []byte) (stop string, content []map[string]json.RawMessage, u usageOut) {
	t.Helper()
	var out struct {
		Output struct {
			Message struct{ Content []map[string]json.RawMessage }
		}
		StopReason string
		Usage      usageOut
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return out.StopReason, out.Output.Message.Content, out.Usage
}

// TestCachePoint: the prefix up to a cachePoint is written to the cache
// the first time and read afterwards; input tokens are the rest.
func TestCachePoint(t *testing.T) {
	s := Start(Config{})
	defer s.Close()
	s.Handle(func(*Request) Response { return Review(map[string]any{"score": 5}) })
	system := strings.Repeat("Review IAM policies for least privilege. ", 120) // ~1,200 tokens
	body := cachedBody(t, system)
	var got []usageOut
	for range 2 {
		resp, b := send(t, s, signOpts{body: body})
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
		_, _, u := decodeAnswer(t, b)
		got = append(got, u)
	}
	first, second := got[0], got[1]
	if first.CacheWriteInputTokens < 1024 || first.CacheReadInputTokens != 0 {
		t.Errorf("first call: %+v, want the prefix written", first)
	}
	if second.CacheReadInputTokens != first.CacheWriteInputTokens || second.CacheWriteInputTokens != 0 || second.InputTokens != first.InputTokens {
		t.Errorf("second call: %+v, want the prefix read (first %+v)", second, first)
	}
	if second.TotalTokens != second.InputTokens+second.OutputTokens+second.CacheReadInputTokens {
		t.Errorf("total %d is not the sum: %+v", second.TotalTokens, second)
	}

	// A prefix under the minimum is not cached.
	short := Start(Config{})
	defer short.Close()
	short.Handle(func(*Request) Response { return Text("ok") })
	for range 2 {
		_, b := send(t, short, signOpts{body: cachedBody(t, "Review.")})
		if _, _, u := decodeAnswer(t, b); u.CacheReadInputTokens != 0 || u.CacheWriteInputTokens != 0 {
			t.Errorf("a short prefix was cached: %+v", u)
		}
	}

	// A cachePoint of another type is refused.
	bad := strings.Replace(cachedBody(t, "Review."), `{"cachePoint":{"type":"default"}}]`, `{"cachePoint":{"type":"forever"}}]`, 1)
	if resp, b := send(t, s, signOpts{body: bad}); resp.StatusCode != 400 || !strings.Contains(string(b), "cachePoint.type") {
		t.Errorf("a bad cachePoint: %d %s", resp.StatusCode, b)
	}
}

// TestModelQuirks: models that refuse a temperature or a forced tool
// choice say so with Bedrock's ValidationException.
func TestModelQuirks(t *testing.T) {
	s := Start(Config{TemperatureDeprecated: []string{"claude-opus-4-7"}, NoForcedTool: []string{"mistral"}})
	defer s.Close()
	s.Handle(func(*Request) Response { return Text("ok") })
	path := func(id string) string { return "/model/" + strings.ReplaceAll(id, ":", "%3A") + "/converse" }
	noTemp := strings.Replace(validBody, `,"temperature":0`, ``, 1)
	auto := strings.Replace(noTemp, `"toolChoice":{"tool":{"name":"submit_review"}}`, `"toolChoice":{"auto":{}}`, 1)
	tests := []struct {
		name, model, body string
		msg               string // "" accepted
	}{
		{"temperature refused", "us.anthropic.claude-opus-4-7", validBody, TemperatureDeprecatedMessage},
		{"no temperature", "us.anthropic.claude-opus-4-7", noTemp, ""},
		{"temperature accepted", model, validBody, ""},
		{"forced tool refused", "mistral.mistral-large-2407-v1:0", noTemp, NoForcedToolMessage},
		{"auto accepted", "mistral.mistral-large-2407-v1:0", auto, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, b := send(t, s, signOpts{body: tt.body, path: path(tt.model)})
			if tt.msg == "" {
				if resp.StatusCode != 200 {
					t.Errorf("status %d: %s", resp.StatusCode, b)
				}
				return
			}
			if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-ErrorType") != "ValidationException" || !strings.Contains(string(b), jsonText(tt.msg)[1:20]) {
				t.Errorf("status %d %s: %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), b)
			}
		})
	}
}

// TestMaxTokensCut: an answer longer than maxTokens stops at the limit
// with the tool input's complete members and elements.
func TestMaxTokensCut(t *testing.T) {
	s := Start(Config{})
	defer s.Close()
	var findings []any
	for i := range 20 {
		findings = append(findings, map[string]any{"title": strings.Repeat("x", 40), "statement": i})
	}
	s.Enqueue(Review(map[string]any{"findings": findings, "score": 4, "summary": "Too broad.", "suggested_policy": strings.Repeat("y", 4000)}))
	resp, b := send(t, s, signOpts{}) // maxTokens 100: ~400 characters
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	stop, content, u := decodeAnswer(t, b)
	if stop != "max_tokens" || u.OutputTokens != 100 {
		t.Fatalf("stop %q, output tokens %d, want max_tokens at 100", stop, u.OutputTokens)
	}
	var tu struct {
		Name  string
		Input map[string]json.RawMessage
	}
	if err := json.Unmarshal(content[0]["toolUse"], &tu); err != nil {
		t.Fatal(err)
	}
	var kept []map[string]any
	json.Unmarshal(tu.Input["findings"], &kept)
	if tu.Name != ReviewTool || len(kept) == 0 || len(kept) >= 20 || tu.Input["suggested_policy"] != nil || tu.Input["summary"] != nil {
		t.Errorf("cut input %s, want some complete findings and nothing after them", content[0]["toolUse"])
	}
	for _, f := range kept {
		if f["title"] != strings.Repeat("x", 40) {
			t.Errorf("an incomplete finding was kept: %v", f)
		}
	}
}

// TestConnectionFaults: a reset connection and a proxy's HTML error page.
func TestConnectionFaults(t *testing.T) {
	s := Start(Config{})
	defer s.Close()
	s.Enqueue(ConnectionReset(), BadGatewayHTML())

	req, err := http.NewRequest(http.MethodPost, s.URL+"/model/"+model+"/converse", strings.NewReader(validBody))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256([]byte(validBody))
	if err := v4.NewSigner().SignHTTP(context.Background(), s.Credentials(), req, hex.EncodeToString(sum[:]), "bedrock", s.Region(), time.Now()); err != nil {
		t.Fatal(err)
	}
	_, err = http.DefaultClient.Do(req)
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("err = %v, want a connection reset", err)
	}

	resp, b := send(t, s, signOpts{})
	if resp.StatusCode != http.StatusBadGateway || resp.Header.Get("Content-Type") != "text/html" ||
		resp.Header.Get("X-Amzn-ErrorType") != "" || !strings.Contains(string(b), "502 Bad Gateway") {
		t.Errorf("status %d %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
}
