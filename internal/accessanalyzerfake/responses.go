package accessanalyzerfake

import (
	"net/http"
	"strconv"
)

// Response is one scripted answer. The zero Response is a 200 with an
// empty JSON object.
type Response struct {
	// Status is the HTTP status; 0 means 200, or 400 for an error.
	Status int
	// ErrorType, when set, makes this an error answer: it goes in the
	// X-Amzn-ErrorType header, e.g. "ThrottlingException".
	ErrorType string
	// Message is the error's {"message": ...}.
	Message string
	// Reason is a ValidationException's "reason" member.
	Reason string
	// RetryAfterSeconds, when positive, is sent as Retry-After.
	RetryAfterSeconds int

	// Body is the successful answer, encoded with encoding/json.
	Body any
	// Raw, when set, is sent as the body verbatim (with Status).
	Raw []byte

	// Hang never answers: the handler waits until the client gives up or
	// the server closes.
	Hang bool
}

func (r Response) status() int {
	switch {
	case r.Status != 0:
		return r.Status
	case r.ErrorType != "":
		return http.StatusBadRequest
	}
	return http.StatusOK
}

// Reason is one reason of a CheckNoNewAccess FAIL.
type Reason struct {
	Description    string `json:"description,omitempty"`
	StatementID    string `json:"statementId,omitempty"`
	StatementIndex int    `json:"statementIndex"`
}

// Pass answers CheckNoNewAccess with PASS.
func Pass(message string) Response {
	if message == "" {
		message = "The updated policy does not grant new access."
	}
	return Response{Body: map[string]any{"result": "PASS", "message": message, "reasons": []Reason{}}}
}

// Fail answers CheckNoNewAccess with FAIL and the given reasons.
func Fail(message string, reasons ...Reason) Response {
	if message == "" {
		message = "The updated policy grants new access."
	}
	if reasons == nil {
		reasons = []Reason{}
	}
	return Response{Body: map[string]any{"result": "FAIL", "message": message, "reasons": reasons}}
}

// NewAccessIn is the reason AWS gives for new access in statement i.
func NewAccessIn(i int) Reason {
	return Reason{Description: "New access in the statement with index: " + strconv.Itoa(i) + ".", StatementIndex: i}
}

// Finding is one ValidatePolicy finding.
type Finding struct {
	Type          string     `json:"findingType"` // ERROR, SECURITY_WARNING, SUGGESTION, WARNING
	IssueCode     string     `json:"issueCode"`
	Details       string     `json:"findingDetails"`
	LearnMoreLink string     `json:"learnMoreLink"`
	Locations     []Location `json:"locations"`
}

// Location is where a finding applies: a path into the policy and the
// span of text it covers.
type Location struct {
	Path []PathElement `json:"path"`
	Span Span          `json:"span"`
}

// Span is a stretch of the policy text, End exclusive.
type Span struct {
	Start Position `json:"start"`
	End   Position `json:"end"`
}

// Position is a place in the policy text as AWS counts: Line from 1,
// Column and Offset from 0.
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Offset int `json:"offset"`
}

// PathElement is one step of a Location's path, a union of which exactly
// one member is set; build it with Key, Index or Value.
type PathElement map[string]any

// Key is a path step into an object member, e.g. Key("Statement").
func Key(k string) PathElement { return PathElement{"key": k} }

// Index is a path step into an array element.
func Index(i int) PathElement { return PathElement{"index": i} }

// Value is a path step onto a string value.
func Value(v string) PathElement { return PathElement{"value": v} }

// Findings answers one page of ValidatePolicy; nextToken, when not empty,
// says more pages follow.
func Findings(nextToken string, fs ...Finding) Response {
	fs = append([]Finding{}, fs...)
	for i := range fs {
		if fs[i].Locations == nil {
			fs[i].Locations = []Location{}
		}
	}
	body := map[string]any{"findings": fs}
	if nextToken != "" {
		body["nextToken"] = nextToken
	}
	return Response{Body: body}
}

// Paginate returns a handler serving fs to ValidatePolicy pageSize at a
// time (or fewer when the request's maxResults is smaller), linking the
// pages with nextToken. A token it did not hand out is refused with a
// ValidationException; any other operation gets a 500.
func Paginate(pageSize int, fs ...Finding) func(*Request) Response {
	pageSize = max(pageSize, 1)
	return func(r *Request) Response {
		if r.Operation != OpValidatePolicy {
			return InternalServer()
		}
		start := 0
		if r.NextToken != "" {
			n, ok := parseToken(r.NextToken)
			if !ok || n <= 0 || n >= len(fs) {
				return Validation("Invalid nextToken.")
			}
			start = n
		}
		size := pageSize
		if r.MaxResults > 0 && r.MaxResults < size {
			size = r.MaxResults
		}
		end := min(start+size, len(fs))
		next := ""
		if end < len(fs) {
			next = makeToken(end)
		}
		return Findings(next, fs[start:end]...)
	}
}

const tokenPrefix = "fake-page-"

func makeToken(n int) string { return tokenPrefix + strconv.Itoa(n) }

func parseToken(t string) (int, bool) {
	if len(t) <= len(tokenPrefix) || t[:len(tokenPrefix)] != tokenPrefix {
		return 0, false
	}
	n, err := strconv.Atoi(t[len(tokenPrefix):])
	return n, err == nil
}

// Error answers with an Access Analyzer error.
func Error(status int, errType, message string) Response {
	return Response{Status: status, ErrorType: errType, Message: message}
}

// AccessDenied is the 403 AccessDeniedException of a caller without the
// permission.
func AccessDenied() Response {
	return Error(http.StatusForbidden, "AccessDeniedException",
		"User: arn:aws:iam::111122223333:user/policycheck is not authorized to perform: access-analyzer:CheckNoNewAccess")
}

// Throttling is the 429 ThrottlingException.
func Throttling() Response {
	return Error(http.StatusTooManyRequests, "ThrottlingException", "Rate exceeded")
}

// Validation is a 400 ValidationException with the given message.
func Validation(message string) Response {
	r := Error(http.StatusBadRequest, "ValidationException", message)
	r.Reason = "other"
	return r
}

// InternalServer is the 500 InternalServerException.
func InternalServer() Response {
	return Error(http.StatusInternalServerError, "InternalServerException", "Internal server error")
}
