package metrics

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/kobanhq/koban"
)

// Percentile returns the p-th percentile (p in [0,100]) of sorted values,
// interpolating linearly between the closest ranks (the definition of
// spreadsheets and NumPy's default): with n values the percentile sits at
// rank p/100·(n-1). It returns 0 for no values.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	switch n := len(sorted); {
	case n == 0:
		return 0
	case n == 1 || p <= 0:
		return sorted[0]
	case p >= 100:
		return sorted[n-1]
	}
	rank := p / 100 * float64(len(sorted)-1)
	lo := int(math.Floor(rank))
	frac := rank - float64(lo)
	if lo+1 >= len(sorted) {
		return sorted[lo]
	}
	a, b := float64(sorted[lo]), float64(sorted[lo+1])
	return time.Duration(math.Round(a + frac*(b-a)))
}

// summarise sorts ds in place and returns its median and 90th percentile.
func summarise(ds []time.Duration) Durations {
	slices.Sort(ds)
	return Durations{N: len(ds), Median: Percentile(ds, 50), P90: Percentile(ds, 90)}
}

// share returns n/total, or 0 when total is zero.
func share(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return float64(n) / float64(total)
}

// NewChange compares a figure with its value the month before.
func NewChange(name string, unit Unit, current, previous float64) Change {
	c := Change{Name: name, Unit: unit, Current: current, Previous: previous, Delta: current - previous}
	if previous != 0 {
		r := c.Delta / previous
		c.Relative = &r
	}
	return c
}

// MonthStart returns the first instant of the month t falls in, in loc.
func MonthStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
}

// ParseMonth parses "2026-10" as the first instant of that month in loc.
// A malformed month is an EInvalid error.
func ParseMonth(s string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01", s, loc)
	if err != nil {
		return time.Time{}, koban.Errorf(koban.EInvalid, "month %q: want YYYY-MM, such as 2026-10", s)
	}
	return t, nil
}

// monthKey formats the month of t (already in the report's zone) as "2006-01".
func monthKey(t time.Time) string { return t.Format("2006-01") }

// sortCounts orders counts by count, largest first, then by name.
func sortCounts(cs []Count) {
	slices.SortFunc(cs, func(a, b Count) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
}

// counts turns a name → count map into sorted Counts with shares of total.
func counts(m map[string]int, total int) []Count {
	cs := make([]Count, 0, len(m))
	for name, n := range m {
		cs = append(cs, Count{Name: name, Count: n, Share: share(n, total)})
	}
	sortCounts(cs)
	return cs
}

// measuredChange is NewChange for a figure that a month may not have
// measured at all (curN or prevN zero).
func measuredChange(name string, unit Unit, current float64, curN int, previous float64, prevN int) Change {
	if curN > 0 && prevN > 0 {
		return NewChange(name, unit, current, previous)
	}
	return Change{Name: name, Unit: unit, Current: current, Previous: previous, NoCurrent: curN == 0, NoPrevious: prevN == 0}
}
