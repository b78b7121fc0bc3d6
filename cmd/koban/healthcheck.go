package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/kobanhq/koban"
)

// healthcheckFlags declares the flags of koban healthcheck and returns what runs it.
// koban healthcheck asks a running koban on this machine whether it is up,
// for container health checks: the distroless image has no shell or curl.
func healthcheckFlags(fs *flag.FlagSet, a *app) runner {
	path := fs.String("path", "/healthz", "endpoint to ask: /healthz (up) or /readyz (ready to answer)")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	return func(ctx context.Context, _ []string) error {
		u, err := localURL(a.cfg.HTTPAddr, *path)
		if err != nil {
			return err
		}
		return checkHealth(ctx, u, *timeout)
	}
}

// localURL is the URL of path on the koban listening on addr, reached over
// loopback when it listens on all interfaces.
func localURL(addr, path string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", koban.Errorf(koban.EInvalid, "healthcheck: http_addr (KOBAN_HTTP_ADDR) %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + path, nil
}

// checkHealth fails unless GET u answers 200 within timeout.
func checkHealth(ctx context.Context, u string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: GET %s: %s: %s", u, resp.Status, body)
	}
	return nil
}
