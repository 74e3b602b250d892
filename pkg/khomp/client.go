// Package khomp is a client for the KHOMP call-analytics gateway's
// JSON-RPC 2.0 API, as VICIdial uses it: SessionLogin on the "auth"
// endpoint and CallList on the "kgateway" endpoint.
//
// Unlike VICIdial's curl calls it has timeouts, honours context
// cancellation, retries (boundedly, with back-off) only what is worth
// retrying (network errors and 5xx), turns JSON-RPC error objects and HTML
// pages into clear errors instead of dying in a JSON decoder, and never
// puts a password or token into an error or a log line.
package khomp

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// Defaults for Options fields left zero.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultRetries      = 2
	DefaultRetryWait    = 500 * time.Millisecond
	DefaultRetryMaxWait = 3 * time.Second
	maxReplyBytes       = 8 << 20
)

// Options configure a Client.
type Options struct {
	// Timeout bounds each HTTP attempt (connect, TLS, request, reply).
	Timeout time.Duration
	// Retries is how many extra attempts a network error or a 5xx gets:
	// 0 means DefaultRetries, a negative value none.
	Retries      int
	RetryWait    time.Duration
	RetryMaxWait time.Duration
	// VerifyTLS checks the gateway certificate; VICIdial verifies only when
	// khomp_api_check_ssl is numerically non-zero.
	VerifyTLS bool
	// CAFile is a PEM bundle trusted in addition to the system roots.
	CAFile string
	// RootCAs, when set, replaces the system roots (tests, check-ssl).
	RootCAs *x509.CertPool
	// Version goes into the User-Agent "khompctl/<version>".
	Version string
	// FormContentType sends curl's application/x-www-form-urlencoded
	// instead of application/json, for gateways that only accept what
	// VICIdial's curl sends.
	FormContentType bool
	// Log receives debug and retry messages, never secrets. Nil: silent.
	Log *slog.Logger
}

// Client talks to one gateway. It is safe for concurrent use.
type Client struct {
	http        *resty.Client
	log         *slog.Logger
	contentType string
	timeout     time.Duration // per attempt, named in "timed out" errors
}

// New builds a client. The only error is an unreadable or empty CA file.
func New(opts Options) (*Client, error) {
	opts = withDefaults(opts)
	tlsConf, err := tlsConfig(opts)
	if err != nil {
		return nil, err
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rc := resty.New().
		SetTimeout(opts.Timeout).
		SetTLSClientConfig(tlsConf).
		SetRetryCount(opts.Retries).
		SetRetryWaitTime(opts.RetryWait).
		SetRetryMaxWaitTime(opts.RetryMaxWait).
		SetHeader("User-Agent", "khompctl/"+opts.Version).
		SetHeader("Accept", "application/json").
		SetLogger(restyLogger{log}).
		SetResponseBodyLimit(maxReplyBytes).
		SetRedirectPolicy(resty.NoRedirectPolicy()).
		AddRetryCondition(shouldRetry)
	attempts := opts.Retries + 1
	rc.AddRetryHook(func(resp *resty.Response, err error) {
		// resty also calls this after the last attempt, so it does not
		// promise another one.
		attempt := 0
		if resp != nil && resp.Request != nil {
			attempt = resp.Request.Attempt
		}
		// Info, not Warn: a retry that then succeeds is no news for the cron
		// mail, and a final failure is reported once, as the command's error.
		log.Info("KHOMP attempt failed", "attempt", attempt, "of", attempts, "reason", retryReason(resp, err, opts.Timeout))
	})
	ct := "application/json"
	if opts.FormContentType {
		ct = "application/x-www-form-urlencoded"
	}
	return &Client{http: rc, log: log, contentType: ct, timeout: opts.Timeout}, nil
}

func withDefaults(o Options) Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	switch {
	case o.Retries == 0:
		o.Retries = DefaultRetries
	case o.Retries < 0:
		o.Retries = 0
	}
	if o.RetryWait <= 0 {
		o.RetryWait = DefaultRetryWait
	}
	if o.RetryMaxWait <= 0 {
		o.RetryMaxWait = DefaultRetryMaxWait
	}
	if o.Version == "" {
		o.Version = "(devel)"
	}
	return o
}

