package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/policycheck/policycheck/bot/store"
)

// poolSize is the pool's size unless the URL sets pool_max_conns.
const poolSize = 24

// IntakeConns is the number of connections that record requests
// (Enqueue), apart from the pool: as many Enqueue calls at once get a
// connection without waiting for one that workers hold.
const IntakeConns = 4

// Store is the bot's database in PostgreSQL, a store.Store. Its methods
// are safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	// intake holds Enqueue's own connections, opened at Open with the
	// statement prepared.
	intake *pgxpool.Pool
	now    func() time.Time
}

// Open connects to the database at url (postgres://...) and brings its
// schema up to date. The URL's password, if any, is never part of an
// error.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL.
		return nil, errors.New("open store: POLICYCHECK_DATABASE_URL cannot be parsed as a PostgreSQL URL")
	}
	// pgx's default pool (4 connections on a small machine) is fewer
	// than the bot's workers, its intake and their leases: a request
	// would wait for a connection before it is acknowledged.
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = poolSize
	}
	// Connections opened ahead: opening one takes tens of milliseconds,
	// which the first envelopes of a burst would wait for.
	if !strings.Contains(url, "pool_min_conns") {
		cfg.MinConns = poolSize / 3
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", where(cfg), err)
	}
	s := &Store{pool: pool, now: time.Now}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store %s: %w", where(cfg), err)
	}
	if s.intake, err = openIntake(ctx, cfg.Copy()); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store %s: %w", where(cfg), err)
	}
	return s, nil
}

// openIntake opens Enqueue's connections, all of them at once: each is
// ready with the statement prepared (and the table's metadata read) when
// the first envelopes of a burst come, which would otherwise wait tens of
// milliseconds for a connection to open, or a round trip to prepare.
func openIntake(ctx context.Context, cfg *pgxpool.Config) (*pgxpool.Pool, error) {
	cfg.MaxConns, cfg.MinConns = IntakeConns, IntakeConns
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, enqueueSQL, []string{}, []string{}, [][]byte{}, time.Time{})
		return err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("intake connections: %w", err)
	}
	conns := make([]*pgxpool.Conn, 0, IntakeConns)
	defer func() {
		for _, c := range conns {
			c.Release()
		}
	}()
	for range IntakeConns {
		c, err := pool.Acquire(ctx)
		if err != nil {
			pool.Close()
			return nil, fmt.Errorf("intake connections: %w", err)
		}
		conns = append(conns, c)
	}
	return pool, nil
}

// where names a database for messages, without its credentials.
func where(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("postgres://%s:%d/%s", c.Host, c.Port, c.Database)
}

// Close closes the connections.
func (s *Store) Close() error {
	s.intake.Close()
	s.pool.Close()
	return nil
}

// Ping reports whether the database can be read and written: reachable,
// migrated, and not a read-only standby.
func (s *Store) Ping(ctx context.Context) error {
	var readOnly string
	var n int
	err := s.pool.QueryRow(ctx, `SELECT current_setting('transaction_read_only'), (SELECT count(*) FROM schema_migrations)`).Scan(&readOnly, &n)
	if err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	if readOnly == "on" {
		return errors.New("ping store: the database is read-only")
	}
	return nil
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations returns the embedded migrations in order.
func migrations() ([]store.Migration, error) { return store.Migrations(migrationFiles) }

// lockKey is an advisory lock key for what, in the current schema: two
// installations in one database do not wait for each other.
const lockKey = `hashtext(current_schema() || '/policycheck/' || $1)`

// migrate applies the migrations the database lacks, holding an advisory
// lock so that replicas starting together apply each once.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+lockKey+`)`, "migrate"); err != nil {
		return fmt.Errorf("lock for migrations: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+lockKey+`)`, "migrate")

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var current int
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > len(ms) {
		return fmt.Errorf("database schema version %d is newer than this program's %d", current, len(ms))
	}
	for _, m := range ms[current:] {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, s.now().UTC())
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %03d_%s: %w", m.Version, m.Name, err)
		}
	}
	return nil
}

// affected turns a command tag into ErrNotFound (or err) when it touched
// no row.
func affected(tag pgconn.CommandTag, err error, what string, notFound error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s: %w", what, notFound)
	}
	return nil
}

var _ store.Store = (*Store)(nil)
