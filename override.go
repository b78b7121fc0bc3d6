package koban

import "time"

// OverrideKind says how an override came about.
type OverrideKind string

// The override kinds.
const (
	// OverrideCover: Person is on call in [From, To) instead of whoever the
	// rotation order says, e.g. while the scheduled person is at the dentist.
	OverrideCover OverrideKind = "cover"
	// OverrideSwap: one half of an exchange of two shifts; Person takes the
	// shift in [From, To) that Replaces had. A swap is stored as two
	// overrides.
	OverrideSwap OverrideKind = "swap"
)

// Override puts Person on call in a rotation in [From, To), whatever the
// rotation order says.
type Override struct {
	ID        int64
	Rotation  string
	Kind      OverrideKind
	Person    string // Slack user ID of who is on call instead
	Replaces  string // Slack user ID of who was scheduled; may be empty for a cover
	From, To  time.Time
	CreatedBy string // Slack user ID
	CreatedAt time.Time
}

// Overlaps reports whether o and [from, to) share an instant.
func (o Override) Overlaps(from, to time.Time) bool {
	return o.From.Before(to) && from.Before(o.To)
}

// HandoffNote is what an on-call leaves for the next shift of a rotation.
type HandoffNote struct {
	ID         int64
	Rotation   string
	Author     string // Slack user ID
	Text       string
	CreatedAt  time.Time
	ConsumedAt time.Time // when a handoff digest included it; zero until then
}
