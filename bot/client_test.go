package bot

import (
	"context"
	"slices"
	"testing"

	"github.com/kobanhq/koban"
)

// The Slack client is built from the bot token alone, before anything that
// handles what Slack sends, and marks an inquiry resolved without reading
// its events.
func TestClientFromTokenAlone(t *testing.T) {
	fs := newFakeSlack(t)
	ctx := context.Background()
	if _, err := NewClient(ctx, ClientOptions{APIURL: fs.url()}, ClientDeps{}); koban.ErrorCode(err) != koban.EInvalid {
		t.Fatalf("NewClient without a token: err = %v, want EInvalid", err)
	}
	c, err := NewClient(ctx, ClientOptions{BotToken: "xoxb-test", APIURL: fs.url()}, ClientDeps{})
	if err != nil {
		t.Fatal(err)
	}
	inq := &koban.Inquiry{ID: 9, Channel: helpChannel, ThreadTS: "1700000100.000100", MessageTS: "1700000100.000100", State: koban.StateResolved}
	if err := c.Resolved(ctx, inq); err != nil {
		t.Fatalf("Resolved: %v", err)
	}
	if got := fs.reactions(inq.MessageTS); !slices.Equal(got, []string{"white_check_mark"}) {
		t.Errorf("reactions = %v, want [white_check_mark]", got)
	}
	posts := fs.called("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("channel") != helpChannel || posts[0].Form.Get("thread_ts") != inq.ThreadTS {
		t.Errorf("posts = %+v, want one notice in the inquiry's thread", posts)
	}
}
