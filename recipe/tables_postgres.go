package recipe

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/iwb-dev/iwb/webhook"
)

// pgTables are the recipe tables in a shared PostgreSQL event log; the
// log's migrations create them. Its runner lock is a session advisory lock
// held on a connection of its own, which the server drops with the
// connection, however the process ends.
type pgTables struct {
	pool *pgxpool.Pool
	url  string // masked
}

// pgLockRunner is the runner lock's first key; the second is the schema's,
// so that logs in two schemas of one database each have their runner.
const pgLockRunner int32 = 0x69776204 // "iwb" 4

// pgLateAppends bounds how long a listener's commit may take once it has
// numbered its events (PGStore gives a commit 30 s), with a margin: two
// listeners number events from one sequence, and the later numbers may
// commit first.
const pgLateAppends = 35 * time.Second

// pgRunnerName is how the runner's lock connection names itself to the
// server, so that the others can say who runs the recipes.
const pgRunnerName = "iwb recipes: "

func openPostgres(log *webhook.PGStore) *Store {
	pool := log.Pool()
	return &Store{db: stdlib.OpenDBFromPool(pool), tables: pgTables{pool: pool, url: log.Path()}}
}

// bind numbers the ? parameters $1, $2, ...; no query of this package has
// a ? anywhere else.
func (p pgTables) bind(q string) string {
	var sb strings.Builder
	n := 0
	for i := range len(q) {
		if q[i] != '?' {
			sb.WriteByte(q[i])
			continue
		}
		n++
		sb.WriteByte('$')
		sb.WriteString(strconv.Itoa(n))
	}
	return sb.String()
}

func (p pgTables) lateAppends() time.Duration { return pgLateAppends }

func (p pgTables) where() string { return p.url }

// close leaves the pool to the event log that owns it.
func (p pgTables) close() error { return nil }

func (p pgTables) lockRunner(ctx context.Context) (lease, string, error) {
	cfg := p.pool.Config().ConnConfig.Copy()
	host, _ := os.Hostname()
	cfg.RuntimeParams["application_name"] = fmt.Sprintf("%spid %d on %s", pgRunnerName, os.Getpid(), host)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return lease{}, "", fmt.Errorf("connecting to %s: %w", p.url, err)
	}
	var got bool
	err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, hashtext(current_schema()))`, pgLockRunner).Scan(&got)
	if err == nil && !got {
		err = errLocked
	}
	if err != nil {
		holder := ""
		if errors.Is(err, errLocked) {
			holder = runnerHolder(ctx, conn)
		}
		conn.Close(context.WithoutCancel(ctx))
		return lease{}, holder, err
	}
	return lease{
		held:    func(ctx context.Context) error { return conn.Ping(ctx) },
		release: func() { conn.Close(context.Background()) },
	}, "", nil
}

// runnerHolder names the process holding the runner lock, or "" when that
// cannot be read.
func runnerHolder(ctx context.Context, conn *pgx.Conn) string {
	var name string
	err := conn.QueryRow(ctx, `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.classid = $1::bigint::oid
			AND l.objid = (hashtext(current_schema())::bigint & 4294967295)::oid`, pgLockRunner).Scan(&name)
	if err != nil || !strings.HasPrefix(name, pgRunnerName) {
		return ""
	}
	return " (" + strings.TrimPrefix(name, pgRunnerName) + ")"
}

// isUniqueViolation says whether err is a row refused for a unique key.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE")
}
