package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/kobanhq/koban"
)

// The reads in this file serve the monthly report, which looks at a whole
// month (thousands of inquiries) at once: each reads it in one or two
// queries, never one per inquiry.

// ReportInquiries returns the inquiries created in [from, to), in no
// particular order, with only the fields a report reads: ID, Channel, Text,
// State, CreatedAt, FirstResponseAt, FirstHumanResponseAt, ResolvedAt,
// Predicted, Final, Domain, Assignee, Citations, Tokens and Rotation (whose
// reply target applies). The others are
// zero: use Inquiries for whole inquiries. Text is empty and Channel is
// "private" for private inquiries (DMs, private channels): reports and
// docs-gap topics are built from public questions only, and a report posted
// in a channel names no DM.
//
// It is Inquiries made lean for a month of tens of thousands of rows: a
// COUNT sizes the result, every row is scanned into one reused set of
// destinations, and timestamps are read in each driver's native form.
func (s *Store) ReportInquiries(ctx context.Context, from, to time.Time) ([]koban.Inquiry, error) {
	if !to.After(from) {
		return nil, koban.Errorf(koban.EInvalid, "report inquiries: want a period with a start before its end, got %v .. %v", from, to)
	}
	lo, hi := s.tsb(from), s.tsb(to)
	var n int
	if err := s.read().queryRow(ctx, `SELECT COUNT(*) FROM inquiries WHERE created_at >= $1 AND created_at < $2`, lo, hi).Scan(&n); err != nil {
		return nil, fmt.Errorf("report inquiries: %w", s.dbErr(err))
	}
	rows, err := s.read().query(ctx, `
		SELECT id, CASE WHEN private THEN 'private' ELSE channel END, CASE WHEN private THEN '' ELSE text END, state, created_at, first_response_at, first_human_response_at, resolved_at,
			predicted_category, predicted_detail, final_category, final_detail, domain, assignee, citations, tokens, rotation
		FROM inquiries WHERE created_at >= $1 AND created_at < $2`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("report inquiries: %w", s.dbErr(err))
	}
	defer rows.Close()
	// One set of destinations for every row. Named string types (State,
	// Category…) are scanned as plain strings, which database/sql assigns
	// without reflection; the timestamps go through the driver's own type
	// (an sql.Scanner costs pgx an allocation each).
	var (
		q         koban.Inquiry
		citations string
		str       [6]string // state, predicted and final category and detail, domain
		pgTimes   [4]pgtype.Timestamptz
		liteTimes [4]sql.NullInt64
		times     [4]any
	)
	for i := range times {
		if s.dialect == postgresDialect {
			times[i] = &pgTimes[i]
		} else {
			times[i] = &liteTimes[i]
		}
	}
	dest := []any{&q.ID, &q.Channel, &q.Text, &str[0], times[0], times[1], times[2], times[3],
		&str[1], &str[2], &str[3], &str[4], &str[5], &q.Assignee, &citations, &q.Tokens, &q.Rotation}
	out := make([]koban.Inquiry, 0, n)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("report inquiries: %w", err)
		}
		for i, t := range []*time.Time{&q.CreatedAt, &q.FirstResponseAt, &q.FirstHumanResponseAt, &q.ResolvedAt} {
			switch {
			case s.dialect == postgresDialect && pgTimes[i].Valid:
				*t = pgTimes[i].Time.UTC()
			case s.dialect != postgresDialect && liteTimes[i].Valid:
				*t = time.UnixMicro(liteTimes[i].Int64).UTC()
			default:
				*t = time.Time{}
			}
		}
		q.State, q.Domain = koban.State(str[0]), koban.Domain(str[5])
		q.Predicted = koban.Label{Category: koban.Category(str[1]), Detail: koban.Detail(str[2])}
		q.Final = koban.Label{Category: koban.Category(str[3]), Detail: koban.Detail(str[4])}
		q.Citations = nil
		if citations != "" && citations != "[]" {
			if err := decodeStrings(citations, &q.Citations); err != nil {
				return nil, fmt.Errorf("inquiry %d citations: %w", q.ID, err)
			}
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report inquiries: %w", s.dbErr(err))
	}
	return out, nil
}

