// Package store keeps koban's state in SQL: inquiries and their events,
// on-call overrides and handoff notes, claims for exactly-once side effects and
// saved monthly reports. It runs on embedded SQLite (the zero-configuration
// default, pure Go) or on PostgreSQL, applies its own migrations and River's,
// and runs durable background jobs (inquiry processing, periodic work) with
// River, so that a crash loses nothing.
//
// The store knows nothing of Slack, triage or reports: it stores the nouns of
// the root package and leaves deciding what to do with them to its callers,
// which declare the small interfaces they need.
//
// All times are stored and returned in UTC, truncated to the microsecond.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/kobanhq/koban"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// Options configures Open.
type Options struct {
	// URL selects the database: empty for SQLite in DataDir/koban.db,
	// postgres://… or postgresql://… for PostgreSQL.
	URL string
	// DataDir holds the SQLite database. Unused with PostgreSQL.
	DataDir string
	// Log receives the store's and River's logs. Nil discards them.
	Log *slog.Logger
	// Now is the clock for timestamps the store sets. Nil is time.Now.
	Now func() time.Time
	// NoMigrate makes Open fail, instead of migrating, when the schema is
	// older than this binary (operators who run `koban migrate` themselves).
	NoMigrate bool
	// ConnectTimeout bounds how long Open waits for PostgreSQL. Default 10s.
	ConnectTimeout time.Duration
}

// dialect is the SQL flavour of a Store.
type dialect int

const (
	sqliteDialect dialect = iota
	postgresDialect
)

func (d dialect) String() string {
	if d == postgresDialect {
		return "postgres"
	}
	return "sqlite"
}

// Store is koban's database. It is safe for concurrent use.
type Store struct {
	dialect dialect
	log     *slog.Logger
	now     func() time.Time
	owner   string // who claims side effects: host, pid and a random suffix
	where   string // the database, for messages (no password)

	// SQLite: one writer connection (also River's) and a pool of readers.
	db     *sql.DB
	reader *sql.DB
	// PostgreSQL: one pool for the store and River; sqlDB wraps it for goose.
	pool  *pgxpool.Pool
	sqlDB *sql.DB
	// riverSchema is the PostgreSQL schema River's tables live in.
	riverSchema string

	jobs jobQueue

	closeOnce sync.Once
}

