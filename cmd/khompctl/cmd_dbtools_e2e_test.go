package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/khompctl/khompctl/internal/testdb"
	"github.com/khompctl/khompctl/pkg/container"
	"github.com/khompctl/khompctl/pkg/dblock"
	"github.com/khompctl/khompctl/pkg/dbstatus"
	"github.com/khompctl/khompctl/pkg/install"
	"github.com/khompctl/khompctl/pkg/patterns"
)

// runCLI runs khompctl with args and returns exit code, stdout, stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ios, out, errOut := testIO("")
	code := run(context.Background(), args, ios)
	return code, out.String(), errOut.String()
}

func installedDB(t *testing.T, schema testdb.Schema) *testdb.DB {
	t.Helper()
	db := testdb.New(t, schema)
	if code, out, errOut := runCLI(t, "--dsn", db.DSN, "install"); code != 0 {
		t.Fatalf("install: %d %s %s", code, out, errOut)
	}
	return db
}

func TestInstallCommand(t *testing.T) {
	for _, schema := range testdb.Schemas {
		t.Run(schema.String(), func(t *testing.T) {
			db := testdb.New(t, schema)
			code, out, _ := runCLI(t, "--dsn", db.DSN, "install", "--dry-run")
			if code != 0 || !strings.Contains(out, "would insert status KPNOSP") || !strings.Contains(out, "nothing written") {
				t.Fatalf("dry run: %d %q", code, out)
			}
			var n int
			db.QueryRow("SELECT COUNT(*) FROM vicidial_statuses").Scan(&n)
			if n != 0 {
				t.Fatal("dry run wrote statuses")
			}
			code, out, _ = runCLI(t, "--dsn", db.DSN, "install")
			if code != 0 || !strings.Contains(out, "install: 25 change(s) written") {
				t.Fatalf("install: %d %q", code, out)
			}
			if db.ContainerEntry(t, container.StatusMapID) != install.DefaultStatusMap() {
				t.Fatal("map bytes differ")
			}
			code, out, _ = runCLI(t, "--dsn", db.DSN, "install")
			if code != 0 || strings.TrimSpace(out) != "install: nothing to change" {
				t.Fatalf("second install: %d %q", code, out)
			}
			// An admin classifies a new pair; install keeps it; --force
			// resets and prints the old entry.
			edited := install.DefaultStatusMap() + "\r\n\"Fax\".\"X\" => status.KPFX.FAX"
			db.Exec(t, "UPDATE vicidial_settings_containers SET container_entry = ? WHERE container_id = 'KHOMPSTATUSMAP'", edited)
			code, out, _ = runCLI(t, "--dsn", db.DSN, "install", "--json")
			var js struct{ Steps []install.Step }
			if code != 0 || json.Unmarshal([]byte(out), &js) != nil || len(js.Steps) != 1 || js.Steps[0].Kind != install.KeptContainer {
				t.Fatalf("json: %d %q", code, out)
			}
			if db.ContainerEntry(t, container.StatusMapID) != edited {
				t.Fatal("install overwrote an edit")
			}
			code, out, _ = runCLI(t, "--dsn", db.DSN, "install", "--force")
			if code != 0 || !strings.Contains(out, "reset container KHOMPSTATUSMAP") || !strings.Contains(out, `"Fax"."X" => status.KPFX.FAX`) {
				t.Fatalf("force: %d %q", code, out)
			}
			if db.ContainerEntry(t, container.StatusMapID) != install.DefaultStatusMap() {
				t.Fatal("force did not reset")
			}
		})
	}
}

func TestInstallPrintSQLNeedsNoDatabase(t *testing.T) {
	code, out, errOut := runCLI(t, "--conf", "/nonexistent/astguiclient.conf", "install", "--print-sql")
	if code != 0 || !strings.HasPrefix(out, "-- khompctl install") || !strings.Contains(out, "INSERT IGNORE INTO vicidial_settings_containers") {
		t.Fatalf("%d %q %q", code, out[:min(len(out), 200)], errOut)
	}
}

