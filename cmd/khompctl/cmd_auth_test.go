package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/khompctl/khompctl/internal/fakegw"
	"github.com/khompctl/khompctl/internal/testdb"
	"github.com/khompctl/khompctl/pkg/container"
	"github.com/khompctl/khompctl/pkg/patterns"
)

// gwShippedTemplate is VICIdial's shipped KHOMPSETTINGS entry (CRLF, 32
// lines) with the two URLs and the credentials as placeholders, and
// certificate checking on.
var gwShippedTemplate = strings.NewReplacer(
	"https://URL_FOR_KHOMP_SERVER/rpc/json.fcgi/kgateway", "{API}",
	"https://URL_FOR_KHOMP_SERVER/rpc/json.fcgi/auth", "{AUTH}",
	"khomp_api_user => API_USER", "khomp_api_user => apiuser",
	"khomp_api_pass => API_PASSWORD", "khomp_api_pass => "+gwPass,
	"khomp_api_check_ssl => 0", "khomp_api_check_ssl => 1",
).Replace(testdb.ShippedSettings)

const gwPass = "s3cret-pass"

// gwFixture is a fake gateway over HTTPS plus a fresh VICIdial database.
type gwFixture struct {
	gw     *fakegw.Gateway
	srv    *fakegw.Server
	pki    *fakegw.PKI
	caFile string
	db     *testdb.DB
}

func newGWFixture(t *testing.T, kind fakegw.CertKind, opts fakegw.Options, schema testdb.Schema) *gwFixture {
	t.Helper()
	if opts.User == "" {
		opts.User, opts.Pass = "apiuser", gwPass
	}
	gw := fakegw.New(opts)
	srv, pki, err := fakegw.ServeTLS("127.0.0.1:0", gw, kind)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pki.Root.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return &gwFixture{gw: gw, srv: srv, pki: pki, caFile: caFile, db: testdb.New(t, schema)}
}

// settings is the shipped container pointing at the fake gateway, with
// whole lines replaced ("khomp_api_pass => s3cret-pass" → given line).
func (fx *gwFixture) settings(replace ...string) string {
	s := strings.NewReplacer("{API}", fx.srv.APIURL(), "{AUTH}", fx.srv.AuthURL()).Replace(gwShippedTemplate)
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(s, replace[i]) {
			panic("fixture line not found: " + replace[i])
		}
		s = strings.Replace(s, replace[i], replace[i+1], 1)
	}
	return s
}

// run executes khompctl against the fixture's database.
func (fx *gwFixture) run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ios, out, errOut := testIO("")
	args = append([]string{"--dsn", fx.db.DSN}, args...)
	code = run(context.Background(), args, ios)
	return code, out.String(), errOut.String()
}

// expectGWRenewed checks the container is entry with the token and an expiry
// of now+3600 for a "now" within [before, after], byte for byte.
func expectGWRenewed(t *testing.T, fx *gwFixture, id, entry, token string, before, after time.Time) {
	t.Helper()
	got := fx.db.ContainerEntry(t, id)
	expire, err := strconv.ParseInt(container.ParseSettings(got).TokenExpire, 10, 64)
	if err != nil {
		t.Fatalf("stored expire: %v\n%q", err, got)
	}
	if expire < before.Unix()+3600 || expire > after.Unix()+3600 {
		t.Fatalf("expire %d not now+3600 (now in %d..%d)", expire, before.Unix(), after.Unix())
	}
	want := strings.Replace(entry, "khomp_api_token => TOKENTOKENTOKEN\r\n", "khomp_api_token => "+token+"\r\n", 1)
	want = strings.Replace(want, "khomp_api_token_expire => 0\r\n", "khomp_api_token_expire => "+strconv.FormatInt(expire, 10)+"\r\n", 1)
	if got != want {
		t.Fatalf("container bytes\n got %q\nwant %q", got, want)
	}
}

