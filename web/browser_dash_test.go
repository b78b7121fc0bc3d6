package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kobanhq/koban"
)

// cellsOnScreen checks, at a phone's viewport, that every table.cards row
// shows every column: as many cells as headers, each with a size, inside
// the window and labelled with its column's name, so nothing is hidden,
// off to the side or a bare value.
const cellsOnScreen = `(() => {
  const out = [];
  for (const table of document.querySelectorAll('table.cards')) {
    const cols = table.querySelectorAll('thead th').length;
    table.querySelectorAll('tbody tr').forEach((tr, i) => {
      const cells = Array.from(tr.children);
      if (cells.length !== cols) out.push('row ' + i + ' has ' + cells.length + ' cells for ' + cols + ' columns');
      cells.forEach((td, j) => {
        const r = td.getBoundingClientRect();
        const style = getComputedStyle(td);
        if (r.width <= 0 || r.height <= 0 || style.visibility === 'hidden' || style.display === 'none')
          out.push('row ' + i + ' column ' + j + ' is hidden');
        else if (r.left < -0.5 || r.right > window.innerWidth + 0.5)
          out.push('row ' + i + ' column ' + j + ' lies outside the window: ' + Math.round(r.left) + '..' + Math.round(r.right));
        // On a phone each value is shown with its column's name.
        const label = getComputedStyle(td, '::before').content;
        if (!td.dataset.label || label !== JSON.stringify(td.dataset.label))
          out.push('row ' + i + ' column ' + j + ' does not show its column name (' + label + ')');
      });
    });
  }
  return out;
})()`

// TestBrowserDashboard drives the dashboard, the search and the export in
// headless Chromium, in English and Japanese, and checks that every column
// of the inquiries and on-call tables is on screen on a 390 px phone.
func TestBrowserDashboard(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, envOpts{})
	e.seed()
	all, err := e.store.Inquiries(context.Background(), storeFilter())
	if err != nil {
		t.Fatal(err)
	}
	kafka := 0
	for _, q := range all {
		if strings.Contains(strings.ToLower(q.Text), "kafka") {
			kafka++
		}
		if q.State == koban.StateAnswered {
			if _, err := e.desk.NeedHuman(context.Background(), q.ID, q.AskedBy); err != nil {
				t.Fatal(err)
			}
		}
	}
	base := serveHTTP(t, e)
	dir := artifactsDir(t)

	// The dashboard: who waits for a person, who is on call, this month.
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(".waiting")),
	)
	if err != nil {
		t.Fatalf("open the dashboard: %v", err)
	}
	waiting := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('.waiting tbody tr').length`))
	onCall := run(t, ctx, chromedp.Text(chromedp.CSS(`section[aria-labelledby="oncall-h"]`)))
	figures := run(t, ctx, chromedp.Text(chromedp.CSS(".figures")))
	if waiting == 0 {
		t.Error("the dashboard lists nothing waiting for a person")
	}
	if !strings.Contains(strings.ToLower(onCall), "platform") || !strings.Contains(onCall, "@U") {
		t.Errorf("the dashboard's on-call says %q", onCall)
	}
	if !strings.Contains(figures, "Inquiries") {
		t.Errorf("the dashboard's figures say %q", figures)
	}
	screenshots(t, ctx, dir, "dashboard")

	// Search from the dashboard.
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#home-q"), "kafka"),
		chromedp.Submit(chromedp.CSS("#home-q")),
		chromedp.WaitVisible(chromedp.CSS("table.inquiries")),
	)
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	if rows := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('table.inquiries tbody tr').length`)); rows != kafka || kafka == 0 {
		t.Errorf("the search lists %d inquiries, want the %d that mention kafka", rows, kafka)
	}
	screenshots(t, ctx, dir, "search")

	// Export the search as CSV with the link on the page (the page's CSP
	// lets no script fetch: the test follows the link itself).
	href := run(t, ctx, chromedp.AttributeValue(chromedp.CSS(`a[href^="/inquiries.csv"]`), "href")).Value
	resp, err := http.Get(base + href)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(resp.Body).ReadAll()
	resp.Body.Close()
	if err != nil || len(recs) != kafka+1 || !strings.Contains(href, "q=kafka") {
		t.Errorf("the CSV export %s has %d records (%v), want a header and %d inquiries", href, len(recs), err, kafka)
	}

	// Every column on a phone, on the inquiries and the on-call pages.
	for _, path := range []string{"/inquiries?month=2026-10", "/oncall", "/"} {
		err := chromedp.Do(ctx,
			chromedp.Navigate(base+path),
			chromedp.WaitVisible(chromedp.CSS("table.cards")),
			chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		)
		if err != nil {
			t.Fatalf("open %s at 390 px: %v", path, err)
		}
		if bad := run(t, ctx, chromedp.Evaluate[[]string](cellsOnScreen)); len(bad) > 0 {
			t.Errorf("%s at 390 px: %s", path, strings.Join(bad, "; "))
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
			t.Fatal(err)
		}
	}

	// Japanese, by the switch; the page's lang follows.
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.Click(chromedp.CSS("a.lang")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="ja"] .waiting`)),
	)
	if err != nil {
		t.Fatalf("switch to Japanese: %v", err)
	}
	if nav := run(t, ctx, chromedp.Text(chromedp.CSS("nav"))); !strings.Contains(nav, "問い合わせ") || strings.Contains(nav, "Inquiries") {
		t.Errorf("the Japanese navigation reads %q", nav)
	}
	screenshots(t, ctx, dir, "dashboard-ja")
	// The choice sticks: the next page is Japanese too.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/oncall"), chromedp.WaitVisible(chromedp.CSS(`html[lang="ja"] .rotation`))); err != nil {
		t.Fatalf("the on-call page after the switch: %v", err)
	}
	screenshots(t, ctx, dir, "oncall-ja")
}
