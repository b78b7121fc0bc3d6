package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is where Debian's chromium package installs the browser.
const chromiumPath = "/usr/bin/chromium"

// newBrowser starts headless Chromium with a fresh profile, or skips the
// test when it is not installed (fails instead with KOBAN_REQUIRE_BROWSER=1).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("KOBAN_REQUIRE_BROWSER") == "1" {
			t.Fatalf("KOBAN_REQUIRE_BROWSER=1 but %s is missing: %v", chromiumPath, err)
		}
		t.Skipf("browser test skipped: %s is missing (apt-get install -y chromium, or set KOBAN_REQUIRE_BROWSER=1 to fail instead)", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-sync", true),
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	// The first action starts the browser and binds it to its context: it
	// gets no timeout, the test's actions do.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	ctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// artifactsDir is where screenshots go: $KOBAN_ARTIFACTS_DIR, else a
// temporary folder.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("KOBAN_ARTIFACTS_DIR")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifacts folder: %v", err)
	}
	return dir
}

// viewports are the widths the screenshots are taken at.
var viewports = []struct {
	name          string
	width, height int64
	mobile        bool
}{
	{"desktop", 1280, 900, false},
	{"phone", 390, 844, true},
}

// screenshots saves a full-page PNG of the current page at each viewport.
func screenshots(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	for _, vp := range viewports {
		emulate := chromedp.EmulateViewport(vp.width, vp.height)
		if vp.mobile {
			emulate = chromedp.EmulateViewport(vp.width, vp.height, chromedp.EmulateScale(2), chromedp.EmulateMobile)
		}
		if err := chromedp.Do(ctx, emulate, chromedp.Sleep(200*time.Millisecond)); err != nil {
			t.Fatalf("emulate %s: %v", vp.name, err)
		}
		// Nothing may stick out sideways: a phone would have to scroll.
		widths := run(t, ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
		if len(widths) == 2 && widths[0] > widths[1] {
			t.Errorf("%s at %s width: the page is %dpx wide in a %dpx window", name, vp.name, widths[0], widths[1])
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s (%s): %v", name, vp.name, err)
		}
		path := filepath.Join(dir, fmt.Sprintf("%s-%s.png", name, vp.name))
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatalf("save screenshot: %v", err)
		}
		t.Logf("screenshot: %s (%d bytes)", path, len(png))
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("reset viewport: %v", err)
	}
}

// TestBrowser drives the dashboard in headless Chromium over a seeded
// database: it asks in the playground and sees the answer with its sources,
// marks it solved, and reads the monthly report with its rendered charts.
func TestBrowser(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, envOpts{})
	e.seed()
	base := serveHTTP(t, e)
	dir := artifactsDir(t)

	// The playground: ask, see the answer with citations.
	const question = "How do I request a database for my service?"
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#text")),
		chromedp.SendKeys(chromedp.CSS("#text"), question),
		chromedp.Click(chromedp.CSS("form.ask button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#reply .cites")),
	)
	if err != nil {
		t.Fatalf("ask in the playground: %v", err)
	}
	replyText := run(t, ctx, chromedp.Text(chromedp.CSS("#reply")))
	firstHref := run(t, ctx, chromedp.AttributeValue(chromedp.CSS("#reply .cites a"), "href")).Value
	citations := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('#reply .cites li').length`))
	if url := run(t, ctx, chromedp.Location()); !strings.Contains(url, "/ask/") {
		t.Errorf("after asking the browser is at %s, want the thread /ask/{id}", url)
	}
	if citations == 0 || !strings.HasPrefix(firstHref, "https://docs.example.com/") {
		t.Errorf("the answer shows %d citations, the first linking %q; want sample-docs links", citations, firstHref)
	}
	if !strings.Contains(strings.ToLower(replyText), "database") || !strings.Contains(strings.ToLower(replyText), "sources") {
		t.Errorf("the reply does not read like an answer about databases with sources: %.400q", replyText)
	}
	screenshots(t, ctx, dir, "playground")

	// The same buttons as Slack: Solved resolves it.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action$="/solved"] button`)),
		chromedp.WaitVisible(chromedp.CSS("p.done")),
	)
	if err != nil {
		t.Fatalf("click Solved: %v", err)
	}
	if done := run(t, ctx, chromedp.Text(chromedp.CSS("p.done"))); !strings.Contains(done, "self-solvable/answered") {
		t.Errorf("after Solved the thread says %q, want it resolved as self-solvable/answered", done)
	}

	// The report of the seeded month: figures and rendered charts.
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/report?month=2026-10"),
		chromedp.WaitVisible(chromedp.CSS(".figures")),
	)
	if err != nil {
		t.Fatalf("open the report: %v", err)
	}
	figures := run(t, ctx, chromedp.Text(chromedp.CSS(".figures")))
	run(t, ctx, chromedp.Poll[bool](`Array.from(document.querySelectorAll('.chart img')).every(i => i.complete)`, chromedp.WithPollingTimeout(20*time.Second)))
	chartWidths := run(t, ctx, chromedp.Evaluate[[]int](`Array.from(document.querySelectorAll('.chart img')).map(i => i.naturalWidth)`))
	if !strings.Contains(figures, "Inquiries") || !strings.Contains(figures, strconv.Itoa(len(seedQuestions))) {
		t.Errorf("report figures %q lack the month's %d inquiries", figures, len(seedQuestions))
	}
	if len(chartWidths) != len(chartNames) {
		t.Errorf("report shows %d charts, want %d", len(chartWidths), len(chartNames))
	}
	for i, w := range chartWidths {
		if w == 0 {
			t.Errorf("chart %s did not render (natural width 0)", chartNames[i])
		}
	}
	screenshots(t, ctx, dir, "report")

	// An outage is escalated to the on-call, with the Acknowledge and
	// Resolve controls of Slack.
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/ask"),
		chromedp.WaitVisible(chromedp.CSS("#text")),
		chromedp.SendKeys(chromedp.CSS("#text"), "Our production database is down since 10 minutes, please help!"),
		chromedp.Click(chromedp.CSS("form.ask button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#reply.escalation")),
		chromedp.Click(chromedp.CSS("details.pop summary")),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/resolve"] select[name=label]`)),
	)
	if err != nil {
		t.Fatalf("ask about an outage: %v", err)
	}
	if esc := run(t, ctx, chromedp.Text(chromedp.CSS("#reply"))); !strings.Contains(esc, "I have brought in @U") {
		t.Errorf("the escalation does not name the on-call: %.300q", esc)
	}
	screenshots(t, ctx, dir, "escalation")

	// The other pages render in the browser too.
	for _, p := range []struct{ path, name, wait string }{
		{"/inquiries?month=2026-10", "inquiries", "table.list"},
		{"/inquiries/7", "inquiry", ".timeline"},
		{"/oncall", "oncall", ".rotation"},
		{"/gaps?month=2026-10", "gaps", ".gap"},
	} {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait))); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("open %s: timed out waiting for %s", p.path, p.wait)
			}
			t.Fatalf("open %s: %v", p.path, err)
		}
		screenshots(t, ctx, dir, p.name)
	}
}

// serveHTTP serves the env's dashboard on a loopback port until the test
// ends and returns its base URL.
func serveHTTP(t *testing.T, e *env) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- e.srv.Serve(sctx, ln) }()
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// run runs one browser action and returns its value, failing the test on error.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return v
}
