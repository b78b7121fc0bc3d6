package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/store"
)

// Retention is how long inquiry text is kept: a Go duration ("8760h") or a
// number of days ("400d").
type Retention time.Duration

// UnmarshalText parses "400d" or a Go duration; "" and "0" keep everything.
func (r *Retention) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "" || s == "0" {
		*r = 0
		return nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return fmt.Errorf("retention %q: want days such as 400d, or a duration such as 8760h", s)
		}
		*r = Retention(time.Duration(n) * 24 * time.Hour)
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("retention %q: want days such as 400d, or a duration such as 8760h", s)
	}
	*r = Retention(d)
	return nil
}

// validSlackID reports whether id looks like a Slack ID starting with one of
// prefixes (U, W users; S user groups).
func validSlackID(id, prefixes string) bool {
	if len(id) < 2 || !strings.ContainsRune(prefixes, rune(id[0])) {
		return false
	}
	for _, r := range id {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// purgeJob is the periodic job that applies the retention setting.
func purgeJob(a *app, st *store.Store) store.PeriodicJob {
	return store.PeriodicJob{Name: "inquiries.purge", Every: 6 * time.Hour, Run: func(ctx context.Context, now time.Time) error {
		before := now.Add(-time.Duration(a.cfg.Retention))
		p, err := st.Purge(ctx, before)
		if err != nil {
			return err
		}
		if p.Inquiries > 0 || p.Notes > 0 || p.Overrides > 0 {
			a.log.Info("purged old inquiries", "before", before.Format(time.DateOnly), "inquiries", p.Inquiries, "events", p.Events,
				"notes", p.Notes, "overrides", p.Overrides, "claims", p.Claims, "kept_open", p.KeptOpen)
		}
		return nil
	}}
}

// purgeFlags declares the flags of koban purge and returns what runs it.
// koban purge removes old inquiry text and Slack references by hand (the
// same as the retention setting does every few hours).
func purgeFlags(fs *flag.FlagSet, a *app) runner {
	before := fs.String("before", "", "purge inquiries created before this date (YYYY-MM-DD, in time_zone); required")
	return func(ctx context.Context, _ []string) error {
		if *before == "" {
			return koban.Errorf(koban.EInvalid, "purge: give --before YYYY-MM-DD")
		}
		loc, err := time.LoadLocation(a.cfg.TimeZone)
		if err != nil {
			return fmt.Errorf("purge: %w", err)
		}
		at, err := time.ParseInLocation(time.DateOnly, *before, loc)
		if err != nil {
			return koban.Errorf(koban.EInvalid, "purge: --before %q is not a date like 2026-01-31", *before)
		}
		if at.After(time.Now()) {
			return koban.Errorf(koban.EInvalid, "purge: --before %s is in the future", *before)
		}
		st, err := wireStore(ctx, a, false)
		if err != nil {
			return err
		}
		defer st.Close()
		p, err := st.Purge(ctx, at)
		if err != nil {
			return fmt.Errorf("purge: %w", err)
		}
		_, err = fmt.Fprintf(a.stdout, "purged %d inquiries created before %s (%d events, %d handoff notes, %d overrides, %d claims); kept %d still open\n",
			p.Inquiries, *before, p.Events, p.Notes, p.Overrides, p.Claims, p.KeptOpen)
		return err
	}
}
