package metrics

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kobanhq/koban"
)

// Write writes the report to w as Markdown ("md"), CSV ("csv") or JSON
// ("json"). An unknown format is an EInvalid error.
func Write(w io.Writer, r *Report, format string) error {
	switch format {
	case "md", "markdown":
		return WriteMarkdown(w, r)
	case "csv":
		return WriteCSV(w, r)
	case "json":
		return WriteJSON(w, r)
	}
	return errInvalidFormat(format)
}

func errInvalidFormat(format string) error {
	return koban.Errorf(koban.EInvalid, "report format %q: want md, csv, json, png or svg", format)
}

// WriteJSON writes the report as indented JSON. Durations are in seconds.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// MarshalJSON writes the durations in seconds.
func (d Durations) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		N      int     `json:"n"`
		Median float64 `json:"median_seconds"`
		P90    float64 `json:"p90_seconds"`
	}{d.N, d.Median.Seconds(), d.P90.Seconds()})
}

// MarshalJSON adds the reply target, in seconds.
func (t ReplyTimes) MarshalJSON() ([]byte, error) {
	type plain ReplyTimes
	return json.Marshal(struct {
		plain
		Target float64 `json:"target_seconds"`
	}{plain(t), t.Target.Seconds()})
}

// formatNumber formats a number with up to six decimals, without float noise.
func formatNumber(f float64) string {
	return strconv.FormatFloat(math.Round(f*1e6)/1e6, 'f', -1, 64)
}

// formatShare formats a share in [0,1] as a percentage with one decimal.
func formatShare(s float64) string { return strconv.FormatFloat(s*100, 'f', 1, 64) + "%" }

// formatFloat formats a number with at most one decimal.
func formatFloat(f float64) string {
	if f == math.Trunc(f) {
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	return strconv.FormatFloat(f, 'f', 1, 64)
}

// formatDuration formats a duration to at most two units: 5.5s, 12m 30s,
// 3h 05m, 2d 04h; whole hours and minutes as 24h, 3h, 15m.
func formatDuration(d time.Duration) string {
	if d < 0 {
		return "-" + formatDuration(-d)
	}
	switch {
	case d < time.Minute:
		return strconv.FormatFloat(d.Round(100*time.Millisecond).Seconds(), 'f', -1, 64) + "s"
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d < time.Hour && d%time.Minute == 0:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	d = d.Round(time.Second)
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %02dh", int(d.Hours())/24, int(d.Hours())%24)
}

// formatDurationN formats a duration, or a dash when nothing was measured.
func formatDurationN(n int, d time.Duration) string {
	if n == 0 {
		return "-"
	}
	return formatDuration(d)
}

func formatValue(u Unit, v float64) string {
	switch u {
	case UnitShare:
		return formatShare(v)
	case UnitDuration:
		return formatDuration(time.Duration(v * float64(time.Second)))
	}
	return formatFloat(v)
}

// formatChange formats a change: percentage points for shares, a signed
// duration for durations, a signed count and its relative change otherwise.
func formatChange(c Change) string {
	if c.NoCurrent || c.NoPrevious {
		return "-"
	}
	sign := func(f float64) string {
		if f > 0 {
			return "+"
		}
		return ""
	}
	switch c.Unit {
	case UnitShare:
		return sign(c.Delta) + strconv.FormatFloat(c.Delta*100, 'f', 1, 64) + " pt"
	case UnitDuration:
		return sign(c.Delta) + formatDuration(time.Duration(c.Delta*float64(time.Second)))
	}
	s := sign(c.Delta) + formatFloat(c.Delta)
	if c.Relative != nil {
		s += " (" + sign(*c.Relative) + strconv.FormatFloat(*c.Relative*100, 'f', 1, 64) + "%)"
	}
	return s
}

func formatIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = "#" + strconv.FormatInt(id, 10)
	}
	return strings.Join(s, " ")
}
