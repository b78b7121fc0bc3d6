package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/internal/i18n"
	"github.com/kobanhq/koban/metrics"
)

// webUser is the default actor of what is done in the dashboard
// (Options.Actor): with only a shared token it has no Slack identity to act
// as, so it acts as the token's admin identity.
const webUser = "web"

// maxQuestion bounds a playground question, as Slack bounds a message.
const maxQuestion = 4000

// askView is the data of the ask page.
type askView struct {
	Key    string // idempotency key: a resubmitted form asks once
	Text   string
	Recent []koban.Inquiry
}

func (s *Server) askPage(w http.ResponseWriter, r *http.Request) {
	recent, err := s.deps.Inquiries.Inquiries(r.Context(), Filter{Limit: 200})
	if err != nil {
		s.fail(w, r, fmt.Errorf("recent inquiries: %w", err))
		return
	}
	recent = slices.DeleteFunc(s.visible(r, recent), func(q koban.Inquiry) bool { return q.Source != koban.SourceWeb })
	if len(recent) > 5 {
		recent = recent[:5]
	}
	s.render(w, r, http.StatusOK, "ask", view{Title: s.t(r, "web.nav.ask"), Nav: "ask", Data: askView{Key: newKey(), Text: r.URL.Query().Get("q"), Recent: recent}})
}

// ask records a playground question as the Slack channel would, has it
// processed, and shows the thread.
func (s *Server) ask(w http.ResponseWriter, r *http.Request) {
	text := strings.TrimSpace(r.PostFormValue("text"))
	switch {
	case text == "":
		s.fail(w, r, s.errorf(r, koban.EInvalid, "web.err.empty"))
		return
	case len(text) > maxQuestion:
		s.fail(w, r, s.errorf(r, koban.EInvalid, "web.err.question_long", "N", len(text), "Max", maxQuestion))
		return
	}
	key := r.PostFormValue("key")
	if !validKey(key) {
		key = newKey()
	}
	in := desk.Incoming{
		Source: koban.SourceWeb, EventID: "web-" + key, Channel: "web",
		MessageTS: "web-" + key, User: s.actor(r), Text: text,
	}
	inq, created, err := s.deps.Desk.Ask(r.Context(), in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if created {
		s.await(r.Context(), inq.ID)
	}
	http.Redirect(w, r, fmt.Sprintf("/ask/%d", inq.ID), http.StatusSeeOther)
}

// await gets the inquiry's answer: inline, or by waiting a little for the
// job runner. A failure is logged, not shown: the thread page tells the
// asker the answer is still coming, and the durable job retries.
func (s *Server) await(ctx context.Context, id int64) {
	if s.opts.Inline {
		// Finish even if the browser goes away: the asker may come back.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.AnswerTimeout)
		defer cancel()
		process := s.metrics.ObserveProcess(s.deps.Desk.Process, s.deps.Inquiries)
		if err := process(pctx, id, 1); err != nil {
			s.log.Error("process web inquiry", "inquiry_id", id, "err", err)
		}
		return
	}
	wctx, cancel := context.WithTimeout(ctx, s.opts.Wait)
	defer cancel()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-wctx.Done():
			return
		case <-t.C:
			inq, err := s.deps.Inquiries.Inquiry(wctx, id)
			if err != nil || inq.State != koban.StateReceived {
				return
			}
		}
	}
}

// reply is koban's recorded answer or escalation, for display.
type reply struct {
	desk.Reply
	At       time.Time
	Actor    string
	Answered bool
	HTML     template.HTML // the answer's Markdown, rendered
}

