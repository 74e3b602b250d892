package container_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/khompctl/khompctl/internal/testdb"
	"github.com/khompctl/khompctl/pkg/container"
	"github.com/khompctl/khompctl/pkg/install"
)

func TestDefaultMapParsesLikeVICIdial(t *testing.T) {
	m := container.ParseStatusMap(install.DefaultStatusMap())
	if got := len(m.Lines); got != 158 {
		t.Fatalf("lines = %d, want 158", got)
	}
	if m.Len() != 158 || m.Unclassified() != 0 {
		t.Fatalf("entries = %d unclassified = %d, want 158 and 0", m.Len(), m.Unclassified())
	}
	actions := map[string]int{}
	dial := map[string]int{}
	for _, l := range m.Entries() {
		actions[l.Action]++
		dial[l.DialStatus]++
	}
	wantActions := map[string]int{"status": 95, "amdaction": 55, "route": 6, "cpdunknown": 2}
	wantDial := map[string]int{"AMD": 60, "DISCONNECT": 41, "CONGESTION": 26, "BUSY": 10, "FAX": 7, "NOANSWER": 6, "ANSWER": 5, "DONTCALL": 3}
	for k, v := range wantActions {
		if actions[k] != v {
			t.Errorf("action %s: %d, want %d", k, actions[k], v)
		}
	}
	for k, v := range wantDial {
		if dial[k] != v {
			t.Errorf("dial status %s: %d, want %d", k, dial[k], v)
		}
	}
	if p := m.Problems(); len(p) != 0 {
		t.Errorf("default map has problems: %v", p)
	}
}

func TestLookupPrecedence(t *testing.T) {
	m := container.ParseStatusMap(install.DefaultStatusMap())
	cases := []struct {
		conclusion, pattern string
		want                container.Result
	}{
		{"Voice mail", "Voice mail 300Hz", container.Result{Action: "amdaction", Status: "KPAM", DialStatus: "AMD", Rule: container.RuleExact, Line: 3}},
		{"Voice mail", "The mailbox is full - send the other subscriber", container.Result{Action: "status", Status: "KPAM", DialStatus: "AMD", Rule: container.RuleExact, Line: 11}},
		{"Voice mail", "never seen", container.Result{Action: "amdaction", Status: "KPAM", DialStatus: "AMD", Rule: container.RuleConclusion, Line: 2}},
		{"Timeout", "", container.Result{Action: "status", Status: "KPTMOT", DialStatus: "NOANSWER", Rule: container.RuleExact, Line: 1}},
		// Trailing space in the shipped value is trimmed by the runtime.
		{"Ringback signal", "Ring", container.Result{Action: "status", Status: "KPRNBK", DialStatus: "CONGESTION", Rule: container.RuleExact, Line: 39}},
		// The shipped key keeps its backslash, so the real pattern name
		// (as decoded from JSON) never matches it: conclusion-only wins.
		{"Interception announcement", "SIT Tone - Innefective/other", container.Result{Action: "status", Status: "KPIA", DialStatus: "CONGESTION", Rule: container.RuleConclusion, Line: 22}},
		{"Interception announcement", `SIT Tone - Innefective\/other`, container.Result{Action: "status", Status: "KPSTTN", DialStatus: "CONGESTION", Rule: container.RuleExact, Line: 32}},
		{"Martian", "x", container.Result{Action: "error", Status: "KPEROR", DialStatus: "NA", Rule: container.RuleFallback}},
		// Lookup is case-sensitive, as Perl hashes are.
		{"voice mail", "", container.Result{Action: "error", Status: "KPEROR", DialStatus: "NA", Rule: container.RuleFallback}},
	}
	for _, c := range cases {
		if got := m.Lookup(c.conclusion, c.pattern); got != c.want {
			t.Errorf("Lookup(%q, %q) = %+v, want %+v", c.conclusion, c.pattern, got, c.want)
		}
	}
	agi := container.ParseStatusMapDialect(install.DefaultStatusMap(), container.DialectAGI)
	if got := agi.Lookup("Martian", ""); got.Action != "route" || got.Status != "KPEROR" || got.Rule != container.RuleFallback {
		t.Errorf("AGI fallback = %+v", got)
	}
}

