package bedrockfake

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
	signingService = "bedrock"
	amzDateFormat  = "20060102T150405Z"
	maxClockSkew   = 15 * time.Minute

	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

// authError is a refused authentication, in Bedrock's terms.
type authError struct {
	status  int
	errType string
	message string
}

func (e *authError) Error() string { return e.errType + ": " + e.message }

func invalidSignature(msg string) *authError {
	return &authError{http.StatusForbidden, "InvalidSignatureException", msg}
}

// authenticate checks the request's Authorization: a bearer token when the
// server has one, else a SigV4 signature recomputed with the SDK's signer.
func (s *Server) authenticate(r *http.Request, body []byte) *authError {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return &authError{http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token"}
	}
	if tok, ok := strings.CutPrefix(auth, "Bearer "); ok {
		if s.cfg.BearerToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.BearerToken)) != 1 {
			return &authError{http.StatusForbidden, "UnrecognizedClientException", "Invalid API Key format: Must be a valid API key."}
		}
		return nil
	}
	return s.verifySigV4(r, body, auth)
}

type sigV4Auth struct {
	accessKey, date, region, service string
	signedHeaders                    []string
}

func parseSigV4(auth string) (sigV4Auth, *authError) {
	var a sigV4Auth
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok {
		return a, &authError{http.StatusBadRequest, "IncompleteSignatureException", "Unsupported authorization type"}
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, &authError{http.StatusBadRequest, "IncompleteSignatureException", "Authorization header requires each component to be of the form key=value"}
		}
		fields[k] = v
	}
	cred, signed, sig := fields["Credential"], fields["SignedHeaders"], fields["Signature"]
	if cred == "" || signed == "" || sig == "" {
		return a, &authError{http.StatusBadRequest, "IncompleteSignatureException", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters."}
	}
	scope := strings.Split(cred, "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return a, &authError{http.StatusBadRequest, "IncompleteSignatureException", "Credential should have the form AccessKeyId/date/region/service/aws4_request."}
	}
	a.accessKey, a.date, a.region, a.service = scope[0], scope[1], scope[2], scope[3]
	a.signedHeaders = strings.Split(signed, ";")
	return a, nil
}

func (s *Server) verifySigV4(r *http.Request, body []byte, auth string) *authError {
	a, aerr := parseSigV4(auth)
	if aerr != nil {
		return aerr
	}
	if subtle.ConstantTimeCompare([]byte(a.accessKey), []byte(s.cfg.AccessKeyID)) != 1 {
		return &authError{http.StatusForbidden, "UnrecognizedClientException", "The security token included in the request is invalid."}
	}
	if a.service != signingService {
		return invalidSignature(fmt.Sprintf("Credential should be scoped to correct service: '%s'.", signingService))
	}
	if a.region != s.cfg.Region {
		return invalidSignature(fmt.Sprintf("Credential should be scoped to a valid region, not '%s'.", a.region))
	}
	signed := map[string]bool{}
	for _, h := range a.signedHeaders {
		signed[h] = true
	}
	if !signed["host"] || !signed["x-amz-date"] {
		return invalidSignature("'Host' and 'X-Amz-Date' must be signed headers.")
	}
	amzDate := r.Header.Get("X-Amz-Date")
	when, err := time.Parse(amzDateFormat, amzDate)
	if err != nil {
		return &authError{http.StatusBadRequest, "IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."}
	}
	if a.date != amzDate[:8] {
		return invalidSignature("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.")
	}
	if skew := s.now().Sub(when); skew > maxClockSkew || skew < -maxClockSkew {
		return invalidSignature(fmt.Sprintf("Signature expired: %s is now earlier or later than the server time by more than 15 minutes.", amzDate))
	}
	token := r.Header.Get("X-Amz-Security-Token")
	if s.cfg.SessionToken != "" && (!signed["x-amz-security-token"] || subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.SessionToken)) != 1) {
		return &authError{http.StatusForbidden, "UnrecognizedClientException", "The security token included in the request is invalid."}
	}
	if s.cfg.SessionToken == "" && token != "" {
		return &authError{http.StatusForbidden, "UnrecognizedClientException", "The security token included in the request is invalid."}
	}

	// Rebuild the request with only what the client said it signed, and
	// hash the body as received: a X-Amz-Content-Sha256 header, when
	// present, is only a claim and is never trusted for the payload hash.
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if claimed := r.Header.Get("X-Amz-Content-Sha256"); claimed != "" && claimed != payloadHash && claimed != "UNSIGNED-PAYLOAD" {
		return &authError{http.StatusBadRequest, "InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed."}
	}
	re, err := http.NewRequest(r.Method, "http://"+r.Host+r.RequestURI, nil)
	if err != nil {
		return invalidSignature(msgSignatureMismatch)
	}
	for _, h := range a.signedHeaders {
		switch h {
		case "host":
		case "content-length":
			re.ContentLength = r.ContentLength
		default:
			if vs := r.Header.Values(h); len(vs) > 0 {
				re.Header[textproto.CanonicalMIMEHeaderKey(h)] = append([]string(nil), vs...)
			}
		}
	}
	creds := aws.Credentials{AccessKeyID: s.cfg.AccessKeyID, SecretAccessKey: s.cfg.SecretAccessKey, SessionToken: s.cfg.SessionToken}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, re, payloadHash, signingService, s.cfg.Region, when); err != nil {
		return invalidSignature(msgSignatureMismatch)
	}
	if subtle.ConstantTimeCompare([]byte(re.Header.Get("Authorization")), []byte(auth)) != 1 {
		return invalidSignature(msgSignatureMismatch)
	}
	return nil
}
