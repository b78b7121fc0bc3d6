package metrics

import (
	"errors"
	"fmt"
	"html"
	"io/fs"
	"os"
	"strconv"

	"github.com/go-analyze/charts"
	"github.com/golang/freetype/truetype"

	"github.com/kobanhq/koban/internal/i18n"
)

// Chart is one rendered chart of a report.
type Chart struct {
	Name   string // "volume", "categories", "domains" or "reply-times"
	Title  string
	Format string // "png" or "svg"
	Data   []byte
}

// FontPaths returns where Debian and Ubuntu install a Japanese gothic font
// (packages fonts-ipaexfont-gothic and fonts-ipafont-gothic), best first.
func FontPaths() []string {
	return []string{
		"/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
		"/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
		"/usr/share/fonts/opentype/ipafont-gothic/ipagp.ttf",
		"/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
	}
}

// LoadFont reads a TrueType font file.
func LoadFont(path string) (*truetype.Font, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	f, err := truetype.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", path, err)
	}
	return f, nil
}

// FindFont loads the first of paths that exists (FontPaths when none are
// given) and returns it with its path. Without any, it returns an
// fs.ErrNotExist error: charts then fall back to a Latin font, in which
// Japanese labels render as boxes.
func FindFont(paths ...string) (*truetype.Font, string, error) {
	if len(paths) == 0 {
		paths = FontPaths()
	}
	for _, p := range paths {
		f, err := LoadFont(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return f, p, err
	}
	return nil, "", fmt.Errorf("no Japanese font in %v (install fonts-ipaexfont-gothic): %w", paths, fs.ErrNotExist)
}

// Charter renders a report's charts.
type Charter struct {
	font *truetype.Font
}

// NewCharter returns a Charter that writes labels in font (nil: the charts
// library's Latin default).
func NewCharter(font *truetype.Font) *Charter { return &Charter{font: font} }

// chartNames lists the charts Charts renders, in order.
var chartNames = []string{"volume", "categories", "domains", "reply-times"}

// Charts renders the volume series, the category split, the domain split
// and the reply-time distribution, as "png" (for Slack) or "svg" (for the
// web). An unknown format is an EInvalid error.
func (c *Charter) Charts(r *Report, format string) ([]Chart, error) {
	if format != charts.ChartOutputPNG && format != charts.ChartOutputSVG {
		return nil, errInvalidFormat(format)
	}
	out := make([]Chart, 0, len(chartNames))
	for _, name := range chartNames {
		ch, err := c.Chart(r, name, format)
		if err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	return out, nil
}

// Chart renders one chart by name (see Charts).
func (c *Charter) Chart(r *Report, name, format string) (Chart, error) {
	var (
		opt   charts.BarChartOption
		title string
		w, h  = 800, 420
	)
	switch name {
	case "volume":
		title = i18n.Say(r.Language, "report.chart.volume")
		labels := make([]string, len(r.Volume.History))
		values := make([]float64, len(r.Volume.History))
		for i, m := range r.Volume.History {
			labels[i], values[i] = m.Month, float64(m.Count)
		}
		opt = barOption(labels, [][]float64{values}, nil)
		opt.SeriesList[0].MarkLine = charts.NewMarkLine(charts.SeriesMarkTypeAverage)
		opt.CategoryAxis.LabelRotation = charts.DegreesToRadians(45)
	case "categories":
		title = i18n.Say(r.Language, "report.chart.categories")
		labels := make([]string, len(r.Categories.Five))
		values := make([]float64, len(r.Categories.Five))
		for i, l := range r.Categories.Five {
			labels[i] = l.Label + " " + formatShare(l.Share)
			values[i] = float64(l.Count)
		}
		opt = hbarOption(labels, values)
	case "domains":
		title = i18n.Say(r.Language, "report.chart.domains")
		labels := make([]string, len(r.Domains))
		values := make([]float64, len(r.Domains))
		for i, d := range r.Domains {
			labels[i] = d.Name
			values[i] = float64(d.Count)
		}
		opt = hbarOption(labels, values)
		h = max(h, 120+28*len(labels))
	case "reply-times":
		title = i18n.Say(r.Language, "report.chart.reply_times")
		b := r.ReplyTimes.Buckets
		labels := make([]string, len(b))
		series := make([][]float64, 3)
		for i := range series {
			series[i] = make([]float64, len(b))
		}
		for i, x := range b {
			labels[i] = i18n.Reword(r.Language, "report.bucket.", x.Label)
			series[0][i] = float64(x.FirstResponse)
			series[1][i] = float64(x.FirstHuman)
			series[2][i] = float64(x.Resolution)
		}
		opt = barOption(labels, series, []string{i18n.Say(r.Language, "report.row.first_response"),
			i18n.Say(r.Language, "report.row.first_human"), i18n.Say(r.Language, "report.row.resolution")})
		opt.Legend.Offset = charts.OffsetStr{Left: charts.PositionRight, Top: "30"}
		opt.Padding.Top = 40
		w = 900
		opt.CategoryAxis.LabelFontStyle = charts.NewFontStyleWithSize(11)
	default:
		return Chart{}, fmt.Errorf("chart %q: want one of %v", name, chartNames)
	}
	opt.Title = charts.TitleOption{Text: title + " (" + r.Month + ")", FontStyle: charts.NewFontStyleWithSize(16)}
	if format == charts.ChartOutputSVG {
		// The library writes SVG text unescaped: a label with < or & would
		// break the document.
		opt.Title.Text = html.EscapeString(opt.Title.Text)
		for i, l := range opt.CategoryAxis.Labels {
			opt.CategoryAxis.Labels[i] = html.EscapeString(l)
		}
		for i, l := range opt.Legend.SeriesNames {
			opt.Legend.SeriesNames[i] = html.EscapeString(l)
		}
	}
	opt.ValueFormatter = intLabel
	opt.ValueAxis = []charts.ValueAxisOption{{ValueFormatter: intLabel, Min: charts.Ptr(0.0), LabelCount: 6}}
	opt.CategoryAxis.LabelCount = len(opt.CategoryAxis.Labels)
	c.setFont(&opt)
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: format, Width: w, Height: h, Font: c.font})
	if err := p.BarChart(opt); err != nil {
		return Chart{}, fmt.Errorf("chart %s: %w", name, err)
	}
	b, err := p.Bytes()
	if err != nil {
		return Chart{}, fmt.Errorf("chart %s: %w", name, err)
	}
	return Chart{Name: name, Title: title, Format: format, Data: b}, nil
}

