package bedrockfake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"

const validBody = `{"system":[{"text":"Review."}],"messages":[{"role":"user","content":[{"text":"<policy-1>{}</policy-1>"}]}],` +
	`"inferenceConfig":{"maxTokens":100,"temperature":0},` +
	`"toolConfig":{"tools":[{"toolSpec":{"name":"submit_review","inputSchema":{"json":{"type":"object","additionalProperties":false,"properties":{}}}}}],"toolChoice":{"tool":{"name":"submit_review"}}}}`

type signOpts struct {
	region, service, path string
	when                  time.Time
	secret                string
	before                func(*http.Request) // before signing
	after                 func(*http.Request) // after signing
	body                  string
}

// send signs a Converse request with the SDK's signer and sends it.
func send(t *testing.T, s *Server, o signOpts) (*http.Response, []byte) {
	t.Helper()
	if o.region == "" {
		o.region = s.Region()
	}
	if o.service == "" {
		o.service = "bedrock"
	}
	if o.path == "" {
		o.path = "/model/" + strings.ReplaceAll(model, ":", "%3A") + "/converse"
	}
	if o.when.IsZero() {
		o.when = time.Now()
	}
	if o.body == "" {
		o.body = validBody
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+o.path, strings.NewReader(o.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if o.before != nil {
		o.before(req)
	}
	creds := s.Credentials()
	if o.secret != "" {
		creds.SecretAccessKey = o.secret
	}
	sum := sha256.Sum256([]byte(o.body))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), o.service, o.region, o.when); err != nil {
		t.Fatal(err)
	}
	if o.after != nil {
		o.after(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestSigV4Verification(t *testing.T) {
	s := Start(Config{})
	defer s.Close()
	s.Handle(func(*Request) Response { return Text("ok") })

	tests := []struct {
		name       string
		opts       signOpts
		wantStatus int
		wantType   string
	}{
		{"valid", signOpts{}, 200, ""},
		{"unsigned header added after signing", signOpts{after: func(r *http.Request) {
			r.Header.Set("User-Agent", "other")
			r.Header.Set("X-Added-Later", "1")
		}}, 200, ""},
		{"body hash header that tells the truth", signOpts{before: func(r *http.Request) {
			sum := sha256.Sum256([]byte(validBody))
			r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
		}}, 200, ""},
		{"body changed after signing", signOpts{after: func(r *http.Request) {
			b := strings.Replace(validBody, `"maxTokens":100`, `"maxTokens":999`, 1)
			r.Body = io.NopCloser(strings.NewReader(b))
			r.ContentLength = int64(len(b))
		}}, 403, "InvalidSignatureException"},
		{"same length body changed after signing", signOpts{after: func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(strings.Replace(validBody, "Review.", "Revie!.", 1)))
		}}, 403, "InvalidSignatureException"},
		{"body hash header that lies", signOpts{before: func(r *http.Request) {
			r.Header.Set("X-Amz-Content-Sha256", strings.Repeat("0", 64))
		}}, 400, "InvalidSignatureException"},
		{"signed header changed", signOpts{before: func(r *http.Request) { r.Header.Set("X-Custom", "a") },
			after: func(r *http.Request) { r.Header.Set("X-Custom", "b") }}, 403, "InvalidSignatureException"},
		{"path changed", signOpts{after: func(r *http.Request) {
			r.URL.Path, r.URL.RawPath = "/model/other/converse", ""
		}}, 403, "InvalidSignatureException"},
		{"wrong secret", signOpts{secret: "nope"}, 403, "InvalidSignatureException"},
		{"wrong region", signOpts{region: "eu-west-1"}, 403, "InvalidSignatureException"},
		{"wrong service", signOpts{service: "bedrock-runtime"}, 403, "InvalidSignatureException"},
		{"signed too long ago", signOpts{when: time.Now().Add(-20 * time.Minute)}, 403, "InvalidSignatureException"},
		{"no authorization", signOpts{after: func(r *http.Request) { r.Header.Del("Authorization") }}, 403, "MissingAuthenticationTokenException"},
		{"unknown access key", signOpts{after: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), DefaultAccessKeyID, "AKIAOTHER", 1))
		}}, 403, "UnrecognizedClientException"},
		{"bearer without a configured token", signOpts{after: func(r *http.Request) { r.Header.Set("Authorization", "Bearer x") }}, 403, "UnrecognizedClientException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := send(t, s, tt.opts)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, body)
			}
			if got := resp.Header.Get("X-Amzn-ErrorType"); got != tt.wantType {
				t.Errorf("X-Amzn-ErrorType = %q, want %q", got, tt.wantType)
			}
			if tt.wantStatus != 200 {
				var e struct{ Message string }
				if err := json.Unmarshal(body, &e); err != nil || e.Message == "" {
					t.Errorf("error body %s is not {\"message\": ...}", body)
				}
			}
			if tt.name == "wrong secret" && !strings.Contains(string(body), "The request signature we calculated does not match") {
				t.Errorf("message = %s", body)
			}
		})
	}
	for _, r := range s.Requests() {
		if r.AuthError == "" && r.ModelID != model {
			t.Errorf("model id %q", r.ModelID)
		}
	}
}

