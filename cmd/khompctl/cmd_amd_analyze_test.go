package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/khompctl/khompctl/internal/testdb"
	"github.com/khompctl/khompctl/pkg/amd"
	"github.com/khompctl/khompctl/pkg/amd/audio"
	"github.com/khompctl/khompctl/pkg/container"
)

// analyzeParity finds the Asterisk parity recordings (../shared next to the
// repository, as CI clones it).
func analyzeParity(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("KHOMPCTL_PARITY_DIR"); d != "" {
		return filepath.Join(d, "wav")
	}
	d, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "asterisk-parity", "wav"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d); err != nil {
		t.Fatalf("Asterisk parity recordings missing at %s (clone the repository next to shared/, or set KHOMPCTL_PARITY_DIR)", d)
	}
	return d
}

// parityCopy copies the named parity recordings into a fresh directory.
func parityCopy(t *testing.T, names ...string) string {
	t.Helper()
	src := analyzeParity(t)
	dir := t.TempDir()
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(src, n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runAnalyze(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ios, out, errOut := testIO(stdin)
	code = run(context.Background(), append([]string{"amd", "analyze"}, args...), ios)
	return code, out.String(), errOut.String()
}

// jsonLines decodes one object per line.
func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

func field(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[p]
	}
	return v
}

func TestAnalyzeJSONContract(t *testing.T) {
	dir := parityCopy(t, "02_hello_lead300ms.wav", "05_voicemail_lead300ms.wav", "01_silence_10s.wav")
	code, out, errOut := runAnalyze(t, "", "--json", dir)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	lines := jsonLines(t, out)
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3:\n%s", len(lines), out)
	}
	// Sorted directory order, and Asterisk's exact answers.
	want := []struct{ file, status, cause string }{
		{"01_silence_10s.wav", "MACHINE", "INITIALSILENCE-2500-2500"},
		{"02_hello_lead300ms.wav", "HUMAN", "HUMAN-800-800"},
		{"05_voicemail_lead300ms.wav", "MACHINE", "MAXWORDS-3-2"},
	}
	for i, w := range want {
		l := lines[i]
		if l["file"] != filepath.Join(dir, w.file) {
			t.Errorf("line %d: file %v, want %s", i, l["file"], w.file)
		}
		if field(l, "asterisk", "status") != w.status || field(l, "asterisk", "cause") != w.cause {
			t.Errorf("%s: asterisk %v %v", w.file, field(l, "asterisk", "status"), field(l, "asterisk", "cause"))
		}
		for _, k := range []string{"file", "duration_ms", "result", "decision_ms", "confidence", "conclusion", "pattern", "asterisk", "beep", "fax", "sit", "template"} {
			if _, ok := l[k]; !ok {
				t.Errorf("%s: field %q missing", w.file, k)
			}
		}
		if _, ok := l["events"]; ok {
			t.Errorf("%s: events without --events", w.file)
		}
	}
	if lines[0]["result"] != "SILENCE" || lines[0]["conclusion"] != "No speech" {
		t.Errorf("silence: %v %v", lines[0]["result"], lines[0]["conclusion"])
	}
	if lines[1]["result"] != "HUMAN" || lines[2]["result"] != "MACHINE" {
		t.Errorf("hello → %v, voicemail → %v", lines[1]["result"], lines[2]["result"])
	}
	if d := lines[0]["duration_ms"].(float64); d != 10000 {
		t.Errorf("duration_ms %v, want 10000", d)
	}
}

func TestAnalyzeTableAndSummary(t *testing.T) {
	dir := parityCopy(t, "02_hello_lead300ms.wav", "01_silence_10s.wav")
	code, out, errOut := runAnalyze(t, "", dir)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	for _, want := range []string{"FILE", "RESULT", "ASTERISK", "02_hello_lead300ms.wav", "HUMAN HUMAN-800-800", "Short human answer", "No speech"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`(?m)^2 files: 1 HUMAN, 1 SILENCE; 18\.8 s of audio in [0-9.]+ s$`).MatchString(out) {
		t.Errorf("summary line missing or wrong:\n%s", out)
	}
	if errOut != "" {
		t.Errorf("stderr not empty without a terminal: %q", errOut)
	}
}