// EventsOfInquiries returns the events of the inquiries created in [from,
// to), in one query and in no particular order (a month's events are
// hundreds of thousands of rows: sorting them would cost PostgreSQL a sort
// on disk that the report does not need). With kinds it returns only the
// events of those kinds.
func (s *Store) EventsOfInquiries(ctx context.Context, from, to time.Time, kinds ...koban.EventKind) ([]koban.Event, error) {
	if !to.After(from) {
		return nil, koban.Errorf(koban.EInvalid, "events of inquiries: want a period with a start before its end, got %v .. %v", from, to)
	}
	args := []any{s.tsb(from), s.tsb(to)}
	// CROSS JOIN makes SQLite loop over the inquiries (on the created_at
	// index) and find each one's events on the events index; left to
	// itself, it starts from the events of each kind and looks up every
	// one's inquiry. PostgreSQL plans a CROSS JOIN like any inner join.
	query := `
		SELECT e.id, e.inquiry_id, e.kind, e.actor, e.at, e.data
		FROM inquiries i CROSS JOIN events e
		WHERE e.inquiry_id = i.id AND i.created_at >= $1 AND i.created_at < $2`
	if len(kinds) > 0 {
		ph := make([]string, len(kinds))
		for i, k := range kinds {
			args = append(args, k)
			ph[i] = fmt.Sprintf("$%d", len(args))
		}
		query += ` AND e.kind IN (` + strings.Join(ph, ", ") + `)`
	}
	var (
		kind, data string
		pgAt       pgtype.Timestamptz // at is NOT NULL
		liteAt     int64
		at         any = &liteAt
	)
	if s.dialect == postgresDialect {
		at = &pgAt
	}
	return queryAll(ctx, s, s.read(), "events of inquiries", func(r row, ev *koban.Event) error {
		if err := r.Scan(&ev.ID, &ev.InquiryID, &kind, &ev.Actor, at, &data); err != nil {
			return err
		}
		ev.Kind, ev.At = koban.EventKind(kind), time.UnixMicro(liteAt).UTC()
		if s.dialect == postgresDialect {
			ev.At = pgAt.Time.UTC()
		}
		if data != "" && data != "{}" {
			if err := decodeStringMap(data, &ev.Data); err != nil {
				return fmt.Errorf("event %d data: %w", ev.ID, err)
			}
		}
		return nil
	}, query, args...)
}

// monthsPerQuery bounds the COUNT subqueries of one MonthlyVolumes statement.
const monthsPerQuery = 24

