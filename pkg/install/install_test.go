package install

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/khompctl/khompctl/internal/testdb"
	"github.com/khompctl/khompctl/pkg/container"
	sqlfiles "github.com/khompctl/khompctl/sql"
)

var update = flag.Bool("update", false, "rewrite sql/install.sql")

func TestDefaultStatusMapBytes(t *testing.T) {
	m := DefaultStatusMap()
	sum := sha256.Sum256([]byte(m))
	if got := hex.EncodeToString(sum[:]); got != DefaultStatusMapSHA256 {
		t.Fatalf("sha256 = %s, want %s", got, DefaultStatusMapSHA256)
	}
	if len(m) != 16582 || strings.Count(m, "\r\n") != 157 || strings.HasSuffix(m, "\r\n") {
		t.Fatalf("len %d, CRLFs %d", len(m), strings.Count(m, "\r\n"))
	}
}

func TestDefaultSettingsParse(t *testing.T) {
	e := DefaultSettings()
	if !strings.HasSuffix(e, "\r\n") || strings.Count(e, "\n") != strings.Count(e, "\r\n") {
		t.Fatal("settings must use CRLF after every line")
	}
	s := container.ParseSettings(e)
	want := map[string]string{
		container.KeyURL: "https://URL_FOR_KHOMP_SERVER/rpc/json.fcgi/kgateway", container.KeyProxied: "false",
		container.KeyLoginURL: "https://URL_FOR_KHOMP_SERVER/rpc/json.fcgi/auth", container.KeyUser: "API_USER",
		container.KeyPass: "API_PASSWORD", container.KeyCheckSSL: "0", container.KeyHeader: "KHOMP-Vicidial-ID",
		container.KeyIDFormat: "CALLERCODE_CAMP_EXTERNIP", container.KeySubAccountHeader: "",
		container.KeyToken: container.NoToken, container.KeyTokenExpire: "0",
	}
	if len(s.Raw) != len(want) {
		t.Fatalf("keys = %v", s.Raw)
	}
	for k, v := range want {
		if got, ok := s.Raw[k]; !ok || got != v {
			t.Errorf("%s = %q (present %v), want %q", k, got, ok, v)
		}
	}
}

func TestStatusesCoverTheMap(t *testing.T) {
	have := map[string]bool{}
	for _, s := range DefaultStatuses() {
		if len(s.Code) > 6 || len(s.Name) > 30 {
			t.Errorf("%s %q too long for the columns", s.Code, s.Name)
		}
		have[s.Code] = true
	}
	if len(DefaultStatuses()) != 23 {
		t.Fatalf("%d statuses, want 23", len(DefaultStatuses()))
	}
	for _, l := range container.ParseStatusMap(DefaultStatusMap()).Entries() {
		if !have[l.Status] {
			t.Errorf("map line %d uses status %s that install does not create", l.No, l.Status)
		}
	}
	for _, code := range []string{"KPCONG", "KPDROP", "KPEROR", "KPNOCH"} { // used by the hangup-cause table
		if !have[code] {
			t.Errorf("missing %s", code)
		}
	}
}