// tlsConfig verifies only when asked to (VICIdial's check_ssl semantics),
// against the system roots plus CAFile, or RootCAs when given.
func tlsConfig(o Options) (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: !o.VerifyTLS} //nolint:gosec // the container's check_ssl decides, as in VICIdial
	if o.RootCAs != nil {
		conf.RootCAs = o.RootCAs
	}
	if o.CAFile == "" {
		return conf, nil
	}
	if o.RootCAs != nil {
		pool := o.RootCAs.Clone()
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("CA file: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s: no PEM certificate in it", o.CAFile)
		}
		conf.RootCAs = pool
		return conf, nil
	}
	pool, err := RootPool(o.CAFile)
	if err != nil {
		return nil, err
	}
	conf.RootCAs = pool
	return conf, nil
}

// RootPool is the system roots plus the PEM certificates in caFile (none
// when caFile is ""), what curl trusts once that CA is installed.
func RootPool(caFile string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if caFile == "" {
		return pool, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err)
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s: no PEM certificate in it", caFile)
	}
	return pool, nil
}

// shouldRetry: network errors (not certificate problems or cancellation,
// which a retry cannot fix) and 5xx replies.
func shouldRetry(resp *resty.Response, err error) bool {
	if err != nil {
		return !permanent(err)
	}
	return resp != nil && resp.StatusCode() >= 500
}

func permanent(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) && !isClientTimeout(err) || isCertError(err)
}

// isCertError: the gateway's certificate was refused.
func isCertError(err error) bool {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) || errors.As(err, &invalid)
}

// isClientTimeout tells the per-attempt http.Client timeout (worth a retry)
// from the caller's context deadline (not).
func isClientTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout() && strings.Contains(err.Error(), "Client.Timeout")
}

func retryReason(resp *resty.Response, err error, timeout time.Duration) string {
	if err != nil {
		return describeTransport(err, timeout)
	}
	if resp != nil {
		return fmt.Sprintf("HTTP %d", resp.StatusCode())
	}
	return "unknown"
}

// loginParams are SessionLogin's params.
type loginParams struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// SessionLogin logs in at loginURL and returns the session token. The
// error never contains the password or a token.
func (c *Client) SessionLogin(ctx context.Context, loginURL, user, pass string) (string, error) {
	result, err := c.call(ctx, loginURL, "SessionLogin", loginParams{Username: user, Password: pass}, pass)
	if err != nil {
		return "", err
	}
	var r struct {
		Token json.RawMessage `json:"token"`
	}
	if err := json.Unmarshal(result, &r); err != nil {
		return "", fmt.Errorf("KHOMP SessionLogin: result is not an object: %w", ErrBadReply)
	}
	token, ok := scalarText(r.Token)
	if !ok || token == "" || strings.HasPrefix(strings.TrimSpace(string(r.Token)), "{") || strings.HasPrefix(strings.TrimSpace(string(r.Token)), "[") {
		return "", fmt.Errorf("KHOMP SessionLogin: %w (result.token missing, empty or not a string)", ErrNoToken)
	}
	return token, nil
}

// SelectedFields are the call fields VICIdial asks CallList for.
var SelectedFields = []string{
	"sip_header:call-id", "start_stamp", "audio_stamp", "answer_stamp", "end_stamp",
	"analyzer_stamp", "analyzer_conclusion", "analyzer_pattern", "analyzer_action",
	"hangup_origin", "hangup_cause", "hangup_cause_sent",
}

// Query is the CallList filter VICIdial sends.
type Query struct {
	Type   string   `json:"type"`
	Field  string   `json:"field"`
	Values []string `json:"values"`
}

type callListParams struct {
	Token          string   `json:"token"`
	Query          Query    `json:"query"`
	SelectedFields []string `json:"selected_fields"`
}

