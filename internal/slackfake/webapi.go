package slackfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// apiRequest is one Web API call with its parameters merged from the query,
// a form body or a JSON body.
type apiRequest struct {
	method string
	params url.Values
	token  string
	http   *http.Request
}

// apiError is a failed Web API answer.
type apiError struct {
	code     string
	problems []string // for "errors" and, prefixed "[ERROR] ", response_metadata.messages
	// messages, when set, are response_metadata.messages verbatim.
	messages   []string
	status     int // HTTP status; 0 means 200
	retryAfter time.Duration
}

func errCode(code string) *apiError { return &apiError{code: code} }

type fault struct {
	code       string
	rateLimit  bool
	retryAfter time.Duration
	status     int // an HTTP error status, with an HTML body as a proxy sends
}

type apiMethod struct {
	handle   func(*Server, *apiRequest) (map[string]any, *apiError)
	appToken bool // needs the app-level token instead of the bot token
}

var apiMethods = map[string]apiMethod{
	"apps.connections.open":        {(*Server).connectionsOpen, true},
	"auth.test":                    {handle: (*Server).authTest},
	"chat.postMessage":             {handle: (*Server).chatPostMessage},
	"chat.update":                  {handle: (*Server).chatUpdate},
	"chat.postEphemeral":           {handle: (*Server).chatPostEphemeral},
	"chat.delete":                  {handle: (*Server).chatDelete},
	"chat.getPermalink":            {handle: (*Server).chatGetPermalink},
	"conversations.history":        {handle: (*Server).conversationsHistory},
	"conversations.replies":        {handle: (*Server).conversationsReplies},
	"conversations.info":           {handle: (*Server).conversationsInfo},
	"users.info":                   {handle: (*Server).usersInfo},
	"files.info":                   {handle: (*Server).filesInfo},
	"files.getUploadURLExternal":   {handle: (*Server).filesGetUploadURLExternal},
	"files.completeUploadExternal": {handle: (*Server).filesCompleteUploadExternal},
	"views.open":                   {handle: (*Server).viewsOpen},
	"views.update":                 {handle: (*Server).viewsUpdate},
	"reactions.add":                {handle: (*Server).reactionsAdd},
	"reactions.remove":             {handle: (*Server).reactionsRemove},
}

// FailNext makes the next call of method answer {"ok":false,"error":slackError}
// (HTTP 200). Calls queue: two FailNext fail the next two calls. method may
// also be "response_url", "files.download" or "files.upload_url".
func (s *Server) FailNext(method, slackError string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], fault{code: slackError})
}

// RateLimitNext makes the next call of method answer HTTP 429 with
// Retry-After (whole seconds, rounded up) and {"ok":false,"error":"ratelimited"}.
func (s *Server) RateLimitNext(method string, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], fault{code: "ratelimited", rateLimit: true, retryAfter: retryAfter})
}

// FailNextStatus makes the next call of method answer HTTP status (500,
// 502, 503...) with an HTML body, as Slack's edge does when it fails; the
// call is not carried out.
func (s *Server) FailNextStatus(method string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], fault{status: status})
}

// FailEvery makes every n-th call of method (the n-th, 2n-th...) answer
// HTTP 500 without being carried out; 0 stops it. A client that retries
// gets through on the next call.
func (s *Server) FailEvery(method string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failEvery[method] = n
}

// takeFault counts a call of method and pops its next scripted fault.
func (s *Server) takeFault(method string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
	s.notifyLocked()
	if n := s.failEvery[method]; n > 0 && s.calls[method]%n == 0 {
		return &apiError{status: http.StatusInternalServerError}
	}
	q := s.faults[method]
	if len(q) == 0 {
		return nil
	}
	f := q[0]
	s.faults[method] = q[1:]
	if f.rateLimit {
		return &apiError{code: f.code, status: http.StatusTooManyRequests, retryAfter: f.retryAfter}
	}
	if f.status != 0 {
		return &apiError{status: f.status}
	}
	return errCode(f.code)
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	s.opts.Logger.Debug("slackfake: api call", "method", method)
	if e := s.takeFault(method); e != nil {
		writeError(w, e)
		return
	}
	params, err := readParams(r)
	if err != nil {
		writeError(w, &apiError{code: "invalid_json", problems: []string{err.Error()}})
		return
	}
	m, ok := apiMethods[method]
	if !ok {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "unknown_method", "req_method": method})
		return
	}
	req := &apiRequest{method: method, params: params, token: requestToken(r, params), http: r}
	if e := s.checkToken(req.token, m.appToken); e != nil {
		writeError(w, e)
		return
	}
	body, e := m.handle(s, req)
	if e != nil {
		writeError(w, e)
		return
	}
	out := map[string]any{"ok": true}
	for k, v := range body {
		out[k] = v
	}
	writeJSON(w, http.StatusOK, out)
}

// checkToken answers not_authed, invalid_auth or not_allowed_token_type.
func (s *Server) checkToken(token string, appToken bool) *apiError {
	want, other := s.opts.BotToken, s.opts.AppToken
	if appToken {
		want, other = other, want
	}
	switch token {
	case "":
		return errCode("not_authed")
	case want:
		return nil
	case other:
		return errCode("not_allowed_token_type")
	default:
		return errCode("invalid_auth")
	}
}

// requestToken takes the token from "Authorization: Bearer" or, as Slack
// also accepts, a "token" parameter.
func requestToken(r *http.Request, params url.Values) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
		return ""
	}
	return params.Get("token")
}

// readParams merges query, form and JSON body parameters. JSON values that
// are not strings are kept as their JSON text (so "blocks" and "view" read
// the same either way).
func readParams(r *http.Request) (url.Values, error) {
	v := url.Values{}
	for k, vs := range r.URL.Query() {
		v[k] = vs
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
		if err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return v, nil
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, fmt.Errorf("decode JSON body: %w", err)
		}
		for k, raw := range m {
			var str string
			switch {
			case json.Unmarshal(raw, &str) == nil:
				v.Set(k, str)
			case string(raw) == "null":
			default:
				v.Set(k, string(raw))
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(16 << 20); err != nil {
			return nil, fmt.Errorf("parse multipart body: %w", err)
		}
		for k, vs := range r.MultipartForm.Value {
			v[k] = vs
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, fmt.Errorf("parse form body: %w", err)
		}
		for k, vs := range r.PostForm {
			v[k] = vs
		}
	}
	return v, nil
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	data, err := marshal(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(data)
}

func writeError(w http.ResponseWriter, e *apiError) {
	if e.code == "" && e.status >= 500 {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(e.status)
		fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>", e.status, http.StatusText(e.status))
		return
	}
	body := map[string]any{"ok": false, "error": e.code}
	if len(e.problems) > 0 {
		msgs := make([]string, len(e.problems))
		for i, p := range e.problems {
			msgs[i] = "[ERROR] " + p
		}
		body["errors"] = e.problems
		body["response_metadata"] = map[string]any{"messages": msgs}
	}
	if len(e.messages) > 0 {
		body["response_metadata"] = map[string]any{"messages": e.messages}
	}
	status := e.status
	if status == 0 {
		status = http.StatusOK
	}
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(e.retryAfter.Seconds()))))
	}
	writeJSON(w, status, body)
}