// latestReply returns the last answered or escalated event's reply.
func latestReply(events []koban.Event) (*reply, error) {
	for _, ev := range slices.Backward(events) {
		if ev.Kind != koban.EventAnswered && ev.Kind != koban.EventEscalated {
			continue
		}
		r, err := desk.ReplyOf(ev)
		if err != nil {
			return nil, err
		}
		out := &reply{Reply: r, At: ev.At, Actor: ev.Actor, Answered: ev.Kind == koban.EventAnswered}
		// An answer, or the passage suggested while a person is brought in.
		if out.Answered || (len(r.Suggest) > 0 && r.Answer.Known) {
			out.HTML = renderMarkdown(r.Answer.Text)
		}
		return out, nil
	}
	return nil, nil
}

// threadView is the data of the playground thread and the inquiry page.
type threadView struct {
	Inquiry  *koban.Inquiry
	Reply    *reply
	Events   []eventView
	Working  bool // koban has not replied yet
	Back     string
	Labels   []koban.Label
	Domains  []koban.Domain
	Resolved *koban.Event // the last resolution

	// Predicted and Domain preselect the Resolve form.
	Predicted string
	Domain    string
	Loc       *time.Location
	Now       time.Time
}

// eventView is one line of an inquiry's timeline.
type eventView struct {
	koban.Event
	Details []string
}

func (s *Server) loadThread(r *http.Request, back string) (*threadView, error) {
	ctx, idText := r.Context(), r.PathValue("id")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return nil, s.errorf(r, koban.ENotFound, "web.err.no_inquiry", "ID", idText)
	}
	inq, err := s.deps.Inquiries.Inquiry(ctx, id)
	if err != nil {
		return nil, err
	}
	events, err := s.deps.Inquiries.Events(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("events of inquiry %d: %w", id, err)
	}
	rep, err := latestReply(events)
	if err != nil {
		return nil, fmt.Errorf("inquiry %d: %w", id, err)
	}
	if err := s.shownPast(ctx, rep); err != nil {
		return nil, fmt.Errorf("inquiry %d: %w", id, err)
	}
	v := &threadView{
		Inquiry: inq, Reply: rep, Back: back, Labels: koban.Labels, Domains: s.opts.Domains,
		Working:   rep == nil && (inq.State == koban.StateReceived || inq.State == koban.StateReopened),
		Predicted: inq.Label().String(), Domain: string(inq.Domain), Loc: s.loc, Now: s.now(),
	}
	for i, ev := range events {
		v.Events = append(v.Events, eventView{Event: ev, Details: eventDetails(ev, s.lang(nil, r),
			func(id string) string { return personMention(ctx, s.deps.Names, id) })})
		if ev.Kind == koban.EventResolved || ev.Kind == koban.EventAutoClosed {
			v.Resolved = &events[i]
		}
	}
	return v, nil
}

// eventDetails picks the parts of an event's data worth a line in the
// timeline; the recorded answer and triage are shown as the reply instead.
// Each is said in lang, the reader's language; who shows a person or group
// (mention, by display name where known).
func eventDetails(ev koban.Event, lang string, who func(string) string) []string {
	var out []string
	fields := eventFields(ev)
	for _, k := range []string{"category", "domain", "confidence", "feedback", "asker_label", "reason", "oncall", "group", "rotation", "page", "note", "via", "error", "silent_for", "text"} {
		v := fields[k]
		if v == "" || (k == "text" && ev.Kind == koban.EventReceived) {
			continue
		}
		switch k {
		case "oncall", "group":
			v = who(v)
		case "text":
			v = excerpt(v, 200)
		case "reason":
			v = i18n.Reword(lang, "reason.", v)
		}
		out = append(out, i18n.T(lang, "web.detail."+k, nil)+": "+v)
	}
	return out
}

