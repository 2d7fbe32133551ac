package accessanalyzer

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Causes of an Unavailable, in plain words fit to show a user.
const (
	CauseAccessDenied       = "access denied"
	CauseThrottled          = "throttled"
	CauseTimeout            = "timeout"
	CauseInvalidCredentials = "invalid credentials"
	CauseNoCredentials      = "no credentials"
	CauseNoRegion           = "no region configured"
	CauseRefused            = "request refused"
	CauseServiceError       = "service error"
	CauseUnreachable        = "service unreachable"
	CauseCanceled           = "canceled"
	CauseUnsupportedType    = "unsupported policy type"
	CauseBadAnswer          = "unexpected answer"
	CauseUnknown            = "unexpected error"
)

// Unavailable is every error the Client returns: Access Analyzer could not
// give a verdict. Cause is one of the Cause constants; Err is the
// underlying error (the SDK's, with AWS's message and request id).
type Unavailable struct {
	Op    string // "CheckNoNewAccess", "ValidatePolicy", "find credentials" or empty
	Cause string
	Err   error
}

func (e *Unavailable) Error() string {
	var b strings.Builder
	b.WriteString("IAM Access Analyzer")
	if e.Op != "" {
		b.WriteString(" " + e.Op)
	}
	b.WriteString(": " + e.Cause)
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Unavailable) Unwrap() error { return e.Err }

// unavailable classifies err, returned by a call made under callCtx, a
// context derived from the caller's ctx.
func unavailable(ctx, callCtx context.Context, op string, err error) *Unavailable {
	return &Unavailable{Op: op, Cause: cause(ctx, callCtx, err), Err: err}
}

func cause(ctx, callCtx context.Context, err error) string {
	// The caller's own cancellation or deadline first, then ours: the SDK
	// reports both in many shapes (canceled error, retry quota, url.Error).
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return CauseCanceled
	case callCtx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return CauseTimeout
	case errors.Is(err, context.Canceled):
		return CauseCanceled
	}

	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		if c := codeCause(apiErr.ErrorCode()); c != "" {
			return c
		}
	}
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) {
		switch s := respErr.HTTPStatusCode(); {
		case s == 401 || s == 403:
			return CauseAccessDenied
		case s == 429:
			return CauseThrottled
		case s >= 500:
			return CauseServiceError
		case s >= 400:
			return CauseRefused
		}
	}

	var missingRegion *aws.MissingRegionError
	if errors.As(err, &missingRegion) {
		return CauseNoRegion
	}
	// The SDK has no error type for a credential chain that found nothing
	// or failed to refresh: its messages are the only mark.
	msg := err.Error()
	if strings.Contains(msg, "get identity:") || strings.Contains(msg, "failed to retrieve credentials") ||
		strings.Contains(msg, "failed to refresh cached credentials") {
		return CauseNoCredentials
	}
	var sendErr *smithyhttp.RequestSendError
	if errors.As(err, &sendErr) {
		return CauseUnreachable
	}
	var deserErr *smithy.DeserializationError
	if errors.As(err, &deserErr) {
		return CauseBadAnswer
	}
	return CauseUnknown
}

// codeCause maps AWS error codes to causes, or returns "".
func codeCause(code string) string {
	switch code {
	case "AccessDeniedException", "AccessDenied", "UnauthorizedOperation":
		return CauseAccessDenied
	case "ThrottlingException", "Throttling", "TooManyRequestsException",
		"RequestLimitExceeded", "ServiceQuotaExceededException":
		return CauseThrottled
	case "InvalidSignatureException", "SignatureDoesNotMatch", "UnrecognizedClientException",
		"InvalidClientTokenId", "ExpiredTokenException", "ExpiredToken",
		"IncompleteSignatureException", "IncompleteSignature", "MissingAuthenticationTokenException":
		return CauseInvalidCredentials
	case "ValidationException", "InvalidParameterException", "UnprocessableEntityException":
		return CauseRefused
	case "InternalServerException", "InternalFailure", "ServiceUnavailableException", "ServiceUnavailable":
		return CauseServiceError
	case "RequestTimeout", "RequestTimeoutException":
		return CauseTimeout
	}
	return ""
}