// Open connects to the database, checks its schema and migrates it unless
// NoMigrate is set. A database that is down gives an EUnavailable error
// within ConnectTimeout; a schema newer than this binary gives EInvalid.
func Open(ctx context.Context, opts Options) (*Store, error) {
	s := &Store{log: opts.Log, now: opts.Now, owner: newOwner()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	var err error
	switch {
	case opts.URL == "":
		err = s.openSQLite(opts)
	case strings.HasPrefix(opts.URL, "postgres://"), strings.HasPrefix(opts.URL, "postgresql://"):
		err = s.openPostgres(ctx, opts)
	default:
		return nil, koban.Errorf(koban.EInvalid, "database URL %q: want postgres://… or empty for SQLite", redactURL(opts.URL))
	}
	if err != nil {
		return nil, err
	}
	if err := s.checkSchema(ctx, opts.NoMigrate); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openSQLite opens DataDir/koban.db with WAL, a busy timeout, foreign keys
// and a single writer connection. Readers get their own pool: in WAL mode
// they do not block the writer.
func (s *Store) openSQLite(opts Options) error {
	s.dialect = sqliteDialect
	if opts.DataDir == "" {
		return koban.Errorf(koban.EInvalid, "data directory for the SQLite database is empty")
	}
	if err := os.MkdirAll(opts.DataDir, 0o750); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(opts.DataDir, "koban.db")
	s.where = path
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	// One writer: SQLite allows one write transaction at a time, and River's
	// SQLite driver expects a single connection to avoid SQLITE_BUSY.
	db.SetMaxOpenConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.Ping(); err != nil {
		db.Close()
		return fmt.Errorf("open %s: %w", path, err)
	}
	reader, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		db.Close()
		return fmt.Errorf("open %s: %w", path, err)
	}
	reader.SetMaxOpenConns(4)
	s.db, s.reader = db, reader
	jobs, err := newRiverQueue(s, riversqlite.New(db), func(q querier) *sql.Tx { return q.(sqlQuerier).q.(*sql.Tx) }, "")
	if err != nil {
		reader.Close()
		db.Close()
		return err
	}
	s.jobs = jobs
	return nil
}

// openPostgres connects a pgx pool, shared by the store and River so that an
// inquiry and its job are inserted in one transaction.
func (s *Store) openPostgres(ctx context.Context, opts Options) error {
	s.dialect = postgresDialect
	s.where = redactURL(opts.URL)
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		return koban.Errorf(koban.EInvalid, "database URL %s: %v", s.where, err)
	}
	timeout := opts.ConnectTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > timeout {
		cfg.ConnConfig.ConnectTimeout = timeout
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return koban.Errorf(koban.EInvalid, "database URL %s: %v", s.where, err)
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := pool.QueryRow(pctx, `SELECT COALESCE(current_schema(), '')`).Scan(&s.riverSchema); err != nil {
		pool.Close()
		return unavailable(s.where, err)
	}
	if s.riverSchema == "" {
		pool.Close()
		return koban.Errorf(koban.EInvalid, "database %s: no schema of its search_path exists: create the schema or fix search_path", s.where)
	}
	jobs, err := newRiverQueue(s, riverpgxv5.New(pool), func(q querier) pgx.Tx { return q.(pgxQuerier).q.(pgx.Tx) }, s.riverSchema)
	if err != nil {
		pool.Close()
		return err
	}
	s.pool, s.jobs = pool, jobs
	s.sqlDB = stdlib.OpenDBFromPool(pool)
	return nil
}

// unavailable reports a database that cannot be reached.
func unavailable(where string, err error) error {
	return fmt.Errorf("%w (%v)", koban.Errorf(koban.EUnavailable, "database %s is unreachable: check that it is running and the URL is right", where), err)
}

// Close stops the jobs and closes the database. It is safe to call twice.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if s.jobs != nil {
			err = s.jobs.stop(ctx)
		}
		if s.db != nil {
			err = errors.Join(err, s.reader.Close(), s.db.Close())
		}
		if s.pool != nil {
			err = errors.Join(err, s.sqlDB.Close())
			s.pool.Close()
		}
	})
	return err
}

// Ping checks that the database answers, for health checks. A database
// that does not gives EUnavailable.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.read().queryRow(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("ping: %w", unavailable(s.where, err))
	}
	return nil
}

// Dialect returns "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect.String() }

// querier runs SQL on a connection pool or in a transaction, whichever the
// dialect's driver offers: database/sql for SQLite, pgx for PostgreSQL.
// Queries use $1, $2… placeholders, which both understand.
type querier interface {
	exec(ctx context.Context, query string, args ...any) (int64, error)
	query(ctx context.Context, query string, args ...any) (rows, error)
	queryRow(ctx context.Context, query string, args ...any) row
}

type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

type row interface{ Scan(dest ...any) error }

// scanOne reads one row into a new T with scan.
func scanOne[T any](r row, scan func(row, *T) error) (*T, error) {
	var v T
	if err := scan(r, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// queryAll runs query on q and reads every row it returns into a T with
// scan. what names the rows in errors.
func queryAll[T any](ctx context.Context, s *Store, q querier, what string, scan func(row, *T) error, query string, args ...any) ([]T, error) {
	rs, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, s.dbErr(err))
	}
	defer rs.Close()
	var out []T
	for rs.Next() {
		var zero T
		out = append(out, zero) // scanned in place: no allocation a row
		if err := scan(rs, &out[len(out)-1]); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, s.dbErr(err))
	}
	return out, nil
}

type sqlQuerier struct {
	q interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}
}