// TestBadConnectionInput: missing conf, wrong password, unreachable
// server. Each is one clear line naming the thing, a documented exit code,
// and (the database being unreachable) nothing written.
func TestBadConnectionInput(t *testing.T) {
	db := testdb.New(t, testdb.Schema1728)
	cfg, err := mysql.ParseDSN(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	wrong := cfg.Clone()
	wrong.Passwd = "Wr0ng-Secret"
	unreachable := cfg.Clone()
	unreachable.Addr = "127.0.0.1:1"
	emptyConf := filepath.Join(t.TempDir(), "astguiclient.conf")
	os.WriteFile(emptyConf, []byte("VARDB_server => 127.0.0.1\n"), 0o600)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing conf", []string{"--conf", "/nonexistent/astguiclient.conf"}, exitUsage, "/nonexistent/astguiclient.conf"},
		{"incomplete conf", []string{"--conf", emptyConf}, exitUsage, "VARDB_database is missing"},
		{"wrong password", []string{"--dsn", wrong.FormatDSN()}, exitFailure, "connect to database"},
		{"unreachable", []string{"--dsn", unreachable.FormatDSN()}, exitFailure, "127.0.0.1:1"},
	}
	for _, c := range cases {
		for _, cmd := range [][]string{
			{"install"}, {"update-patterns"}, {"patterns", "list"}, {"patterns", "set", "A", "--action", "status", "--status", "KPAM"},
			{"auth", "--khomp-container", "KHOMPSETTINGS"}, {"auth", "--all"}, {"calls", "--id", "V1"},
			{"check-ssl", "--khomp-container", "KHOMPSETTINGS"},
		} {
			code, out, errOut := runCLI(t, append(append([]string{}, c.args...), cmd...)...)
			if code != c.code || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("%s %v: code %d stderr %q stdout %q", c.name, cmd, code, errOut, out)
			}
			if strings.Contains(errOut, "Wr0ng-Secret") || strings.Contains(out, "Wr0ng-Secret") {
				t.Errorf("%s %v: password printed", c.name, cmd)
			}
		}
	}
	var n int
	db.QueryRow("SELECT COUNT(*) FROM vicidial_settings_containers").Scan(&n)
	if n != 0 {
		t.Fatal("something was written")
	}
}

func insertLog(t *testing.T, db *testdb.DB, age time.Duration, conclusion, pattern string) {
	t.Helper()
	db.Exec(t, "INSERT INTO vicidial_khomp_log (caller_code, server_ip, start_date, conclusion, pattern) VALUES ('V1', '10.0.0.1', ?, ?, NULLIF(?, ''))",
		time.Now().Add(-age).Format("2006-01-02 15:04:05"), conclusion, pattern)
}

