package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kobanhq/koban"
)

// AddOverride stores an override and returns its id. An override that
// overlaps another of the same rotation gives EConflict; a bad one EInvalid.
func (s *Store) AddOverride(ctx context.Context, o koban.Override) (int64, error) {
	switch {
	case o.Rotation == "" || o.Person == "":
		return 0, koban.Errorf(koban.EInvalid, "an override needs a rotation and a person")
	case !o.To.After(o.From):
		return 0, koban.Errorf(koban.EInvalid, "an override must end after it starts (%s .. %s)", o.From.UTC().Format(time.RFC3339), o.To.UTC().Format(time.RFC3339))
	case o.Kind == "":
		o.Kind = koban.OverrideCover
	case o.Kind != koban.OverrideCover && o.Kind != koban.OverrideSwap:
		return 0, koban.Errorf(koban.EInvalid, "override kind %q: want cover or swap", o.Kind)
	}
	if o.Kind == koban.OverrideSwap && o.Replaces == "" {
		return 0, koban.Errorf(koban.EInvalid, "a swap needs the person it replaces")
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = s.now()
	}
	var id int64
	err := s.inTx(ctx, func(q querier) error {
		if s.dialect == postgresDialect {
			// Serialise overrides of one rotation so that two overlapping
			// ones cannot both pass the check below.
			if _, err := q.exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('koban.oncall_overrides.' || $1))`, o.Rotation); err != nil {
				return err
			}
		}
		var other koban.Override
		err := q.queryRow(ctx, `
			SELECT id, starts_at, ends_at FROM oncall_overrides
			WHERE rotation = $1 AND starts_at < $3 AND ends_at > $2
			ORDER BY starts_at LIMIT 1`, o.Rotation, s.tsb(o.From), s.tsb(o.To)).
			Scan(&other.ID, dbTime{&other.From}, dbTime{&other.To})
		switch {
		case err == nil:
			return koban.Say(koban.EConflict, "oncall.error.override_clash", map[string]any{"Rotation": o.Rotation, "ID": other.ID,
				"From": other.From.Format(time.RFC3339), "To": other.To.Format(time.RFC3339)})
		case !isNoRows(err):
			return err
		}
		return q.queryRow(ctx, `
			INSERT INTO oncall_overrides (rotation, person, replaces, starts_at, ends_at, created_by, created_at, kind)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			o.Rotation, o.Person, nullIfEmpty(o.Replaces), s.ts(o.From), s.ts(o.To), o.CreatedBy, s.ts(o.CreatedAt), o.Kind).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("add override to %s: %w", o.Rotation, s.dbErr(err))
	}
	return id, nil
}

// Overrides returns the overrides of a rotation that overlap [from, to),
// by start time.
func (s *Store) Overrides(ctx context.Context, rotation string, from, to time.Time) ([]koban.Override, error) {
	return queryAll(ctx, s, s.read(), "overrides of "+rotation, func(r row, o *koban.Override) error {
		return r.Scan(&o.ID, &o.Rotation, &o.Person, &o.Replaces, dbTime{&o.From}, dbTime{&o.To}, &o.CreatedBy, dbTime{&o.CreatedAt}, &o.Kind)
	}, `
		SELECT id, rotation, person, COALESCE(replaces, ''), starts_at, ends_at, created_by, created_at, kind
		FROM oncall_overrides
		WHERE rotation = $1 AND starts_at < $3 AND ends_at > $2
		ORDER BY starts_at, id`, rotation, s.tsb(from), s.tsb(to))
}

// DeleteOverride removes an override, or gives ENotFound.
func (s *Store) DeleteOverride(ctx context.Context, id int64) error {
	n, err := s.write().exec(ctx, `DELETE FROM oncall_overrides WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete override %d: %w", id, s.dbErr(err))
	}
	if n == 0 {
		return koban.Say(koban.ENotFound, "oncall.error.no_override", map[string]any{"ID": id})
	}
	return nil
}

// AddHandoffNote stores a note (CreatedAt now unless set) and returns its id.
func (s *Store) AddHandoffNote(ctx context.Context, n koban.HandoffNote) (int64, error) {
	if n.Rotation == "" || n.Text == "" {
		return 0, koban.Errorf(koban.EInvalid, "a handoff note needs a rotation and some text")
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = s.now()
	}
	var id int64
	err := s.write().queryRow(ctx, `
		INSERT INTO handoff_notes (rotation, author, text, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		n.Rotation, n.Author, n.Text, s.ts(n.CreatedAt)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add handoff note to %s: %w", n.Rotation, s.dbErr(err))
	}
	return id, nil
}

// HandoffNotes returns the notes of a rotation written at or after since,
// oldest first.
func (s *Store) HandoffNotes(ctx context.Context, rotation string, since time.Time) ([]koban.HandoffNote, error) {
	return queryAll(ctx, s, s.read(), "handoff notes of "+rotation, func(r row, n *koban.HandoffNote) error {
		return r.Scan(&n.ID, &n.Rotation, &n.Author, &n.Text, dbTime{&n.CreatedAt}, dbTime{&n.ConsumedAt})
	}, `
		SELECT id, rotation, author, text, created_at, consumed_at FROM handoff_notes
		WHERE rotation = $1 AND created_at >= $2 ORDER BY created_at, id`, rotation, s.tsb(since))
}

// ConsumeHandoffNotes marks the notes with the given ids as included in a
// handoff digest at time at.
func (s *Store) ConsumeHandoffNotes(ctx context.Context, at time.Time, ids ...int64) error {
	err := s.inTx(ctx, func(q querier) error {
		for _, id := range ids {
			n, err := q.exec(ctx, `UPDATE handoff_notes SET consumed_at = $2 WHERE id = $1 AND consumed_at IS NULL`, id, s.ts(at))
			if err != nil {
				return err
			}
			if n == 0 {
				var one int
				if err := q.queryRow(ctx, `SELECT 1 FROM handoff_notes WHERE id = $1`, id).Scan(&one); isNoRows(err) {
					return koban.Errorf(koban.ENotFound, "no handoff note %d", id)
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("consume handoff notes: %w", s.dbErr(err))
	}
	return nil
}

// ResolvedInquiries returns the inquiries routed to rotation that were last
// resolved in [from, to), newest first, as many as Inquiries returns by
// default: the handoff digest's "resolved this shift".
func (s *Store) ResolvedInquiries(ctx context.Context, rotation string, from, to time.Time) ([]koban.Inquiry, error) {
	return s.Inquiries(ctx, Filter{States: []koban.State{koban.StateResolved}, Rotation: rotation, ResolvedFrom: from, ResolvedTo: to})
}
