package accessanalyzer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"

	"github.com/policycheck/policycheck/internal/awslog"
)

// DefaultTimeout bounds each call (all its retries and pages) when
// Config.Timeout is zero. CheckNoNewAccess runs an automated-reasoning
// proof and commonly takes a few seconds.
const DefaultTimeout = 30 * time.Second

// maxPages bounds ValidatePolicy pagination against a service (or fake)
// that never stops handing out tokens.
const maxPages = 50

// Config chooses where and how long to ask.
type Config struct {
	// Region overrides the region of the AWS configuration.
	Region string
	// Endpoint overrides the service endpoint (the SDK's BaseEndpoint),
	// e.g. a test double's "http://127.0.0.1:41234".
	Endpoint string
	// Timeout bounds each call; DefaultTimeout when zero.
	Timeout time.Duration
	// Logger receives one debug line per call (operation, outcome,
	// duration; never the policy) and the AWS SDK's own log lines.
	// slog.Default() when nil.
	Logger *slog.Logger
}

// Client asks IAM Access Analyzer. It is safe for concurrent use.
type Client struct {
	api     *accessanalyzer.Client
	creds   aws.CredentialsProvider
	region  string
	timeout time.Duration
	log     *slog.Logger
}

// Verdict is CheckNoNewAccess's answer.
type Verdict struct {
	// Pass is true when AWS found the candidate grants no new access.
	Pass bool
	// Message is AWS's sentence about the result.
	Message string
	// Reasons are AWS's descriptions of what the candidate newly allows
	// (empty on a pass).
	Reasons []string
}

// Finding is one ValidatePolicy finding.
type Finding struct {
	// Type is ERROR, SECURITY_WARNING, SUGGESTION or WARNING.
	Type string
	// IssueCode is AWS's identifier, e.g. "PASS_ROLE_WITH_STAR_IN_RESOURCE".
	IssueCode string
	// Message is AWS's explanation (its findingDetails).
	Message string
	// Line and Column are where the finding's first location starts in the
	// policy text sent, both 1-based like policy.Pos; zero when AWS gave
	// no location. (AWS counts columns from 0; Column is converted.)
	Line, Column int
	// Statement is the 0-based index of the statement the first location's
	// path leads into ("Statement[2]..."), or -1.
	Statement int
}

