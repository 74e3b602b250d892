package khomp

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Step results.
const (
	StepOK   = "ok"
	StepWarn = "warn"
	StepFail = "fail"
	StepSkip = "skip"
)

// Step is one check of CheckTLS.
type Step struct {
	Name   string `json:"check"`
	Result string `json:"result"` // ok, warn, fail, skip
	Detail string `json:"detail"`
}

// TLSReport is what CheckTLS found for one URL.
type TLSReport struct {
	URL    string `json:"url"`
	Verify bool   `json:"verify"` // whether VICIdial's curl verifies (check_ssl != 0)
	Steps  []Step `json:"steps"`
	// CertProblems are the certificate defects found, whether or not
	// VICIdial verifies (for the "check_ssl => 0 but …" warning).
	CertProblems []string `json:"cert_problems,omitempty"`
	// DaysLeft until the leaf certificate expires (negative: expired).
	DaysLeft *int `json:"days_left,omitempty"`
	// CurlOK: VICIdial's curl (with --insecure when Verify is false) would
	// reach the gateway.
	CurlOK bool `json:"curl_ok"`
}

// CheckOptions configure CheckTLS.
type CheckOptions struct {
	URL     string
	Verify  bool           // verify like curl without --insecure
	RootCAs *x509.CertPool // nil: the system roots
	Timeout time.Duration  // per network step; default 10 s
	// WarnDays warns when the certificate expires within this many days.
	WarnDays  int
	Now       func() time.Time
	UserAgent string
}

// CheckTLS walks the layers curl goes through to reach a gateway URL —
// DNS, TCP, TLS handshake, protocol and cipher, certificate validity,
// chain, host name, then an HTTP GET of the base URL — and says which one
// fails and why. It never returns an error: every problem is a step.
func CheckTLS(ctx context.Context, o CheckOptions) TLSReport {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c := &checker{o: o, rep: TLSReport{URL: o.URL, Verify: o.Verify}}
	c.run(ctx)
	return c.rep
}

type checker struct {
	o     CheckOptions
	rep   TLSReport
	u     *url.URL
	host  string
	port  string
	addrs []string
	conn  net.Conn
	state tls.ConnectionState
}

func (c *checker) add(name, result, format string, args ...any) {
	c.rep.Steps = append(c.rep.Steps, Step{Name: name, Result: result, Detail: fmt.Sprintf(format, args...)})
}

func (c *checker) run(ctx context.Context) {
	ok := c.parseURL() && c.resolve(ctx) && c.dial(ctx)
	if !ok {
		return
	}
	defer c.conn.Close()
	tlsOK := true
	if c.u.Scheme == "https" {
		if !c.handshake(ctx) {
			return
		}
		protoOK := c.protocol()
		certOK := c.certificate()
		tlsOK = protoOK && (certOK || !c.o.Verify)
	}
	httpOK := c.httpGet(ctx)
	c.rep.CurlOK = tlsOK && httpOK
}

func (c *checker) parseURL() bool {
	u, err := url.Parse(c.o.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		c.add("url", StepFail, "%q is not an http:// or https:// URL with a host", c.o.URL)
		return false
	}
	c.u, c.host, c.port = u, u.Hostname(), u.Port()
	if c.port == "" {
		c.port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	if p, err := strconv.Atoi(c.port); err != nil || p < 1 || p > 65535 {
		c.add("url", StepFail, "%q: port %q is not a number from 1 to 65535", c.o.URL, c.port)
		return false
	}
	detail := u.Scheme + "://" + net.JoinHostPort(c.host, c.port)
	if u.Scheme == "http" {
		c.add("url", StepWarn, "%s is plain HTTP: the API password and token cross the network unencrypted", detail)
	} else {
		c.add("url", StepOK, "%s", detail)
	}
	return true
}

func (c *checker) resolve(ctx context.Context) bool {
	if ip := net.ParseIP(c.host); ip != nil {
		c.addrs = []string{ip.String()}
		c.add("dns", StepSkip, "%s is an IP address", c.host)
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	start := time.Now()
	addrs, err := net.DefaultResolver.LookupHost(ctx, c.host)
	if err != nil {
		var de *net.DNSError
		if errors.As(err, &de) && de.IsNotFound {
			c.add("dns", StepFail, "%s does not resolve (no such host)", c.host)
		} else {
			c.add("dns", StepFail, "cannot resolve %s: %v", c.host, err)
		}
		return false
	}
	c.addrs = addrs
	c.add("dns", StepOK, "%s → %s (%s)", c.host, strings.Join(addrs, ", "), ms(time.Since(start)))
	return true
}

// dial tries the addresses in order, like curl, and keeps the first
// connection that works.
func (c *checker) dial(ctx context.Context) bool {
	var errs []string
	d := net.Dialer{Timeout: c.o.Timeout}
	for _, a := range c.addrs {
		start := time.Now()
		conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(a, c.port))
		if err == nil {
			c.conn = conn
			c.add("tcp", StepOK, "connected to %s (%s)", conn.RemoteAddr(), ms(time.Since(start)))
			return true
		}
		errs = append(errs, net.JoinHostPort(a, c.port)+": "+shortNetErr(err))
	}
	c.add("tcp", StepFail, "cannot connect: %s", strings.Join(errs, "; "))
	return false
}

func shortNetErr(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		err = oe.Err
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "connection refused"):
		return "connection refused (nothing listens on that port, or a firewall rejects it)"
	case strings.Contains(msg, "i/o timeout"), errors.Is(err, context.DeadlineExceeded):
		return "timed out (host down or a firewall drops the packets)"
	}
	return msg
}

