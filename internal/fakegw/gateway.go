// Package fakegw is a fake KHOMP call-analytics gateway: the two JSON-RPC
// methods VICIdial uses (SessionLogin on /rpc/json.fcgi/auth, CallList on
// /rpc/json.fcgi/kgateway) served over real HTTPS on loopback, with
// certificates generated on the fly and scripted failure replies. Tests use
// it directly; cmd/fakegw runs it for a person.
package fakegw

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Paths of the two endpoints, as in VICIdial's KHOMPSETTINGS.
const (
	AuthPath     = "/rpc/json.fcgi/auth"
	KGatewayPath = "/rpc/json.fcgi/kgateway"
)

// Reply is a scripted behaviour for one request.
type Reply string

// Scripted replies.
const (
	ReplyNormal   Reply = "normal"    // do the real work
	ReplyRPCError Reply = "rpc-error" // JSON-RPC error object, HTTP 200
	ReplyHTML     Reply = "html"      // an HTML error page, HTTP 200
	ReplySlow     Reply = "slow"      // wait SlowDelay (or until the client gives up), then normal
	Reply500      Reply = "500"       // HTTP 500 with an HTML body
	ReplyEmpty    Reply = "empty"     // HTTP 200, no body
	ReplyNoToken  Reply = "no-token"  // SessionLogin result without a token
)

// Replies lists every scripted reply.
var Replies = []Reply{ReplyNormal, ReplyRPCError, ReplyHTML, ReplySlow, Reply500, ReplyEmpty, ReplyNoToken}

// Request is what the gateway saw, for assertions.
type Request struct {
	Path        string
	Method      string // JSON-RPC method
	ContentType string
	UserAgent   string
	Body        string
}

// Gateway holds the fake's state. The zero value is not usable; use New.
type Gateway struct {
	mu        sync.Mutex
	user      string
	pass      string
	tokens    []string // handed out by successive logins; the last repeats
	issued    map[string]bool
	calls     map[string][]map[string]any // by the SIP header value
	header    string                      // expected CallList header field
	script    []Reply
	fallback  Reply
	slowDelay time.Duration
	requests  []Request
}

// Options configure a Gateway.
type Options struct {
	User, Pass string
	// Tokens are returned by successive SessionLogin calls (the last one
	// repeats). Default: one ordinary token.
	Tokens []string
	// Header is the SIP header CallList filters on (without "X-").
	// Default KHOMP-Vicidial-ID.
	Header string
	// SlowDelay is how long ReplySlow waits. Default 5 s.
	SlowDelay time.Duration
}

// New makes a gateway that accepts opts.User / opts.Pass.
func New(opts Options) *Gateway {
	if len(opts.Tokens) == 0 {
		opts.Tokens = []string{"0a1b2c3d4e5f60718293a4b5c6d7e8f9"}
	}
	if opts.Header == "" {
		opts.Header = "KHOMP-Vicidial-ID"
	}
	if opts.SlowDelay <= 0 {
		opts.SlowDelay = 5 * time.Second
	}
	return &Gateway{
		user: opts.User, pass: opts.Pass, tokens: opts.Tokens, header: opts.Header,
		issued: map[string]bool{}, calls: map[string][]map[string]any{},
		fallback: ReplyNormal, slowDelay: opts.SlowDelay,
	}
}

// Script queues replies for the next requests (one each, in order); after
// them the gateway answers with the default reply.
func (g *Gateway) Script(replies ...Reply) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.script = append(g.script, replies...)
}

// SetDefault sets the reply used when the script is empty.
func (g *Gateway) SetDefault(r Reply) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fallback = r
}

// AddCall registers a call record CallList returns for khompID. Values
// are sent as given (strings, numbers, nil for JSON null).
func (g *Gateway) AddCall(khompID string, fields map[string]any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls[khompID] = append(g.calls[khompID], fields)
}

// IssueToken marks token as valid for CallList without a login (as if an
// earlier login had returned it).
func (g *Gateway) IssueToken(token string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.issued[token] = true
}

// Requests returns a copy of every request received so far.
func (g *Gateway) Requests() []Request {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Request(nil), g.requests...)
}

// Count returns how many requests called the JSON-RPC method.
func (g *Gateway) Count(method string) int {
	n := 0
	for _, r := range g.Requests() {
		if r.Method == method {
			n++
		}
	}
	return n
}

func (g *Gateway) next() Reply {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.script) == 0 {
		return g.fallback
	}
	r := g.script[0]
	g.script = g.script[1:]
	return r
}

