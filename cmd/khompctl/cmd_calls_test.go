package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/khompctl/khompctl/internal/fakegw"
	"github.com/khompctl/khompctl/internal/testdb"
	"github.com/khompctl/khompctl/pkg/container"
)

// callsTestMap has one line per lookup rule, including a pattern with a
// '.', which the AGI and FastAGI parse differently.
var callsTestMap = strings.Join([]string{
	`"Voice mail" => amdaction.KPAM.AMD`,
	`"Voice mail"."Voice mail 1000Hz" => status.KPAM.AMD`,
	`"Interception announcement" => status.KPIA.CONGESTION`,
	`"Interception announcement"."Number 1.2 is gone" => status.KPDC.DISCONNECT`,
	`"Fax"."Fax 1100Hz" => `,
}, "\r\n")

type callsJSON struct {
	Token   string
	Results []struct {
		KhompID    string `json:"khomp_id"`
		CallerCode string `json:"caller_code"`
		Source     string
		Container  string
		Header     string
		Found      bool
		Fields     map[string]string
		Times      map[string]string
		AtAnswer   *callDecision `json:"at_answer"`
		AtHangup   *callDecision `json:"at_hangup"`
	}
}

func newCallsFixture(t *testing.T) (*gwFixture, string) {
	t.Helper()
	fx := newGWFixture(t, fakegw.Valid, fakegw.Options{Tokens: []string{"fresh-token"}}, testdb.Schema1728)
	valid := strconv.FormatInt(time.Now().Add(30*time.Minute).Unix(), 10)
	entry := fx.settings("khomp_api_token => TOKENTOKENTOKEN", "khomp_api_token => stored-token", "khomp_api_token_expire => 0", "khomp_api_token_expire => "+valid)
	fx.db.PutContainer(t, "KHOMPSETTINGS", "OTHER", entry)
	fx.db.PutContainer(t, container.StatusMapID, "OTHER", callsTestMap)
	fx.gw.IssueToken("stored-token")
	start := int64(1732480000123)
	add := func(id, conclusion, pattern string, extra map[string]any) {
		f := map[string]any{"sip_header:call-id": id + "@sip", "start_stamp": start, "answer_stamp": start + 9000, "analyzer_stamp": strconv.FormatInt(start+11500, 10),
			"analyzer_conclusion": conclusion, "analyzer_pattern": pattern, "analyzer_action": "forward", "hangup_origin": "leg a", "hangup_cause": "200", "audio_stamp": nil}
		for k, v := range extra {
			f[k] = v
		}
		fx.gw.AddCall(id, f)
	}
	add("ID-EXACT", "Voice mail", "Voice mail 1000Hz", nil)
	add("ID-CONCL", "Voice mail", "Some new greeting", nil)
	add("ID-NONE", "Brand new conclusion", "", nil)
	add("ID-DOT", "Interception announcement", "Number 1.2 is gone", nil)
	add("ID-UNCL", "Fax", "Fax 1100Hz", nil)
	add("ID-HANGUP", "", "", map[string]any{"hangup_origin": "leg b", "hangup_cause": 486, "answer_stamp": ""})
	return fx, entry
}