func TestBearerToken(t *testing.T) {
	s := Start(Config{BearerToken: "tok"})
	defer s.Close()
	s.Handle(func(*Request) Response { return Text("ok") })
	for tok, want := range map[string]int{"tok": 200, "other": 403} {
		resp, body := send(t, s, signOpts{after: func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }})
		if resp.StatusCode != want {
			t.Errorf("token %q: status %d, want %d (%s)", tok, resp.StatusCode, want, body)
		}
	}
}

func TestRequestValidation(t *testing.T) {
	s := Start(Config{})
	defer s.Close()
	s.Handle(func(*Request) Response { return Text("ok") })
	edit := func(old, new string) string {
		if !strings.Contains(validBody, old) {
			t.Fatalf("test body lacks %q", old)
		}
		return strings.Replace(validBody, old, new, 1)
	}
	tests := []struct {
		name, body, path string
		header           func(*http.Request)
		want             int
		wantType, msg    string
	}{
		{name: "extraneous key", body: edit(`{"system"`, `{"temperature":0,"system"`), want: 400, wantType: "ValidationException", msg: "extraneous key [temperature]"},
		{name: "no messages", body: `{"messages":[]}`, want: 400, wantType: "ValidationException", msg: "must start with a user message"},
		{name: "assistant first", body: edit(`"role":"user"`, `"role":"assistant"`), want: 400, wantType: "ValidationException"},
		{name: "blank text", body: edit(`{"text":"<policy-1>{}</policy-1>"}`, `{"text":"  "}`), want: 400, wantType: "ValidationException", msg: "is blank"},
		{name: "temperature above 1", body: edit(`"temperature":0`, `"temperature":2`), want: 400, wantType: "ValidationException"},
		{name: "maxTokens 0", body: edit(`"maxTokens":100`, `"maxTokens":0`), want: 400, wantType: "ValidationException"},
		{name: "toolChoice names an unknown tool", body: edit(`"toolChoice":{"tool":{"name":"submit_review"}}`, `"toolChoice":{"tool":{"name":"other"}}`), want: 400, wantType: "ValidationException"},
		{name: "bad tool name", body: edit(`"name":"submit_review","inputSchema"`, `"name":"submit review","inputSchema"`), want: 400, wantType: "ValidationException"},
		{name: "strict schema with bounds", body: edit(`"inputSchema":{"json":{"type":"object","additionalProperties":false,"properties":{}}}`,
			`"inputSchema":{"json":{"type":"object","additionalProperties":false,"properties":{"n":{"type":"integer","minimum":1}}}},"strict":true`), want: 400, wantType: "ValidationException", msg: "strict"},
		{name: "wrong content type", header: func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, want: 400, wantType: "ValidationException"},
		{name: "unknown operation", path: "/model/x/invoke", want: 404, wantType: "UnknownOperationException"},
		{name: "valid", want: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := send(t, s, signOpts{body: tt.body, path: tt.path, before: tt.header})
			if resp.StatusCode != tt.want || resp.Header.Get("X-Amzn-ErrorType") != tt.wantType {
				t.Fatalf("status %d type %q, want %d %q: %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), tt.want, tt.wantType, body)
			}
			if !strings.Contains(string(body), tt.msg) {
				t.Errorf("body %s lacks %q", body, tt.msg)
			}
		})
	}
}

