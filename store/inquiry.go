package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kobanhq/koban"
)

// inquiryColumns lists the inquiries columns in the order scanInquiry reads them.
const inquiryColumns = `id, COALESCE(message_key, ''), private, source, COALESCE(event_id, ''), team, channel, thread_ts, message_ts, asked_by,
	text, lang, redactions, state, created_at, updated_at, first_response_at, first_human_response_at, resolved_at,
	predicted_category, predicted_detail, confidence, final_category, final_detail, domain, assignee, rotation,
	citations, tokens, failure, urgent, COALESCE(permalink, '')`

func scanInquiry(r row, inq *koban.Inquiry) error {
	var citations string
	err := r.Scan(&inq.ID, &inq.MessageKey, &inq.Private, &inq.Source, &inq.EventID, &inq.Team, &inq.Channel, &inq.ThreadTS, &inq.MessageTS, &inq.AskedBy,
		&inq.Text, &inq.Lang, &inq.Redactions, &inq.State,
		dbTime{&inq.CreatedAt}, dbTime{&inq.UpdatedAt}, dbTime{&inq.FirstResponseAt}, dbTime{&inq.FirstHumanResponseAt}, dbTime{&inq.ResolvedAt},
		&inq.Predicted.Category, &inq.Predicted.Detail, &inq.Confidence, &inq.Final.Category, &inq.Final.Detail,
		&inq.Domain, &inq.Assignee, &inq.Rotation, &citations, &inq.Tokens, &inq.Failure, &inq.Urgent, &inq.Permalink)
	if err != nil {
		return err
	}
	if citations != "" && citations != "[]" {
		if err := json.Unmarshal([]byte(citations), &inq.Citations); err != nil {
			return fmt.Errorf("inquiry %d citations: %w", inq.ID, err)
		}
	}
	return nil
}

