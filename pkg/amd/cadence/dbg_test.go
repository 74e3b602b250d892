package cadence

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/khompctl/khompctl/internal/corpus"
	"github.com/khompctl/khompctl/pkg/amd/audio"
	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

func TestDebugFile(t *testing.T) {
	files := os.Getenv("DBG_FILES")
	if files == "" {
		t.Skip()
	}
	for _, path := range strings.Split(files, ",") {
		st, err := audio.Open(path, audio.Options{Channel: -1})
		if err != nil {
			t.Fatal(err)
		}
		c := New(DefaultParams())
		var mask ToneMask
		an := dsp.NewAnalyzer()
		var line strings.Builder
		fn := func(f *dsp.Frame) {
			tn := mask.Process(f)
			c.Process(f, tn)
			if f.Index < 800 {
				ch := "."
				switch c.history[f.Index%historyFrames] {
				case classVoice:
					ch = "V"
				case classTone:
					ch = "T"
				}
				if f.Index%10 == 0 {
					fmt.Fprintf(&line, "\n%5d lvl %5.1f fl %5.1f ", f.EndMs(), c.vad.levelDB, c.vad.floorDB())
				}
				line.WriteString(ch)
			}
		}
		buf := make([]float32, 4000)
		for {
			n, err := st.Read(buf)
			an.Write(buf[:n], fn)
			if errors.Is(err, io.EOF) {
				break
			}
		}
		st.Close()
		t.Logf("%s: %+v segs %v%s", path, c.Decision(), c.Segments(), line.String())
	}
}

func TestDebugDir(t *testing.T) {
	dir := os.Getenv("DBG_DIR")
	if dir == "" { t.Skip() }
	res := runCorpus(t, dir, DefaultParams(), func(l corpus.Label) bool { return l.Label == "HUMAN" || l.Label == "MACHINE" || l.Label == "SILENCE" })
	conf := map[string]map[string]int{}
	for _, o := range res {
		if conf[o.label.Label] == nil { conf[o.label.Label] = map[string]int{} }
		conf[o.label.Label][o.d.Result]++
		if o.d.Result != o.label.Label { t.Logf("%s want %s got %s %s %+v [%s]", o.label.File, o.label.Label, o.d.Result, o.d.Cause, o.d.Stats, o.label.Notes) }
	}
	t.Logf("\n%s", confusion(conf))
}