func TestInstallSQLFile(t *testing.T) {
	script := SQLScript()
	if *update {
		if err := os.WriteFile("../../sql/install.sql", []byte(script), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if sqlfiles.InstallSQL != script {
		t.Fatal("sql/install.sql is out of date: go test ./pkg/install -run TestInstallSQLFile -update")
	}
}

// TestPrintedSQLLoadsExactBytes runs the printed script on both schemas,
// twice, and checks the stored bytes: the escaping is right and the script
// is idempotent.
func TestPrintedSQLLoadsExactBytes(t *testing.T) {
	for _, schema := range testdb.Schemas {
		t.Run(schema.String(), func(t *testing.T) {
			db := testdb.New(t, schema)
			cfg, err := mysql.ParseDSN(db.DSN)
			if err != nil {
				t.Fatal(err)
			}
			cfg.MultiStatements = true
			multi, err := openDSN(cfg.FormatDSN())
			if err != nil {
				t.Fatal(err)
			}
			defer multi.Close()
			for i := 0; i < 2; i++ {
				if _, err := multi.Exec(SQLScript()); err != nil {
					t.Fatalf("run %d: %v", i, err)
				}
			}
			checkInstalled(t, db)
		})
	}
}

func checkInstalled(t *testing.T, db *testdb.DB) {
	t.Helper()
	for _, c := range Containers() {
		if got := db.ContainerEntry(t, c.ID); got != c.Entry {
			t.Errorf("%s entry differs (len %d, want %d)", c.ID, len(got), len(c.Entry))
		}
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM vicidial_statuses WHERE status LIKE 'KP%'").Scan(&n); err != nil || n != len(DefaultStatuses()) {
		t.Fatalf("statuses = %d (%v), want %d", n, err, len(DefaultStatuses()))
	}
	var am, human string
	if err := db.QueryRow("SELECT answering_machine, human_answered FROM vicidial_statuses WHERE status = 'KPAM'").Scan(&am, &human); err != nil || am != "Y" || human != "N" {
		t.Fatalf("KPAM flags %s/%s %v", am, human, err)
	}
}

func TestPlanApplyIdempotentAndKeepsEdits(t *testing.T) {
	for _, schema := range testdb.Schemas {
		t.Run(schema.String(), func(t *testing.T) {
			db := testdb.New(t, schema)
			ctx := context.Background()
			steps, err := Plan(ctx, db, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(steps) != len(DefaultStatuses())+2 {
				t.Fatalf("fresh plan has %d steps", len(steps))
			}
			if err := Apply(ctx, db, steps); err != nil {
				t.Fatal(err)
			}
			checkInstalled(t, db)
			steps, err = Plan(ctx, db, false)
			if err != nil || len(steps) != 0 {
				t.Fatalf("second plan: %v %v", steps, err)
			}

			// An admin edits things; install keeps them, --force resets.
			edited := DefaultStatusMap() + "\r\n\"Fax\".\"New\" => status.KPFX.FAX"
			db.Exec(t, "UPDATE vicidial_settings_containers SET container_entry = ? WHERE container_id = 'KHOMPSTATUSMAP'", edited)
			settings := strings.Replace(DefaultSettings(), "API_PASSWORD", "s3cret", 1)
			db.Exec(t, "UPDATE vicidial_settings_containers SET container_entry = ? WHERE container_id = 'KHOMPSETTINGS'", settings)
			db.Exec(t, "UPDATE vicidial_statuses SET selectable = 'Y' WHERE status = 'KPAM'")
			db.Exec(t, "DELETE FROM vicidial_statuses WHERE status = 'KPNOSP'")
			db.Exec(t, "UPDATE vicidial_statuses SET status_name = 'KHOMP Call Hung Up During Anal' WHERE status = 'KPDROP'")

			steps, err = Plan(ctx, db, false)
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string]string{}
			for _, s := range steps {
				kinds[s.Object] = s.Kind
			}
			if kinds["KHOMPSTATUSMAP"] != KeptContainer || kinds["KHOMPSETTINGS"] != KeptContainer || kinds["KPAM"] != KeptStatus || kinds["KPNOSP"] != InsertStatus || len(steps) != 4 {
				t.Fatalf("plan = %v", kinds)
			}
			if err := Apply(ctx, db, steps); err != nil {
				t.Fatal(err)
			}
			if db.ContainerEntry(t, "KHOMPSTATUSMAP") != edited || db.ContainerEntry(t, "KHOMPSETTINGS") != settings {
				t.Fatal("install overwrote an admin's edit")
			}

			steps, err = Plan(ctx, db, true)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range steps {
				if s.Object == "KHOMPSETTINGS" && (strings.Contains(s.Before, "s3cret") || !strings.Contains(s.Before, "khomp_api_pass => ********")) {
					t.Fatalf("reset shows the password: %q", s.Before)
				}
				if s.Object == "KPAM" && (s.Kind != ResetStatus || !strings.Contains(s.Before, `selectable="Y"`)) {
					t.Fatalf("KPAM step = %+v", s)
				}
				if s.Object == "KPDROP" && (s.Kind != ResetStatus || !strings.Contains(s.Before, `status_name="KHOMP Call Hung Up During Anal"`)) {
					t.Fatalf("KPDROP step = %+v", s)
				}
			}
			if err := Apply(ctx, db, steps); err != nil {
				t.Fatal(err)
			}
			checkInstalled(t, db)
			if steps, _ := Plan(ctx, db, true); len(steps) != 0 {
				t.Fatalf("after force: %v", steps)
			}
		})
	}
}

func TestForceResetIsCompareAndSwap(t *testing.T) {
	db := testdb.New(t, testdb.Schema1728)
	ctx := context.Background()
	db.PutContainer(t, "KHOMPSTATUSMAP", "OTHER", "\"A\" => route.X.ANSWER")
	steps, err := Plan(ctx, db, true)
	if err != nil {
		t.Fatal(err)
	}
	// Someone edits between plan and apply: the reset must not clobber it.
	db.PutContainer(t, "KHOMPSTATUSMAP", "OTHER", "\"B\" => route.X.ANSWER")
	if err := Apply(ctx, db, steps); err == nil || !strings.Contains(err.Error(), "changed while installing") {
		t.Fatalf("err = %v", err)
	}
	if db.ContainerEntry(t, "KHOMPSTATUSMAP") != "\"B\" => route.X.ANSWER" {
		t.Fatal("concurrent edit lost")
	}
}

func openDSN(dsn string) (*sql.DB, error) { return sql.Open("mysql", dsn) }

// TestDefaultSettingsTokenRewrite: the token writer (khompctl auth) finds
// and replaces the token lines of the container install creates, and only
// those.
func TestDefaultSettingsTokenRewrite(t *testing.T) {
	expire := time.Unix(1_900_000_000, 0)
	next, err := container.SetToken(DefaultSettings(), "new+tok/en=", expire)
	if err != nil {
		t.Fatal(err)
	}
	s := container.ParseSettings(next)
	if s.Token != "new+tok/en=" || s.TokenExpire != "1900000000" || s.Pass != "API_PASSWORD" {
		t.Fatalf("after SetToken: token %q expire %q", s.Token, s.TokenExpire)
	}
	if strings.Count(next, "\n") != strings.Count(DefaultSettings(), "\n") {
		t.Fatal("SetToken added or removed lines")
	}
}

// TestInstallOverVICIdialsOwnSQL: a site that loaded KHOMP_settings.sql
// (VICIdial's notes and settings text, the same map, 17 statuses with the
// truncated KPDROP name) gets the 6 missing statuses and one "kept" line
// for its own settings container, nothing else.
func TestInstallOverVICIdialsOwnSQL(t *testing.T) {
	db := testdb.New(t, testdb.Schema1720)
	ctx := context.Background()
	for _, s := range DefaultStatuses()[:17] {
		v := s.values()
		if s.Code == "KPDROP" {
			v[1] = "KHOMP Call Hung Up During Anal"
		}
		db.Exec(t, insertStatusSQL("INSERT"), v...)
	}
	db.Exec(t, "INSERT INTO vicidial_settings_containers (container_id, container_notes, container_type, user_group, container_entry) VALUES ('KHOMPSTATUSMAP', 'their notes', 'OTHER', '---ALL---', ?)", DefaultStatusMap())
	db.Exec(t, "INSERT INTO vicidial_settings_containers (container_id, container_notes, container_type, user_group, container_entry) VALUES ('KHOMPSETTINGS', 'their notes', 'OTHER', '---ALL---', ?)", "khomp_api_url => https://gw/rpc/json.fcgi/kgateway\r\n")
	steps, err := Plan(ctx, db, false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range steps {
		got = append(got, s.Kind+" "+s.Object)
	}
	want := "insert-status KPIS|insert-status KPIA|insert-status KPFORA|insert-status KPUNAN|insert-status KPPORI|insert-status KPNOSP|kept-container KHOMPSETTINGS"
	if strings.Join(got, "|") != want {
		t.Fatalf("plan = %v", got)
	}
}

// What --force prints as "its entry was" never holds a password or token,
// including commented-out ones an admin kept.
func TestMaskedHidesSecrets(t *testing.T) {
	entry := "khomp_api_pass => Secret1\r\n#khomp_api_pass => OldSecret0\r\n  # khomp_api_token=>tok-old\r\n" +
		"khomp_api_token =>tok-new # renewed\r\nkhomp_api_token_expire => 1800000000\r\nkhomp_api_user => apiuser"
	got := masked("KHOMPSETTINGS", entry)
	for _, secret := range []string{"Secret1", "OldSecret0", "tok-old", "tok-new"} {
		if strings.Contains(got, secret) {
			t.Errorf("masked entry shows %q:\n%s", secret, got)
		}
	}
	want := "khomp_api_pass => ********\r\n#khomp_api_pass => ********\r\n  # khomp_api_token=> ********\r\n" +
		"khomp_api_token => ********\r\nkhomp_api_token_expire => 1800000000\r\nkhomp_api_user => apiuser"
	if got != want {
		t.Fatalf("masked:\n got %q\nwant %q", got, want)
	}
	if m := masked("KHOMPSTATUSMAP", `"Fax" => status.KPFX.FAX`); m != `"Fax" => status.KPFX.FAX` {
		t.Fatalf("status map changed: %q", m)
	}
}
