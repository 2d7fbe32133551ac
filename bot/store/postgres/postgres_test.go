package postgres

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/policycheck/policycheck/bot/store"
	"github.com/policycheck/policycheck/bot/store/storetest"
	"github.com/policycheck/policycheck/internal/pgtest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		s, err := Open(t.Context(), pgtest.URL(t))
		if err != nil {
			t.Fatal(err)
		}
		s.now = now
		return s
	})
}

// TestMigrateTogether opens the same schema from several replicas at
// once: each migration is applied once, and every Open succeeds.
func TestMigrateTogether(t *testing.T) {
	u := pgtest.URL(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			s, err := Open(t.Context(), u)
			if err != nil {
				errs <- err
				return
			}
			s.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	conn, err := pgx.Connect(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	ms, _ := migrations()
	var n int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != len(ms) {
		t.Errorf("schema_migrations has %d rows, %v; want %d", n, err, len(ms))
	}
}

func TestOpenErrorHidesPassword(t *testing.T) {
	_, err := Open(t.Context(), "postgres://bot:hunter2@127.0.0.1:1/x?connect_timeout=1")
	if err == nil {
		t.Fatal("Open of a closed port succeeded")
	}
	if s := err.Error(); strings.Contains(s, "hunter2") {
		t.Errorf("error shows the password: %s", s)
	}
}