// Call is one call record: field name to value as VICIdial would see it
// (JSON null fields are absent, numbers keep their text). Fields is nil
// when the record had no "fields" object (VICIdial: "No Call Record Found").
type Call struct {
	Fields map[string]string
}

// Field returns a field and whether the gateway sent it (non-null).
func (c Call) Field(name string) (string, bool) {
	v, ok := c.Fields[name]
	return v, ok
}

// Stamp reads a millisecond epoch field. ok is false when the field is
// missing, empty, zero or not a number (VICIdial stores 1970 for those).
func (c Call) Stamp(name string) (time.Time, bool) {
	v, ok := c.Fields[name]
	if !ok {
		return time.Time{}, false
	}
	ms, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || ms <= 0 {
		return time.Time{}, false
	}
	return time.UnixMilli(int64(ms)), true
}

// CallList asks the gateway at apiURL for the calls whose SIP header
// X-<header> equals khompID, exactly as VICIdial does after a call.
// VICIdial uses only the first call returned.
func (c *Client) CallList(ctx context.Context, apiURL, token, header, khompID string) ([]Call, error) {
	params := callListParams{
		Token:          token,
		Query:          Query{Type: "eq", Field: "sip_header:X-" + header, Values: []string{khompID}},
		SelectedFields: SelectedFields,
	}
	result, err := c.call(ctx, apiURL, "CallList", params, token)
	if err != nil {
		return nil, err
	}
	var r struct {
		Calls []struct {
			Fields map[string]json.RawMessage `json:"fields"`
		} `json:"calls"`
	}
	if err := json.Unmarshal(result, &r); err != nil {
		return nil, fmt.Errorf("KHOMP CallList: result.calls is not a list of calls: %w", ErrBadReply)
	}
	calls := make([]Call, 0, len(r.Calls))
	for _, rc := range r.Calls {
		var call Call
		if rc.Fields != nil {
			call.Fields = map[string]string{}
		}
		for name, raw := range rc.Fields {
			if v, ok := scalarText(raw); ok {
				call.Fields[name] = v
			}
		}
		calls = append(calls, call)
	}
	return calls, nil
}

// call POSTs one JSON-RPC request and returns its result. secret is the
// value (password or token) that must not appear in errors or logs.
func (c *Client) call(ctx context.Context, url, method string, params any, secret string) (json.RawMessage, error) {
	if url == "" {
		return nil, fmt.Errorf("KHOMP %s: no URL configured", method)
	}
	body, err := json.Marshal(request{ID: 0, Method: method, Params: params, JSONRPC: "2.0"})
	if err != nil {
		return nil, fmt.Errorf("KHOMP %s: encode request: %w", method, err)
	}
	start := time.Now()
	c.log.Debug("KHOMP request", "method", method, "url", redactURL(url))
	resp, err := c.http.R().
		SetContext(ctx).
		SetHeader("Content-Type", c.contentType).
		SetBody(body).
		Post(url)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("KHOMP %s: %w", method, ctxErr)
		}
		hint := ""
		if isCertError(err) {
			hint = "; run khompctl check-ssl"
		}
		msg := fmt.Sprintf("KHOMP %s %s: %s: %s%s", method, redactURL(url), errTransport, describeTransport(err, c.timeout), hint)
		return nil, redactErr(&kindError{msg: msg, kind: errTransport}, secret)
	}
	c.log.Debug("KHOMP reply", "method", method, "status", resp.StatusCode(), "bytes", len(resp.Body()), "attempts", resp.Request.Attempt, "elapsed", time.Since(start).Round(time.Millisecond))
	// Blank the secret out of the reply before anything quotes or clips it:
	// some gateways echo the request into their error messages.
	replyBody := resp.Body()
	for _, f := range secretForms(secret) {
		if f != "" {
			replyBody = bytes.ReplaceAll(replyBody, []byte(f), []byte("[redacted]"))
		}
	}
	result, err := decodeReply(method, resp.StatusCode(), replyBody)
	var he *HTTPError
	if errors.As(err, &he) {
		he.Attempts = resp.Request.Attempt
	}
	if err != nil {
		return nil, redactErr(err, secret)
	}
	return result, nil
}

