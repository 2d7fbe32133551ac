package accessanalyzerfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/policycheck/policycheck/internal/script"
)

// Default credentials and region of a fake started with a zero Config.
const (
	DefaultAccessKeyID     = "AKIAFAKEANALYZER0001"
	DefaultSecretAccessKey = "fakeSecretKeyForTheAnalyzerFake000000001"
	DefaultRegion          = "us-east-1"
)

// Operation names, as in Request.Operation.
const (
	OpCheckNoNewAccess = "CheckNoNewAccess"
	OpValidatePolicy   = "ValidatePolicy"
)

const maxBodyBytes = 1 << 20

// Config sets up a fake.
type Config struct {
	// Region and credentials the signatures must be made for; the
	// defaults above when empty.
	Region          string
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken, when set, must come in X-Amz-Security-Token.
	SessionToken string
	// Now is the server's clock for the signature's time check;
	// time.Now when nil.
	Now func() time.Time
}

// Request is one request the fake received, with its decoded members.
type Request struct {
	// Operation is OpCheckNoNewAccess, OpValidatePolicy, or "" for a path
	// the fake does not serve.
	Operation string
	Method    string
	Path      string
	Query     url.Values
	Header    http.Header
	Body      []byte

	// CheckNoNewAccess members.
	ExistingPolicyDocument string
	NewPolicyDocument      string
	// PolicyType is either operation's policyType, e.g. "IDENTITY_POLICY".
	PolicyType string
	// ValidatePolicy members.
	PolicyDocument             string
	ValidatePolicyResourceType string
	Locale                     string
	NextToken                  string // from the query
	MaxResults                 int    // from the query; 0 when absent

	// AuthError says why the signature was refused; empty when accepted.
	AuthError string
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base endpoint, e.g. "http://127.0.0.1:41234".
	URL string

	cfg     Config
	ts      *httptest.Server
	closing chan struct{}
	once    sync.Once

	script.Script[*Request, Response]
}

// Start serves a fake on 127.0.0.1. Stop it with Close.
func Start(cfg Config) *Server {
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.AccessKeyID == "" {
		cfg.AccessKeyID = DefaultAccessKeyID
	}
	if cfg.SecretAccessKey == "" {
		cfg.SecretAccessKey = DefaultSecretAccessKey
	}
	s := &Server{cfg: cfg, closing: make(chan struct{})}
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	// httptest listens on 127.0.0.1 already; make it explicit.
	if l, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		s.ts.Listener.Close()
		s.ts.Listener = l
	}
	s.ts.Start()
	s.URL = s.ts.URL
	return s
}

// Close releases hanging answers, shuts the server down and waits for its
// handlers to return.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closing)
		s.ts.CloseClientConnections()
		s.ts.Close()
	})
}

// Region is the region signatures must be scoped to.
func (s *Server) Region() string { return s.cfg.Region }

// Credentials are the static credentials the fake accepts.
func (s *Server) Credentials() aws.Credentials {
	return aws.Credentials{
		AccessKeyID:     s.cfg.AccessKeyID,
		SecretAccessKey: s.cfg.SecretAccessKey,
		SessionToken:    s.cfg.SessionToken,
		Source:          "accessanalyzerfake",
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		writeError(w, Validation("Could not read the request body."))
		return
	}
	req := &Request{
		Method: r.Method,
		Path:   r.URL.Path,
		Query:  r.URL.Query(),
		Header: r.Header.Clone(),
		Body:   body,
	}
	if aerr := s.authenticate(r, body); aerr != nil {
		req.AuthError = aerr.Error()
		s.Record(req)
		writeError(w, Error(aerr.Status, aerr.Type, aerr.Message))
		return
	}
	if len(body) > maxBodyBytes {
		s.Record(req)
		writeError(w, Error(http.StatusRequestEntityTooLarge, "ValidationException", "Request entity too large."))
		return
	}
	verr := decode(req, r)
	s.Record(req)
	if verr != nil {
		writeError(w, *verr)
		return
	}

	resp := s.next(req)
	if resp.Hang {
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		return
	}
	if resp.ErrorType != "" {
		writeError(w, resp)
		return
	}
	out := resp.Raw
	if out == nil {
		b := resp.Body
		if b == nil {
			b = map[string]any{}
		}
		if out, err = json.Marshal(b); err != nil {
			writeError(w, Error(http.StatusInternalServerError, "InternalServerException", "accessanalyzerfake: encode answer: "+err.Error()))
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Requestid", randomID())
	w.WriteHeader(resp.status())
	w.Write(out)
}

func (s *Server) next(req *Request) Response {
	if r, ok := s.Next(req); ok {
		return r
	}
	return Error(http.StatusInternalServerError, "InternalServerException", "accessanalyzerfake: no scripted response")
}

func writeError(w http.ResponseWriter, r Response) {
	status := r.status()
	if status < 300 {
		status = http.StatusBadRequest
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Requestid", randomID())
	if r.ErrorType != "" {
		w.Header().Set("X-Amzn-Errortype", r.ErrorType)
	}
	if r.RetryAfterSeconds > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(r.RetryAfterSeconds))
	}
	w.WriteHeader(status)
	if r.Raw != nil {
		w.Write(r.Raw)
		return
	}
	body := map[string]any{"message": r.Message}
	if r.Reason != "" {
		body["reason"] = r.Reason
	}
	b, _ := json.Marshal(body)
	w.Write(b)
}

func randomID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
