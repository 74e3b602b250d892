package tones

import (
	"errors"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/audio"
	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

func TestDbg3(t *testing.T) {
	st, err := audio.Open(os.Getenv("DBG_FILE"), audio.DefaultOptions())
	if err != nil {
		t.Skip()
	}
	a := dsp.NewAnalyzer()
	buf := make([]float32, 4096)
	fn := func(f *dsp.Frame) {
		if f.Index > 150 {
			return
		}
		p := findPeak(f, searchLoBin, searchHiBin)
		fmt.Printf("%d E=%.1f f=%.1f dom=%.1f pur=%.1f\n", f.StartMs(), LevelDBm0(f.Energy), p.freq, p.dominance(), p.purity())
	}
	for {
		n, err := st.Read(buf)
		a.Write(buf[:n], fn)
		if errors.Is(err, io.EOF) {
			break
		}
	}
}
