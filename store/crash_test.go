package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kobanhq/koban"
)

// eventProcessed is the event the crash test's job records when it is done.
const eventProcessed koban.EventKind = "processed"

// crashProcess is an inquiry job in two steps, each guarded by a claim as
// koban's real jobs are: answer (a side effect), then record completion.
// With crash set it stops between the steps and waits to be killed.
func crashProcess(s *Store, crash bool, attempts chan<- int) func(ctx context.Context, id int64, attempt int) error {
	return func(ctx context.Context, id int64, attempt int) error {
		if attempts != nil {
			attempts <- attempt
		}
		if err := once(ctx, s, fmt.Sprintf("answer:%d", id), func() error {
			_, err := s.Transition(ctx, id, koban.StateAnswered, koban.Event{Kind: koban.EventAnswered,
				Data: map[string]string{"attempt": fmt.Sprint(attempt), "pid": fmt.Sprint(os.Getpid())}}, nil)
			return err
		}); err != nil {
			return err
		}
		if crash {
			fmt.Println("CRASH-POINT")
			<-ctx.Done() // killed before this returns
			return ctx.Err()
		}
		return once(ctx, s, fmt.Sprintf("processed:%d", id), func() error {
			return s.AppendEvent(ctx, koban.Event{InquiryID: id, Kind: eventProcessed})
		})
	}
}

// once runs a side effect unless it already happened.
func once(ctx context.Context, s *Store, key string, effect func() error) error {
	ok, err := s.Claim(ctx, key, 30*time.Second)
	if err != nil || !ok {
		return err
	}
	if err := effect(); err != nil {
		return errorsJoin(err, s.Release(ctx, key))
	}
	return s.Done(ctx, key)
}

func errorsJoin(err, other error) error {
	if other != nil {
		return fmt.Errorf("%w (and release: %v)", err, other)
	}
	return err
}

// TestCrashHelper is the process the crash test kills; it does nothing in
// a normal test run.
func TestCrashHelper(t *testing.T) {
	if os.Getenv("KOBAN_CRASH_HELPER") != "1" {
		t.Skip("run by TestCrashRecovery")
	}
	s, err := Open(context.Background(), Options{URL: os.Getenv("KOBAN_CRASH_URL"), DataDir: os.Getenv("KOBAN_CRASH_DATADIR")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.StartJobs(context.Background(), Jobs{ProcessInquiry: crashProcess(s, true, nil), Timeout: time.Minute, PollInterval: 100 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Minute)
	t.Fatal("not killed")
}

// TestCrashRecovery kills the process working an inquiry half-way; after a
// restart the job is rescued and the inquiry is processed to completion, its
// side effect recorded once.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: waits for a leader election and a job rescue")
	}
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		s := mustOpen(t, opts)
		inq := mustCreate(t, s, sampleInquiry("crash"))
		s.Close()

		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), "KOBAN_CRASH_HELPER=1", "KOBAN_CRASH_URL="+opts.URL, "KOBAN_CRASH_DATADIR="+opts.DataDir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		reached := make(chan bool, 1)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if strings.Contains(sc.Text(), "CRASH-POINT") {
					reached <- true
				}
			}
			close(reached)
		}()
		select {
		case ok := <-reached:
			if !ok {
				cmd.Wait()
				t.Fatal("the helper process ended before the crash point")
			}
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			t.Fatal("the helper process did not reach the crash point")
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()

		// Restart: a new process (this one) with a short rescue delay.
		s = mustOpen(t, opts)
		if st := jobStates(t, s); len(st) != 1 || st[0] != "running" {
			t.Fatalf("job after the kill = %v, want one still running", st)
		}
		attempts := make(chan int, 10)
		if err := s.StartJobs(ctx, Jobs{ProcessInquiry: crashProcess(s, false, attempts), Timeout: time.Second, RescueAfter: 2 * time.Second,
			RetryDelay: func(int) time.Duration { return 10 * time.Millisecond }, PollInterval: 100 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 90*time.Second, "the rescued job to complete", func() bool {
			st := jobStates(t, s)
			return len(st) == 1 && st[0] == "completed"
		})
		if err := s.StopJobs(ctx); err != nil {
			t.Fatal(err)
		}
		close(attempts)
		var seen []int
		for a := range attempts {
			seen = append(seen, a)
		}
		if len(seen) != 1 || seen[0] != 2 {
			t.Errorf("attempts after the restart = %v, want [2]", seen)
		}
		evs, err := s.Events(ctx, inq.ID)
		if err != nil {
			t.Fatal(err)
		}
		var answered, processed int
		for _, e := range evs {
			switch e.Kind {
			case koban.EventAnswered:
				answered++
				if e.Data["pid"] != fmt.Sprint(cmd.Process.Pid) {
					t.Errorf("answered by pid %s, want the killed process %d", e.Data["pid"], cmd.Process.Pid)
				}
			case eventProcessed:
				processed++
			}
		}
		if answered != 1 || processed != 1 {
			t.Errorf("events %+v: %d answered and %d processed, want 1 and 1", evs, answered, processed)
		}
		if got, _ := s.Inquiry(ctx, inq.ID); got.State != koban.StateAnswered {
			t.Errorf("state = %s, want answered", got.State)
		}
	})
}

