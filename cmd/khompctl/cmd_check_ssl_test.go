package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/khompctl/khompctl/internal/fakegw"
	"github.com/khompctl/khompctl/internal/testdb"
)

// startGWServer serves a fake gateway with a certificate of kind and
// returns it with a --cacert file trusting the test root.
func startGWServer(t *testing.T, kind fakegw.CertKind) (*fakegw.Server, string) {
	t.Helper()
	srv, pki, err := fakegw.ServeTLS("127.0.0.1:0", fakegw.New(fakegw.Options{User: "apiuser", Pass: gwPass}), kind)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pki.Root.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, ca
}

func runGWCLI(args ...string) (int, string, string) {
	ios, out, errOut := testIO("")
	code := run(context.Background(), args, ios)
	return code, out.String(), errOut.String()
}

func TestCheckSSLURL(t *testing.T) {
	cases := []struct {
		kind fakegw.CertKind
		code int
		text string
	}{
		{fakegw.Valid, 0, "chain\tok\ttrusted"},
		{fakegw.ValidChain, 0, "hostname\tok"},
		{fakegw.SelfSign, 1, "chain\tfail\tself-signed certificate"},
		{fakegw.UnknownCA, 1, "chain\tfail\tunknown authority"},
		{fakegw.IncompleteCh, 1, "chain\tfail\tincomplete chain"},
		{fakegw.Expired, 1, "validity\tfail\tCN=127.0.0.1 expired"},
		{fakegw.NotYetValid, 1, "validity\tfail\tCN=127.0.0.1 is not valid before"},
		{fakegw.WrongHost, 1, "hostname\tfail\tcertificate is for gateway.invalid, not 127.0.0.1"},
	}
	for _, c := range cases {
		t.Run(string(c.kind), func(t *testing.T) {
			srv, ca := startGWServer(t, c.kind)
			code, out, errOut := runGWCLI("check-ssl", "--cacert", ca, srv.APIURL())
			if code != c.code || !strings.Contains(out, c.text) {
				t.Fatalf("exit %d (want %d), want %q in\n%s%s", code, c.code, c.text, out, errOut)
			}
			verdict := "would reach " + srv.APIURL() + ": yes"
			if c.code != 0 {
				verdict = "would reach " + srv.APIURL() + ": NO"
			}
			if !strings.Contains(out, verdict) {
				t.Errorf("no verdict %q in\n%s", verdict, out)
			}
			// --insecure: what VICIdial does with check_ssl => 0.
			code, out, errOut = runGWCLI("check-ssl", "--insecure", "--cacert", ca, srv.APIURL())
			if code != 0 {
				t.Fatalf("--insecure: exit %d\n%s%s", code, out, errOut)
			}
			if (c.code != 0) != strings.Contains(errOut, "VICIdial does not verify the certificate (khomp_api_check_ssl => 0), but it is bad") {
				t.Errorf("--insecure warning: %q", errOut)
			}
		})
	}
}

func TestCheckSSLContainer(t *testing.T) {
	srv, ca := startGWServer(t, fakegw.SelfSign)
	db := testdb.New(t, testdb.Schema1728)
	put := func(checkSSL string) {
		entry := strings.NewReplacer("{API}", srv.APIURL(), "{AUTH}", srv.AuthURL()).Replace(gwShippedTemplate)
		entry = strings.Replace(entry, "khomp_api_check_ssl => 1", "khomp_api_check_ssl => "+checkSSL, 1)
		db.PutContainer(t, "KHOMPSETTINGS", "OTHER", entry)
	}
	put("0 # no")
	code, out, errOut := runGWCLI("--dsn", db.DSN, "check-ssl", "--cacert", ca, "--json")
	if code != 0 {
		t.Fatalf("check_ssl 0: exit %d\n%s%s", code, out, errOut)
	}
	var rep struct {
		Container string  `json:"container"`
		CheckSSL  *string `json:"khomp_api_check_ssl"`
		OK        bool    `json:"ok"`
		Targets   []struct {
			URL          string
			Keys         []string
			Verify       bool
			CurlOK       bool `json:"curl_ok"`
			CertProblems []string
			DaysLeft     *int `json:"days_left"`
			Steps        []struct{ Check, Result, Detail string }
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// Both URLs share host and port: one target, named by both keys.
	if rep.Container != "KHOMPSETTINGS" || *rep.CheckSSL != "0" || !rep.OK || len(rep.Targets) != 1 ||
		strings.Join(rep.Targets[0].Keys, ",") != "khomp_api_url,khomp_api_login_url" || rep.Targets[0].Verify || rep.Targets[0].DaysLeft == nil {
		t.Fatalf("report %+v", rep)
	}
	if !strings.Contains(errOut, "warning") || !strings.Contains(errOut, "self-signed") {
		t.Errorf("no warning for a bad certificate with check_ssl 0: %q", errOut)
	}

	put("1")
	code, out, errOut = runGWCLI("--dsn", db.DSN, "check-ssl", "--khomp-container", "KHOMPSETTINGS", "--cacert", ca)
	if code != 1 || !strings.Contains(out, "self-signed") || !strings.Contains(out, ": NO (answered calls would be marked PU)") {
		t.Fatalf("check_ssl 1: exit %d\n%s%s", code, out, errOut)
	}

	code, _, errOut = runGWCLI("--dsn", db.DSN, "check-ssl", "--khomp-container", "MISSING")
	if code != exitUsage || !strings.Contains(errOut, `no settings container "MISSING"`) {
		t.Fatalf("missing container: exit %d %s", code, errOut)
	}
	db.PutContainer(t, "BADURL", "KHOMP_SETTINGS", "khomp_api_url => gateway:443\r\n")
	code, _, errOut = runGWCLI("--dsn", db.DSN, "check-ssl", "--khomp-container=BADURL")
	if code != exitUsage || !strings.Contains(errOut, "khomp_api_url") {
		t.Fatalf("bad URL in container: exit %d %s", code, errOut)
	}
}

func TestCheckSSLUsage(t *testing.T) {
	for _, args := range [][]string{
		{"check-ssl", "ftp://x/"},
		{"check-ssl", "--khomp-container", "X1", "https://x/"},
		{"check-ssl", "--insecure"},
		{"check-ssl", "https://a/", "https://b/"},
	} {
		if code, out, errOut := runGWCLI(args...); code != exitUsage || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
}
