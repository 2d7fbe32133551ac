// Package config reads every setting of policycheck from the environment,
// in one place and once, at start, and checks them before anything is
// opened; it then builds what they name (the knowledge base, the AWS
// clients and the reviewer over them) for `policycheck check` and
// `policycheck serve`. Nothing under assistant/ reads the environment: what
// a review needs is handed to review.New.
//
// The Slack tokens and API URL keep Slack's usual names (SLACK_BOT_TOKEN,
// SLACK_APP_TOKEN, SLACK_API_URL), the model settings Bedrock's
// (BEDROCK_*); everything else is POLICYCHECK_*. AWS credentials, region
// and endpoints come from the AWS SDK's own chain (AWS_* variables, shared
// files, SSO, container and instance roles), loaded here too. A check names
// the variable at fault, with what to do about it, so that a misconfigured
// program stops at once with a useful message.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"
)

// Config is the whole configuration: what `policycheck serve` reads.
type Config struct {
	Review
	Bot
}

// Review is the part of the configuration that shapes a review; the bot
// and `policycheck check` read the same variables.
type Review struct {
	// ModelID is a Bedrock model or inference-profile id
	// ("us.anthropic.claude-sonnet-4-5-20250929-v1:0"); empty: built-in only.
	ModelID string `envconfig:"BEDROCK_MODEL_ID"`
	// ModelTimeout bounds one model call, retries included.
	ModelTimeout time.Duration `envconfig:"BEDROCK_TIMEOUT" default:"60s"`
	// ModelConcurrency is the number of model calls in flight at once.
	ModelConcurrency int `envconfig:"BEDROCK_MAX_CONCURRENCY" default:"4"`
	// ModelMaxTokens caps a model's answer; each call asks for what its
	// policy needs, up to this.
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

// Bot is the part of the configuration only the Slack bot reads.
type Bot struct {
	// BotToken is the bot user OAuth token, xoxb-...
	BotToken string `envconfig:"SLACK_BOT_TOKEN"`
	// AppToken is the app-level token with connections:write, xapp-...
	AppToken string `envconfig:"SLACK_APP_TOKEN"`
	// APIURL is the base of the Slack Web API, ending in "/".
	APIURL string `envconfig:"SLACK_API_URL" default:"https://slack.com/api/"`

	// DBPath is the SQLite database file, used when DatabaseURL is empty.
	DBPath string `envconfig:"POLICYCHECK_DB_PATH" default:"policycheck.db"`
	// DatabaseURL, postgres://..., selects PostgreSQL in place of SQLite:
	// the database replicas share.
	DatabaseURL string `envconfig:"POLICYCHECK_DATABASE_URL"`
	// WatchChannels are channel IDs (C..., G...) or names (#name or name)
	// where every policy posted is reviewed without a mention.
	WatchChannels []string `envconfig:"POLICYCHECK_WATCH_CHANNELS"`
	// Workers is the number of reviews run at the same time.
	Workers int `envconfig:"POLICYCHECK_WORKERS" default:"8"`
	// Lease is how long a request claimed by a worker stays its own
	// without being renewed: the requests of a replica that dies are
	// taken over by the others after that long.
	Lease time.Duration `envconfig:"POLICYCHECK_LEASE" default:"30s"`
	// Retention is how long reviews are kept after their last update;
	// 0 keeps them forever.
	Retention time.Duration `envconfig:"POLICYCHECK_RETENTION" default:"2160h"`
	// HTTPAddr is where /healthz, /readyz and /metrics are served; "-"
	// disables the server.
	HTTPAddr string `envconfig:"POLICYCHECK_HTTP_ADDR" default:":8080"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `envconfig:"POLICYCHECK_LOG_LEVEL" default:"info"`
	// ShutdownTimeout bounds how long in-flight reviews may run after
	// SIGTERM.
	ShutdownTimeout time.Duration `envconfig:"POLICYCHECK_SHUTDOWN_TIMEOUT" default:"20s"`
}

// Where to find the tokens, for error messages.
const (
	botTokenHelp = "use the Bot User OAuth Token (xoxb-...) shown on your app's OAuth & Permissions page " +
		"at https://api.slack.com/apps after installing the app to the workspace"
	appTokenHelp = "use an app-level token (xapp-...) with the connections:write scope, created under " +
		"Basic Information > App-Level Tokens at https://api.slack.com/apps"
)

// Load reads and checks the whole configuration, for the bot.
func Load() (Config, error) {
	var c Config
	if err := process(&c); err != nil {
		return Config{}, err
	}
	if err := errors.Join(c.Review.check(), c.Bot.check()); err != nil {
		return Config{}, err
	}
	return c, nil
}

// LoadReview reads and checks the part of the configuration that shapes a
// review, for `policycheck check`: the bot's settings are neither read nor
// required.
func LoadReview() (Review, error) {
	var r Review
	if err := process(&r); err != nil {
		return Review{}, err
	}
	if err := r.check(); err != nil {
		return Review{}, err
	}
	return r, nil
}

// BotTokenSet reports whether SLACK_BOT_TOKEN is set: policycheck run
// with no command then serves.
func BotTokenSet() bool { return os.Getenv("SLACK_BOT_TOKEN") != "" }

// process reads the variables of spec, a pointer to a struct.
func process(spec any) error {
	if err := envconfig.Process("", spec); err != nil {
		var pe *envconfig.ParseError
		if errors.As(err, &pe) {
			// The value is not repeated: it could be a secret.
			return fmt.Errorf("%s: cannot read the value as %s: %w", pe.KeyName, describe(pe.TypeName), pe.Err)
		}
		return fmt.Errorf("read configuration: %w", err)
	}
	return nil
}

func describe(typeName string) string {
	switch typeName {
	case "Duration":
		return `a duration (such as "20s", "90m" or "2160h")`
	case "int":
		return "a whole number"
	case "bool":
		return "true or false"
	}
	return typeName
}

// check validates r.
func (r *Review) check() error {
	var errs []error
	if r.ModelTimeout < 0 {
		errs = append(errs, fmt.Errorf("BEDROCK_TIMEOUT: %v is negative; leave it unset for 60s", r.ModelTimeout))
	}
	if r.ModelConcurrency < 1 {
		errs = append(errs, fmt.Errorf("BEDROCK_MAX_CONCURRENCY: %d must be at least 1", r.ModelConcurrency))
	}
	if r.ModelMaxTokens < 1024 {
		errs = append(errs, fmt.Errorf("BEDROCK_MAX_TOKENS: %d must be at least 1024", r.ModelMaxTokens))
	}
	if r.ServiceReferenceURL != "" {
		if u, err := url.Parse(r.ServiceReferenceURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("POLICYCHECK_SERVICE_REFERENCE_URL: %q is not an http(s) URL; "+
				"use AWS's service list, https://servicereference.us-east-1.amazonaws.com/, or leave it unset for the embedded data",
				r.ServiceReferenceURL))
		}
	}
	return errors.Join(errs...)
}

// check validates c and normalizes APIURL and WatchChannels.
func (c *Bot) check() error {
	var errs []error
	errs = append(errs, checkToken("SLACK_BOT_TOKEN", c.BotToken, "xoxb-", botTokenHelp))
	errs = append(errs, checkToken("SLACK_APP_TOKEN", c.AppToken, "xapp-", appTokenHelp))

	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("SLACK_API_URL: %q is not an http(s) URL; leave it unset for https://slack.com/api/", c.APIURL))
	} else if !strings.HasSuffix(c.APIURL, "/") {
		c.APIURL += "/"
	}
	if c.DatabaseURL != "" {
		if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			// The URL may hold a password: it is not repeated.
			errs = append(errs, errors.New("POLICYCHECK_DATABASE_URL: not a postgres:// URL"))
		}
	} else if c.DBPath == "" {
		errs = append(errs, errors.New("POLICYCHECK_DB_PATH: empty; name the SQLite database file (default policycheck.db)"))
	}
	var watch []string
	for _, ch := range c.WatchChannels {
		if ch = strings.TrimSpace(ch); ch != "" {
			watch = append(watch, ch)
		}
	}
	c.WatchChannels = watch
	if c.Workers < 1 || c.Workers > 1024 {
		errs = append(errs, fmt.Errorf("POLICYCHECK_WORKERS: %d is out of range; use 1 to 1024", c.Workers))
	}
	if c.Lease < 3*time.Second || c.Lease > time.Hour {
		errs = append(errs, fmt.Errorf("POLICYCHECK_LEASE: %v is out of range; use 3s to 1h", c.Lease))
	}
	if c.Retention < 0 {
		errs = append(errs, fmt.Errorf("POLICYCHECK_RETENTION: %v is negative; use 0 to keep reviews forever", c.Retention))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("POLICYCHECK_SHUTDOWN_TIMEOUT: %v must be positive", c.ShutdownTimeout))
	}
	if _, err := ParseLevel(c.LogLevel); err != nil {
		errs = append(errs, fmt.Errorf("POLICYCHECK_LOG_LEVEL: %w", err))
	}
	return errors.Join(errs...)
}

func checkToken(name, token, prefix, help string) error {
	switch {
	case token == "":
		return fmt.Errorf("%s is not set: %s", name, help)
	case strings.TrimSpace(token) != token || strings.ContainsAny(token, " \t\r\n"):
		return fmt.Errorf("%s contains white space: %s", name, help)
	case !strings.HasPrefix(token, prefix):
		// Name the kind of token given, never the token itself.
		kind := "something that is not a Slack token"
		if p, _, ok := strings.Cut(token, "-"); ok && len(p) <= 5 {
			kind = "a " + p + "- token"
		}
		return fmt.Errorf("%s must start with %q but holds %s: %s", name, prefix, kind, help)
	}
	return nil
}

// ParseLevel reads a log level name: debug, info, warn (or warning) or
// error, in any case.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "", "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("unknown level %q; use debug, info, warn or error", s)
}
