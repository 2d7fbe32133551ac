// Package sigv4check verifies the AWS SigV4 signatures of requests received
// by the repository's fakes, with the SDK's own signer: it rebuilds the
// request from the headers the client says it signed, hashes the body as
// received, signs it again and compares.
package sigv4check

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/textproto"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// AmzDateLayout is the layout of the X-Amz-Date header.
const AmzDateLayout = "20060102T150405Z"

// Messages shared by several refusals, in AWS's wording.
const (
	MsgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	MsgInvalidToken      = "The security token included in the request is invalid."
)

// Credentials are the static credentials a request must be signed with.
// A non-empty SessionToken must come, signed, in X-Amz-Security-Token; an
// empty one means the request must not carry that header.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// Check is what a request must have been signed for.
type Check struct {
	Credentials Credentials
	Service     string // signing name, e.g. "bedrock"
	Region      string
	// MaxSkew is how far X-Amz-Date may be from the server's clock.
	MaxSkew time.Duration
	// ContentSHA256, when set, refuses with 400 a X-Amz-Content-Sha256
	// header that is neither the body's hash nor UNSIGNED-PAYLOAD. When
	// unset the header is only checked as a signed header. Either way the
	// payload hash is computed from the body received, never taken from
	// the header.
	ContentSHA256 bool
}

// Reason says which check refused a request, for callers that word some
// refusals their own way.
type Reason int

// Reasons of an Error.
const (
	MissingAuthorization  Reason = iota + 1 // no Authorization header
	UnsupportedType                         // not AWS4-HMAC-SHA256
	MalformedComponent                      // a component is not key=value
	MissingComponent                        // Credential, SignedHeaders or Signature missing
	MalformedCredential                     // scope is not key/date/region/service/aws4_request
	UnknownAccessKey                        // access key is not the expected one
	WrongService                            // scope names another service
	WrongRegion                             // scope names another region
	UnsignedRequired                        // host or x-amz-date not signed
	MissingDate                             // X-Amz-Date absent or unparsable
	ScopeDateMismatch                       // scope date differs from X-Amz-Date
	Expired                                 // X-Amz-Date more than MaxSkew from now
	InvalidToken                            // session token missing, unsigned, wrong or unexpected
	ContentSHA256Mismatch                   // X-Amz-Content-Sha256 is not the body's hash
	SignatureMismatch                       // recomputed signature differs
)

// Error is a refused request in AWS's terms: the HTTP status, the
// X-Amzn-ErrorType and the message to answer with.
type Error struct {
	Status  int
	Type    string
	Message string
	Reason  Reason
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

func incomplete(reason Reason, msg string) *Error {
	return &Error{http.StatusBadRequest, "IncompleteSignatureException", msg, reason}
}

func invalidSignature(reason Reason, msg string) *Error {
	return &Error{http.StatusForbidden, "InvalidSignatureException", msg, reason}
}

func unrecognized(reason Reason, msg string) *Error {
	return &Error{http.StatusForbidden, "UnrecognizedClientException", msg, reason}
}

// authorization is the parsed Authorization header of a SigV4 request.
type authorization struct {
	accessKey, date, region, service string
	signedHeaders                    []string
}

func parse(h string) (authorization, *Error) {
	var a authorization
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !ok {
		return a, incomplete(UnsupportedType, "Unsupported authorization type.")
	}
	parts := map[string]string{}
	for _, p := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok {
			return a, incomplete(MalformedComponent, "Authorization header requires each component to be of the form key=value.")
		}
		parts[k] = v
	}
	cred, signed := parts["Credential"], parts["SignedHeaders"]
	if cred == "" || signed == "" || parts["Signature"] == "" {
		return a, incomplete(MissingComponent, "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.")
	}
	f := strings.Split(cred, "/")
	if len(f) != 5 || f[4] != "aws4_request" {
		return a, incomplete(MalformedCredential, "Credential should have the form AccessKeyId/date/region/service/aws4_request.")
	}
	a.accessKey, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
	a.signedHeaders = strings.Split(signed, ";")
	return a, nil
}

// Verify checks r, whose body was read into body, against c at time now
// and returns nil when it is signed as c requires, else the refusal.
func (c Check) Verify(r *http.Request, body []byte, now time.Time) *Error {
	h := r.Header.Get("Authorization")
	if h == "" {
		return &Error{http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token", MissingAuthorization}
	}
	a, aerr := parse(h)
	if aerr != nil {
		return aerr
	}
	if subtle.ConstantTimeCompare([]byte(a.accessKey), []byte(c.Credentials.AccessKeyID)) != 1 {
		return unrecognized(UnknownAccessKey, MsgInvalidToken)
	}
	if a.service != c.Service {
		return invalidSignature(WrongService, fmt.Sprintf("Credential should be scoped to correct service: '%s'.", c.Service))
	}
	if a.region != c.Region {
		return invalidSignature(WrongRegion, fmt.Sprintf("Credential should be scoped to a valid region, not '%s'.", a.region))
	}
	signed := map[string]bool{}
	for _, name := range a.signedHeaders {
		signed[name] = true
	}
	if !signed["host"] || !signed["x-amz-date"] {
		return invalidSignature(UnsignedRequired, "'Host' and 'X-Amz-Date' must be signed headers.")
	}
	amzDate := r.Header.Get("X-Amz-Date")
	when, err := time.Parse(AmzDateLayout, amzDate)
	if err != nil {
		return incomplete(MissingDate, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if a.date != amzDate[:8] {
		return invalidSignature(ScopeDateMismatch, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.")
	}
	if d := now.Sub(when); d > c.MaxSkew || d < -c.MaxSkew {
		return invalidSignature(Expired, fmt.Sprintf("Signature expired: %s is now earlier or later than the server time by more than %d minutes.", amzDate, int(c.MaxSkew/time.Minute)))
	}
	token, want := r.Header.Get("X-Amz-Security-Token"), c.Credentials.SessionToken
	switch {
	case want == "" && token != "":
		return unrecognized(InvalidToken, MsgInvalidToken)
	case want != "" && (!signed["x-amz-security-token"] || subtle.ConstantTimeCompare([]byte(token), []byte(want)) != 1):
		return unrecognized(InvalidToken, MsgInvalidToken)
	}

	// Rebuild the request from the signed headers only; the payload hash
	// is always computed from the body received, never taken from a header.
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if c.ContentSHA256 {
		if claimed := r.Header.Get("X-Amz-Content-Sha256"); claimed != "" && claimed != payloadHash && claimed != "UNSIGNED-PAYLOAD" {
			return &Error{http.StatusBadRequest, "InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed.", ContentSHA256Mismatch}
		}
	}
	again, err := http.NewRequest(r.Method, "http://"+r.Host+r.RequestURI, nil)
	if err != nil {
		return invalidSignature(SignatureMismatch, MsgSignatureMismatch)
	}
	for _, name := range a.signedHeaders {
		switch name {
		case "host":
		case "content-length":
			again.ContentLength = int64(len(body))
		default:
			if vs := r.Header.Values(name); len(vs) > 0 {
				again.Header[textproto.CanonicalMIMEHeaderKey(name)] = append([]string(nil), vs...)
			}
		}
	}
	creds := aws.Credentials{AccessKeyID: c.Credentials.AccessKeyID, SecretAccessKey: c.Credentials.SecretAccessKey, SessionToken: c.Credentials.SessionToken}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, again, payloadHash, c.Service, c.Region, when); err != nil {
		return invalidSignature(SignatureMismatch, MsgSignatureMismatch)
	}
	if subtle.ConstantTimeCompare([]byte(again.Header.Get("Authorization")), []byte(h)) != 1 {
		return invalidSignature(SignatureMismatch, MsgSignatureMismatch)
	}
	return nil
}
