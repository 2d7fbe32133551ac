package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/policycheck/policycheck/bot/store"
)

// busyTimeout is how long a statement waits for a lock held by another
// process (a CLI reading the same file, say) before it fails.
const busyTimeout = 5 * time.Second

// readers is the size of the pool of read-only connections.
const readers = 4

// Store is the bot's database, a store.Store. Its methods are safe for
// concurrent use.
type Store struct {
	w   *sql.DB // the one writer connection
	r   *sql.DB // read-only connections; the same as w for an in-memory database
	now func() time.Time
	// lock is the file lock held while this is the only store open on its
	// file (see Open); nil otherwise.
	lock io.Closer

	mu    sync.Mutex
	stmts map[stmtKey]*sql.Stmt // see prepared
}

// stmtKey names a statement prepared on one of the store's databases.
type stmtKey struct {
	db    *sql.DB
	query string
}

// prepared is query prepared on db once for the store's life: SQLite
// otherwise compiles a statement each time it runs it, which costs as
// much as running the small ones a request makes.
func (s *Store) prepared(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	k := stmtKey{db, query}
	s.mu.Lock()
	st := s.stmts[k]
	s.mu.Unlock()
	if st != nil {
		return st, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev := s.stmts[k]; prev != nil {
		st.Close()
		return prev, nil
	}
	if s.stmts == nil {
		s.stmts = make(map[stmtKey]*sql.Stmt)
	}
	s.stmts[k] = st
	return st, nil
}

// exec runs query on db, prepared once.
func (s *Store) exec(ctx context.Context, db *sql.DB, query string, args ...any) (sql.Result, error) {
	st, err := s.prepared(ctx, db, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// queryRow runs query on db, prepared once.
func (s *Store) queryRow(ctx context.Context, db *sql.DB, query string, args ...any) *sql.Row {
	st, err := s.prepared(ctx, db, query)
	if err != nil {
		// The same error again, when the row is scanned.
		return db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// txStmt is query in tx, one of txQueries, which Open prepared: preparing
// it now on the writer would wait for its one connection, which tx holds.
func (s *Store) txStmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	s.mu.Lock()
	st := s.stmts[stmtKey{s.w, query}]
	s.mu.Unlock()
	if st == nil {
		return nil, fmt.Errorf("statement not among txQueries: %.40s", query)
	}
	return tx.StmtContext(ctx, st), nil
}

// txQueries are the statements run in transactions, prepared by Open.
var txQueries = []string{enqueueSQL, claimSQL, claimUpdateSQL}

// Open opens the database at path, creating it and its parent directories if
// need be, and brings its schema up to date. A path of ":memory:" opens a
// private in-memory database (for tests); it is lost on Close.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("open store: empty path")
	}
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("open store %s: path must not contain '?'", path)
	}
	memory := path == ":memory:"
	if !memory {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
	}

	q := url.Values{}
	q.Set("_busy_timeout", strconv.FormatInt(busyTimeout.Milliseconds(), 10))
	q.Set("_txlock", "immediate") // take the write lock at BEGIN, not halfway through
	q.Set("_foreign_keys", "1")
	if !memory {
		q.Set("_journal_mode", "WAL")
		q.Set("_synchronous", "NORMAL") // durable across crashes of the process in WAL mode
	}
	w, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// One writer: SQLite serialises writers anyway, and queuing them in the
	// pool rather than in the busy handler keeps SQLITE_BUSY away.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0) // an in-memory database lives as long as its connection

	s := &Store{w: w, r: w, now: time.Now}
	if !memory {
		q.Del("_journal_mode") // set once on the file by the writer
		q.Set("_query_only", "1")
		r, err := sql.Open("sqlite", path+"?"+q.Encode())
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
		r.SetMaxOpenConns(readers)
		s.r = r
	}
	if err := migrate(ctx, s.w, s.now); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	for _, q := range txQueries {
		if _, err := s.prepared(ctx, s.w, q); err != nil {
			s.Close()
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
	}
	// A store that is alone on its file ends the leases a previous process
	// left (it crashed or was killed), so that their requests are taken up
	// now rather than when the leases run out.
	if !memory {
		if l, ok := lockFile(path + ".lock"); ok {
			s.lock = l
			if err := s.releaseAll(ctx); err != nil {
				s.Close()
				return nil, fmt.Errorf("open store %s: %w", path, err)
			}
		}
	} else if err := s.releaseAll(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.mu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = nil
	s.mu.Unlock()
	var err error
	if s.r != s.w {
		err = s.r.Close()
	}
	err = errors.Join(s.w.Close(), err)
	if s.lock != nil {
		s.lock.Close()
	}
	return err
}

// Ping reports whether the database can be read and written, for readiness
// checks.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	var n int
	if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	return nil
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations returns the embedded migrations in order.
func migrations() ([]store.Migration, error) { return store.Migrations(migrationFiles) }

// migrate applies the embedded migrations that db lacks.
func migrate(ctx context.Context, db *sql.DB, now func() time.Time) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	return migrateTo(ctx, db, ms, now)
}

// migrateTo applies those of ms that db lacks, each in its own transaction,
// and refuses a database written by a newer program.
func migrateTo(ctx context.Context, db *sql.DB, ms []store.Migration, now func() time.Time) error {
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	) STRICT`
	if _, err := db.ExecContext(ctx, create); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	current, err := schemaVersion(ctx, db)
	if err != nil {
		return err
	}
	if current > len(ms) {
		return fmt.Errorf("database schema version %d is newer than this program's %d", current, len(ms))
	}
	for _, m := range ms[current:] {
		if err := apply(ctx, db, m, now); err != nil {
			return fmt.Errorf("migration %03d_%s: %w", m.Version, m.Name, err)
		}
	}
	return nil
}

// apply runs one migration in a transaction, unless another process applied
// it meanwhile.
func apply(ctx context.Context, db *sql.DB, m store.Migration, now func() time.Time) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var done bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?)", m.Version).Scan(&done); err != nil {
		return err
	}
	if done {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.Version, m.Name, formatTime(now())); err != nil {
		return err
	}
	return tx.Commit()
}

// schemaVersion is the highest migration applied to db, 0 for none.
func schemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	var v int
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// timeLayout is RFC 3339 with a fixed number of fractional digits, so that
// times stored as text in UTC sort as they compare.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }

var _ store.Store = (*Store)(nil)
