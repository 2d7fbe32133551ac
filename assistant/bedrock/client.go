package bedrock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/policycheck/policycheck/internal/awslog"
)

// Defaults applied to a zero Config field.
const (
	DefaultTimeout        = 60 * time.Second
	DefaultMaxConcurrency = 4
	DefaultMaxTokens      = 4096
	DefaultMaxAttempts    = 3
	DefaultMaxBackoff     = 20 * time.Second
)

// Config sets up a Client.
type Config struct {
	// ModelID is the model or inference profile id, e.g.
	// "us.anthropic.claude-sonnet-4-5-20250929-v1:0". Required.
	ModelID string
	// Region overrides the region of the AWS configuration.
	Region string
	// Timeout bounds each call, retries and the wait for a free slot
	// included (default 60 s). The SDK has no read timeout of its own.
	Timeout time.Duration
	// MaxConcurrency is the number of model calls in flight at once across
	// the Client (default 4).
	MaxConcurrency int
	// Endpoint, when set, replaces the Bedrock runtime endpoint
	// (BaseEndpoint). Without it, AWS_ENDPOINT_URL_BEDROCK_RUNTIME (or
	// AWS_ENDPOINT_URL) is honoured when the aws.Config comes from
	// config.LoadDefaultConfig.
	Endpoint string

	// MaxTokens caps the model's answer (default 4096).
	MaxTokens int
	// MaxAttempts is the number of tries per call, the first included
	// (default 3). Throttling, 5xx and ModelNotReadyException are retried.
	MaxAttempts int
	// MaxBackoff caps the wait between tries (default 20 s); tests set it
	// tiny.
	MaxBackoff time.Duration
	// StrictTools marks the tools "strict" so that the model's input is
	// constrained to the schema (only some models accept it).
	StrictTools bool
	// Logger receives one debug line per call (model, stop reason, tokens,
	// latency; never the policy) and the AWS SDK's own log lines.
	// slog.Default() when nil.
	Logger *slog.Logger
}

// Client calls the model. It is safe for concurrent use.
type Client struct {
	rt      *bedrockruntime.Client
	cfg     Config
	region  string
	sem     chan struct{}
	log     *slog.Logger
	review  types.Tool
	answer  types.Tool
	choices map[string]types.ToolChoice
}

// New builds a Client from an AWS configuration made by the caller (the
// program loads it with config.LoadDefaultConfig; tests use static
// credentials and Config.Endpoint). The SDK's own log lines go to
// Config.Logger.
func New(awsCfg aws.Config, cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.ModelID) == "" {
		return nil, errors.New("bedrock: Config.ModelID is empty")
	}
	if cfg.Region != "" {
		awsCfg.Region = cfg.Region
	}
	if awsCfg.Region == "" {
		return nil, errors.New("bedrock: no AWS region (set Config.Region or AWS_REGION)")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxConcurrency <= 0 {
		cfg.MaxConcurrency = DefaultMaxConcurrency
	}
	if cfg.MaxTokens <= 0 {
		cfg.MaxTokens = DefaultMaxTokens
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	awsCfg.Logger = awslog.New(log)

	review, err := newTool(reviewToolName, reviewToolDescription, reviewSchema(), cfg.StrictTools)
	if err != nil {
		return nil, err
	}
	answer, err := newTool(answerToolName, answerToolDescription, answerSchema(), cfg.StrictTools)
	if err != nil {
		return nil, err
	}

	maxAttempts, maxBackoff := cfg.MaxAttempts, cfg.MaxBackoff
	rt := bedrockruntime.NewFromConfig(awsCfg, func(o *bedrockruntime.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.Retryer = retry.AddWithErrorCodes(retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = maxAttempts
			so.MaxBackoff = maxBackoff
		}), (&types.ModelNotReadyException{}).ErrorCode())
	})
	// Without any credentials the SDK falls back to bearer auth with a nil
	// token provider and panics on the first call. (The runtime client
	// takes a bearer token from AWS_BEARER_TOKEN_BEDROCK on its own.)
	if o := rt.Options(); o.Credentials == nil && o.BearerAuthTokenProvider == nil {
		return nil, errors.New("bedrock: no AWS credentials in the configuration")
	}

	if isBareModelID(cfg.ModelID) {
		log.Warn("bedrock model id has no inference-profile prefix; newer models refuse it on demand",
			"model", cfg.ModelID, "hint", "use e.g. us."+cfg.ModelID)
	}

	return &Client{
		rt:     rt,
		cfg:    cfg,
		region: awsCfg.Region,
		sem:    make(chan struct{}, cfg.MaxConcurrency),
		log:    log,
		review: review,
		answer: answer,
		choices: map[string]types.ToolChoice{
			reviewToolName: &types.ToolChoiceMemberTool{Value: types.SpecificToolChoice{Name: aws.String(reviewToolName)}},
			answerToolName: &types.ToolChoiceMemberTool{Value: types.SpecificToolChoice{Name: aws.String(answerToolName)}},
		},
	}, nil
}

