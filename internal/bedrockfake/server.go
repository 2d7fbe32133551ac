package bedrockfake

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/policycheck/policycheck/internal/script"
)

// Default credentials and region of a fake started with a zero Config.
const (
	DefaultAccessKeyID     = "AKIAFAKEBEDROCK00001"
	DefaultSecretAccessKey = "fakeSecretKeyForTheBedrockFake0000000001"
	DefaultRegion          = "us-east-1"
)

const maxBodyBytes = 4 << 20

// Config sets up a fake.
type Config struct {
	// Region and credentials the signatures must be made for; defaults
	// above when empty.
	Region          string
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken, when set, must come in X-Amz-Security-Token.
	SessionToken string
	// BearerToken, when set, is also accepted as "Authorization: Bearer"
	// (the SDK's AWS_BEARER_TOKEN_BEDROCK mode).
	BearerToken string
	// Latency holds every answer back this long (e.g. "answers in 5 s").
	// It ends early when the client goes away or the server closes.
	Latency time.Duration
	// Now is the server's clock for the signature's time check;
	// time.Now when nil.
	Now func() time.Time
	// TLS serves https with a self-signed certificate; clients must use
	// HTTPClient. The SDK sends bearer tokens over https only.
	TLS bool

	// TemperatureDeprecated lists model ids (or parts of them, such as
	// "claude-opus-4-7") whose models refuse inferenceConfig.temperature
	// with a ValidationException, as the newest Claude models do.
	TemperatureDeprecated []string
	// NoForcedTool lists model ids (or parts of them) whose models refuse
	// a toolChoice of "tool" or "any" with a ValidationException.
	NoForcedTool []string
	// MinCacheTokens is the shortest prompt prefix a cachePoint caches
	// (default 1,024 tokens, Claude Sonnet's minimum); a shorter prefix is
	// neither written nor read.
	MinCacheTokens int
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

	mu          sync.Mutex
	inFlight    int
	maxInFlight int
	cache       map[[32]byte]bool // prompt prefixes cached by a cachePoint
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
	mux := http.NewServeMux()
	mux.HandleFunc("/", s.serve)
	s.ts = httptest.NewUnstartedServer(mux)
	// httptest listens on 127.0.0.1 already; keep it explicit.
	if l, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		s.ts.Listener.Close()
		s.ts.Listener = l
	}
	if cfg.TLS {
		s.ts.StartTLS()
	} else {
		s.ts.Start()
	}
	s.URL = s.ts.URL
	return s
}

// Close releases pending (hanging or delayed) answers, then shuts the
// server down and waits for its handlers to return.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closing)
		s.ts.CloseClientConnections()
		s.ts.Close()
	})
}

// HTTPClient is an HTTP client that trusts the server's certificate (for
// aws.Config.HTTPClient when Config.TLS is set).
func (s *Server) HTTPClient() *http.Client { return s.ts.Client() }

// Region is the region signatures must be scoped to.
func (s *Server) Region() string { return s.cfg.Region }

// Credentials are the static credentials the fake accepts.
func (s *Server) Credentials() aws.Credentials {
	return aws.Credentials{
		AccessKeyID:     s.cfg.AccessKeyID,
		SecretAccessKey: s.cfg.SecretAccessKey,
		SessionToken:    s.cfg.SessionToken,
		Source:          "bedrockfake",
	}
}

// MaxInFlight is the largest number of requests the fake was answering at
// the same time.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

func (s *Server) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now()
	}
	return time.Now()
}

var pathRE = regexp.MustCompile(`^/model/([^/]+)/converse$`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.mu.Lock()
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()

	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		writeError(w, Error(http.StatusBadRequest, "ValidationException", "could not read the request body"))
		return
	}
	if len(body) > maxBodyBytes {
		writeError(w, Error(http.StatusRequestEntityTooLarge, "ValidationException", "Input is too long for requested model."))
		return
	}
	req := &Request{Header: r.Header.Clone(), Body: body}
	if m := pathRE.FindStringSubmatch(r.URL.Path); m != nil {
		req.ModelID = m[1]
	}
	var verr *Response
	if r.Method != http.MethodPost || req.ModelID == "" {
		e := Error(http.StatusNotFound, "UnknownOperationException", "")
		verr = &e
	} else {
		verr = decodeRequest(req, r.Header.Get("Content-Type"))
	}
	if aerr := s.authenticate(r, body); aerr != nil {
		req.AuthError = aerr.Error()
		s.Record(req)
		writeError(w, Error(aerr.Status, aerr.Type, aerr.Message))
		return
	}
	s.Record(req)
	if verr == nil {
		verr = s.quirk(req)
	}
	if verr != nil {
		writeError(w, *verr)
		return
	}

	resp := s.next(req)
	wait := s.cfg.Latency + resp.Delay
	if resp.Hang || wait > 0 {
		var timeout <-chan time.Time
		if !resp.Hang {
			t := time.NewTimer(wait)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-timeout:
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
	}
	if resp.Reset {
		resetConnection(w)
		return
	}
	if resp.Raw != nil {
		ct := resp.ContentType
		if ct == "" {
			ct = "application/json"
		}
		w.Header().Set("Content-Type", ct)
		if resp.ContentType == "" {
			w.Header().Set("X-Amzn-Requestid", randomID())
		}
		w.WriteHeader(resp.status())
		w.Write(resp.Raw)
		return
	}
	if resp.status() >= 300 || resp.ErrorType != "" {
		writeError(w, resp)
		return
	}
	out, err := s.answer(resp, req, time.Since(start))
	if err != nil {
		writeError(w, Error(http.StatusInternalServerError, "InternalServerException", "bedrockfake: "+err.Error()))
		return
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
	return Error(http.StatusInternalServerError, "InternalServerException", "bedrockfake: no scripted response")
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
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"message": r.Message})
	w.Write(b)
}

var toolNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// decodeRequest fills req from its body and checks it as Bedrock would,
// returning the ValidationException to answer, or nil.
func decodeRequest(req *Request, contentType string) *Response {
	bad := func(format string, args ...any) *Response {
		e := Error(http.StatusBadRequest, "ValidationException", fmt.Sprintf(format, args...))
		return &e
	}
	if contentType != "application/json" {
		return bad("Unsupported content type %q", contentType)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(req.Body, &top); err != nil {
		return bad("Malformed input request: %v, please reformat your input and try again.", err)
	}
	for k := range top {
		if !knownRequestKeys[k] {
			return bad("Malformed input request: extraneous key [%s] is not permitted, please reformat your input and try again.", k)
		}
	}
	var cr converseRequest
	if err := json.Unmarshal(req.Body, &cr); err != nil {
		return bad("Malformed input request: %v, please reformat your input and try again.", err)
	}
	req.System, req.Messages, req.ToolConfig, req.InferenceConfig = cr.System, cr.Messages, cr.ToolConfig, cr.InferenceConfig

	for i, b := range cr.System {
		if b.Text != nil && isBlank(*b.Text) {
			return bad("The text field in the SystemContentBlock object at system.%d is blank. Add text to the text field, and try again.", i)
		}
		if b.CachePoint != nil {
			if e := checkCachePoint(b.CachePoint, fmt.Sprintf("system.%d", i)); e != nil {
				return e
			}
		}
	}
	if len(cr.Messages) == 0 {
		return bad("A conversation must start with a user message. Try again with a conversation that starts with a user message.")
	}
	for i, m := range cr.Messages {
		want := "user"
		if i%2 == 1 {
			want = "assistant"
		}
		if m.Role != want {
			return bad("A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.")
		}
		if len(m.Content) == 0 {
			return bad("The content field in the Message object at messages.%d is empty. Add a ContentBlock object to the content field and try again.", i)
		}
		for j, b := range m.Content {
			if b.Text != nil && isBlank(*b.Text) {
				return bad("The text field in the ContentBlock object at messages.%d.content.%d is blank. Add text to the text field, and try again.", i, j)
			}
		}
	}
	if ic := cr.InferenceConfig; ic != nil {
		if ic.MaxTokens != nil && *ic.MaxTokens < 1 {
			return bad("1 validation error detected: Value '%d' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1", *ic.MaxTokens)
		}
		if ic.Temperature != nil && (*ic.Temperature < 0 || *ic.Temperature > 1) {
			return bad("1 validation error detected: Value '%v' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must have value between 0 and 1", *ic.Temperature)
		}
	}
	if tc := cr.ToolConfig; tc != nil {
		if len(tc.Tools) == 0 {
			return bad("The toolConfig field must be defined when using toolUse and toolResult content blocks.")
		}
		names := map[string]bool{}
		for i, t := range tc.Tools {
			if t.CachePoint != nil {
				if e := checkCachePoint(t.CachePoint, fmt.Sprintf("toolConfig.tools.%d", i)); e != nil {
					return e
				}
			}
			if t.ToolSpec == nil {
				continue
			}
			ts := t.ToolSpec
			if !toolNameRE.MatchString(ts.Name) {
				return bad("1 validation error detected: Value at 'toolConfig.tools.%d.member.toolSpec.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+", i)
			}
			if names[ts.Name] {
				return bad("The toolConfig field contains duplicate tool names: %s", ts.Name)
			}
			names[ts.Name] = true
			var schema map[string]any
			if err := json.Unmarshal(ts.InputSchema.JSON, &schema); err != nil || schema == nil {
				return bad("The value at toolConfig.tools.%d.toolSpec.inputSchema.json is not a valid JSON Schema object.", i)
			}
			if ts.Strict != nil && *ts.Strict {
				if err := CheckStrictSchema(ts.InputSchema.JSON); err != nil {
					return bad("The input schema of tool %s is not supported in strict mode: %v", ts.Name, err)
				}
			}
		}
		if ch := tc.ToolChoice; ch != nil && ch.Tool != nil && !names[ch.Tool.Name] {
			return bad("The tool %s specified in toolChoice is not defined in toolConfig.tools.", ch.Tool.Name)
		}
	}
	return nil
}

// resetConnection drops the client's connection with a TCP reset, as a
// load balancer or a NAT gateway that lost the flow does.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // close sends RST instead of FIN
	}
	conn.Close()
}

func isBlank(s string) bool {
	return len(bytes.TrimSpace([]byte(s))) == 0
}

func randomID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
