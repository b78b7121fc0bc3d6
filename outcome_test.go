package koban

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestOutcomeRoundTrip(t *testing.T) {
	by := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		kind  EventKind
		actor string
		o     Outcome
	}{
		{"answer", EventAnswered, ActorKoban, Outcome{
			Answer: Answer{Text: "Use the portal.", Known: true, Confidence: 0.82, Lang: "en", Citations: []Citation{{Path: "db.md", Title: "Databases"}}},
			Triage: Triage{Label: Label{Category: SelfSolvable, Detail: DetailAnswered}, Domain: "database", Decision: DecideAnswer},
			Past:   []PastAnswer{{InquiryID: 7, Question: "q", Answer: "a", AnsweredBy: "U1"}},
		}},
		{"answer from a procedure page", EventAnswered, ActorKoban, Outcome{
			Answer: Answer{Text: "Create it in the console.", Known: true, Confidence: 0.7, Lang: "en", Citations: []Citation{{Path: "how-to/create-a-topic.md"}}},
			Triage: Triage{Label: Label{Category: SelfSolvable}, Decision: DecideAnswer, Procedure: "how-to/create-a-topic.md"},
		}},
		{"escalation with suggestions", EventEscalated, ActorKoban, Outcome{
			Answer:     Answer{Lang: "ja", Confidence: 0.2, Pages: []Citation{{Path: "net.md"}}},
			Triage:     Triage{Label: Label{Category: PlatformOnly}, Domain: "network", Decision: DecideSuggest, Urgent: true},
			Escalation: Escalation{Rotation: "platform", OnCall: "UON", Channel: "CPLAT", Reason: "urgent", ReplyTarget: time.Hour, ReplyBy: by, BusinessHours: true},
			Urgent:     true,
			Suggest:    true,
		}},
		{"escalation a person asked for", EventEscalated, "UASKER", Outcome{
			Answer:     Answer{Lang: "en"},
			Triage:     Triage{Decision: DecideEscalate, Reasons: []Reason{Why("reason.docs_wrong"), {Text: "recorded in English only"}}},
			Escalation: Escalation{Group: "SGROUP", Reason: "the asker says the docs are wrong"},
			Feedback:   FeedbackDocsWrong,
			Note:       "the page is out of date",
			AskerLabel: Label{Category: DocsMissing},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := OutcomeEvent(tt.kind, tt.actor, tt.o)
			if ev.Kind != tt.kind || ev.Actor != tt.actor {
				t.Fatalf("event is %s by %s, want %s by %s", ev.Kind, ev.Actor, tt.kind, tt.actor)
			}
			got, err := ev.Outcome()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.o) {
				t.Errorf("decoded\n%+v\nwant\n%+v", got, tt.o)
			}
			if named := strings.Contains(ev.Data["triage"], `"Procedure"`); named != (tt.o.Triage.Procedure != "") {
				t.Errorf("triage recorded %s, want the procedure page recorded only when there is one", ev.Data["triage"])
			}
			_, hasConfidence := ev.Data["confidence"]
			if hasConfidence != (tt.o.Feedback == "") {
				t.Errorf("confidence recorded = %v, want it for koban's own decisions only", hasConfidence)
			}
		})
	}
}

// An escalated event as koban stored it before the outcome was typed: the
// same keys decode.
func TestOutcomeOfStoredEvent(t *testing.T) {
	ev := Event{ID: 3, Kind: EventEscalated, Actor: ActorKoban, Data: map[string]string{
		"answer":           `{"Text":"","Known":false,"Lang":"en","Pages":[{"Path":"a.md"}]}`,
		"triage":           `{"Label":{"Category":"docs-missing"},"Domain":"ci","Urgent":false}`,
		"confidence":       "0.310",
		"category":         "docs-missing",
		"domain":           "ci",
		"rotation":         "platform",
		"oncall":           "UON",
		"group":            "",
		"reason":           "the docs seem not to cover it",
		"rotation_channel": "CPLAT",
		"reply_target":     "4h0m0s",
		"reply_by":         "2026-03-02T10:00:00Z",
		"suggest":          "true",
		"past":             `[{"InquiryID":5,"AnsweredBy":"U2"}]`,
	}}
	got, err := ev.Outcome()
	if err != nil {
		t.Fatal(err)
	}
	want := Escalation{Rotation: "platform", OnCall: "UON", Channel: "CPLAT", Reason: "the docs seem not to cover it",
		ReplyTarget: 4 * time.Hour, ReplyBy: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	if !reflect.DeepEqual(got.Escalation, want) {
		t.Errorf("escalation = %+v, want %+v", got.Escalation, want)
	}
	if !got.Suggest || got.Urgent || len(got.Answer.Pages) != 1 || got.Triage.Domain != "ci" || got.Triage.Procedure != "" || len(got.Past) != 1 || got.Past[0].InquiryID != 5 {
		t.Errorf("outcome = %+v", got)
	}
	if past, err := ev.PastShown(); err != nil || len(past) != 1 || past[0].InquiryID != 5 || past[0].AnsweredBy != "U2" {
		t.Errorf("PastShown = %+v, %v; want the one past answer stored", past, err)
	}
}

func TestOutcomeRefusesOtherEventsAndBadData(t *testing.T) {
	for _, ev := range []Event{
		{Kind: EventResolved, Data: map[string]string{"category": "docs-missing"}},
		{Kind: EventAnswered, Data: map[string]string{"answer": "{not json"}},
	} {
		if _, err := ev.Outcome(); err == nil {
			t.Errorf("Outcome of %s %v: no error", ev.Kind, ev.Data)
		}
	}
}