// handshake completes TLS without verifying, so that every certificate
// problem can be reported separately afterwards. TLS 1.0 is allowed here
// only to be able to say that the gateway speaks nothing newer.
func (c *checker) handshake(ctx context.Context) bool {
	conf := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10} //nolint:gosec // verification is done by hand below
	if net.ParseIP(c.host) == nil {
		conf.ServerName = c.host
	}
	tc := tls.Client(c.conn, conf)
	ctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	start := time.Now()
	if err := tc.HandshakeContext(ctx); err != nil {
		msg := err.Error()
		var re tls.RecordHeaderError
		if errors.As(err, &re) {
			msg = "the server does not speak TLS on this port (plain HTTP? use http:// or the HTTPS port)"
		}
		c.add("tls", StepFail, "handshake failed: %s", msg)
		return false
	}
	c.conn = tc
	c.state = tc.ConnectionState()
	c.add("tls", StepOK, "handshake done (%s)", ms(time.Since(start)))
	return true
}

// protocol: current curl/OpenSSL builds refuse TLS older than 1.2.
func (c *checker) protocol() bool {
	version := tls.VersionName(c.state.Version)
	suite := tls.CipherSuiteName(c.state.CipherSuite)
	if c.state.Version < tls.VersionTLS12 {
		c.add("protocol", StepFail, "%s with %s: curl on current distributions refuses TLS older than 1.2", version, suite)
		return false
	}
	for _, s := range tls.InsecureCipherSuites() {
		if s.ID == c.state.CipherSuite {
			c.add("protocol", StepWarn, "%s with %s, a weak cipher suite", version, suite)
			return true
		}
	}
	c.add("protocol", StepOK, "%s, %s", version, suite)
	return true
}

// certificate checks validity dates, chain and host name of the leaf. It
// reports false when a verifying client would refuse the certificate.
func (c *checker) certificate() bool {
	certs := c.state.PeerCertificates
	if len(certs) == 0 {
		c.add("certificate", StepFail, "the server sent no certificate")
		return false
	}
	leaf := certs[0]
	validOK := c.validity(leaf)
	chainOK := c.chain(certs)
	hostOK := c.hostname(leaf)
	return validOK && chainOK && hostOK
}

func (c *checker) problem(name, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	c.rep.CertProblems = append(c.rep.CertProblems, name+": "+msg)
	result := StepFail
	if !c.o.Verify {
		result = StepWarn
		msg += " (ignored: VICIdial does not verify)"
	}
	c.add(name, result, "%s", msg)
}

func (c *checker) validity(leaf *x509.Certificate) bool {
	now := c.o.Now()
	days := int(leaf.NotAfter.Sub(now).Hours() / 24) // whole days, rounded towards zero
	c.rep.DaysLeft = &days
	subject := describeName(leaf)
	switch {
	case now.After(leaf.NotAfter):
		c.problem("validity", "%s expired %s (%s ago)", subject, leaf.NotAfter.UTC().Format(time.RFC3339), dayCount(-days))
		return false
	case now.Before(leaf.NotBefore):
		c.problem("validity", "%s is not valid before %s (clock wrong, or certificate issued in the future)", subject, leaf.NotBefore.UTC().Format(time.RFC3339))
		return false
	case c.o.WarnDays > 0 && days < c.o.WarnDays:
		c.add("validity", StepWarn, "%s expires %s: only %s left", subject, leaf.NotAfter.UTC().Format(time.RFC3339), dayCount(days))
	default:
		c.add("validity", StepOK, "%s valid until %s (%s left)", subject, leaf.NotAfter.UTC().Format(time.RFC3339), dayCount(days))
	}
	return true
}