func TestUpdatePatternsCommand(t *testing.T) {
	db := installedDB(t, testdb.Schema1720)
	lockFile := filepath.Join(t.TempDir(), "up.lock")
	insertLog(t, db, time.Minute, "Voice mail", "Brand new greeting")
	insertLog(t, db, time.Minute, "Voice mail", "Voice mail 300Hz")
	insertLog(t, db, 5*time.Hour, "Old", "")

	code, out, _ := runCLI(t, "--dsn", db.DSN, "update-patterns", "--lock-file", lockFile, "--dry-run")
	if code != 0 || out != "\"Voice mail\".\"Brand new greeting\"\n" {
		t.Fatalf("dry run: %d %q", code, out)
	}
	if db.ContainerEntry(t, container.StatusMapID) != install.DefaultStatusMap() {
		t.Fatal("dry run wrote")
	}
	code, out, errOut := runCLI(t, "--dsn", db.DSN, "update-patterns", "--lock-file", lockFile)
	if code != 0 || out != "" || errOut != "" {
		t.Fatalf("cron run must be silent: %d %q %q", code, out, errOut)
	}
	if want := install.DefaultStatusMap() + "\r\n\"Voice mail\".\"Brand new greeting\" => "; db.ContainerEntry(t, container.StatusMapID) != want {
		t.Fatal("entry differs")
	}
	code, out, _ = runCLI(t, "--dsn", db.DSN, "update-patterns", "--lock-file", lockFile, "--month-check", "--json")
	var res patterns.UpdateResult
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Window.Kind != "month" || len(res.Added) != 1 || res.Added[0] != `"Old"` {
		t.Fatalf("json: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "--dsn", db.DSN, "update-patterns", "--lock-file", lockFile, "--custom-check=2026-02-30", "--month-check", "--debug")
	if code != 0 || !strings.Contains(out, "\n\nWARNING: custom date is not in valid yyyy-mm-dd format - reverting to default start time of ") || !strings.Contains(out, "-- window 4h") {
		t.Fatalf("custom: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "--dsn", db.DSN, "update-patterns", "--lock-file", lockFile, "--debugX")
	if code != 0 || !strings.Contains(out, "-- SQL: SELECT conclusion, pattern, khomp_log_id FROM vicidial_khomp_log WHERE start_date >= ? AND LENGTH(conclusion) > 0") {
		t.Fatalf("debugX: %d %q", code, out)
	}
}

func TestUpdatePatternsExitCodes(t *testing.T) {
	t.Run("locked", func(t *testing.T) {
		db := installedDB(t, testdb.Schema1728)
		held, err := dblock.Acquire(context.Background(), db.DB, patterns.LockName, dblock.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer held.Release()
		code, _, errOut := runCLI(t, "--dsn", db.DSN, "update-patterns", "--lock-file", "")
		if code != exitLocked || !strings.Contains(errOut, "another run holds the lock") {
			t.Fatalf("%d %q", code, errOut)
		}
	})
	t.Run("host lock", func(t *testing.T) {
		db := installedDB(t, testdb.Schema1728)
		lockFile := filepath.Join(t.TempDir(), "up.lock")
		held, err := dblock.Acquire(context.Background(), db.DB, "other-name", dblock.Options{File: lockFile})
		if err != nil {
			t.Fatal(err)
		}
		defer held.Release()
		if code, _, errOut := runCLI(t, "--dsn", db.DSN, "update-patterns", "--lock-file", lockFile); code != exitLocked {
			t.Fatalf("%d %q", code, errOut)
		}
	})
	t.Run("missing container", func(t *testing.T) {
		db := testdb.New(t, testdb.Schema1728)
		code, _, errOut := runCLI(t, "--dsn", db.DSN, "update-patterns", "--lock-file", "")
		if code != exitUsage || !strings.Contains(errOut, "KHOMPSTATUSMAP") || !strings.Contains(errOut, "khompctl install") {
			t.Fatalf("%d %q", code, errOut)
		}
	})
	t.Run("malformed map", func(t *testing.T) {
		db := testdb.New(t, testdb.Schema1728)
		bad := "\"Fax\" => status.KPFX.FAX\r\nFax status KPFX"
		db.PutContainer(t, container.StatusMapID, "OTHER", bad)
		insertLog(t, db, time.Minute, "New", "")
		code, _, errOut := runCLI(t, "--dsn", db.DSN, "update-patterns", "--lock-file", "")
		if code != exitUsage || !strings.Contains(errOut, "line 2") {
			t.Fatalf("%d %q", code, errOut)
		}
		if db.ContainerEntry(t, container.StatusMapID) != bad {
			t.Fatal("written")
		}
	})
}

func TestPatternsCommands(t *testing.T) {
	db := installedDB(t, testdb.Schema1728)
	insertLog(t, db, time.Minute, "Voice mail", "Greeting A")
	if code, _, errOut := runCLI(t, "--dsn", db.DSN, "update-patterns", "--lock-file", ""); code != 0 {
		t.Fatal(errOut)
	}
	code, out, _ := runCLI(t, "--dsn", db.DSN, "patterns", "list", "--unclassified", "--json")
	var rows []patternRow
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 1 || rows[0].Pattern != "Greeting A" || rows[0].Line != 159 {
		t.Fatalf("list: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "--dsn", db.DSN, "patterns", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// header, rule, 159 rows (the unclassified one first, as the admin page lists it)
	if code != 0 || len(lines) != 159+2 || !strings.Contains(lines[2], "Greeting A") || !strings.HasPrefix(strings.TrimSpace(lines[1]), "---") {
		t.Fatalf("table: %d lines, first rows %q", len(lines), lines[:min(5, len(lines))])
	}

	code, out, errOut := runCLI(t, "--dsn", db.DSN, "patterns", "set", "Voice mail", "Greeting A", "--action", "amdaction", "--status", "kpam", "--dial-status", "amd")
	if code != 0 || out != "replaced: \"Voice mail\".\"Greeting A\" => \nwith:     \"Voice mail\".\"Greeting A\" => amdaction.KPAM.AMD\n" || errOut != "" {
		t.Fatalf("set: %d %q %q", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "--dsn", db.DSN, "patterns", "set", "Fax", "Fax 9k", "--action", "status", "--status", "NEWST")
	if code != 0 || !strings.HasPrefix(out, "added: ") || !strings.Contains(errOut, "NEWST does not exist in vicidial_statuses") {
		t.Fatalf("set new: %d %q %q", code, out, errOut)
	}
	want := install.DefaultStatusMap() + "\r\n\"Voice mail\".\"Greeting A\" => amdaction.KPAM.AMD\r\n\"Fax\".\"Fax 9k\" => status.NEWST"
	if db.ContainerEntry(t, container.StatusMapID) != want {
		t.Fatalf("entry tail %q", db.ContainerEntry(t, container.StatusMapID)[16500:])
	}
	for _, bad := range [][]string{
		{"patterns", "set", "A.B", "--action", "status", "--status", "X"},
		{"patterns", "set", "A", "p#1", "--action", "status", "--status", "X"},
		{"patterns", "set", "A", "--action", "dance", "--status", "X"},
		{"patterns", "set", "A", "--status", "X"},
	} {
		code, _, errOut := runCLI(t, append([]string{"--dsn", db.DSN}, bad...)...)
		if code != exitUsage || errOut == "" {
			t.Errorf("%v: %d %q", bad, code, errOut)
		}
	}
	if db.ContainerEntry(t, container.StatusMapID) != want {
		t.Fatal("refused set changed the map")
	}
	code, out, _ = runCLI(t, "--dsn", db.DSN, "patterns", "lookup", "Voice mail", "Unknown greeting")
	if code != 0 || strings.TrimSpace(out) != "action=amdaction status=KPAM dial_status=AMD rule=conclusion line=2" {
		t.Fatalf("lookup: %d %q", code, out)
	}
}

func TestStatusCommand(t *testing.T) {
	t.Run("nothing installed", func(t *testing.T) {
		db := testdb.New(t, testdb.Schema1720)
		code, out, _ := runCLI(t, "--dsn", db.DSN, "status")
		if code != exitFailure || !regexp.MustCompile(`KHOMPSTATUSMAP +FAIL`).MatchString(out) || !regexp.MustCompile(`KHOMPSETTINGS +FAIL`).MatchString(out) {
			t.Fatalf("%d\n%s", code, out)
		}
	})
	t.Run("healthy", func(t *testing.T) {
		db := installedDB(t, testdb.Schema1728)
		expire := time.Now().Add(50 * time.Minute).Unix()
		settings := strings.NewReplacer("URL_FOR_KHOMP_SERVER", "gw.example", "TOKENTOKENTOKEN", "tok-123", "khomp_api_token_expire => 0", fmt.Sprintf("khomp_api_token_expire => %d", expire)).Replace(install.DefaultSettings())
		db.Exec(t, "UPDATE vicidial_settings_containers SET container_entry = ? WHERE container_id = 'KHOMPSETTINGS'", settings)
		db.PutContainer(t, "KHOMP_GW2", "KHOMP_SETTINGS", "khomp_api_url => https://gw2\r\nkhomp_api_proxied => 1\r\n")
		db.Exec(t, "INSERT INTO vicidial_campaigns (campaign_id, amd_type, khomp_settings_container) VALUES ('C1', 'KHOMP', 'KHOMP_GW2')")
		// A campaign may use a container of type OTHER: its token is checked too.
		db.PutContainer(t, "CAMP_OTHER", "OTHER", "khomp_api_url => https://gw3\r\nkhomp_api_proxied => yes\r\n")
		db.Exec(t, "INSERT INTO vicidial_campaigns (campaign_id, amd_type, khomp_settings_container) VALUES ('C2', 'KHOMP', 'CAMP_OTHER')")
		insertLog(t, db, time.Minute, "Voice mail", "Voice mail 300Hz")
		insertLog(t, db, 2*time.Hour, "Voice mail", "")
		insertLog(t, db, 3*time.Hour, "Fax", "")
		code, out, _ := runCLI(t, "--dsn", db.DSN, "status", "--json")
		var rep struct {
			Attention bool `json:"needs_attention"`
			Checks    []struct{ Name, State, Detail string }
			Tokens    []struct {
				Container       string
				Valid           bool
				ValidForSeconds int64 `json:"valid_for_seconds"`
			}
			RowsLastHour   int64 `json:"rows_last_hour"`
			RowsLastDay    int64 `json:"rows_last_day"`
			TopConclusions []struct {
				Conclusion string
				Calls      int64
			} `json:"top_conclusions"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if code != 0 || rep.Attention {
			t.Fatalf("healthy system needs attention: %d\n%s", code, out)
		}
		if len(rep.Tokens) != 3 || rep.Tokens[0].Container != "KHOMPSETTINGS" || !rep.Tokens[0].Valid ||
			rep.Tokens[0].ValidForSeconds < 2990 || rep.Tokens[0].ValidForSeconds > 3000 || rep.Tokens[1].Container != "KHOMP_GW2" ||
			rep.Tokens[2].Container != "CAMP_OTHER" || !rep.Tokens[2].Valid {
			t.Fatalf("tokens = %+v", rep.Tokens)
		}
		if rep.RowsLastHour != 1 || rep.RowsLastDay != 3 || len(rep.TopConclusions) != 2 || rep.TopConclusions[0].Conclusion != "Voice mail" || rep.TopConclusions[0].Calls != 2 {
			t.Fatalf("log figures: %+v", rep)
		}
		if strings.Contains(out, "tok-123") {
			t.Fatal("token printed")
		}
		// One unclassified pair and an expired token: attention, exit 1.
		insertLog(t, db, time.Minute, "Voice mail", "Brand new")
		runCLI(t, "--dsn", db.DSN, "update-patterns", "--lock-file", "")
		db.Exec(t, "UPDATE vicidial_settings_containers SET container_entry = REPLACE(container_entry, ?, '1') WHERE container_id = 'KHOMPSETTINGS'", fmt.Sprint(expire))
		code, out, _ = runCLI(t, "--dsn", db.DSN, "status")
		if code != exitFailure || !strings.Contains(out, "1 unclassified") || !strings.Contains(out, "expired") {
			t.Fatalf("%d\n%s", code, out)
		}
	})
	t.Run("malformed map", func(t *testing.T) {
		db := installedDB(t, testdb.Schema1720)
		db.Exec(t, "UPDATE vicidial_settings_containers SET container_entry = CONCAT(container_entry, ?) WHERE container_id = 'KHOMPSTATUSMAP'", "\r\n\"Fax\".\"Press #1\" => status.KPFX.FAX")
		code, out, _ := runCLI(t, "--dsn", db.DSN, "status")
		if code != exitFailure || !regexp.MustCompile(`map lines +FAIL +1 line\(s\) VICIdial ignores, first: line 159`).MatchString(out) {
			t.Fatalf("%d\n%s", code, out)
		}
	})
	t.Run("empty map", func(t *testing.T) {
		// NULL or empty: VICIdial gives every call its fallback status.
		db := installedDB(t, testdb.Schema1728)
		db.Exec(t, "UPDATE vicidial_settings_containers SET container_entry = NULL WHERE container_id = 'KHOMPSTATUSMAP'")
		code, out, _ := runCLI(t, "--dsn", db.DSN, "status")
		if code != exitFailure || !regexp.MustCompile(`KHOMPSTATUSMAP +FAIL +0 entries, 0 unclassified: every call gets VICIdial's fallback KPEROR`).MatchString(out) {
			t.Fatalf("%d\n%s", code, out)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		code, out, _ := runCLI(t, "--dsn", "u:p@tcp(127.0.0.1:1)/x?timeout=1s", "status", "--json")
		if code != exitFailure || !strings.Contains(out, `"state": "FAIL"`) {
			t.Fatalf("%d %q", code, out)
		}
	})
}

// A name with a line break (a gateway conclusion, a hand-edited map) must
// not split a table row: it is shown quoted on one line.
func TestTableCellKeepsRowsWhole(t *testing.T) {
	for in, want := range map[string]string{
		"Voice mail": "Voice mail",
		"It's a\\/b": "It's a\\/b",
		"Bad\nline":  `"Bad\nline"`,
		"tab\there":  `"tab\there"`,
		"":           "",
	} {
		if got := tableCell(in); got != want {
			t.Errorf("tableCell(%q) = %q, want %q", in, got, want)
		}
	}
	var out bytes.Buffer
	rep := dbstatus.Report{
		Checks:         []dbstatus.Check{{Name: "database", State: dbstatus.OK, Detail: "reachable"}},
		TopConclusions: []dbstatus.Conclusion{{Conclusion: "Bad\nline", Calls: 2}},
	}
	if err := printStatus(&out, rep); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^ +"Bad\\nline" +2 *$`).MatchString(out.String()) {
		t.Fatalf("status table:\n%s", out.String())
	}
}
