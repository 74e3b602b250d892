package tones

import (
	"math"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// Beep detection follows the published end-of-greeting beep detectors
// (LumenVox, Genesys CPD, mod_avmd): one steady sinusoid of 300-3400 Hz,
// 70-1500 ms long, reported on its trailing edge once 50 ms of non-tone
// followed it. Multi-tone signals are rejected per frame (a second spectral
// peak within 15 dB: DTMF, busy 480+620, speech harmonics) or per burst
// (frame energy not steady: the 40 Hz beat of 440+480 ringback).
const (
	beepMinHz       = 280.0
	beepMaxHz       = 3450.0
	beepMinMs       = 70
	beepMaxMs       = 1500
	beepHoldFrames  = 5    // 50 ms of non-tone after the trailing edge
	beepBridge      = 3    // a glitch of ≤ 30 ms inside a beep is tolerated...
	beepBadShare    = 0.2  // ...as long as glitches stay ≤ 20 % of the beep
	beepFreqTolHz   = 12.0 // frequency drift allowed from the running mean
	beepEnergyFloor = 0.4  // a frame below 0.4× the burst's peak energy is not the beep
	beepChainMax    = 2    // a run of ≥ 3 back-to-back tones is a SIT or a melody
	// 400-500 Hz single tones may be EU/BR ringback or busy (425 Hz): such a
	// burst is held until no repetition came within progressHoldMs, and a
	// ring-length one heard before any voice is dropped.
	progressLoHz     = 395.0
	progressHiHz     = 500.0
	progressHoldMs   = 700
	progressRingMin  = 600
	voiceBeforeRing  = 300 // ms of voice that make a 425 Hz burst a beep candidate
	beepVoiceDBm0    = -40.0
	beepMinDominance = 31.6 // 15 dB: peak bin over the strongest other bin
	beepMinPurity    = 6.3  // 8 dB: main lobe over the rest of the band
	// burst steadiness (see steady)
	beepMaxSpreadHz   = 4.0
	beepMaxEnergyCV   = 0.1
	beepMaxPost       = 0.25 // -6 dB
	beepShortMs       = 150
	beepShortSpreadHz = 2.0
	beepShortEnergyCV = 0.05
	beepShortPost     = 0.125 // -9 dB
)

var beepVoiceEnergy = energyOfDBm0(beepVoiceDBm0)

// beepRun is the tone burst being followed.
type beepRun struct {
	active     bool
	startFrame int
	lastGood   int     // index of the last frame that matched
	bad        int     // frames bridged inside the burst
	freqMean   float64 // running mean of the per-frame frequency
	maxEnergy  float64
	// per-frame values of the matched frames (a beep is at most 150 frames;
	// a longer burst is not stored, it can never be a beep)
	n        int
	energies [beepMaxMs/dsp.FrameMs + 1]float32
	freqs    [beepMaxMs/dsp.FrameMs + 1]float32
	firstE   float64 // energy of the first frame (a partial onset)
	preE     float64 // energy of the frame before (an onset too short for the spectrum)
	lastE    float64 // energy of the last good frame (a partial offset)
	ending   bool    // the gap exceeded the bridge: waiting for the hold
	harm     float64 // largest harmonicRatio seen
	postE    float64 // energy after the last good frame (the hold)
	postN    int
	chain    int // tones back-to-back before this one, plus one
}

// pendingBeep is a 400-500 Hz burst waiting to prove it is not a cadence.
type pendingBeep struct {
	beep      Beep
	releaseMs int
	valid     bool
}

// BeepDetector finds single-frequency beeps.
type BeepDetector struct {
	run     beepRun
	pending pendingBeep
	beeps   []Beep

	voiceMs       int
	lastRunEndIdx int     // frame index of the last good frame of the previous run
	lastRunChain  int     // chain length of the previous run
	cadenceHz     float64 // a repeating 400-500 Hz tone: ringback/busy, never a beep
	prevE         float64
}

// NewBeep returns a beep detector.
func NewBeep() *BeepDetector { return &BeepDetector{lastRunEndIdx: -100} }

// Beeps returns the beeps reported so far, in order. A beep is appended on
// the frame it becomes certain (its DetectedMs).
func (d *BeepDetector) Beeps() []Beep { return d.beeps }

// Process consumes one frame.
func (d *BeepDetector) Process(f *dsp.Frame) {
	freq, harm, ok := beepFrame(f)
	r := &d.run
	if ok && r.active && f.Energy < beepEnergyFloor*r.maxEnergy {
		ok = false // the decay of the burst (or a faint tone under it), not a new tone
	}
	switch {
	case ok && r.active && !r.ending && d.matches(f, freq) && d.extend(f, freq):
		r.harm = math.Max(r.harm, harm)
	case ok && r.active:
		// Another tone (or this one again) before 50 ms of non-tone: the
		// burst ends chained, which a beep never is.
		d.closeRun(f, true)
		d.startRun(f, freq)
	case ok:
		d.startRun(f, freq)
	case r.active:
		gap := f.Index - r.lastGood
		r.postE += f.Energy
		r.postN++
		if gap > beepBridge {
			r.ending = true
		}
		if r.ending && gap >= beepHoldFrames {
			d.closeRun(f, false)
		}
	}
	if !ok && !r.active && f.Energy >= beepVoiceEnergy {
		d.voiceMs += dsp.FrameMs
	}
	d.releasePending(f.EndMs())
	d.prevE = f.Energy
}

// beepFrame tells whether the frame is dominated by one tone in the beep
// band, and its frequency.
func beepFrame(f *dsp.Frame) (freq, harm float64, ok bool) {
	if f.Energy < minToneEnergy {
		return 0, 0, false
	}
	p := findPeak(f, searchLoBin, searchHiBin)
	if p.freq < beepMinHz || p.freq > beepMaxHz {
		return 0, 0, false
	}
	if p.dominance() < beepMinDominance || p.purity() < beepMinPurity {
		return 0, 0, false
	}
	return p.freq, harmonicRatio(f, p.bin), true
}

// harmonicRatio is the power at the 2nd and 3rd harmonics of the peak bin
// against the peak itself: a voiced sound keeps its harmonics within
// 10-25 dB, a beep (even through G.711 and noise) has none to speak of.
func harmonicRatio(f *dsp.Frame, k int) float64 {
	s := &f.Spectrum
	fund := float64(s[k-1]) + float64(s[k]) + float64(s[k+1])
	var h float64
	for m := 2; m <= 3; m++ {
		c := m * k
		if c+1 >= dsp.Bins {
			break
		}
		h += float64(s[c-1]) + float64(s[c]) + float64(s[c+1])
	}
	return h / fund
}

func (d *BeepDetector) matches(f *dsp.Frame, freq float64) bool {
	r := &d.run
	if math.Abs(freq-r.freqMean) > math.Max(beepFreqTolHz, 0.01*r.freqMean) {
		return false
	}
	// Steady amplitude: the beat of a dual tone makes 10 ms energies swing.
	return f.Energy >= beepEnergyFloor*r.maxEnergy && f.Energy*beepEnergyFloor <= r.maxEnergy
}

func (d *BeepDetector) startRun(f *dsp.Frame, freq float64) {
	chain := 1
	if f.Index-d.lastRunEndIdx <= beepHoldFrames {
		chain = d.lastRunChain + 1
	}
	d.run = beepRun{
		active: true, startFrame: f.Index, lastGood: f.Index,
		freqMean: freq, maxEnergy: f.Energy, firstE: f.Energy, lastE: f.Energy, preE: d.prevE, chain: chain,
	}
	d.addCore(f, freq)
}

func (d *BeepDetector) extend(f *dsp.Frame, freq float64) bool {
	r := &d.run
	gap := f.Index - r.lastGood - 1
	if float64(r.bad+gap) > beepBadShare*float64(f.Index-r.startFrame+1) {
		return false
	}
	r.bad += gap
	r.lastGood = f.Index
	r.lastE = f.Energy
	n := f.Index - r.startFrame + 1 - r.bad
	r.freqMean += (freq - r.freqMean) / float64(min(n, 8))
	if f.Energy > r.maxEnergy {
		r.maxEnergy = f.Energy
	}
	d.addCore(f, freq)
	return true
}

// addCore records a matched frame.
func (d *BeepDetector) addCore(f *dsp.Frame, freq float64) {
	r := &d.run
	if r.n < len(r.energies) {
		r.energies[r.n] = float32(f.Energy)
		r.freqs[r.n] = float32(freq)
	}
	r.n++
}

// core averages frequency and energy over the frames within 0.7× of the
// burst's peak energy, leaving out onset and decay frames.
func (r *beepRun) core() (freq, energy float64, ok bool) {
	if r.n > len(r.energies) {
		return 0, 0, false
	}
	var n int
	for i := 0; i < r.n; i++ {
		if float64(r.energies[i]) >= 0.7*r.maxEnergy {
			freq += float64(r.freqs[i])
			energy += float64(r.energies[i])
			n++
		}
	}
	if n == 0 {
		return 0, 0, false
	}
	return freq / float64(n), energy / float64(n), true
}

// steady is the burst-level test that separates a generated beep from a
// vowel whose one harmonic happened to dominate for a moment: over the
// burst's inner frames the frequency stays within a few Hz and the level
// within 10 %, and the 50 ms after it are at least 6 dB quieter (a beep is
// followed by the recording's silence, a vowel by more speech). Short
// bursts (< 150 ms), where a vowel is most easily mistaken, must be steadier
// and followed by a clearer drop. Measured on the 21 minutes of Asterisk
// prompts (no false beep) against beeps in 10 dB SNR noise after G.711
// (frequency spread ≤ 3.4 Hz, level CV ≤ 0.08, drop ≥ 10 dB).
func (r *beepRun) steady(meanE float64) bool {
	n := min(r.n, len(r.freqs))
	a, b := 2, n-2
	if b-a < 3 {
		a, b = 1, n-1
	}
	if b-a < 1 {
		return false
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	var es, es2 float64
	for i := a; i < b; i++ {
		f, e := float64(r.freqs[i]), float64(r.energies[i])
		lo, hi = math.Min(lo, f), math.Max(hi, f)
		es += e
		es2 += e * e
	}
	m := es / float64(b-a)
	cv := math.Sqrt(math.Max(es2/float64(b-a)-m*m, 0)) / m
	post := 0.0
	if r.postN > 0 {
		post = r.postE / float64(r.postN) / meanE
	}
	spread, maxCV, maxPost := beepMaxSpreadHz, beepMaxEnergyCV, beepMaxPost
	if n*dsp.FrameMs < beepShortMs {
		spread, maxCV, maxPost = beepShortSpreadHz, beepShortEnergyCV, beepShortPost
	}
	return hi-lo <= spread && cv <= maxCV && post <= maxPost
}

// closeRun ends the current burst; chained says another tone followed it
// within 50 ms (then it is never a beep: a beep ends in non-tone).
func (d *BeepDetector) closeRun(f *dsp.Frame, chained bool) {
	r := &d.run
	r.active = false
	d.lastRunEndIdx = r.lastGood
	d.lastRunChain = r.chain
	if chained || r.chain > beepChainMax {
		return
	}
	freq, meanE, ok := r.core()
	if !ok || !r.steady(meanE) {
		return
	}
	// The first and last frames hold the tone only partly: their energy
	// against the burst's mean says how many of their 10 ms it covered.
	startMs := onsetMs(r.startFrame, r.preE, r.firstE, meanE)
	endMs := r.lastGood*dsp.FrameMs + fracMs(r.lastE, meanE)
	b := Beep{
		FreqHz:     freq,
		StartMs:    startMs,
		EndMs:      endMs,
		DetectedMs: f.EndMs(),
		LevelDB:    LevelDBm0(meanE),
	}
	if b.DurMs() < beepMinMs || b.DurMs() > beepMaxMs {
		return
	}
	if debugBeep != nil {
		debugBeep(r)
	}
	d.offer(b)
}

// onsetMs estimates when a burst began: its first matched frame may hold
// the tone only partly, and the frame before it may hold a few ms of tone
// that were too short for the spectrum to recognise. (A chained tone before
// it counts fully in pre; callers only use this after non-tone.)
func onsetMs(first int, preE, firstE, meanE float64) int {
	ms := (first+1)*dsp.FrameMs - fracMs(firstE, meanE)
	if fracMs(firstE, meanE) == dsp.FrameMs && preE < 1.2*meanE {
		ms -= fracMs(preE, meanE)
	}
	return ms
}

// fracMs converts a partial frame's energy into the milliseconds of tone it
// holds (0-10).
func fracMs(e, full float64) int {
	if full <= 0 {
		return 0
	}
	return int(math.Round(float64(dsp.FrameMs) * math.Min(1, e/full)))
}

// offer applies the progress-tone exclusion and reports or holds the beep.
func (d *BeepDetector) offer(b Beep) {
	inProgressBand := b.FreqHz >= progressLoHz && b.FreqHz <= progressHiHz
	if !inProgressBand {
		d.beeps = append(d.beeps, b)
		return
	}
	if d.pending.valid && math.Abs(d.pending.beep.FreqHz-b.FreqHz) < 20 {
		// The same low tone again within the hold: a cadence.
		d.cadenceHz = b.FreqHz
		d.pending.valid = false
		return
	}
	if d.cadenceHz > 0 && math.Abs(d.cadenceHz-b.FreqHz) < 20 {
		return
	}
	if b.DurMs() >= progressRingMin && d.voiceMs < voiceBeforeRing {
		return // a ring before anyone spoke
	}
	d.pending = pendingBeep{beep: b, releaseMs: b.EndMs + progressHoldMs, valid: true}
}

func (d *BeepDetector) releasePending(nowMs int) {
	p := &d.pending
	if !p.valid || nowMs < p.releaseMs {
		return
	}
	if d.run.active && math.Abs(d.run.freqMean-p.beep.FreqHz) < 20 {
		// The tone is back: a cadence in progress.
		d.cadenceHz = p.beep.FreqHz
		p.valid = false
		return
	}
	p.valid = false
	b := p.beep
	b.DetectedMs = nowMs
	d.beeps = append(d.beeps, b)
}

// Flush reports a beep still waiting for its trailing silence or for the
// end of its cadence hold at the end of the audio (endMs).
func (d *BeepDetector) Flush(endMs int) {
	if d.run.active && d.run.chain <= beepChainMax {
		f := dsp.Frame{Index: endMs/dsp.FrameMs - 1}
		d.closeRun(&f, false)
	}
	if d.pending.valid {
		d.releasePending(math.MaxInt32)
		if n := len(d.beeps); n > 0 {
			d.beeps[n-1].DetectedMs = endMs
		}
	}
}

var debugBeep func(r *beepRun)
