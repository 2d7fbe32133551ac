package bedrock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/logging"

	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/internal/bedrockfake"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestNewChecksConfig(t *testing.T) {
	f := startFake(t, bedrockfake.Config{})
	if _, err := New(awsConfigFor(f), Config{Endpoint: f.URL}); err == nil {
		t.Error("New accepted an empty ModelID")
	}
	noRegion := awsConfigFor(f)
	noRegion.Region = ""
	if _, err := New(noRegion, Config{ModelID: testModel}); err == nil {
		t.Error("New accepted a configuration without region")
	}
	noCreds := awsConfigFor(f)
	noCreds.Credentials = nil
	if _, err := New(noCreds, Config{ModelID: testModel}); err == nil {
		t.Error("New accepted a configuration without credentials")
	}
	c, err := New(noRegion, Config{ModelID: testModel, Region: "eu-west-1", Logger: quiet})
	if err != nil {
		t.Fatalf("New with Config.Region: %v", err)
	}
	if c.region != "eu-west-1" || c.cfg.Timeout != DefaultTimeout || cap(c.sem) != DefaultMaxConcurrency ||
		c.cfg.MaxTokens != DefaultMaxTokens || c.cfg.MaxAttempts != DefaultMaxAttempts || c.cfg.MaxBackoff != DefaultMaxBackoff {
		t.Errorf("defaults not applied: %+v", c.cfg)
	}
}

// TestToolSchemas pins the tool schemas as sent on the wire and checks
// that strict mode would accept them.
func TestToolSchemas(t *testing.T) {
	f := startFake(t, bedrockfake.Config{})
	f.Enqueue(bedrockfake.Review(goodReviewInput()), bedrockfake.Answer("Because.", ""), bedrockfake.ToolUse(intentToolName, intentInputFor()))
	c := newTestClient(t, f, func(c *Config) { c.StrictTools = true })
	if _, err := c.Review(context.Background(), sampleRequest()); err != nil {
		t.Fatalf("Review: %v", err)
	}
	if _, err := c.Ask(context.Background(), AskRequest{Documents: sampleDocs(), Question: "Why?"}); err != nil {
		t.Fatalf("Ask: %v", err)
	}
	if _, err := c.Intent(context.Background(), review.IntentRequest{Description: "reads reports"}); err != nil {
		t.Fatalf("Intent: %v", err)
	}
	reqs := f.Requests()
	for i, name := range []string{"submit_review", "answer", "submit_intent"} {
		spec := reqs[i].Tool(name)
		if spec == nil {
			t.Fatalf("request %d has no tool %s", i, name)
		}
		if spec.Strict == nil || !*spec.Strict {
			t.Errorf("%s not marked strict", name)
		}
		if err := bedrockfake.CheckStrictSchema(spec.InputSchema.JSON); err != nil {
			t.Errorf("%s schema not strict-compatible: %v", name, err)
		}
		var v any
		if err := json.Unmarshal(spec.InputSchema.JSON, &v); err != nil {
			t.Fatal(err)
		}
		got, _ := json.MarshalIndent(v, "", "  ")
		golden(t, filepath.Join("testdata", name+".schema.json"), append(got, '\n'))
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n%s", path, got)
	}
}

func wantCause(t *testing.T, err error, cause string) *Unavailable {
	t.Helper()
	var u *Unavailable
	if !errors.As(err, &u) {
		t.Fatalf("err = %v, want *Unavailable %q", err, cause)
	}
	if u.Cause != cause {
		t.Errorf("cause = %q, want %q (err: %v)", u.Cause, cause, err)
	}
	return u
}

func TestDeadlineOnHang(t *testing.T) {
	f := startFake(t, bedrockfake.Config{})
	f.Handle(func(*bedrockfake.Request) bedrockfake.Response { return bedrockfake.Hang() })
	c := newTestClient(t, f, func(c *Config) { c.Timeout = 200 * time.Millisecond })
	_, err := c.Review(context.Background(), sampleRequest())
	u := wantCause(t, err, "the model timed out after 200ms")
	if !u.Temporary || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("temporary=%v, deadline exceeded=%v: %v", u.Temporary, errors.Is(err, context.DeadlineExceeded), err)
	}
	if n := len(f.Requests()); n != 1 {
		t.Errorf("fake got %d requests, want 1 (no retry after the deadline)", n)
	}
}

