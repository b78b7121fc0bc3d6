package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/i18n"
	"github.com/kobanhq/koban/oncall"
)

// localeUser returns a Slack user whose users.info carries locale ("" for
// none).
func localeUser(id, name, locale string) map[string]any {
	u := slackUser(id, name, name, name)
	if locale != "" {
		u["locale"] = locale
	}
	return u
}

// TestPersonalSurfacesFollowLocale checks that what koban tells one person
// alone (/koban help, /koban status, errors, App Home) is in their Slack
// locale, and in the team's language when Slack has none for them.
func TestPersonalSurfacesFollowLocale(t *testing.T) {
	const (
		jaUser = "UHANAKO"
		enUser = "UERIN"
		noUser = "UNOLOCALE"
	)
	tests := []struct {
		team, user string
		want       map[string]string // command → words the reply holds
	}{
		{"", jaUser, map[string]string{
			"help":   "プラットフォームに関する質問にドキュメントから回答し",
			"status": "未解決の問い合わせ 0 件",
			"stauts": "/koban stauts というコマンドはありません。/koban help をお試しください。",
			"ask":    "コマンドの後に質問を書いてください。",
		}},
		{"ja", enUser, map[string]string{
			"help":   "answers platform questions from the docs",
			"status": "0 open inquiries",
			"stauts": "I don't know /koban stauts. Try /koban help.",
		}},
		{"", noUser, map[string]string{"help": "answers platform questions from the docs"}},
		{"ja", noUser, map[string]string{
			"help":   "プラットフォームに関する質問にドキュメントから回答し",
			"stauts": "というコマンドはありません",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.team+"/"+tt.user, func(t *testing.T) {
			h := newHarness(t, harnessOpts{language: tt.team})
			h.slack.users = []map[string]any{localeUser(jaUser, "hanako", "ja-JP"), localeUser(enUser, "erin", "en-US"), localeUser(noUser, "nolocale", "")}
			for cmd, want := range tt.want {
				got := replyText(t, slashCommand(t, h.h, tt.user, helpChannel, cmd).Body.Bytes())
				if !strings.Contains(got, want) {
					t.Errorf("/koban %s by %s (team %q) = %s, want %q in it", cmd, tt.user, tt.team, got, want)
				}
			}
		})
	}
}

// TestHomeFollowsLocale publishes App Home for a person whose Slack locale
// is Japanese and for one whose locale is English.
func TestHomeFollowsLocale(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.slack.users = []map[string]any{localeUser("UHANAKO", "hanako", "ja-JP"), localeUser("UERIN", "erin", "en-US")}
	for user, want := range map[string]string{"UHANAKO": "*現在のオンコール*", "UERIN": "*On call now*"} {
		if err := h.bot.publishHome(context.Background(), user); err != nil {
			t.Fatal(err)
		}
		calls := h.slack.called("views.publish")
		last, err := json.Marshal(calls[len(calls)-1].JSON)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(last), want) {
			t.Errorf("App Home of %s = %s, want %q in it", user, last, want)
		}
	}
}

// TestLocaleIsCachedWithTheName checks that the locale comes with the name
// (one users.info a day per person), and from the member list too.
func TestLocaleIsCachedWithTheName(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.slack.users = []map[string]any{localeUser("UHANAKO", "hanako", "ja-JP"), localeUser("UERIN", "erin", "en-US")}
	ctx := context.Background()
	for range 3 {
		if got := h.bot.langOf(ctx, "UHANAKO"); got != "ja" {
			t.Fatalf("langOf(UHANAKO) = %q, want ja", got)
		}
	}
	if n := len(h.slack.called("users.info")); n != 1 {
		t.Errorf("users.info called %d times for one person, want 1", n)
	}
	if name := h.bot.PersonName(ctx, "UHANAKO"); name != "hanako" {
		t.Errorf("PersonName = %q, want hanako", name)
	}
	if _, err := h.bot.LookupName(ctx, "erin"); err != nil { // lists the members, with their locales
		t.Fatal(err)
	}
	if got := h.bot.langOf(ctx, "UERIN"); got != "en" {
		t.Errorf("langOf(UERIN) = %q, want en", got)
	}
	if n := len(h.slack.called("users.info")); n != 1 {
		t.Errorf("users.info called %d times, want the member list to have told UERIN's locale", n)
	}
	for _, c := range h.slack.called("users.list") {
		if c.Form.Get("include_locale") != "true" {
			t.Errorf("users.list without include_locale: %v", c.Form)
		}
	}
}