func TestAnalyzeProfileAsteriskAndAMDConfFlags(t *testing.T) {
	dir := parityCopy(t, "09_sil2s_hello.wav")
	f := filepath.Join(dir, "09_sil2s_hello.wav")
	_, out, _ := runAnalyze(t, "", "--json", "--profile", "asterisk", f)
	l := jsonLines(t, out)[0]
	if l["result"] != "HUMAN" || l["decision_ms"].(float64) != 3280 || l["profile"] != "asterisk" {
		t.Fatalf("asterisk profile: %v @%v", l["result"], l["decision_ms"])
	}
	// initial_silence 1500 (amd.conf spelling and dashed spelling) turns it
	// into MACHINE INITIALSILENCE-1500-1500.
	for _, flag := range []string{"--initial_silence", "--initial-silence"} {
		code, out, errOut := runAnalyze(t, "", "--json", "--profile", "asterisk", flag, "1500", f)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", flag, code, errOut)
		}
		l := jsonLines(t, out)[0]
		if l["result"] != "MACHINE" || field(l, "asterisk", "cause") != "INITIALSILENCE-1500-1500" {
			t.Errorf("%s 1500: %v %v", flag, l["result"], field(l, "asterisk", "cause"))
		}
	}
	// --amd-conf, then a flag overriding one of its keys.
	conf := filepath.Join(t.TempDir(), "amd.conf")
	os.WriteFile(conf, []byte("[general]\ninitial_silence = 1500\nafter_greeting_silence = 600\n"), 0o644)
	_, out, _ = runAnalyze(t, "", "--json", "--amd-conf", conf, "--initial_silence", "2500", f)
	l = jsonLines(t, out)[0]
	if field(l, "asterisk", "cause") != "HUMAN-600-600" {
		t.Errorf("--amd-conf + override: %v", field(l, "asterisk", "cause"))
	}
	if field(l, "params", "asterisk", "after_greeting_silence") != 600.0 {
		t.Errorf("params not reported: %v", l["params"])
	}
}

func TestAnalyzeOrderWithWorkers(t *testing.T) {
	src := analyzeParity(t)
	names := []string{"05_voicemail_lead300ms.wav", "01_silence_10s.wav", "nwords_3.wav", "03_hello_at_t0.wav", "greeting_2000.wav", "21_hello_ulaw.wav", "initsil_2500.wav", "23_voicemail_16k.wav"}
	var list strings.Builder
	for _, n := range names {
		fmt.Fprintln(&list, filepath.Join(src, n))
	}
	code, out, errOut := runAnalyze(t, list.String(), "--json", "-j", "4", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := jsonLines(t, out)
	if len(lines) != len(names) {
		t.Fatalf("%d lines, want %d", len(lines), len(names))
	}
	for i, n := range names {
		if lines[i]["file"] != filepath.Join(src, n) {
			t.Errorf("line %d is %v, want %s (input order)", i, lines[i]["file"], n)
		}
	}
}

func TestAnalyzeUnreadableFilesExit2(t *testing.T) {
	dir := parityCopy(t, "03_hello_at_t0.wav")
	bad := filepath.Join(dir, "broken.wav")
	os.WriteFile(bad, []byte("RIFF\x10\x00\x00\x00WAVEjunkjunk"), 0o644)
	missing := filepath.Join(dir, "nope.wav")
	good := filepath.Join(dir, "03_hello_at_t0.wav")
	code, out, errOut := runAnalyze(t, "", "--json", bad, good, missing)
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	lines := jsonLines(t, out)
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3 (the batch goes on)", len(lines))
	}
	if lines[0]["error"] == nil || !strings.Contains(lines[0]["error"].(string), "broken.wav") {
		t.Errorf("broken file: %v", lines[0])
	}
	if lines[1]["result"] != "HUMAN" || lines[1]["error"] != nil {
		t.Errorf("good file: %v", lines[1])
	}
	if e, _ := lines[2]["error"].(string); !strings.Contains(e, "nope.wav") || !strings.Contains(e, "no such file") {
		t.Errorf("missing file: %v", lines[2])
	}
	if strings.Count(errOut, "khompctl: ") != 2 || strings.Count(errOut, "\n") != 2 {
		t.Errorf("want one stderr line per failed file, got %q", errOut)
	}
	// Table mode reports them too.
	code, out, _ = runAnalyze(t, "", bad, good)
	if code != 2 || !strings.Contains(out, "ERROR") || !strings.Contains(out, "1 unreadable") {
		t.Errorf("table mode: exit %d\n%s", code, out)
	}
}

