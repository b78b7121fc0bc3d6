package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/kobanhq/koban"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds koban's own schema, one folder of numbered .sql files per
// dialect. They only go forward; each runs in a transaction.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// SchemaVersion says where a database's schema is and where this binary
// would take it: koban's tables (goose) and River's job tables.
type SchemaVersion struct {
	Koban, KobanLatest int64
	River, RiverLatest int
}

// Pending reports whether migrations remain to be applied.
func (v SchemaVersion) Pending() bool { return v.Koban < v.KobanLatest || v.River < v.RiverLatest }

// String gives the version as "5 (river 6)".
func (v SchemaVersion) String() string { return fmt.Sprintf("%d (river %d)", v.Koban, v.River) }

func (s *Store) provider() (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations/"+s.dialect.String())
	if err != nil {
		return nil, err
	}
	db, dia := s.db, goose.DialectSQLite3
	var opts []goose.ProviderOption
	if s.dialect == postgresDialect {
		db, dia = s.sqlDB, goose.DialectPostgres
		// Replicas starting together: one migrates, the others wait.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dia, db, fsys, opts...)
}

// SchemaVersion returns the database's schema versions and this binary's.
func (s *Store) SchemaVersion(ctx context.Context) (SchemaVersion, error) {
	var v SchemaVersion
	p, err := s.provider()
	if err != nil {
		return v, fmt.Errorf("schema version: %w", err)
	}
	if v.Koban, err = p.GetDBVersion(ctx); err != nil {
		return v, fmt.Errorf("schema version: %w", s.dbErr(err))
	}
	if src := p.ListSources(); len(src) > 0 {
		v.KobanLatest = src[len(src)-1].Version
	}
	if v.River, v.RiverLatest, err = s.jobs.versions(ctx); err != nil {
		return v, fmt.Errorf("job schema version: %w", s.dbErr(err))
	}
	return v, nil
}

// Migrate applies koban's pending migrations, then River's.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	res, err := p.Up(ctx)
	for _, r := range res {
		if r.Error == nil {
			s.log.Info("migrated", "version", r.Source.Version, "took", r.Duration)
		}
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", s.dbErr(err))
	}
	applied, err := s.jobs.migrate(ctx)
	if len(applied) > 0 {
		s.log.Info("migrated jobs", "river_version", applied[len(applied)-1], "applied", len(applied))
	}
	if err != nil {
		return fmt.Errorf("migrate jobs: %w", s.dbErr(err))
	}
	return nil
}

// checkSchema refuses a schema newer than this binary and migrates an older
// one unless noMigrate.
func (s *Store) checkSchema(ctx context.Context, noMigrate bool) error {
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if v.Koban > v.KobanLatest || v.River > v.RiverLatest {
		return koban.Errorf(koban.EInvalid,
			"database schema is at version %d (river %d), newer than this koban binary knows (%d, river %d): run a newer koban (migrations only go forward)",
			v.Koban, v.River, v.KobanLatest, v.RiverLatest)
	}
	if !v.Pending() {
		return nil
	}
	if noMigrate {
		return koban.Errorf(koban.EInvalid,
			"database schema is at version %d (river %d), older than this koban binary needs (%d, river %d): run `koban migrate`",
			v.Koban, v.River, v.KobanLatest, v.RiverLatest)
	}
	return s.Migrate(ctx)
}
