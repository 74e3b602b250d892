package khomp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Errors a caller can test for with errors.Is.
var (
	// ErrNotJSON: the gateway (or something in front of it) answered with
	// something other than JSON, typically an HTML error or login page.
	ErrNotJSON = errors.New("reply is not JSON")
	// ErrBadReply: JSON, but not a JSON-RPC 2.0 reply we can use.
	ErrBadReply = errors.New("unusable JSON-RPC reply")
	// ErrNoToken: SessionLogin succeeded at the HTTP level but gave no token.
	ErrNoToken = errors.New("no token in the SessionLogin reply")
)

// RPCError is a JSON-RPC "error" object returned by the gateway.
type RPCError struct {
	Method  string
	Code    int64
	Message string
}

func (e *RPCError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("KHOMP %s: JSON-RPC error %d", e.Method, e.Code)
	}
	return fmt.Sprintf("KHOMP %s: JSON-RPC error %d: %s", e.Method, e.Code, e.Message)
}

// HTTPError is an HTTP status without a JSON-RPC error object, such as a
// 500 that persisted through every retry or a 404 from a wrong URL.
type HTTPError struct {
	Method   string
	Status   int
	Attempts int
	Title    string // <title> of an HTML error page, if any
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("KHOMP %s: HTTP %d", e.Method, e.Status)
	if e.Title != "" {
		msg += " (" + e.Title + ")"
	}
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" after %d attempts", e.Attempts)
	}
	return msg
}

// request is a JSON-RPC 2.0 call as VICIdial sends it (id 0).
type request struct {
	ID      int    `json:"id"`
	Method  string `json:"method"`
	Params  any    `json:"params"`
	JSONRPC string `json:"jsonrpc"`
}

// reply is the envelope of a JSON-RPC 2.0 reply.
type reply struct {
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

// decodeReply turns an HTTP reply into the JSON-RPC result, or a clear error:
// an RPCError for an "error" object, ErrNotJSON for HTML and other text,
// ErrBadReply for JSON without result, and HTTPError for an error status
// without a JSON-RPC error object. It never panics, whatever the body.
func decodeReply(method string, status int, body []byte) (json.RawMessage, error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(trimmed) == 0 {
		if status >= 400 {
			return nil, &HTTPError{Method: method, Status: status}
		}
		return nil, &kindError{msg: fmt.Sprintf("KHOMP %s: empty reply (HTTP %d) instead of JSON-RPC", method, status), kind: ErrNotJSON}
	}
	if trimmed[0] != '{' {
		if status >= 400 {
			return nil, &HTTPError{Method: method, Status: status, Title: htmlTitle(trimmed)}
		}
		return nil, notJSON(method, status, trimmed)
	}
	var env reply
	if err := json.Unmarshal(trimmed, &env); err != nil {
		if status >= 400 {
			return nil, &HTTPError{Method: method, Status: status}
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, &kindError{msg: fmt.Sprintf("KHOMP %s: malformed JSON at byte %d (HTTP %d)", method, se.Offset, status), kind: ErrNotJSON}
		}
		return nil, fmt.Errorf("KHOMP %s: reply is not a JSON-RPC object (HTTP %d): %w", method, status, ErrBadReply)
	}
	if !isNull(env.Error) {
		return nil, rpcError(method, env.Error)
	}
	if status >= 400 {
		return nil, &HTTPError{Method: method, Status: status}
	}
	if isNull(env.Result) {
		return nil, fmt.Errorf("KHOMP %s: reply has neither result nor error: %w", method, ErrBadReply)
	}
	return env.Result, nil
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

// rpcError reads {"code":…, "message":…}; anything else in "error" is shown
// clipped, since servers do not all follow JSON-RPC 2.0.
func rpcError(method string, raw json.RawMessage) error {
	var obj struct {
		Code    json.Number `json:"code"`
		Message any         `json:"message"`
	}
	if err := json.Unmarshal(raw, &obj); err == nil {
		code, _ := strconv.ParseInt(obj.Code.String(), 10, 64)
		return &RPCError{Method: method, Code: code, Message: clip(messageText(obj.Message), 200)}
	}
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		text = string(raw)
	}
	return &RPCError{Method: method, Message: clip(text, 200)}
}

func messageText(v any) string {
	switch m := v.(type) {
	case nil:
		return ""
	case string:
		return m
	default:
		b, _ := json.Marshal(m)
		return string(b)
	}
}

var titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// notJSON describes a non-JSON body without dumping it: the page title of
// an HTML reply, or just its size.
func notJSON(method string, status int, body []byte) error {
	if body[0] == '<' {
		if title := htmlTitle(body); title != "" {
			return &kindError{msg: fmt.Sprintf("KHOMP %s: gateway answered with an HTML page %q (HTTP %d) instead of JSON-RPC; check the URL and any proxy in front of the gateway", method, title, status), kind: ErrNotJSON}
		}
		return &kindError{msg: fmt.Sprintf("KHOMP %s: gateway answered with HTML (HTTP %d) instead of JSON-RPC; check the URL and any proxy in front of the gateway", method, status), kind: ErrNotJSON}
	}
	return &kindError{msg: fmt.Sprintf("KHOMP %s: gateway answered with %d bytes of non-JSON text (HTTP %d)", method, len(body), status), kind: ErrNotJSON}
}

func htmlTitle(body []byte) string {
	if m := titleRE.FindSubmatch(body); m != nil {
		return clip(strings.Join(strings.Fields(string(m[1])), " "), 80)
	}
	return ""
}

// clip shortens s to at most n bytes on a rune boundary and removes
// control characters so that it stays on one log line.
func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// scalarText renders a JSON scalar the way Perl's JSON::PP + string
// interpolation would: strings as-is, numbers as written, booleans 1/0.
// ok is false for null (VICIdial leaves such a field out).
func scalarText(raw json.RawMessage) (string, bool) {
	t := bytes.TrimSpace(raw)
	switch {
	case len(t) == 0, bytes.Equal(t, []byte("null")):
		return "", false
	case t[0] == '"':
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return string(t), true
		}
		return s, true
	case bytes.Equal(t, []byte("true")):
		return "1", true
	case bytes.Equal(t, []byte("false")):
		return "0", true
	}
	return string(t), true
}