// errTransport marks network-level failures (DNS, TCP, TLS, timeouts).
var errTransport = errors.New("cannot reach the gateway")

// IsTransport reports whether err is a network-level failure.
func IsTransport(err error) bool { return errors.Is(err, errTransport) }

// describeTransport names the failing layer without the request details
// that *url.Error adds.
func describeTransport(err error, timeout time.Duration) string {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknownAuth):
		return "TLS certificate not trusted (" + unknownAuth.Error() + ")"
	case errors.As(err, &hostErr):
		return "TLS certificate is for another host (" + hostErr.Error() + ")"
	case errors.As(err, &invalid):
		return "TLS certificate invalid (" + invalid.Error() + ")"
	case errors.As(err, &certErr):
		return "TLS certificate rejected (" + certErr.Err.Error() + ")"
	case isClientTimeout(err):
		return fmt.Sprintf("timed out after %s per attempt (--timeout)", timeout)
	}
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && ue.Unwrap() != nil {
		if inner := ue.Unwrap(); inner != nil {
			return inner.Error()
		}
	}
	return err.Error()
}

// redactURL drops user info and the query string from a URL for messages.
func redactURL(u string) string {
	if i := strings.Index(u, "?"); i >= 0 {
		u = u[:i] + "?…"
	}
	if s := strings.Index(u, "://"); s >= 0 {
		rest := u[s+3:]
		if at := strings.Index(rest, "@"); at >= 0 && !strings.Contains(rest[:at], "/") {
			u = u[:s+3] + "…@" + rest[at+1:]
		}
	}
	return u
}

// kindError is a message that belongs to one class of failure (ErrNotJSON,
// errTransport, …): errors.Is finds the class, but the message reads as
// written instead of ending in the class's own text. It unwraps only to
// the class, so it also carries messages with a secret blanked out without
// keeping the error that held the secret.
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// redactErr removes secret from everything err can print: the fields of
// our own error types, or else the whole message. The secret is also
// looked for in its JSON-escaped form, since gateways echo request bodies.
func redactErr(err error, secret string) error {
	if err == nil || secret == "" {
		return err
	}
	forms := secretForms(secret)
	scrub := func(s string) string {
		for _, f := range forms {
			s = strings.ReplaceAll(s, f, "[redacted]")
		}
		return s
	}
	var re *RPCError
	if errors.As(err, &re) {
		re.Message = scrub(re.Message)
	}
	var he *HTTPError
	if errors.As(err, &he) {
		he.Title = scrub(he.Title)
	}
	msg := err.Error()
	if scrub(msg) == msg {
		return err
	}
	var sentinel error = errTransport
	for _, s := range []error{ErrNotJSON, ErrBadReply, ErrNoToken} {
		if errors.Is(err, s) {
			sentinel = s
		}
	}
	return &kindError{msg: scrub(msg), kind: sentinel}
}

// secretForms is the secret as sent (raw) and as it appears inside JSON.
func secretForms(secret string) []string {
	if secret == "" {
		return nil
	}
	forms := []string{secret}
	if b, err := json.Marshal(secret); err == nil {
		if esc := string(b[1 : len(b)-1]); esc != secret {
			forms = append(forms, esc)
		}
	}
	return forms
}

// restyLogger sends resty's own messages to slog at debug level. resty
// logs no bodies or headers unless debug mode is on, which we never set.
type restyLogger struct{ log *slog.Logger }

func (l restyLogger) Errorf(format string, v ...any) {
	l.log.Debug("resty: " + fmt.Sprintf(format, v...))
}
func (l restyLogger) Warnf(format string, v ...any) {
	l.log.Debug("resty: " + fmt.Sprintf(format, v...))
}
func (l restyLogger) Debugf(format string, v ...any) {
	l.log.Debug("resty: " + fmt.Sprintf(format, v...))
}
