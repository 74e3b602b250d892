package main

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/audio"
	"github.com/khompctl/khompctl/pkg/amd/template"
)

func asteriskPrompt(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("/usr/share/asterisk/sounds", name+".wav")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("Asterisk sounds not installed: %v", err)
	}
	return p
}

func runTemplateCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ios, out, errOut := testIO("")
	code := run(context.Background(), args, ios)
	return code, out.String(), errOut.String()
}

func TestAMDTemplateCommands(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "lib")
	nobody := asteriskPrompt(t, "en/vm-nobodyavail")
	noservice := asteriskPrompt(t, "en/ss-noservice")

	code, out, errOut := runTemplateCmd(t, "amd", "template", "add", "--library", lib, "--class", "Voice mail", "--name", "Nobody available", nobody)
	if code != 0 || !strings.Contains(out, "added") || !strings.Contains(out, "Voice mail/Nobody available") {
		t.Fatalf("add: %d %q %q", code, out, errOut)
	}
	code, _, errOut = runTemplateCmd(t, "amd", "template", "add", "--library", lib, "--class", "Voice mail", "--name", "Nobody available", noservice)
	if code != exitUsage || !strings.Contains(errOut, "already exists") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("duplicate add: %d %q", code, errOut)
	}
	code, out, errOut = runTemplateCmd(t, "amd", "template", "add", "--library", lib, "--class", "Interception announcement", "--name", "Not in service", "--start", "0.3s", "--end", "4s", noservice)
	if code != 0 || !strings.Contains(out, "3.70 s") {
		t.Errorf("add cut: %d %q %q", code, out, errOut)
	}
	for _, bad := range [][]string{
		{"--name", "x", filepath.Join(lib, "missing.wav")},
		{"--name", "x", "--start", "9s", noservice},
		{"--name", "x", "--start", "2s", "--end", "1s", noservice},
		{"--name", "a/b", noservice},
		{"--name", "x", "--start", "soon", noservice},
	} {
		code, _, errOut = runTemplateCmd(t, append([]string{"amd", "template", "add", "--library", lib}, bad...)...)
		if code != exitUsage || strings.Count(errOut, "\n") != 1 {
			t.Errorf("add %v: %d %q", bad, code, errOut)
		}
	}

	code, out, _ = runTemplateCmd(t, "amd", "template", "list", "--library", lib)
	if code != 0 || !strings.Contains(out, "Nobody available") || !strings.Contains(out, "Interception announcement") || !strings.Contains(out, "2 templates") {
		t.Errorf("list: %d %q", code, out)
	}
	code, out, _ = runTemplateCmd(t, "amd", "template", "list", "--library", lib, "--json")
	var listed []template.Template
	if code != 0 || json.Unmarshal([]byte(out), &listed) != nil || len(listed) != 2 || listed[0].Landmarks < 50 {
		t.Errorf("list --json: %d %q", code, out)
	}

	code, out, _ = runTemplateCmd(t, "amd", "template", "check", "--library", lib)
	if code != 0 || !strings.Contains(out, "2 templates checked, 0 problems") {
		t.Errorf("check clean: %d %q", code, out)
	}
	// The same recording under a second name: check reports the overlap.
	runTemplateCmd(t, "amd", "template", "add", "--library", lib, "--name", "Copy", nobody)
	code, out, _ = runTemplateCmd(t, "amd", "template", "check", "--library", lib, "--json")
	var problems []template.Problem
	if code != exitFailure || json.Unmarshal([]byte(out), &problems) != nil || len(problems) < 2 || problems[0].Kind != "overlap" {
		t.Errorf("check overlap: %d %q", code, out)
	}

	code, out, _ = runTemplateCmd(t, "amd", "template", "rm", "--library", lib, "Copy", "Voice mail/Nobody available")
	if code != 0 || strings.Count(out, "removed") != 2 {
		t.Errorf("rm: %d %q", code, out)
	}
	code, _, errOut = runTemplateCmd(t, "amd", "template", "rm", "--library", lib, "Copy")
	if code != exitUsage || !strings.Contains(errOut, "no such template") {
		t.Errorf("rm missing: %d %q", code, errOut)
	}
	code, _, errOut = runTemplateCmd(t, "amd", "template", "list", "--library", filepath.Join(lib, "nope"))
	if code != exitUsage || !strings.Contains(errOut, "nope") {
		t.Errorf("list missing library: %d %q", code, errOut)
	}
}