// MonthlyVolumes counts the inquiries created in [from, to) by calendar
// month in loc (nil is UTC), keyed "2006-01". Months without inquiries are
// absent.
//
// Month boundaries are computed here, in loc with its daylight saving
// (SQLite knows no time zones), and each month is a COUNT over the
// created_at index: no row of the table is read.
func (s *Store) MonthlyVolumes(ctx context.Context, from, to time.Time, loc *time.Location) (map[string]int, error) {
	if loc == nil {
		loc = time.UTC
	}
	if from.IsZero() || !to.After(from) {
		return nil, koban.Errorf(koban.EInvalid, "monthly volumes: want a period with a start before its end, got %v .. %v", from, to)
	}
	type month struct {
		key    string
		lo, hi time.Time
	}
	var months []month
	for start := monthStart(from.In(loc)); start.Before(to); start = start.AddDate(0, 1, 0) {
		m := month{key: start.Format("2006-01"), lo: start, hi: start.AddDate(0, 1, 0)}
		if m.lo.Before(from) {
			m.lo = from
		}
		if m.hi.After(to) {
			m.hi = to
		}
		months = append(months, m)
	}
	out := map[string]int{}
	for len(months) > 0 {
		batch := months[:min(len(months), monthsPerQuery)]
		months = months[len(batch):]
		sel := make([]string, len(batch))
		args := make([]any, 0, 2*len(batch))
		counts := make([]any, len(batch))
		ns := make([]int, len(batch))
		for i, m := range batch {
			args = append(args, s.tsb(m.lo), s.tsb(m.hi))
			sel[i] = fmt.Sprintf(`(SELECT COUNT(*) FROM inquiries WHERE created_at >= $%d AND created_at < $%d)`, 2*i+1, 2*i+2)
			counts[i] = &ns[i]
		}
		if err := s.read().queryRow(ctx, `SELECT `+strings.Join(sel, ", "), args...).Scan(counts...); err != nil {
			return nil, fmt.Errorf("monthly volumes: %w", s.dbErr(err))
		}
		for i, m := range batch {
			if ns[i] > 0 {
				out[m.key] += ns[i]
			}
		}
	}
	return out, nil
}

// decodeStrings decodes a JSON array of strings (a citations column) into
// out. The arrays koban writes hold plain paths, which it reads without
// reflection; anything else (escapes, other types, bad JSON) goes to
// encoding/json.
func decodeStrings(s string, out *[]string) error {
	l := jsonLexer{s: s}
	var v []string
	ok := l.skip('[')
	if ok && !l.skip(']') {
		for ok {
			var str string
			str, ok = l.str()
			v = append(v, str)
			if ok && l.skip(']') {
				break
			}
			ok = ok && l.skip(',')
		}
	}
	if !ok || !l.end() {
		return json.Unmarshal([]byte(s), out)
	}
	if v == nil {
		v = []string{}
	}
	*out = v
	return nil
}

// decodeStringMap decodes a JSON object of strings (an event's data) into
// out, like decodeStrings.
func decodeStringMap(s string, out *map[string]string) error {
	l := jsonLexer{s: s}
	m := map[string]string{}
	ok := l.skip('{')
	if ok && !l.skip('}') {
		for ok {
			var k, v string
			k, ok = l.str()
			ok = ok && l.skip(':')
			if ok {
				v, ok = l.str()
			}
			m[k] = v
			if ok && l.skip('}') {
				break
			}
			ok = ok && l.skip(',')
		}
	}
	if !ok || !l.end() {
		return json.Unmarshal([]byte(s), out)
	}
	*out = m
	return nil
}

// jsonLexer reads the plain subset of JSON that decodeStrings and
// decodeStringMap take: strings without escapes or control characters,
// punctuation and white space (PostgreSQL's jsonb puts spaces after ","
// and ":").
type jsonLexer struct {
	s string
	i int
}

func (l *jsonLexer) space() {
	for l.i < len(l.s) && (l.s[l.i] == ' ' || l.s[l.i] == '\t' || l.s[l.i] == '\n' || l.s[l.i] == '\r') {
		l.i++
	}
}

// skip consumes c, after white space, and reports whether it was there.
func (l *jsonLexer) skip(c byte) bool {
	l.space()
	if l.i < len(l.s) && l.s[l.i] == c {
		l.i++
		return true
	}
	return false
}

// str consumes a plain string; false means it is not one.
func (l *jsonLexer) str() (string, bool) {
	if !l.skip('"') {
		return "", false
	}
	start := l.i
	for ; l.i < len(l.s); l.i++ {
		switch c := l.s[l.i]; {
		case c == '"':
			v := l.s[start:l.i]
			l.i++
			return v, utf8.ValidString(v)
		case c == '\\' || c < 0x20:
			return "", false
		}
	}
	return "", false
}

// end reports whether only white space is left.
func (l *jsonLexer) end() bool {
	l.space()
	return l.i == len(l.s)
}

func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
}