func TestCallsLookupPrecedence(t *testing.T) {
	fx, entry := newCallsFixture(t)
	args := []string{"calls", "--cacert", fx.caFile, "--json"}
	for _, id := range []string{"ID-EXACT", "ID-CONCL", "ID-NONE", "ID-DOT", "ID-UNCL", "ID-HANGUP"} {
		args = append(args, "--id", id)
	}
	code, out, errOut := fx.run(t, args...)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	var res callsJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Token, "stored token used") || fx.gw.Count("SessionLogin") != 0 {
		t.Fatalf("a valid stored token must be used as is: %q", res.Token)
	}
	if fx.db.ContainerEntry(t, "KHOMPSETTINGS") != entry {
		t.Fatal("container changed although the token was valid")
	}
	want := map[string][2]string{ // id -> at answer, at hangup: "action status dial rule"
		"ID-EXACT":  {"status KPAM AMD exact", "status KPAM AMD exact"},
		"ID-CONCL":  {"amdaction KPAM AMD conclusion", "amdaction KPAM AMD conclusion"},
		"ID-NONE":   {"route KPEROR  fallback", "error KPEROR NA fallback"},
		"ID-DOT":    {"status KPIA CONGESTION conclusion", "status KPDC DISCONNECT exact"},
		"ID-UNCL":   {"   exact", "   exact"},
		"ID-HANGUP": {"route KPEROR  fallback", "status KPBUSY BUSY hangup"},
	}
	str := func(d *callDecision) string {
		return strings.Join([]string{d.Action, d.Status, d.DialStatus, d.Rule}, " ")
	}
	if len(res.Results) != len(want) {
		t.Fatalf("%d results", len(res.Results))
	}
	for _, r := range res.Results {
		w := want[r.KhompID]
		if !r.Found || str(r.AtAnswer) != w[0] || str(r.AtHangup) != w[1] {
			t.Errorf("%s: at answer %q (want %q), at hangup %q (want %q)", r.KhompID, str(r.AtAnswer), w[0], str(r.AtHangup), w[1])
		}
		if r.Header != "X-KHOMP-Vicidial-ID" || r.Container != "KHOMPSETTINGS" || r.Source != "--id" {
			t.Errorf("%s: header %q container %q source %q", r.KhompID, r.Header, r.Container, r.Source)
		}
	}
	first := res.Results[0]
	if first.Times["start_stamp"] != "2024-11-24T20:26:40.123Z" || first.Times["analyzer_stamp"] != "2024-11-24T20:26:51.623Z" || first.Fields["analyzer_pattern"] != "Voice mail 1000Hz" {
		t.Errorf("fields %v times %v", first.Fields, first.Times)
	}
	if _, ok := first.Times["hangup_cause"]; ok || len(first.Times) != 3 {
		t.Errorf("only the *_stamp fields are times: %v", first.Times)
	}
	if _, ok := first.Fields["audio_stamp"]; ok {
		t.Error("a JSON null field must be absent, as VICIdial leaves it out")
	}
	if strings.Contains(out, "stored-token") || strings.Contains(errOut, "stored-token") || strings.Contains(out, gwPass) {
		t.Error("output leaks the token or password")
	}

	// The human form names the fields and the decisions.
	code, out, _ = fx.run(t, "calls", "--cacert", fx.caFile, "--id", "ID-DOT")
	for _, s := range []string{"analyzer_conclusion\tInterception announcement", "start_stamp\t2024-11-24 ", "(1732480000123)",
		"at answer (agi-VDAD_ALL_outbound.agi): status KPIA CONGESTION — no line for",
		"at hangup (FastAGI_log.pl):            status KPDC DISCONNECT — map line 4 matches"} {
		if code != 0 || !strings.Contains(out, s) {
			t.Errorf("human output lacks %q:\n%s", s, out)
		}
	}
}

func TestCallsRenewsExpiredToken(t *testing.T) {
	fx, _ := newCallsFixture(t)
	expired := fx.settings("khomp_api_token => TOKENTOKENTOKEN", "khomp_api_token => stored-token", "khomp_api_token_expire => 0", "khomp_api_token_expire => 1000")
	fx.db.PutContainer(t, "KHOMPSETTINGS", "OTHER", expired)
	code, out, errOut := fx.run(t, "calls", "--cacert", fx.caFile, "--json", "--id", "ID-EXACT")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	var res callsJSON
	_ = json.Unmarshal([]byte(out), &res)
	if !strings.HasPrefix(res.Token, "token renewed and stored in KHOMPSETTINGS") || fx.gw.Count("SessionLogin") != 1 {
		t.Fatalf("token %q, %d logins", res.Token, fx.gw.Count("SessionLogin"))
	}
	got := fx.db.ContainerEntry(t, "KHOMPSETTINGS")
	if container.ParseSettings(got).Token != "fresh-token" {
		t.Fatalf("new token not stored:\n%q", got)
	}
	expectGWTokenOnlyChange(t, expired, got)
	reqs := fx.gw.Requests()
	if last := reqs[len(reqs)-1].Body; !strings.Contains(last, `"token":"fresh-token"`) {
		t.Errorf("CallList did not use the new token: %s", last)
	}

	// Proxied: VICIdial does not log in; the stored token is used as is.
	proxied := strings.Replace(expired, "khomp_api_proxied => false", "khomp_api_proxied => true", 1)
	fx.db.PutContainer(t, "KHOMPSETTINGS", "OTHER", proxied)
	code, out, errOut = fx.run(t, "calls", "--cacert", fx.caFile, "--id", "ID-EXACT")
	if code != 0 || !strings.Contains(out, "proxy handles login") || fx.gw.Count("SessionLogin") != 1 || fx.db.ContainerEntry(t, "KHOMPSETTINGS") != proxied {
		t.Fatalf("proxied: exit %d\n%s%s", code, out, errOut)
	}
}

