package bot

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"regexp"
)

// CountErrors returns a transport for the Slack Web API client
// (Options.HTTPClient) that calls count once for each call that failed: no
// response, an HTTP error status (429 included), or Slack's {"ok": false}
// in a 200 response, which is how most Web API errors come. Counting here
// sees every call, whichever code path made it and however its error is
// then classified. A nil next is http.DefaultTransport.
func CountErrors(next http.RoundTripper, count func()) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return errorCounter{next: next, count: count}
}

type errorCounter struct {
	next  http.RoundTripper
	count func()
}

// notOK matches the start of a Web API response that reports an error.
// Slack writes "ok" first; the body is read no further than this peek.
var notOK = regexp.MustCompile(`^\s*\{\s*"ok"\s*:\s*false\b`)

// peekSize is how much of a response body is looked at.
const peekSize = 64

func (c errorCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	switch {
	case err != nil:
		c.count()
	case resp.StatusCode >= 400:
		c.count()
	case resp.Body != nil:
		br := bufio.NewReaderSize(resp.Body, peekSize)
		head, _ := br.Peek(peekSize) // a short body peeks short
		if notOK.Match(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))) {
			c.count()
		}
		resp.Body = readCloser{br, resp.Body}
	}
	return resp, err
}

// readCloser reads through the peeked buffer and closes the original body.
type readCloser struct {
	io.Reader
	io.Closer
}
