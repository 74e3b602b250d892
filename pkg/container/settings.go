package container

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Keys of a KHOMP settings container, as VICIdial's AGI, FastAGI and
// AST_KHOMP_auth_updater.pl recognise them.
const (
	KeyURL              = "khomp_api_url"
	KeyProxied          = "khomp_api_proxied"
	KeyLoginURL         = "khomp_api_login_url"
	KeyUser             = "khomp_api_user"
	KeyPass             = "khomp_api_pass"
	KeyCheckSSL         = "khomp_api_check_ssl"
	KeyHeader           = "khomp_header"
	KeyIDFormat         = "khomp_id_format"
	KeySubAccountHeader = "khomp_sub_account_header"
	KeyToken            = "khomp_api_token"
	KeyTokenExpire      = "khomp_api_token_expire"
)

// DefaultSettingsID is the settings container VICIdial ships and the one
// every code path falls back to.
const DefaultSettingsID = "KHOMPSETTINGS"

// SettingsType is the container_type extra KHOMP settings containers must
// have to appear in VICIdial's campaign pull-down (the shipped
// KHOMPSETTINGS itself is of type OTHER).
const SettingsType = "KHOMP_SETTINGS"

// NoToken is the value VICIdial ships in khomp_api_token meaning "no token
// yet"; readers renew whenever they see it.
const NoToken = "TOKENTOKENTOKEN"

// TokenLifetime is what every VICIdial writer adds to time() for
// khomp_api_token_expire. The gateway's real lifetime is not known.
const TokenLifetime = 3600 * time.Second

// Settings is a parsed KHOMP settings container. Values are exactly what
// VICIdial's runtime would see: cut at the first '#', trimmed, and
// truncated at a second "=>".
type Settings struct {
	URL              string
	Proxied          string // login only when exactly "false"; see LoginEnabled
	LoginURL         string
	User             string
	Pass             string
	CheckSSL         string // Perl-numeric; see VerifyTLS
	Header           string // SIP header name without the "X-" prefix
	IDFormat         string
	SubAccountHeader string
	Token            string
	TokenExpire      string // epoch seconds, Perl-numeric; see ExpireAt

	// Raw holds every key => value line the parser accepted, recognised or
	// not; a later line wins, as in the Perl.
	Raw map[string]string
}

// ParseSettings parses a container entry with VICIdial's runtime rules
// (shared by the AGI, FastAGI and the auth updater):
//
//   - split on LF (a CR before it stays on the line and is trimmed later);
//   - skip blank lines and lines whose first non-space is '#';
//   - cut the line at the first '#' (so a password "ab#cd" is "ab");
//   - lines without "=>" are ignored; otherwise split on "=>" and take the
//     first two fields, trimmed (a value containing "=>" is truncated).
//
// Missing keys get the Perl defaults: proxied "false", expire "0", the
// rest "". It never fails: any text is a valid (if useless) container.
func ParseSettings(entry string) Settings {
	s := Settings{Proxied: "false", TokenExpire: "0", Raw: map[string]string{}}
	for _, line := range strings.Split(entry, "\n") {
		key, value, ok := parseSettingsLine(line)
		if !ok {
			continue
		}
		s.Raw[key] = value
		s.set(key, value)
	}
	return s
}

func (s *Settings) set(key, value string) {
	switch key {
	case KeyURL:
		s.URL = value
	case KeyProxied:
		s.Proxied = value
	case KeyLoginURL:
		s.LoginURL = value
	case KeyUser:
		s.User = value
	case KeyPass:
		s.Pass = value
	case KeyCheckSSL:
		s.CheckSSL = value
	case KeyHeader:
		s.Header = value
	case KeyIDFormat:
		s.IDFormat = value
	case KeySubAccountHeader:
		s.SubAccountHeader = value
	case KeyToken:
		s.Token = value
	case KeyTokenExpire:
		s.TokenExpire = value
	}
}

// parseSettingsLine applies the per-line rules of ParseSettings. ok is
// false for lines the runtime ignores. Both the parser and the token
// rewrite use it, so they always agree on which line holds a key.
func parseSettingsLine(line string) (key, value string, ok bool) {
	if isPerlBlank(line) || strings.HasPrefix(trimPerlSpace(line), "#") {
		return "", "", false
	}
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	fields := strings.Split(line, "=>")
	if len(fields) < 2 {
		return "", "", false
	}
	return trimPerlSpace(fields[0]), trimPerlSpace(fields[1]), true
}

// isPerlSpace is Perl's \s on a byte string: space, \t, \n, \v, \f, \r.
func isPerlSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

