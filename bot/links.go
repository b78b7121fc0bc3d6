package bot

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/internal/textproc"
)

// linkPolicy decides which links in koban's Slack messages are live. Text
// from the docs and from an LLM may carry any URL, and a live link's label
// can say anything ("<https://evil.example/reset|Reset your password>"), so
// only links to the docs themselves, to Slack and to domains the operator
// allowed are live; any other URL is shown as inert text that Slack does not
// turn into a link (hxxps://evil[.]example/reset).
type linkPolicy struct {
	bases   []*url.URL // docs base URLs: a link under one is live
	domains []string   // allowed domains, lower case: the domain and its subdomains
}

func newLinkPolicy(baseURLs, domains []string) linkPolicy {
	var p linkPolicy
	for _, s := range baseURLs {
		if u, err := url.Parse(strings.TrimSpace(s)); err == nil && u.Host != "" && (u.Scheme == "https" || u.Scheme == "http") {
			p.bases = append(p.bases, u)
		}
	}
	for _, d := range domains {
		d = strings.Trim(strings.ToLower(strings.TrimSpace(d)), ".")
		if d != "" {
			p.domains = append(p.domains, d)
		}
	}
	return p
}

// allowed reports whether the URL s may be a live link.
func (p linkPolicy) allowed(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.User != nil || u.Scheme != "https" && u.Scheme != "http" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return false
	}
	// A Slack permalink: https://acme.slack.com/archives/C123/p1700000000000100
	if u.Scheme == "https" && (host == "slack.com" || strings.HasSuffix(host, ".slack.com")) && strings.HasPrefix(u.Path, "/archives/") {
		return true
	}
	for _, d := range p.domains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	for _, b := range p.bases {
		if u.Scheme == b.Scheme && strings.EqualFold(u.Host, b.Host) && under(u.Path, b.Path) {
			return true
		}
	}
	return false
}

// under reports whether path p is base or below it.
func under(p, base string) bool {
	base = strings.TrimSuffix(base, "/")
	return base == "" || p == base || strings.HasPrefix(p, base+"/")
}

// answer returns a with the links it may not show made inert: in its text,
// and the URLs of its citations and pages. A link in an LLM's answer (one
// with a Model) must also be in the sections it cites: a URL the model wrote
// itself is never live, whatever its domain.
func (p linkPolicy) answer(a koban.Answer) koban.Answer {
	var cited map[string]bool
	if a.Model != "" {
		cited = map[string]bool{}
		for _, c := range a.Citations {
			if c.URL != "" {
				cited[c.URL] = true
				cited[strings.SplitN(c.URL, "#", 2)[0]] = true
			}
			for _, u := range bareURL.FindAllString(c.Snippet, -1) {
				cited[trimURL(u)] = true
			}
			for _, m := range mdLink.FindAllStringSubmatch(c.Snippet, -1) {
				cited[m[2]] = true
			}
		}
	}
	live := func(u string) bool {
		if !p.allowed(u) {
			return false
		}
		return cited == nil || cited[u] || cited[strings.TrimSuffix(u, "/")] || cited[u+"/"]
	}
	a.Text = inertLinks(a.Text, live)
	a.Citations = p.citations(a.Citations)
	a.Pages = p.citations(a.Pages)
	return a
}

// reply returns r with the links it may not show made inert: in the answer
// and in the triage's reasons (which a model may have written).
func (p linkPolicy) reply(r desk.Reply) desk.Reply {
	r.Answer = p.answer(r.Answer)
	if len(r.Triage.Reasons) > 0 {
		reasons := make([]koban.Reason, len(r.Triage.Reasons))
		for i, s := range r.Triage.Reasons {
			reasons[i] = s.Map(func(t string) string { return inertLinks(t, p.allowed) })
		}
		r.Triage.Reasons = reasons
	}
	return r
}

// citations drops the URLs of cs that may not be live; the citation then
// shows its page path instead.
func (p linkPolicy) citations(cs []koban.Citation) []koban.Citation {
	if len(cs) == 0 {
		return cs
	}
	out := make([]koban.Citation, len(cs))
	for i, c := range cs {
		if c.URL != "" && !p.allowed(c.URL) {
			c.URL = ""
		}
		out[i] = c
	}
	return out
}

var (
	// bareURL is a URL written out in text.
	bareURL = regexp.MustCompile(`(?i)\bhttps?://[^\s<>()\[\]"'\x60|]+`)
	// bareDomain is a host name Slack turns into a link without a scheme
	// (evil.example.com/reset); only common top-level domains, so that file
	// names such as values.yaml or deploy.sh stay as they are.
	bareDomain = regexp.MustCompile(`(?i)\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:com|net|org|io|dev|app|co|ai|info|biz|xyz|me|link|click|site|online|top|ru|cn|tk|ly|gg|us|uk|de|jp)\b(?:/[^\s<>()\[\]"'\x60|]*)?`)
	// codeSpan is a fenced block or an inline code span: Slack shows their
	// text as it is, never as a link.
	codeSpan = regexp.MustCompile("(?s)```.*?```|`[^`\n]+`")
)

// trimURL drops the punctuation that ends the sentence around a URL.
func trimURL(u string) string { return strings.TrimRight(u, ".,;:!?") }