// setFont puts the Charter's font in every text style of opt: the library
// falls back to its global Latin default for axis labels even when the
// painter has a font.
func (c *Charter) setFont(opt *charts.BarChartOption) {
	if c.font == nil {
		return
	}
	opt.Title.FontStyle.Font = c.font
	opt.Legend.FontStyle.Font = c.font
	opt.CategoryAxis.LabelFontStyle.Font = c.font
	opt.CategoryAxis.TitleFontStyle.Font = c.font
	for i := range opt.ValueAxis {
		opt.ValueAxis[i].LabelFontStyle.Font = c.font
		opt.ValueAxis[i].TitleFontStyle.Font = c.font
	}
	for i := range opt.SeriesList {
		opt.SeriesList[i].Label.FontStyle.Font = c.font
	}
}

func barOption(labels []string, values [][]float64, names []string) charts.BarChartOption {
	opt := charts.NewBarChartOptionWithData(values)
	opt.CategoryAxis.Labels = labels
	opt.Padding = charts.Box{Top: 20, Right: 30, Bottom: 20, Left: 20}
	if len(names) > 0 {
		opt.Legend = charts.LegendOption{SeriesNames: names, Offset: charts.OffsetRight}
	}
	for i := range opt.SeriesList {
		opt.SeriesList[i].Label.Show = charts.Ptr(true)
		opt.SeriesList[i].Label.ValueFormatter = intLabel
	}
	return opt
}

func hbarOption(labels []string, values []float64) charts.BarChartOption {
	// Horizontal bars draw the first category at the bottom: reverse, so
	// the list reads top-down in report order.
	n := len(labels)
	rl, rv := make([]string, n), make([]float64, n)
	for i := range labels {
		rl[n-1-i], rv[n-1-i] = labels[i], values[i]
	}
	opt := barOption(rl, [][]float64{rv}, nil)
	opt.Horizontal = true
	opt.Padding = charts.Box{Top: 20, Right: 50, Bottom: 20, Left: 20}
	return opt
}

// intLabel formats counts; zero bars carry no label.
func intLabel(f float64) string {
	if f == 0 {
		return ""
	}
	return strconv.FormatFloat(f, 'f', 0, 64)
}
