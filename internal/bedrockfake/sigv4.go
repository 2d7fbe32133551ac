package bedrockfake

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/policycheck/policycheck/internal/sigv4check"
)

const (
	signingService = "bedrock"
	maxClockSkew   = 15 * time.Minute
)

// authenticate checks the request's Authorization: a bearer token when the
// server has one, else a SigV4 signature recomputed with the SDK's signer.
func (s *Server) authenticate(r *http.Request, body []byte) *sigv4check.Error {
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		if s.cfg.BearerToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.BearerToken)) != 1 {
			return &sigv4check.Error{Status: http.StatusForbidden, Type: "UnrecognizedClientException", Message: "Invalid API Key format: Must be a valid API key."}
		}
		return nil
	}
	check := sigv4check.Check{
		Credentials: sigv4check.Credentials{
			AccessKeyID:     s.cfg.AccessKeyID,
			SecretAccessKey: s.cfg.SecretAccessKey,
			SessionToken:    s.cfg.SessionToken,
		},
		Service:       signingService,
		Region:        s.cfg.Region,
		MaxSkew:       maxClockSkew,
		ContentSHA256: true,
	}
	e := check.Verify(r, body, s.now())
	if e == nil {
		return nil
	}
	// Bedrock words these two without the final period.
	switch e.Reason {
	case sigv4check.UnsupportedType:
		e.Message = "Unsupported authorization type"
	case sigv4check.MalformedComponent:
		e.Message = "Authorization header requires each component to be of the form key=value"
	}
	return e
}
