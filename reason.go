package koban

import (
	"encoding/json"
	"maps"

	"github.com/kobanhq/koban/internal/i18n"
)

// Reason is one signal behind a triage, for the on-call: a message of
// koban's catalogue (ID, filled from Data) so that each reader sees it in
// their language (In). Text is the reason in English, for logs and the
// evaluation's output. A reason recorded before koban kept IDs has only
// Text; it reads back from JSON as a plain string too.
type Reason struct {
	ID   string            `json:"id,omitempty"`
	Data map[string]string `json:"data,omitempty"`
	Text string            `json:"text"`
}

// Why returns the reason of catalogue message id with its data as
// key/value pairs: Why("why.llm", "Label", "docs-missing").
func Why(id string, kv ...string) Reason {
	var data map[string]string
	if len(kv) > 1 {
		data = make(map[string]string, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			data[kv[i]] = kv[i+1]
		}
	}
	r := Reason{ID: id, Data: data}
	r.Text = r.In(i18n.English)
	return r
}

// In says the reason in lang; a reason without an ID the catalogue knows
// is its Text.
func (r Reason) In(lang string) string {
	if r.ID == "" || !i18n.Has(r.ID) {
		return r.Text
	}
	var data i18n.Data
	if len(r.Data) > 0 {
		data = make(i18n.Data, len(r.Data))
		for k, v := range r.Data {
			data[k] = v
		}
	}
	return i18n.T(lang, r.ID, data)
}

func (r Reason) String() string { return r.Text }

// Map returns r with f applied to its text and the values of its data (to
// make links in them inert).
func (r Reason) Map(f func(string) string) Reason {
	r.Text = f(r.Text)
	if r.Data != nil {
		d := maps.Clone(r.Data)
		for k, v := range d {
			d[k] = f(v)
		}
		r.Data = d
	}
	return r
}

// UnmarshalJSON reads a reason, or the plain English string koban recorded
// before it kept reasons by ID.
func (r *Reason) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*r = Reason{Text: s}
		return nil
	}
	type plain Reason
	return json.Unmarshal(b, (*plain)(r))
}

// ReasonTexts returns the English texts of rs.
func ReasonTexts(rs []Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Text
	}
	return out
}
