// Package config reads the Slack bot's settings from the environment.
//
// The Slack tokens and API URL keep Slack's usual names (SLACK_BOT_TOKEN,
// SLACK_APP_TOKEN, SLACK_API_URL); everything else is POLICYCHECK_*. Load
// checks every value and names the variable at fault, with what to do about
// it, so that a misconfigured bot stops at once with a useful message.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"
)

// Config is the bot's configuration.
type Config struct {
	// BotToken is the bot user OAuth token, xoxb-...
	BotToken string `envconfig:"SLACK_BOT_TOKEN"`
	// AppToken is the app-level token with connections:write, xapp-...
	AppToken string `envconfig:"SLACK_APP_TOKEN"`
	// APIURL is the base of the Slack Web API, ending in "/".
	APIURL string `envconfig:"SLACK_API_URL" default:"https://slack.com/api/"`

	// DBPath is the SQLite database file.
	DBPath string `envconfig:"POLICYCHECK_DB_PATH" default:"policycheck.db"`
	// WatchChannels are channel IDs (C..., G...) or names (#name or name)
	// where every policy posted is reviewed without a mention.
	WatchChannels []string `envconfig:"POLICYCHECK_WATCH_CHANNELS"`
	// Workers is the number of reviews run at the same time.
	Workers int `envconfig:"POLICYCHECK_WORKERS" default:"8"`
	// QueueSize is how many requests may wait for a worker; beyond it the
	// bot answers "busy, try again".
	QueueSize int `envconfig:"POLICYCHECK_QUEUE_SIZE" default:"256"`
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

// Load reads and checks the configuration from the environment.
func Load() (Config, error) {
	var c Config
	if err := envconfig.Process("", &c); err != nil {
		var pe *envconfig.ParseError
		if errors.As(err, &pe) {
			// The value is not repeated: it could be a secret.
			return Config{}, fmt.Errorf("%s: cannot read the value as %s: %w", pe.KeyName, describe(pe.TypeName), pe.Err)
		}
		return Config{}, fmt.Errorf("read configuration: %w", err)
	}
	if err := c.check(); err != nil {
		return Config{}, err
	}
	return c, nil
}

func describe(typeName string) string {
	switch typeName {
	case "Duration":
		return `a duration (such as "20s", "90m" or "2160h")`
	case "int":
		return "a whole number"
	}
	return typeName
}

// check validates c and normalizes APIURL and WatchChannels.
func (c *Config) check() error {
	var errs []error
	errs = append(errs, checkToken("SLACK_BOT_TOKEN", c.BotToken, "xoxb-", botTokenHelp))
	errs = append(errs, checkToken("SLACK_APP_TOKEN", c.AppToken, "xapp-", appTokenHelp))

	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("SLACK_API_URL: %q is not an http(s) URL; leave it unset for https://slack.com/api/", c.APIURL))
	} else if !strings.HasSuffix(c.APIURL, "/") {
		c.APIURL += "/"
	}
	if c.DBPath == "" {
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
	if c.QueueSize < 1 || c.QueueSize > 100_000 {
		errs = append(errs, fmt.Errorf("POLICYCHECK_QUEUE_SIZE: %d is out of range; use 1 to 100000", c.QueueSize))
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
