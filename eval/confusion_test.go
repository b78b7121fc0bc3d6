package eval

import (
	"math"
	"testing"

	"github.com/kobanhq/koban"
)

func TestConfusion(t *testing.T) {
	ss, dm, po := koban.SelfSolvable, koban.DocsMissing, koban.PlatformOnly
	c := Confusion{}
	// truth → predicted: 3 ss right, 1 ss as dm; 1 dm right, 1 dm as po; 2 po right.
	for _, p := range [][2]koban.Category{{ss, ss}, {ss, ss}, {ss, ss}, {ss, dm}, {dm, dm}, {dm, po}, {po, po}} {
		c.Add(p[0], p[1])
	}
	more := Confusion{}
	more.Add(po, po)
	c.Merge(more)
	if c.Cases() != 8 || !near(c.Accuracy(), 6.0/8) {
		t.Errorf("Cases, Accuracy = %d, %.4f; want 8, 0.75", c.Cases(), c.Accuracy())
	}
	tests := []struct {
		cat  koban.Category
		want Class
	}{
		{ss, Class{Precision: 1, Recall: 0.75, F1: 2 * 0.75 / 1.75, Support: 4}},
		{dm, Class{Precision: 0.5, Recall: 0.5, F1: 0.5, Support: 2}},
		{po, Class{Precision: 2.0 / 3, Recall: 1, F1: 0.8, Support: 2}},
	}
	sum := 0.0
	for _, tt := range tests {
		got := c.Class(tt.cat)
		if !near(got.Precision, tt.want.Precision) || !near(got.Recall, tt.want.Recall) || !near(got.F1, tt.want.F1) || got.Support != tt.want.Support {
			t.Errorf("Class(%s) = %+v, want %+v", tt.cat, got, tt.want)
		}
		sum += tt.want.F1
	}
	if got := c.MacroF1(); math.Abs(got-sum/3) > 1e-9 {
		t.Errorf("MacroF1() = %.4f, want %.4f", got, sum/3)
	}
	if got := (Confusion{}).Class(ss); got != (Class{}) {
		t.Errorf("empty Class() = %+v, want zero", got)
	}
}
