package accessanalyzerfake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// call sends body to path, signed as the SDK would with creds for the
// given service and region at the given time, after tamper (if any) has
// changed the request. It returns the status, X-Amzn-ErrorType and body.
func call(t *testing.T, s *Server, path, body string, creds aws.Credentials, service, region string, at time.Time, tamper func(*http.Request)) (int, string, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(t.Context(), creds, req, hex.EncodeToString(sum[:]), service, region, at); err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		tamper(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), out
}

const validBody = `{"policyDocument":"{}","policyType":"IDENTITY_POLICY"}`

func TestAuthentication(t *testing.T) {
	s := Start(Config{})
	defer s.Close()
	good := s.Credentials()
	wrongSecret := good
	wrongSecret.SecretAccessKey = "other"
	now := time.Now()

	tests := []struct {
		name    string
		creds   aws.Credentials
		service string
		region  string
		at      time.Time
		tamper  func(*http.Request)
		status  int
		errType string
	}{
		{"valid", good, "access-analyzer", DefaultRegion, now, nil, 200, ""},
		{"wrong secret", wrongSecret, "access-analyzer", DefaultRegion, now, nil, 403, "InvalidSignatureException"},
		{"unknown key", aws.Credentials{AccessKeyID: "AKIAOTHER", SecretAccessKey: "x"}, "access-analyzer", DefaultRegion, now, nil, 403, "UnrecognizedClientException"},
		{"wrong service", good, "accessanalyzer", DefaultRegion, now, nil, 403, "InvalidSignatureException"},
		{"wrong region", good, "access-analyzer", "eu-west-1", now, nil, 403, "InvalidSignatureException"},
		{"stale", good, "access-analyzer", DefaultRegion, now.Add(-time.Hour), nil, 403, "InvalidSignatureException"},
		{"body changed", good, "access-analyzer", DefaultRegion, now, func(r *http.Request) {
			b := `{"policyDocument":"{}","policyType":"RESOURCE_POLICY"}`
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader(b)), int64(len(b))
		}, 403, "InvalidSignatureException"},
		{"signed header changed", good, "access-analyzer", DefaultRegion, now, func(r *http.Request) {
			r.Header.Set("X-Amz-Date", now.Add(time.Second).UTC().Format(amzDateLayout))
		}, 403, "InvalidSignatureException"},
		{"no authorization", good, "access-analyzer", DefaultRegion, now, func(r *http.Request) {
			r.Header.Del("Authorization")
		}, 403, "MissingAuthenticationTokenException"},
		{"session token not expected", aws.Credentials{AccessKeyID: good.AccessKeyID, SecretAccessKey: good.SecretAccessKey, SessionToken: "t"},
			"access-analyzer", DefaultRegion, now, nil, 403, "UnrecognizedClientException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.Enqueue(Findings(""))
			status, errType, body := call(t, s, "/policy/validation", validBody, tt.creds, tt.service, tt.region, tt.at, tt.tamper)
			if status != tt.status || errType != tt.errType {
				t.Errorf("answer = %d %q %v, want %d %q", status, errType, body, tt.status, tt.errType)
			}
			if tt.errType != "" && body["message"] == "" {
				t.Errorf("error without a message: %v", body)
			}
			reqs := s.Requests()
			last := reqs[len(reqs)-1]
			if (last.AuthError == "") != (tt.errType == "") {
				t.Errorf("recorded AuthError = %q", last.AuthError)
			}
		})
	}
}

func TestRequestChecks(t *testing.T) {
	s := Start(Config{})
	defer s.Close()
	s.Handle(func(*Request) Response { return Pass("") })
	tests := []struct {
		name, path, body string
		status           int
		errType          string
	}{
		{"check ok", "/policy/check-no-new-access", `{"existingPolicyDocument":"{}","newPolicyDocument":"{}","policyType":"RESOURCE_POLICY"}`, 200, ""},
		{"check missing member", "/policy/check-no-new-access", `{"existingPolicyDocument":"{}","policyType":"RESOURCE_POLICY"}`, 400, "ValidationException"},
		{"check scp refused", "/policy/check-no-new-access", `{"existingPolicyDocument":"{}","newPolicyDocument":"{}","policyType":"SERVICE_CONTROL_POLICY"}`, 400, "ValidationException"},
		{"validate bad enum", "/policy/validation", `{"policyDocument":"{}","policyType":"BOGUS"}`, 400, "ValidationException"},
		{"validate resource type with identity", "/policy/validation", `{"policyDocument":"{}","policyType":"IDENTITY_POLICY","validatePolicyResourceType":"AWS::IAM::AssumeRolePolicyDocument"}`, 400, "ValidationException"},
		{"validate unknown member", "/policy/validation", `{"policyDocument":"{}","policyType":"IDENTITY_POLICY","extra":1}`, 400, "SerializationException"},
		{"not json", "/policy/validation", `{`, 400, "SerializationException"},
		{"unknown operation", "/policy/check-no-public-access", `{}`, 404, "UnknownOperationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, errType, body := call(t, s, tt.path, tt.body, s.Credentials(), signingName, s.Region(), time.Now(), nil)
			if status != tt.status || errType != tt.errType {
				t.Errorf("answer = %d %q %v, want %d %q", status, errType, body, tt.status, tt.errType)
			}
		})
	}
}

func TestPaginate(t *testing.T) {
	fs := []Finding{{IssueCode: "A"}, {IssueCode: "B"}, {IssueCode: "C"}}
	h := Paginate(2, fs...)
	page := func(token string, maxResults int) (codes []string, next string, errType string) {
		r := h(&Request{Operation: OpValidatePolicy, NextToken: token, MaxResults: maxResults})
		if r.ErrorType != "" {
			return nil, "", r.ErrorType
		}
		b := r.Body.(map[string]any)
		for _, f := range b["findings"].([]Finding) {
			codes = append(codes, f.IssueCode)
		}
		next, _ = b["nextToken"].(string)
		return codes, next, ""
	}
	codes, next, _ := page("", 0)
	if strings.Join(codes, "") != "AB" || next == "" {
		t.Fatalf("page 1 = %v next %q", codes, next)
	}
	codes, last, _ := page(next, 0)
	if strings.Join(codes, "") != "C" || last != "" {
		t.Fatalf("page 2 = %v next %q", codes, last)
	}
	if codes, next, _ := page("", 1); strings.Join(codes, "") != "A" || next == "" {
		t.Errorf("maxResults 1 = %v next %q", codes, next)
	}
	if _, _, e := page("forged", 0); e != "ValidationException" {
		t.Errorf("forged token answered %q", e)
	}
	if r := h(&Request{Operation: OpCheckNoNewAccess}); r.ErrorType == "" {
		t.Error("Paginate answered CheckNoNewAccess")
	}
}

func TestCloseReleasesHang(t *testing.T) {
	s := Start(Config{})
	s.Enqueue(Response{Hang: true})
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/policy/validation", bytes.NewReader([]byte(validBody)))
		req.Header.Set("Content-Type", "application/json")
		sum := sha256.Sum256([]byte(validBody))
		v4.NewSigner().SignHTTP(context.Background(), s.Credentials(), req, hex.EncodeToString(sum[:]), signingName, s.Region(), time.Now())
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	if err := s.WaitRequests(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	s.Close() // returns only once the hanging handler has
	<-done
}
