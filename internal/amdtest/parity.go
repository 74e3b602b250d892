// Package amdtest is shared test support for the AMD packages: where the
// Asterisk parity set lives and what Asterisk answered for each of its
// recordings. It is imported by tests only.
package amdtest

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// ParityFiles is the number of recordings in the parity set.
const ParityFiles = 97

// ParityDir finds ../shared/asterisk-parity next to the module root (CI
// clones the repository beside shared/). KHOMPCTL_PARITY_DIR overrides it.
func ParityDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("KHOMPCTL_PARITY_DIR"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("cannot find the module root (go.mod) above the test directory")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "asterisk-parity")
	if _, err := os.Stat(filepath.Join(p, "expected.tsv")); err != nil {
		t.Fatalf("Asterisk parity set missing: %s/expected.tsv not found (clone the repository next to shared/, or set KHOMPCTL_PARITY_DIR)", p)
	}
	return p
}

// ParityCase is one row of expected.tsv: what a real Asterisk AMD() said.
type ParityCase struct {
	File       string // under ParityDir/wav
	Status     string // AMDSTATUS
	Cause      string // AMDCAUSE
	DecisionMs int
}

// ParityCases reads expected.tsv of the parity set in dir.
func ParityCases(t testing.TB, dir string) []ParityCase {
	t.Helper()
	fh, err := os.Open(filepath.Join(dir, "expected.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var cases []ParityCase
	sc := bufio.NewScanner(fh)
	for line := 1; sc.Scan(); line++ {
		f := strings.Split(sc.Text(), "\t")
		if line == 1 || len(f) < 4 {
			continue
		}
		ms, err := strconv.Atoi(f[3])
		if err != nil {
			t.Fatalf("expected.tsv line %d: decision_ms %q", line, f[3])
		}
		cases = append(cases, ParityCase{File: f[0], Status: f[1], Cause: f[2], DecisionMs: ms})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(cases) != ParityFiles {
		t.Fatalf("expected.tsv lists %d files, want %d", len(cases), ParityFiles)
	}
	return cases
}
