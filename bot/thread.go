package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
)

// eachReply calls each for every message of the inquiry's thread
// (conversations.replies, 200 a page, with their metadata), to the end of
// the thread or for at most maxPages pages when maxPages > 0. The thread
// is read a page at a time: memory stays bounded whatever its length.
func (c *Client) eachReply(ctx context.Context, inq *koban.Inquiry, maxPages int, each func(slack.Message)) error {
	params := &slack.GetConversationRepliesParameters{ChannelID: inq.Channel, Timestamp: inq.ThreadTS, Limit: 200, IncludeAllMetadata: true}
	for page := 1; ; page++ {
		msgs, more, cursor, err := c.api.GetConversationRepliesContext(ctx, params)
		if err != nil {
			return fmt.Errorf("read thread %s in %s: %w", inq.ThreadTS, inq.Channel, classify(err))
		}
		for _, m := range msgs {
			each(m)
		}
		if !more || cursor == "" || (maxPages > 0 && page >= maxPages) {
			return nil
		}
		params.Cursor = cursor
	}
}

// editOwnReplies rewrites koban's own messages in the inquiry's thread:
// edit returns a message's new blocks, or false to leave it as it is. The
// text and metadata are kept. An update that fails does not stop the
// others; all failures are returned together.
func (c *Client) editOwnReplies(ctx context.Context, inq *koban.Inquiry, edit func(slack.Message) ([]slack.Block, bool)) error {
	if inq.Channel == "" || inq.ThreadTS == "" {
		return nil
	}
	var errs []error
	err := c.eachReply(ctx, inq, 0, func(m slack.Message) {
		self := (c.selfBot != "" && m.BotID == c.selfBot) || (c.selfUser != "" && m.User == c.selfUser)
		if !self {
			return
		}
		blocks, ok := edit(m)
		if !ok {
			return
		}
		_, _, _, err := c.api.UpdateMessageContext(ctx, inq.Channel, m.Timestamp,
			slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(blocks...), slack.MsgOptionMetadata(m.Metadata))
		if err != nil {
			errs = append(errs, fmt.Errorf("update message %s in %s: %w", m.Timestamp, inq.Channel, classify(err)))
		}
	})
	return errors.Join(append([]error{err}, errs...)...)
}
