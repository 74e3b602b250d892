package template

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

func writeLibrary(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeWAVFile(t, filepath.Join(dir, "Voice mail", "Nobody available.wav"), prompt(t, "en/vm-nobodyavail"))
	writeWAVFile(t, filepath.Join(dir, "Interception announcement", "Not in service.wav"), prompt(t, "en/ss-noservice"))
	writeWAVFile(t, filepath.Join(dir, "Mailbox full.wav"), prompt(t, "en/vm-mailboxfull"))
	return dir
}

func TestOpenClassesAndMatch(t *testing.T) {
	dir := writeLibrary(t)
	lib, warnings, err := Open(dir)
	if err != nil || len(warnings) != 0 {
		t.Fatalf("Open: %v %v", err, warnings)
	}
	want := map[string]string{"Mailbox full": DefaultClass, "Not in service": "Interception announcement", "Nobody available": "Voice mail"}
	if lib.Len() != 3 {
		t.Fatalf("%d templates", lib.Len())
	}
	for _, tp := range lib.Templates() {
		if want[tp.Name] != tp.Class || tp.Landmarks < 50 || tp.DurationMs < 1000 {
			t.Errorf("template %+v", tp)
		}
	}
	m := matchSamples(lib, withLeadIn(ulawRoundTrip(prompt(t, "en/ss-noservice")), 2500, 9))
	if m == nil || m.Name != "Not in service" || m.Class != "Interception announcement" {
		t.Fatalf("match %+v", m)
	}
}

func TestIndexCacheReusedAndRebuilt(t *testing.T) {
	dir := writeLibrary(t)
	if _, _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	idx := filepath.Join(dir, IndexFile)
	st1, err := os.Stat(idx)
	if err != nil {
		t.Fatalf("no index written: %v", err)
	}
	lib, _, err := Open(dir)
	if err != nil || lib.Len() != 3 {
		t.Fatal(err)
	}
	if st2, _ := os.Stat(idx); !st2.ModTime().Equal(st1.ModTime()) {
		t.Error("index rewritten although no file changed")
	}
	// A new file and a changed file: rebuilt, and the new one matches.
	writeWAVFile(t, filepath.Join(dir, "Voice mail", "Leave message.wav"), prompt(t, "en/vm-leavemsg"))
	later := time.Now().Add(2 * time.Second)
	os.Chtimes(filepath.Join(dir, "Mailbox full.wav"), later, later)
	lib, _, err = Open(dir)
	if err != nil || lib.Len() != 4 {
		t.Fatalf("after adding: %v, %d templates", err, lib.Len())
	}
	if m := matchSamples(lib, prompt(t, "en/vm-leavemsg")); m == nil || m.Name != "Leave message" {
		t.Errorf("new template: match %+v", m)
	}
	if m := matchSamples(lib, prompt(t, "en/vm-mailboxfull")); m == nil || m.Name != "Mailbox full" {
		t.Errorf("changed template: match %+v", m)
	}
	// A damaged cache is reported and rebuilt, never trusted.
	data, _ := os.ReadFile(idx)
	data[len(data)/2] ^= 0xff
	os.WriteFile(idx, data, 0o644)
	lib, warnings, err := Open(dir)
	if err != nil || lib.Len() != 4 || len(warnings) != 1 || !strings.Contains(warnings[0], "checksum") {
		t.Fatalf("damaged cache: %v %d %v", err, lib.Len(), warnings)
	}
	// No temporary files are left behind.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("leftover %s", e.Name())
		}
	}
}