func TestRuntimeParseRules(t *testing.T) {
	entry := strings.Join([]string{
		`# a comment line`,
		``,
		`   `,
		`"A"."x.y" => status.S1.BUSY`,      // '.' inside a pattern
		`"B" => route.S2.ANSWER # note`,    // cut at '#'
		`"C"."P" => `,                      // unclassified
		`"D" => status.S3.BUSY => ignored`, // second "=>" ignored
		`no arrow here`,                    // malformed
		`"A"."x.y" => amdaction.S4.AMD`,    // later line wins
		` "E" . "Q"  =>  "status" . "S5" . "FAX" `, // AGI splits on '.', FastAGI needs "."
		`Unquoted => cpdunknown.S6.NOANSWER`,       // no quotes at all
	}, "\r\n")
	fast := container.ParseStatusMap(entry)
	check := func(m *container.StatusMap, c, p string, want container.Result) {
		t.Helper()
		if got := m.Lookup(c, p); got != want {
			t.Errorf("%s Lookup(%q,%q) = %+v, want %+v", m.Dialect, c, p, got, want)
		}
	}
	check(fast, "A", "x.y", container.Result{"amdaction", "S4", "AMD", container.RuleExact, 9})
	check(fast, "B", "", container.Result{"route", "S2", "ANSWER", container.RuleExact, 5})
	check(fast, "C", "P", container.Result{"", "", "", container.RuleExact, 6})
	check(fast, "D", "", container.Result{"status", "S3", "BUSY", container.RuleExact, 7})
	check(fast, `E" . "Q`, "", container.Result{"status", "S5", "FAX", container.RuleExact, 10})
	check(fast, "Unquoted", "", container.Result{"cpdunknown", "S6", "NOANSWER", container.RuleExact, 11})
	if fast.Unclassified() != 1 {
		t.Errorf("unclassified = %d", fast.Unclassified())
	}
	kinds := []container.LineKind{container.LineComment, container.LineBlank, container.LineBlank, container.LineEntry, container.LineEntry, container.LineEntry, container.LineEntry, container.LineMalformed}
	for i, k := range kinds {
		if fast.Lines[i].Kind != k {
			t.Errorf("line %d kind = %v, want %v", i+1, fast.Lines[i].Kind, k)
		}
	}
	if bad := fast.Malformed(); len(bad) != 1 || bad[0].Line != 8 {
		t.Errorf("malformed = %v", bad)
	}

	agi := container.ParseStatusMapDialect(entry, container.DialectAGI)
	check(agi, "A", "x", container.Result{"amdaction", "S4", "AMD", container.RuleExact, 9})
	check(agi, "E", "Q", container.Result{"status", "S5", "FAX", container.RuleExact, 10})
}

func TestLookupHangup(t *testing.T) {
	m := container.ParseStatusMap(`"Fax" => status.KPFX.FAX`)
	cases := []struct {
		origin, cause string
		answered      bool
		status, dial  string
		rule          container.Rule
	}{
		{"leg b", "20003", false, "KPNOCH", "CONGESTION", container.RuleHangup},
		{"leg b", "30000", false, "KPTMOT", "CONGESTION", container.RuleHangup},
		{"leg b", "486", false, "KPBUSY", "BUSY", container.RuleHangup},
		{"leg b", "487", true, "KPDROP", "ANSWER", container.RuleHangup},
		{"leg b", "487", false, "KPEROR", "NA", container.RuleHangup},
		{"leg b", "503", false, "KPCONG", "CONGESTION", container.RuleHangup},
		{"leg b", "404", false, "KPEROR", "NA", container.RuleHangup},
		{"leg a", "486", false, "", "", container.RuleNone},
	}
	for _, c := range cases {
		got := m.LookupHangup("", "", c.origin, c.cause, c.answered)
		if got.Status != c.status || got.DialStatus != c.dial || got.Rule != c.rule {
			t.Errorf("LookupHangup(%s, %s, %v) = %+v", c.origin, c.cause, c.answered, got)
		}
	}
	if got := m.LookupHangup("Fax", "", "leg b", "486", false); got.Status != "KPFX" {
		t.Errorf("conclusion must win over the hangup cause: %+v", got)
	}
}

