package desk

import (
	"context"

	"github.com/kobanhq/koban"
)

// permalink returns the link to an inquiry's thread when it has none yet,
// asking Threads once, when koban first replies; "" when it has one, when
// there is no thread (the web) or when the link cannot be had (logged: the
// reply is delivered all the same).
func (d *Desk) permalink(ctx context.Context, inq *koban.Inquiry) string {
	if inq.Permalink != "" || d.Threads == nil || inq.Source == koban.SourceWeb {
		return ""
	}
	link, err := d.Threads.Link(ctx, inq)
	if err != nil {
		d.Log.Warn("link to the thread", "inquiry_id", inq.ID, "err", err)
		return ""
	}
	return link
}
