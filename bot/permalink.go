package bot

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/kobanhq/koban"
)

// inquiryRef names an inquiry in a list or a notice: its number, linked to
// its Slack thread when koban has the thread's permalink, and where it was
// asked ("<https://…|#3> in <#C0GEN>").
func inquiryRef(lang string, inq koban.Inquiry) string {
	id := fmt.Sprintf("#%d", inq.ID)
	if link := safeLink(inq.Permalink); link != "" {
		id = "<" + link + "|" + id + ">"
	}
	return say(lang, "inquiry.ref", "ID", id, "Where", permalinkish(inq))
}

// safeLink returns link when it is an https URL that cannot break out of
// Slack's <url|label> markup, else "".
func safeLink(link string) string {
	if link == "" || strings.ContainsAny(link, "<>| \n") {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return ""
	}
	return link
}

// public returns inq as posts that people outside its conversation may read
// show it: a private inquiry's text and thread link stay out.
func public(lang string, inq koban.Inquiry) koban.Inquiry {
	inq.Text = shownText(lang, inq)
	if inq.Private {
		inq.Permalink = ""
	}
	return inq
}