func TestFixedLatency(t *testing.T) {
	// A fake that answers in 5 s, a client that waits 100 ms: timed out,
	// and closing the fake does not wait for the 5 s.
	slow := startFake(t, bedrockfake.Config{Latency: 5 * time.Second})
	slow.Enqueue(bedrockfake.Review(goodReviewInput()))
	c := newTestClient(t, slow, func(c *Config) { c.Timeout = 100 * time.Millisecond })
	_, err := c.Review(context.Background(), sampleRequest())
	wantCause(t, err, "the model timed out after 100ms")

	// A little latency under the deadline is just slow.
	f := startFake(t, bedrockfake.Config{Latency: 20 * time.Millisecond})
	f.Enqueue(bedrockfake.Review(goodReviewInput()))
	if _, err := newTestClient(t, f, nil).Review(context.Background(), sampleRequest()); err != nil {
		t.Fatalf("Review: %v", err)
	}
}

func TestCallerCancellation(t *testing.T) {
	f := startFake(t, bedrockfake.Config{})
	f.Handle(func(*bedrockfake.Request) bedrockfake.Response { return bedrockfake.Hang() })
	c := newTestClient(t, f, nil)

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := c.Review(ctx, sampleRequest())
		errc <- err
	}()
	wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := f.WaitRequests(wait, 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	err := <-errc
	wantCause(t, err, "the request was cancelled before the model answered")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err does not wrap context.Canceled: %v", err)
	}

	short, stop2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer stop2()
	_, err = c.Review(short, sampleRequest())
	wantCause(t, err, "the request ran out of time before the model answered")
}

