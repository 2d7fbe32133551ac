// Package awslog sends the log lines of the AWS SDK to a slog.Logger.
//
// By default an aws.Config made by config.LoadDefaultConfig writes the
// SDK's warnings as plain text to standard error; set its Logger to
// New(log) so that they join the program's own structured logs.
package awslog

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/smithy-go/logging"
)

// Logger is a logging.Logger (and logging.ContextLogger) writing to a
// slog.Logger. The SDK's WARN lines become slog.LevelWarn records, its
// DEBUG lines slog.LevelDebug, and any other classification
// slog.LevelInfo; each record carries the attribute component=aws-sdk.
type Logger struct {
	log *slog.Logger
	ctx context.Context
}

// New returns a Logger writing to log (slog.Default() when nil).
func New(log *slog.Logger) Logger {
	if log == nil {
		log = slog.Default()
	}
	return Logger{log: log, ctx: context.Background()}
}

// Logf logs one line of the SDK.
func (l Logger) Logf(classification logging.Classification, format string, v ...any) {
	level := slog.LevelInfo
	switch classification {
	case logging.Warn:
		level = slog.LevelWarn
	case logging.Debug:
		level = slog.LevelDebug
	}
	if !l.log.Enabled(l.ctx, level) {
		return
	}
	l.log.Log(l.ctx, level, fmt.Sprintf(format, v...), "component", "aws-sdk")
}

// WithContext returns a Logger that hands ctx to the slog handler.
func (l Logger) WithContext(ctx context.Context) logging.Logger {
	return Logger{log: l.log, ctx: ctx}
}