func assertNoGWSecrets(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		for _, secret := range []string{gwPass, "x+y/z=", "0a1b2c3d4e5f60718293a4b5c6d7e8f9", `it's`} {
			if strings.Contains(s, secret) {
				t.Errorf("output leaks a secret %q:\n%s", secret, s)
			}
		}
	}
}

// TestAuthGoldenCases are the spec's auth cases 11–17 (§9), each checked
// on the exact container bytes in a real MariaDB with the VICIdial DDL.
func TestAuthGoldenCases(t *testing.T) {
	t.Run("11 plus and slash in the token", func(t *testing.T) {
		for _, schema := range testdb.Schemas {
			t.Run(schema.String(), func(t *testing.T) {
				fx := newGWFixture(t, fakegw.Valid, fakegw.Options{Tokens: []string{"x+y/z="}}, schema)
				entry := fx.settings()
				fx.db.PutContainer(t, "KHOMPSETTINGS", "OTHER", entry)
				before := time.Now()
				code, out, errOut := fx.run(t, "auth", "--khomp-container=KHOMPSETTINGS", "--cacert", fx.caFile)
				if code != 0 {
					t.Fatalf("exit %d\n%s%s", code, out, errOut)
				}
				expectGWRenewed(t, fx, "KHOMPSETTINGS", entry, "x+y/z=", before, time.Now())
				if !strings.Contains(out, "KHOMPSETTINGS\trenewed\ttoken stored, expires ") {
					t.Errorf("stdout %q", out)
				}
				assertNoGWSecrets(t, out, errOut)
			})
		}
	})
	t.Run("12 quote, backslash, dollar, ampersand in the token", func(t *testing.T) {
		token := `it's\1+$1&\\x`
		fx := newGWFixture(t, fakegw.Valid, fakegw.Options{Tokens: []string{token}}, testdb.Schema1728)
		entry := fx.settings()
		fx.db.PutContainer(t, "KHOMP_B", "KHOMP_SETTINGS", entry)
		before := time.Now()
		code, out, errOut := fx.run(t, "auth", "--khomp-container", "KHOMP_B", "--cacert", fx.caFile)
		if code != 0 {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
		expectGWRenewed(t, fx, "KHOMP_B", entry, token, before, time.Now())
		if !strings.Contains(errOut, "single quote") {
			t.Errorf("no warning about the quote breaking VICIdial's AGI: %q", errOut)
		}
		assertNoGWSecrets(t, out, errOut)
	})
	for _, c := range []struct {
		name  string
		reply fakegw.Reply
		msg   string
	}{
		{"13 JSON-RPC error reply", fakegw.ReplyRPCError, "JSON-RPC error -32000"},
		{"14 HTML reply", fakegw.ReplyHTML, `HTML page "502 Bad Gateway"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			fx := newGWFixture(t, fakegw.Valid, fakegw.Options{}, testdb.Schema1720)
			entry := fx.settings()
			fx.db.PutContainer(t, "KHOMPSETTINGS", "OTHER", entry)
			fx.gw.SetDefault(c.reply)
			code, out, errOut := fx.run(t, "auth", "--khomp-container=KHOMPSETTINGS", "--cacert", fx.caFile)
			if code != exitFailure {
				t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
			}
			if got := fx.db.ContainerEntry(t, "KHOMPSETTINGS"); got != entry {
				t.Fatalf("container changed on failure:\n%q", got)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "khompctl: auth KHOMPSETTINGS: ") || !strings.Contains(lines[0], c.msg) {
				t.Errorf("stderr %q should be one line with %q", errOut, c.msg)
			}
			assertNoGWSecrets(t, out, errOut)
		})
	}
	t.Run("15 proxied mode", func(t *testing.T) {
		fx := newGWFixture(t, fakegw.Valid, fakegw.Options{}, testdb.Schema1728)
		for _, value := range []string{"true", "False", "0", ""} {
			entry := fx.settings("khomp_api_proxied => false", "khomp_api_proxied => "+value)
			fx.db.PutContainer(t, "KHOMPSETTINGS", "OTHER", entry)
			code, out, errOut := fx.run(t, "auth", "--khomp-container", "KHOMPSETTINGS", "--cacert", fx.caFile)
			if code != 0 || !strings.Contains(out, "skipped") || !strings.Contains(out, `khomp_api_proxied is "`+value+`"`) {
				t.Fatalf("proxied %q: exit %d\n%s%s", value, code, out, errOut)
			}
			if got := fx.db.ContainerEntry(t, "KHOMPSETTINGS"); got != entry {
				t.Fatalf("proxied container changed:\n%q", got)
			}
		}
		if n := len(fx.gw.Requests()); n != 0 {
			t.Fatalf("proxied mode contacted the gateway %d times", n)
		}
	})
	t.Run("16 hash in the password is cut like VICIdial does", func(t *testing.T) {
		fx := newGWFixture(t, fakegw.Valid, fakegw.Options{User: "apiuser", Pass: "ab"}, testdb.Schema1728)
		entry := fx.settings("khomp_api_pass => s3cret-pass", "khomp_api_pass => ab#cd")
		fx.db.PutContainer(t, "KHOMPSETTINGS", "OTHER", entry)
		before := time.Now()
		code, out, errOut := fx.run(t, "auth", "--khomp-container=KHOMPSETTINGS", "--cacert", fx.caFile)
		if code != 0 {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
		var body struct{ Params struct{ Password string } }
		_ = json.Unmarshal([]byte(fx.gw.Requests()[0].Body), &body)
		if body.Params.Password != "ab" {
			t.Fatalf("sent password %q, VICIdial sends %q", body.Params.Password, "ab")
		}
		expectGWRenewed(t, fx, "KHOMPSETTINGS", entry, "0a1b2c3d4e5f60718293a4b5c6d7e8f9", before, time.Now())
	})
	t.Run("17 check_ssl with a trailing comment", func(t *testing.T) {
		// "1 # yes" reads as 1: verify, so a self-signed gateway is refused.
		fx := newGWFixture(t, fakegw.SelfSign, fakegw.Options{}, testdb.Schema1728)
		entry := fx.settings("khomp_api_check_ssl => 1", "khomp_api_check_ssl => 1 # yes, verify")
		fx.db.PutContainer(t, "KHOMPSETTINGS", "OTHER", entry)
		code, out, errOut := fx.run(t, "auth", "--khomp-container=KHOMPSETTINGS", "--cacert", fx.caFile)
		if code != exitFailure || !strings.Contains(errOut, "TLS certificate") || fx.db.ContainerEntry(t, "KHOMPSETTINGS") != entry {
			t.Fatalf("verify on: exit %d\n%s%s", code, out, errOut)
		}
		// "0 # no" reads as 0: --insecure, the self-signed gateway works.
		entry = fx.settings("khomp_api_check_ssl => 1", "khomp_api_check_ssl => 0 # no")
		fx.db.PutContainer(t, "KHOMPSETTINGS", "OTHER", entry)
		before := time.Now()
		code, out, errOut = fx.run(t, "auth", "--khomp-container=KHOMPSETTINGS")
		if code != 0 || !strings.Contains(out, "TLS not verified") {
			t.Fatalf("verify off: exit %d\n%s%s", code, out, errOut)
		}
		expectGWRenewed(t, fx, "KHOMPSETTINGS", entry, "0a1b2c3d4e5f60718293a4b5c6d7e8f9", before, time.Now())
	})
}

func TestAuthContainerFlagForms(t *testing.T) {
	fx := newGWFixture(t, fakegw.Valid, fakegw.Options{}, testdb.Schema1728)
	fx.db.PutContainer(t, "KHOMPSETTINGS", "OTHER", fx.settings())
	fx.db.PutContainer(t, "KHOMP2", "KHOMP_SETTINGS", fx.settings())
	for _, args := range [][]string{
		{"--khomp-container=KHOMP2"}, {"--khomp-container", "KHOMP2"}, {"--khomp-container=KHOMP2/"},
	} {
		code, out, errOut := fx.run(t, append([]string{"auth", "--cacert", fx.caFile, "--json"}, args...)...)
		var res []authResult
		if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 || len(res) != 1 || res[0].Container != "KHOMP2" || res[0].Result != "renewed" {
			t.Fatalf("%v: exit %d %v\n%s%s", args, code, err, out, errOut)
		}
	}
	// Two characters or fewer fall back to KHOMPSETTINGS, like the Perl.
	code, out, errOut := fx.run(t, "auth", "--khomp-container=AB", "--cacert", fx.caFile)
	if code != 0 || !strings.HasPrefix(out, "KHOMPSETTINGS\trenewed") || !strings.Contains(errOut, "2 characters or fewer") {
		t.Fatalf("AB: exit %d\n%s%s", code, out, errOut)
	}
	// --quiet (cron): nothing at all on success, the token is still renewed.
	fx.db.PutContainer(t, "KHOMPSETTINGS", "OTHER", fx.settings())
	before := fx.db.ContainerEntry(t, "KHOMPSETTINGS")
	code, out, errOut = fx.run(t, "auth", "-q", "--khomp-container", "KHOMPSETTINGS", "--cacert", fx.caFile)
	if code != 0 || out != "" || errOut != "" || fx.db.ContainerEntry(t, "KHOMPSETTINGS") == before {
		t.Fatalf("-q: exit %d, stdout %q, stderr %q (container changed: %v)", code, out, errOut, fx.db.ContainerEntry(t, "KHOMPSETTINGS") != before)
	}
	code, out, errOut = fx.run(t, "auth", "-q", "--khomp-container=NOPE", "--cacert", fx.caFile)
	if code != exitUsage || out != "" || !strings.Contains(errOut, `no settings container "NOPE"`) {
		t.Fatalf("-q missing container: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut = fx.run(t, "auth", "--khomp-container=NOPE", "--cacert", fx.caFile)
	if code != exitUsage || !strings.Contains(errOut, `no settings container "NOPE"`) {
		t.Fatalf("missing container: exit %d %s", code, errOut)
	}
	code, _, errOut = fx.run(t, "auth", "--all", "--khomp-container=KHOMP2")
	if code != exitUsage {
		t.Fatalf("--all with --khomp-container: exit %d %s", code, errOut)
	}
}

func TestAuthAllMinValidDryRun(t *testing.T) {
	fx := newGWFixture(t, fakegw.Valid, fakegw.Options{}, testdb.Schema1728)
	fresh := strconv.FormatInt(time.Now().Add(50*time.Minute).Unix(), 10)
	fx.db.PutContainer(t, "KHOMPSETTINGS", "OTHER", fx.settings())
	fx.db.PutContainer(t, "KHOMP_FRESH", "KHOMP_SETTINGS", fx.settings("khomp_api_token => TOKENTOKENTOKEN", "khomp_api_token => stored", "khomp_api_token_expire => 0", "khomp_api_token_expire => "+fresh))
	fx.db.PutContainer(t, "CAMPCONT", "OTHER", fx.settings())
	fx.db.PutContainer(t, "UNRELATED", "OTHER", "x => y")
	fx.db.Exec(t, "INSERT INTO vicidial_campaigns (campaign_id, amd_type, khomp_settings_container) VALUES ('C1','KHOMP','CAMPCONT'), ('C2','AMD','UNRELATED')")

	code, out, errOut := fx.run(t, "auth", "--all", "--dry-run", "--json", "--cacert", fx.caFile)
	var res []authResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 {
		t.Fatalf("dry run: exit %d %v\n%s%s", code, err, out, errOut)
	}
	if got := fmt.Sprintln(len(res), res[0].Container, res[1].Container, res[2].Container); got != "3 CAMPCONT KHOMPSETTINGS KHOMP_FRESH\n" {
		t.Fatalf("--all chose %s", got)
	}
	for _, r := range res {
		if r.Result != "would-renew" {
			t.Errorf("dry run %s: %s", r.Container, r.Result)
		}
	}
	if len(fx.gw.Requests()) != 0 || fx.db.ContainerEntry(t, "KHOMPSETTINGS") != fx.settings() {
		t.Fatal("--dry-run contacted the gateway or wrote")
	}

	code, out, errOut = fx.run(t, "auth", "--all", "--min-valid", "10m", "--cacert", fx.caFile)
	if code != 0 || !strings.Contains(out, "KHOMP_FRESH\tskipped\tstored token valid until") || strings.Count(out, "\trenewed\t") != 2 {
		t.Fatalf("--min-valid: exit %d\n%s%s", code, out, errOut)
	}
	if n := fx.gw.Count("SessionLogin"); n != 2 {
		t.Fatalf("%d logins, want 2", n)
	}
	// With --min-valid longer than what is left, it renews.
	code, out, _ = fx.run(t, "auth", "--khomp-container", "KHOMP_FRESH", "--min-valid", "55m", "--cacert", fx.caFile)
	if code != 0 || !strings.Contains(out, "renewed") {
		t.Fatalf("--min-valid 55m: exit %d %s", code, out)
	}
}

func TestAuthFailuresExitNonZeroAndKeepContainer(t *testing.T) {
	fx := newGWFixture(t, fakegw.Valid, fakegw.Options{User: "apiuser", Pass: "other"}, testdb.Schema1728)
	entry := fx.settings()
	fx.db.PutContainer(t, "KHOMPSETTINGS", "OTHER", entry)
	code, out, errOut := fx.run(t, "auth", "--cacert", fx.caFile)
	if code != exitFailure || !strings.Contains(errOut, "Invalid username or password") || fx.db.ContainerEntry(t, "KHOMPSETTINGS") != entry {
		t.Fatalf("bad password: exit %d\n%s%s", code, out, errOut)
	}
	assertNoGWSecrets(t, out, errOut)

	// A token VICIdial's parser would cut ('#') is refused, not stored.
	fx2 := newGWFixture(t, fakegw.Valid, fakegw.Options{Tokens: []string{"abc#def"}}, testdb.Schema1728)
	fx2.db.PutContainer(t, "KHOMPSETTINGS", "OTHER", fx2.settings())
	code, _, errOut = fx2.run(t, "auth", "--cacert", fx2.caFile)
	if code != exitFailure || !strings.Contains(errOut, "cannot be stored") || strings.Contains(errOut, "abc#def") {
		t.Fatalf("unstorable token: exit %d %s", code, errOut)
	}

	// Missing login URL: bad input, exit 2, no network.
	fx2.db.PutContainer(t, "KHOMPSETTINGS", "OTHER", "khomp_api_user => u\r\n")
	code, _, errOut = fx2.run(t, "auth")
	if code != exitUsage || !strings.Contains(errOut, "khomp_api_login_url is empty") {
		t.Fatalf("no login url: exit %d %s", code, errOut)
	}
}

func TestAuthAddsMissingLinesAndKeepsLF(t *testing.T) {
	fx := newGWFixture(t, fakegw.Valid, fakegw.Options{}, testdb.Schema1720)
	entry := "khomp_api_login_url => " + fx.srv.AuthURL() + "\nkhomp_api_user => apiuser\nkhomp_api_pass => " + gwPass + "\nkhomp_api_check_ssl => 1\n"
	fx.db.PutContainer(t, "KHOMPSETTINGS", "OTHER", entry)
	before := time.Now()
	if code, out, errOut := fx.run(t, "auth", "--cacert", fx.caFile); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	got := fx.db.ContainerEntry(t, "KHOMPSETTINGS")
	expire := container.ParseSettings(got).TokenExpire
	want := entry + "khomp_api_token => 0a1b2c3d4e5f60718293a4b5c6d7e8f9\nkhomp_api_token_expire => " + expire + "\n"
	if got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if e, _ := strconv.ParseInt(expire, 10, 64); e < before.Unix()+3600 {
		t.Fatalf("expire %s", expire)
	}
}

// TestAuthLosesNoConcurrentEdit runs auth while other writers edit the same
// settings container and "patterns set" writes KHOMPSTATUSMAP: every edit
// and the new token must survive.
func TestAuthLosesNoConcurrentEdit(t *testing.T) {
	fx := newGWFixture(t, fakegw.Valid, fakegw.Options{SlowDelay: 300 * time.Millisecond}, testdb.Schema1728)
	entry := fx.settings()
	fx.db.PutContainer(t, "KHOMPSETTINGS", "OTHER", entry)
	fx.db.PutContainer(t, container.StatusMapID, "OTHER", `"Timeout" => status.KPTMOT.NOANSWER`)
	// The login is slow, so the edits below land between auth's first read
	// and its write; the write must start again from the edited bytes.
	fx.gw.Script(fakegw.ReplySlow)

	const edits = 15
	var wg sync.WaitGroup
	errs := make(chan error, 3*edits)
	appendLine := func(id, line string) {
		defer wg.Done()
		_, _, err := container.Update(context.Background(), fx.db.DB, id, 50, func(cur string) (string, error) {
			return cur + "\r\n" + line, nil
		})
		if err != nil {
			errs <- err
		}
	}
	start := make(chan struct{})
	for i := 0; i < edits; i++ {
		wg.Add(2)
		go func(i int) {
			<-start
			time.Sleep(time.Duration(i*20) * time.Millisecond)
			appendLine("KHOMPSETTINGS", fmt.Sprintf("# admin note %d", i))
		}(i)
		go func(i int) {
			defer wg.Done()
			<-start
			time.Sleep(time.Duration(i*20) * time.Millisecond)
			// What "khompctl patterns set" does, through its own package.
			_, err := patterns.Set(context.Background(), fx.db.DB, patterns.SetRequest{Conclusion: fmt.Sprintf("Concl %d", i), Pattern: "Pat", Action: "status", Status: "KPAM", DialStatus: "AMD"})
			if err != nil {
				errs <- err
			}
		}(i)
	}
	var code int
	var out, errOut string
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-start
		code, out, errOut = fx.run(t, "auth", "--cacert", fx.caFile)
	}()
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent writer: %v", err)
	}
	if code != 0 {
		t.Fatalf("auth exit %d\n%s%s", code, out, errOut)
	}
	got := fx.db.ContainerEntry(t, "KHOMPSETTINGS")
	s := container.ParseSettings(got)
	if s.Token != "0a1b2c3d4e5f60718293a4b5c6d7e8f9" {
		t.Fatalf("token lost: %q", s.Token)
	}
	for i := 0; i < edits; i++ {
		if !strings.Contains(got, fmt.Sprintf("\r\n# admin note %d", i)) {
			t.Errorf("settings edit %d lost", i)
		}
		if !strings.Contains(fx.db.ContainerEntry(t, container.StatusMapID), fmt.Sprintf(`"Concl %d"."Pat" => status.KPAM.AMD`, i)) {
			t.Errorf("status map append %d lost", i)
		}
	}
	// Apart from the token lines and the appended notes, nothing moved.
	stripped := got
	for i := 0; i < edits; i++ {
		stripped = strings.Replace(stripped, fmt.Sprintf("\r\n# admin note %d", i), "", 1)
	}
	expectGWTokenOnlyChange(t, entry, stripped)
}

// expectGWTokenOnlyChange checks after is before with only the values of the
// two token lines changed.
func expectGWTokenOnlyChange(t *testing.T, before, after string) {
	t.Helper()
	s := container.ParseSettings(after)
	want, err := container.SetToken(before, s.Token, time.Unix(int64(container.PerlNumber(s.TokenExpire)), 0))
	if err != nil {
		t.Fatal(err)
	}
	if after != want {
		t.Fatalf("container differs beyond the token lines:\n got %q\nwant %q", after, want)
	}
}

// TestAuthDebugLogHasNoSecrets runs auth with debug logging through retries,
// a success and a failure, and checks stderr and stdout hold no secret.
func TestAuthDebugLogHasNoSecrets(t *testing.T) {
	fx := newGWFixture(t, fakegw.Valid, fakegw.Options{Tokens: []string{"x+y/z="}}, testdb.Schema1728)
	fx.db.PutContainer(t, "KHOMPSETTINGS", "OTHER", fx.settings())
	fx.gw.Script(fakegw.Reply500)
	code, out, errOut := fx.run(t, "--log-level", "debug", "auth", "--cacert", fx.caFile)
	if code != 0 || !strings.Contains(errOut, "KHOMP attempt failed") || !strings.Contains(errOut, "KHOMP reply") {
		t.Fatalf("exit %d, debug log missing\n%s%s", code, out, errOut)
	}
	assertNoGWSecrets(t, out, errOut)
	// At the default log level a retry that then succeeds is not news:
	// stderr stays empty, so cron sends no mail.
	fx.gw.Script(fakegw.Reply500)
	code, out, errOut = fx.run(t, "auth", "--cacert", fx.caFile)
	if code != 0 || errOut != "" {
		t.Fatalf("retried login: exit %d, stderr %q, stdout %q", code, errOut, out)
	}
	fx.gw.SetDefault(fakegw.ReplyRPCError)
	code, out, errOut = fx.run(t, "--log-level", "debug", "auth", "--cacert", fx.caFile, "--json")
	if code != exitFailure {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	assertNoGWSecrets(t, out, errOut)
}

// The table form (stdout is a terminal) of auth and calls.
func TestGatewayTablesForPeople(t *testing.T) {
	var out bytes.Buffer
	opts := &authOptions{Out: &out, TTY: true}
	err := renderAuth(opts, []authResult{
		{Container: "KHOMPSETTINGS", Result: "renewed", Detail: "token stored, expires 2026-11-26T10:00:00Z"},
		{Container: "KHOMP_EU", Result: "skipped", Detail: `khomp_api_proxied is "true"`},
	})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 4 || !strings.Contains(lines[0], "CONTAINER") || !strings.HasPrefix(strings.TrimSpace(lines[1]), "---") ||
		!strings.Contains(lines[2], "KHOMPSETTINGS") || !strings.Contains(lines[3], "KHOMP_EU") || !strings.Contains(lines[3], "skipped") {
		t.Fatalf("table:\n%s", out.String())
	}
	for _, l := range lines[2:] {
		if strings.Contains(l, "\t") {
			t.Errorf("a table row holds a tab: %q", l)
		}
	}
}

func TestNormalizeContainerID(t *testing.T) {
	cases := map[string][2]string{ // value -> id, fell back
		"":               {"KHOMPSETTINGS", "false"},
		"AB":             {"KHOMPSETTINGS", "true"},
		"ABC":            {"ABC", "false"},
		"KHOMP2/":        {"KHOMP2", "false"},
		"KHOMP2 extra":   {"KHOMP2", "false"},
		"K\tH\r\n":       {"KH", "false"},
		"AB CDEF":        {"KHOMPSETTINGS", "true"},
		"X'OR'1'='1":     {"X'OR'1'='1", "false"}, // harmless here: bound parameter
		"KHOMPSETTINGS/": {"KHOMPSETTINGS", "false"},
	}
	for in, want := range cases {
		id, fell := normalizeContainerID(in)
		if id != want[0] || (fell && want[1] != "true") || (!fell && want[1] != "false") {
			t.Errorf("normalizeContainerID(%q) = %q, %v; want %q, %s", in, id, fell, want[0], want[1])
		}
	}
}
