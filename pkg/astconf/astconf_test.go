package astconf

import (
	"strings"
	"testing"
)

func TestParseVICIdialRules(t *testing.T) {
	conf := "# comment line\n" +
		"PATHlogs => /var/log/astguiclient\n" +
		"VARserver_ip => 10.0.0.5\n" +
		"VARDB_server => localhost  # trailing comment\n" +
		"VARDB_database => asterisk\n" +
		"VARDB_user\t=>\tcron\n" +
		"VARDB_pass => 12 34;ignored\n" +
		"VARDB_custom_user => custom\n" +
		"VARDB_port => 3306\r\n" +
		"VARDB_server => db2\n" // later lines win
	cfg, err := Parse(strings.NewReader(conf))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{ServerIP: "10.0.0.5", DBServer: "db2", DBDatabase: "asterisk", DBUser: "cron", DBPass: "1234", DBPort: "3306"}
	got := cfg
	got.Values = nil
	if got.ServerIP != want.ServerIP || got.DBServer != want.DBServer || got.DBDatabase != want.DBDatabase ||
		got.DBUser != want.DBUser || got.DBPass != want.DBPass || got.DBPort != want.DBPort {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if cfg.Values["PATHlogs"] != "/var/log/astguiclient" {
		t.Errorf("PATHlogs = %q", cfg.Values["PATHlogs"])
	}
	// VARDB_user is a prefix of VARDB_user... only; VARDB_custom_user must not leak into DBUser.
	if cfg.Values["VARDB_custom_user"] != "custom" {
		t.Errorf("VARDB_custom_user = %q", cfg.Values["VARDB_custom_user"])
	}
}

func TestParseValueAfterLastEquals(t *testing.T) {
	cfg, err := Parse(strings.NewReader("VARDB_pass => a=b=c\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DBPass != "c" {
		t.Fatalf("DBPass = %q, want %q (Perl s/.*=//)", cfg.DBPass, "c")
	}
}

func TestValidate(t *testing.T) {
	err := Config{DBServer: "x", DBDatabase: "y"}.Validate("/etc/astguiclient.conf")
	if err == nil || !strings.Contains(err.Error(), "VARDB_user") || !strings.Contains(err.Error(), "/etc/astguiclient.conf") {
		t.Fatalf("err = %v", err)
	}
}

func FuzzParseAstConf(f *testing.F) {
	f.Add("VARDB_server => localhost\nVARDB_pass => 1234 # c\n")
	f.Add("VARDB_user=>a=b;c\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		cfg, err := Parse(strings.NewReader(s))
		if err != nil {
			return
		}
		for k, v := range cfg.Values {
			if strings.ContainsAny(k+v, " \t>#;\r\n") {
				t.Fatalf("uncleaned key/value %q=%q", k, v)
			}
		}
	})
}
