package tones

import (
	"math"
	"slices"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// Beep detection follows the published end-of-greeting beep detectors
// (LumenVox, Genesys CPD, mod_avmd): one steady sinusoid of 300-3400 Hz,
// 70-1500 ms long, reported on its trailing edge once 50 ms of non-tone
// followed it. What is not a beep:
//   - several tones at once, rejected per frame (a second spectral peak
//     within 15 dB: DTMF, busy 480+620, the harmonics of a vowel), or per
//     burst when they merge into one beating lobe (the 10 ms energies of
//     440+480 ringback swing with its 40 Hz beat);
//   - a vowel whose one harmonic dominated for a while: its frequency and
//     level are not steady enough (see steady);
//   - a tone in a sequence of ≥ 3 back-to-back tones (a SIT, a melody), or
//     followed by another tone within 50 ms;
//   - a 400-500 Hz tone that repeats with a ringback or busy cadence, or a
//     ring-length one before anyone spoke (EU/BR 425 Hz ringback is a single
//     tone: it is told apart by its repetition, which delays the report of
//     a beep in that band by 700 ms).
const (
	beepMinHz       = 280.0
	beepMaxHz       = 3450.0
	beepMinMs       = 70
	beepMaxMs       = 1500
	beepDurSlackMs  = 10 // the measured duration is good to ±10 ms (70 ms beeps measure 63-75)
	beepHistFrames  = 16 // frame energies kept for the lead-in and onset
	beepLeadFrom    = 8  // the lead-in is frames start-8 .. start-3 (30-80 ms before)
	beepLeadTo      = 3
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
	beepRepeatFrames = 10  // a repetition counts once it has lasted 100 ms
	beepMinStrong    = 3   // frames at full strength a beep needs
	voiceBeforeRing  = 300 // ms of voice that make a 425 Hz burst a beep candidate
	beepVoiceDBm0    = -40.0
	beepMinDominance = 31.6 // 15 dB: peak bin over the strongest other bin
	beepMinPurity    = 3.16 // 5 dB: main lobe over the rest of the band
	// a burst already started continues on weaker frames
	beepHoldDominance = 10.0 // 10 dB
	beepHoldPurity    = 2.0  // 3 dB
	// burst steadiness (see the table at steady)
	beepMaxSpreadHz       = 4.0
	beepMaxLevelCV        = 0.1
	beepMaxPost           = 0.25 // -6 dB
	beepShortMs           = 150
	beepShortSpreadHz     = 2.5
	beepShortLevelCV      = 0.1
	beepShortPost         = 0.16 // -8 dB
	beepVoiceZoneHz       = 520.0
	beepVoiceZoneLowHz    = 480.0 // below: the zone's terms even out of silence
	beepIsolated          = 0.01  // -20 dB: lead-in and tail of a beep out of silence
	beepVoiceZoneMs       = 100
	beepVoiceZoneSpreadHz = 1.5
	beepVoiceZoneCV       = 0.06
	beepMaxLeadIn         = 0.1 // -10 dB
	beepMidLevelCV        = 0.07
	beepMidPost           = 0.2  // -7 dB
	beepMidLeadIn         = 0.25 // -6 dB
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
	n           int
	energies    [beepMaxMs/dsp.FrameMs + 1]float32
	freqs       [beepMaxMs/dsp.FrameMs + 1]float32
	lobes       [beepMaxMs/dsp.FrameMs + 1]float32 // the tone's spectral power (less disturbed by noise than Energy)
	strong      [beepMaxMs/dsp.FrameMs + 1]bool
	scratch     [beepMaxMs/dsp.FrameMs + 1]float32 // for innerSpread's sort
	weak        int                                // frames kept on the hold thresholds only, after the first strong one
	nStrong     int                                // frames that passed the start thresholds
	firstStrong int                                // index of the first of them
	firstE      float64                            // energy of the first frame (a partial onset)
	preE        float64                            // energy of the frame before (an onset too short for the spectrum)
	pre2E       float64                            // ... and of the one before that
	lastE       float64                            // energy of the last good frame (a partial offset)
	nextE       float64                            // energy of the frame after it (the last ms of the tone, too short for the spectrum)
	ending      bool                               // the gap exceeded the bridge: waiting for the hold
	lead        float64                            // leadIn at the start
	postE       float64                            // energy after the last good frame (the hold)
	postN       int
	chain       int // tones back-to-back before this one, plus one
}

// pendingBeep is a 400-500 Hz burst waiting to prove it is not a cadence.
// One repetition soon after it may be a double beep (two short beeps,
// 100-300 ms apart, that many voicemails play): it is held too, and both
// are beeps unless a third burst follows (busy, reorder).
type pendingBeep struct {
	beep      Beep
	second    Beep
	paired    bool
	releaseMs int
	valid     bool
}

// doubleBeepGapMs: the longest gap between the two beeps of a double beep
// (busy tones have ≥ 250 ms gaps but come back a third time).
const doubleBeepGapMs = 400

// canPair reports whether b may be the second beep of a double beep.
func (p *pendingBeep) canPair(b Beep) bool {
	return !p.paired && b.StartMs-p.beep.EndMs <= doubleBeepGapMs
}

// BeepDetector finds single-frequency beeps.
type BeepDetector struct {
	run     beepRun
	pending pendingBeep
	beeps   []Beep

	voiceMs       int
	lastRunEndIdx int         // frame index of the last good frame of the previous run
	lastRunChain  int         // chain length of the previous run
	cadenceHz     float64     // a repeating 400-500 Hz tone: ringback/busy, never a beep
	periodic      pendingBeep // a tone repeating with a ringback period (any frequency)
	recent        [6]Beep     // the last tone bursts, beeps or not
	withdrawn     []Beep
	ringHz        float64 // the tone of a ring heard before any voice
	prevE         float64
	e             float64                 // DC-free energy of the frame being processed (acEnergy)
	hist          [beepHistFrames]float32 // energies of the last frames, by index mod beepHistFrames
}

// NewBeep returns a beep detector.
func NewBeep() *BeepDetector { return &BeepDetector{lastRunEndIdx: -100} }

// Beeps returns the beeps reported so far, in order. A beep is appended on
// the frame it becomes certain (its DetectedMs).
func (d *BeepDetector) Beeps() []Beep { return d.beeps }

// Process consumes one frame.
func (d *BeepDetector) Process(f *dsp.Frame) {
	v := view(f)
	d.process(f, &v)
}

func (d *BeepDetector) process(f *dsp.Frame, v *frameView) {
	d.e = v.e
	freq, strength := beepFrame(v)
	r := &d.run
	if strength > toneNone && r.active && d.e < beepEnergyFloor*r.maxEnergy {
		strength = toneNone // the decay of the burst (or a faint tone under it), not a new tone
	}
	ok := strength == toneStrong
	switch {
	case strength > toneNone && r.active && !r.ending && d.matches(f, freq) && d.extend(f, freq, v.p.lobe, strength):
	case ok && r.active && (r.ending || !d.glitch(freq)):
		// Another tone (or this one again) before 50 ms of non-tone: the
		// burst ends chained, which a beep never is.
		d.closeRun(f, true)
		d.startRun(f, freq, v.p.lobe, strength)
	case strength > toneNone && !r.active:
		// A weak frame may open a burst (the first frames of a beep in
		// noise often are), but only strong ones can make it a beep.
		d.startRun(f, freq, v.p.lobe, strength)
	case r.active:
		d.afterRun(f)
	}
	if !ok && !r.active && d.e >= beepVoiceEnergy {
		d.voiceMs += dsp.FrameMs
	}
	d.releasePending(f.EndMs())
	d.prevE = d.e
	d.hist[f.Index%beepHistFrames] = float32(d.e)
}

// histAt is the energy of a recent frame (0 before the start).
func (d *BeepDetector) histAt(i int) float64 {
	if i < 0 {
		return 0
	}
	return float64(d.hist[i%beepHistFrames])
}

// leadIn is the mean energy of the frames 30-80 ms before frame start:
// the sound the burst came out of (silence for a beep, more speech for a
// vowel).
func (d *BeepDetector) leadIn(start int) float64 {
	var sum float64
	n := 0
	for i := start - beepLeadFrom; i <= start-beepLeadTo; i++ {
		if i >= 0 {
			sum += float64(d.hist[i%beepHistFrames])
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// glitch tells whether a tone frame that did not match the burst is only a
// disturbance of it (its frequency near the burst's): then it is bridged
// like a non-tone frame instead of starting a new tone.
func (d *BeepDetector) glitch(freq float64) bool {
	return math.Abs(freq-d.run.freqMean) <= 3*math.Max(beepFreqTolHz, 0.01*d.run.freqMean)
}

// afterRun handles a frame that is not part of the burst: a bridged
// glitch, or the silence after it (whose level says how clearly the burst
// ended).
func (d *BeepDetector) afterRun(f *dsp.Frame) {
	r := &d.run
	gap := f.Index - r.lastGood
	if gap == 1 {
		r.nextE = d.e // may still hold the last ms of the tone
	} else {
		r.postE += d.e
		r.postN++
	}
	if gap > beepBridge {
		r.ending = true
	}
	if r.ending && gap >= beepHoldFrames {
		d.closeRun(f, false)
	}
}

// toneStrength grades a frame: strong enough to start a burst, or only to
// keep one going (hysteresis, as in every tone detector: a tone in 10 dB of
// noise or near the band edge dips below the start thresholds now and then).
type toneStrength uint8

const (
	toneNone toneStrength = iota
	toneWeak
	toneStrong
)

// beepFrame grades the frame's single-tone dominance in the beep band, and
// gives its frequency.
func beepFrame(v *frameView) (float64, toneStrength) {
	if !v.loud {
		return 0, toneNone
	}
	p := &v.p
	if p.freq < beepMinHz || p.freq > beepMaxHz {
		return 0, toneNone
	}
	dom, pur := p.dominance(), p.purity()
	switch {
	case dom >= beepMinDominance && pur >= beepMinPurity:
		return p.freq, toneStrong
	case dom >= beepHoldDominance && pur >= beepHoldPurity:
		return p.freq, toneWeak
	}
	return 0, toneNone
}

func (d *BeepDetector) matches(f *dsp.Frame, freq float64) bool {
	r := &d.run
	tol := math.Max(beepFreqTolHz, 0.01*r.freqMean)
	if r.n < 3 {
		tol *= 2 // the first frames' frequency is smeared by the onset
	}
	if math.Abs(freq-r.freqMean) > tol {
		return false
	}
	// Steady amplitude: the beat of a dual tone makes 10 ms energies swing.
	return d.e >= beepEnergyFloor*r.maxEnergy && d.e*beepEnergyFloor <= r.maxEnergy
}

func (d *BeepDetector) startRun(f *dsp.Frame, freq, lob float64, st toneStrength) {
	chain := 1
	if f.Index-d.lastRunEndIdx <= beepHoldFrames {
		chain = d.lastRunChain + 1
	}
	d.run = beepRun{
		active: true, startFrame: f.Index, lastGood: f.Index,
		freqMean: freq, maxEnergy: d.e, firstE: d.e, lastE: d.e, preE: d.prevE, chain: chain,
		lead: d.leadIn(f.Index), pre2E: d.histAt(f.Index - 2),
	}
	d.addCore(f, freq, lob, st)
}

func (d *BeepDetector) extend(f *dsp.Frame, freq, lob float64, st toneStrength) bool {
	r := &d.run
	gap := f.Index - r.lastGood - 1
	if float64(r.bad+gap) > beepBadShare*float64(f.Index-r.startFrame+1) {
		return false
	}
	r.bad += gap
	r.lastGood = f.Index
	r.lastE = d.e
	n := f.Index - r.startFrame + 1 - r.bad
	if r.n < 3 && st == toneStrong {
		r.freqMean = freq // the onset frame's estimate was smeared: restart the mean
	} else {
		r.freqMean += (freq - r.freqMean) / float64(min(n, 8))
	}
	if d.e > r.maxEnergy {
		r.maxEnergy = d.e
	}
	d.addCore(f, freq, lob, st)
	return true
}

// addCore records a matched frame.
func (d *BeepDetector) addCore(f *dsp.Frame, freq, lob float64, st toneStrength) {
	r := &d.run
	if r.n < len(r.energies) {
		r.energies[r.n] = float32(d.e)
		r.freqs[r.n] = float32(freq)
		r.lobes[r.n] = float32(lob)
		r.strong[r.n] = st == toneStrong
	}
	switch {
	case st == toneStrong:
		if r.nStrong == 0 {
			r.firstStrong = r.n
		}
		r.nStrong++
	case r.nStrong > 0:
		r.weak++ // weak frames before the first strong one are the onset
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
// vowel whose one harmonic happened to dominate for a while. Over the
// burst's inner frames the frequency must stay within a few Hz (the most
// extreme 10 % of the estimates aside), the tone's spectral power within
// ~10 %, and the 50 ms after it must be clearly quieter (a beep is followed
// by the recording's silence, a vowel by more speech):
//
//	≥ 150 ms, any frequency    spread ≤ 4 Hz,   level CV ≤ 0.10, after ≤ -6 dB
//	< 150 ms, ≥ 520 Hz         spread ≤ 2.5 Hz, level CV ≤ 0.10, after ≤ -6 dB
//	100-150 ms, < 520 Hz       spread ≤ 2.5 Hz, level CV ≤ 0.07, after ≤ -7 dB,
//	                           ≤ 1 weak frame, lead-in ≤ -6 dB
//	< 100 ms, < 520 Hz         spread ≤ 1.5 Hz, level CV ≤ 0.06, after ≤ -8 dB,
//	                           no weak frame, lead-in ≤ -10 dB
//
// Below 520 Hz a voice's fundamental or second harmonic can pass for a
// short beep (a 250 Hz voice's second harmonic is at 500 Hz), hence the
// stricter rows and the lead-in (the 30-80 ms before the burst: silence
// before a beep, more speech before a vowel). Tuned on the development
// corpus's 86 beeps (70-1500 ms, 15-30 dB SNR, G.711, band limiting,
// low-pass noise, background talkers) against 46 minutes of Asterisk
// prompts and the corpus's speech. The zone was 480 Hz until held-out
// speech produced 64-83 ms bursts at 480-501 Hz (second harmonics); 520 Hz
// was checked on a further unseen seed (see docs/amd.md).
func (r *beepRun) steady(meanE, freq float64, durMs int) bool {
	spread, cv, ok := r.innerSpread(freq >= beepVoiceZoneHz)
	if !ok {
		return false
	}
	post := 0.0
	if r.postN > 0 {
		post = r.postE / float64(r.postN) / meanE
	}
	if durMs >= beepShortMs {
		return spread <= beepMaxSpreadHz && cv <= beepMaxLevelCV && post <= beepMaxPost
	}
	// 480-520 Hz (the top of the voice zone, a voice's second harmonic):
	// a burst out of and into near-silence (both ≤ -20 dB) is a beep on
	// the ordinary terms; one with speech around it is held to the zone's.
	isolated := freq >= beepVoiceZoneLowHz && r.lead <= beepIsolated*meanE && post <= beepIsolated
	if freq >= beepVoiceZoneHz || isolated {
		return spread <= beepShortSpreadHz && cv <= beepShortLevelCV && post <= beepMaxPost
	}
	if durMs >= beepVoiceZoneMs {
		return spread <= beepShortSpreadHz && cv <= beepMidLevelCV && post <= beepMidPost &&
			r.weak <= 1 && r.lead <= beepMidLeadIn*meanE
	}
	return spread <= beepVoiceZoneSpreadHz && cv <= beepVoiceZoneCV && post <= beepShortPost &&
		r.weak == 0 && r.lead <= beepMaxLeadIn*meanE
}

// innerSpread is the frequency spread (Hz) and the level's coefficient of
// variation over the burst's inner frames (the two first and last are left
// out when there are enough, since they straddle the edges).
func (r *beepRun) innerSpread(fromStrong bool) (spread, cv float64, ok bool) {
	n := min(r.n, len(r.freqs))
	// With fromStrong the body starts at the first strong frame: weak
	// frames before it are the onset, whose frequency the spectrum still
	// smears. (Not in the voice zone, where a vowel's weak onset is
	// precisely what gives it away.)
	first := 0
	if fromStrong {
		first = r.firstStrong
	}
	a, b := first+2, n-2
	if b-a < 3 {
		a, b = first+1, n-1
	}
	if b-a < 1 {
		return 0, 0, false
	}
	strongOnly := 0
	for i := a; i < b; i++ {
		if r.strong[i] {
			strongOnly++
		}
	}
	var es, es2 float64
	fs := r.scratch[:0]
	for i := a; i < b; i++ {
		e := float64(r.lobes[i])
		es += e
		es2 += e * e
		if strongOnly < 3 || r.strong[i] { // weak frames measure the frequency less well
			fs = append(fs, r.freqs[i])
		}
	}
	m := es / float64(b-a)
	cv = math.Sqrt(math.Max(es2/float64(b-a)-m*m, 0)) / m
	// The range of the frequencies once the most extreme 10 % on each side
	// (at least one frame from six on) are set aside: a few noisy estimates
	// must not sink a long beep, while a gliding voice moves them all.
	slices.Sort(fs)
	k := len(fs) / 10
	if k == 0 && len(fs) >= 6 {
		k = 1
	}
	return float64(fs[len(fs)-1-k] - fs[k]), cv, true
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
	if !ok || r.nStrong < beepMinStrong {
		return
	}
	// The first and last frames hold the tone only partly: their energy
	// against the burst's mean says how many of their 10 ms it covered.
	b := Beep{
		FreqHz:        freq,
		StartMs:       onsetMs(r.startFrame, r.pre2E, r.preE, r.firstE, meanE),
		EndMs:         offsetMs(r.lastGood, r.lastE, r.nextE, meanE),
		DetectedMs:    f.EndMs(),
		LevelDB:       LevelDBm0(meanE),
		VoiceBeforeMs: d.voiceMs,
	}
	if d.repeats(b) {
		return
	}
	if b.DurMs() < beepMinMs-beepDurSlackMs || b.DurMs() > beepMaxMs+beepDurSlackMs || !r.steady(meanE, freq, b.DurMs()) {
		if p := &d.pending; p.valid && b.DurMs() >= beepRepeatFrames*dsp.FrameMs && sameBeepHz(p.beep.FreqHz, b.FreqHz) {
			d.cadenceHz = b.FreqHz // the held tone came back, not as a clean beep: a cadence
			p.valid = false
		}
		return
	}
	d.offer(b)
}

// repeats records every tone burst (a beep or not: a beating ringback pair
// seldom passes steady) and reports whether this one is a tone coming
// back: the held 400-500 Hz beep again (a cadence), or any tone repeating
// with a ringback period (2.5-6.5 s start to start, same frequency and
// length): ringback of any region, never a beep. The earlier bursts of
// that tone already reported as beeps are withdrawn (see Withdrawn).
func (d *BeepDetector) repeats(b Beep) bool {
	defer d.remember(b)
	if p := &d.pending; p.valid && b.DurMs() >= beepRepeatFrames*dsp.FrameMs && sameBeepHz(p.beep.FreqHz, b.FreqHz) {
		switch {
		case !p.canPair(b):
			d.cadenceHz = b.FreqHz
			p.valid = false
			return true
		case p.beep.VoiceBeforeMs < voiceBeforeRing:
			d.ringHz = b.FreqHz // a pair before anyone spoke: a double ring (UK, IN, AU)
			p.valid = false
			return true
		}
	}
	if b.DurMs() < ringMinBurstMs {
		return false
	}
	if d.periodic.valid && sameRingHz(d.periodic.beep.FreqHz, b.FreqHz) && similarLength(d.periodic.beep, b) {
		return true // the next ring
	}
	for _, a := range d.recent {
		period := b.StartMs - a.StartMs
		if a.DurMs() >= ringMinBurstMs && sameRingHz(a.FreqHz, b.FreqHz) && similarLength(a, b) &&
			period >= ringPeriodMinMs && period <= ringPeriodMaxMs {
			d.periodic = pendingBeep{beep: b, valid: true}
			d.withdraw(func(x Beep) bool { return sameRingHz(b.FreqHz, x.FreqHz) })
			return true
		}
	}
	return false
}

// ringMinBurstMs: a ring burst lasts ≥ 300 ms (the double rings' 400 ms,
// measured shorter when a beating pair fades in and out).
const ringMinBurstMs = 150

// similarLength: two bursts of one cadence (a voicemail beep after a
// ringback at the same frequency is seldom as long as the rings).
func similarLength(a, b Beep) bool {
	r := float64(b.DurMs()) / float64(max(a.DurMs(), 1))
	return r >= 0.7 && r <= 1.4
}

// sameBeepHz: two measurements of one tone (a merged pair's lobe wanders
// a few Hz from burst to burst).
func sameBeepHz(a, b float64) bool { return math.Abs(a-b) <= math.Max(10, 0.015*a) }

// sameRingHz is sameBeepHz for a ringback: in the progress band a pair too
// close to resolve (400+450 Hz) measures anywhere between its lines.
func sameRingHz(a, b float64) bool {
	if a <= pairHiHz && b <= pairHiHz {
		return math.Abs(a-b) <= ringSameBeatingHz
	}
	return sameBeepHz(a, b)
}

func (d *BeepDetector) remember(b Beep) {
	copy(d.recent[1:], d.recent[:len(d.recent)-1])
	d.recent[0] = b
}

// withdraw moves the beeps (and a held one) that are rings to the
// withdrawn list.
func (d *BeepDetector) withdraw(ring func(Beep) bool) {
	kept := d.beeps[:0]
	for _, x := range d.beeps {
		if ring(x) {
			d.withdrawn = append(d.withdrawn, x)
			continue
		}
		kept = append(kept, x)
	}
	d.beeps = kept
	if d.pending.valid && ring(d.pending.beep) {
		d.pending.valid = false
	}
}

// Withdrawn returns the beeps once reported and later found to be part of
// a ringback cadence (the same tone back after 2.5-6.5 s). An online
// consumer that acted on one of them should treat it as ringback.
func (d *BeepDetector) Withdrawn() []Beep { return d.withdrawn }

// onsetMs estimates when a burst began: its first matched frame may hold
// the tone only partly, and the frame before it may hold a few ms of tone
// that were too short for the spectrum to recognise. (A chained tone before
// it counts fully in pre; callers only use this after non-tone.)
func onsetMs(first int, pre2E, preE, firstE, meanE float64) int {
	if !fullFrame(firstE, meanE) {
		return (first+1)*dsp.FrameMs - fracMs(firstE, meanE)
	}
	ms := first * dsp.FrameMs
	if preE >= 1.2*meanE {
		return ms // louder than the tone: something else
	}
	ms -= fracMs(preE, meanE)
	// Up to two frames of a clean onset fail the spectral test (the 32 ms
	// window still holds the silence before the tone).
	if fullFrame(preE, meanE) && pre2E < 1.2*meanE {
		ms -= fracMs(pre2E, meanE)
	}
	return ms
}

// offsetMs is onsetMs's mirror for the end of a burst.
func offsetMs(last int, lastE, nextE, meanE float64) int {
	if !fullFrame(lastE, meanE) {
		return last*dsp.FrameMs + fracMs(lastE, meanE)
	}
	ms := (last + 1) * dsp.FrameMs
	if nextE < 1.2*meanE {
		ms += fracMs(nextE, meanE)
	}
	return ms
}

// fullFrame: a frame at ≥ 70 % of the tone's mean energy holds the tone
// throughout (the rest is noise and level ripple).
func fullFrame(e, meanE float64) bool { return e >= 0.7*meanE }

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
	if p := &d.pending; p.valid && math.Abs(p.beep.FreqHz-b.FreqHz) < 20 {
		switch {
		case !p.canPair(b):
			// The same low tone again within the hold: a cadence.
			d.cadenceHz = b.FreqHz
			p.valid = false
		default: // (a pair before anyone spoke, a double ring, was dropped by repeats)
			// A double beep, unless a third burst follows (busy).
			p.second, p.paired = b, true
			p.releaseMs = b.EndMs + progressHoldMs
		}
		return
	}
	if d.cadenceHz > 0 && math.Abs(d.cadenceHz-b.FreqHz) < 20 {
		return
	}
	if ringLike := b.DurMs() >= progressRingMin; ringLike {
		if d.ringHz > 0 && math.Abs(d.ringHz-b.FreqHz) < 20 {
			return // the next ring of a ringback already heard
		}
		if d.voiceMs < voiceBeforeRing {
			d.ringHz = b.FreqHz
			return // a ring before anyone spoke
		}
	}
	d.pending = pendingBeep{beep: b, releaseMs: b.EndMs + progressHoldMs, valid: true}
}

func (d *BeepDetector) releasePending(nowMs int) {
	p := &d.pending
	if !p.valid || nowMs < p.releaseMs {
		return
	}
	if d.run.active && d.run.n >= beepRepeatFrames && math.Abs(d.run.freqMean-p.beep.FreqHz) < 20 {
		// The tone is back (for ≥ 100 ms: a busy burst that came back
		// after its 250-500 ms gap has lasted 200-450 ms by now): a cadence.
		d.cadenceHz = p.beep.FreqHz
		p.valid = false
		return
	}
	p.valid = false
	b := p.beep
	b.DetectedMs = nowMs
	d.beeps = append(d.beeps, b)
	if p.paired {
		b2 := p.second
		b2.DetectedMs = nowMs
		d.beeps = append(d.beeps, b2)
	}
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
		for i := len(d.beeps) - 1; i >= 0 && d.beeps[i].DetectedMs == math.MaxInt32; i-- {
			d.beeps[i].DetectedMs = endMs
		}
	}
}