func trimPerlSpace(s string) string { return strings.TrimFunc(s, isPerlSpace) }

func isPerlBlank(s string) bool { return trimPerlSpace(s) == "" }

// LoginEnabled reports whether VICIdial would log in itself: only when
// khomp_api_proxied is exactly "false" (missing key counts as "false").
// Anything else ("0", "False", "", "no") means a proxy handles login.
func (s Settings) LoginEnabled() bool { return s.Proxied == "false" }

// VerifyTLS reports whether VICIdial's curl verifies the gateway
// certificate: khomp_api_check_ssl is compared numerically with 0 (Perl
// semantics), so "", "yes", "true" and "0x1" all mean --insecure, while
// "1", "2", " 1abc", "0.5", "inf" verify.
func (s Settings) VerifyTLS() bool { return PerlNumber(s.CheckSSL) != 0 }

// ExpireAt is khomp_api_token_expire as a time (Perl-numeric, so "" and
// garbage are 0, the epoch).
func (s Settings) ExpireAt() time.Time {
	v := PerlNumber(s.TokenExpire)
	switch {
	case math.IsNaN(v):
		return time.Unix(0, 0)
	case v > 1e15:
		return time.Unix(1e15, 0)
	case v < -1e15:
		return time.Unix(-1e15, 0)
	}
	sec, frac := math.Modf(v)
	return time.Unix(int64(sec), int64(frac*1e9))
}

// NeedsRenewal is VICIdial's renewal test, run before every analytics
// query: the token is the sentinel or expire < now.
func (s Settings) NeedsRenewal(now time.Time) bool {
	return s.Token == NoToken || s.ExpireAt().Before(now.Truncate(time.Second))
}

// ValidFor reports whether the stored token is usable for at least d more:
// not the sentinel, not empty, and expiring no earlier than now+d.
func (s Settings) ValidFor(now time.Time, d time.Duration) bool {
	if s.Token == NoToken || s.Token == "" {
		return false
	}
	return !s.ExpireAt().Before(now.Add(d))
}

// TokenBreaksAGI reports whether the stored token contains a single quote:
// VICIdial's AGI puts the token inside a single-quoted shell word, so every
// analytics query fails while such a token is stored (spec §5.2 A12).
func (s Settings) TokenBreaksAGI() bool { return strings.Contains(s.Token, "'") }

// PerlNumber converts a string the way Perl numifies it: leading
// whitespace, then the longest decimal number prefix (sign, digits,
// fraction, exponent), or Inf/Infinity/NaN; no number gives 0. Hex and
// octal prefixes are not numbers ("0x1" is 0).
func PerlNumber(s string) float64 {
	s = strings.TrimLeftFunc(s, isPerlSpace)
	if v, ok := perlSpecial(s); ok {
		return v
	}
	n := decimalPrefixLen(s)
	if n == 0 {
		return 0
	}
	v, err := strconv.ParseFloat(s[:n], 64)
	if err != nil {
		// Only a range error is possible here: ParseFloat returns ±Inf
		// for overflow, which is what Perl gives too.
		var ne *strconv.NumError
		if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
			return v
		}
		return 0
	}
	return v
}

// perlSpecial recognises Perl's Inf/Infinity/NaN spellings (any case,
// optional sign).
func perlSpecial(s string) (float64, bool) {
	sign := 1.0
	body := s
	if body != "" && (body[0] == '+' || body[0] == '-') {
		if body[0] == '-' {
			sign = -1
		}
		body = body[1:]
	}
	lower := strings.ToLower(body)
	switch {
	case strings.HasPrefix(lower, "inf"):
		return math.Inf(int(sign)), true
	case strings.HasPrefix(lower, "nan"):
		return math.NaN(), true
	}
	return 0, false
}

// decimalPrefixLen returns the length of the longest prefix of s that is a
// decimal floating-point literal ([+-]digits[.digits][(e|E)[+-]digits]),
// or 0 when there is none.
func decimalPrefixLen(s string) int {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	intDigits := countDigits(s[i:])
	i += intDigits
	fracDigits := 0
	if i < len(s) && s[i] == '.' {
		fracDigits = countDigits(s[i+1:])
		if intDigits > 0 || fracDigits > 0 {
			i += 1 + fracDigits
		}
	}
	if intDigits == 0 && fracDigits == 0 {
		return 0
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if d := countDigits(s[j:]); d > 0 {
			i = j + d
		}
	}
	return i
}