// dayCount is "1 day", "2 days"; less than a day is "less than a day".
func dayCount(n int) string {
	switch n {
	case 0:
		return "less than a day"
	case 1:
		return "1 day"
	}
	return strconv.Itoa(n) + " days"
}

// chain verifies the sent chain against the roots at a moment inside the
// leaf's validity, so that an expired leaf is not also reported as an
// untrusted one, and names what is wrong.
func (c *checker) chain(certs []*x509.Certificate) bool {
	leaf := certs[0]
	inter := x509.NewCertPool()
	for _, ic := range certs[1:] {
		inter.AddCert(ic)
	}
	at := c.o.Now()
	if at.After(leaf.NotAfter) || at.Before(leaf.NotBefore) {
		at = leaf.NotBefore.Add(leaf.NotAfter.Sub(leaf.NotBefore) / 2)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{Roots: c.o.RootCAs, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err == nil {
		path := make([]string, 0, len(chains[0]))
		for _, cc := range chains[0] {
			path = append(path, describeName(cc))
		}
		c.add("chain", StepOK, "trusted: %s", strings.Join(path, " ← "))
		return true
	}
	last := certs[len(certs)-1]
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &ci) && ci.Reason == x509.Expired:
		c.problem("chain", "a CA certificate of the chain is outside its validity period (%s)", ci.Cert.Subject.String())
	case len(certs) == 1 && selfSigned(leaf):
		c.problem("chain", "self-signed certificate %s (install it as a trusted CA, or give the gateway a CA-signed one)", describeName(leaf))
	case errors.As(err, &ua) && selfSigned(last):
		c.problem("chain", "unknown authority: the chain ends at root %s, which is not trusted here (install that CA, or use --cacert)", describeName(last))
	case errors.As(err, &ua):
		c.problem("chain", "incomplete chain or unknown authority: the server sent %d certificate(s) and the issuer %q of the last one was neither sent nor is a trusted root (send the intermediate CA from the gateway, or install the private root)", len(certs), last.Issuer.String())
	default:
		c.problem("chain", "not trusted: %v", err)
	}
	return false
}

func (c *checker) hostname(leaf *x509.Certificate) bool {
	if err := leaf.VerifyHostname(c.host); err != nil {
		names := append([]string(nil), leaf.DNSNames...)
		for _, ip := range leaf.IPAddresses {
			names = append(names, ip.String())
		}
		if len(names) == 0 {
			names = []string{"no subject alternative names"}
		}
		c.problem("hostname", "certificate is for %s, not %s", strings.Join(names, ", "), c.host)
		return false
	}
	c.add("hostname", StepOK, "certificate matches %s", c.host)
	return true
}

// httpGet fetches the base URL with curl's semantics for this container
// (verification on or off). Any HTTP status counts as success, as for
// VICIdial's curl, which has no --fail.
func (c *checker) httpGet(ctx context.Context) bool {
	base := c.u.Scheme + "://" + c.u.Host + "/"
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: !c.o.Verify, RootCAs: c.o.RootCAs, MinVersion: tls.VersionTLS12}, //nolint:gosec // curl --insecure when check_ssl is 0
		DisableKeepAlives: true,
		Proxy:             http.ProxyFromEnvironment,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: c.o.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base, nil)
	if err != nil {
		c.add("http", StepFail, "GET %s: %v", base, err)
		return false
	}
	if c.o.UserAgent != "" {
		req.Header.Set("User-Agent", c.o.UserAgent)
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		c.add("http", StepFail, "GET %s: %s", base, describeTransport(err, c.o.Timeout))
		return false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	detail := fmt.Sprintf("GET %s: %s (%s)", base, resp.Status, ms(time.Since(start)))
	if t := htmlTitle(bytes.TrimSpace(body)); t != "" {
		detail += fmt.Sprintf(", page %q", t)
	}
	c.add("http", StepOK, "%s", detail)
	return true
}

func selfSigned(cert *x509.Certificate) bool {
	// CheckSignature, not CheckSignatureFrom: a self-signed leaf is not a
	// CA, and only the signature matters here.
	return bytes.Equal(cert.RawIssuer, cert.RawSubject) && cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature) == nil
}

func describeName(cert *x509.Certificate) string {
	if cert.Subject.CommonName != "" {
		return "CN=" + cert.Subject.CommonName
	}
	return cert.Subject.String()
}

func ms(d time.Duration) string { return d.Round(100 * time.Microsecond).String() }
