package bedrock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
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
	DefaultMaxTokens      = 16384
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

	// MaxTokens caps the model's answer (default 16,384). Each call asks
	// for what its input needs within the cap: a base for the summary and
	// the findings, plus twice the tokens of the policy for a rewrite.
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
	rt     *bedrockruntime.Client
	cfg    Config
	region string
	sem    chan struct{}
	log    *slog.Logger
	family family
	tools  map[string]types.Tool
	// noTemperature and autoTool are learnt from the model's refusals:
	// it refused a temperature, or a forced tool choice.
	noTemperature atomic.Bool
	autoTool      atomic.Bool
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

	tools := map[string]types.Tool{}
	for _, t := range []struct {
		name, description string
		schema            map[string]any
	}{
		{reviewToolName, reviewToolDescription, reviewSchema()},
		{answerToolName, answerToolDescription, answerSchema()},
		{intentToolName, intentToolDescription, intentSchema()},
	} {
		spec, err := newTool(t.name, t.description, t.schema, cfg.StrictTools)
		if err != nil {
			return nil, err
		}
		tools[t.name] = spec
	}

	if isBareModelID(cfg.ModelID) {
		log.Warn("bedrock model id has no inference-profile prefix; newer models refuse it on demand",
			"model", cfg.ModelID, "hint", "use e.g. us."+cfg.ModelID)
	}
	if m := profileMismatch(cfg.ModelID, awsCfg.Region); m != "" {
		log.Warn("bedrock inference profile and region do not match", "model", cfg.ModelID, "region", awsCfg.Region, "problem", m)
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
		family: familyOf(cfg.ModelID),
		tools:  tools,
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

// call is one question to the model.
type call struct {
	op     string // "review", "ask", "intent": for the logs
	tool   string // the tool the answer must call
	system string // the static system prompt, cached
	user   string
	// inputBytes is the size of the policy text the answer may rewrite;
	// the answer's token limit grows with it.
	inputBytes int
}

// Token limits of an answer: a base for the summary and the findings,
// plus two tokens for each four bytes of policy (a rewrite, escaped as a
// JSON string, is about as long as the policy), within Config.MaxTokens.
const baseAnswerTokens = 4096

func (c *Client) maxTokens(k call) int {
	return min(c.cfg.MaxTokens, baseAnswerTokens+k.inputBytes/2, 1<<30)
}

// converse sends one question to the model under the Client's deadline
// and concurrency limit and classifies failures. A model that refuses the
// temperature or a forced tool choice is asked again once without it, and
// the client remembers; with a tool choice of "auto", an answer that does
// not call the tool is asked again once. usage counts every call made,
// failed ones included, since each is billed.
func (c *Client) converse(ctx context.Context, k call) (out *bedrockruntime.ConverseOutput, usage Usage, err error) {
	ctx, cancel := context.WithTimeoutCause(ctx, c.cfg.Timeout, errTimedOut)
	defer cancel()

	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		if errors.Is(context.Cause(ctx), errTimedOut) {
			return nil, usage, &Unavailable{
				Cause:     fmt.Sprintf("too many model calls in progress (waited %s for a free slot)", fmtDuration(c.cfg.Timeout)),
				Temporary: true,
				Err:       ctx.Err(),
			}
		}
		return nil, usage, canceled(ctx.Err(), ctx.Err())
	}
	defer func() { <-c.sem }()

	adapted, retried := false, false
	for {
		in := c.converseInput(k)
		auto := in.ToolConfig.ToolChoice == nil
		start := time.Now()
		out, err = c.call(ctx, in)
		if err != nil {
			if !adapted && c.adapt(ctx, err) {
				adapted = true
				continue
			}
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
				u = classify(err, c.cfg.ModelID, c.region)
			}
			c.log.DebugContext(ctx, "bedrock converse failed", "op", k.op, "model", c.cfg.ModelID,
				"cause", u.Cause, "elapsed_ms", time.Since(start).Milliseconds())
			u.Usage = usage
			return nil, usage, u
		}
		var latency int64
		if out.Metrics != nil && out.Metrics.LatencyMs != nil {
			latency = *out.Metrics.LatencyMs
		}
		u := usageOf(out)
		usage.Add(u)
		c.log.DebugContext(ctx, "bedrock converse", "op", k.op, "model", c.cfg.ModelID,
			"stop_reason", string(out.StopReason), "input_tokens", u.InputTokens,
			"output_tokens", u.OutputTokens, "cache_read_tokens", u.CacheReadInputTokens,
			"cache_write_tokens", u.CacheWriteInputTokens, "latency_ms", latency,
			"elapsed_ms", time.Since(start).Milliseconds(), "tool_choice_auto", auto)
		if auto && !retried && out.StopReason != types.StopReasonToolUse && out.StopReason != types.StopReasonMaxTokens {
			// A tool choice of auto lets the model answer in prose: ask
			// once more.
			retried = true
			continue
		}
		return out, usage, nil
	}
}