func TestWaitForSlotIsBounded(t *testing.T) {
	f := startFake(t, bedrockfake.Config{})
	c := newTestClient(t, f, func(c *Config) { c.MaxConcurrency = 1; c.Timeout = 50 * time.Millisecond })
	c.sem <- struct{}{} // the only slot is taken
	_, err := c.Review(context.Background(), sampleRequest())
	wantCause(t, err, "too many model calls in progress (waited 50ms for a free slot)")
	<-c.sem
	if n := len(f.Requests()); n != 0 {
		t.Errorf("fake got %d requests, want 0", n)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	f := startFake(t, bedrockfake.Config{})
	release := make(chan struct{})
	t.Cleanup(func() { close(release) }) // runs before the fake's Close
	f.Handle(func(*bedrockfake.Request) bedrockfake.Response {
		<-release
		return bedrockfake.Review(goodReviewInput())
	})
	c := newTestClient(t, f, func(c *Config) { c.MaxConcurrency = 2 })

	const calls = 5
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for range calls {
		wg.Go(func() {
			_, err := c.Review(context.Background(), sampleRequest())
			errs <- err
		})
	}
	wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := f.WaitRequests(wait, 2); err != nil {
		t.Fatal(err)
	}
	// Two calls are inside the fake; let them all through one by one.
	go func() {
		for range calls {
			release <- struct{}{}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Review: %v", err)
		}
	}
	if got := f.MaxInFlight(); got != 2 {
		t.Errorf("max in flight = %d, want 2", got)
	}
}

func TestCloseWhileHanging(t *testing.T) {
	f := bedrockfake.Start(bedrockfake.Config{})
	f.Enqueue(bedrockfake.Hang())
	c := newTestClient(t, f, func(c *Config) { c.Timeout = time.Minute; c.MaxAttempts = 1 })
	errc := make(chan error, 1)
	go func() {
		_, err := c.Review(context.Background(), sampleRequest())
		errc <- err
	}()
	wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := f.WaitRequests(wait, 1); err != nil {
		t.Fatal(err)
	}
	f.Close() // must not wait for the hang
	var u *Unavailable
	if err := <-errc; !errors.As(err, &u) {
		t.Fatalf("err = %v, want *Unavailable", err)
	}
}

func TestBearerTokenFromEnvironment(t *testing.T) {
	const token = "bedrock-api-key-for-tests"
	f := startFake(t, bedrockfake.Config{BearerToken: token, TLS: true})
	f.Enqueue(bedrockfake.Review(goodReviewInput()))
	t.Setenv("AWS_BEARER_TOKEN_BEDROCK", token)
	awsCfg := awsConfigFor(f)
	awsCfg.HTTPClient = f.HTTPClient()
	c, err := New(awsCfg, Config{ModelID: testModel, Endpoint: f.URL, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Review(context.Background(), sampleRequest()); err != nil {
		t.Fatalf("Review: %v", err)
	}
	if got := f.Requests()[0].Header.Get("Authorization"); got != "Bearer "+token {
		t.Errorf("Authorization = %q", got)
	}
}

func TestAuthenticationFailures(t *testing.T) {
	f := startFake(t, bedrockfake.Config{SessionToken: "session-token-1"})
	good := f.Credentials()
	tests := []struct {
		name, key, secret, token string
		cause, authErr           string
	}{
		{"wrong secret key", good.AccessKeyID, good.SecretAccessKey + "x", good.SessionToken,
			"Bedrock refused the request signature (check the AWS secret key and the clock)", "InvalidSignatureException"},
		{"unknown access key", "AKIAUNKNOWN000000000", good.SecretAccessKey, good.SessionToken,
			"Bedrock did not accept the AWS credentials (missing, unknown or expired)", "UnrecognizedClientException"},
		{"missing session token", good.AccessKeyID, good.SecretAccessKey, "",
			"Bedrock did not accept the AWS credentials (missing, unknown or expired)", "UnrecognizedClientException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.Requests())
			c, err := New(aws.Config{
				Region:      f.Region(),
				Credentials: credentials.NewStaticCredentialsProvider(tt.key, tt.secret, tt.token),
			}, Config{ModelID: testModel, Endpoint: f.URL, MaxBackoff: time.Millisecond, Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Review(context.Background(), sampleRequest())
			wantCause(t, err, tt.cause)
			reqs := f.Requests()[before:]
			if len(reqs) != 1 || !strings.Contains(reqs[0].AuthError, tt.authErr) {
				t.Errorf("fake saw %d requests; auth error %q, want %s", len(reqs), reqs[0].AuthError, tt.authErr)
			}
		})
	}
	// The right credentials, session token included, pass.
	f.Enqueue(bedrockfake.Review(goodReviewInput()))
	if _, err := newTestClient(t, f, nil).Review(context.Background(), sampleRequest()); err != nil {
		t.Fatalf("Review with the right credentials: %v", err)
	}
}

func TestCredentialsProviderFails(t *testing.T) {
	f := startFake(t, bedrockfake.Config{})
	c, err := New(aws.Config{Region: f.Region(), Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, errors.New("no SSO session")
	})}, Config{ModelID: testModel, Endpoint: f.URL, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Review(context.Background(), sampleRequest())
	wantCause(t, err, "no usable AWS credentials for Bedrock")
	if n := len(f.Requests()); n != 0 {
		t.Errorf("fake got %d requests, want 0", n)
	}
}

func TestLogsUsageButNotPolicy(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := startFake(t, bedrockfake.Config{})
	f.Enqueue(bedrockfake.Review(goodReviewInput()).WithUsage(1500, 200), bedrockfake.AccessDenied())
	c := newTestClient(t, f, func(c *Config) { c.Logger = log })
	req := sampleRequest()
	req.Policy = `{"Version":"2012-10-17","Statement":[{"Sid":"MARKER7731","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	if _, err := c.Review(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	c.Review(context.Background(), req)
	out := buf.String()
	if !strings.Contains(out, "input_tokens=1500") || !strings.Contains(out, "output_tokens=200") || !strings.Contains(out, "stop_reason=tool_use") {
		t.Errorf("usage not logged:\n%s", out)
	}
	if !strings.Contains(out, "access denied") {
		t.Errorf("failure not logged:\n%s", out)
	}
	if strings.Contains(out, "MARKER7731") {
		t.Errorf("policy text logged:\n%s", out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.Contains(line, "level=DEBUG") {
			t.Errorf("logged above debug: %s", line)
		}
	}
}

func TestFmtDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		60 * time.Second: "60s", 90 * time.Second: "90s", 1500 * time.Millisecond: "1.5s", 200 * time.Millisecond: "200ms",
	} {
		if got := fmtDuration(d); got != want {
			t.Errorf("fmtDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// badDate spoils the Date header of every response, which the SDK warns
// about.
type badDate struct{ http.RoundTripper }

func (b badDate) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := b.RoundTripper.RoundTrip(r)
	if err == nil {
		resp.Header.Set("Date", "not a date")
	}
	return resp, err
}

// TestSDKLogsGoToLogger: the SDK's own warnings reach Config.Logger's
// handler, not the plain-text logger config.LoadDefaultConfig sets.
func TestSDKLogsGoToLogger(t *testing.T) {
	f := startFake(t, bedrockfake.Config{})
	f.Enqueue(bedrockfake.Review(goodReviewInput()))
	var plain, structured bytes.Buffer
	awsCfg := awsConfigFor(f)
	awsCfg.Logger = logging.NewStandardLogger(&plain)
	awsCfg.HTTPClient = &http.Client{Transport: badDate{http.DefaultTransport}}
	log := slog.New(slog.NewJSONHandler(&structured, nil))
	c, err := New(awsCfg, Config{ModelID: testModel, Endpoint: f.URL, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Review(context.Background(), sampleRequest()); err != nil {
		t.Fatalf("Review: %v", err)
	}
	if plain.Len() != 0 {
		t.Errorf("the SDK wrote plain text: %q", plain.String())
	}
	var rec struct{ Level, Msg, Component string }
	if err := json.Unmarshal(structured.Bytes(), &rec); err != nil {
		t.Fatalf("%v: %q", err, structured.String())
	}
	if rec.Level != "WARN" || !strings.Contains(rec.Msg, "Date header") || rec.Component != "aws-sdk" {
		t.Errorf("logged %q, want the SDK's warning about the Date header", structured.String())
	}
}
