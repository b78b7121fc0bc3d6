package bot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack/slacktest"
)

// The workspace the tests run in.
const (
	testSecret  = "8f742231b10e8888abcd99yyyzzz85a5"
	testTeam    = "T0KOBAN"
	botUser     = "UKOBAN"
	botID       = "BKOBAN"
	helpChannel = "CHELP"
	quietChan   = "CQUIET"
	asker       = "UASKER"
	oncallUser  = "UONCALL"
)

// apiCall is one Web API call the fake Slack received.
type apiCall struct {
	Method string
	Form   url.Values     // form-encoded calls
	JSON   map[string]any // JSON calls (views.*)
	Failed bool           // answered with an injected failure
	TS     string         // the ts the fake gave a posted message
	Body   []byte         // the content of an upload
}

// fakeSlack is the Slack Web API as the bot sees it: slacktest's server with
// recording handlers for every method koban calls.
type fakeSlack struct {
	t   testing.TB
	srv *slacktest.Server

	mu    sync.Mutex
	calls []apiCall
	fail  map[string][]failure // queued failures per method
	ts    int

	// sockets receives each Socket Mode connection koban opens.
	sockets chan *websocket.Conn

	// privateChannels are the C… channels conversations.info calls
	// private; groups the user groups usergroups.users.list knows.
	privateChannels map[string]bool
	groups          map[string][]string

	// users is the workspace's member list that users.list pages through
	// (users.list objects).
	users []map[string]any

	// humans holds what people wrote in threads, by thread ts, which
	// conversations.replies returns with koban's posts.
	humans map[string][]map[string]any
}

// addReply makes a person's message part of a thread.
func (f *fakeSlack) addReply(thread, user, text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.humans == nil {
		f.humans = map[string][]map[string]any{}
	}
	f.ts++
	f.humans[thread] = append(f.humans[thread], map[string]any{"type": "message", "user": user, "text": text,
		"ts": fmt.Sprintf("%d.000100", f.ts), "thread_ts": thread})
}

// failure is one injected error response.
type failure struct {
	status     int    // HTTP status; 200 with slackErr for {"ok":false}
	retryAfter string // Retry-After header for 429
	slackErr   string
}

func newFakeSlack(t testing.TB) *fakeSlack {
	t.Helper()
	f := &fakeSlack{t: t, fail: map[string][]failure{}, ts: 1700000000, sockets: make(chan *websocket.Conn, 4)}
	done := make(chan struct{})
	methods := []string{"auth.test", "chat.postMessage", "chat.postEphemeral", "reactions.add",
		"views.publish", "views.open", "usergroups.users.update", "users.lookupByEmail",
		"chat.update", "conversations.replies", "users.list", "users.info",
		"files.getUploadURLExternal", "files.completeUploadExternal", "chat.getPermalink"}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		for _, m := range methods {
			c.Handle("/"+m, f.handler(m))
		}
		c.Handle("/upload/", f.uploadHandler)
		for _, m := range []string{"conversations.info", "usergroups.users.list"} {
			c.Handle("/"+m, f.handler(m))
		}
		c.Handle("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer xapp-test" {
				f.t.Errorf("apps.connections.open without the app token")
			}
			fmt.Fprintf(w, `{"ok":true,"url":"ws://%s/socket"}`, f.srv.ServerAddr)
		})
		c.Handle("/socket", func(w http.ResponseWriter, r *http.Request) {
			up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
			conn, err := up.Upgrade(w, r, nil)
			if err != nil {
				f.t.Errorf("upgrade socket: %v", err)
				return
			}
			f.sockets <- conn
			<-done // the test talks on conn until it ends
		})
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	t.Cleanup(func() { close(done) })
	return f
}

func (f *fakeSlack) url() string { return f.srv.GetAPIURL() }

// failNext makes the next call of method fail.
func (f *fakeSlack) failNext(method string, fl failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[method] = append(f.fail[method], fl)
}

