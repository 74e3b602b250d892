package khomp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/khompctl/khompctl/internal/fakegw"
)

const (
	testUser = "apiuser"
	testPass = `p4ss'w"o\rd+$1&`
)

// lockedBuffer collects log output from concurrent goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type env struct {
	gw  *fakegw.Gateway
	srv *fakegw.Server
	pki *fakegw.PKI
	log *lockedBuffer
}

// newEnv starts a fake gateway over HTTPS with a certificate of the given
// kind, signed by a fresh test PKI.
func newEnv(t *testing.T, kind fakegw.CertKind, opts fakegw.Options) *env {
	t.Helper()
	if opts.User == "" {
		opts.User, opts.Pass = testUser, testPass
	}
	if opts.SlowDelay == 0 {
		opts.SlowDelay = 3 * time.Second
	}
	gw := fakegw.New(opts)
	srv, pki, err := fakegw.ServeTLS("127.0.0.1:0", gw, kind)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return &env{gw: gw, srv: srv, pki: pki, log: &lockedBuffer{}}
}

// client builds a verifying client trusting the env's root, with fast
// retries, logging at debug level into e.log.
func (e *env) client(t *testing.T, mod func(*Options)) *Client {
	t.Helper()
	o := Options{
		Timeout: 2 * time.Second, Retries: 2, RetryWait: 10 * time.Millisecond, RetryMaxWait: 20 * time.Millisecond,
		VerifyTLS: true, RootCAs: e.pki.Root.Pool(), Version: "1.2.3",
		Log: slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mod != nil {
		mod(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSessionLoginSendsWhatVICIdialSends(t *testing.T) {
	e := newEnv(t, fakegw.Valid, fakegw.Options{})
	token, err := e.client(t, nil).SessionLogin(context.Background(), e.srv.AuthURL(), testUser, testPass)
	if err != nil {
		t.Fatal(err)
	}
	if token != "0a1b2c3d4e5f60718293a4b5c6d7e8f9" {
		t.Fatalf("token %q", token)
	}
	reqs := e.gw.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Path != fakegw.AuthPath || r.UserAgent != "khompctl/1.2.3" || r.ContentType != "application/json" {
		t.Errorf("request path %q UA %q CT %q", r.Path, r.UserAgent, r.ContentType)
	}
	var body struct {
		ID      *int   `json:"id"`
		Method  string `json:"method"`
		JSONRPC string `json:"jsonrpc"`
		Params  struct{ Username, Password string }
	}
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
		t.Fatal(err)
	}
	if body.ID == nil || *body.ID != 0 || body.Method != "SessionLogin" || body.JSONRPC != "2.0" || body.Params.Username != testUser || body.Params.Password != testPass {
		t.Errorf("request body %s", r.Body)
	}
}

func TestSessionLoginSpecialToken(t *testing.T) {
	special := `a'b\c+d$1&e/f=g"h`
	e := newEnv(t, fakegw.Valid, fakegw.Options{Tokens: []string{special}})
	token, err := e.client(t, nil).SessionLogin(context.Background(), e.srv.AuthURL(), testUser, testPass)
	if err != nil || token != special {
		t.Fatalf("token %q err %v, want %q", token, err, special)
	}
}

func TestFormContentType(t *testing.T) {
	e := newEnv(t, fakegw.Valid, fakegw.Options{})
	c := e.client(t, func(o *Options) { o.FormContentType = true })
	if _, err := c.SessionLogin(context.Background(), e.srv.AuthURL(), testUser, testPass); err != nil {
		t.Fatal(err)
	}
	if ct := e.gw.Requests()[0].ContentType; ct != "application/x-www-form-urlencoded" {
		t.Fatalf("content type %q", ct)
	}
}

func TestFailureReplies(t *testing.T) {
	cases := []struct {
		reply    fakegw.Reply
		check    func(error) bool
		text     string
		requests int // attempts the gateway sees (retries only for 5xx)
	}{
		{fakegw.ReplyRPCError, func(err error) bool { var re *RPCError; return errors.As(err, &re) && re.Code == -32000 }, "JSON-RPC error -32000: Internal error: scripted failure", 1},
		{fakegw.ReplyHTML, func(err error) bool { return errors.Is(err, ErrNotJSON) }, `HTML page "502 Bad Gateway"`, 1},
		{fakegw.ReplyEmpty, func(err error) bool { return errors.Is(err, ErrNotJSON) }, "empty reply", 1},
		{fakegw.ReplyNoToken, func(err error) bool { return errors.Is(err, ErrNoToken) }, "no token", 1},
		{fakegw.Reply500, func(err error) bool {
			var he *HTTPError
			return errors.As(err, &he) && he.Status == 500 && he.Attempts == 3
		}, "HTTP 500 (500 Internal Server Error) after 3 attempts", 3},
	}
	for _, c := range cases {
		t.Run(string(c.reply), func(t *testing.T) {
			e := newEnv(t, fakegw.Valid, fakegw.Options{})
			e.gw.SetDefault(c.reply)
			_, err := e.client(t, nil).SessionLogin(context.Background(), e.srv.AuthURL(), testUser, testPass)
			if err == nil || !c.check(err) {
				t.Fatalf("err = %v (%T)", err, err)
			}
			if !strings.Contains(err.Error(), c.text) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q should contain %q on one line", err, c.text)
			}
			if n := len(e.gw.Requests()); n != c.requests {
				t.Errorf("%d requests, want %d", n, c.requests)
			}
		})
	}
}

func TestRetryRecoversFrom5xx(t *testing.T) {
	e := newEnv(t, fakegw.Valid, fakegw.Options{})
	e.gw.Script(fakegw.Reply500, fakegw.Reply500)
	token, err := e.client(t, nil).SessionLogin(context.Background(), e.srv.AuthURL(), testUser, testPass)
	if err != nil || token == "" {
		t.Fatalf("token %q err %v", token, err)
	}
	if n := e.gw.Count("SessionLogin"); n != 3 {
		t.Fatalf("%d attempts, want 3 (two 500s then success)", n)
	}
	if !strings.Contains(e.log.String(), "KHOMP attempt failed") {
		t.Errorf("retries are not logged: %s", e.log.String())
	}
}

func TestSlowReplyTimesOut(t *testing.T) {
	e := newEnv(t, fakegw.Valid, fakegw.Options{SlowDelay: 5 * time.Second})
	e.gw.SetDefault(fakegw.ReplySlow)
	c := e.client(t, func(o *Options) { o.Timeout = 150 * time.Millisecond; o.Retries = 1 })
	start := time.Now()
	_, err := c.SessionLogin(context.Background(), e.srv.AuthURL(), testUser, testPass)
	if err == nil || !IsTransport(err) || !strings.Contains(err.Error(), "cannot reach the gateway: timed out after 150ms per attempt") {
		t.Fatalf("err = %v\nlog: %s\nrequests: %+v", err, e.log.String(), e.gw.Requests())
	}
	// Without the timeout one attempt alone would take the 5 s slow delay;
	// the bound leaves room for a loaded CI machine.
	if elapsed := time.Since(start); elapsed > 4*time.Second {
		t.Fatalf("took %v: the timeout is not enforced", elapsed)
	}
	if n := e.gw.Count("SessionLogin"); n != 2 {
		t.Errorf("%d attempts, want 2 (a timeout is a network error and is retried once)", n)
	}
}

func TestContextCancellation(t *testing.T) {
	e := newEnv(t, fakegw.Valid, fakegw.Options{SlowDelay: 5 * time.Second})
	e.gw.SetDefault(fakegw.ReplySlow)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := e.client(t, nil).SessionLogin(ctx, e.srv.AuthURL(), testUser, testPass)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if time.Since(start) > time.Second || e.gw.Count("SessionLogin") != 1 {
		t.Fatalf("cancellation took %v and %d attempts", time.Since(start), e.gw.Count("SessionLogin"))
	}
}

func TestTLSVerification(t *testing.T) {
	for _, kind := range []fakegw.CertKind{fakegw.SelfSign, fakegw.UnknownCA, fakegw.Expired, fakegw.WrongHost, fakegw.IncompleteCh} {
		t.Run(string(kind), func(t *testing.T) {
			e := newEnv(t, kind, fakegw.Options{})
			_, err := e.client(t, nil).SessionLogin(context.Background(), e.srv.AuthURL(), testUser, testPass)
			if err == nil || !IsTransport(err) || !strings.Contains(err.Error(), "check-ssl") {
				t.Fatalf("verifying client: err = %v", err)
			}
			if strings.Contains(e.log.String(), "KHOMP attempt failed") {
				t.Error("a certificate error must not be retried")
			}
			// check_ssl => 0: VICIdial's curl --insecure talks to it anyway.
			token, err := e.client(t, func(o *Options) { o.VerifyTLS = false }).SessionLogin(context.Background(), e.srv.AuthURL(), testUser, testPass)
			if err != nil || token == "" {
				t.Fatalf("insecure client: %v", err)
			}
		})
	}
}

func TestCAFile(t *testing.T) {
	e := newEnv(t, fakegw.ValidChain, fakegw.Options{})
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, e.pki.Root.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	c := e.client(t, func(o *Options) { o.RootCAs = nil; o.CAFile = path })
	if _, err := c.SessionLogin(context.Background(), e.srv.AuthURL(), testUser, testPass); err != nil {
		t.Fatalf("with --cacert: %v", err)
	}
	if _, err := New(Options{CAFile: filepath.Join(t.TempDir(), "missing.pem")}); err == nil {
		t.Fatal("a missing CA file must be an error")
	}
	bad := filepath.Join(t.TempDir(), "bad.pem")
	_ = os.WriteFile(bad, []byte("not a certificate"), 0o600)
	if _, err := New(Options{CAFile: bad}); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("bad CA file: %v", err)
	}
}

func TestCallList(t *testing.T) {
	e := newEnv(t, fakegw.Valid, fakegw.Options{})
	id := "V1124193800000000123_TESTCAMP_203.0.113.5"
	e.gw.AddCall(id, map[string]any{
		"sip_header:call-id": "abc@10.0.0.1", "start_stamp": 1732480000123, "answer_stamp": "1732480005500",
		"analyzer_stamp": 1732480007000, "analyzer_conclusion": "Interception announcement",
		"analyzer_pattern": "SIT Tone - Innefective/other", "analyzer_action": nil, "hangup_origin": "leg b",
		"hangup_cause": 487, "not_selected": "x",
	})
	c := e.client(t, nil)
	token, err := c.SessionLogin(context.Background(), e.srv.AuthURL(), testUser, testPass)
	if err != nil {
		t.Fatal(err)
	}
	calls, err := c.CallList(context.Background(), e.srv.APIURL(), token, "KHOMP-Vicidial-ID", id)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 {
		t.Fatalf("%d calls", len(calls))
	}
	f := calls[0].Fields
	want := map[string]string{
		"sip_header:call-id": "abc@10.0.0.1", "start_stamp": "1732480000123", "answer_stamp": "1732480005500",
		"analyzer_stamp": "1732480007000", "analyzer_conclusion": "Interception announcement",
		"analyzer_pattern": "SIT Tone - Innefective/other", "hangup_origin": "leg b", "hangup_cause": "487",
	}
	if fmt.Sprint(f) != fmt.Sprint(want) {
		t.Fatalf("fields\n%v\nwant\n%v", f, want)
	}
	if ts, ok := calls[0].Stamp("answer_stamp"); !ok || !ts.Equal(time.UnixMilli(1732480005500)) {
		t.Errorf("answer stamp %v %v", ts, ok)
	}
	if _, ok := calls[0].Stamp("audio_stamp"); ok {
		t.Error("a missing stamp must not be a time")
	}
	var body struct {
		Params struct {
			Token string
			Query struct {
				Type, Field string
				Values      []string
			}
			SelectedFields []string `json:"selected_fields"`
		}
	}
	reqs := e.gw.Requests()
	_ = json.Unmarshal([]byte(reqs[len(reqs)-1].Body), &body)
	q := body.Params.Query
	if q.Type != "eq" || q.Field != "sip_header:X-KHOMP-Vicidial-ID" || len(q.Values) != 1 || q.Values[0] != id || len(body.Params.SelectedFields) != 12 || body.Params.Token != token {
		t.Errorf("CallList request %s", reqs[len(reqs)-1].Body)
	}
	// Unknown id: no calls, no error. Bad token: the gateway's error.
	if calls, err := c.CallList(context.Background(), e.srv.APIURL(), token, "KHOMP-Vicidial-ID", "nope"); err != nil || len(calls) != 0 {
		t.Errorf("unknown id: %v %v", calls, err)
	}
	var re *RPCError
	if _, err := c.CallList(context.Background(), e.srv.APIURL(), "stale", "KHOMP-Vicidial-ID", id); !errors.As(err, &re) || re.Code != 1002 {
		t.Errorf("stale token: %v", err)
	}
}

// TestSecretsNeverLeak runs every failure with a gateway that echoes the
// whole request (password or token included) into its error replies, and
// checks no error string and no log line contains a secret.
func TestSecretsNeverLeak(t *testing.T) {
	const token = "SECRET-TOKEN-9f8e7d"
	echo := func(mode string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			switch mode {
			case "rpc":
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": 0, "error": map[string]any{"code": 1, "message": "bad request " + string(body)}})
			case "rpc-string":
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": 0, "error": "bad request " + string(body)})
			case "html":
				fmt.Fprintf(w, "<html><title>%s</title></html>", body)
			case "500":
				w.WriteHeader(500)
				fmt.Fprintf(w, "<html><title>%s</title></html>", body)
			case "text":
				fmt.Fprintf(w, "%s", body)
			}
		})
	}
	pki, err := fakegw.NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.Cert(fakegw.Valid)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"rpc", "rpc-string", "html", "500", "text"} {
		srv, err := fakegw.Serve("127.0.0.1:0", echo(mode), &cert, nil)
		if err != nil {
			t.Fatal(err)
		}
		logs := &lockedBuffer{}
		c, err := New(Options{VerifyTLS: true, RootCAs: pki.Root.Pool(), Retries: 1, RetryWait: time.Millisecond, RetryMaxWait: time.Millisecond,
			Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
		if err != nil {
			t.Fatal(err)
		}
		_, err1 := c.SessionLogin(context.Background(), srv.URL+fakegw.AuthPath, testUser, testPass)
		_, err2 := c.CallList(context.Background(), srv.URL+fakegw.KGatewayPath, token, "KHOMP-Vicidial-ID", "id1")
		srv.Close()
		for _, err := range []error{err1, err2} {
			if err == nil {
				t.Fatalf("%s: no error", mode)
			}
			for e := err; e != nil; e = errors.Unwrap(e) {
				if strings.Contains(e.Error(), "p4ss") || strings.Contains(e.Error(), token) {
					t.Errorf("%s: error chain leaks a secret: %q", mode, e.Error())
				}
			}
		}
		if strings.Contains(logs.String(), testPass) || strings.Contains(logs.String(), token) || strings.Contains(logs.String(), `p4ss`) {
			t.Errorf("%s: log leaks a secret:\n%s", mode, logs.String())
		}
	}
}

func TestSecretInURLUserInfoIsRedacted(t *testing.T) {
	c, err := New(Options{Timeout: 200 * time.Millisecond, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.SessionLogin(context.Background(), "https://admin:hunter2@127.0.0.1:1/rpc/json.fcgi/auth", testUser, testPass)
	if err == nil || strings.Contains(err.Error(), "hunter2") || !IsTransport(err) {
		t.Fatalf("err = %v", err)
	}
}

func TestDecodeReply(t *testing.T) {
	cases := []struct {
		body   string
		status int
		ok     bool
		is     error
	}{
		{`{"jsonrpc":"2.0","id":0,"result":{"token":"x"}}`, 200, true, nil},
		{"\ufeff  {\"result\":1}", 200, true, nil},
		{`{"error":{"code":-32601,"message":"Method not found"}}`, 200, false, nil},
		{`{"error":null,"result":null}`, 200, false, ErrBadReply},
		{`{"result":`, 200, false, ErrNotJSON},
		{`[1,2]`, 200, false, ErrNotJSON},
		{`{"result":1}`, 404, false, nil},
		{``, 502, false, nil},
		{`<html>`, 200, false, ErrNotJSON},
		{`{"a":1}{"b":2}`, 200, false, ErrNotJSON},
	}
	for _, c := range cases {
		res, err := decodeReply("X", c.status, []byte(c.body))
		if (err == nil) != c.ok || (c.is != nil && !errors.Is(err, c.is)) {
			t.Errorf("decodeReply(%q, %d) = %s, %v", c.body, c.status, res, err)
		}
	}
}

func FuzzDecodeReply(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","id":0,"result":{"token":"x"}}`,
		`{"error":{"code":"12","message":{"x":[1]}}}`,
		`{"result":{"calls":[{"fields":{"a":null,"b":1.5e3,"c":true}}]}}`,
		"<html><title>t</title>", "\xef\xbb\xbf{}", `{"error":"plain"}`,
	} {
		f.Add([]byte(s), 200)
	}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		res, err := decodeReply("CallList", status, body)
		if err == nil && len(res) == 0 {
			t.Fatal("nil result without error")
		}
		if err != nil && strings.ContainsAny(err.Error(), "\n\r") {
			t.Fatalf("multi-line error %q", err)
		}
		if err == nil {
			var r struct {
				Calls []struct {
					Fields map[string]json.RawMessage `json:"fields"`
				} `json:"calls"`
			}
			if json.Unmarshal(res, &r) == nil {
				for _, c := range r.Calls {
					for _, v := range c.Fields {
						scalarText(v)
					}
				}
			}
		}
	})
}
