package tones

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/audio"
	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

func TestDbg2(t *testing.T) {
	fn := os.Getenv("DBG_FILE")
	hz, _ := strconv.ParseFloat(os.Getenv("DBG_HZ"), 64)
	st, err := audio.Open(fn, audio.DefaultOptions())
	if err != nil {
		t.Skip()
	}
	a := dsp.NewAnalyzer()
	buf := make([]float32, 4096)
	h := func(f *dsp.Frame) {
		v := view(f)
		p := &v.p
		near := math.Abs(p.freq-hz) < 0.03*hz
		if near {
			fr, ok := beepFrame(&v)
			fmt.Printf("%d E=%.1f f=%.1f dom=%.1f pur=%.1f ok=%v %.1f\n", f.StartMs(), LevelDBm0(f.Energy), p.freq, 10*math.Log10(p.dominance()), 10*math.Log10(p.purity()), ok, fr)
		}
	}
	for {
		n, err := st.Read(buf)
		a.Write(buf[:n], h)
		if errors.Is(err, io.EOF) {
			break
		}
	}
}
