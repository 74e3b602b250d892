package container

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/khompctl/khompctl/internal/testdb"
)

// shippedSettings is VICIdial's shipped KHOMPSETTINGS entry, checked
// against the spec's sha256 below.
var shippedSettings = testdb.ShippedSettings

func TestShippedSettingsFixtureIsExact(t *testing.T) {
	sum := sha256.Sum256([]byte(shippedSettings))
	if got := hex.EncodeToString(sum[:]); got != "0610337db2327688c3768f79e59b0c4c372864284f3963f823e0b6f7a7d29a4b" || len(shippedSettings) != 1007 {
		t.Fatalf("fixture differs from the shipped container: len %d sha256 %s", len(shippedSettings), got)
	}
}

func TestParseShippedSettings(t *testing.T) {
	s := ParseSettings(shippedSettings)
	want := Settings{
		URL:         "https://URL_FOR_KHOMP_SERVER/rpc/json.fcgi/kgateway",
		Proxied:     "false",
		LoginURL:    "https://URL_FOR_KHOMP_SERVER/rpc/json.fcgi/auth",
		User:        "API_USER",
		Pass:        "API_PASSWORD",
		CheckSSL:    "0",
		Header:      "KHOMP-Vicidial-ID",
		IDFormat:    "CALLERCODE_CAMP_EXTERNIP",
		Token:       NoToken,
		TokenExpire: "0",
	}
	s.Raw = nil
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("parsed\n%+v\nwant\n%+v", s, want)
	}
	if !s.LoginEnabled() || s.VerifyTLS() || !s.NeedsRenewal(time.Unix(1, 0)) {
		t.Fatalf("shipped container: login %v verify %v renew %v", s.LoginEnabled(), s.VerifyTLS(), s.NeedsRenewal(time.Unix(1, 0)))
	}
}