func countDigits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// ErrUnstorableValue is returned by SetSettingValues when a value would not
// read back identically through VICIdial's parser (it contains '#', "=>",
// a line break, or leading/trailing white space).
var ErrUnstorableValue = errors.New("value cannot be stored in a settings container")

// KV is one key and its new value, for SetSettingValues.
type KV struct {
	Key, Value string
}

// SetSettingValues rewrites the value of each key on every line VICIdial's
// parser reads as that key, literally (no regular expressions, so tokens
// with '+', '\', '$1', '&' or quotes are stored exactly), keeping every
// other byte: other lines, comments after the value, spacing around the
// value and CRLF line ends. A key with no line gets one appended, with the
// entry's own line ending. The result is verified by parsing it again.
func SetSettingValues(entry string, kvs ...KV) (string, error) {
	for _, kv := range kvs {
		if err := checkStorable(kv); err != nil {
			return "", err
		}
	}
	lines := strings.Split(entry, "\n")
	found := make([]bool, len(kvs))
	for i, line := range lines {
		key, _, ok := parseSettingsLine(line)
		if !ok {
			continue
		}
		for k, kv := range kvs {
			if kv.Key == key {
				lines[i] = replaceLineValue(line, kv.Value)
				found[k] = true
			}
		}
	}
	out := strings.Join(lines, "\n")
	for k, kv := range kvs {
		if !found[k] {
			out = appendSettingLine(out, kv)
		}
	}
	got := ParseSettings(out).Raw
	for _, kv := range kvs {
		if got[kv.Key] != kv.Value {
			return "", fmt.Errorf("%w: %s does not read back unchanged", ErrUnstorableValue, kv.Key)
		}
	}
	return out, nil
}

// checkStorable refuses values VICIdial's parser would alter. The error
// names the key only: the value may be a secret.
func checkStorable(kv KV) error {
	if strings.ContainsAny(kv.Key, "#\n\r") || strings.Contains(kv.Key, "=>") || trimPerlSpace(kv.Key) != kv.Key || kv.Key == "" {
		return fmt.Errorf("%w: bad key %q", ErrUnstorableValue, kv.Key)
	}
	switch {
	case strings.ContainsAny(kv.Value, "#\n"):
		return fmt.Errorf("%w: the new %s contains '#' or a line break", ErrUnstorableValue, kv.Key)
	case strings.Contains(kv.Value, "=>"):
		return fmt.Errorf("%w: the new %s contains \"=>\"", ErrUnstorableValue, kv.Key)
	case trimPerlSpace(kv.Value) != kv.Value:
		return fmt.Errorf("%w: the new %s starts or ends with white space", ErrUnstorableValue, kv.Key)
	}
	return nil
}

// replaceLineValue swaps the value part of one "key => value" line. The
// value part is what lies between the first "=>" and the first '#' (or the
// line end); its surrounding white space and anything after it (a comment,
// the CR of CRLF) are kept.
func replaceLineValue(line, value string) string {
	end := len(line)
	if i := strings.IndexByte(line, '#'); i >= 0 {
		end = i
	}
	if strings.HasSuffix(line[:end], "\r") && end == len(line) {
		end-- // keep the CR of a CRLF line outside the value part
	}
	start := strings.Index(line[:end], "=>") + 2
	part := line[start:end]
	core := trimPerlSpace(part)
	var lead, trail string
	if core == "" {
		lead = part
		if lead == "" {
			lead = " "
		}
	} else {
		lead = part[:strings.Index(part, core)]
		trail = part[len(lead)+len(core):]
		if lead == "" {
			lead = " "
		}
	}
	return line[:start] + lead + value + trail + line[end:]
}

// appendSettingLine adds "key => value" as a new line, using CRLF when the
// entry already uses it (VICIdial ships CRLF) and keeping whether the entry
// ends with a line break.
func appendSettingLine(entry string, kv KV) string {
	eol := "\n"
	if strings.Contains(entry, "\r\n") || entry == "" {
		eol = "\r\n"
	}
	line := kv.Key + " => " + kv.Value
	switch {
	case entry == "":
		return line + eol
	case strings.HasSuffix(entry, "\n"):
		return entry + line + eol
	default:
		return entry + eol + line
	}
}

// SetToken rewrites khomp_api_token and khomp_api_token_expire in one go,
// as the entry for a single compare-and-swap.
func SetToken(entry, token string, expire time.Time) (string, error) {
	return SetSettingValues(entry,
		KV{KeyToken, token},
		KV{KeyTokenExpire, strconv.FormatInt(expire.Unix(), 10)})
}