func citationsJSON(c []string) string {
	if len(c) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(c) // a []string always marshals
	return string(b)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func validateInquiry(inq *koban.Inquiry) error {
	if !inq.Predicted.IsZero() {
		if err := inq.Predicted.Validate(); err != nil {
			return err
		}
	}
	if !inq.Final.IsZero() {
		if err := inq.Final.Validate(); err != nil {
			return err
		}
	}
	if inq.Confidence < 0 || inq.Confidence > 1 {
		return koban.Errorf(koban.EInvalid, "confidence %v is outside [0,1]", inq.Confidence)
	}
	return nil
}

// CreateInquiry stores a new inquiry with its "received" event and enqueues
// the job that processes it, all in one transaction. When EventID or
// MessageKey is set and an inquiry with that event id or message exists
// (Slack delivered the event again, perhaps under another event id), it
// inserts nothing, fills inq with the stored inquiry and returns false.
//
// ID, State (received unless set), CreatedAt (now unless set) and UpdatedAt
// are filled in.
func (s *Store) CreateInquiry(ctx context.Context, inq *koban.Inquiry) (created bool, err error) {
	if inq.State == "" {
		inq.State = koban.StateReceived
	}
	if err := validateInquiry(inq); err != nil {
		return false, err
	}
	if inq.CreatedAt.IsZero() {
		inq.CreatedAt = s.now()
	}
	inq.CreatedAt = utc(inq.CreatedAt)
	inq.UpdatedAt = inq.CreatedAt
	inq.FirstResponseAt, inq.FirstHumanResponseAt, inq.ResolvedAt = utc(inq.FirstResponseAt), utc(inq.FirstHumanResponseAt), utc(inq.ResolvedAt)
	err = s.inTx(ctx, func(q querier) error {
		var id int64
		err := q.queryRow(ctx, `
			INSERT INTO inquiries (message_key, private, source, event_id, team, channel, thread_ts, message_ts, asked_by,
				text, lang, redactions, state, created_at, updated_at, first_response_at, first_human_response_at, resolved_at,
				predicted_category, predicted_detail, confidence, final_category, final_detail, domain, assignee, rotation,
				citations, tokens, failure, urgent, permalink)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31)
			ON CONFLICT DO NOTHING
			RETURNING id`,
			nullIfEmpty(inq.MessageKey), inq.Private, inq.Source, nullIfEmpty(inq.EventID), inq.Team, inq.Channel, inq.ThreadTS, inq.MessageTS, inq.AskedBy,
			inq.Text, inq.Lang, inq.Redactions, inq.State, s.ts(inq.CreatedAt), s.ts(inq.UpdatedAt),
			s.ts(inq.FirstResponseAt), s.ts(inq.FirstHumanResponseAt), s.ts(inq.ResolvedAt),
			inq.Predicted.Category, inq.Predicted.Detail, inq.Confidence, inq.Final.Category, inq.Final.Detail,
			inq.Domain, inq.Assignee, inq.Rotation, citationsJSON(inq.Citations), inq.Tokens, inq.Failure, inq.Urgent,
			nullIfEmpty(inq.Permalink),
		).Scan(&id)
		if isNoRows(err) {
			// A duplicate delivery: the event id or the message is taken.
			stored, err := scanOne(q.queryRow(ctx, `SELECT `+inquiryColumns+` FROM inquiries
				WHERE event_id = $1 OR message_key = $2 ORDER BY id LIMIT 1`, nullIfEmpty(inq.EventID), nullIfEmpty(inq.MessageKey)), scanInquiry)
			if err != nil {
				return fmt.Errorf("inquiry with event %s or message %s: %w", inq.EventID, inq.MessageKey, err)
			}
			*inq = *stored
			return nil
		}
		if err != nil {
			return err
		}
		inq.ID, created = id, true
		ev := koban.Event{InquiryID: id, Kind: koban.EventReceived, Actor: inq.AskedBy, At: inq.CreatedAt,
			Data: map[string]string{"source": string(inq.Source)}}
		if err := s.appendEvent(ctx, q, &ev); err != nil {
			return err
		}
		return s.jobs.insertInquiryJob(ctx, q, id)
	})
	if err != nil {
		created = false
		return false, fmt.Errorf("create inquiry: %w", s.dbErr(err))
	}
	return created, nil
}

// Inquiry returns the inquiry with the given id, or ENotFound.
func (s *Store) Inquiry(ctx context.Context, id int64) (*koban.Inquiry, error) {
	inq, err := s.getInquiry(ctx, s.read(), id, false)
	if err != nil {
		return nil, fmt.Errorf("inquiry %d: %w", id, err)
	}
	return inq, nil
}

func (s *Store) getInquiry(ctx context.Context, q querier, id int64, forUpdate bool) (*koban.Inquiry, error) {
	query := `SELECT ` + inquiryColumns + ` FROM inquiries WHERE id = $1`
	if forUpdate && s.dialect == postgresDialect {
		// SQLite needs no row lock: the write transaction (BEGIN IMMEDIATE)
		// already excludes other writers.
		query += ` FOR UPDATE`
	}
	inq, err := scanOne(q.queryRow(ctx, query, id), scanInquiry)
	if isNoRows(err) {
		return nil, noInquiry(id)
	}
	return inq, s.dbErr(err)
}

// noInquiry is the error for an unknown inquiry id.
func noInquiry(id int64) error {
	return koban.Say(koban.ENotFound, "error.no_inquiry", map[string]any{"ID": id})
}

// InquiryByThread returns the most recent inquiry of a conversation, or ENotFound.
func (s *Store) InquiryByThread(ctx context.Context, channel, threadTS string) (*koban.Inquiry, error) {
	inq, err := scanOne(s.read().queryRow(ctx, `
		SELECT `+inquiryColumns+` FROM inquiries
		WHERE channel = $1 AND thread_ts = $2
		ORDER BY created_at DESC, id DESC LIMIT 1`, channel, threadTS), scanInquiry)
	if isNoRows(err) {
		return nil, koban.Errorf(koban.ENotFound, "no inquiry in thread %s of channel %s", threadTS, channel)
	}
	if err != nil {
		return nil, fmt.Errorf("inquiry by thread %s/%s: %w", channel, threadTS, s.dbErr(err))
	}
	return inq, nil
}

// Transition moves an inquiry to state to and records ev, in one
// transaction: it locks the row, checks the move (koban.CheckTransition),
// applies update (nil for none) to set fields, sets UpdatedAt and the
// lifecycle timestamps that follow from to, saves, and appends ev (Kind
// required; InquiryID filled in, At now unless set, Actor koban unless set).
//
// update runs inside the transaction: it must not call the store.
func (s *Store) Transition(ctx context.Context, id int64, to koban.State, ev koban.Event, update func(*koban.Inquiry)) (*koban.Inquiry, error) {
	inq, err := s.change(ctx, id, &to, ev, update)
	if err != nil {
		return nil, fmt.Errorf("inquiry %d to %s: %w", id, to, err)
	}
	return inq, nil
}

// Update changes an inquiry without changing its state (a relabel, feedback,
// a human reply, a delivery failure, tokens spent) and records ev, like
// Transition. A human-replied event sets FirstHumanResponseAt when unset.
func (s *Store) Update(ctx context.Context, id int64, ev koban.Event, update func(*koban.Inquiry)) (*koban.Inquiry, error) {
	inq, err := s.change(ctx, id, nil, ev, update)
	if err != nil {
		return nil, fmt.Errorf("update inquiry %d: %w", id, err)
	}
	return inq, nil
}

func (s *Store) change(ctx context.Context, id int64, to *koban.State, ev koban.Event, update func(*koban.Inquiry)) (*koban.Inquiry, error) {
	if ev.Kind == "" {
		return nil, koban.Errorf(koban.EInvalid, "event kind is required")
	}
	var out *koban.Inquiry
	err := s.inTx(ctx, func(q querier) error {
		inq, err := s.getInquiry(ctx, q, id, true)
		if err != nil {
			return err
		}
		if to != nil {
			if err := koban.CheckTransition(id, inq.State, *to); err != nil {
				return err
			}
		}
		now := utc(s.now())
		if ev.At.IsZero() {
			ev.At = now
		}
		ev.At = utc(ev.At)
		if update != nil {
			keep := *inq
			update(inq)
			// Identity, state and history are the store's to set.
			inq.ID, inq.State, inq.EventID, inq.CreatedAt = keep.ID, keep.State, keep.EventID, keep.CreatedAt
		}
		if err := validateInquiry(inq); err != nil {
			return err
		}
		if to != nil {
			inq.State = *to
			switch *to {
			case koban.StateAnswered, koban.StateEscalated:
				if inq.FirstResponseAt.IsZero() {
					inq.FirstResponseAt = ev.At
				}
			case koban.StateAcknowledged:
				if inq.FirstHumanResponseAt.IsZero() {
					inq.FirstHumanResponseAt = ev.At
				}
			case koban.StateResolved:
				inq.ResolvedAt = ev.At
			}
		}
		if ev.Kind == koban.EventHumanReplied && inq.FirstHumanResponseAt.IsZero() {
			inq.FirstHumanResponseAt = ev.At
		}
		inq.UpdatedAt = now
		inq.FirstResponseAt, inq.FirstHumanResponseAt, inq.ResolvedAt = utc(inq.FirstResponseAt), utc(inq.FirstHumanResponseAt), utc(inq.ResolvedAt)
		if _, err := q.exec(ctx, `
			UPDATE inquiries SET source = $2, team = $3, channel = $4, thread_ts = $5, message_ts = $6, asked_by = $7,
				text = $8, lang = $9, redactions = $10, state = $11, updated_at = $12,
				first_response_at = $13, first_human_response_at = $14, resolved_at = $15,
				predicted_category = $16, predicted_detail = $17, confidence = $18, final_category = $19, final_detail = $20,
				domain = $21, assignee = $22, rotation = $23, citations = $24, tokens = $25, failure = $26, urgent = $27,
				permalink = $28
			WHERE id = $1`,
			id, inq.Source, inq.Team, inq.Channel, inq.ThreadTS, inq.MessageTS, inq.AskedBy,
			inq.Text, inq.Lang, inq.Redactions, inq.State, s.ts(inq.UpdatedAt),
			s.ts(inq.FirstResponseAt), s.ts(inq.FirstHumanResponseAt), s.ts(inq.ResolvedAt),
			inq.Predicted.Category, inq.Predicted.Detail, inq.Confidence, inq.Final.Category, inq.Final.Detail,
			inq.Domain, inq.Assignee, inq.Rotation, citationsJSON(inq.Citations), inq.Tokens, inq.Failure, inq.Urgent,
			nullIfEmpty(inq.Permalink),
		); err != nil {
			return s.dbErr(err)
		}
		ev.InquiryID = id
		if err := s.appendEvent(ctx, q, &ev); err != nil {
			return err
		}
		out = inq
		return nil
	})
	return out, err
}

// AppendEvent records an event of an existing inquiry (At now unless set,
// Actor koban unless set). An unknown inquiry gives ENotFound.
func (s *Store) AppendEvent(ctx context.Context, ev koban.Event) error {
	if ev.Kind == "" {
		return koban.Errorf(koban.EInvalid, "append event: event kind is required")
	}
	err := s.inTx(ctx, func(q querier) error {
		if err := inquiryExists(ctx, q, ev.InquiryID); err != nil {
			return err
		}
		return s.appendEvent(ctx, q, &ev)
	})
	if err != nil {
		return fmt.Errorf("append %s event to inquiry %d: %w", ev.Kind, ev.InquiryID, s.dbErr(err))
	}
	return nil
}

// inquiryExists returns ENotFound for an unknown inquiry.
func inquiryExists(ctx context.Context, q querier, id int64) error {
	var one int
	err := q.queryRow(ctx, `SELECT 1 FROM inquiries WHERE id = $1`, id).Scan(&one)
	if isNoRows(err) {
		return noInquiry(id)
	}
	return err
}

func (s *Store) appendEvent(ctx context.Context, q querier, ev *koban.Event) error {
	if ev.At.IsZero() {
		ev.At = s.now()
	}
	ev.At = utc(ev.At)
	if ev.Actor == "" {
		ev.Actor = koban.ActorKoban
	}
	data := []byte("{}")
	if len(ev.Data) > 0 {
		var err error
		if data, err = json.Marshal(ev.Data); err != nil {
			return err
		}
	}
	return q.queryRow(ctx, `INSERT INTO events (inquiry_id, kind, actor, at, data) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		ev.InquiryID, ev.Kind, ev.Actor, s.ts(ev.At), string(data)).Scan(&ev.ID)
}

// Events returns an inquiry's events ordered by time, then id. An inquiry
// without events (or no inquiry) gives an empty list.
func (s *Store) Events(ctx context.Context, inquiryID int64) ([]koban.Event, error) {
	return queryAll(ctx, s, s.read(), fmt.Sprintf("events of inquiry %d", inquiryID), scanEvent, `
		SELECT id, inquiry_id, kind, actor, at, data FROM events
		WHERE inquiry_id = $1 ORDER BY at, id`, inquiryID)
}

func scanEvent(r row, ev *koban.Event) error {
	var data string
	if err := r.Scan(&ev.ID, &ev.InquiryID, &ev.Kind, &ev.Actor, dbTime{&ev.At}, &data); err != nil {
		return err
	}
	if data != "" && data != "{}" {
		if err := json.Unmarshal([]byte(data), &ev.Data); err != nil {
			return fmt.Errorf("event %d data: %w", ev.ID, err)
		}
	}
	return nil
}

// Filter selects inquiries. Zero fields select everything.
type Filter struct {
	States   []koban.State
	Category koban.Category // the reported label's category: the human's, else koban's
	Domain   koban.Domain
	Channel  string
	AskedBy  string
	Assignee string
	Rotation string
	From, To time.Time // created in [From, To)
	// ResolvedFrom and ResolvedTo select inquiries last resolved in
	// [ResolvedFrom, ResolvedTo); either one excludes unresolved inquiries.
	ResolvedFrom, ResolvedTo time.Time
	// Text selects inquiries whose question contains every word of it
	// (see SearchTerms: "quoted phrases" stay together, -word excludes).
	// PostgreSQL matches whole words through its full-text index, except
	// for Japanese and Chinese text, which has no spaces between words and
	// is matched as a substring, as SQLite matches every term.
	Text   string
	Limit  int // default 100
	Offset int
}

// Inquiries returns the inquiries that match f, newest first.
func (s *Store) Inquiries(ctx context.Context, f Filter) ([]koban.Inquiry, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if len(f.States) > 0 {
		var ph []string
		for _, st := range f.States {
			ph = append(ph, arg(st))
		}
		where = append(where, "state IN ("+strings.Join(ph, ", ")+")")
	}
	if f.Category != "" {
		where = append(where, "(CASE WHEN final_category <> '' THEN final_category ELSE predicted_category END) = "+arg(f.Category))
	}
	for _, c := range []struct{ col, v string }{{"domain", string(f.Domain)}, {"channel", f.Channel}, {"asked_by", f.AskedBy}, {"assignee", f.Assignee}, {"rotation", f.Rotation}} {
		if c.v != "" {
			where = append(where, c.col+" = "+arg(c.v))
		}
	}
	if !f.From.IsZero() {
		where = append(where, "created_at >= "+arg(s.tsb(f.From)))
	}
	if !f.To.IsZero() {
		where = append(where, "created_at < "+arg(s.tsb(f.To)))
	}
	if !f.ResolvedFrom.IsZero() || !f.ResolvedTo.IsZero() {
		where = append(where, "resolved_at IS NOT NULL")
	}
	if !f.ResolvedFrom.IsZero() {
		where = append(where, "resolved_at >= "+arg(s.tsb(f.ResolvedFrom)))
	}
	if !f.ResolvedTo.IsZero() {
		where = append(where, "resolved_at < "+arg(s.tsb(f.ResolvedTo)))
	}
	if f.Text != "" {
		where = append(where, s.textMatch(f.Text, arg)...)
	}
	query := `SELECT ` + inquiryColumns + ` FROM inquiries`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	query += " ORDER BY created_at DESC, id DESC LIMIT " + arg(limit) + " OFFSET " + arg(max(f.Offset, 0))
	return queryAll(ctx, s, s.read(), "inquiries", scanInquiry, query, args...)
}

// OpenInquiries returns the inquiries not resolved, oldest first.
func (s *Store) OpenInquiries(ctx context.Context) ([]koban.Inquiry, error) {
	return queryAll(ctx, s, s.read(), "open inquiries", scanInquiry,
		`SELECT `+inquiryColumns+` FROM inquiries WHERE state <> $1 ORDER BY created_at, id`, koban.StateResolved)
}

// Labelled returns up to limit inquiries a human labelled, most recently
// updated first: the examples triage learns from.
func (s *Store) Labelled(ctx context.Context, limit int) ([]koban.Inquiry, error) {
	if limit <= 0 {
		limit = 100
	}
	return queryAll(ctx, s, s.read(), "labelled inquiries", scanInquiry,
		`SELECT `+inquiryColumns+` FROM inquiries WHERE final_category <> '' ORDER BY updated_at DESC, id DESC LIMIT $1`, limit)
}
