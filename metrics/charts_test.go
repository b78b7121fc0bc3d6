package metrics

import (
	"bytes"
	"encoding/xml"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golang/freetype/truetype"

	"github.com/kobanhq/koban"
)

// japaneseFont loads the system's Japanese font, or skips: CI installs
// Debian's fonts-ipaexfont-gothic.
func japaneseFont(t testing.TB) *truetype.Font {
	t.Helper()
	f, path, err := FindFont()
	if err != nil {
		t.Skipf("no Japanese font (apt-get install fonts-ipaexfont-gothic): %v", err)
	}
	t.Logf("font %s", path)
	return f
}

// colours counts the distinct colours of an image, up to limit.
func colours(img image.Image, limit int) int {
	seen := map[uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[r>>8<<16|g>>8<<8|bl>>8] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// saveCharts writes charts to $KOBAN_CHART_DIR when set, to look at them.
func saveCharts(t *testing.T, prefix string, cs []Chart) {
	dir := os.Getenv("KOBAN_CHART_DIR")
	if dir == "" {
		return
	}
	for _, c := range cs {
		if err := os.WriteFile(filepath.Join(dir, prefix+"-"+c.Name+"."+c.Format), c.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestChartsPNG(t *testing.T) {
	r := octoberReport(t)
	cs, err := NewCharter(japaneseFont(t)).Charts(r, "png")
	if err != nil {
		t.Fatal(err)
	}
	saveCharts(t, "october", cs)
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
		img, err := png.Decode(bytes.NewReader(c.Data))
		if err != nil {
			t.Errorf("chart %s is not a PNG: %v", c.Name, err)
			continue
		}
		if b := img.Bounds(); b.Dx() < 600 || b.Dy() < 300 {
			t.Errorf("chart %s is %dx%d, want at least 600x300", c.Name, b.Dx(), b.Dy())
		}
		// Bars, text and axes: a blank or one-colour image has a handful.
		if n := colours(img, 50); n < 20 {
			t.Errorf("chart %s has %d colours, want a drawn chart (20 or more)", c.Name, n)
		}
	}
	if got := strings.Join(names, ","); got != "volume,categories,domains,reply-times" {
		t.Errorf("charts = %s, want volume,categories,domains,reply-times", got)
	}
}

func TestChartsSVG(t *testing.T) {
	r := octoberReport(t)
	cs, err := NewCharter(nil).Charts(r, "svg")
	if err != nil {
		t.Fatal(err)
	}
	saveCharts(t, "october", cs)
	want := map[string][]string{
		"volume":      {"2026-09", "2026-10", "Inquiries per month"},
		"categories":  {"platform-only/required 43.0%", Unclassified},
		"domains":     {"iam", "database", "network"},
		"reply-times": {"&lt; 1 min", "first human response"},
	}
	for _, c := range cs {
		s := string(c.Data)
		if !strings.HasPrefix(strings.TrimSpace(s), "<svg") || !strings.Contains(s, "<path") {
			t.Errorf("chart %s is not an SVG drawing: %.80q", c.Name, s)
		}
		if err := wellFormed(c.Data); err != nil {
			t.Errorf("chart %s is not well-formed XML: %v", c.Name, err)
		}
		for _, w := range want[c.Name] {
			if !strings.Contains(s, w) {
				t.Errorf("chart %s does not show %q", c.Name, w)
			}
		}
	}
	if _, err := NewCharter(nil).Charts(r, "gif"); koban.ErrorCode(err) != koban.EInvalid {
		t.Errorf("Charts(gif) error = %v, want %s", err, koban.EInvalid)
	}
}

// TestChartsJapanese renders Japanese domain names: every glyph must be in
// the font (else it draws as a box), and the picture must differ from the
// one drawn with the Latin default font.
func TestChartsJapanese(t *testing.T) {
	font := japaneseFont(t)
	r := &Report{Month: "2026-10", Volume: Volume{Inquiries: 30}}
	for _, d := range []struct {
		name string
		n    int
	}{{"データベース", 12}, {"ネットワーク", 9}, {"監視", 6}, {"認証・認可", 3}} {
		r.Domains = append(r.Domains, Count{Name: d.name, Count: d.n, Share: float64(d.n) / 30})
		for _, c := range d.name {
			if font.Index(c) == 0 {
				t.Errorf("font has no glyph for %q", c)
			}
		}
	}
	ja, err := NewCharter(font).Chart(r, "domains", "png")
	if err != nil {
		t.Fatal(err)
	}
	latin, err := NewCharter(nil).Chart(r, "domains", "png")
	if err != nil {
		t.Fatal(err)
	}
	saveCharts(t, "japanese", []Chart{ja})
	if bytes.Equal(ja.Data, latin.Data) {
		t.Error("the Japanese-font chart is identical to the Latin-font one")
	}
	if _, err := png.Decode(bytes.NewReader(ja.Data)); err != nil {
		t.Errorf("Japanese chart is not a PNG: %v", err)
	}
}

// TestChartsInTheReportLanguage renders the charts of a Japanese report:
// titles, axis labels and legends are Japanese, and the Japanese font has
// a glyph for each of their characters.
func TestChartsInTheReportLanguage(t *testing.T) {
	cs, err := NewCharter(nil).Charts(octoberReportIn(t, "ja"), "svg")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"volume":      {"月ごとの問い合わせ数 (2026-10)"},
		"categories":  {"分類の内訳"},
		"domains":     {"問題の領域"},
		"reply-times": {"応答時間", "1分未満", "1〜10分", "3日超", "担当者の最初の応答", "koban の最初の応答"},
	}
	var words []string
	for _, c := range cs {
		for _, w := range want[c.Name] {
			words = append(words, w)
			if !strings.Contains(string(c.Data), w) {
				t.Errorf("Japanese chart %s does not show %q", c.Name, w)
			}
		}
		if strings.Contains(string(c.Data), "Reply times") || strings.Contains(string(c.Data), "min<") {
			t.Errorf("Japanese chart %s still has English labels", c.Name)
		}
	}
	font := japaneseFont(t)
	for _, w := range words {
		for _, r := range w {
			if r > 0x7f && font.Index(r) == 0 {
				t.Errorf("the Japanese font has no glyph for %q (in %q)", r, w)
			}
		}
	}
}

func TestFindFontMissing(t *testing.T) {
	if _, _, err := FindFont(filepath.Join(t.TempDir(), "none.ttf")); err == nil {
		t.Error("FindFont(missing file) = nil error")
	}
	bad := filepath.Join(t.TempDir(), "bad.ttf")
	os.WriteFile(bad, []byte("not a font"), 0o644)
	if _, _, err := FindFont(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("FindFont(not a font) error = %v, want one naming the file", err)
	}
}

func wellFormed(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