// adapt learns from a refusal of the request's form: a model that does
// not take a temperature, or a forced tool choice. It reports whether the
// request should be sent again.
func (c *Client) adapt(ctx context.Context, err error) bool {
	var v *types.ValidationException
	if !errors.As(err, &v) {
		return false
	}
	msg := strings.ToLower(v.ErrorMessage())
	switch {
	case strings.Contains(msg, "temperature") && c.sendsTemperature():
		c.noTemperature.Store(true)
		c.log.WarnContext(ctx, "the model refuses a temperature; calling it without one", "model", c.cfg.ModelID)
		return true
	case strings.Contains(msg, "toolchoice") && !c.autoTool.Load():
		c.autoTool.Store(true)
		c.log.WarnContext(ctx, "the model refuses a forced tool choice; calling it with auto", "model", c.cfg.ModelID)
		return true
	}
	return false
}

func (c *Client) sendsTemperature() bool {
	return c.family.temperature && !c.noTemperature.Load()
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

// cachePoint marks the end of a static prefix of the prompt (the tool
// spec, then the system prompt) that Bedrock may cache between calls.
var cachePoint = types.CachePointBlock{Type: types.CachePointTypeDefault}

func (c *Client) converseInput(k call) *bedrockruntime.ConverseInput {
	ic := &types.InferenceConfiguration{MaxTokens: aws.Int32(int32(c.maxTokens(k)))}
	if c.sendsTemperature() {
		ic.Temperature = aws.Float32(0)
	}
	tc := &types.ToolConfiguration{
		Tools: []types.Tool{c.tools[k.tool], &types.ToolMemberCachePoint{Value: cachePoint}},
	}
	if !c.autoTool.Load() {
		tc.ToolChoice = &types.ToolChoiceMemberTool{Value: types.SpecificToolChoice{Name: aws.String(k.tool)}}
	}
	return &bedrockruntime.ConverseInput{
		ModelId: aws.String(c.cfg.ModelID),
		System: []types.SystemContentBlock{
			&types.SystemContentBlockMemberText{Value: k.system},
			&types.SystemContentBlockMemberCachePoint{Value: cachePoint},
		},
		Messages: []types.Message{{
			Role:    types.ConversationRoleUser,
			Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: k.user}},
		}},
		InferenceConfig: ic,
		ToolConfig:      tc,
	}
}

func usageOf(out *bedrockruntime.ConverseOutput) Usage {
	u := Usage{Calls: 1}
	if t := out.Usage; t != nil {
		u.InputTokens = int(aws.ToInt32(t.InputTokens))
		u.OutputTokens = int(aws.ToInt32(t.OutputTokens))
		u.CacheReadInputTokens = int(aws.ToInt32(t.CacheReadInputTokens))
		u.CacheWriteInputTokens = int(aws.ToInt32(t.CacheWriteInputTokens))
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