func TestAnalyzeUsageErrors(t *testing.T) {
	dir := parityCopy(t, "03_hello_at_t0.wav")
	for _, args := range [][]string{
		{},
		{"--profile", "bogus", dir},
		{"--channel", "left", dir},
		{"--format", "mp3", dir},
		{"--jobs", "0", dir},
		{"--greeting", "-5", dir},
		{"--total_analysis_time", "0", dir},
		{"--cadence-hangover", "0", dir},
		{"--map", filepath.Join(dir, "missing.map"), dir},
		{"--amd-conf", filepath.Join(dir, "missing.conf"), dir},
		{"--templates", filepath.Join(dir, "no-such-library"), dir},
		{"--capture-media", t.TempDir(), "--capture-results", "MAYBE", dir},
		{"-", "-"},
	} {
		code, _, errOut := runAnalyze(t, "", args...)
		if code != 2 || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "khompctl: ") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line", args, code, errOut)
		}
	}
}

func TestAnalyzeFormatAndChannel(t *testing.T) {
	dir := t.TempDir()
	// A stereo file: channel 0 silent, channel 1 a 2 s word of noise then
	// silence. Auto must pick channel 1 and say so.
	stereo := stereoWAV(t, 16000)
	f := filepath.Join(dir, "stereo.wav")
	os.WriteFile(f, stereo, 0o644)
	_, out, _ := runAnalyze(t, "", "--json", f)
	l := jsonLines(t, out)[0]
	if field(l, "audio", "channel") != 1.0 || !strings.Contains(fmt.Sprint(field(l, "audio", "channel_note")), "louder") {
		t.Errorf("auto channel: %v", l["audio"])
	}
	_, out, _ = runAnalyze(t, "", "--json", "--channel", "0", f)
	if l := jsonLines(t, out)[0]; field(l, "asterisk", "cause") != "INITIALSILENCE-2500-2500" {
		t.Errorf("--channel 0 (silent) gave %v", field(l, "asterisk", "cause"))
	}
	// A raw µ-law file forced with --format.
	raw := filepath.Join(dir, "call.bin")
	var b bytes.Buffer
	for i := 0; i < 8000*3; i++ {
		b.WriteByte(audio.ULawEncode(0))
	}
	os.WriteFile(raw, b.Bytes(), 0o644)
	code, out, errOut := runAnalyze(t, "", "--json", "--format", "ul", raw)
	if code != 0 {
		t.Fatalf("--format ul: exit %d %s", code, errOut)
	}
	if l := jsonLines(t, out)[0]; l["duration_ms"] != 3000.0 || field(l, "audio", "encoding") != "ulaw" {
		t.Errorf("--format ul: %v %v", l["duration_ms"], l["audio"])
	}
}

// stereoWAV builds a 16-bit stereo WAV at rate: left silent, right a
// 1.5 s burst of noise-like "speech" after 300 ms, then silence.
func stereoWAV(t *testing.T, rate int) []byte {
	t.Helper()
	n := rate * 4
	var data bytes.Buffer
	seed := uint32(1)
	for i := 0; i < n; i++ {
		var r int16
		if ts := float64(i) / float64(rate); ts > 0.3 && ts < 1.8 {
			seed = seed*1664525 + 1013904223
			r = int16(float64(int32(seed>>16)-32768) * 0.2 * math.Abs(math.Sin(2*math.Pi*4*ts)))
		}
		data.Write([]byte{0, 0, byte(r), byte(uint16(r) >> 8)})
	}
	var b bytes.Buffer
	le := func(v uint32, n int) {
		for i := 0; i < n; i++ {
			b.WriteByte(byte(v >> (8 * i)))
		}
	}
	b.WriteString("RIFF")
	le(uint32(36+data.Len()), 4)
	b.WriteString("WAVEfmt ")
	le(16, 4)
	le(1, 2)
	le(2, 2)
	le(uint32(rate), 4)
	le(uint32(rate*4), 4)
	le(4, 2)
	le(16, 2)
	b.WriteString("data")
	le(uint32(data.Len()), 4)
	b.Write(data.Bytes())
	return b.Bytes()
}

