package khomp

import (
	"context"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/khompctl/khompctl/internal/fakegw"
)

func stepOf(rep TLSReport, name string) (Step, bool) {
	for _, s := range rep.Steps {
		if s.Name == name {
			return s, true
		}
	}
	return Step{}, false
}

func TestCheckTLSScenarios(t *testing.T) {
	cases := []struct {
		kind     fakegw.CertKind
		failStep string // the step that fails when verifying ("" none)
		text     string // in that step's detail
	}{
		{fakegw.Valid, "", "trusted: CN=127.0.0.1 ← CN=khompctl test root"},
		{fakegw.ValidChain, "", "CN=khompctl test intermediate ← CN=khompctl test root"},
		{fakegw.SelfSign, "chain", "self-signed certificate"},
		{fakegw.UnknownCA, "chain", "unknown authority: the chain ends at root CN=untrusted root"},
		{fakegw.IncompleteCh, "chain", `incomplete chain or unknown authority: the server sent 1 certificate(s) and the issuer "CN=khompctl test intermediate`},
		{fakegw.Expired, "validity", "expired"},
		{fakegw.NotYetValid, "validity", "is not valid before"},
		{fakegw.WrongHost, "hostname", "certificate is for gateway.invalid, not 127.0.0.1"},
	}
	for _, c := range cases {
		t.Run(string(c.kind), func(t *testing.T) {
			e := newEnv(t, c.kind, fakegw.Options{})
			rep := CheckTLS(context.Background(), CheckOptions{URL: e.srv.APIURL(), Verify: true, RootCAs: e.pki.Root.Pool(), Timeout: 2 * time.Second, WarnDays: 30})
			if rep.CurlOK != (c.failStep == "") {
				t.Fatalf("CurlOK %v\n%+v", rep.CurlOK, rep.Steps)
			}
			for _, s := range rep.Steps {
				want := StepOK
				if s.Name == c.failStep {
					want = StepFail
				}
				if s.Name == "dns" {
					want = StepSkip
				}
				if s.Name == "http" && c.failStep != "" {
					want = StepFail // a verifying curl cannot get through either
				}
				if s.Result != want {
					t.Errorf("step %s = %s (%s), want %s", s.Name, s.Result, s.Detail, want)
				}
			}
			name := c.failStep
			if name == "" {
				name = "chain"
			}
			if s, ok := stepOf(rep, name); !ok || !strings.Contains(s.Detail, c.text) {
				t.Errorf("step %s detail %q should contain %q", name, s.Detail, c.text)
			}
			if p, ok := stepOf(rep, "protocol"); !ok || !strings.Contains(p.Detail, "TLS 1.3") {
				t.Errorf("protocol step %+v", p)
			}

			// check_ssl => 0: curl --insecure gets through; the defects
			// are still listed, as warnings.
			rep = CheckTLS(context.Background(), CheckOptions{URL: e.srv.APIURL(), Verify: false, RootCAs: e.pki.Root.Pool(), Timeout: 2 * time.Second})
			if !rep.CurlOK {
				t.Fatalf("insecure: CurlOK false\n%+v", rep.Steps)
			}
			if (len(rep.CertProblems) > 0) != (c.failStep != "") {
				t.Errorf("insecure: cert problems %v", rep.CertProblems)
			}
			if c.failStep != "" {
				if s, _ := stepOf(rep, c.failStep); s.Result != StepWarn {
					t.Errorf("insecure: step %s = %s", c.failStep, s.Result)
				}
			}
			if h, _ := stepOf(rep, "http"); !strings.Contains(h.Detail, `200 OK`) || !strings.Contains(h.Detail, `page "KHOMP gateway (khompctl fake)"`) {
				t.Errorf("http step %+v", h)
			}
		})
	}
}

func TestCheckTLSDaysLeftAndWarning(t *testing.T) {
	e := newEnv(t, fakegw.Valid, fakegw.Options{})
	// The fake's certificate lasts 90 days; 100 days of warning covers it.
	rep := CheckTLS(context.Background(), CheckOptions{URL: e.srv.APIURL(), Verify: true, RootCAs: e.pki.Root.Pool(), WarnDays: 100})
	if rep.DaysLeft == nil || *rep.DaysLeft != 89 {
		t.Fatalf("days left %v", rep.DaysLeft)
	}
	if s, _ := stepOf(rep, "validity"); s.Result != StepWarn || !strings.Contains(s.Detail, "only 89 days left") || !rep.CurlOK {
		t.Fatalf("validity %+v curl %v", s, rep.CurlOK)
	}
}

