package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban/oncall"
)

var _ oncall.SwapAsker = (*Bot)(nil)

// The swap confirmation buttons; their value is the request's token.
const (
	actSwapAccept  = "swap-accept"
	actSwapDecline = "swap-decline"
)

// SwapConfirmer is implemented by an OnCall that asks for swap
// confirmations: the buttons of AskSwap's message come back to it.
type SwapConfirmer interface {
	// ConfirmSwap applies or declines the swap token carries, for user;
	// EForbidden when user is not the member asked (nor an admin).
	ConfirmSwap(ctx context.Context, user, token string, accept bool) (string, error)
}

// AskSwap asks the other member, in a DM, to confirm a swap. It implements
// oncall.SwapAsker.
func (c *Client) AskSwap(ctx context.Context, r oncall.SwapRequest) error {
	lang := c.langOf(ctx, r.To)
	s := say(lang, "swap.ask", "Who", userRef(r.From), "Rotation", escape(r.Rotation),
		"Theirs", slackDate(r.FromShift.Start), "Yours", slackDate(r.ToShift.Start))
	accept := slack.NewButtonBlockElement(actSwapAccept, r.Token, plain(say(lang, "swap.accept")))
	accept.Style = slack.StylePrimary
	decline := slack.NewButtonBlockElement(actSwapDecline, r.Token, plain(say(lang, "swap.decline")))
	_, _, err := c.api.PostMessageContext(ctx, r.To, slack.MsgOptionText(stripMarkup(s), false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(mrkdwn(s), nil, nil), slack.NewActionBlock("swap", accept, decline)))
	if err != nil {
		return fmt.Errorf("ask %s to confirm a swap: %w", r.To, classify(err))
	}
	return nil
}
