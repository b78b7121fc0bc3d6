package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kobanhq/koban"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// Jobs is the work StartJobs runs in the background.
type Jobs struct {
	// ProcessInquiry handles one inquiry created by CreateInquiry. attempt
	// counts from 1. A returned error (or a panic) retries the job with
	// backoff; Permanent(err) gives up at once. It may run more than once for
	// one inquiry (a retry, or a rescue after a crash), so side effects must
	// be guarded (see Claim).
	ProcessInquiry func(ctx context.Context, inquiryID int64, attempt int) error
	// Periodic jobs run on the elected leader only, once at start (to catch
	// up on a missed run) and then on their schedule.
	Periodic []PeriodicJob
	// Workers bounds how many jobs run at once. Default 4.
	Workers int
	// Timeout cancels the context of a job running longer. Default 5 minutes.
	Timeout time.Duration
	// RescueAfter is how long a job may stay running before it is thought
	// lost (its process died) and run again. It must exceed Timeout.
	// Default Timeout + 1 minute.
	RescueAfter time.Duration
	// RetryDelay gives the wait before attempt+1 after attempt failed.
	// Default: River's, attempt⁴ seconds with jitter.
	RetryDelay func(attempt int) time.Duration
	// PollInterval is how often idle workers look for jobs they were not
	// told about. Default 1s (PostgreSQL also gets notifications).
	PollInterval time.Duration
}

// PeriodicJob is work done on a schedule by one replica at a time.
type PeriodicJob struct {
	// Name identifies the job across restarts and replicas.
	Name string
	// Every is the interval between runs.
	Every time.Duration
	// Next, when set, replaces Every: it returns the next run after a time
	// (a parsed cron expression's Next method fits).
	Next func(time.Time) time.Time
	// Run does the work; now is the store's clock at the start of the run.
	Run func(ctx context.Context, now time.Time) error
}

// Permanent marks an error that retrying will not fix: the job is cancelled
// instead of retried.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// StartJobs starts working jobs in the background until StopJobs or Close.
func (s *Store) StartJobs(ctx context.Context, j Jobs) error {
	if j.ProcessInquiry == nil {
		return koban.Errorf(koban.EInvalid, "start jobs: ProcessInquiry is nil")
	}
	names := map[string]bool{}
	for _, p := range j.Periodic {
		switch {
		case p.Name == "" || p.Run == nil:
			return koban.Errorf(koban.EInvalid, "start jobs: periodic job %q needs a name and a Run function", p.Name)
		case p.Every <= 0 && p.Next == nil:
			return koban.Errorf(koban.EInvalid, "start jobs: periodic job %q needs Every or Next", p.Name)
		case names[p.Name]:
			return koban.Errorf(koban.EInvalid, "start jobs: two periodic jobs are named %q", p.Name)
		}
		names[p.Name] = true
	}
	if j.Workers <= 0 {
		j.Workers = 4
	}
	if j.Timeout <= 0 {
		j.Timeout = 5 * time.Minute
	}
	if j.RescueAfter <= j.Timeout {
		j.RescueAfter = j.Timeout + time.Minute
	}
	if j.PollInterval <= 0 {
		j.PollInterval = time.Second
	}
	if err := s.jobs.start(ctx, j); err != nil {
		return fmt.Errorf("start jobs: %w", s.dbErr(err))
	}
	s.log.Info("jobs started", "workers", j.Workers, "periodic", len(j.Periodic))
	return nil
}

// StopJobs stops taking new jobs and waits for running ones until ctx ends,
// then cancels them (they will be retried). It does nothing when the jobs
// are not running.
func (s *Store) StopJobs(ctx context.Context) error {
	if err := s.jobs.stop(ctx); err != nil {
		return fmt.Errorf("stop jobs: %w", err)
	}
	return nil
}

// jobQueue is River behind the transaction type of a dialect's driver.
type jobQueue interface {
	insertInquiryJob(ctx context.Context, q querier, inquiryID int64) error
	start(ctx context.Context, j Jobs) error
	stop(ctx context.Context) error
	versions(ctx context.Context) (current, latest int, err error)
	migrate(ctx context.Context) (applied []int, err error)
}

// inquiryJobKind is the River job kind of ProcessInquiry.
const inquiryJobKind = "inquiry.process"

// inquiryMaxAttempts bounds retries: with River's backoff, ten attempts
// span about four hours.
const inquiryMaxAttempts = 10

type inquiryArgs struct {
	InquiryID int64 `json:"inquiry_id"`
}

func (inquiryArgs) Kind() string { return inquiryJobKind }

func (inquiryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: inquiryMaxAttempts}
}

type inquiryWorker struct {
	river.WorkerDefaults[inquiryArgs]
	process func(ctx context.Context, inquiryID int64, attempt int) error
}

func (w *inquiryWorker) Work(ctx context.Context, job *river.Job[inquiryArgs]) error {
	return jobErr(w.process(ctx, job.Args.InquiryID, job.Attempt))
}

type periodicArgs struct {
	Name string `json:"name"`
}

func (periodicArgs) Kind() string { return "koban.periodic" }

type periodicWorker struct {
	river.WorkerDefaults[periodicArgs]
	jobs map[string]PeriodicJob
	now  func() time.Time
}

func (w *periodicWorker) Work(ctx context.Context, job *river.Job[periodicArgs]) error {
	p, ok := w.jobs[job.Args.Name]
	if !ok {
		// Enqueued by a replica configured with another job list.
		return river.JobCancel(fmt.Errorf("no periodic job %q in this koban", job.Args.Name))
	}
	return jobErr(p.Run(ctx, w.now().UTC()))
}

