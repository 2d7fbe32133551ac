package config

import (
	"log/slog"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// vars are every variable Load reads; each test starts from all unset.
var vars = []string{
	"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_API_URL", "POLICYCHECK_DB_PATH",
	"POLICYCHECK_WATCH_CHANNELS", "POLICYCHECK_WORKERS", "POLICYCHECK_LEASE", "POLICYCHECK_DATABASE_URL",
	"POLICYCHECK_RETENTION", "POLICYCHECK_HTTP_ADDR", "POLICYCHECK_LOG_LEVEL",
	"POLICYCHECK_SHUTDOWN_TIMEOUT",
	"BEDROCK_MODEL_ID", "BEDROCK_TIMEOUT", "BEDROCK_MAX_CONCURRENCY", "BEDROCK_MAX_TOKENS", "POLICYCHECK_ACCESS_ANALYZER",
	"POLICYCHECK_SERVICE_REFERENCE_URL",
}

func setenv(t *testing.T, env map[string]string) {
	t.Helper()
	for _, k := range vars {
		t.Setenv(k, env[k]) // restores the variable after the test
		if _, ok := env[k]; !ok {
			os.Unsetenv(k)
		}
	}
}

func TestLoadDefaults(t *testing.T) {
	setenv(t, map[string]string{"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_APP_TOKEN": "xapp-1-A1-2-def"})
	got, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Review: Review{ModelTimeout: time.Minute, ModelConcurrency: 4, ModelMaxTokens: 16384},
		Bot: Bot{
			BotToken: "xoxb-1-2-abc", AppToken: "xapp-1-A1-2-def", APIURL: "https://slack.com/api/",
			DBPath: "policycheck.db", Workers: 8, Lease: 30 * time.Second, Retention: 2160 * time.Hour,
			HTTPAddr: ":8080", LogLevel: "info", ShutdownTimeout: 20 * time.Second,
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load() =\n%+v\nwant\n%+v", got, want)
	}
}

func TestLoadSet(t *testing.T) {
	setenv(t, map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_APP_TOKEN": "xapp-y", "SLACK_API_URL": "http://127.0.0.1:9/api",
		"POLICYCHECK_DB_PATH": "/data/policycheck.db", "POLICYCHECK_WATCH_CHANNELS": "C0123, #iam-review,,security",
		"POLICYCHECK_WORKERS": "2", "POLICYCHECK_LEASE": "10s", "POLICYCHECK_DATABASE_URL": "postgres://bot@db:5432/policycheck", "POLICYCHECK_RETENTION": "0",
		"POLICYCHECK_HTTP_ADDR": "-", "POLICYCHECK_LOG_LEVEL": "DEBUG", "POLICYCHECK_SHUTDOWN_TIMEOUT": "1m",
		"BEDROCK_MODEL_ID": "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "BEDROCK_TIMEOUT": "90s",
		"BEDROCK_MAX_CONCURRENCY": "2", "POLICYCHECK_ACCESS_ANALYZER": "true",
		"POLICYCHECK_SERVICE_REFERENCE_URL": "https://servicereference.us-east-1.amazonaws.com/",
	})
	got, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Review: Review{
			ModelID: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", ModelTimeout: 90 * time.Second,
			ModelConcurrency: 2, ModelMaxTokens: 16384, AccessAnalyzer: true,
			ServiceReferenceURL: "https://servicereference.us-east-1.amazonaws.com/",
		},
		Bot: Bot{
			BotToken: "xoxb-x", AppToken: "xapp-y", APIURL: "http://127.0.0.1:9/api/",
			DBPath: "/data/policycheck.db", WatchChannels: []string{"C0123", "#iam-review", "security"},
			DatabaseURL: "postgres://bot@db:5432/policycheck", Workers: 2, Lease: 10 * time.Second, HTTPAddr: "-", LogLevel: "DEBUG", ShutdownTimeout: time.Minute,
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load() =\n%+v\nwant\n%+v", got, want)
	}
}