// inertLinks rewrites the Markdown text md so that every link live rejects
// is inert: a Markdown link becomes its label and the defanged URL, a bare
// URL or host name is defanged. Code is left alone.
func inertLinks(md string, live func(string) bool) string {
	var b strings.Builder
	last := 0
	for _, m := range codeSpan.FindAllStringIndex(md, -1) {
		b.WriteString(inertProse(md[last:m[0]], live))
		b.WriteString(md[m[0]:m[1]])
		last = m[1]
	}
	b.WriteString(inertProse(md[last:], live))
	return b.String()
}

func inertProse(s string, live func(string) bool) string {
	var b strings.Builder
	last := 0
	for _, m := range mdLink.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(inertBare(s[last:m[0]], live))
		label, u := s[m[2]:m[3]], s[m[4]:m[5]]
		switch {
		case live(u):
			b.WriteString(s[m[0]:m[1]])
		case strings.Contains(u, "://") || bareDomain.MatchString(u):
			b.WriteString(inertBare(label, live) + " (" + defang(u) + ")")
		default:
			// A relative link (/docs/page/): Slack cannot follow it.
			b.WriteString(inertBare(label, live))
		}
		last = m[1]
	}
	b.WriteString(inertBare(s[last:], live))
	return b.String()
}

// inertBare defangs the URLs and host names in s that live rejects.
func inertBare(s string, live func(string) bool) string {
	domains := func(s string) string {
		return bareDomain.ReplaceAllStringFunc(s, func(d string) string {
			if live("https://" + d) {
				return d
			}
			return strings.ReplaceAll(d, ".", "[.]")
		})
	}
	var b strings.Builder
	last := 0
	for _, m := range bareURL.FindAllStringIndex(s, -1) {
		b.WriteString(domains(s[last:m[0]]))
		u := s[m[0]:m[1]]
		t := trimURL(u)
		if live(t) {
			b.WriteString(u)
		} else {
			b.WriteString(defang(t) + u[len(t):])
		}
		last = m[1]
	}
	b.WriteString(domains(s[last:]))
	return b.String()
}

// defang writes a URL so that Slack does not link it and a reader still sees
// where it points: https://evil.example/reset → hxxps://evil[.]example/reset.
func defang(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return strings.ReplaceAll(u, ".", "[.]")
	}
	host, path, _ := strings.Cut(rest, "/")
	out := strings.Replace(strings.ToLower(scheme), "t", "x", 2) + "://" + strings.ReplaceAll(host, ".", "[.]")
	if path != "" || strings.HasSuffix(rest, "/") {
		out += "/" + path
	}
	return out
}

// slackLink is a link in Slack's mrkdwn: <URL> or <URL|label>. Mentions
// (<@U1>, <#C1>, <!here>) do not start with a scheme.
var slackLink = regexp.MustCompile(`<((?i:https?)://[^|>\s]+)(?:\|([^>]*))?>`)

// mrkdwnCode is code in mrkdwn, which Slack shows as it is.
var mrkdwnCode = regexp.MustCompile("(?s)```.*?```|`[^`\n]+`")

// inertMrkdwn makes the links in Slack mrkdwn s that the policy does not
// allow inert: <URL|label> becomes "label (hxxps://…)", and bare URLs and
// host names are defanged. Code is left alone.
func (p linkPolicy) inertMrkdwn(s string) string {
	return textproc.ReplaceOutside(mrkdwnCode, s, p.inertMrkdwnProse)
}

func (p linkPolicy) inertMrkdwnProse(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range slackLink.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(inertBare(s[last:m[0]], p.allowed))
		u := s[m[2]:m[3]]
		switch {
		case p.allowed(strings.ReplaceAll(u, "&amp;", "&")):
			b.WriteString(s[m[0]:m[1]])
		case m[4] >= 0 && s[m[4]:m[5]] != "":
			b.WriteString(inertBare(s[m[4]:m[5]], p.allowed) + " (" + defang(u) + ")")
		default:
			b.WriteString(defang(u))
		}
		last = m[1]
	}
	b.WriteString(inertBare(s[last:], p.allowed))
	return b.String()
}

// message returns m with the links the policy does not allow made inert in
// its text and in every mrkdwn text of its section and context blocks. It
// is the last step before koban posts anything in Slack, whatever rendered
// it. The blocks are copied, not changed.
func (p linkPolicy) message(m message) message {
	text := func(t *slack.TextBlockObject) *slack.TextBlockObject {
		if t == nil || t.Type != slack.MarkdownType {
			return t
		}
		c := *t
		c.Text = p.inertMrkdwn(t.Text)
		return &c
	}
	m.Text = p.inertMrkdwn(m.Text)
	blocks := make([]slack.Block, len(m.Blocks))
	for i, bl := range m.Blocks {
		switch bl := bl.(type) {
		case *slack.SectionBlock:
			c := *bl
			c.Text = text(bl.Text)
			if len(bl.Fields) > 0 {
				c.Fields = make([]*slack.TextBlockObject, len(bl.Fields))
				for j, f := range bl.Fields {
					c.Fields[j] = text(f)
				}
			}
			blocks[i] = &c
		case *slack.ContextBlock:
			c := *bl
			c.ContextElements.Elements = make([]slack.MixedElement, len(bl.ContextElements.Elements))
			for j, el := range bl.ContextElements.Elements {
				if t, ok := el.(*slack.TextBlockObject); ok {
					el = text(t)
				}
				c.ContextElements.Elements[j] = el
			}
			blocks[i] = &c
		default:
			blocks[i] = bl
		}
	}
	m.Blocks = blocks
	return m
}

// links is the bot's link policy.
func (c *Client) links() linkPolicy {
	return newLinkPolicy(c.cfg.DocsBaseURLs, c.cfg.AllowedLinkDomains)
}
