package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/policycheck/policycheck/bot/config"
	"github.com/policycheck/policycheck/bot/health"
	"github.com/policycheck/policycheck/bot/slackbot"
	"github.com/policycheck/policycheck/bot/store"
	"github.com/policycheck/policycheck/bot/store/postgres"
	"github.com/policycheck/policycheck/bot/store/sqlite"
)

// serve runs the Slack bot until ctx ends (SIGINT or SIGTERM), then lets
// the reviews in hand finish and returns 0. It returns 2 for a bad
// configuration and 1 when the bot cannot start or loses its tokens.
func serve(ctx context.Context, args []string, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "policycheck serve takes no arguments: it is configured with environment variables (see README.md)\n")
		return 2
	}
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintf(stderr, "policycheck serve: %v\n", err)
		return 2
	}
	tuneGC()
	level, _ := config.ParseLevel(cfg.LogLevel) // checked by Load
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	fail := func(err error) int {
		log.Error("cannot serve", "err", err)
		fmt.Fprintf(stderr, "policycheck serve: %v\n", err)
		return 1
	}

	st, err := openStore(ctx, cfg)
	if err != nil {
		return fail(err)
	}
	defer st.Close()

	kb, err := cfg.KB(ctx)
	if err != nil {
		return fail(err)
	}
	rv, err := cfg.Reviewer(ctx, kb, log, false)
	if err != nil {
		return fail(err)
	}
	reg := health.NewRegistry()
	bot, err := slackbot.New(ctx, rv, st, slackbot.Options{
		BotToken:        cfg.BotToken,
		AppToken:        cfg.AppToken,
		APIURL:          cfg.APIURL,
		WatchChannels:   cfg.WatchChannels,
		Workers:         cfg.Workers,
		Lease:           cfg.Lease,
		ShutdownTimeout: cfg.ShutdownTimeout,
		Logger:          log,
		Registry:        reg,
	})
	if err != nil {
		return fail(err)
	}

	if cfg.HTTPAddr != "-" {
		ready := func(ctx context.Context) error { return errors.Join(bot.Ready(ctx), st.Ping(ctx)) }
		ln, err := net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return fail(fmt.Errorf("POLICYCHECK_HTTP_ADDR: %w", err))
		}
		srv := &http.Server{Handler: health.Handler(reg, ready), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		log.Info("serving /healthz, /readyz and /metrics", "addr", ln.Addr().String())
	}

	pruneCtx, stopPrune := context.WithCancel(ctx)
	defer stopPrune()
	go prune(pruneCtx, st, cfg.Retention, log)

	log.Info("policycheck starting", "version", versionString(), "workers", cfg.Workers,
		"watched_channels", len(cfg.WatchChannels), "model", cfg.ModelID)
	if err := bot.Run(ctx); err != nil {
		return fail(err)
	}
	return 0
}

// openStore opens PostgreSQL when POLICYCHECK_DATABASE_URL is set, the
// SQLite file POLICYCHECK_DB_PATH otherwise.
func openStore(ctx context.Context, cfg config.Config) (store.Store, error) {
	if cfg.DatabaseURL != "" {
		return postgres.Open(ctx, cfg.DatabaseURL)
	}
	return sqlite.Open(ctx, cfg.DBPath)
}

// pruneEvery is how often old reviews and delivery keys are deleted.
const pruneEvery = time.Hour

// prune deletes old reviews and delivery keys now and then every
// pruneEvery, until ctx ends.
func prune(ctx context.Context, st store.Store, retention time.Duration, log *slog.Logger) {
	t := time.NewTicker(pruneEvery)
	defer t.Stop()
	for {
		if err := pruneOnce(ctx, st, retention, log); err != nil && ctx.Err() == nil {
			log.Warn("pruning the database failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// pruneOnce deletes the reviews older than retention (none when it is 0)
// and old delivery keys.
func pruneOnce(ctx context.Context, st store.Store, retention time.Duration, log *slog.Logger) error {
	var before time.Time // zero: keep every review
	if retention > 0 {
		before = time.Now().Add(-retention)
	}
	n, err := st.Prune(ctx, before)
	if err != nil {
		return err
	}
	if n > 0 {
		log.Info("pruned old reviews", "deleted", n, "retention", retention)
	}
	return nil
}

// tuneGC trades memory for CPU: reviews allocate briskly while the live
// heap stays small (~25 MB), so the collector runs rarely (GOGC 1000),
// within a soft limit of 80 MiB that keeps the process under 100 MB. A
// collection running while a burst of envelopes is decoded slows the acks
// (it takes a processor and makes the decoder assist it): with GOGC 400
// the ack p99 of a 200-envelope burst was over 50 ms in a third of the
// runs. GOGC and GOMEMLIMIT, when set, win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(1000)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(80 << 20)
	}
}