func TestCheckTLSNetworkFailures(t *testing.T) {
	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	rep := CheckTLS(context.Background(), CheckOptions{URL: "https://" + addr + "/rpc/json.fcgi/kgateway", Verify: true, Timeout: time.Second})
	if s, _ := stepOf(rep, "tcp"); rep.CurlOK || s.Result != StepFail || !strings.Contains(s.Detail, "connection refused") {
		t.Fatalf("closed port: %+v", rep.Steps)
	}

	// A name that does not resolve.
	rep = CheckTLS(context.Background(), CheckOptions{URL: "https://gateway.invalid/rpc", Verify: true, Timeout: 2 * time.Second})
	if s, _ := stepOf(rep, "dns"); rep.CurlOK || s.Result != StepFail || !strings.Contains(s.Detail, "gateway.invalid") {
		t.Fatalf("bad name: %+v", rep.Steps)
	}

	// Plain HTTP on the port curl is told is HTTPS.
	srv, err := fakegw.Serve("127.0.0.1:0", fakegw.New(fakegw.Options{}), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	rep = CheckTLS(context.Background(), CheckOptions{URL: "https://" + srv.Addr + "/", Verify: true, Timeout: time.Second})
	if s, _ := stepOf(rep, "tls"); rep.CurlOK || s.Result != StepFail || !strings.Contains(s.Detail, "does not speak TLS") {
		t.Fatalf("plain port: %+v", rep.Steps)
	}
	// The same server as http:// works, with a warning about plain HTTP.
	rep = CheckTLS(context.Background(), CheckOptions{URL: srv.URL + "/rpc", Verify: true, Timeout: time.Second})
	if s, _ := stepOf(rep, "url"); !rep.CurlOK || s.Result != StepWarn {
		t.Fatalf("http: %+v", rep.Steps)
	}

	rep = CheckTLS(context.Background(), CheckOptions{URL: "https://127.0.0.1:99999/"})
	if s, _ := stepOf(rep, "url"); rep.CurlOK || s.Result != StepFail || !strings.Contains(s.Detail, `port "99999"`) || len(rep.Steps) != 1 {
		t.Fatalf("bad port: %+v", rep.Steps)
	}

	rep = CheckTLS(context.Background(), CheckOptions{URL: "ftp://x/"})
	if s, _ := stepOf(rep, "url"); rep.CurlOK || s.Result != StepFail {
		t.Fatalf("bad URL: %+v", rep.Steps)
	}
}

func TestCheckTLSResolvesNames(t *testing.T) {
	e := newEnv(t, fakegw.Valid, fakegw.Options{})
	_, port, _ := net.SplitHostPort(e.srv.Addr)
	rep := CheckTLS(context.Background(), CheckOptions{URL: "https://localhost:" + port + "/rpc", Verify: true, RootCAs: e.pki.Root.Pool(), Timeout: 2 * time.Second})
	if s, _ := stepOf(rep, "dns"); !rep.CurlOK || s.Result != StepOK || !strings.Contains(s.Detail, "127.0.0.1") {
		t.Fatalf("localhost: %+v", rep.Steps)
	}
}

func TestCheckTLSOldProtocol(t *testing.T) {
	pki, err := fakegw.NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.Cert(fakegw.Valid)
	if err != nil {
		t.Fatal(err)
	}
	old := &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11} //nolint:gosec // the point of the test
	srv, err := fakegw.Serve("127.0.0.1:0", fakegw.New(fakegw.Options{}), &cert, old)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	rep := CheckTLS(context.Background(), CheckOptions{URL: srv.APIURL(), Verify: false, RootCAs: pki.Root.Pool(), Timeout: 2 * time.Second})
	p, _ := stepOf(rep, "protocol")
	if rep.CurlOK || p.Result != StepFail || !strings.Contains(p.Detail, "TLS 1.1") || !strings.Contains(p.Detail, "refuses TLS older than 1.2") {
		t.Fatalf("TLS 1.1 gateway: curl %v, %+v", rep.CurlOK, rep.Steps)
	}
}
