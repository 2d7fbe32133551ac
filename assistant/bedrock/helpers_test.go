package bedrock

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/policycheck/policycheck/internal/bedrockfake"
)

const testModel = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"

// TestMain isolates the tests from the machine's AWS settings: no bearer
// token, no endpoint overrides, no shared config files, no IMDS.
func TestMain(m *testing.M) {
	for _, k := range []string{
		"AWS_BEARER_TOKEN_BEDROCK", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
		"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
		"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	} {
		os.Unsetenv(k)
	}
	dir, err := os.MkdirTemp("", "bedrocktest")
	if err != nil {
		panic(err)
	}
	os.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	os.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// startFake starts a fake closed at the end of the test.
func startFake(t testing.TB, cfg bedrockfake.Config) *bedrockfake.Server {
	t.Helper()
	f := bedrockfake.Start(cfg)
	t.Cleanup(f.Close)
	return f
}

// awsConfigFor is an AWS configuration with the fake's static credentials.
func awsConfigFor(f *bedrockfake.Server) aws.Config {
	c := f.Credentials()
	return aws.Config{
		Region:      f.Region(),
		Credentials: credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken),
	}
}

// newTestClient is a Client talking to f with tiny backoff.
func newTestClient(t testing.TB, f *bedrockfake.Server, edit func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		ModelID:    testModel,
		Endpoint:   f.URL,
		Timeout:    30 * time.Second,
		MaxBackoff: time.Millisecond,
		Logger:     quiet,
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := New(awsConfigFor(f), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}
