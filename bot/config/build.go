package config

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/policycheck/policycheck/assistant/accessanalyzer"
	"github.com/policycheck/policycheck/assistant/bedrock"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/internal/awslog"
)

// serviceReferenceTimeout bounds the download of the IAM data.
const serviceReferenceTimeout = 2 * time.Minute

// awsLoadTimeout bounds the loading of the AWS configuration (shared
// files, SSO cache; credentials themselves are fetched on first use).
const awsLoadTimeout = 30 * time.Second

// KB returns the knowledge base the configuration asks for: the embedded
// one, or AWS's Service Reference fetched now.
func (r Review) KB(ctx context.Context) (*iamref.KB, error) {
	if r.ServiceReferenceURL == "" {
		return iamref.Default(), nil
	}
	ctx, cancel := context.WithTimeout(ctx, serviceReferenceTimeout)
	defer cancel()
	kb, err := iamref.LoadServiceReference(ctx, nil, r.ServiceReferenceURL)
	if err != nil {
		return nil, fmt.Errorf("load IAM data from POLICYCHECK_SERVICE_REFERENCE_URL: %w", err)
	}
	return kb, nil
}

// Reviewer returns a Reviewer over kb with the Bedrock model and IAM
// Access Analyzer the configuration asks for, both logging to log, the AWS
// SDK's own lines included. offline leaves both out. The AWS configuration
// (credentials, region, endpoints) is loaded from the SDK's standard chain
// only when a client needs it.
func (r Review) Reviewer(ctx context.Context, kb *iamref.KB, log *slog.Logger, offline bool) (*review.Reviewer, error) {
	if offline || (r.ModelID == "" && !r.AccessAnalyzer) {
		return review.New(kb), nil
	}
	if log == nil {
		log = slog.Default()
	}
	awsCfg, err := loadAWS(ctx, log)
	if err != nil {
		return nil, err
	}
	var opts []review.Option
	if r.ModelID != "" {
		m, err := bedrock.New(awsCfg, bedrock.Config{
			ModelID:        r.ModelID,
			Timeout:        r.ModelTimeout,
			MaxConcurrency: r.ModelConcurrency,
			MaxTokens:      r.ModelMaxTokens,
			Logger:         log,
		})
		if err != nil {
			return nil, fmt.Errorf("configure Bedrock model %s: %w", r.ModelID, err)
		}
		opts = append(opts, review.WithModel(m))
	}
	if r.AccessAnalyzer {
		aa, err := accessanalyzer.New(awsCfg, accessanalyzer.Config{Logger: log})
		if err != nil {
			return nil, err // "IAM Access Analyzer: no region configured"
		}
		opts = append(opts, review.WithAccessAnalyzer(aa))
	}
	return review.New(kb, opts...), nil
}

// loadAWS loads the AWS configuration from the SDK's standard chain
// (AWS_* variables, shared files, SSO, web identity, container and
// instance roles), logging to log.
func loadAWS(ctx context.Context, log *slog.Logger) (aws.Config, error) {
	ctx, cancel := context.WithTimeout(ctx, awsLoadTimeout)
	defer cancel()
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithLogger(awslog.New(log)))
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	return cfg, nil
}