func TestBadLibrary(t *testing.T) {
	dir := writeLibrary(t)
	os.WriteFile(filepath.Join(dir, "Voice mail", "Empty.wav"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "Voice mail", "Garbage.wav"), []byte("RIFF\x10\x00\x00\x00WAVEjunkjunkjunk"), 0o644)
	// Same class and name twice (two formats): the second is skipped.
	writeWAVFile(t, filepath.Join(dir, "Voice mail", "Nobody available.sln.wav"), silence(100))
	os.WriteFile(filepath.Join(dir, "Voice mail", "Nobody available.sln"), make([]byte, 16000), 0o644)
	// Silence: no fingerprints.
	writeWAVFile(t, filepath.Join(dir, "Silent.wav"), silence(3000))
	// Hidden directories (captured material) are ignored.
	writeWAVFile(t, filepath.Join(dir, ".graduated", "x.wav"), prompt(t, "en/vm-intro"))
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not audio"), 0o644)

	lib, warnings, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(warnings, "\n")
	for _, want := range []string{"Empty.wav", "Garbage.wav", "duplicate template name \"Nobody available\"", "Silent.wav: only 0.0 s of sound"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings lack %q:\n%s", want, joined)
		}
	}
	for _, w := range warnings {
		if strings.Contains(w, "\n") {
			t.Errorf("multi-line warning %q", w)
		}
	}
	names := map[string]bool{}
	for _, tp := range lib.Templates() {
		names[tp.Class+"/"+tp.Name] = true
	}
	if names["Voice mail/Empty"] || names["Voice mail/Garbage"] {
		t.Errorf("templates %v", names)
	}
	if m := matchSamples(lib, prompt(t, "en/vm-intro")); m != nil {
		t.Errorf("hidden file enrolled: %+v", m)
	}
	// Unchanged bad files do not force a rebuild; their warnings repeat.
	st1, _ := os.Stat(filepath.Join(dir, IndexFile))
	_, again, err := Open(dir)
	st2, _ := os.Stat(filepath.Join(dir, IndexFile))
	if err != nil || strings.Join(again, "\n") != joined || !st1.ModTime().Equal(st2.ModTime()) {
		t.Errorf("second open: %v, rewritten %v, warnings:\n%s", err, !st1.ModTime().Equal(st2.ModTime()), strings.Join(again, "\n"))
	}
	// Not a directory / missing: an error naming it.
	if _, _, err := Open(filepath.Join(dir, "notes.txt")); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("file as library: %v", err)
	}
	if _, _, err := Open(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing library: %v", err)
	}
}

func TestAddRemoveCheck(t *testing.T) {
	dir := t.TempDir()
	p, err := Add(dir, "Voice mail", "Nobody", prompt(t, "en/vm-nobodyavail"))
	if err != nil || !strings.HasSuffix(p, filepath.Join("Voice mail", "Nobody.wav")) {
		t.Fatalf("Add: %v %s", err, p)
	}
	if _, err := Add(dir, "Voice mail", "Nobody", prompt(t, "en/vm-intro")); err == nil {
		t.Error("duplicate add accepted")
	}
	for _, bad := range []string{"", "a/b", ".hidden", "x\x01"} {
		if _, err := Add(dir, "Voice mail", bad, prompt(t, "en/vm-intro")); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
	Add(dir, "", "Copy of nobody", cut(prompt(t, "en/vm-nobodyavail"), 200, 0))
	Add(dir, "", "Short", cut(prompt(t, "en/vm-intro"), 0, 700))
	lib, _, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	problems, err := lib.Check()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, pr := range problems {
		kinds[pr.Name+":"+pr.Kind] = true
	}
	if !kinds["Nobody:overlap"] || !kinds["Copy of nobody:overlap"] || !kinds["Short:short"] {
		t.Errorf("problems %+v", problems)
	}
	if _, err := Remove(dir, "Voice mail/Nobody"); err != nil {
		t.Fatal(err)
	}
	if _, err := Remove(dir, "Nobody"); err == nil {
		t.Error("removed twice")
	}
}

func FuzzReadIndex(f *testing.F) {
	dir := f.TempDir()
	lib := newLibrary(dir, []Template{{Name: "a", Class: "b", Path: "b/a.wav", DurationMs: 1000, Landmarks: 2}},
		[][]Landmark{{{Hash: 5, T: 1}, {Hash: 7, T: 3}}})
	idx := filepath.Join(dir, "idx")
	if err := writeIndexFile(idx, lib); err != nil {
		f.Fatal(err)
	}
	good, _ := os.ReadFile(idx)
	f.Add(good)
	f.Add(good[:40])
	f.Add([]byte(indexMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "idx")
		os.WriteFile(p, data, 0o644)
		lib, err := readIndexFile(p)
		if err != nil || lib == nil {
			return
		}
		// A cache that loads must be safe to match with.
		m := lib.NewMatcher()
		an := dsp.NewAnalyzer()
		an.Write(prompt(t, "en/vm-intro")[:8000], m.Process)
	})
}

func TestEmptyLibrary(t *testing.T) {
	lib, warnings, err := Open(t.TempDir())
	if err != nil || lib.Len() != 0 || len(warnings) != 0 {
		t.Fatalf("empty library: %v %v", err, warnings)
	}
	if m := matchSamples(lib, prompt(t, "en/vm-intro")); m != nil {
		t.Errorf("match in an empty library: %+v", m)
	}
	if p, err := lib.Check(); err != nil || len(p) != 0 {
		t.Errorf("check: %v %v", p, err)
	}
}
