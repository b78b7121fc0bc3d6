package desk

import (
	"context"
	"regexp"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/i18n"
)

// act moves an inquiry for a person's action (a button, a modal, the web).
// When the move is illegal because the inquiry has moved on (someone else
// acknowledged it first, it is resolved already), the EConflict error says
// so in people's words instead of the state machine's.
func (d *Desk) act(ctx context.Context, id int64, to koban.State, ev koban.Event, update func(*koban.Inquiry)) (*koban.Inquiry, error) {
	inq, err := d.Store.Transition(ctx, id, to, ev, update)
	if err == nil || koban.ErrorCode(err) != koban.EConflict {
		return inq, err
	}
	cur, gerr := d.Store.Inquiry(ctx, id)
	if gerr != nil || koban.CanTransition(cur.State, to) {
		return nil, err
	}
	events, gerr := d.Store.Events(ctx, id)
	if gerr != nil {
		events = nil // the words without who
	}
	return nil, conflictError(cur, to, lastActor(events, cur.State))
}

// slackUser matches a Slack user ID.
var slackUser = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// stateEvent is the event kind that puts an inquiry in a state.
var stateEvent = map[koban.State]koban.EventKind{
	koban.StateAnswered:     koban.EventAnswered,
	koban.StateEscalated:    koban.EventEscalated,
	koban.StateAcknowledged: koban.EventAcknowledged,
	koban.StateResolved:     koban.EventResolved,
	koban.StateReopened:     koban.EventReopened,
}

// lastActor returns who last put the inquiry in state (a Slack user ID,
// koban, or "" when unknown).
func lastActor(events []koban.Event, state koban.State) string {
	kind, ok := stateEvent[state]
	for i := len(events) - 1; ok && i >= 0; i-- {
		if k := events[i].Kind; k == kind || (state == koban.StateResolved && k == koban.EventAutoClosed) {
			return events[i].Actor
		}
	}
	return ""
}

// conflictError is the EConflict error that says in words why a person's
// action on inq cannot move it to state to: where it is now and, when
// known, who put it there (by, a Slack user ID, shown as a mention). Its
// words are the catalogue's "conflict." messages, in the reader's language.
func conflictError(inq *koban.Inquiry, to koban.State, by string) *koban.Error {
	var who any = ""
	switch {
	case slackUser.MatchString(by):
		who = i18n.Message{ID: "conflict.by_person", Data: i18n.Pairs("Who", by)}
	case by != "":
		who = i18n.Message{ID: "conflict.by_other", Data: i18n.Pairs("Who", by)} // koban, or the web's identity
	}
	id := "conflict.moved_on"
	switch inq.State {
	case koban.StateResolved:
		id = "conflict.resolved"
	case koban.StateAcknowledged:
		id = "conflict.with_person"
		if to == koban.StateAcknowledged {
			id = "conflict.acknowledged"
		}
	case koban.StateEscalated:
		id = "conflict.escalated"
	case koban.StateReceived, koban.StateAnswered, koban.StateReopened:
		if to == koban.StateAcknowledged {
			id = "conflict.not_escalated"
		}
	}
	return koban.Say(koban.EConflict, id, i18n.Pairs("ID", inq.ID, "By", who,
		"State", i18n.Message{ID: "state." + string(inq.State)}))
}
