package e2e

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/internal/bedrockfake"
	"github.com/policycheck/policycheck/internal/slackfake"
)

// TestSDKWarningsAreJSON: what the AWS SDK warns about reaches the bot's
// JSON log like every other line, never as plain text beside it. Here
// Bedrock's answers carry a Date header the SDK cannot read.
func TestSDKWarningsAreJSON(t *testing.T) {
	t.Parallel()
	br := bedrockfake.Start(bedrockfake.Config{})
	t.Cleanup(br.Close)
	br.Handle(func(*bedrockfake.Request) bedrockfake.Response { return goodReview() })
	target, err := url.Parse(br.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		r.Header.Set("Date", "not a date")
		return nil
	}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)

	s := newSlack(t, slackfake.Options{})
	dir := t.TempDir()
	env := modelEnv(br, dir, "60s")
	env["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] = front.URL
	p := start(t, s, dir, env)
	ctx := ctxFor(t)
	d, err := s.Mention(ctx, general, alice, fenced(bucketPolicy("SdkLog")), slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c := content(waitMessage(t, ctx, s, general, d.TS, isCard)); !strings.Contains(c, "`bedrock:"+testModel+"`") {
		t.Fatalf("the model did not answer:\n%s", c)
	}

	// The warning is logged before the card is posted, but the pipe
	// from the bot may bring it a little after the card.
	warned := func() bool {
		for _, r := range p.logs.records() {
			if msg, _ := r["msg"].(string); r["level"] == "WARN" && r["component"] == "aws-sdk" && strings.Contains(msg, "Date header") {
				return true
			}
		}
		return false
	}
	if err := poll(ctx, p.done, warned); err != nil {
		t.Errorf("no JSON record of the SDK's warning in the logs (%v):\n%s", err, p.logs.String())
	}
	sc := bufio.NewScanner(strings.NewReader(p.logs.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if !json.Valid(sc.Bytes()) {
			t.Errorf("a log line is not JSON: %q", sc.Text())
		}
	}
}