func (f *fakeSlack) handler(method string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c := apiCall{Method: method}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			if err := json.Unmarshal(body, &c.JSON); err != nil {
				f.t.Errorf("%s: bad JSON body: %v", method, err)
			}
		} else {
			c.Form, _ = url.ParseQuery(string(body))
		}
		if r.Method == http.MethodGet {
			c.Form = r.URL.Query() // chat.getPermalink is a GET
		}
		f.mu.Lock()
		var fl *failure
		if q := f.fail[method]; len(q) > 0 {
			fl, f.fail[method] = &q[0], q[1:]
		}
		c.Failed = fl != nil
		f.ts++
		ts := fmt.Sprintf("%d.000100", f.ts)
		c.TS = ts
		f.calls = append(f.calls, c)
		f.mu.Unlock()

		w.Header().Set("Content-Type", "application/json")
		if fl != nil {
			if fl.retryAfter != "" {
				w.Header().Set("Retry-After", fl.retryAfter)
			}
			if fl.status != 0 && fl.status != http.StatusOK {
				w.WriteHeader(fl.status)
				return
			}
			fmt.Fprintf(w, `{"ok":false,"error":%q}`, fl.slackErr)
			return
		}
		switch method {
		case "auth.test":
			fmt.Fprintf(w, `{"ok":true,"team_id":%q,"user_id":%q,"bot_id":%q}`, testTeam, botUser, botID)
		case "chat.postMessage":
			ch := c.Form.Get("channel")
			if strings.HasPrefix(ch, "U") {
				ch = "D" + ch[1:]
			}
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, ch, ts)
		case "chat.postEphemeral":
			fmt.Fprintf(w, `{"ok":true,"message_ts":%q}`, ts)
		case "users.lookupByEmail":
			if c.Form.Get("email") == "alice@example.com" {
				fmt.Fprint(w, `{"ok":true,"user":{"id":"UALICE","name":"alice"}}`)
				return
			}
			fmt.Fprint(w, `{"ok":false,"error":"users_not_found"}`)
		case "usergroups.users.update":
			fmt.Fprintf(w, `{"ok":true,"usergroup":{"id":%q}}`, c.Form.Get("usergroup"))
		case "views.publish", "views.open":
			fmt.Fprint(w, `{"ok":true,"view":{"id":"V1"}}`)
		case "chat.getPermalink":
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"permalink":"https://koban-test.slack.com/archives/%s/p%s"}`,
				c.Form.Get("channel"), c.Form.Get("channel"), strings.ReplaceAll(c.Form.Get("message_ts"), ".", ""))
		case "chat.update":
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, c.Form.Get("channel"), c.Form.Get("ts"))
		case "conversations.replies":
			msgs := f.thread(c.Form.Get("channel"), c.Form.Get("ts"))
			writePage(w, c.Form, "messages", msgs)
		case "users.list":
			f.mu.Lock()
			users := f.users
			f.mu.Unlock()
			writePage(w, c.Form, "members", users)
		case "users.info":
			f.mu.Lock()
			var user map[string]any
			for _, u := range f.users {
				if u["id"] == c.Form.Get("user") {
					user = u
				}
			}
			f.mu.Unlock()
			if user == nil {
				fmt.Fprint(w, `{"ok":false,"error":"user_not_found"}`)
				return
			}
			out, _ := json.Marshal(map[string]any{"ok": true, "user": user})
			w.Write(out)
		case "conversations.info":
			f.mu.Lock()
			priv := f.privateChannels[c.Form.Get("channel")]
			f.mu.Unlock()
			fmt.Fprintf(w, `{"ok":true,"channel":{"id":%q,"is_private":%v}}`, c.Form.Get("channel"), priv)
		case "usergroups.users.list":
			f.mu.Lock()
			members, ok := f.groups[c.Form.Get("usergroup")]
			f.mu.Unlock()
			if !ok {
				fmt.Fprint(w, `{"ok":false,"error":"no_such_subteam"}`)
				return
			}
			out, _ := json.Marshal(map[string]any{"ok": true, "users": members})
			w.Write(out)
		case "files.getUploadURLExternal":
			id := "F" + strings.TrimSuffix(ts, ".000100")
			fmt.Fprintf(w, `{"ok":true,"file_id":%q,"upload_url":"http://%s/upload/%s"}`, id, f.srv.ServerAddr, id)
		case "files.completeUploadExternal":
			var files []map[string]any
			if err := json.Unmarshal([]byte(c.Form.Get("files")), &files); err != nil {
				f.t.Errorf("files.completeUploadExternal: bad files %q: %v", c.Form.Get("files"), err)
			}
			out, _ := json.Marshal(map[string]any{"ok": true, "files": files})
			w.Write(out)
		default:
			fmt.Fprint(w, `{"ok":true}`)
		}
	}
}

// uploadHandler is where files.getUploadURLExternal sends uploads: it
// records each file's name and content as an "upload" call.
func (f *fakeSlack) uploadHandler(w http.ResponseWriter, r *http.Request) {
	c := apiCall{Method: "upload", Form: url.Values{"file_id": {strings.TrimPrefix(r.URL.Path, "/upload/")}}}
	if r.Header.Get("Authorization") != "Bearer xoxb-test" {
		f.t.Errorf("upload without the bot token")
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		f.t.Errorf("upload: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.Body, _ = io.ReadAll(file)
	c.Form.Set("filename", hdr.Filename)
	f.mu.Lock()
	var fl *failure
	if q := f.fail["upload"]; len(q) > 0 {
		fl, f.fail["upload"] = &q[0], q[1:]
	}
	c.Failed = fl != nil
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	if fl != nil {
		if fl.retryAfter != "" {
			w.Header().Set("Retry-After", fl.retryAfter)
		}
		w.WriteHeader(fl.status)
		return
	}
	fmt.Fprintf(w, "OK - %d", len(c.Body))
}

// thread returns the messages of a thread as conversations.replies does:
// the parent (the asker's question) and every reply posted in it, as last
// updated by chat.update, with their metadata.
func (f *fakeSlack) thread(channel, ts string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	msgs := []map[string]any{{"type": "message", "user": asker, "text": "the question", "ts": ts, "thread_ts": ts}}
	msgs = append(msgs, f.humans[ts]...)
	byTS := map[string]map[string]any{}
	for _, c := range f.calls {
		switch {
		case c.Failed:
		case c.Method == "chat.postMessage" && c.Form.Get("channel") == channel && c.Form.Get("thread_ts") == ts:
			m := map[string]any{"type": "message", "user": botUser, "bot_id": botID, "ts": c.TS, "thread_ts": ts}
			setMessage(f.t, m, c.Form)
			msgs = append(msgs, m)
			byTS[c.TS] = m
		case c.Method == "chat.update" && c.Form.Get("channel") == channel && byTS[c.Form.Get("ts")] != nil:
			setMessage(f.t, byTS[c.Form.Get("ts")], c.Form)
		}
	}
	return msgs
}

// setMessage sets a message's text, blocks and metadata from a
// chat.postMessage or chat.update form; metadata left out is kept.
func setMessage(t testing.TB, m map[string]any, form url.Values) {
	m["text"] = form.Get("text")
	for _, k := range []string{"blocks", "metadata"} {
		if v := form.Get(k); v != "" {
			var x any
			if err := json.Unmarshal([]byte(v), &x); err != nil {
				t.Errorf("bad %s %q: %v", k, v, err)
			}
			m[k] = x
		}
	}
}

// writePage answers a cursor-paginated method with a page of items: the
// form's limit (default 100) from the offset its cursor names.
func writePage(w http.ResponseWriter, form url.Values, key string, items []map[string]any) {
	limit, err := strconv.Atoi(form.Get("limit"))
	if err != nil || limit <= 0 {
		limit = 100
	}
	from, _ := strconv.Atoi(strings.TrimPrefix(form.Get("cursor"), "next:"))
	from = min(from, len(items))
	to := min(from+limit, len(items))
	next := ""
	if to < len(items) {
		next = "next:" + strconv.Itoa(to)
	}
	out, _ := json.Marshal(map[string]any{
		"ok": true, key: items[from:to], "has_more": next != "",
		"response_metadata": map[string]any{"next_cursor": next},
	})
	w.Write(out)
}

// called returns the recorded calls of method.
func (f *fakeSlack) called(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// posts returns the messages posted in thread ts of channel; failed calls
// posted nothing.
func (f *fakeSlack) posts(channel, thread string) []apiCall {
	var out []apiCall
	for _, c := range f.called("chat.postMessage") {
		if !c.Failed && c.Form.Get("channel") == channel && c.Form.Get("thread_ts") == thread {
			out = append(out, c)
		}
	}
	return out
}

// reactions returns the emoji added to message ts.
func (f *fakeSlack) reactions(ts string) []string {
	var out []string
	for _, c := range f.called("reactions.add") {
		if c.Form.Get("timestamp") == ts {
			out = append(out, c.Form.Get("name"))
		}
	}
	return out
}

// sign adds Slack's v0 signature headers to r for body, at time at.
func sign(r *http.Request, body []byte, secret string, at time.Time) {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	r.Header.Set("X-Slack-Request-Timestamp", ts)
	r.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

// slackRequest posts a signed request to h and returns the response.
func slackRequest(t testing.TB, h http.Handler, path, contentType string, body []byte, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
	r.Header.Set("Content-Type", contentType)
	for k, v := range header {
		r.Header[k] = v
	}
	if r.Header.Get("X-Slack-Signature") == "" {
		sign(r, body, testSecret, time.Now())
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// messageEvent is an Events API message callback.
func messageEvent(eventID, channel, user, text, ts, thread string) []byte {
	inner := map[string]any{"type": "message", "channel": channel, "user": user, "text": text, "ts": ts, "channel_type": "channel"}
	if thread != "" {
		inner["thread_ts"] = thread
	}
	if strings.HasPrefix(channel, "D") {
		inner["channel_type"] = "im"
	}
	return callbackBody(eventID, inner)
}

func callbackBody(eventID string, inner map[string]any) []byte {
	b, err := json.Marshal(map[string]any{
		"type": "event_callback", "team_id": testTeam, "event_id": eventID, "event_time": time.Now().Unix(), "event": inner,
	})
	if err != nil {
		panic(err)
	}
	return b
}

func postEvent(t testing.TB, h http.Handler, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	return slackRequest(t, h, "/slack/events", "application/json", body, nil)
}

// clickButton posts a block_actions interaction for action id by user.
func clickButton(t testing.TB, h http.Handler, user, channel, msgTS, action string) *httptest.ResponseRecorder {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "trigger_id": "trig-" + action, "team": map[string]any{"id": testTeam},
		"user": map[string]any{"id": user}, "channel": map[string]any{"id": channel},
		"container": map[string]any{"type": "message", "message_ts": msgTS, "channel_id": channel},
		"actions":   []map[string]any{{"type": "button", "action_id": action, "block_id": "b", "value": "v"}},
	})
	form := url.Values{"payload": {string(payload)}}.Encode()
	return slackRequest(t, h, "/slack/interactive", "application/x-www-form-urlencoded", []byte(form), nil)
}

// submitResolve posts the Resolve… modal's view_submission.
func submitResolve(t testing.TB, h http.Handler, user string, id int64, category, domain, page, note string) *httptest.ResponseRecorder {
	t.Helper()
	sel := func(v string) map[string]any {
		return map[string]any{inputAction: map[string]any{"type": "static_select", "selected_option": map[string]any{"value": v}}}
	}
	txt := func(v string) map[string]any {
		return map[string]any{inputAction: map[string]any{"type": "plain_text_input", "value": v}}
	}
	payload, _ := json.Marshal(map[string]any{
		"type": "view_submission", "team": map[string]any{"id": testTeam}, "user": map[string]any{"id": user},
		"view": map[string]any{
			"callback_id": resolveCallback, "private_metadata": strconv.FormatInt(id, 10),
			"state": map[string]any{"values": map[string]any{
				blockCategory: sel(category), blockDomain: sel(domain), blockPage: txt(page), blockNote: txt(note),
			}},
		},
	})
	form := url.Values{"payload": {string(payload)}}.Encode()
	return slackRequest(t, h, "/slack/interactive", "application/x-www-form-urlencoded", []byte(form), nil)
}

// slashCommand posts /koban TEXT.
func slashCommand(t testing.TB, h http.Handler, user, channel, text string) *httptest.ResponseRecorder {
	t.Helper()
	form := url.Values{
		"command": {"/koban"}, "text": {text}, "user_id": {user}, "channel_id": {channel},
		"team_id": {testTeam}, "trigger_id": {"trig-" + strconv.FormatInt(time.Now().UnixNano(), 36)},
	}.Encode()
	return slackRequest(t, h, "/slack/commands", "application/x-www-form-urlencoded", []byte(form), nil)
}

// blocksOf decodes the blocks form field of a chat.postMessage call.
func blocksOf(t testing.TB, c apiCall) []map[string]any {
	t.Helper()
	var blocks []map[string]any
	if err := json.Unmarshal([]byte(c.Form.Get("blocks")), &blocks); err != nil {
		t.Fatalf("blocks of %s: %v", c.Method, err)
	}
	return blocks
}

// textOf concatenates every string in the blocks of a chat.postMessage
// call, decoded: what Slack would render.
func textOf(t testing.TB, c apiCall) string {
	t.Helper()
	var b strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			b.WriteString(v + "\n")
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	for _, bl := range blocksOf(t, c) {
		walk(bl)
	}
	return b.String()
}

// actionIDs lists the action ids of the buttons in blocks.
func actionIDs(blocks []map[string]any) []string {
	var out []string
	for _, b := range blocks {
		els, _ := b["elements"].([]any)
		for _, e := range els {
			if m, ok := e.(map[string]any); ok && m["type"] == "button" {
				out = append(out, fmt.Sprint(m["action_id"]))
			}
		}
	}
	return out
}

// waitFor polls cond until it holds or a few seconds pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