func TestLoadErrors(t *testing.T) {
	ok := map[string]string{"SLACK_BOT_TOKEN": "xoxb-secret1", "SLACK_APP_TOKEN": "xapp-secret2"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range ok {
			m[a] = b
		}
		m[k] = v
		return m
	}
	tests := []struct {
		name string
		env  map[string]string
		want []string // substrings of the error
	}{
		{"no bot token", with("SLACK_BOT_TOKEN", ""), []string{"SLACK_BOT_TOKEN is not set", "OAuth & Permissions"}},
		{"no app token", with("SLACK_APP_TOKEN", ""), []string{"SLACK_APP_TOKEN is not set", "connections:write", "Basic Information"}},
		{"tokens swapped", map[string]string{"SLACK_BOT_TOKEN": "xapp-secret2", "SLACK_APP_TOKEN": "xoxb-secret1"},
			[]string{`SLACK_BOT_TOKEN must start with "xoxb-" but holds a xapp- token`, `SLACK_APP_TOKEN must start with "xapp-" but holds a xoxb- token`}},
		{"user token", with("SLACK_BOT_TOKEN", "xoxp-secret3"), []string{"SLACK_BOT_TOKEN", "xoxp- token"}},
		{"garbage token", with("SLACK_APP_TOKEN", "secret4"), []string{"SLACK_APP_TOKEN", "not a Slack token"}},
		{"token with newline", with("SLACK_BOT_TOKEN", "xoxb-secret5\n"), []string{"SLACK_BOT_TOKEN contains white space"}},
		{"bad url", with("SLACK_API_URL", "slack.com/api"), []string{"SLACK_API_URL"}},
		{"bad workers", with("POLICYCHECK_WORKERS", "eight"), []string{"POLICYCHECK_WORKERS", "whole number"}},
		{"zero workers", with("POLICYCHECK_WORKERS", "0"), []string{"POLICYCHECK_WORKERS: 0 is out of range"}},
		{"short lease", with("POLICYCHECK_LEASE", "1s"), []string{"POLICYCHECK_LEASE"}},
		{"database url", with("POLICYCHECK_DATABASE_URL", "mysql://u:hunter2@db/x"), []string{"POLICYCHECK_DATABASE_URL: not a postgres:// URL"}},
		{"bad retention", with("POLICYCHECK_RETENTION", "90 days"), []string{"POLICYCHECK_RETENTION", "duration"}},
		{"negative retention", with("POLICYCHECK_RETENTION", "-1h"), []string{"POLICYCHECK_RETENTION", "negative"}},
		{"bad level", with("POLICYCHECK_LOG_LEVEL", "loud"), []string{"POLICYCHECK_LOG_LEVEL", "loud"}},
		{"zero shutdown", with("POLICYCHECK_SHUTDOWN_TIMEOUT", "0s"), []string{"POLICYCHECK_SHUTDOWN_TIMEOUT"}},
		{"bad model timeout", with("BEDROCK_TIMEOUT", "soon"), []string{"BEDROCK_TIMEOUT", "duration"}},
		{"negative model timeout", with("BEDROCK_TIMEOUT", "-1s"), []string{"BEDROCK_TIMEOUT", "negative"}},
		{"zero concurrency", with("BEDROCK_MAX_CONCURRENCY", "0"), []string{"BEDROCK_MAX_CONCURRENCY: 0 must be at least 1"}},
		{"bad access analyzer", with("POLICYCHECK_ACCESS_ANALYZER", "yes please"), []string{"POLICYCHECK_ACCESS_ANALYZER", "true or false"}},
		{"bad service reference", with("POLICYCHECK_SERVICE_REFERENCE_URL", "servicereference.us-east-1.amazonaws.com"),
			[]string{"POLICYCHECK_SERVICE_REFERENCE_URL", "not an http(s) URL"}},
		{"review and bot errors together", map[string]string{"BEDROCK_MAX_CONCURRENCY": "0"},
			[]string{"BEDROCK_MAX_CONCURRENCY", "SLACK_BOT_TOKEN is not set", "SLACK_APP_TOKEN is not set"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setenv(t, tt.env)
			_, err := Load()
			if err == nil {
				t.Fatal("Load succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q repeats a token", err)
			}
		})
	}
}

// TestLoadReview: `policycheck check` reads the review settings only; the
// bot's are neither required nor checked.
func TestLoadReview(t *testing.T) {
	setenv(t, map[string]string{"POLICYCHECK_WORKERS": "eight", "SLACK_BOT_TOKEN": "xapp-wrong", "BEDROCK_MAX_CONCURRENCY": "3"})
	got, err := LoadReview()
	if err != nil {
		t.Fatal(err)
	}
	if want := (Review{ModelTimeout: time.Minute, ModelConcurrency: 3, ModelMaxTokens: 16384}); got != want {
		t.Errorf("LoadReview() = %+v, want %+v", got, want)
	}
	setenv(t, map[string]string{"BEDROCK_MAX_CONCURRENCY": "none"})
	if _, err := LoadReview(); err == nil || !strings.Contains(err.Error(), "BEDROCK_MAX_CONCURRENCY: cannot read the value as a whole number") {
		t.Errorf("LoadReview with a bad value: %v", err)
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{"debug": slog.LevelDebug, "": slog.LevelInfo, "Info": slog.LevelInfo,
		"warning": slog.LevelWarn, "WARN": slog.LevelWarn, "error": slog.LevelError} {
		if got, err := ParseLevel(in); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}