func TestParseSettingsRuntimeRules(t *testing.T) {
	entry := "  # indented comment => ignored\n" +
		"\r\n" +
		"khomp_api_pass => ab#cd\r\n" + // cut at the first '#'
		"khomp_api_user=>u1\n" + // no spaces needed
		"khomp_api_url => https://h/x => y\n" + // truncated at the second =>
		"khomp_api_check_ssl => 1 # verify please\n" +
		"no arrow here\n" +
		"khomp_api_user => u2\n" + // later line wins
		"\tkhomp_header\t=>\tHDR \x0b\n" +
		"custom_key => v\n" +
		"khomp_api_token =>\n"
	s := ParseSettings(entry)
	checks := []struct{ name, got, want string }{
		{"pass", s.Pass, "ab"},
		{"user", s.User, "u2"},
		{"url", s.URL, "https://h/x"},
		{"check_ssl", s.CheckSSL, "1"},
		{"header", s.Header, "HDR"},
		{"proxied default", s.Proxied, "false"},
		{"expire default", s.TokenExpire, "0"},
		{"token empty", s.Token, ""},
		{"raw custom", s.Raw["custom_key"], "v"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if _, ok := s.Raw["no arrow here"]; ok {
		t.Error("a line without => must be ignored")
	}
	if !s.VerifyTLS() {
		t.Error("check_ssl '1 # verify please' must verify")
	}
}

func TestLoginEnabledOnlyForExactFalse(t *testing.T) {
	for value, want := range map[string]bool{"false": true, "False": false, "0": false, "": false, "no": false, "true": false, "FALSE": false} {
		s := ParseSettings("khomp_api_proxied => " + value + "\n")
		if s.LoginEnabled() != want {
			t.Errorf("proxied %q: LoginEnabled %v, want %v", value, s.LoginEnabled(), want)
		}
	}
	if !ParseSettings("").LoginEnabled() {
		t.Error("a missing khomp_api_proxied means login (Perl default 'false')")
	}
}

func TestVerifyTLSPerlNumeric(t *testing.T) {
	cases := map[string]bool{
		"1": true, "0": false, "": false, "yes": false, "true": false, "no": false,
		"2": true, " 1": true, "1abc": true, "0.0": false, "0.5": true, ".5": true,
		"-1": true, "0x1": false, "00": false, "1e3": true, "0e9": false, "inf": true,
		"NaN": true, "+0": false, "- 1": false, ".": false, "e5": false,
	}
	for value, want := range cases {
		s := Settings{CheckSSL: value}
		if s.VerifyTLS() != want {
			t.Errorf("check_ssl %q: VerifyTLS %v, want %v (PerlNumber %v)", value, s.VerifyTLS(), want, PerlNumber(value))
		}
	}
}

func TestPerlNumber(t *testing.T) {
	cases := map[string]float64{
		"1732000000": 1732000000, " 42abc": 42, "3.5e2x": 350, "1e": 1, "1.": 1,
		"-2.5": -2.5, "abc": 0, "": 0, "1e999": math.Inf(1), "\t\n7": 7,
	}
	for in, want := range cases {
		if got := PerlNumber(in); got != want {
			t.Errorf("PerlNumber(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestTokenValidity(t *testing.T) {
	now := time.Unix(1_800_000_000, 500_000_000)
	s := Settings{Token: "abc", TokenExpire: "1800000600"}
	if s.NeedsRenewal(now) {
		t.Error("token valid 10 more minutes must not need renewal")
	}
	if !s.ValidFor(now, 9*time.Minute) || s.ValidFor(now, 11*time.Minute) {
		t.Error("ValidFor around 10 minutes is wrong")
	}
	s.TokenExpire = "1800000000"
	if s.NeedsRenewal(now) {
		t.Error("expire == now (whole seconds) is not < time() in Perl")
	}
	s.TokenExpire = "1799999999"
	if !s.NeedsRenewal(now) {
		t.Error("expired token must need renewal")
	}
	s = Settings{Token: NoToken, TokenExpire: "9999999999"}
	if !s.NeedsRenewal(now) || s.ValidFor(now, 0) {
		t.Error("the sentinel token always needs renewal")
	}
	if !(Settings{Token: "a'b"}).TokenBreaksAGI() {
		t.Error("a quote in the token breaks the AGI")
	}
}

func TestSetTokenShippedKeepsEveryOtherByte(t *testing.T) {
	expire := time.Unix(1_800_003_600, 0)
	got, err := SetToken(shippedSettings, `a'b\c+d$1&e`, expire)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(shippedSettings, "khomp_api_token => TOKENTOKENTOKEN\r\n", `khomp_api_token => a'b\c+d$1&e`+"\r\n", 1)
	want = strings.Replace(want, "khomp_api_token_expire => 0\r\n", "khomp_api_token_expire => 1800003600\r\n", 1)
	if got != want {
		t.Fatalf("rewrite:\n%q\nwant\n%q", got, want)
	}
}

func TestSetSettingValuesLineForms(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"comment after value kept", "khomp_api_token => old # note\r\nx => y\r\n", "khomp_api_token => NEW # note\r\nx => y\r\n"},
		{"no spaces", "khomp_api_token=>old\n", "khomp_api_token=> NEW\n"},
		{"tabs kept", "khomp_api_token\t=>\told\t\r\n", "khomp_api_token\t=>\tNEW\t\r\n"},
		{"empty value", "khomp_api_token =>\r\n", "khomp_api_token => NEW\r\n"},
		{"truncated value replaced whole", "khomp_api_token => a => b\n", "khomp_api_token => NEW\n"},
		{"every copy", "khomp_api_token => a\nkhomp_api_token => b", "khomp_api_token => NEW\nkhomp_api_token => NEW"},
		{"commented line untouched", "#khomp_api_token => a\nkhomp_api_token => b\n", "#khomp_api_token => a\nkhomp_api_token => NEW\n"},
		{"missing, CRLF, trailing eol", "a => b\r\n", "a => b\r\nkhomp_api_token => NEW\r\n"},
		{"missing, LF, no trailing eol", "a => b", "a => b\nkhomp_api_token => NEW"},
		{"missing, empty entry", "", "khomp_api_token => NEW\r\n"},
	}
	for _, c := range cases {
		got, err := SetSettingValues(c.in, KV{KeyToken, "NEW"})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestSetSettingValuesRefusesUnstorable(t *testing.T) {
	for _, bad := range []string{"a#b", "a=>b", "a\nb", " lead", "trail\t", "x\r"} {
		_, err := SetSettingValues("khomp_api_token => x\n", KV{KeyToken, bad})
		if !errors.Is(err, ErrUnstorableValue) {
			t.Errorf("value %q: err %v, want ErrUnstorableValue", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), bad) {
			t.Errorf("error message leaks the value %q: %v", bad, err)
		}
	}
}

func FuzzParseSettings(f *testing.F) {
	f.Add(shippedSettings)
	f.Add("khomp_api_token => a#b\r\n=>\n#\n => => \n\x00\xff")
	f.Add("khomp_api_token_expire => 1e999\nkhomp_api_check_ssl => -0.0")
	f.Fuzz(func(t *testing.T, entry string) {
		s := ParseSettings(entry)
		_ = s.VerifyTLS()
		_ = s.NeedsRenewal(time.Unix(1_800_000_000, 0))
		for k, v := range s.Raw {
			if strings.Contains(v, "#") || strings.Contains(v, "\n") || trimPerlSpace(v) != v || trimPerlSpace(k) != k {
				t.Fatalf("parser produced %q => %q", k, v)
			}
		}
		// A rewrite of the token must read back and change nothing else
		// the parser sees.
		out, err := SetToken(entry, "tok+/=$1&'\\", time.Unix(1_800_003_600, 0))
		if err != nil {
			t.Fatalf("SetToken: %v", err)
		}
		after := ParseSettings(out)
		if after.Token != "tok+/=$1&'\\" || after.TokenExpire != "1800003600" {
			t.Fatalf("token did not read back: %q %q", after.Token, after.TokenExpire)
		}
		for k, v := range s.Raw {
			if k != KeyToken && k != KeyTokenExpire && after.Raw[k] != v {
				t.Fatalf("key %q changed from %q to %q", k, v, after.Raw[k])
			}
		}
	})
}

func BenchmarkParseSettings(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = ParseSettings(shippedSettings)
	}
}

func BenchmarkSetToken(b *testing.B) {
	expire := time.Unix(1_800_003_600, 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SetToken(shippedSettings, "x+y/z=", expire); err != nil {
			b.Fatal(err)
		}
	}
}