func TestAnalyzeEventsAndMap(t *testing.T) {
	dir := parityCopy(t, "02_hello_lead300ms.wav")
	f := filepath.Join(dir, "02_hello_lead300ms.wav")
	mapFile := filepath.Join(dir, "map.txt")
	os.WriteFile(mapFile, []byte("\"Short human answer\" => route.KPSHA.NOANSWER\r\n\"No speech\" => cpdunknown.KPNOSP.NOANSWER\r\n"), 0o644)
	code, out, errOut := runAnalyze(t, "", "--json", "--events", "--map", mapFile, f)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	l := jsonLines(t, out)[0]
	if field(l, "vicidial", "action") != "route" || field(l, "vicidial", "status") != "KPSHA" || field(l, "vicidial", "rule") != "exact" {
		t.Errorf("vicidial: %v", l["vicidial"])
	}
	evs, _ := l["events"].([]any)
	var types []string
	last := -1.0
	for _, e := range evs {
		m := e.(map[string]any)
		types = append(types, m["type"].(string))
		if ts := m["t_ms"].(float64); ts < last {
			t.Errorf("events out of order: %v", evs)
		} else {
			last = ts
		}
	}
	joined := strings.Join(types, ",")
	for _, want := range []string{"voice_start", "voice_end", "asterisk", "cadence", "decision"} {
		if !strings.Contains(joined, want) {
			t.Errorf("events lack %s: %s", want, joined)
		}
	}
	// The shipped map, without a database.
	_, out, _ = runAnalyze(t, "", "--map", "default", f)
	if !strings.Contains(out, "VICIDIAL") || !strings.Contains(out, "route KPSHA NOANSWER") {
		t.Errorf("--map default table:\n%s", out)
	}
}

