package sigv4check

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const body = `{"policyDocument":"{}"}`

var (
	now   = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	creds = Credentials{AccessKeyID: "AKIATEST", SecretAccessKey: "secret"}
	check = Check{Credentials: creds, Service: "svc", Region: "us-east-1", MaxSkew: 5 * time.Minute}
)

type signing struct {
	creds           aws.Credentials
	service, region string
	when            time.Time
	before, after   func(*http.Request)
	received        string // body as received, when not body
}

// signed returns a server-side request signed by the SDK as s says, and
// the body the server received.
func signed(t *testing.T, s signing) (*http.Request, []byte) {
	t.Helper()
	if s.creds.AccessKeyID == "" {
		s.creds = aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey}
	}
	if s.service == "" {
		s.service = check.Service
	}
	if s.region == "" {
		s.region = check.Region
	}
	if s.when.IsZero() {
		s.when = now
	}
	r := httptest.NewRequest(http.MethodPost, "/policy/validation?maxResults=5", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if s.before != nil {
		s.before(r)
	}
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), s.creds, r, hex.EncodeToString(sum[:]), s.service, s.region, s.when); err != nil {
		t.Fatal(err)
	}
	if s.after != nil {
		s.after(r)
	}
	if s.received == "" {
		s.received = body
	}
	return r, []byte(s.received)
}

func TestVerify(t *testing.T) {
	withToken := check
	withToken.Credentials.SessionToken = "tok"
	strictHash := check
	strictHash.ContentSHA256 = true
	lyingHash := func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", strings.Repeat("0", 64)) }

	tests := []struct {
		name   string
		check  Check
		s      signing
		status int
		reason Reason
	}{
		{name: "valid", s: signing{}},
		{name: "valid within skew", s: signing{when: now.Add(-4 * time.Minute)}},
		{name: "unsigned header added after signing", s: signing{after: func(r *http.Request) { r.Header.Set("X-Later", "1") }}},
		{name: "tampered body", s: signing{received: strings.Replace(body, "{}", "[]", 1)}, status: 403, reason: SignatureMismatch},
		{name: "signed header changed", s: signing{
			before: func(r *http.Request) { r.Header.Set("X-Custom", "a") },
			after:  func(r *http.Request) { r.Header.Set("X-Custom", "b") },
		}, status: 403, reason: SignatureMismatch},
		{name: "wrong secret", s: signing{creds: aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: "other"}}, status: 403, reason: SignatureMismatch},
		{name: "unknown access key", s: signing{creds: aws.Credentials{AccessKeyID: "AKIAOTHER", SecretAccessKey: creds.SecretAccessKey}}, status: 403, reason: UnknownAccessKey},
		{name: "wrong service", s: signing{service: "other"}, status: 403, reason: WrongService},
		{name: "wrong region", s: signing{region: "eu-west-1"}, status: 403, reason: WrongRegion},
		{name: "stale date", s: signing{when: now.Add(-6 * time.Minute)}, status: 403, reason: Expired},
		{name: "future date", s: signing{when: now.Add(6 * time.Minute)}, status: 403, reason: Expired},
		{name: "no authorization", s: signing{after: func(r *http.Request) { r.Header.Del("Authorization") }}, status: 403, reason: MissingAuthorization},
		{name: "other scheme", s: signing{after: func(r *http.Request) { r.Header.Set("Authorization", "Basic x") }}, status: 400, reason: UnsupportedType},
		{name: "unexpected session token", s: signing{creds: aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: "tok"}}, status: 403, reason: InvalidToken},
		{name: "session token", check: withToken, s: signing{creds: aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: "tok"}}},
		{name: "missing session token", check: withToken, s: signing{}, status: 403, reason: InvalidToken},
		{name: "lying body hash, not checked", s: signing{before: lyingHash}},
		{name: "lying body hash, checked", check: strictHash, s: signing{before: lyingHash}, status: 400, reason: ContentSHA256Mismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.check
			if c.Service == "" {
				c = check
			}
			r, received := signed(t, tt.s)
			err := c.Verify(r, received, now)
			if tt.status == 0 {
				if err != nil {
					t.Fatalf("Verify = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Verify = nil, want %d (reason %d)", tt.status, tt.reason)
			}
			if err.Status != tt.status || err.Reason != tt.reason || err.Type == "" || err.Message == "" {
				t.Errorf("Verify = %+v, want status %d reason %d", *err, tt.status, tt.reason)
			}
		})
	}
}
