package tones

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/audio"
	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

func TestDbg(t *testing.T) {
	files, _ := filepath.Glob(os.Getenv("DBG_GLOB"))
	total := 0
	for _, fn := range files {
		st, err := audio.Open(fn, audio.DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		fx, si, be, pr := NewFax(), NewSIT(), NewBeep(), NewProgress()
		a := dsp.NewAnalyzer()
		buf := make([]float32, 4096)
		var end int
		fn2 := func(f *dsp.Frame) { fx.Process(f); si.Process(f); be.Process(f); pr.Process(f); end = f.EndMs() }
		for {
			n, err := st.Read(buf)
			a.Write(buf[:n], fn2)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		a.Flush(fn2)
		be.Flush(end)
		st.Close()
		total += end
		p := pr.State()
		if fx.Result() != nil || si.Result() != nil || len(be.Beeps()) > 0 || p.Ringback || p.Busy {
			fmt.Printf("%s: fax=%+v sit=%+v beeps=%+v prog=%+v\n", filepath.Base(fn), fx.Result(), si.Result(), be.Beeps(), p)
		}
	}
	fmt.Println("total ms", total)
}

func init() {
	debugBeep = func(r *beepRun) {
		n := min(r.n, len(r.freqs))
		lo, hi := 1e9, 0.0
		var es, es2 float64
		a, b := 2, n-2
		if b-a < 3 {
			a, b = 1, n-1
		}
		for i := a; i < b; i++ {
			f := float64(r.freqs[i])
			lo = min(lo, f)
			hi = max(hi, f)
			es += float64(r.energies[i])
			es2 += float64(r.energies[i]) * float64(r.energies[i])
		}
		n = b - a
		m := es / float64(n)
		cv := (es2/float64(n) - m*m)
		if cv > 0 {
			cv = sqrtF(cv) / m
		}
		fmt.Printf("  run n=%d frange=%.1f ecv=%.3f harm=%.1f post=%.1f\n", n, hi-lo, cv, 10*log10(r.harm), 10*log10(r.postE/float64(r.postN)/m))
	}
}

func init() {
	debugBurst = func(b burst, lo, hi float64) {
		fmt.Printf("  burst %d-%d dur=%d dual=%v f=%.1f [%.1f,%.1f] cv=%.2f\n", b.startMs, b.endMs, b.dur(), b.dual, b.freq, lo, hi, b.energyCV)
	}
}