// TestOnCallCommandsFollowLocale runs /koban oncall as a person whose
// Slack locale is Japanese: replies, mistakes and refusals are Japanese,
// with the same commands and examples.
func TestOnCallCommandsFollowLocale(t *testing.T) {
	h := onCallHarness(t)
	for _, u := range h.slack.users {
		u["locale"] = "ja-JP"
	}
	h.slack.users = append(h.slack.users, localeUser("UOUTSIDER", "outsider", "ja-JP"))
	tests := []struct{ user, cmd, want string }{
		{oncallUser, "oncall list", "*platform* の今後のシフト:"},
		{oncallUser, "oncall", "現在のオンコール"},
		{oncallUser, "oncall remove x", "は交代の番号ではありません: `/koban oncall remove 12`(番号は"},
		{oncallUser, "oncall frobnicate", "`frobnicate` というコマンドはありません。次のいずれかをお試しください:"},
		{oncallUser, "oncall cover @alice to", "日時を指定してください。"},
		{oncallUser, "oncall cover @alice from tomorrow 09:00 to tomorrow 18:00", "さんが *platform* を"},
		{oncallUser, "oncall note the runbook moved", "次の *platform* の引き継ぎ用にメモしました。"},
		{"UOUTSIDER", "oncall note hello", "引き継ぎのメモを残せるのはプラットフォームのオンコール担当者だけです。"},
	}
	for _, tt := range tests {
		got := replyText(t, slashCommand(t, h.h, tt.user, helpChannel, tt.cmd).Body.Bytes())
		if !strings.Contains(got, tt.want) {
			t.Errorf("/koban %s = %s, want %q in it", tt.cmd, got, tt.want)
		}
	}
}

// TestTeamLanguage checks that what the whole team reads (a handoff, a
// breach alert in the rotation's channel, the report summary) is in the
// configured language, whatever the locale of the people in it.
func TestTeamLanguage(t *testing.T) {
	tests := []struct {
		lang                    string
		handoff, breach, report string
	}{
		{"ja", "*引き継ぎ: platform*", "が返信目標を過ぎています", "をスレッドに添付しました。"},
		{"en", "*Handoff: platform*", "has waited past its reply target", "in the thread."},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			h := newHarness(t, harnessOpts{language: tt.lang})
			h.slack.users = []map[string]any{localeUser(oncallUser, "olga", "en-US"), localeUser("UOLD", "old", "ja-JP")}
			ctx := context.Background()
			inq := *sampleInquiry("en")
			inq.State = koban.StateEscalated
			if err := h.bot.PostHandoff(ctx, oncall.Handoff{Rotation: "platform", Channel: platformChan, Outgoing: "UOLD", Incoming: oncallUser}); err != nil {
				t.Fatal(err)
			}
			if err := h.bot.Remind(ctx, oncall.Reminder{Rotation: "platform", Channel: platformChan, Person: oncallUser, Inquiry: inq, Percent: 100, Left: -time.Hour}); err != nil {
				t.Fatal(err)
			}
			var all strings.Builder
			for _, p := range h.slack.posts(platformChan, "") {
				all.WriteString(textOf(t, p))
			}
			for _, want := range []string{tt.handoff, tt.breach} {
				if !strings.Contains(all.String(), want) {
					t.Errorf("posts in the rotation channel lack %q:\n%s", want, all.String())
				}
			}
			b, err := json.Marshal(renderReport(h.bot.teamLang(), summaryIn(t, tt.lang)))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), tt.report) {
				t.Errorf("report summary %s, want %q in it", b, tt.report)
			}
		})
	}
}

// TestNamedThingsHaveMessages checks that every state, label and override
// kind, whose messages are named by joining a prefix and the value, has
// them in the catalogue.
func TestNamedThingsHaveMessages(t *testing.T) {
	var ids []string
	for _, s := range koban.States {
		ids = append(ids, "state."+string(s))
	}
	for _, l := range koban.Labels {
		ids = append(ids, "label."+l.String())
	}
	for _, k := range []koban.OverrideKind{koban.OverrideCover, koban.OverrideSwap} {
		ids = append(ids, "oncall.kind."+string(k))
	}
	for _, id := range ids {
		if !i18n.Has(id) {
			t.Errorf("no message %q in the catalogue", id)
		}
	}
}
