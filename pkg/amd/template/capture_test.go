package template

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/audio"
)

// TestReadGreetingWindow: the greeting window starts LeadMs before the
// voice (given, or found after the answer point) and is at most
// MaxGreetingMs long.
func TestReadGreetingWindow(t *testing.T) {
	tone := make([]float32, 8000*12)
	for i := range tone {
		tone[i] = float32(3000 * sinHz(700, i))
	}
	audio := concat(silence(2000), tone) // "voice" from 2000 ms, 12 s long
	cases := []struct {
		name              string
		voice, answer     int
		wantStart, wantMs int
	}{
		{"onset found", -1, -1, 1900, 8000},
		{"voice given", 2500, -1, 2400, 8000},
		{"answer after the onset", -1, 5000, 5000, 8000},
		{"answer near the end", -1, 13000, 13000, 1000},
	}
	for _, c := range cases {
		start, got, err := readGreeting(&sliceReader{audio}, Candidate{VoiceStartMs: c.voice, AnsweredAtMs: c.answer}, 8000, 100)
		if err != nil || start != c.wantStart || len(got)/8 != c.wantMs {
			t.Errorf("%s: start %d, %d ms, %v; want %d, %d ms", c.name, start, len(got)/8, err, c.wantStart, c.wantMs)
		}
	}
	if start, got, _ := readGreeting(&sliceReader{silence(5000)}, Candidate{VoiceStartMs: -1, AnsweredAtMs: -1}, 8000, 100); got != nil || start != 0 {
		t.Errorf("silence: %d, %d samples", start, len(got))
	}
	c := &Capture{Dir: t.TempDir()}
	if p, err := c.Save(&sliceReader{concat(silence(500), tone[:4000])}, Candidate{Result: "MACHINE", VoiceStartMs: -1, AnsweredAtMs: -1}); p != "" || err != nil {
		t.Errorf("a 0.6 s greeting was saved: %q %v", p, err)
	}
}

// TestSaveFile: the greeting is cut from the recording file as amd
// analyze read it, with a sidecar; non-candidates are not read at all.
func TestSaveFile(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "call 1.wav")
	writeWAVFile(t, src, concat(silence(1200), prompt(t, "en/vm-nobodyavail")))
	c := &Capture{Dir: filepath.Join(dir, "captured")}
	wav, err := c.SaveFile(src, audio.DefaultOptions(), Candidate{Source: src, Result: "MACHINE", Conclusion: "Voice mail", VoiceStartMs: -1, AnsweredAtMs: -1})
	if err != nil || !strings.HasPrefix(filepath.Base(wav), "call_1-") {
		t.Fatalf("SaveFile: %q %v", wav, err)
	}
	var sc Sidecar
	data, err := os.ReadFile(strings.TrimSuffix(wav, ".wav") + ".json")
	if err != nil || json.Unmarshal(data, &sc) != nil || sc.Class != "Voice mail" || sc.StartMs < 1100 || sc.StartMs > 1500 || sc.Source != src {
		t.Errorf("sidecar %s %v", data, err)
	}
	for _, cand := range []Candidate{{Result: "HUMAN"}, {Result: "MACHINE", Matched: true}} {
		if p, err := c.SaveFile(filepath.Join(dir, "missing.wav"), audio.DefaultOptions(), cand); p != "" || err != nil {
			t.Errorf("%+v: %q %v", cand, p, err)
		}
	}
	if _, err := c.SaveFile(filepath.Join(dir, "missing.wav"), audio.DefaultOptions(), Candidate{Result: "MACHINE"}); err == nil {
		t.Error("missing file: no error")
	}
}
