// Package pgtest gives tests a fresh PostgreSQL database on the server that
// IWB_TEST_POSTGRES names (.ci/run starts one). Without it the test skips
// and says why; under CI (CI=true) it fails instead, so CI cannot pass
// without testing the PostgreSQL store.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the server the tests use.
const EnvURL = "IWB_TEST_POSTGRES"

// Fresh creates an empty schema for t and returns a URL that works in it
// (search_path); the schema is dropped at cleanup. A schema, not a
// database, because creating a database takes a second.
func Fresh(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(EnvURL + " is not set: CI must test the PostgreSQL store (.ci/run starts a server)")
		}
		t.Skip("no PostgreSQL to test against: set " + EnvURL + " to a postgres:// URL (.ci/run starts a throwaway server)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connecting to %s: %v", EnvURL, err)
	}
	defer admin.Close(context.Background())
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "iwb_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("creating a test schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, base); err == nil {
			_, _ = c.Exec(ctx, "DROP SCHEMA IF EXISTS "+name+" CASCADE")
			c.Close(ctx)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}
