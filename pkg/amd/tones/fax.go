package tones

import (
	"math"
	"math/cmplx"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// Fax and modem tones (ITU-T T.30, V.25, V.8, V.21; Bell 103):
//
//	CNG     1100±38 Hz, 0.5 s on / 3 s off          report after 420 ms of tone
//	CED/ANS 2100±15 Hz, 2.6-4 s                      report after 550 ms
//	ANS/    2100 Hz, 180° phase reversal every 450±25 ms: two good cycles
//	ANSam   2100 Hz, 15 Hz AM at 20 % depth          decided at 550 ms
//	BELL    2225±15 Hz                               report after 550 ms
//	V.21 ch2 HDLC flags (0x7E) at 300 bit/s, 1650/1850 Hz: 5 back-to-back flags
//
// A frame belongs to a tone when the spectrum shows one dominant peak
// (15 dB over any other bin, 6 dB over the rest of the band: a tone at
// 10 dB SNR in white noise passes, speech and chords do not) within the
// tolerance of a target, and the tone's frequency stays within 10 Hz of
// its running mean (vibrato whistles and sung notes wander more).
type faxTarget struct {
	signal string
	hz     float64
	tolHz  float64
}

var faxTargets = [...]faxTarget{
	{"CNG", 1100, 38},
	{"CED", 2100, 21},
	{"BELL2225", 2225, 21},
}

const (
	tgtNone = -1
	tgtCNG  = 0
	tgtANS  = 1
	tgtBell = 2

	faxMinDominance = 31.6 // 15 dB
	faxMinPurity    = 4.0  // 6 dB
	faxStableHz     = 10.0
	faxBridgeFrames = 4 // spectral glitches bridged while the energy holds (a phase reversal smears 3 frames)
	faxEnergyBand   = 0.5

	cngReportMs = 420
	ansReportMs = 550
	// A reversal cycle is good at 450±25 ms; with 10 ms frames and the
	// reversal landing in either of two frames, accept 380-520 ms.
	prCycleMinFrames = 38
	prCycleMaxFrames = 52
	prGoodCycles     = 2
	amMinDepth       = 0.1 // ANSam is 0.2; a steady tone in noise measures < 0.03
	amHz             = 15.0
)

// faxRun follows one candidate tone.
type faxRun struct {
	active     bool
	target     int
	startFrame int
	lastGood   int
	onsetMs    int
	freqMean   float64
	nGood      int
	eSum       float64
	nFrames    int

	// 2100 Hz only: phase reversals and 15 Hz AM.
	phase      phaseTracker
	reversals  int
	lastRevIdx int
	goodCycles int
	amSum      complex128 // Σ a·w
	amW        complex128 // Σ w, to remove the mean's leakage
	amA        float64    // Σ a
	amN        int
	reported   bool
}

// FaxDetector detects fax and modem signals.
type FaxDetector struct {
	run       faxRun
	v21       v21Detector
	prevE     float64
	e         float64 // DC-free energy of the frame being processed (acEnergy)
	dc        float64 // and its mean, which the V.21 demodulator removes
	res       *Fax
	resRun    bool // the current run is the reported one: keep its duration up to date
	cngBursts int
}

// NewFax returns a fax/modem detector.
func NewFax() *FaxDetector { return &FaxDetector{v21: newV21()} }

// Result returns the first signal detected, nil until one is certain. After
// a 2100 Hz detection the result keeps being refined while the tone lasts
// (CED becomes ANS_PR when reversals follow; PhaseReversals and AMDepth
// grow), but StartMs and DetectedMs never change.
func (d *FaxDetector) Result() *Fax { return d.res }

// Process consumes one frame.
func (d *FaxDetector) Process(f *dsp.Frame) {
	v := view(f)
	d.process(f, &v)
}

func (d *FaxDetector) process(f *dsp.Frame, v *frameView) {
	d.e, d.dc = v.e, v.dc
	defer func() { d.prevE = d.e }()
	if !v.loud {
		if d.run.active {
			d.endRun(f)
		}
		d.v21.idle()
		return
	}
	p := &v.p
	if d.res == nil || d.res.Signal != "V21" {
		d.v21.process(f, p, d)
	}
	d.toneFrame(f, p)
}

func (d *FaxDetector) toneFrame(f *dsp.Frame, p *peak) {
	tgt := tgtNone
	if p.dominance() >= faxMinDominance && p.purity() >= faxMinPurity {
		tgt = targetOf(p.freq)
	}
	r := &d.run
	if r.active {
		switch {
		case tgt == r.target && math.Abs(p.freq-r.freqMean) <= faxStableHz && d.energyHolds(f):
			d.extend(f, p.freq, true)
			return
		case f.Index-r.lastGood <= faxBridgeFrames && d.energyHolds(f):
			d.extend(f, 0, false)
			return
		}
		d.endRun(f)
	}
	if tgt != tgtNone {
		d.startRun(f, tgt, p.freq)
	}
}

func targetOf(hz float64) int {
	for i, t := range faxTargets {
		if math.Abs(hz-t.hz) <= t.tolHz {
			return i
		}
	}
	return tgtNone
}

func (d *FaxDetector) energyHolds(f *dsp.Frame) bool {
	mean := d.run.eSum / float64(d.run.nFrames)
	return d.e >= faxEnergyBand*mean && d.e*faxEnergyBand <= mean
}

func (d *FaxDetector) startRun(f *dsp.Frame, tgt int, freq float64) {
	d.resRun = false
	d.run = faxRun{active: true, target: tgt, startFrame: f.Index, lastGood: f.Index,
		freqMean: freq, nGood: 1, eSum: d.e, nFrames: 1, lastRevIdx: -1}
	// The frame before may already hold the onset (too short for the
	// spectrum): count it in proportion to its energy.
	d.run.onsetMs = f.StartMs()
	if d.prevE < 1.2*d.e {
		d.run.onsetMs -= fracMs(d.prevE, d.e)
	}
	if tgt == tgtANS {
		d.run.phase.step(goertzel2100(f.Samples))
		d.addAM(f)
	}
}

func (d *FaxDetector) extend(f *dsp.Frame, freq float64, good bool) {
	r := &d.run
	r.nFrames++
	r.eSum += d.e
	if d.resRun {
		d.res.DurMs = f.EndMs() - r.onsetMs
	}
	if good {
		r.lastGood = f.Index
		r.nGood++
		r.freqMean += (freq - r.freqMean) / float64(min(r.nGood, 10))
	}
	switch r.target {
	case tgtCNG:
		if f.EndMs()-r.onsetMs >= cngReportMs {
			d.report(f, "CNG")
		}
	case tgtBell:
		if f.EndMs()-r.onsetMs >= ansReportMs {
			d.report(f, "BELL2225")
		}
	case tgtANS:
		d.ansFrame(f)
	}
}

// ansFrame runs the phase-reversal and AM analysis of a 2100 Hz tone and
// decides between CED, ANS_PR and ANSAM.
func (d *FaxDetector) ansFrame(f *dsp.Frame) {
	r := &d.run
	d.addAM(f)
	if r.phase.step(goertzel2100(f.Samples)) {
		cycle := f.Index - r.lastRevIdx
		if r.lastRevIdx < 0 {
			cycle = f.EndMs()/dsp.FrameMs - r.onsetMs/dsp.FrameMs
		}
		if cycle >= prCycleMinFrames && cycle <= prCycleMaxFrames {
			r.goodCycles++
		}
		r.reversals++
		r.lastRevIdx = f.Index
	}
	sinceRev := f.EndMs() - r.onsetMs
	if r.lastRevIdx >= 0 {
		sinceRev = (f.Index - r.lastRevIdx) * dsp.FrameMs
	}
	switch {
	case r.goodCycles >= prGoodCycles:
		d.report(f, d.ansSignal(true))
	case sinceRev >= ansReportMs:
		d.report(f, d.ansSignal(false))
	}
	d.refine()
}

func (d *FaxDetector) ansSignal(reversing bool) string {
	switch {
	case d.amDepth() >= amMinDepth:
		return "ANSAM"
	case reversing:
		return "ANS_PR"
	}
	return "CED"
}

// addAM accumulates the 15 Hz component of the frame amplitude envelope.
func (d *FaxDetector) addAM(f *dsp.Frame) {
	r := &d.run
	a := math.Sqrt(d.e)
	w := amTable[r.amN%len(amTable)]
	r.amSum += complex(a, 0) * w
	r.amW += w
	r.amA += a
	r.amN++
}

// amTable is e^{-j2π·15·n/100}: 15 Hz sampled by 10 ms frames has a period
// of 20 frames.
var amTable = func() (t [20]complex128) {
	for n := range t {
		t[n] = cmplx.Exp(complex(0, -2*math.Pi*amHz*float64(n)*dsp.FrameMs/1000))
	}
	return t
}()

func (d *FaxDetector) amDepth() float64 {
	r := &d.run
	if r.amN < 20 || r.amA <= 0 {
		return 0
	}
	mean := r.amA / float64(r.amN)
	c := r.amSum - complex(mean, 0)*r.amW
	return 2 * cmplx.Abs(c) / r.amA
}

func (d *FaxDetector) report(f *dsp.Frame, signal string) {
	r := &d.run
	if r.reported {
		return
	}
	r.reported = true
	if signal == "CNG" {
		d.cngBursts++
		if d.res != nil && d.res.Signal == "CNG" {
			d.res.Bursts = d.cngBursts
		}
	}
	if d.res != nil {
		return // an earlier signal already won
	}
	d.res = &Fax{
		Signal:     signal,
		StartMs:    r.onsetMs,
		DetectedMs: f.EndMs(),
		FreqHz:     math.Round(r.freqMean*10) / 10,
		LevelDB:    math.Round(LevelDBm0(r.eSum/float64(r.nFrames))*10) / 10,
		DurMs:      f.EndMs() - r.onsetMs,
	}
	if signal == "CNG" {
		d.res.Bursts = d.cngBursts
	}
	d.resRun = true
	d.refine()
}

// refine keeps a reported 2100 Hz result up to date while the tone lasts.
func (d *FaxDetector) refine() {
	r := &d.run
	if !d.resRun || r.target != tgtANS {
		return
	}
	d.res.PhaseReversals = r.reversals
	d.res.AMDepth = math.Round(d.amDepth()*100) / 100
	if d.res.Signal == "CED" && r.goodCycles >= prGoodCycles {
		d.res.Signal = d.ansSignal(true)
	}
	d.res.FreqHz = math.Round(r.freqMean*10) / 10
}

// endRun closes the current tone. A 2100 Hz tone that was waiting for a
// second reversal but lasted ≥ 550 ms is reported as CED when it ends.
func (d *FaxDetector) endRun(f *dsp.Frame) {
	r := &d.run
	if r.target == tgtANS && !r.reported && (r.lastGood+1)*dsp.FrameMs-r.onsetMs >= ansReportMs {
		d.report(f, d.ansSignal(false))
	}
	r.active = false
}

// goertzel2100 is the 80-point DFT of the frame at 2100 Hz: exactly 21
// cycles per frame, so the phase reference is the same in every frame and a
// steady tone gives a steady phase.
func goertzel2100(x []float32) complex128 {
	var re, im float64
	for i, v := range x {
		re += float64(v) * ans80Cos[i]
		im -= float64(v) * ans80Sin[i]
	}
	return complex(re, im)
}

var ans80Cos, ans80Sin = func() (c, s [dsp.FrameSamples]float64) {
	for i := range c {
		w := 2 * math.Pi * 2100 * float64(i) / dsp.SampleRate
		c[i], s[i] = math.Cos(w), math.Sin(w)
	}
	return
}()

// phaseTracker finds 180° phase jumps in a sequence of per-frame phasors.
// The frame-to-frame rotation of a steady tone is constant (zero at exactly
// 2100 Hz, up to ±0.9 rad per frame at ±15 Hz); it is learnt as ref, and a
// jump shows as a rotation ≈ π away from it, in one frame or split over two
// (when the reversal falls mid-frame the two halves cancel and the phase of
// that frame is arbitrary, but the two rotations still add up to π).
type phaseTracker struct {
	prev       complex128
	havePrev   bool
	ref        complex128
	prevDev    float64
	refractory int
}

func (t *phaseTracker) step(x complex128) (reversal bool) {
	if !t.havePrev {
		t.prev, t.havePrev = x, true
		return false
	}
	q := x * cmplx.Conj(t.prev)
	t.prev = x
	mag := cmplx.Abs(q)
	if mag == 0 {
		return false
	}
	q /= complex(mag, 0)
	if t.ref == 0 {
		t.ref = q
		return false
	}
	dev := cmplx.Phase(q * cmplx.Conj(t.ref))
	if t.refractory > 0 {
		t.refractory--
		t.prevDev = 0
		t.learn(q, dev)
		return false
	}
	if math.Abs(dev) > 2.2 || math.Abs(dev+t.prevDev) > 2.2 {
		t.refractory = 3
		t.prevDev = 0
		return true
	}
	t.prevDev = dev
	t.learn(q, dev)
	return false
}

func (t *phaseTracker) learn(q complex128, dev float64) {
	if math.Abs(dev) > 0.5 {
		return
	}
	r := 0.7*t.ref + 0.3*q
	if m := cmplx.Abs(r); m > 0 {
		t.ref = r / complex(m, 0)
	}
}
