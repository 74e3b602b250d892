package tones

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/audio"
	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

func TestDbg(t *testing.T) {
	for _, fn := range strings.Fields(os.Getenv("DBG_FILES")) {
		st, err := audio.Open(fn, audio.DefaultOptions())
		if err != nil {
			t.Skip()
		}
		d := NewBeep()
		d.trace = func(f string, a ...any) {
			s := fmt.Sprintf(f, a...)
			fmt.Println("CAND", fn, s)
		}
		a := dsp.NewAnalyzer()
		buf := make([]float32, 4096)
		var end int
		h := func(f *dsp.Frame) {
			d.Process(f)
			end = f.EndMs()
		}
		for {
			n, err := st.Read(buf)
			a.Write(buf[:n], h)
			if errors.Is(err, io.EOF) {
				break
			}
		}
		d.Flush(end)
		st.Close()
	}
}
