package oncall

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/i18n"
)

// ICS renders shifts as an RFC 5545 iCalendar: one VEVENT per shift, times
// in UTC (Calendar.Render writes them in the rotation's zone), CRLF line ends, lines folded at 75 octets. UIDs are derived from
// the rotation, person and times, so calendar clients update rather than
// duplicate events across fetches. DTSTAMP is the shift start rather than
// the fetch time, so the same schedule always renders to the same bytes
// (and ETag).
func ICS(shifts []koban.Shift) []byte { return Calendar{}.Render(shifts) }

// Render renders shifts as ICS does, with each event in its rotation's time
// zone (TZID, with a VTIMEZONE) and people by name.
func (c Calendar) Render(shifts []koban.Shift) []byte {
	var b bytes.Buffer
	line := func(s string) { foldLine(&b, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//koban//on-call//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + escapeText(i18n.Say(c.Lang, "oncall.ics.name")))
	c.writeZones(&b, shifts)
	for _, sh := range shifts {
		who := c.person(sh.Person)
		summary := i18n.Say(c.Lang, "oncall.ics.summary_any", "Person", who)
		if sh.Rotation != "" {
			summary = i18n.Say(c.Lang, "oncall.ics.summary", "Rotation", sh.Rotation, "Person", who)
		}
		desc := i18n.Say(c.Lang, "oncall.ics.description", "Rotation", sh.Rotation, "Person", who)
		if sh.Override {
			summary += i18n.Say(c.Lang, "oncall.list_override")
			desc += i18n.Say(c.Lang, "oncall.ics.description_override")
		}
		line("BEGIN:VEVENT")
		line("UID:" + shiftUID(sh))
		line("DTSTAMP:" + icsTime(sh.Start))
		line(c.timeProp("DTSTART", sh.Start, sh.Rotation))
		line(c.timeProp("DTEND", sh.End, sh.Rotation))
		line("SUMMARY:" + escapeText(summary))
		line("DESCRIPTION:" + escapeText(desc))
		line("TRANSP:TRANSPARENT")
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.Bytes()
}

// shiftUID is stable for the same shift across fetches.
func shiftUID(sh koban.Shift) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%d|%d", sh.Rotation, sh.Person, sh.Start.Unix(), sh.End.Unix())))
	return hex.EncodeToString(sum[:12]) + "@koban"
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// escapeText escapes a TEXT value (RFC 5545 section 3.3.11).
func escapeText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`).Replace(s)
}

// foldLine writes s with CRLF, folded into lines of at most 75 octets
// without splitting a UTF-8 sequence (RFC 5545 section 3.1).
func foldLine(b *bytes.Buffer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}

// CalendarHandler serves /oncall.ics: the shifts of every rotation, or of
// one with ?rotation=NAME, from a week ago to Horizon ahead. now is the
// clock (time.Now in production).
func (s *Service) CalendarHandler(now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx := req.Context()
		t := now()
		from, to := t.Add(-7*24*time.Hour), t.Add(s.Horizon)
		sch, err := s.Schedule(ctx, from, to)
		if err != nil {
			s.log.Error("oncall calendar", "err", err)
			http.Error(w, "the schedule is unavailable; try again later", http.StatusServiceUnavailable)
			return
		}
		var shifts []koban.Shift
		if name := req.URL.Query().Get("rotation"); name != "" {
			shifts, err = sch.Shifts(name, from, to)
		} else {
			shifts, err = sch.AllShifts(from, to)
		}
		switch koban.ErrorCode(err) {
		case "":
		case koban.ENotFound:
			http.Error(w, koban.ErrorMessage(err), http.StatusNotFound)
			return
		default:
			s.log.Error("oncall calendar", "err", err)
			http.Error(w, koban.ErrorMessage(err), http.StatusInternalServerError)
			return
		}
		body := s.calendarFor(ctx, sch).Render(shifts)
		sum := sha256.Sum256(body)
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
		w.Header().Set("Cache-Control", "max-age=300")
		http.ServeContent(w, req, "oncall.ics", time.Time{}, bytes.NewReader(body))
	})
}