// ModelID is the configured model or inference profile id.
func (c *Client) ModelID() string { return c.cfg.ModelID }

// isBareModelID reports a foundation-model id written without an
// inference-profile prefix ("anthropic.claude-..." rather than
// "us.anthropic.claude-...").
func isBareModelID(id string) bool {
	return strings.HasPrefix(id, "anthropic.claude-")
}

// errTimedOut is the cause of the Client's own deadline.
var errTimedOut = errors.New("bedrock call deadline")

// converse sends one Converse call for op ("review", "ask") under the
// Client's deadline and concurrency limit, and classifies failures.
func (c *Client) converse(ctx context.Context, op, tool, system, user string) (*bedrockruntime.ConverseOutput, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, c.cfg.Timeout, errTimedOut)
	defer cancel()

	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		if errors.Is(context.Cause(ctx), errTimedOut) {
			return nil, &Unavailable{
				Cause:     fmt.Sprintf("too many model calls in progress (waited %s for a free slot)", fmtDuration(c.cfg.Timeout)),
				Temporary: true,
				Err:       ctx.Err(),
			}
		}
		return nil, canceled(ctx.Err(), ctx.Err())
	}
	defer func() { <-c.sem }()

	in := c.converseInput(tool, system, user)
	start := time.Now()
	out, err := c.call(ctx, in)
	if err != nil {
		var u *Unavailable
		switch {
		case ctx.Err() != nil && errors.Is(context.Cause(ctx), errTimedOut):
			u = &Unavailable{
				Cause:     fmt.Sprintf("the model timed out after %s", fmtDuration(c.cfg.Timeout)),
				Temporary: true,
				Err:       err,
			}
		case ctx.Err() != nil:
			u = canceled(ctx.Err(), err)
		default:
			u = classify(err, c.region)
		}
		c.log.DebugContext(ctx, "bedrock converse failed", "op", op, "model", c.cfg.ModelID,
			"cause", u.Cause, "elapsed_ms", time.Since(start).Milliseconds())
		return nil, u
	}
	var latency int64
	if out.Metrics != nil && out.Metrics.LatencyMs != nil {
		latency = *out.Metrics.LatencyMs
	}
	usage := usageOf(out)
	c.log.DebugContext(ctx, "bedrock converse", "op", op, "model", c.cfg.ModelID,
		"stop_reason", string(out.StopReason), "input_tokens", usage.InputTokens,
		"output_tokens", usage.OutputTokens, "latency_ms", latency,
		"elapsed_ms", time.Since(start).Milliseconds())
	return out, nil
}

// call runs Converse, turning a panic inside the SDK into an error.
func (c *Client) call(ctx context.Context, in *bedrockruntime.ConverseInput) (out *bedrockruntime.ConverseOutput, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("panic in the Bedrock SDK: %v", r)
		}
	}()
	return c.rt.Converse(ctx, in)
}

// canceled is the failure when the caller's context ended (ctxErr) first.
func canceled(ctxErr, err error) *Unavailable {
	cause := "the request was cancelled before the model answered"
	if errors.Is(ctxErr, context.DeadlineExceeded) {
		cause = "the request ran out of time before the model answered"
	}
	return &Unavailable{Cause: cause, Err: err}
}

func (c *Client) converseInput(tool, system, user string) *bedrockruntime.ConverseInput {
	spec := c.review
	if tool == answerToolName {
		spec = c.answer
	}
	return &bedrockruntime.ConverseInput{
		ModelId: aws.String(c.cfg.ModelID),
		System:  []types.SystemContentBlock{&types.SystemContentBlockMemberText{Value: system}},
		Messages: []types.Message{{
			Role:    types.ConversationRoleUser,
			Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: user}},
		}},
		InferenceConfig: &types.InferenceConfiguration{
			MaxTokens:   aws.Int32(int32(min(c.cfg.MaxTokens, 1<<30))),
			Temperature: aws.Float32(0),
		},
		ToolConfig: &types.ToolConfiguration{
			Tools:      []types.Tool{spec},
			ToolChoice: c.choices[tool],
		},
	}
}

func usageOf(out *bedrockruntime.ConverseOutput) Usage {
	var u Usage
	if out.Usage != nil {
		if out.Usage.InputTokens != nil {
			u.InputTokens = int(*out.Usage.InputTokens)
		}
		if out.Usage.OutputTokens != nil {
			u.OutputTokens = int(*out.Usage.OutputTokens)
		}
	}
	return u
}

// fmtDuration writes whole seconds as "60s" and anything else as
// time.Duration does.
func fmtDuration(d time.Duration) string {
	if d >= time.Second && d%time.Second == 0 {
		return fmt.Sprintf("%ds", int64(d/time.Second))
	}
	return d.String()
}