// TestDatabaseGoesAway terminates the store's PostgreSQL connections while
// a job runs: the job is retried, not lost, and the store keeps working.
func TestDatabaseGoesAway(t *testing.T) {
	opts := postgresOptions(t)
	ctx := t.Context()
	s := mustOpen(t, opts)
	app := opts.URL[strings.LastIndex(opts.URL, "application_name=")+len("application_name="):]
	admin, err := pgx.Connect(ctx, os.Getenv("KOBAN_TEST_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	var adminMu sync.Mutex
	terminate := func() int {
		adminMu.Lock()
		defer adminMu.Unlock()
		var n int
		if err := admin.QueryRow(ctx, `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&n); err != nil {
			t.Errorf("terminate connections: %v", err)
		}
		return n
	}

	attempts := make(chan int, 20)
	if err := s.StartJobs(ctx, Jobs{
		ProcessInquiry: func(ctx context.Context, id int64, attempt int) error {
			attempts <- attempt
			if attempt == 1 {
				if n := terminate(); n == 0 {
					t.Error("no connection to terminate")
				}
				// The database went away mid-job: fail, to be retried.
				_, err := s.Inquiry(ctx, id)
				return fmt.Errorf("inquiry %d: the database went away (%v)", id, err)
			}
			return once(ctx, s, fmt.Sprintf("answer:%d", id), func() error {
				_, err := s.Transition(ctx, id, koban.StateAnswered, koban.Event{Kind: koban.EventAnswered}, nil)
				return err
			})
		},
		RetryDelay:   func(int) time.Duration { return 200 * time.Millisecond },
		PollInterval: 100 * time.Millisecond,
		Timeout:      5 * time.Second,
		RescueAfter:  10 * time.Second,
	}); err != nil {
		t.Fatal(err)
	}
	inq := mustCreate(t, s, sampleInquiry("away"))
	waitFor(t, 60*time.Second, "the job to complete after the database came back", func() bool {
		got, err := s.Inquiry(ctx, inq.ID)
		return err == nil && got.State == koban.StateAnswered
	})
	if n := len(attempts); n < 2 {
		t.Errorf("%d attempts, want a retry", n)
	}

	// Idle connections terminated: the next calls reconnect.
	terminate()
	time.Sleep(1500 * time.Millisecond)
	var created bool
	for range 3 { // a connection killed a moment ago may fail once
		created, err = s.CreateInquiry(ctx, sampleInquiry("after"))
		if err == nil {
			break
		}
		wantCode(t, "CreateInquiry on a dead connection", err, koban.EUnavailable)
	}
	if err != nil || !created {
		t.Fatalf("CreateInquiry after the connections were terminated = %v, %v", created, err)
	}
	waitFor(t, 30*time.Second, "the second job to complete", func() bool {
		// Another pooled connection killed a moment ago may fail once too.
		st, err := queryJobStates(ctx, s)
		if err != nil {
			wantCode(t, "job states on a dead connection", s.dbErr(err), koban.EUnavailable)
			return false
		}
		return len(st) == 2 && st[0] == "completed" && st[1] == "completed"
	})
}
