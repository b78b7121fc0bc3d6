package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestLocalURL(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"0.0.0.0:8080", "http://127.0.0.1:8080/healthz"},
		{":9090", "http://127.0.0.1:9090/healthz"},
		{"[::]:8080", "http://127.0.0.1:8080/healthz"},
		{"127.0.0.1:8080", "http://127.0.0.1:8080/healthz"},
		{"10.0.0.5:80", "http://10.0.0.5:80/healthz"},
	}
	for _, tt := range tests {
		if got, err := localURL(tt.addr, "/healthz"); err != nil || got != tt.want {
			t.Errorf("localURL(%q) = %q, %v; want %q", tt.addr, got, err, tt.want)
		}
	}
	if _, err := localURL("8080", "/healthz"); err == nil {
		t.Error("localURL(\"8080\"): no error for an address without a port")
	}
}

// TestHealthcheck runs koban healthcheck against a server answering 200,
// one answering 503 and a port nobody listens on.
func TestHealthcheck(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer ok.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not ready", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()

	tests := []struct {
		name, addr string
		wantErr    string
	}{
		{"up", strings.TrimPrefix(ok.URL, "http://"), ""},
		{"unhealthy", strings.TrimPrefix(down.URL, "http://"), "503"},
		{"nobody listening", closed, "connect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				return map[string]string{"KOBAN_HTTP_ADDR": tt.addr, "KOBAN_DATA_DIR": t.TempDir()}[k]
			}
			var out, errb bytes.Buffer
			err := run(context.Background(), []string{"healthcheck"}, getenv, &out, &errb)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("koban healthcheck against a healthy server: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("koban healthcheck = %v, want an error with %q", err, tt.wantErr)
			}
		})
	}
}
