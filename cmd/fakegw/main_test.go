package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/khompctl/khompctl/pkg/khomp"
)

func TestStartServesLoginAndCalls(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	srv, err := start(config{listen: "127.0.0.1:0", cert: "valid", caOut: ca, user: "u", pass: "p", reply: "normal",
		tokens: listFlag{"tok1"}, calls: listFlag{"ID1=Voice mail/Voice mail 1000Hz"}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := khomp.New(khomp.Options{VerifyTLS: true, CAFile: ca, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	token, err := c.SessionLogin(context.Background(), srv.AuthURL(), "u", "p")
	if err != nil || token != "tok1" {
		t.Fatalf("login: %q %v", token, err)
	}
	calls, err := c.CallList(context.Background(), srv.APIURL(), token, "KHOMP-Vicidial-ID", "ID1")
	if err != nil || len(calls) != 1 || calls[0].Fields["analyzer_pattern"] != "Voice mail 1000Hz" {
		t.Fatalf("calls: %+v %v", calls, err)
	}
	if _, err := os.Stat(ca); err != nil {
		t.Fatal(err)
	}
}

func TestStartRejectsBadFlags(t *testing.T) {
	for _, c := range []config{
		{listen: "127.0.0.1:0", cert: "valid", reply: "nonsense"},
		{listen: "127.0.0.1:0", cert: "valid", reply: "normal", script: listFlag{"bad"}},
		{listen: "127.0.0.1:0", cert: "weird", reply: "normal"},
		{listen: "127.0.0.1:0", cert: "valid", reply: "normal", calls: listFlag{"no-equals"}},
	} {
		if srv, err := start(c); err == nil {
			srv.Close()
			t.Errorf("%+v: no error", c)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("multi-line error %q", err)
		}
	}
}
