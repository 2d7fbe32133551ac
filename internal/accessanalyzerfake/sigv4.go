package accessanalyzerfake

import (
	"fmt"
	"net/http"
	"time"

	"github.com/policycheck/policycheck/internal/sigv4check"
)

const (
	signingName   = "access-analyzer"
	amzDateLayout = sigv4check.AmzDateLayout
	maxClockSkew  = 5 * time.Minute
)

// authenticate recomputes the request's SigV4 signature with the SDK's
// signer, over the headers the client says it signed and the body as
// received, and compares it with the one sent.
func (s *Server) authenticate(r *http.Request, body []byte) *sigv4check.Error {
	now := time.Now()
	if s.cfg.Now != nil {
		now = s.cfg.Now()
	}
	check := sigv4check.Check{
		Credentials: sigv4check.Credentials{
			AccessKeyID:     s.cfg.AccessKeyID,
			SecretAccessKey: s.cfg.SecretAccessKey,
			SessionToken:    s.cfg.SessionToken,
		},
		Service: signingName,
		Region:  s.cfg.Region,
		MaxSkew: maxClockSkew,
	}
	e := check.Verify(r, body, now)
	if e == nil {
		return nil
	}
	if e.Reason == sigv4check.Expired {
		e.Message = fmt.Sprintf("Signature expired: %s is now earlier than %s.", r.Header.Get("X-Amz-Date"), now.UTC().Add(-maxClockSkew).Format(amzDateLayout))
	}
	return e
}