// New returns a client using awsCfg (credentials, retryer, HTTP
// client...; the program loads it with config.LoadDefaultConfig) with
// cfg's region, endpoint and timeout on top. The SDK's own log lines go
// to cfg.Logger. It does not contact AWS: use Ready to learn whether
// credentials can be found. Without a region it returns an *Unavailable
// with CauseNoRegion.
func New(awsCfg aws.Config, cfg Config) (*Client, error) {
	if cfg.Region != "" {
		awsCfg.Region = cfg.Region
	}
	if awsCfg.Region == "" {
		return nil, &Unavailable{Cause: CauseNoRegion}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	awsCfg.Logger = awslog.New(log)
	api := accessanalyzer.NewFromConfig(awsCfg, func(o *accessanalyzer.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	return &Client{api: api, creds: awsCfg.Credentials, region: awsCfg.Region, timeout: timeout(cfg), log: log}, nil
}

func timeout(cfg Config) time.Duration {
	if cfg.Timeout > 0 {
		return cfg.Timeout
	}
	return DefaultTimeout
}

// Ready reports whether the client can sign requests: a region is set and
// the credential chain yields credentials. It does not call Access
// Analyzer, so it cannot tell whether the credentials are accepted or
// allowed; the first real call does.
func (c *Client) Ready(ctx context.Context) error {
	const op = "find credentials"
	if c.region == "" {
		return &Unavailable{Op: op, Cause: CauseNoRegion}
	}
	if c.creds == nil {
		return &Unavailable{Op: op, Cause: CauseNoCredentials}
	}
	callCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	creds, err := c.creds.Retrieve(callCtx)
	if err != nil {
		u := unavailable(ctx, callCtx, op, err)
		if u.Cause != CauseTimeout && u.Cause != CauseCanceled {
			u.Cause = CauseNoCredentials
		}
		return u
	}
	if !creds.HasKeys() {
		return &Unavailable{Op: op, Cause: CauseNoCredentials}
	}
	if creds.Expired() {
		return &Unavailable{Op: op, Cause: CauseInvalidCredentials, Err: errors.New("credentials have expired")}
	}
	return nil
}

// CheckNoNewAccess asks whether candidate grants no access that existing
// does not. Both are policy JSON; policyType is "identity", "resource" or
// "trust" (policy.Type's names; a trust policy is compared as a resource
// policy, which is how Access Analyzer files it).
func (c *Client) CheckNoNewAccess(ctx context.Context, existing, candidate, policyType string) (Verdict, error) {
	const op = "CheckNoNewAccess"
	pt, err := accessCheckType(policyType)
	if err != nil {
		return Verdict{}, &Unavailable{Op: op, Cause: CauseUnsupportedType, Err: err}
	}
	if c.region == "" {
		return Verdict{}, &Unavailable{Op: op, Cause: CauseNoRegion}
	}
	callCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	start := time.Now()
	out, err := c.api.CheckNoNewAccess(callCtx, &accessanalyzer.CheckNoNewAccessInput{
		ExistingPolicyDocument: aws.String(existing),
		NewPolicyDocument:      aws.String(candidate),
		PolicyType:             pt,
	})
	if err != nil {
		u := unavailable(ctx, callCtx, op, err)
		c.log.DebugContext(ctx, "access analyzer call failed", "op", op, "cause", u.Cause, "duration", time.Since(start), "err", err)
		return Verdict{}, u
	}
	var v Verdict
	switch out.Result {
	case types.CheckNoNewAccessResultPass:
		v.Pass = true
	case types.CheckNoNewAccessResultFail:
	default:
		return Verdict{}, &Unavailable{Op: op, Cause: CauseBadAnswer, Err: fmt.Errorf("result %q is neither PASS nor FAIL", out.Result)}
	}
	v.Message = aws.ToString(out.Message)
	for _, r := range out.Reasons {
		if d := reason(r); d != "" {
			v.Reasons = append(v.Reasons, d)
		}
	}
	c.log.DebugContext(ctx, "access analyzer call", "op", op, "pass", v.Pass, "reasons", len(v.Reasons), "duration", time.Since(start))
	return v, nil
}

// reason is a reason's description, or failing that the statement it
// names.
func reason(r types.ReasonSummary) string {
	if d := strings.TrimSpace(aws.ToString(r.Description)); d != "" {
		return d
	}
	switch {
	case aws.ToString(r.StatementId) != "":
		return fmt.Sprintf("New access in the statement with Sid %q.", *r.StatementId)
	case r.StatementIndex != nil:
		return fmt.Sprintf("New access in the statement with index: %d.", *r.StatementIndex)
	}
	return ""
}

// Validate runs ValidatePolicy on policyJSON, following every page of
// findings. policyType is "identity", "resource", "trust" or "scp". The
// findings come in AWS's order; none is an empty, non-nil slice.
func (c *Client) Validate(ctx context.Context, policyJSON, policyType string) ([]Finding, error) {
	const op = "ValidatePolicy"
	pt, rt, err := validateType(policyType)
	if err != nil {
		return nil, &Unavailable{Op: op, Cause: CauseUnsupportedType, Err: err}
	}
	if c.region == "" {
		return nil, &Unavailable{Op: op, Cause: CauseNoRegion}
	}
	callCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	start := time.Now()
	in := &accessanalyzer.ValidatePolicyInput{
		PolicyDocument:             aws.String(policyJSON),
		PolicyType:                 pt,
		ValidatePolicyResourceType: rt,
	}
	findings := []Finding{}
	seen := map[string]bool{}
	for page := 1; ; page++ {
		out, err := c.api.ValidatePolicy(callCtx, in)
		if err != nil {
			u := unavailable(ctx, callCtx, op, err)
			c.log.DebugContext(ctx, "access analyzer call failed", "op", op, "page", page, "cause", u.Cause, "duration", time.Since(start), "err", err)
			return nil, u
		}
		for _, f := range out.Findings {
			findings = append(findings, finding(f))
		}
		next := aws.ToString(out.NextToken)
		if next == "" {
			break
		}
		if seen[next] || page == maxPages {
			return nil, &Unavailable{Op: op, Cause: CauseBadAnswer, Err: fmt.Errorf("pagination did not end after %d pages", page)}
		}
		seen[next] = true
		in.NextToken = aws.String(next)
	}
	c.log.DebugContext(ctx, "access analyzer call", "op", op, "findings", len(findings), "duration", time.Since(start))
	return findings, nil
}

func finding(f types.ValidatePolicyFinding) Finding {
	out := Finding{
		Type:      string(f.FindingType),
		IssueCode: aws.ToString(f.IssueCode),
		Message:   aws.ToString(f.FindingDetails),
		Statement: -1,
	}
	if len(f.Locations) > 0 {
		out.Statement = statementOf(f.Locations[0].Path)
	}
	for _, loc := range f.Locations {
		if loc.Span == nil || loc.Span.Start == nil || loc.Span.Start.Line == nil || *loc.Span.Start.Line < 1 {
			continue
		}
		out.Line = int(*loc.Span.Start.Line)
		if col := loc.Span.Start.Column; col != nil && *col >= 0 {
			out.Column = int(*col) + 1
		}
		break
	}
	return out
}

// The policy type names are those of policy.Type.
const (
	typeIdentity = "identity"
	typeResource = "resource"
	typeTrust    = "trust"
	typeSCP      = "scp"
	typeEndpoint = "endpoint"
)

func accessCheckType(t string) (types.AccessCheckPolicyType, error) {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case typeIdentity:
		return types.AccessCheckPolicyTypeIdentityPolicy, nil
	case typeResource, typeTrust, typeEndpoint:
		return types.AccessCheckPolicyTypeResourcePolicy, nil
	}
	return "", fmt.Errorf("CheckNoNewAccess compares identity, resource and trust policies, not %q", t)
}

func validateType(t string) (types.PolicyType, types.ValidatePolicyResourceType, error) {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case typeIdentity:
		return types.PolicyTypeIdentityPolicy, "", nil
	case typeResource, typeEndpoint:
		return types.PolicyTypeResourcePolicy, "", nil
	case typeTrust:
		return types.PolicyTypeResourcePolicy, types.ValidatePolicyResourceTypeRoleTrust, nil
	case typeSCP:
		return types.PolicyTypeServiceControlPolicy, "", nil
	}
	return "", "", fmt.Errorf("ValidatePolicy checks identity, resource, trust and scp policies, not %q", t)
}

// NoNewAccess is CheckNoNewAccess as the review's gate asks it: whether
// candidate passes, and the service's message when it does not.
func (c *Client) NoNewAccess(ctx context.Context, existing, candidate, policyType string) (pass bool, reason string, err error) {
	v, err := c.CheckNoNewAccess(ctx, existing, candidate, policyType)
	return v.Pass, v.Message, err
}
