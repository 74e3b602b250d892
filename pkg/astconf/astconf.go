// Package astconf reads VICIdial's /etc/astguiclient.conf the way VICIdial's
// own Perl scripts do.
//
// The file is not INI. Every VICIdial script cleans each line by deleting all
// spaces, tabs and '>' characters and everything from the first '#' or ';',
// then matches keys by prefix and takes the text after the last '='. Later
// lines win. A password containing '#', ';', a space or '=' is therefore
// already broken for VICIdial itself; we reproduce that rather than "fix" it,
// so khompctl always connects with exactly the credentials VICIdial uses.
package astconf

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// Config holds the values khompctl needs from astguiclient.conf.
type Config struct {
	ServerIP   string // VARserver_ip
	DBServer   string // VARDB_server
	DBDatabase string // VARDB_database
	DBUser     string // VARDB_user
	DBPass     string // VARDB_pass
	DBPort     string // VARDB_port
	// Values holds every cleaned KEY=value line by its full key, for keys not
	// named above (PATHlogs, VARactive_keepalives, ...).
	Values map[string]string
}

// DefaultPath is where VICIdial installs its configuration.
const DefaultPath = "/etc/astguiclient.conf"

// cleanLine applies VICIdial's per-line cleaning:
// s/ |>|\n|\r|\t|\#.*|;.*//gi
func cleanLine(line string) string {
	if i := strings.IndexAny(line, "#;"); i >= 0 {
		line = line[:i]
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '>', '\n', '\r', '\t':
			return -1
		}
		return r
	}, line)
}

// valueAfterLastEquals is the Perl s/.*=//: everything after the last '='.
func valueAfterLastEquals(line string) string {
	if i := strings.LastIndexByte(line, '='); i >= 0 {
		return line[i+1:]
	}
	return line
}

// prefixKeys are matched by prefix, in the order VICIdial's scripts test them.
// Longer keys that share a prefix with a shorter one (VARDB_server vs
// VARDB_serverX) behave as in Perl: a line starting with the shorter key's
// text matches it.
var prefixKeys = []struct {
	key string
	set func(*Config, string)
}{
	{"VARserver_ip", func(c *Config, v string) { c.ServerIP = v }},
	{"VARDB_server", func(c *Config, v string) { c.DBServer = v }},
	{"VARDB_database", func(c *Config, v string) { c.DBDatabase = v }},
	{"VARDB_user", func(c *Config, v string) { c.DBUser = v }},
	{"VARDB_pass", func(c *Config, v string) { c.DBPass = v }},
	{"VARDB_port", func(c *Config, v string) { c.DBPort = v }},
}

// Parse reads an astguiclient.conf stream.
func Parse(r io.Reader) (Config, error) {
	cfg := Config{Values: map[string]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := cleanLine(sc.Text())
		if line == "" {
			continue
		}
		if i := strings.IndexByte(line, '='); i > 0 {
			cfg.Values[line[:i]] = valueAfterLastEquals(line)
		}
		for _, k := range prefixKeys {
			if strings.HasPrefix(line, k.key) {
				k.set(&cfg, valueAfterLastEquals(line))
			}
		}
	}
	if err := sc.Err(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Load reads and parses the file at path. Errors name the file.
func Load(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("read VICIdial config: %w", err)
	}
	defer f.Close()
	cfg, err := Parse(f)
	if err != nil {
		return Config{}, fmt.Errorf("read VICIdial config %s: %w", path, err)
	}
	return cfg, nil
}

// Validate reports the first key needed for a database connection that is
// missing, naming the file and the key.
func (c Config) Validate(path string) error {
	for _, kv := range []struct{ key, val string }{
		{"VARDB_server", c.DBServer},
		{"VARDB_database", c.DBDatabase},
		{"VARDB_user", c.DBUser},
	} {
		if kv.val == "" {
			return fmt.Errorf("%s: %s is missing or empty", path, kv.key)
		}
	}
	return nil
}
