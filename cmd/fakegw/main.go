// Command fakegw runs the fake KHOMP gateway khompctl's tests use, so that a
// person can try auth, check-ssl and calls (or VICIdial itself) without a
// real gateway:
//
//	go run ./cmd/fakegw --cert valid --ca-out /tmp/fakegw-ca.pem --call 'V1124193800000000123_TEST_203.0.113.5=Voice mail/Voice mail 1000Hz'
//
// It prints the settings container entry to use and serves until Ctrl-C.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/khompctl/khompctl/internal/fakegw"
)

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type config struct {
	listen, cert, caOut, user, pass, reply string
	tokens, calls, script                  listFlag
	slow                                   time.Duration
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fakegw:", err)
		os.Exit(2)
	}
}

func run(args []string, out io.Writer) error {
	var c config
	fs := flag.NewFlagSet("fakegw", flag.ContinueOnError)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8443", "address to listen on")
	fs.StringVar(&c.cert, "cert", string(fakegw.Valid), "certificate scenario: plain (no TLS), "+kindList())
	fs.StringVar(&c.caOut, "ca-out", "", "write the test root CA (PEM) to this file, for --cacert")
	fs.StringVar(&c.user, "user", "API_USER", "accepted user name")
	fs.StringVar(&c.pass, "pass", "API_PASSWORD", "accepted password")
	fs.Var(&c.tokens, "token", "token handed out by SessionLogin (repeat: one per login, the last repeats)")
	fs.Var(&c.calls, "call", "a call CallList knows: KHOMP_ID=Conclusion[/Pattern] (repeatable)")
	fs.StringVar(&c.reply, "reply", string(fakegw.ReplyNormal), "default reply: "+replyList())
	fs.Var(&c.script, "script", "reply for the next request, then the default (repeatable, in order)")
	fs.DurationVar(&c.slow, "slow", 15*time.Second, "how long a 'slow' reply waits")
	if err := fs.Parse(args); err != nil {
		return err
	}
	srv, err := start(c)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(out, "fake KHOMP gateway on %s (certificate: %s)\n\nSettings container entry:\n\n", srv.URL, c.cert)
	fmt.Fprintf(out, "khomp_api_url => %s\r\nkhomp_api_proxied => false\r\nkhomp_api_login_url => %s\r\nkhomp_api_user => %s\r\nkhomp_api_pass => %s\r\nkhomp_api_check_ssl => 1\r\nkhomp_header => KHOMP-Vicidial-ID\r\nkhomp_id_format => CALLERCODE_CAMP_EXTERNIP\r\nkhomp_api_token => TOKENTOKENTOKEN\r\nkhomp_api_token_expire => 0\r\n\n",
		srv.APIURL(), srv.AuthURL(), c.user, c.pass)
	fmt.Fprintln(out, "Ctrl-C stops it.")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return nil
}

func start(c config) (*fakegw.Server, error) {
	gw := fakegw.New(fakegw.Options{User: c.user, Pass: c.pass, Tokens: c.tokens, SlowDelay: c.slow})
	if !validReply(c.reply) {
		return nil, fmt.Errorf("--reply %q: want one of %s", c.reply, replyList())
	}
	gw.SetDefault(fakegw.Reply(c.reply))
	for _, r := range c.script {
		if !validReply(r) {
			return nil, fmt.Errorf("--script %q: want one of %s", r, replyList())
		}
		gw.Script(fakegw.Reply(r))
	}
	now := time.Now()
	for _, spec := range c.calls {
		id, rest, ok := strings.Cut(spec, "=")
		if !ok || id == "" {
			return nil, fmt.Errorf("--call %q: want KHOMP_ID=Conclusion[/Pattern]", spec)
		}
		conclusion, pattern, _ := strings.Cut(rest, "/")
		start := now.Add(-40 * time.Second).UnixMilli()
		gw.AddCall(id, map[string]any{
			"sip_header:call-id": fmt.Sprintf("%d@fakegw", start), "start_stamp": start, "audio_stamp": start + 1500,
			"answer_stamp": start + 9000, "analyzer_stamp": start + 11200, "end_stamp": start + 30000,
			"analyzer_conclusion": conclusion, "analyzer_pattern": pattern, "analyzer_action": "forward",
			"hangup_origin": "leg a", "hangup_cause": "200", "hangup_cause_sent": "200",
		})
	}
	if c.cert == "plain" {
		return fakegw.Serve(c.listen, gw, nil, nil)
	}
	pki, err := fakegw.NewPKI()
	if err != nil {
		return nil, err
	}
	cert, err := pki.Cert(fakegw.CertKind(c.cert))
	if err != nil {
		return nil, fmt.Errorf("--cert: %w (want plain, %s)", err, kindList())
	}
	if c.caOut != "" {
		if err := os.WriteFile(c.caOut, pki.Root.PEM(), 0o644); err != nil {
			return nil, err
		}
	}
	srv, err := fakegw.Serve(c.listen, gw, &cert, nil)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", c.listen, err)
	}
	return srv, nil
}

func validReply(r string) bool {
	for _, k := range fakegw.Replies {
		if string(k) == r {
			return true
		}
	}
	return false
}

func kindList() string {
	var s []string
	for _, k := range fakegw.CertKinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

func replyList() string {
	var s []string
	for _, r := range fakegw.Replies {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}