// eventFields is the data of ev by the timeline's keys: for an answered
// or escalated event, read from the outcome it records; for any other, its
// data as recorded.
func eventFields(ev koban.Event) map[string]string {
	o, err := ev.Outcome()
	if err != nil {
		return ev.Data
	}
	f := map[string]string{
		"category": o.Triage.Label.String(),
		"domain":   string(o.Triage.Domain),
		"feedback": string(o.Feedback),
		"reason":   o.Escalation.Reason,
		"oncall":   o.Escalation.OnCall,
		"group":    o.Escalation.Group,
		"rotation": o.Escalation.Rotation,
		"note":     o.Note,
	}
	if o.Feedback == "" {
		f["confidence"] = fmt.Sprintf("%.3f", o.Answer.Confidence)
	}
	if !o.AskerLabel.IsZero() {
		f["asker_label"] = o.AskerLabel.String()
	}
	return f
}

func (s *Server) thread(w http.ResponseWriter, r *http.Request) {
	v, err := s.loadThread(r, fmt.Sprintf("/ask/%s", r.PathValue("id")))
	if err == nil && !s.canSee(r, v.Inquiry) {
		err = s.errorf(r, koban.ENotFound, "web.err.no_inquiry", "ID", r.PathValue("id"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	refresh := 0
	if v.Working {
		refresh = 2
	}
	s.render(w, r, http.StatusOK, "thread", view{Title: s.t(r, "web.inquiry.title", "ID", v.Inquiry.ID), Nav: "ask", Refresh: refresh, Data: v})
}

func (s *Server) inquiry(w http.ResponseWriter, r *http.Request) {
	v, err := s.loadThread(r, fmt.Sprintf("/inquiries/%s", r.PathValue("id")))
	if err == nil && !s.canSee(r, v.Inquiry) {
		err = s.errorf(r, koban.ENotFound, "web.err.no_inquiry", "ID", r.PathValue("id"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "inquiry", view{Title: s.t(r, "web.inquiry.title", "ID", v.Inquiry.ID), Nav: "inquiries", Data: v})
}

// action applies one of the Slack buttons to an inquiry and goes back to
// the page the form was on.
func (s *Server) action(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, s.errorf(r, koban.ENotFound, "web.err.no_inquiry", "ID", r.PathValue("id")))
		return
	}
	ctx := r.Context()
	d := s.deps.Desk
	if done, err := s.flowAction(r, id, r.PathValue("action")); done {
		if err != nil {
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, localPath(r.PostFormValue("back"), fmt.Sprintf("/inquiries/%d", id)), http.StatusSeeOther)
		return
	}
	switch r.PathValue("action") {
	case string(koban.FeedbackSolved):
		_, err = d.Solved(ctx, id, s.actor(r))
	case string(koban.FeedbackNeedHuman):
		_, err = d.NeedHuman(ctx, id, s.actor(r))
	case string(koban.FeedbackDocsWrong):
		_, err = d.DocsWrong(ctx, id, s.actor(r), strings.TrimSpace(r.PostFormValue("note")))
	case "ack":
		_, err = d.Acknowledge(ctx, id, s.actor(r))
	case "resolve":
		var res desk.Resolution
		if res, err = s.parseResolution(r); err == nil {
			_, err = d.Resolve(ctx, id, s.actor(r), res)
		}
	default:
		err = s.errorf(r, koban.ENotFound, "web.err.no_action", "Action", r.PathValue("action"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, localPath(r.PostFormValue("back"), fmt.Sprintf("/inquiries/%d", id)), http.StatusSeeOther)
}

// parseResolution reads the Resolve form.
func (s *Server) parseResolution(r *http.Request) (desk.Resolution, error) {
	l, err := koban.ParseLabel(r.PostFormValue("label"))
	if err != nil {
		return desk.Resolution{}, err
	}
	dom := koban.Domain(r.PostFormValue("domain"))
	if dom != "" && !slices.Contains(s.opts.Domains, dom) {
		return desk.Resolution{}, s.errorf(r, koban.EInvalid, "web.err.domain", "Domain", dom)
	}
	return desk.Resolution{Label: l, Domain: dom,
		Page: strings.TrimSpace(r.PostFormValue("page")), Note: strings.TrimSpace(r.PostFormValue("note"))}, nil
}

// localPath returns p when it is a path on this site, else def: a form
// must not send the browser elsewhere.
func localPath(p, def string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return def
	}
	if u, err := url.Parse(p); err != nil || u.Host != "" || u.Scheme != "" {
		return def
	}
	return p
}

// listView is the data of the inquiries page.
type listView struct {
	Inquiries []koban.Inquiry
	Query     string // the text searched for
	State     string
	Category  string
	Domain    string
	Month     string
	States    []koban.State
	Cats      []koban.Category
	Domains   []koban.Domain
	Page      int
	Prev      string
	Next      string
	// CSV and JSON export the inquiries with the same filters.
	CSV, JSON string
}

// pageSize is how many inquiries a page of the list shows.
const pageSize = 50

// maxSearch bounds the search text, in characters.
const maxSearch = 200

// listFilter reads the inquiries page's filters from the query.
func (s *Server) listFilter(r *http.Request) (listView, Filter, error) {
	q := r.URL.Query()
	v := listView{
		Query: strings.TrimSpace(q.Get("q")), State: q.Get("state"), Category: q.Get("category"), Domain: q.Get("domain"), Month: q.Get("month"),
		States: koban.States, Cats: koban.Categories, Domains: s.opts.Domains, Page: 1,
	}
	var f Filter
	if n := utf8.RuneCountInString(v.Query); n > maxSearch {
		return v, f, s.errorf(r, koban.EInvalid, "web.err.search_long", "N", n, "Max", maxSearch)
	}
	f.Text = v.Query
	if v.State != "" {
		st := koban.State(v.State)
		if !slices.Contains(koban.States, st) {
			return v, f, s.errorf(r, koban.EInvalid, "web.err.state", "State", v.State)
		}
		f.States = []koban.State{st}
	}
	if v.Category != "" {
		c := koban.Category(v.Category)
		if !c.Valid() {
			return v, f, s.errorf(r, koban.EInvalid, "web.err.category", "Category", v.Category)
		}
		f.Category = c
	}
	f.Domain = koban.Domain(v.Domain)
	if v.Month != "" {
		from, err := metrics.ParseMonth(v.Month, s.loc)
		if err != nil {
			return v, f, err
		}
		f.From, f.To = from, from.AddDate(0, 1, 0)
	}
	return v, f, nil
}

func (s *Server) inquiries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v, f, err := s.listFilter(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p > 1 {
		v.Page = p
	}
	f.Limit, f.Offset = pageSize+1, (v.Page-1)*pageSize
	list, err := s.deps.Inquiries.Inquiries(r.Context(), f)
	if err != nil {
		s.fail(w, r, fmt.Errorf("list inquiries: %w", err))
		return
	}
	if len(list) > pageSize {
		list = list[:pageSize]
		v.Next = pageURL("/inquiries", q, v.Page+1)
	}
	if v.Page > 1 {
		v.Prev = pageURL("/inquiries", q, v.Page-1)
	}
	v.CSV, v.JSON = pageURL("/inquiries.csv", q, 1), pageURL("/inquiries.json", q, 1)
	v.Inquiries = s.visible(r, list)
	s.render(w, r, http.StatusOK, "inquiries", view{Title: s.t(r, "web.nav.inquiries"), Nav: "inquiries", Data: v})
}

// pageURL is path with the filters of q and page.
func pageURL(path string, q url.Values, page int) string {
	c := url.Values{}
	for k, vs := range q {
		if k != "page" && k != "token" && k != "lang" && len(vs) > 0 && vs[0] != "" {
			c.Set(k, vs[0])
		}
	}
	if page > 1 {
		c.Set("page", strconv.Itoa(page))
	}
	if len(c) == 0 {
		return path
	}
	return path + "?" + c.Encode()
}

// newKey returns a random idempotency key for the ask form.
func newKey() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func validKey(k string) bool {
	if len(k) != 24 {
		return false
	}
	_, err := hex.DecodeString(k)
	return err == nil
}
