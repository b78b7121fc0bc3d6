package bot

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/slack-go/slack"
)

// kind is what an event is, whichever transport brought it.
type kind int

const (
	kindIgnored    kind = iota
	kindMessage         // a message in a channel, group or DM
	kindMention         // app_mention
	kindHomeOpened      // app_home_opened, Home tab
	kindCommand         // /koban …
	kindAction          // a button click
	kindSubmission      // the Resolve… modal was submitted
)

// event is what Socket Mode envelopes, Events API requests, interactivity
// payloads and slash commands all become.
type event struct {
	Kind        kind
	ID          string // event_id, for deduplication
	Team        string
	Channel     string
	ChannelType string // "channel", "group", "im", "mpim"
	ChannelName string // slash commands: "directmessage", "privategroup", "mpdm-…" or the name
	User        string
	BotID       string
	Subtype     string
	Text        string
	TS          string
	ThreadTS    string

	TriggerID string // commands and actions: opens modals
	Action    string // action id, "solved:42"
	Value     string // the button's value
	Metadata  string // the modal's private_metadata
	Callback  string // the modal's callback id
	Values    map[string]string
}

// callback is an Events API request body (and a Socket Mode events_api payload).
type callback struct {
	Type      string     `json:"type"`
	Challenge string     `json:"challenge"`
	TeamID    string     `json:"team_id"`
	EventID   string     `json:"event_id"`
	Event     innerEvent `json:"event"`
}

type innerEvent struct {
	Type        string `json:"type"`
	Subtype     string `json:"subtype"`
	User        string `json:"user"`
	BotID       string `json:"bot_id"`
	Text        string `json:"text"`
	TS          string `json:"ts"`
	ThreadTS    string `json:"thread_ts"`
	Channel     string `json:"channel"`
	ChannelType string `json:"channel_type"`
	Tab         string `json:"tab"`
}

// decodeCallback decodes an Events API body. url_verification returns its
// challenge and an ignored event.
func decodeCallback(body []byte) (event, string, error) {
	var c callback
	if err := json.Unmarshal(body, &c); err != nil {
		return event{}, "", fmt.Errorf("decode event: %w", err)
	}
	switch c.Type {
	case "url_verification":
		return event{}, c.Challenge, nil
	case "event_callback":
	default:
		return event{}, "", nil
	}
	in := c.Event
	e := event{
		ID: c.EventID, Team: c.TeamID, Channel: in.Channel, ChannelType: in.ChannelType,
		User: in.User, BotID: in.BotID, Subtype: in.Subtype, Text: in.Text, TS: in.TS, ThreadTS: in.ThreadTS,
	}
	switch in.Type {
	case "message":
		e.Kind = kindMessage
	case "app_mention":
		e.Kind = kindMention
	case "app_home_opened":
		if in.Tab == "home" {
			e.Kind = kindHomeOpened
		}
	}
	return e, "", nil
}

// decodeInteraction decodes a block action or a view submission.
func decodeInteraction(ic slack.InteractionCallback) event {
	e := event{Team: ic.Team.ID, User: ic.User.ID, Channel: ic.Channel.ID, TriggerID: ic.TriggerID}
	switch ic.Type {
	case slack.InteractionTypeBlockActions:
		if len(ic.ActionCallback.BlockActions) == 0 {
			return e
		}
		e.Kind = kindAction
		e.Action = ic.ActionCallback.BlockActions[0].ActionID
		e.Value = ic.ActionCallback.BlockActions[0].Value
		e.TS = ic.Container.MessageTs
		e.ThreadTS = ic.Message.ThreadTimestamp
	case slack.InteractionTypeViewSubmission:
		e.Kind = kindSubmission
		e.Callback = ic.View.CallbackID
		e.Metadata = ic.View.PrivateMetadata
		e.Values = map[string]string{}
		if ic.View.State != nil {
			for block, actions := range ic.View.State.Values {
				for _, a := range actions {
					switch {
					case a.SelectedOption.Value != "":
						e.Values[block] = a.SelectedOption.Value
					default:
						e.Values[block] = a.Value
					}
				}
			}
		}
	}
	return e
}

// decodeCommand decodes a slash command.
func decodeCommand(sc slack.SlashCommand) event {
	return event{
		Kind: kindCommand, ID: "command:" + sc.TriggerID, Team: sc.TeamID, Channel: sc.ChannelID, ChannelName: sc.ChannelName,
		User: sc.UserID, Text: sc.Text, TriggerID: sc.TriggerID,
	}
}

// questionStarts are the words English questions usually start with.
var questionStarts = []string{
	"how", "what", "why", "when", "where", "which", "who", "whom", "whose",
	"can", "could", "should", "would", "will", "is", "are", "am", "was", "were",
	"do", "does", "did", "has", "have", "may", "might", "any", "anyone", "help",
}

// japaneseQuestion matches how Japanese questions usually end or ask.
var japaneseQuestion = regexp.MustCompile(`(か|ですか|ますか|でしょうか|かな|の)[?？。!！\s]*$|方法|教えて|できますか|どうすれば|どうやって|どこ|なぜ|わかりません|分かりません|困って`)

// errorHint matches messages that report an error even without a question mark.
var errorHint = regexp.MustCompile(`(?i)\b(error|errors|exception|failed|failing|fails|denied|forbidden|timeout|timed out|crash(?:es|ed|loop\w*)?|panic|cannot|can't|unable|not working|doesn't work|broken|oomkilled|\d{3} (?:bad gateway|service unavailable)|http \d{3})\b|エラー|失敗|動かない|できない|タイムアウト`)

// looksLikeQuestion reports whether a message in a "questions" channel is
// worth answering: it asks something or reports an error.
func looksLikeQuestion(text string) bool {
	t := strings.TrimSpace(stripMentions(text))
	if t == "" {
		return false
	}
	if strings.HasSuffix(t, "?") || strings.HasSuffix(t, "？") || strings.Contains(t, "? ") {
		return true
	}
	words := strings.FieldsFunc(t, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
	if len(words) > 0 && slices.Contains(questionStarts, strings.ToLower(words[0])) {
		return true
	}
	return japaneseQuestion.MatchString(t) || errorHint.MatchString(t)
}

var mention = regexp.MustCompile(`<@[A-Z0-9]+(\|[^>]*)?>`)

// stripMentions removes user mentions, for question detection.
func stripMentions(s string) string { return mention.ReplaceAllString(s, "") }

// stripMention removes mentions of user id from a question, undoes Slack's
// escaping of &, < and > (so that secrets and code are seen as written) and
// trims it. Line breaks stay: code blocks, stack traces and keys need them.
// Text shown back in Slack is escaped again when rendered.
func stripMention(id, s string) string {
	if id != "" {
		re := regexp.MustCompile(`[ \t]*<@` + regexp.QuoteMeta(id) + `(\|[^>]*)?>[ \t]*`)
		s = re.ReplaceAllString(s, " ")
	}
	return strings.TrimSpace(slackUnescape.Replace(s))
}

// slackUnescape undoes the escaping Slack applies to message text
// (https://docs.slack.dev/messaging/formatting-message-text#escaping-text).
var slackUnescape = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// mentions reports whether s mentions user id.
func mentions(id, s string) bool {
	return id != "" && strings.Contains(s, "<@"+id)
}