// ServeHTTP implements both endpoints.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		// What a browser (or check-ssl's GET) sees: the web interface.
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><head><title>KHOMP gateway (khompctl fake)</title></head><body></body></html>")
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var req struct {
		ID      json.RawMessage `json:"id"`
		Method  string          `json:"method"`
		Params  json.RawMessage `json:"params"`
		JSONRPC string          `json:"jsonrpc"`
	}
	_ = json.Unmarshal(body, &req)
	g.mu.Lock()
	g.requests = append(g.requests, Request{Path: r.URL.Path, Method: req.Method, ContentType: r.Header.Get("Content-Type"), UserAgent: r.UserAgent(), Body: string(body)})
	g.mu.Unlock()

	switch g.next() {
	case ReplyRPCError:
		writeJSON(w, map[string]any{"jsonrpc": "2.0", "id": 0, "error": map[string]any{"code": -32000, "message": "Internal error: scripted failure"}})
		return
	case ReplyHTML:
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>\n")
		return
	case Reply500:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, "<html><head><title>500 Internal Server Error</title></head><body>fcgi crashed</body></html>")
		return
	case ReplyEmpty:
		return
	case ReplyNoToken:
		writeJSON(w, map[string]any{"jsonrpc": "2.0", "id": 0, "result": map[string]any{"status": "ok"}})
		return
	case ReplySlow:
		select {
		case <-time.After(g.slowDelay):
		case <-r.Context().Done():
			// The client gave up: abort without sending anything (a normal
			// return would send an empty 200 the client might still read).
			panic(http.ErrAbortHandler)
		}
	}
	if req.JSONRPC != "2.0" {
		writeRPCError(w, -32600, "Invalid Request")
		return
	}
	switch {
	case r.URL.Path == AuthPath && req.Method == "SessionLogin":
		g.sessionLogin(w, req.Params)
	case r.URL.Path == KGatewayPath && req.Method == "CallList":
		g.callList(w, req.Params)
	default:
		writeRPCError(w, -32601, "Method not found")
	}
}

func (g *Gateway) sessionLogin(w http.ResponseWriter, raw json.RawMessage) {
	var p struct{ Username, Password string }
	if err := json.Unmarshal(raw, &p); err != nil {
		writeRPCError(w, -32602, "Invalid params")
		return
	}
	g.mu.Lock()
	ok := p.Username == g.user && p.Password == g.pass
	var token string
	if ok {
		token = g.tokens[0]
		if len(g.tokens) > 1 {
			g.tokens = g.tokens[1:]
		}
		g.issued[token] = true
	}
	g.mu.Unlock()
	if !ok {
		writeRPCError(w, 1001, "Invalid username or password")
		return
	}
	writeJSON(w, map[string]any{"jsonrpc": "2.0", "id": 0, "result": map[string]any{"token": token}})
}

func (g *Gateway) callList(w http.ResponseWriter, raw json.RawMessage) {
	var p struct {
		Token string `json:"token"`
		Query struct {
			Type   string   `json:"type"`
			Field  string   `json:"field"`
			Values []string `json:"values"`
		} `json:"query"`
		SelectedFields []string `json:"selected_fields"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		writeRPCError(w, -32602, "Invalid params")
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.issued[p.Token] {
		writeRPCError(w, 1002, "Invalid or expired session")
		return
	}
	if p.Query.Type != "eq" || p.Query.Field != "sip_header:X-"+g.header || len(p.Query.Values) == 0 {
		writeRPCError(w, -32602, "Invalid query")
		return
	}
	calls := []map[string]any{}
	for _, v := range p.Query.Values {
		for _, fields := range g.calls[v] {
			selected := map[string]any{}
			for _, name := range p.SelectedFields {
				if val, ok := fields[name]; ok {
					selected[name] = val
				}
			}
			calls = append(calls, map[string]any{"fields": selected})
		}
	}
	writeJSON(w, map[string]any{"jsonrpc": "2.0", "id": 0, "result": map[string]any{"calls": calls}})
}

func writeRPCError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, map[string]any{"jsonrpc": "2.0", "id": 0, "error": map[string]any{"code": code, "message": msg}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// Server is a running HTTPS (or plain HTTP) server.
type Server struct {
	// URL is the base URL, e.g. https://127.0.0.1:40123
	URL string
	// Addr is the listening address.
	Addr string
	srv  *http.Server
	done chan struct{}
}

// AuthURL and APIURL are the two endpoint URLs.
func (s *Server) AuthURL() string { return s.URL + AuthPath }

// APIURL is the CallList endpoint.
func (s *Server) APIURL() string { return s.URL + KGatewayPath }

// Host is the host:port part of URL.
func (s *Server) Host() string {
	return strings.TrimPrefix(strings.TrimPrefix(s.URL, "https://"), "http://")
}

// ServeTLS starts h on addr over HTTPS with a certificate of kind, issued by
// a fresh test PKI; the PKI is returned so the caller can trust its root.
func ServeTLS(addr string, h http.Handler, kind CertKind) (*Server, *PKI, error) {
	pki, err := NewPKI()
	if err != nil {
		return nil, nil, err
	}
	cert, err := pki.Cert(kind)
	if err != nil {
		return nil, nil, err
	}
	srv, err := Serve(addr, h, &cert, nil)
	if err != nil {
		return nil, nil, err
	}
	return srv, pki, nil
}

// Serve starts h on addr ("127.0.0.1:0" for any free port) with TLS when
// cert has a certificate, plain HTTP otherwise.
func Serve(addr string, h http.Handler, cert *tls.Certificate, tlsConf *tls.Config) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	scheme := "http"
	if cert != nil {
		if tlsConf == nil {
			tlsConf = &tls.Config{}
		}
		tlsConf = tlsConf.Clone()
		tlsConf.Certificates = []tls.Certificate{*cert}
		ln = tls.NewListener(ln, tlsConf)
		scheme = "https"
	}
	s := &Server{
		URL:  scheme + "://" + ln.Addr().String(),
		Addr: ln.Addr().String(),
		srv:  &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil},
		done: make(chan struct{}),
	}
	s.srv.ErrorLog = quietLog()
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener closed under us; Close reports nothing more useful
		}
	}()
	return s, nil
}

// Close stops the server and waits for it, cutting open connections (a
// slow reply in progress included).
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		_ = s.srv.Close()
	}
	<-s.done
}

// quietLog drops the server's own log lines (TLS handshake failures are
// the point of several scenarios, not news).
func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }
