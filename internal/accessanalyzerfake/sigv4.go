package accessanalyzerfake

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

const (
	signingName   = "access-analyzer"
	amzDateLayout = "20060102T150405Z"
	maxClockSkew  = 5 * time.Minute

	msgMismatch     = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgInvalidToken = "The security token included in the request is invalid."
)

// authError is a refused authentication in the service's terms.
type authError struct {
	status  int
	errType string
	message string
}

func (e *authError) Error() string { return e.errType + ": " + e.message }

func mismatch(msg string) *authError {
	return &authError{http.StatusForbidden, "InvalidSignatureException", msg}
}

func incomplete(msg string) *authError {
	return &authError{http.StatusBadRequest, "IncompleteSignatureException", msg}
}

// scope is the parsed Authorization header of a SigV4 request.
type scope struct {
	accessKey, date, region, service string
	signedHeaders                    []string
}

func parseAuthorization(h string) (scope, *authError) {
	var sc scope
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !ok {
		return sc, incomplete("Unsupported authorization type.")
	}
	parts := map[string]string{}
	for _, p := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok {
			return sc, incomplete("Authorization header requires each component to be of the form key=value.")
		}
		parts[k] = v
	}
	cred, signed := parts["Credential"], parts["SignedHeaders"]
	if cred == "" || signed == "" || parts["Signature"] == "" {
		return sc, incomplete("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.")
	}
	f := strings.Split(cred, "/")
	if len(f) != 5 || f[4] != "aws4_request" {
		return sc, incomplete("Credential should have the form AccessKeyId/date/region/service/aws4_request.")
	}
	sc.accessKey, sc.date, sc.region, sc.service = f[0], f[1], f[2], f[3]
	sc.signedHeaders = strings.Split(signed, ";")
	return sc, nil
}

// authenticate recomputes the request's SigV4 signature with the SDK's
// signer, over the headers the client says it signed and the body as
// received, and compares it with the one sent.
func (s *Server) authenticate(r *http.Request, body []byte) *authError {
	h := r.Header.Get("Authorization")
	if h == "" {
		return &authError{http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token"}
	}
	sc, aerr := parseAuthorization(h)
	if aerr != nil {
		return aerr
	}
	if subtle.ConstantTimeCompare([]byte(sc.accessKey), []byte(s.cfg.AccessKeyID)) != 1 {
		return &authError{http.StatusForbidden, "UnrecognizedClientException", msgInvalidToken}
	}
	if sc.service != signingName {
		return mismatch(fmt.Sprintf("Credential should be scoped to correct service: '%s'.", signingName))
	}
	if sc.region != s.cfg.Region {
		return mismatch(fmt.Sprintf("Credential should be scoped to a valid region, not '%s'.", sc.region))
	}
	signed := map[string]bool{}
	for _, name := range sc.signedHeaders {
		signed[name] = true
	}
	if !signed["host"] || !signed["x-amz-date"] {
		return mismatch("'Host' and 'X-Amz-Date' must be signed headers.")
	}
	amzDate := r.Header.Get("X-Amz-Date")
	when, err := time.Parse(amzDateLayout, amzDate)
	if err != nil {
		return incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if sc.date != amzDate[:8] {
		return mismatch("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.")
	}
	now := time.Now()
	if s.cfg.Now != nil {
		now = s.cfg.Now()
	}
	if d := now.Sub(when); d > maxClockSkew || d < -maxClockSkew {
		return mismatch(fmt.Sprintf("Signature expired: %s is now earlier than %s.", amzDate, now.UTC().Add(-maxClockSkew).Format(amzDateLayout)))
	}
	token := r.Header.Get("X-Amz-Security-Token")
	switch {
	case s.cfg.SessionToken == "" && token != "":
		return &authError{http.StatusForbidden, "UnrecognizedClientException", msgInvalidToken}
	case s.cfg.SessionToken != "" && (!signed["x-amz-security-token"] || subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.SessionToken)) != 1):
		return &authError{http.StatusForbidden, "UnrecognizedClientException", msgInvalidToken}
	}

	// Rebuild the request from the signed headers only; the payload hash
	// is always computed from the body received, never taken from a header.
	sum := sha256.Sum256(body)
	again, err := http.NewRequest(r.Method, "http://"+r.Host+r.RequestURI, nil)
	if err != nil {
		return mismatch(msgMismatch)
	}
	for _, name := range sc.signedHeaders {
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
	creds := aws.Credentials{AccessKeyID: s.cfg.AccessKeyID, SecretAccessKey: s.cfg.SecretAccessKey, SessionToken: s.cfg.SessionToken}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, again, hex.EncodeToString(sum[:]), signingName, s.cfg.Region, when); err != nil {
		return mismatch(msgMismatch)
	}
	if subtle.ConstantTimeCompare([]byte(again.Header.Get("Authorization")), []byte(h)) != 1 {
		return mismatch(msgMismatch)
	}
	return nil
}