// retryAfter is implemented by errors that know when to try again, such as
// a Slack rate limit with its Retry-After.
type retryAfter interface{ RetryAfter() time.Duration }

func jobErr(err error) error {
	var ra retryAfter
	switch {
	case IsPermanent(err):
		return river.JobCancel(err)
	case errors.As(err, &ra) && ra.RetryAfter() > 0:
		// Wait as long as the other side asked, rather than the backoff.
		return river.JobSnooze(ra.RetryAfter())
	}
	return err
}

type scheduleFunc func(time.Time) time.Time

func (f scheduleFunc) Next(t time.Time) time.Time { return f(t) }

type retryPolicy func(attempt int) time.Duration

func (p retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(p(job.Attempt))
}

// riverQueue runs River with a driver whose transactions are TTx.
type riverQueue[TTx any] struct {
	driver riverdriver.Driver[TTx]
	txOf   func(querier) TTx // the driver's transaction inside a querier from inTx
	schema string
	log    *slog.Logger
	now    func() time.Time

	inserter *river.Client[TTx] // inserts only, for when jobs are not running

	mu     sync.Mutex
	worker *river.Client[TTx] // non-nil while jobs run
}

func newRiverQueue[TTx any](s *Store, driver riverdriver.Driver[TTx], txOf func(querier) TTx, schema string) (*riverQueue[TTx], error) {
	inserter, err := river.NewClient(driver, &river.Config{Logger: riverLogger(s.log), Schema: schema, SkipUnknownJobCheck: true})
	if err != nil {
		return nil, fmt.Errorf("job client: %w", err)
	}
	return &riverQueue[TTx]{driver: driver, txOf: txOf, schema: schema, log: s.log, now: s.now, inserter: inserter}, nil
}

func (r *riverQueue[TTx]) client() *river.Client[TTx] {
	r.mu.Lock()
	defer r.mu.Unlock()
	// The working client wakes its own workers at once, even on SQLite,
	// which has no notifications.
	if r.worker != nil {
		return r.worker
	}
	return r.inserter
}

func (r *riverQueue[TTx]) insertInquiryJob(ctx context.Context, q querier, inquiryID int64) error {
	_, err := r.client().InsertTx(ctx, r.txOf(q), inquiryArgs{InquiryID: inquiryID}, nil)
	return err
}

func (r *riverQueue[TTx]) start(ctx context.Context, j Jobs) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.worker != nil {
		return koban.Errorf(koban.EConflict, "jobs are already running")
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &inquiryWorker{process: j.ProcessInquiry})
	var periodic []*river.PeriodicJob
	if len(j.Periodic) > 0 {
		byName := map[string]PeriodicJob{}
		for _, p := range j.Periodic {
			byName[p.Name] = p
			var sched river.PeriodicSchedule = river.PeriodicInterval(p.Every)
			opts := &river.InsertOpts{MaxAttempts: 5}
			if p.Next != nil {
				sched = scheduleFunc(p.Next)
			} else {
				// A new leader runs the job on start; a run already done
				// in this period by the previous leader is not repeated.
				opts.UniqueOpts = river.UniqueOpts{ByArgs: true, ByPeriod: p.Every}
			}
			args := periodicArgs{Name: p.Name}
			periodic = append(periodic, river.NewPeriodicJob(sched,
				func() (river.JobArgs, *river.InsertOpts) { return args, opts },
				&river.PeriodicJobOpts{ID: p.Name, RunOnStart: true}))
		}
		river.AddWorker(workers, &periodicWorker{jobs: byName, now: r.now})
	}
	cfg := &river.Config{
		Logger:               riverLogger(r.log),
		Schema:               r.schema,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: j.Workers}},
		Workers:              workers,
		PeriodicJobs:         periodic,
		JobTimeout:           j.Timeout,
		RescueStuckJobsAfter: j.RescueAfter,
		FetchPollInterval:    j.PollInterval,
		FetchCooldown:        min(j.PollInterval, river.FetchCooldownDefault),
	}
	if j.RetryDelay != nil {
		cfg.RetryPolicy = retryPolicy(j.RetryDelay)
	}
	c, err := river.NewClient(r.driver, cfg)
	if err != nil {
		return err
	}
	// Jobs run until stop, not until the caller's context ends.
	if err := c.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	r.worker = c
	return nil
}

func (r *riverQueue[TTx]) stop(ctx context.Context) error {
	r.mu.Lock()
	c := r.worker
	r.worker = nil
	r.mu.Unlock()
	if c == nil {
		return nil
	}
	err := c.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		// Out of patience: cancel what still runs; River retries it later.
		hard, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return errors.Join(err, c.StopAndCancel(hard))
	}
	return err
}

func (r *riverQueue[TTx]) migrator() (*rivermigrate.Migrator[TTx], error) {
	return rivermigrate.New(r.driver, &rivermigrate.Config{Logger: riverLogger(r.log), Schema: r.schema})
}

func (r *riverQueue[TTx]) versions(ctx context.Context) (int, int, error) {
	m, err := r.migrator()
	if err != nil {
		return 0, 0, err
	}
	existing, err := m.ExistingVersions(ctx)
	if err != nil {
		return 0, 0, err
	}
	all := m.AllVersions()
	cur, latest := 0, 0
	if len(existing) > 0 {
		cur = existing[len(existing)-1].Version
	}
	if len(all) > 0 {
		latest = all[len(all)-1].Version
	}
	return cur, latest, nil
}

func (r *riverQueue[TTx]) migrate(ctx context.Context) ([]int, error) {
	m, err := r.migrator()
	if err != nil {
		return nil, err
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return nil, err
	}
	var applied []int
	for _, v := range res.Versions {
		applied = append(applied, v.Version)
	}
	return applied, nil
}
