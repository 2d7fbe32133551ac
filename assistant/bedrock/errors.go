package bedrock

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// classify turns an error of the Converse call to model in region into
// an Unavailable.
func classify(err error, model, region string) *Unavailable {
	u := &Unavailable{Err: err}
	attempts := ""
	var maxErr *retry.MaxAttemptsError
	if errors.As(err, &maxErr) {
		attempts = fmt.Sprintf(" (after %d attempts)", maxErr.Attempt)
	}
	// Faults of the connection and of what stands between the client and
	// Bedrock (a proxy, a load balancer, a VPC endpoint) come first: the
	// SDK reports them as a malformed response or an unknown error.
	var respErr *awshttp.ResponseError
	switch {
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		u.Cause, u.Temporary = "the connection to Bedrock was reset"+attempts, true
		return u
	case errors.Is(err, io.ErrUnexpectedEOF):
		u.Cause, u.Temporary = "the connection to Bedrock was closed in the middle of the answer"+attempts, true
		return u
	case errors.As(err, &respErr) && respErr.HTTPStatusCode() >= 500 && !fromBedrock(respErr):
		u.Cause, u.Temporary = gatewayCause(respErr.HTTPStatusCode())+attempts, true
		return u
	}

	var (
		throttling   *types.ThrottlingException
		notReady     *types.ModelNotReadyException
		denied       *types.AccessDeniedException
		validation   *types.ValidationException
		notFound     *types.ResourceNotFoundException
		modelTimeout *types.ModelTimeoutException
		modelError   *types.ModelErrorException
		quota        *types.ServiceQuotaExceededException
		unavailable  *types.ServiceUnavailableException
		internal     *types.InternalServerException
		apiErr       smithy.APIError
	)
	switch {
	case errors.As(err, &throttling):
		u.Cause, u.Temporary = "Bedrock is throttling requests"+attempts, true
	case errors.As(err, &notReady):
		u.Cause, u.Temporary = "the model is not ready yet"+attempts, true
	case errors.As(err, &denied):
		u.Cause = "access denied to the model (check bedrock:InvokeModel permission)"
	case errors.As(err, &validation):
		msg := validation.ErrorMessage()
		switch m := profileMismatch(model, region); {
		case modelNotUsable(msg) && m != "":
			u.Cause = m
		case modelNotUsable(msg):
			u.Cause = fmt.Sprintf("the model is not enabled in region %s or needs an inference profile id", region)
		default:
			u.Cause = "Bedrock refused the request: " + clip(msg, 200)
		}
	case errors.As(err, &notFound):
		if m := profileMismatch(model, region); m != "" {
			u.Cause = m
		} else {
			u.Cause = fmt.Sprintf("the model was not found in region %s (check the model id)", region)
		}
	case errors.As(err, &modelTimeout):
		u.Cause, u.Temporary = "the model took too long to answer", true
	case errors.As(err, &modelError):
		u.Cause, u.Temporary = "the model failed while answering", true
	case errors.As(err, &quota):
		u.Cause, u.Temporary = "the Bedrock quota for the model is exhausted", true
	case errors.As(err, &unavailable), errors.As(err, &internal):
		u.Cause, u.Temporary = "Bedrock is unavailable"+attempts, true
	case errors.As(err, &apiErr):
		switch apiErr.ErrorCode() {
		case "InvalidSignatureException", "SignatureDoesNotMatch":
			u.Cause = "Bedrock refused the request signature (check the AWS secret key and the clock)"
		case "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredTokenException", "MissingAuthenticationTokenException":
			u.Cause = "Bedrock did not accept the AWS credentials (missing, unknown or expired)"
		default:
			u.Cause = fmt.Sprintf("Bedrock returned an error (%s)", clip(apiErr.ErrorCode(), 64))
			u.Temporary = apiErr.ErrorFault() == smithy.FaultServer
		}
	default:
		var (
			sendErr *smithyhttp.RequestSendError
			deser   *smithy.DeserializationError
		)
		switch {
		case errors.As(err, &deser):
			u.Cause, u.Temporary = "Bedrock returned a malformed response", true
		case errors.As(err, &respErr) && respErr.HTTPStatusCode() >= 500:
			u.Cause, u.Temporary = fmt.Sprintf("Bedrock is unavailable (HTTP %d)%s", respErr.HTTPStatusCode(), attempts), true
		case errors.As(err, &sendErr):
			u.Cause, u.Temporary = "could not reach Bedrock"+attempts, true
		case strings.Contains(err.Error(), "get identity") || strings.Contains(err.Error(), "get credentials"):
			u.Cause = "no usable AWS credentials for Bedrock"
		default:
			u.Cause = "the call to Bedrock failed"
		}
	}
	return u
}

// fromBedrock reports whether an error answer comes from Bedrock itself,
// which names the error's type in a header or a JSON body; a gateway in
// between answers with an HTML page or nothing.
func fromBedrock(e *awshttp.ResponseError) bool {
	r := e.Response
	if r == nil || r.Response == nil {
		return false
	}
	if r.Header.Get("X-Amzn-Errortype") != "" {
		return true
	}
	return strings.HasPrefix(strings.TrimSpace(r.Header.Get("Content-Type")), "application/json")
}

// gatewayCause names an HTTP error of a gateway between the client and
// Bedrock.
func gatewayCause(status int) string {
	text := http.StatusText(status)
	if text == "" {
		text = "error"
	}
	return fmt.Sprintf("a gateway in front of Bedrock answered HTTP %d (%s) instead of Bedrock", status, text)
}

// modelNotUsable recognises the ValidationException messages of a model
// that is not enabled in the region or needs an inference profile.
func modelNotUsable(msg string) bool {
	m := strings.ToLower(msg)
	for _, s := range []string{"on-demand throughput", "inference profile", "model identifier is invalid", "model id is invalid", "not supported in this region"} {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}
