package web

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxExport bounds how many inquiries one export holds, newest first.
const maxExport = 10000

// exported is one inquiry in an export: what the inquiries page shows and
// what a spreadsheet needs to count it.
type exported struct {
	ID            int64     `json:"id"`
	CreatedAt     time.Time `json:"created_at"`
	Source        string    `json:"source"`
	Channel       string    `json:"channel"`
	AskedBy       string    `json:"asked_by"`
	AskedByName   string    `json:"asked_by_name,omitempty"`
	State         string    `json:"state"`
	Label         string    `json:"label"`
	HumanLabelled bool      `json:"human_labelled"`
	Domain        string    `json:"domain"`
	Rotation      string    `json:"rotation"`
	Assignee      string    `json:"assignee"`
	Urgent        bool      `json:"urgent"`
	Text          string    `json:"text"`
	Link          string    `json:"link,omitempty"`
}

var exportColumns = []string{"id", "created_at", "source", "channel", "asked_by", "asked_by_name", "state", "label",
	"human_labelled", "domain", "rotation", "assignee", "urgent", "text", "link"}

func (e exported) row(loc *time.Location) []string {
	return []string{strconv.FormatInt(e.ID, 10), e.CreatedAt.In(loc).Format(time.RFC3339), e.Source, e.Channel,
		e.AskedBy, e.AskedByName, e.State, e.Label, strconv.FormatBool(e.HumanLabelled), e.Domain, e.Rotation,
		e.Assignee, strconv.FormatBool(e.Urgent), e.Text, e.Link}
}

// export serves /inquiries.csv and /inquiries.json: the inquiries the list
// shows with the same filters and search, without paging, and only those
// the person may see.
func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	_, f, err := s.listFilter(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.Limit = maxExport
	list, err := s.deps.Inquiries.Inquiries(r.Context(), f)
	if err != nil {
		s.fail(w, r, fmt.Errorf("export inquiries: %w", err))
		return
	}
	list = s.visible(r, list)
	rows := make([]exported, 0, len(list))
	for _, q := range list {
		e := exported{ID: q.ID, CreatedAt: q.CreatedAt.In(s.loc), Source: string(q.Source), Channel: q.Channel,
			AskedBy: q.AskedBy, State: string(q.State), HumanLabelled: q.HumanLabelled(), Domain: string(q.Domain),
			Rotation: q.Rotation, Assignee: q.Assignee, Urgent: q.Urgent, Text: q.Text, Link: q.Permalink}
		if l := q.Label(); !l.IsZero() {
			e.Label = l.String()
		}
		if s.deps.Names != nil && q.AskedBy != "" {
			e.AskedByName = s.deps.Names.PersonName(r.Context(), q.AskedBy)
		}
		rows = append(rows, e)
	}
	name := "koban-inquiries-" + s.now().In(s.loc).Format("2006-01-02")
	w.Header().Set("Cache-Control", "no-store")
	if strings.HasSuffix(r.URL.Path, ".json") {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.json"`)
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			s.log.Warn("export inquiries as json", "err", err)
		}
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	cw := csv.NewWriter(w)
	cw.Write(exportColumns)
	for _, e := range rows {
		cells := e.row(s.loc)
		for i, c := range cells {
			cells[i] = inertCell(c)
		}
		cw.Write(cells)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.log.Warn("export inquiries as csv", "err", err)
	}
}

// inertCell keeps a spreadsheet from running a cell as a formula: a
// question typed as "=HYPERLINK(…)" stays text.
func inertCell(c string) string {
	if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
		return "'" + c
	}
	return c
}