func TestParseAdminOrder(t *testing.T) {
	entry := "\"Z\" => status.A.B\r\n\"B\".\"p\" => \r\n\"A\" => route.X.ANSWER\r\n\"A\".\"q\" => "
	got := container.ParseAdmin(entry)
	var keys []string
	for _, l := range got {
		keys = append(keys, l.Key)
	}
	want := []string{`"A"."q"`, `"B"."p"`, `"A"`, `"Z"`}
	if strings.Join(keys, "|") != strings.Join(want, "|") {
		t.Fatalf("order = %v, want %v", keys, want)
	}
	if got[2].Conclusion != "A" || got[2].Action != "route" || got[2].Status != "X" || got[2].DialStatus != "ANSWER" {
		t.Fatalf("fields = %+v", got[2])
	}
	if got[0].Pattern != "q" || !got[0].Unclassified {
		t.Fatalf("unclassified = %+v", got[0])
	}
}

func TestMapKey(t *testing.T) {
	if got := container.MapKey("Fax", ""); got != `"Fax"` {
		t.Error(got)
	}
	if got := container.MapKey("Fax", "Fax (test)"); got != `"Fax"."Fax (test)"` {
		t.Error(got)
	}
}

func TestLoadStatusMapFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.map")
	os.WriteFile(good, []byte("\"Fax\" => status.KPFX.FAX\n\"Fax\".\"F\" => \n"), 0o600)
	m, err := container.LoadStatusMapFile(good)
	if err != nil || m.Len() != 2 {
		t.Fatalf("good: %v %v", m, err)
	}
	bad := filepath.Join(dir, "bad.map")
	os.WriteFile(bad, []byte("\"Fax\" => status.KPFX.FAX\nFax status KPFX\n"), 0o600)
	if _, err := container.LoadStatusMapFile(bad); err == nil || !strings.Contains(err.Error(), "bad.map: line 2") {
		t.Fatalf("bad: err = %v", err)
	}
	if _, err := container.LoadStatusMapFile(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("missing: err = %v", err)
	}
}

func TestLoadStatusMapFromDB(t *testing.T) {
	db := testdb.New(t, testdb.Schema1728)
	ctx := context.Background()
	if _, err := container.LoadStatusMap(ctx, db); !errors.Is(err, container.ErrNotFound) {
		t.Fatalf("missing container: err = %v", err)
	}
	db.PutContainer(t, container.StatusMapID, "OTHER", install.DefaultStatusMap())
	m, err := container.LoadStatusMap(ctx, db)
	if err != nil || m.Len() != 158 {
		t.Fatalf("LoadStatusMap: %v, %v", m, err)
	}
}

func FuzzParseStatusMap(f *testing.F) {
	f.Add(install.DefaultStatusMap())
	f.Add("\"C\".\"P\" => \r\n# c\r\n\r\nno arrow\r\n\"A\"=>x.y.z.w=>q#z")
	f.Add("\"\".\"\" => ...")
	f.Fuzz(func(t *testing.T, entry string) {
		for _, d := range []container.Dialect{container.DialectFastAGI, container.DialectAGI} {
			m := container.ParseStatusMapDialect(entry, d)
			if len(m.Lines) != strings.Count(entry, "\n")+1 {
				t.Fatalf("%d lines for %d LFs", len(m.Lines), strings.Count(entry, "\n"))
			}
			for _, l := range m.Entries() {
				if r := m.Lookup(l.Conclusion, l.Pattern); r.Rule != container.RuleExact || r.Line != l.No {
					t.Fatalf("entry %+v not found by Lookup: %+v", l, r)
				}
			}
			_ = m.Problems()
			_ = m.Unclassified()
		}
		admin := container.ParseAdmin(entry)
		if len(admin) != strings.Count(entry, "\n")+1 {
			t.Fatalf("admin lines = %d", len(admin))
		}
	})
}

func TestProblems(t *testing.T) {
	entry := "\"A\" => status.X.BUSY\r\nno arrow\r\n\"B\".\"p#1\" => status.X\r\n\"C\" => hangup.X.BUSY\r\n\"D\".\"v1.2\" => route.X.ANSWER\r\n => status.X.BUSY"
	got := container.ParseStatusMap(entry).Problems()
	want := map[int]string{2: "no \"=>\"", 3: "'#' inside", 4: "unknown action \"hangup\"", 5: "'.' inside a name", 6: "empty conclusion"}
	if len(got) != len(want) {
		t.Fatalf("problems = %v", got)
	}
	for _, p := range got {
		if !strings.Contains(p.Message, want[p.Line]) {
			t.Errorf("line %d: %q, want it to mention %q", p.Line, p.Message, want[p.Line])
		}
	}
}
