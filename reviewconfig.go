package main

import (
	"context"
	"fmt"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/policycheck/policycheck/assistant/accessanalyzer"
	"github.com/policycheck/policycheck/assistant/bedrock"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/review"
)

// reviewConfig is the part of the environment that shapes a review; the bot and
// `policycheck check` read the same variables. AWS credentials and region
// come from the standard AWS chain (environment, profile, SSO, container
// and instance roles).
type reviewConfig struct {
	// ModelID is a Bedrock model or inference-profile id
	// ("us.anthropic.claude-sonnet-4-5-20250929-v1:0"); empty: built-in only.
	ModelID          string        `envconfig:"BEDROCK_MODEL_ID"`
	ModelTimeout     time.Duration `envconfig:"BEDROCK_TIMEOUT" default:"60s"`
	ModelConcurrency int           `envconfig:"BEDROCK_MAX_CONCURRENCY" default:"4"`
	// ModelMaxTokens caps a model's answer; each call asks for what its
	// policy needs within it.
	ModelMaxTokens int `envconfig:"BEDROCK_MAX_TOKENS" default:"16384"`
	// AccessAnalyzer also asks IAM Access Analyzer's CheckNoNewAccess to
	// confirm every suggestion (needs AWS credentials).
	AccessAnalyzer bool `envconfig:"POLICYCHECK_ACCESS_ANALYZER" default:"false"`
	// ServiceReferenceURL, when set, loads the IAM data at start from AWS's
	// Service Reference (its service-list URL, e.g.
	// https://servicereference.us-east-1.amazonaws.com/) instead of the
	// embedded copy, so a deployment can refresh without a release.
	ServiceReferenceURL string `envconfig:"POLICYCHECK_SERVICE_REFERENCE_URL"`
}

// KB returns the knowledge base the configuration asks for: the embedded
// one, or AWS's Service Reference fetched now.
func (c reviewConfig) KB(ctx context.Context) (*iamref.KB, error) {
	if c.ServiceReferenceURL == "" {
		return iamref.Default(), nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	kb, err := iamref.LoadServiceReference(ctx, nil, c.ServiceReferenceURL)
	if err != nil {
		return nil, fmt.Errorf("load IAM data from POLICYCHECK_SERVICE_REFERENCE_URL: %w", err)
	}
	return kb, nil
}

// reviewConfigFromEnv reads reviewConfig from the environment.
func reviewConfigFromEnv() (reviewConfig, error) {
	var c reviewConfig
	if err := envconfig.Process("", &c); err != nil {
		return c, fmt.Errorf("read configuration: %w", err)
	}
	if c.ModelConcurrency < 1 {
		return c, fmt.Errorf("BEDROCK_MAX_CONCURRENCY must be at least 1")
	}
	if c.ModelMaxTokens < 1024 {
		return c, fmt.Errorf("BEDROCK_MAX_TOKENS must be at least 1024")
	}
	return c, nil
}

// Build returns a Reviewer with the model and Access Analyzer the
// configuration asks for. offline leaves both out.
func (c reviewConfig) Build(ctx context.Context, kb *iamref.KB, offline bool) (*review.Reviewer, error) {
	var opts []review.Option
	if offline {
		return review.New(kb), nil
	}
	if c.ModelID != "" {
		m, err := bedrock.New(ctx, bedrock.Config{
			ModelID:        c.ModelID,
			Timeout:        c.ModelTimeout,
			MaxConcurrency: c.ModelConcurrency,
			MaxTokens:      c.ModelMaxTokens,
		})
		if err != nil {
			return nil, fmt.Errorf("configure Bedrock model %s: %w", c.ModelID, err)
		}
		opts = append(opts, review.WithModel(m))
	}
	if c.AccessAnalyzer {
		aa, err := accessanalyzer.New(ctx, accessanalyzer.Config{})
		if err != nil {
			return nil, fmt.Errorf("configure IAM Access Analyzer: %w", err)
		}
		opts = append(opts, review.WithAccessAnalyzer(aa))
	}
	return review.New(kb, opts...), nil
}
