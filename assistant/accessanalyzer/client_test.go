package accessanalyzer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"

	"github.com/policycheck/policycheck/assistant/accessanalyzer"
	fake "github.com/policycheck/policycheck/internal/accessanalyzerfake"
)

const (
	original  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	tightened = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}`
	trust     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
)

// start runs a fake and a client signing with its credentials. Retries
// are off unless an option turns them on, so each scripted answer is one
// call.
func start(t *testing.T, opts ...func(*aws.Config, *accessanalyzer.Config)) (*fake.Server, *accessanalyzer.Client) {
	t.Helper()
	srv := fake.Start(fake.Config{})
	t.Cleanup(srv.Close)
	c := srv.Credentials()
	awsCfg := aws.Config{
		Region:           srv.Region(),
		Credentials:      credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken),
		RetryMaxAttempts: 1,
	}
	cfg := accessanalyzer.Config{Endpoint: srv.URL, Timeout: 20 * time.Second}
	for _, o := range opts {
		o(&awsCfg, &cfg)
	}
	return srv, newClient(t, awsCfg, cfg)
}

// newClient is New that fails the test on an error.
func newClient(t testing.TB, awsCfg aws.Config, cfg accessanalyzer.Config) *accessanalyzer.Client {
	t.Helper()
	c, err := accessanalyzer.New(awsCfg, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func withCredentials(id, secret string) func(*aws.Config, *accessanalyzer.Config) {
	return func(a *aws.Config, _ *accessanalyzer.Config) {
		a.Credentials = credentials.NewStaticCredentialsProvider(id, secret, "")
	}
}

func TestCheckNoNewAccess(t *testing.T) {
	tests := []struct {
		name   string
		answer fake.Response
		want   accessanalyzer.Verdict
	}{
		{
			name:   "pass",
			answer: fake.Pass("The updated policy does not grant new access."),
			want:   accessanalyzer.Verdict{Pass: true, Message: "The updated policy does not grant new access."},
		},
		{
			name: "fail with reasons",
			answer: fake.Fail("The updated policy grants new access.",
				fake.NewAccessIn(0),
				fake.Reason{Description: "New access in the statement with Sid: Write.", StatementID: "Write", StatementIndex: 2},
				fake.Reason{StatementIndex: 3}),
			want: accessanalyzer.Verdict{
				Message: "The updated policy grants new access.",
				Reasons: []string{
					"New access in the statement with index: 0.",
					"New access in the statement with Sid: Write.",
					"New access in the statement with index: 3.",
				},
			},
		},
		{
			name:   "fail without reasons",
			answer: fake.Fail(""),
			want:   accessanalyzer.Verdict{Message: "The updated policy grants new access."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, client := start(t)
			srv.Enqueue(tt.answer)
			got, err := client.CheckNoNewAccess(t.Context(), original, tightened, "identity")
			if err != nil {
				t.Fatalf("CheckNoNewAccess: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("verdict = %+v, want %+v", got, tt.want)
			}
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("fake got %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.AuthError != "" || r.Operation != fake.OpCheckNoNewAccess || r.Method != http.MethodPost || r.Path != "/policy/check-no-new-access" {
				t.Errorf("request = %s %s op %q auth %q", r.Method, r.Path, r.Operation, r.AuthError)
			}
			if r.ExistingPolicyDocument != original || r.NewPolicyDocument != tightened || r.PolicyType != "IDENTITY_POLICY" {
				t.Errorf("request members = %q, %q, %q", r.ExistingPolicyDocument, r.NewPolicyDocument, r.PolicyType)
			}
		})
	}
}

func TestPolicyTypeMapping(t *testing.T) {
	tests := []struct {
		policyType       string
		checkType        string // "" when CheckNoNewAccess refuses the type
		validateType     string
		validateResource string
	}{
		{"identity", "IDENTITY_POLICY", "IDENTITY_POLICY", ""},
		{"resource", "RESOURCE_POLICY", "RESOURCE_POLICY", ""},
		{"trust", "RESOURCE_POLICY", "RESOURCE_POLICY", "AWS::IAM::AssumeRolePolicyDocument"},
		{" Trust ", "RESOURCE_POLICY", "RESOURCE_POLICY", "AWS::IAM::AssumeRolePolicyDocument"},
		{"scp", "", "SERVICE_CONTROL_POLICY", ""},
		{"endpoint", "RESOURCE_POLICY", "RESOURCE_POLICY", ""}, // a resource policy of the endpoint
		{"", "", "", ""},
		{"bucket", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.policyType, func(t *testing.T) {
			srv, client := start(t)
			srv.Handle(func(r *fake.Request) fake.Response {
				if r.Operation == fake.OpCheckNoNewAccess {
					return fake.Pass("")
				}
				return fake.Findings("")
			})

			_, err := client.CheckNoNewAccess(t.Context(), trust, trust, tt.policyType)
			if tt.checkType == "" {
				wantCause(t, err, accessanalyzer.CauseUnsupportedType)
			} else if err != nil {
				t.Fatalf("CheckNoNewAccess: %v", err)
			}
			_, err = client.Validate(t.Context(), trust, tt.policyType)
			if tt.validateType == "" {
				wantCause(t, err, accessanalyzer.CauseUnsupportedType)
			} else if err != nil {
				t.Fatalf("Validate: %v", err)
			}

			var gotCheck, gotValidate, gotResource string
			for _, r := range srv.Requests() {
				switch r.Operation {
				case fake.OpCheckNoNewAccess:
					gotCheck = r.PolicyType
				case fake.OpValidatePolicy:
					gotValidate, gotResource = r.PolicyType, r.ValidatePolicyResourceType
				}
			}
			if gotCheck != tt.checkType || gotValidate != tt.validateType || gotResource != tt.validateResource {
				t.Errorf("sent CheckNoNewAccess %q, ValidatePolicy %q/%q; want %q, %q/%q",
					gotCheck, gotValidate, gotResource, tt.checkType, tt.validateType, tt.validateResource)
			}
		})
	}
}

func TestValidateFollowsPages(t *testing.T) {
	srv, client := start(t)
	srv.Handle(fake.Paginate(2,
		fake.Finding{
			Type: "SECURITY_WARNING", IssueCode: "PASS_ROLE_WITH_STAR_IN_RESOURCE",
			Details: "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive.",
			Locations: []fake.Location{{
				Path: []fake.PathElement{fake.Key("Statement"), fake.Index(0), fake.Key("Resource")},
				Span: fake.Span{Start: fake.Position{Line: 5, Column: 16, Offset: 120}, End: fake.Position{Line: 5, Column: 19, Offset: 123}},
			}},
		},
		fake.Finding{
			Type: "SUGGESTION", IssueCode: "EMPTY_ARRAY_ACTION", Details: "This statement includes no actions.",
			Locations: []fake.Location{
				{Path: []fake.PathElement{fake.Key("Statement"), fake.Index(1)}, Span: fake.Span{Start: fake.Position{Line: 9, Column: 0}}},
				{Path: []fake.PathElement{fake.Key("Statement"), fake.Index(2)}, Span: fake.Span{Start: fake.Position{Line: 12, Column: 4}}},
			},
		},
		fake.Finding{Type: "ERROR", IssueCode: "JSON_SYNTAX_ERROR", Details: "Fix the JSON syntax error."},
	))

	got, err := client.Validate(t.Context(), original, "identity")
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	want := []accessanalyzer.Finding{
		{Type: "SECURITY_WARNING", IssueCode: "PASS_ROLE_WITH_STAR_IN_RESOURCE", Message: "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive.", Line: 5, Column: 17, Statement: 0},
		{Type: "SUGGESTION", IssueCode: "EMPTY_ARRAY_ACTION", Message: "This statement includes no actions.", Line: 9, Column: 1, Statement: 1},
		{Type: "ERROR", IssueCode: "JSON_SYNTAX_ERROR", Message: "Fix the JSON syntax error.", Statement: -1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings =\n%+v\nwant\n%+v", got, want)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("fake got %d requests, want 2 pages", len(reqs))
	}
	if reqs[0].NextToken != "" || reqs[1].NextToken == "" {
		t.Errorf("nextTokens = %q, %q; want none then one", reqs[0].NextToken, reqs[1].NextToken)
	}
	for _, r := range reqs {
		if r.Path != "/policy/validation" || r.PolicyDocument != original || r.PolicyType != "IDENTITY_POLICY" {
			t.Errorf("request %s %s %q %q", r.Method, r.Path, r.PolicyDocument, r.PolicyType)
		}
	}
}

func TestValidateNoFindings(t *testing.T) {
	srv, client := start(t)
	srv.Enqueue(fake.Findings(""))
	got, err := client.Validate(t.Context(), tightened, "identity")
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("Validate = %#v, %v; want an empty slice", got, err)
	}
}

func TestValidateEndlessPages(t *testing.T) {
	srv, client := start(t)
	srv.Handle(func(*fake.Request) fake.Response { return fake.Findings("same-token") })
	_, err := client.Validate(t.Context(), original, "identity")
	wantCause(t, err, accessanalyzer.CauseBadAnswer)
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("fake got %d requests, want 2 (stop at the repeated token)", n)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name      string
		answer    fake.Response
		timeout   time.Duration
		cause     string
		errorCode string // the AWS error code kept inside the Unavailable
	}{
		{"access denied", fake.AccessDenied(), 0, accessanalyzer.CauseAccessDenied, "AccessDeniedException"},
		{"throttled", fake.Throttling(), 0, accessanalyzer.CauseThrottled, "ThrottlingException"},
		{"validation", fake.Validation("Invalid policy document."), 0, accessanalyzer.CauseRefused, "ValidationException"},
		{"internal", fake.InternalServer(), 0, accessanalyzer.CauseServiceError, "InternalServerException"},
		{"unknown 403", fake.Error(http.StatusForbidden, "SomethingNewException", "no"), 0, accessanalyzer.CauseAccessDenied, "SomethingNewException"},
		{"expired token", fake.Error(http.StatusForbidden, "ExpiredTokenException", "The security token included in the request is expired"), 0, accessanalyzer.CauseInvalidCredentials, "ExpiredTokenException"},
		{"timeout", fake.Response{Hang: true}, 200 * time.Millisecond, accessanalyzer.CauseTimeout, ""},
		{"not json", fake.Response{Raw: []byte("<html>")}, 0, accessanalyzer.CauseBadAnswer, ""},
		{"unknown result", fake.Response{Body: map[string]any{"result": "MAYBE"}}, 0, accessanalyzer.CauseBadAnswer, ""},
	}
	for _, tt := range tests {
		for _, op := range []string{"check", "validate"} {
			if tt.name == "unknown result" && op == "validate" {
				continue
			}
			t.Run(tt.name+"/"+op, func(t *testing.T) {
				srv, client := start(t, func(_ *aws.Config, c *accessanalyzer.Config) {
					if tt.timeout > 0 {
						c.Timeout = tt.timeout
					}
				})
				srv.Enqueue(tt.answer)
				var err error
				if op == "check" {
					_, err = client.CheckNoNewAccess(t.Context(), original, tightened, "identity")
				} else {
					_, err = client.Validate(t.Context(), original, "identity")
				}
				u := wantCause(t, err, tt.cause)
				if u == nil {
					return
				}
				if u.Err == nil {
					t.Fatal("Unavailable.Err is nil: the cause was swallowed")
				}
				if tt.errorCode != "" {
					var apiErr smithy.APIError
					if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.errorCode {
						t.Errorf("wrapped API error = %v, want code %s", apiErr, tt.errorCode)
					}
				}
			})
		}
	}
}

func TestThrottlingIsRetried(t *testing.T) {
	srv, client := start(t, func(a *aws.Config, _ *accessanalyzer.Config) {
		a.RetryMaxAttempts = 0
		a.Retryer = func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			})
		}
	})
	srv.Enqueue(fake.Throttling(), fake.Pass(""))
	v, err := client.CheckNoNewAccess(t.Context(), original, tightened, "identity")
	if err != nil || !v.Pass {
		t.Fatalf("CheckNoNewAccess = %+v, %v; want a pass after one retry", v, err)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("fake got %d requests, want 2", n)
	}
}

func TestCanceled(t *testing.T) {
	srv, client := start(t)
	srv.Enqueue(fake.Pass(""))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := client.CheckNoNewAccess(ctx, original, tightened, "identity")
	wantCause(t, err, accessanalyzer.CauseCanceled)
}

func TestAuthentication(t *testing.T) {
	tests := []struct {
		name     string
		id       string
		secret   string
		authType string
	}{
		{"wrong secret key", fake.DefaultAccessKeyID, "wrongSecretKey00000000000000000000000000", "InvalidSignatureException"},
		{"unknown access key", "AKIAUNKNOWNKEY000001", fake.DefaultSecretAccessKey, "UnrecognizedClientException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, client := start(t, withCredentials(tt.id, tt.secret))
			srv.Enqueue(fake.Pass(""))
			_, err := client.CheckNoNewAccess(t.Context(), original, tightened, "identity")
			wantCause(t, err, accessanalyzer.CauseInvalidCredentials)
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("fake got %d requests, want 1", len(reqs))
			}
			if !strings.HasPrefix(reqs[0].AuthError, tt.authType) {
				t.Errorf("fake's refusal = %q, want %s", reqs[0].AuthError, tt.authType)
			}
		})
	}
}

func TestSessionToken(t *testing.T) {
	srv := fake.Start(fake.Config{SessionToken: "session-token-1"})
	defer srv.Close()
	for _, tc := range []struct {
		token string
		ok    bool
	}{{"session-token-1", true}, {"session-token-2", false}, {"", false}} {
		c := srv.Credentials()
		client := newClient(t, aws.Config{
			Region:           srv.Region(),
			Credentials:      credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, tc.token),
			RetryMaxAttempts: 1,
		}, accessanalyzer.Config{Endpoint: srv.URL})
		srv.Enqueue(fake.Pass(""))
		_, err := client.CheckNoNewAccess(t.Context(), original, tightened, "identity")
		if tc.ok && err != nil {
			t.Errorf("token %q: %v", tc.token, err)
		}
		if !tc.ok {
			wantCause(t, err, accessanalyzer.CauseInvalidCredentials)
		}
	}
}

func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	client := newClient(t, aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(fake.DefaultAccessKeyID, fake.DefaultSecretAccessKey, ""),
		RetryMaxAttempts: 1,
	}, accessanalyzer.Config{Endpoint: "http://" + addr})
	_, err = client.Validate(t.Context(), original, "identity")
	wantCause(t, err, accessanalyzer.CauseUnreachable)
}

func TestNewWithoutRegion(t *testing.T) {
	_, err := accessanalyzer.New(aws.Config{}, accessanalyzer.Config{})
	wantCause(t, err, accessanalyzer.CauseNoRegion)
}

func TestReadyWithoutCredentials(t *testing.T) {
	client := newClient(t, aws.Config{
		Region: "eu-west-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{}, errors.New("no credential source")
		}),
		RetryMaxAttempts: 1,
	}, accessanalyzer.Config{Endpoint: "http://127.0.0.1:1"})
	wantCause(t, client.Ready(t.Context()), accessanalyzer.CauseNoCredentials)
	_, err := client.CheckNoNewAccess(t.Context(), original, tightened, "identity")
	wantCause(t, err, accessanalyzer.CauseNoCredentials)
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
	var plain, structured bytes.Buffer
	srv, client := start(t, func(a *aws.Config, c *accessanalyzer.Config) {
		a.Logger = logging.NewStandardLogger(&plain)
		a.HTTPClient = &http.Client{Transport: badDate{http.DefaultTransport}}
		c.Logger = slog.New(slog.NewJSONHandler(&structured, nil))
	})
	srv.Enqueue(fake.Pass(""))
	if _, err := client.CheckNoNewAccess(t.Context(), original, tightened, "identity"); err != nil {
		t.Fatal(err)
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

func wantCause(t *testing.T, err error, cause string) *accessanalyzer.Unavailable {
	t.Helper()
	var u *accessanalyzer.Unavailable
	if !errors.As(err, &u) {
		t.Errorf("error = %v, want *Unavailable with cause %q", err, cause)
		return nil
	}
	if u.Cause != cause {
		t.Errorf("cause = %q, want %q (error: %v)", u.Cause, cause, err)
	}
	return u
}

// BenchmarkCheckNoNewAccess measures one signed round trip to the fake over
// loopback: the client's own overhead, not AWS's latency.
func BenchmarkCheckNoNewAccess(b *testing.B) {
	srv := fake.Start(fake.Config{})
	defer srv.Close()
	srv.Handle(func(*fake.Request) fake.Response { return fake.Pass("") })
	c := srv.Credentials()
	client := newClient(b, aws.Config{
		Region:      srv.Region(),
		Credentials: credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, ""),
	}, accessanalyzer.Config{Endpoint: srv.URL})
	for b.Loop() {
		if _, err := client.CheckNoNewAccess(b.Context(), original, tightened, "identity"); err != nil {
			b.Fatal(err)
		}
	}
}