func TestRecordsDecodedRequest(t *testing.T) {
	s := Start(Config{})
	defer s.Close()
	s.Enqueue(Review(map[string]any{"score": 5}).WithUsage(10, 20))
	resp, body := send(t, s, signOpts{})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	r := s.Requests()[0]
	if r.ModelID != model || r.SystemText() != "Review." || r.UserText() != "<policy-1>{}</policy-1>" {
		t.Errorf("request = %+v", r)
	}
	if r.InferenceConfig == nil || *r.InferenceConfig.MaxTokens != 100 || *r.InferenceConfig.Temperature != 0 {
		t.Errorf("inferenceConfig = %+v", r.InferenceConfig)
	}
	if r.Tool("submit_review") == nil || r.ToolConfig.ToolChoice.Tool.Name != "submit_review" {
		t.Errorf("toolConfig = %+v", r.ToolConfig)
	}
	var out struct {
		Output struct {
			Message struct {
				Role    string
				Content []struct {
					ToolUse struct {
						ToolUseID string
						Name      string
						Input     map[string]any
					}
				}
			}
		}
		StopReason string
		Usage      struct{ InputTokens, OutputTokens, TotalTokens int }
		Metrics    struct{ LatencyMs *int64 }
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	tu := out.Output.Message.Content[0].ToolUse
	if out.StopReason != "tool_use" || out.Output.Message.Role != "assistant" || tu.Name != "submit_review" ||
		tu.Input["score"] != float64(5) || !strings.HasPrefix(tu.ToolUseID, "tooluse_") {
		t.Errorf("answer = %s", body)
	}
	if out.Usage.InputTokens != 10 || out.Usage.OutputTokens != 20 || out.Usage.TotalTokens != 30 || out.Metrics.LatencyMs == nil {
		t.Errorf("usage/metrics = %s", body)
	}
}

func TestScriptOrder(t *testing.T) {
	s := Start(Config{})
	defer s.Close()
	s.Enqueue(Throttling(), AccessDenied())
	var got []string
	check := func() {
		resp, _ := send(t, s, signOpts{})
		got = append(got, resp.Header.Get("X-Amzn-ErrorType"))
	}
	check()
	check()
	check() // nothing scripted
	s.Handle(func(*Request) Response { return ModelNotReady() })
	check()
	want := []string{"ThrottlingException", "AccessDeniedException", "InternalServerException", "ModelNotReadyException"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("answers %v, want %v", got, want)
	}
}

func TestCloseReleasesHang(t *testing.T) {
	for _, r := range []Response{Hang(), Text("late").After(time.Hour)} {
		s := Start(Config{})
		s.Enqueue(r)
		done := make(chan struct{})
		go func() {
			defer close(done)
			sendNoFatal(s)
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := s.WaitRequests(ctx, 1); err != nil {
			t.Fatal(err)
		}
		cancel()
		s.Close() // returns although the answer is pending
		<-done
	}
}

// sendNoFatal sends a signed valid request, ignoring the outcome.
func sendNoFatal(s *Server) {
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/model/m/converse", strings.NewReader(validBody))
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256([]byte(validBody))
	v4.NewSigner().SignHTTP(context.Background(), s.Credentials(), req, hex.EncodeToString(sum[:]), "bedrock", s.Region(), time.Now())
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

func TestCheckStrictSchema(t *testing.T) {
	tests := []struct {
		schema string
		ok     bool
	}{
		{`{"type":"object","additionalProperties":false,"properties":{"a":{"type":"string","enum":["x"]}}}`, true},
		{`{"type":"object","properties":{}}`, false},
		{`{"type":"object","additionalProperties":true,"properties":{}}`, false},
		{`{"type":"object","additionalProperties":false,"properties":{"a":{"type":"object","properties":{}}}}`, false},
		{`{"type":"object","additionalProperties":false,"properties":{"a":{"type":"array","items":{"type":"object","properties":{}}}}}`, false},
		{`{"type":"object","additionalProperties":false,"properties":{"a":{"type":"integer","maximum":10}}}`, false},
		{`{"type":"object","additionalProperties":false,"properties":{"a":{"type":"string","maxLength":10}}}`, false},
		{`{"type":"object","additionalProperties":false,"properties":{"a":{"type":"array","minItems":2,"items":{"type":"string"}}}}`, false},
		{`{"type":"object","additionalProperties":false,"properties":{"a":{"type":"array","minItems":1,"items":{"type":"string"}}}}`, true},
		{`not json`, false},
	}
	for _, tt := range tests {
		if err := CheckStrictSchema([]byte(tt.schema)); (err == nil) != tt.ok {
			t.Errorf("CheckStrictSchema(%s) = %v, want ok=%v", tt.schema, err, tt.ok)
		}
	}
}
