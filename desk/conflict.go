package desk

import (
	"context"
	"fmt"
	"regexp"

	"github.com/kobanhq/koban"
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
	return nil, koban.Errorf(koban.EConflict, "%s", ConflictMessage(cur, to, lastActor(events, cur.State)))
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

// ConflictMessage says in words why a person's action on inq cannot move it
// to state to: where it is now and, when known, who put it there (by, a
// Slack user ID, shown as a mention).
func ConflictMessage(inq *koban.Inquiry, to koban.State, by string) string {
	who := ""
	switch {
	case slackUser.MatchString(by):
		who = " by <@" + by + ">"
	case by != "":
		who = " by " + by // koban, or the web's identity
	}
	switch inq.State {
	case koban.StateResolved:
		return fmt.Sprintf("This inquiry (#%d) is already resolved%s.", inq.ID, who)
	case koban.StateAcknowledged:
		if to == koban.StateAcknowledged {
			return fmt.Sprintf("Already acknowledged%s.", who)
		}
		return fmt.Sprintf("Inquiry #%d is already with a person: acknowledged%s.", inq.ID, who)
	case koban.StateEscalated:
		return fmt.Sprintf("Inquiry #%d is already with the on-call, waiting for someone to acknowledge it.", inq.ID)
	case koban.StateReceived, koban.StateAnswered, koban.StateReopened:
		if to == koban.StateAcknowledged {
			return fmt.Sprintf("Inquiry #%d has not been brought to the on-call, so there is nothing to acknowledge. Use *I need a human* to bring them in.", inq.ID)
		}
	}
	return fmt.Sprintf("Inquiry #%d has moved on (it is %s now); reload it to see where it stands.", inq.ID, inq.State)
}