func TestAnalyzeCaptureMedia(t *testing.T) {
	dir := parityCopy(t, "02_hello_lead300ms.wav", "05_voicemail_lead300ms.wav")
	capDir := filepath.Join(t.TempDir(), "captured")
	code, _, errOut := runAnalyze(t, "", "--json", "--capture-media", capDir, "--capture-results", "MACHINE", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	wavs, _ := filepath.Glob(filepath.Join(capDir, "*.wav"))
	metas, _ := filepath.Glob(filepath.Join(capDir, "*.json"))
	if len(wavs) != 1 || len(metas) != 1 || !strings.Contains(wavs[0], "05_voicemail_lead300ms-") {
		t.Fatalf("captured %v %v, want the voicemail only", wavs, metas)
	}
	s, err := audio.Open(wavs[0], audio.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if in := s.Info(); in.SampleRate != 8000 || in.Frames != 14494*8 {
		t.Errorf("captured audio: %+v", in)
	}
}

func TestAnalyzeDirectoryWalk(t *testing.T) {
	dir := parityCopy(t, "03_hello_at_t0.wav")
	sub := filepath.Join(dir, "b", "c")
	os.MkdirAll(sub, 0o755)
	os.MkdirAll(filepath.Join(dir, ".hidden"), 0o755)
	b, _ := os.ReadFile(filepath.Join(dir, "03_hello_at_t0.wav"))
	os.WriteFile(filepath.Join(sub, "a.WAV"), b, 0o644)
	os.WriteFile(filepath.Join(dir, ".hidden", "x.wav"), b, 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not audio"), 0o644)
	_, out, _ := runAnalyze(t, "", "--json", dir)
	lines := jsonLines(t, out)
	if len(lines) != 2 || lines[0]["file"] != filepath.Join(dir, "03_hello_at_t0.wav") || lines[1]["file"] != filepath.Join(sub, "a.WAV") {
		var got []any
		for _, l := range lines {
			got = append(got, l["file"])
		}
		t.Errorf("walk gave %v", got)
	}
}

// TestAnalyzeMapFromDatabase reads KHOMPSTATUSMAP from a real VICIdial
// database (the test MariaDB) with --map db.
func TestAnalyzeMapFromDatabase(t *testing.T) {
	db := testdb.New(t, testdb.Schema1728)
	db.PutContainer(t, container.StatusMapID, "OTHER", "\"No speech\" => cpdunknown.KPNOSP.NOANSWER\r\n\"Answering machine\" => amdaction.KPAM.AMD")
	dir := parityCopy(t, "01_silence_10s.wav", "05_voicemail_lead300ms.wav")
	code, out, errOut := runAnalyze(t, "", "--dsn", db.DSN, "--json", "--map", "db", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := jsonLines(t, out)
	if field(lines[0], "vicidial", "status") != "KPNOSP" || field(lines[1], "vicidial", "status") != "KPAM" {
		t.Errorf("vicidial: %v / %v", lines[0]["vicidial"], lines[1]["vicidial"])
	}
	if strings.Contains(out+errOut, "khompctl-test") {
		t.Error("the password appeared in the output")
	}
}

// TestAnalyzeTemplatesAndCapture: a library holding a voicemail greeting
// matches the call it came from (template field, conclusion = class,
// pattern = name), and --capture-templates saves the greeting of a MACHINE
// call that matched nothing.
func TestAnalyzeTemplatesAndCapture(t *testing.T) {
	calls := parityCopy(t, "05_voicemail_lead300ms.wav", "vm_intro.wav")
	lib := t.TempDir()
	os.MkdirAll(filepath.Join(lib, "Voice mail"), 0o755)
	b, _ := os.ReadFile(filepath.Join(calls, "05_voicemail_lead300ms.wav"))
	os.WriteFile(filepath.Join(lib, "Voice mail", "Allison mailbox.wav"), b, 0o644)
	captured := filepath.Join(t.TempDir(), "cands")

	code, out, errOut := runAnalyze(t, "", "--json", "--templates", lib, "--capture-templates", captured, calls)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := jsonLines(t, out)
	vm := lines[0]
	if field(vm, "template", "name") != "Allison mailbox" || vm["conclusion"] != "Voice mail" || vm["pattern"] != "Allison mailbox" || vm["result"] != "MACHINE" {
		t.Errorf("template match: %v / %v / %v / %v", vm["template"], vm["result"], vm["conclusion"], vm["pattern"])
	}
	other := lines[1]
	if other["template"] != nil {
		t.Errorf("vm_intro matched a template it is not: %v", other["template"])
	}
	wavs, _ := filepath.Glob(filepath.Join(captured, "*.wav"))
	if other["result"] == "MACHINE" {
		if len(wavs) != 1 || !strings.Contains(filepath.Base(wavs[0]), "vm_intro") {
			t.Errorf("captured %v, want only vm_intro's greeting", wavs)
		}
	} else if len(wavs) != 0 {
		t.Errorf("captured %v for a %v call", wavs, other["result"])
	}
}

func TestAnalyzeProgressOnlyOnTerminal(t *testing.T) {
	dir := parityCopy(t, "02_hello_lead300ms.wav", "01_silence_10s.wav", "03_hello_at_t0.wav")
	ios, out, errOut := testIO("")
	ios.StderrTTY = true
	if code := run(context.Background(), []string{"amd", "analyze", "--json", dir}, ios); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut.String(), "analysing") {
		t.Errorf("no progress bar on a terminal stderr: %q", errOut.String())
	}
	if len(jsonLines(t, out.String())) != 3 {
		t.Errorf("stdout polluted:\n%s", out)
	}
}

func TestAnalyzeInterrupted(t *testing.T) {
	dir := parityCopy(t, "02_hello_lead300ms.wav", "01_silence_10s.wav")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ios, out, _ := testIO("")
	if code := run(ctx, []string{"amd", "analyze", "--json", dir}, ios); code != exitInterrupted {
		t.Fatalf("exit %d, want %d", code, exitInterrupted)
	}
	if out.Len() != 0 {
		t.Errorf("results printed after the interrupt: %s", out)
	}
}

func TestAnalyzeEventsInTable(t *testing.T) {
	dir := parityCopy(t, "02_hello_lead300ms.wav")
	code, out, _ := runAnalyze(t, "", "--events", filepath.Join(dir, "02_hello_lead300ms.wav"))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"02_hello_lead300ms.wav: HUMAN at", "voice_start", "asterisk      HUMAN HUMAN-800-800", "decision"} {
		if !strings.Contains(out, want) {
			t.Errorf("table --events lacks %q:\n%s", want, out)
		}
	}
}

func TestAnalyzeAMDArgs(t *testing.T) {
	dir := parityCopy(t, "09_sil2s_hello.wav")
	f := filepath.Join(dir, "09_sil2s_hello.wav")
	// VICIdial's AMD() line: initial_silence 2000 turns this late hello
	// (2 s of silence first) into MACHINE INITIALSILENCE-2000-2000.
	code, out, errOut := runAnalyze(t, "", "--json", "--amd-args", "AMD(2000,2000,1000,5000,120,50,4,256)", f)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	l := jsonLines(t, out)[0]
	if field(l, "asterisk", "cause") != "INITIALSILENCE-2000-2000" || field(l, "params", "asterisk", "maximum_number_of_words") != 4.0 {
		t.Errorf("--amd-args: %v %v", field(l, "asterisk", "cause"), field(l, "params", "asterisk"))
	}
	// A flag given on its own overrides the arguments.
	_, out, _ = runAnalyze(t, "", "--json", "--amd-args", "2000,2000,1000", "--initial_silence", "2500", f)
	if l := jsonLines(t, out)[0]; field(l, "asterisk", "status") != "HUMAN" || field(l, "asterisk", "cause") != "HUMAN-1000-1000" {
		t.Errorf("flag over --amd-args: %v", l["asterisk"])
	}
	if code, _, _ := runAnalyze(t, "", "--amd-args", "2000,lots", f); code != 2 {
		t.Errorf("bad --amd-args: exit %d, want 2", code)
	}
}

// TestRunOrderedBoundsPending: with the first file slow, the workers do not
// run ahead by more than the window, and the order is kept.
func TestRunOrderedBoundsPending(t *testing.T) {
	files := make([]analyzeInput, 200)
	for i := range files {
		files[i] = analyzeInput{path: fmt.Sprint(i)}
	}
	release := make(chan struct{})
	var mu sync.Mutex
	started, maxAhead := 0, 0
	analyze := func(_ context.Context, in analyzeInput) *analyzed {
		mu.Lock()
		started++
		maxAhead = max(maxAhead, started)
		mu.Unlock()
		if in.path == "0" {
			<-release
		}
		return &analyzed{res: &amd.Result{File: in.path}}
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		close(release)
	}()
	var got []string
	err := runAnalyzeOrdered(context.Background(), files, 2, analyze, func(a *analyzed) error {
		if len(got) == 0 {
			mu.Lock()
			if started > 4*2+16 {
				t.Errorf("%d files started while the first was still pending", started)
			}
			mu.Unlock()
		}
		got = append(got, a.res.File)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range got {
		if f != fmt.Sprint(i) {
			t.Fatalf("result %d is %s", i, f)
		}
	}
	if len(got) != 200 {
		t.Fatalf("%d results", len(got))
	}
}

func TestAnalyzeAnswerAt(t *testing.T) {
	dir := parityCopy(t, "08_sil3s_hello.wav")
	f := filepath.Join(dir, "08_sil3s_hello.wav")
	// From the start, 3 s of silence are Asterisk's INITIALSILENCE; told the
	// answer came 1 s in, it hears 2 s of silence, then the hello: HUMAN.
	_, out, _ := runAnalyze(t, "", "--json", "--profile", "asterisk", f)
	if l := jsonLines(t, out)[0]; field(l, "asterisk", "cause") != "INITIALSILENCE-2500-2500" {
		t.Fatalf("from the start: %v", l["asterisk"])
	}
	code, out, errOut := runAnalyze(t, "", "--json", "--profile", "asterisk", "--answer-at", "1s", f)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	l := jsonLines(t, out)[0]
	if l["answered_at_ms"] != 1000.0 || field(l, "asterisk", "cause") != "HUMAN-800-800" || l["result"] != "HUMAN" {
		t.Errorf("--answer-at 1s: %v %v %v", l["answered_at_ms"], l["result"], l["asterisk"])
	}
	if d := l["decision_ms"].(float64); d < 1000 {
		t.Errorf("decision_ms %v is not in file time", d)
	}
	if code, _, _ := runAnalyze(t, "", "--answer-at", "-2s", f); code != 2 {
		t.Errorf("negative --answer-at: exit %d", code)
	}
}