func (q sqlQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q sqlQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	return q.q.QueryContext(ctx, query, args...)
}

func (q sqlQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	return q.q.QueryRowContext(ctx, query, args...)
}

type pgxQuerier struct {
	q interface {
		Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	}
}

func (q pgxQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := q.q.Exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (q pgxQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	r, err := q.q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgxRows{r}, nil
}

func (q pgxQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	return q.q.QueryRow(ctx, query, args...)
}

type pgxRows struct{ pgx.Rows }

func (r pgxRows) Close() error { r.Rows.Close(); return nil }

// read returns the querier for reads outside a transaction.
func (s *Store) read() querier {
	if s.dialect == postgresDialect {
		return pgxQuerier{s.pool}
	}
	return sqlQuerier{s.reader}
}

// write returns the querier for single-statement writes outside a transaction.
func (s *Store) write() querier {
	if s.dialect == postgresDialect {
		return pgxQuerier{s.pool}
	}
	return sqlQuerier{s.db}
}

// inTx runs fn in a transaction, committing when it returns nil. On SQLite
// the transaction holds the only writer connection: fn must use q only.
func (s *Store) inTx(ctx context.Context, fn func(q querier) error) error {
	if s.dialect == postgresDialect {
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			return s.dbErr(err)
		}
		defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
		if err := fn(pgxQuerier{tx}); err != nil {
			return err
		}
		return s.dbErr(tx.Commit(ctx))
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.dbErr(err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(sqlQuerier{tx}); err != nil {
		return err
	}
	return s.dbErr(tx.Commit())
}

// dbErr marks a database that cannot be reached as EUnavailable and leaves
// other errors alone.
func (s *Store) dbErr(err error) error {
	if err == nil || s.dialect != postgresDialect {
		return err
	}
	var pgErr *pgconn.PgError
	var connErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &pgErr):
		// 08xxx: connection exceptions; 57P01-57P03: the server is going away.
		if !strings.HasPrefix(pgErr.Code, "08") && !strings.HasPrefix(pgErr.Code, "57P0") {
			return err
		}
	case errors.As(err, &connErr), errors.As(err, &netErr), errors.Is(err, io.ErrUnexpectedEOF), pgconn.SafeToRetry(err):
	default:
		return err
	}
	return fmt.Errorf("%w (%v)", koban.Say(koban.EUnavailable, "error.db_unavailable", nil), err)
}

// isNoRows reports whether err means a query returned no row.
func isNoRows(err error) bool {
	return errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows)
}

// ts converts a time to the dialect's column value: a UTC timestamptz on
// PostgreSQL, Unix microseconds on SQLite, NULL for the zero time.
func (s *Store) ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	if s.dialect == postgresDialect {
		return t.UTC().Truncate(time.Microsecond)
	}
	return t.UnixMicro()
}

// tsb is ts for a bound in a comparison: the zero time stays a time (the
// earliest), not NULL.
func (s *Store) tsb(t time.Time) any {
	if s.dialect == postgresDialect {
		return t.UTC().Truncate(time.Microsecond)
	}
	return t.UnixMicro()
}

// dbTime scans a timestamp column of either dialect; NULL gives the zero time.
type dbTime struct{ t *time.Time }

func (d dbTime) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*d.t = time.Time{}
	case int64:
		*d.t = time.UnixMicro(v).UTC()
	case time.Time:
		*d.t = v.UTC()
	default:
		return fmt.Errorf("scan time: unexpected %T", v)
	}
	return nil
}

// utc returns t in UTC at the precision the database keeps.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

func newOwner() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// redactURL hides the password of a database URL.
func redactURL(s string) string {
	if at := strings.LastIndex(s, "@"); at > 0 {
		if i := strings.Index(s, "://"); i >= 0 && i < at {
			user := s[i+3 : at]
			if u, _, ok := strings.Cut(user, ":"); ok {
				return s[:i+3] + u + ":…" + s[at:]
			}
		}
	}
	return s
}