func TestAMDLearnCommand(t *testing.T) {
	captured, lib := t.TempDir(), filepath.Join(t.TempDir(), "lib")
	s, err := template.ReadAudioFile(asteriskPrompt(t, "en/vm-nobodyavail"), 0)
	if err != nil {
		t.Fatal(err)
	}
	// Three captures of the same greeting, each with its own line noise.
	for i := 0; i < 3; i++ {
		rng := rand.New(rand.NewPCG(uint64(i), 9))
		noisy := make([]float32, len(s))
		for j, v := range s {
			noisy[j] = v + float32(rng.NormFloat64()*40)
		}
		f, err := os.Create(filepath.Join(captured, "call"+string(rune('1'+i))+".wav"))
		if err != nil {
			t.Fatal(err)
		}
		if err := audio.WriteWAV(f, 8000, "ulaw", noisy); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	code, out, errOut := runTemplateCmd(t, "amd", "learn", "--captured", captured, "--library", lib, "--dry-run")
	if code != 0 || !strings.Contains(out, "would graduate \"Answering machine ") || !strings.Contains(out, "3 candidates") {
		t.Fatalf("dry run: %d %q %q", code, out, errOut)
	}
	code, out, _ = runTemplateCmd(t, "amd", "learn", "--captured", captured, "--library", lib)
	if code != 0 || !strings.Contains(out, "graduated \"Answering machine ") {
		t.Fatalf("learn: %d %q", code, out)
	}
	code, out, _ = runTemplateCmd(t, "amd", "template", "list", "--library", lib)
	if code != 0 || !strings.Contains(out, "Answering machine ") || !strings.Contains(out, "1 templates") {
		t.Errorf("list after learn: %d %q", code, out)
	}
	code, _, errOut = runTemplateCmd(t, "amd", "learn", "--captured", filepath.Join(captured, "nope"), "--library", lib)
	if code != exitUsage || !strings.Contains(errOut, "nope") {
		t.Errorf("missing captured: %d %q", code, errOut)
	}
	code, _, _ = runTemplateCmd(t, "amd", "learn", "--captured", captured, "--library", lib, "--min-count", "1")
	if code != exitUsage {
		t.Errorf("--min-count 1: %d", code)
	}
}

// TestAMDTemplateAddRefusesBeep: a template that is just a 1 kHz beep is
// refused by add (exit 2, one line saying why) and, copied in by hand,
// reported by check as unusable (exit 1) and left out of the library.
func TestAMDTemplateAddRefusesBeep(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib")
	beep := make([]float32, 8000)
	for i := range beep {
		beep[i] = float32(10000 * math.Sin(2*math.Pi*1000*float64(i)/8000))
	}
	beepFile := filepath.Join(dir, "beep.wav")
	f, err := os.Create(beepFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := audio.WriteWAV(f, 8000, "pcm16", beep); err != nil {
		t.Fatal(err)
	}
	f.Close()
	code, _, errOut := runTemplateCmd(t, "amd", "template", "add", "--library", lib, "--class", "Voice mail", "--name", "Beep", beepFile)
	if code != exitUsage || !strings.Contains(errOut, "steady tone") || !strings.Contains(errOut, "unusable") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("add beep: %d %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(lib, "Voice mail", "Beep.wav")); err == nil {
		t.Error("refused template written")
	}
	data, _ := os.ReadFile(beepFile)
	os.MkdirAll(filepath.Join(lib, "Voice mail"), 0o755)
	os.WriteFile(filepath.Join(lib, "Voice mail", "Beep.wav"), data, 0o644)
	code, out, errOut := runTemplateCmd(t, "amd", "template", "check", "--library", lib, "--json")
	var problems []template.Problem
	if code != exitFailure || json.Unmarshal([]byte(out), &problems) != nil || len(problems) != 1 || problems[0].Kind != "unusable" || !strings.Contains(errOut, "Beep.wav") {
		t.Errorf("check: %d %q %q", code, out, errOut)
	}
	code, out, _ = runTemplateCmd(t, "amd", "template", "list", "--library", lib)
	if code != 0 || !strings.Contains(out, "0 templates") {
		t.Errorf("list: %d %q", code, out)
	}
}