func TestCallsByCallerCode(t *testing.T) {
	fx, _ := newCallsFixture(t)
	// Logged: the id VICIdial sent, and the container the log names.
	fx.db.PutContainer(t, "KHOMP_EU", "KHOMP_SETTINGS", fx.settings("khomp_api_token => TOKENTOKENTOKEN", "khomp_api_token => stored-token",
		"khomp_api_token_expire => 0", "khomp_api_token_expire => "+strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)))
	fx.db.Exec(t, `INSERT INTO vicidial_khomp_log (caller_code, lead_id, server_ip, khomp_header, khomp_id, khomp_id_format, start_date, khomp_settings_container)
		VALUES ('V1124193800000000123', 123, '10.0.0.11', 'KHOMP-Vicidial-ID', 'ID-EXACT', 'CALLERCODE_CAMP_EXTERNIP', NOW(), 'KHOMP_EU')`)
	code, out, errOut := fx.run(t, "calls", "--cacert", fx.caFile, "--json", "--caller-code", "V1124193800000000123")
	var res callsJSON
	_ = json.Unmarshal([]byte(out), &res)
	if code != 0 || len(res.Results) != 1 || res.Results[0].KhompID != "ID-EXACT" || res.Results[0].Container != "KHOMP_EU" || !strings.HasPrefix(res.Results[0].Source, "vicidial_khomp_log #") {
		t.Fatalf("logged caller code: exit %d\n%s%s", code, out, errOut)
	}

	// Not logged: built from khomp_id_format like FastAGI_log.pl does.
	fx.db.Exec(t, "INSERT INTO servers (server_id, server_ip, external_server_ip) VALUES ('d1', '10.0.0.11', '203.0.113.5'), ('d2', '10.0.0.12', '')")
	built := "V1124193900000000456_TESTCAMP_203.0.113.5"
	fx.gw.AddCall(built, map[string]any{"analyzer_conclusion": "Voice mail", "analyzer_pattern": "Voice mail 1000Hz"})
	code, out, errOut = fx.run(t, "calls", "--cacert", fx.caFile, "--json", "--caller-code", "V1124193900000000456", "--campaign", "TESTCAMP", "--server-ip", "10.0.0.11")
	res = callsJSON{}
	_ = json.Unmarshal([]byte(out), &res)
	if code != 0 || len(res.Results) != 1 || res.Results[0].KhompID != built || res.Results[0].Source != "built from khomp_id_format CALLERCODE_CAMP_EXTERNIP" {
		t.Fatalf("built id: exit %d\n%s%s", code, out, errOut)
	}
	// An empty external_server_ip gives a trailing "_", as in VICIdial.
	fx.gw.AddCall("V1124193900000000789_TESTCAMP_", map[string]any{"analyzer_conclusion": "Voice mail"})
	if code, out, errOut = fx.run(t, "calls", "--cacert", fx.caFile, "--caller-code", "V1124193900000000789", "--campaign", "TESTCAMP", "--server-ip", "10.0.0.12"); code != 0 {
		t.Fatalf("empty external ip: exit %d\n%s%s", code, out, errOut)
	}
	// What is missing to build an id is a usage error naming it.
	code, _, errOut = fx.run(t, "calls", "--caller-code", "V1124193900000000999", "--server-ip", "10.0.0.11")
	if code != exitUsage || !strings.Contains(errOut, "give --campaign") {
		t.Fatalf("no campaign: exit %d %s", code, errOut)
	}
	code, _, errOut = fx.run(t, "calls", "--caller-code", "V1124193900000000999", "--campaign", "X")
	if code != exitUsage || !strings.Contains(errOut, "2 servers in the servers table: give --server-ip") {
		t.Fatalf("no server: exit %d %s", code, errOut)
	}
}

func TestCallsFailures(t *testing.T) {
	fx, _ := newCallsFixture(t)
	code, out, errOut := fx.run(t, "calls", "--cacert", fx.caFile, "--id", "NO-SUCH-CALL")
	if code != exitFailure || !strings.Contains(out, "No Call Record Found") || !strings.Contains(errOut, "1 of 1 calls not found") {
		t.Fatalf("unknown call: exit %d\n%s%s", code, out, errOut)
	}
	fx.gw.Script(fakegw.ReplyHTML)
	code, _, errOut = fx.run(t, "calls", "--cacert", fx.caFile, "--id", "ID-EXACT")
	if code != exitFailure || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, "HTML page") {
		t.Fatalf("HTML reply: exit %d %q", code, errOut)
	}
	fx.gw.Script(fakegw.ReplyRPCError)
	code, _, errOut = fx.run(t, "calls", "--cacert", fx.caFile, "--id", "ID-EXACT")
	if code != exitFailure || !strings.Contains(errOut, "JSON-RPC error") || strings.Contains(errOut, "stored-token") {
		t.Fatalf("RPC error: exit %d %q", code, errOut)
	}
	for _, args := range [][]string{{"calls"}, {"calls", "--id", "A", "--caller-code", "B"}, {"calls", "--id", ""}} {
		if code, _, errOut := fx.run(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d %s", args, code, errOut)
		}
	}
	code, out, errOut = fx.run(t, "calls", "--khomp-container", "NOPE", "--id", "ID-EXACT")
	if code != exitUsage || out != "" || strings.TrimSpace(errOut) != `khompctl: no settings container "NOPE" in vicidial_settings_containers` {
		t.Errorf("missing container: exit %d %q %q", code, out, errOut)
	}
	fx.db.PutContainer(t, "NOHDR", "KHOMP_SETTINGS", "khomp_api_url => https://x/\r\n")
	if code, _, errOut := fx.run(t, "calls", "--khomp-container", "NOHDR", "--id", "A"); code != exitUsage || !strings.Contains(errOut, "khomp_header is empty") {
		t.Errorf("no header: exit %d %s", code, errOut)
	}
}
