package tones

import (
	"math"
	"math/cmplx"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// Call-progress tones live in 300-700 Hz: US ringback 440+480, busy and
// reorder 480+620, dial tone 350+440 (E.180/Telcordia); EU and BR ringback
// and busy 425 Hz (ETSI ES 201 970, Anatel); elsewhere 400-450 Hz, single,
// paired or amplitude-modulated (ITU-T E.180 Supplement 2). Their cadences:
//
//	US ringback 2 s on / 4 s off   busy 0.5/0.5   reorder 0.25/0.25
//	EU ringback 1 s on / 4 s off   busy 0.5/0.5 (0.3-0.5 in some countries)
//	BR ringback 1 s on / 4 s off   busy 0.25/0.25
//	FR 440 Hz 1.5/3.5 s; RU 425 Hz 0.8/3.2 s; JP 400 Hz × 16 Hz 1/2 s
//	UK 400+450 Hz, IN 400 Hz × 25 Hz, AU 425 Hz × 25 Hz: double ring
//	0.4 on / 0.2 off / 0.4 on / 2 s off
//
// Whatever the region, ringback is a tone in this band that comes back with
// a period of 3-6 s: a burst of ring length (0.7-2.6 s), a double ring, or
// any plausible burst that repeats at the same frequency and length 2.5-6.5
// s after the previous one is a ring.
var (
	progLoBin = dsp.HzToBin(280) // 9
	progHiBin = dsp.HzToBin(690) // 22
)

const (
	// progressBandShare: a progress frame keeps ≥ 85 % of the 250-3500 Hz
	// power in 280-690 Hz.
	progressBandShare = 0.85
	// progressLobeShare: ... and ≥ 90 % of that in at most two Hann lobes,
	// which a harmonic series (speech, hum with overtones) does not do.
	progressLobeShare = 0.90

	ringMinMs     = 700  // EU/BR 1 s and US 2 s rings, with tolerance
	ringMaxMs     = 2600 // longer is a dial tone or a beep-less hold tone
	ringTruncMs   = 200  // a ring cut by the start of the recording
	busyOnMinMs   = 150
	busyOnMaxMs   = 700
	busyAgreePct  = 0.25  // successive busy bursts and gaps agree within 25 %
	reorderMaxMs  = 375   // mean on time below this: the 250 ms cadence
	burstBridge   = 2     // frames of non-tone bridged inside a burst
	audioConfirm  = 5     // frames of audio that make an answer
	audioBridge   = 2     // gaps allowed while confirming the answer
	resetVoiceMs  = 1000  // a ring after less audio than this undoes the answer
	beatCVForDual = 0.25  // frame-energy variation of a 440+480 (40 Hz beat) burst
	progStrayHz   = 15.0  // a frame this far off the burst's smoothed frequency strays
	pairLoHz      = 370.0 // where a merged pair (440+480, 400+450) or an AM tone's lobe wanders
	pairHiHz      = 500.0
	progMaxStray  = 0.1 // share of frames allowed off the burst's frequency (noise, clicks)

	// Double ring (UK, IN, AU, ...): two 250-550 ms bursts 120-350 ms apart.
	doubleOnMinMs  = 250
	doubleOnMaxMs  = 550
	doubleGapMinMs = 120
	doubleGapMaxMs = 350
	// A plausible burst that repeats at the same frequency (±15 Hz) and
	// length (×0.7-1.4) with this start-to-start period is ringback.
	ringPeriodMinMs   = 2500
	ringPeriodMaxMs   = 6500
	ringSameHz        = 15.0
	ringSameBeatingHz = 35.0
	doubleQuietMs     = 1000 // a double ring is followed by ≥ 1 s without tone
	// The answer is confirmed on 50 ms ≥ 10 dB over the line floor, but
	// dated from where that sound first rose 3 dB over it (at most 300 ms
	// earlier): the start of a word is softer than its vowel.
	riseFloorRatio = 2.0
	maxRiseMs      = 300
)

// progressKind classifies one frame.
type progressKind uint8

const (
	progNone   progressKind = iota
	progSingle              // one lobe (425 Hz, or the merged 440+480 pair)
	progDual                // two resolved lobes (480+620, 350+440)
)

// classifyProgress looks at the low band of the spectrum only.
func classifyProgress(f *dsp.Frame, v *frameView) (progressKind, float64) {
	p := &v.p
	if !v.loud || p.band <= 0 {
		return progNone, 0
	}
	s := &f.Spectrum
	var low float64
	p1 := progLoBin
	for k := progLoBin; k <= progHiBin; k++ {
		low += float64(s[k])
		if s[k] > s[p1] {
			p1 = k
		}
	}
	if low < progressBandShare*p.band {
		return progNone, 0
	}
	lobe1 := lobeSum(s, p1)
	if lobe1 >= progressLobeShare*low {
		return progSingle, hannFreq(s, p1)
	}
	p2 := -1
	for k := progLoBin; k <= progHiBin; k++ {
		if k >= p1-lobeHalf-1 && k <= p1+lobeHalf+1 {
			continue
		}
		if p2 < 0 || s[k] > s[p2] {
			p2 = k
		}
	}
	if p2 < 0 || lobe1+lobeSum(s, p2) < progressLobeShare*low {
		return progNone, 0
	}
	return progDual, hannFreq(s, min(p1, p2))
}

func lobeSum(s *[dsp.Bins]float32, k int) float64 {
	var sum float64
	for j := max(k-lobeHalf, 0); j <= min(k+lobeHalf, dsp.Bins-1); j++ {
		sum += float64(s[j])
	}
	return sum
}

// burst is one on-period of a progress tone.
type burst struct {
	startMs, endMs int
	dual           bool
	freq           float64
	energyCV       float64
	stray          float64 // share of frames > 15 Hz off the burst's frequency
	outsidePair    float64 // share of frames whose peak is outside 370-500 Hz
	usPair         bool    // the 50 ms Goertzel powers show both 440 and 480 Hz
	// weak: plausible only as a lobe whose peak hops about at a steady
	// level (a 400+450 pair whose 50 Hz beat 10 ms frames alias away); a
	// vowel can do that too, so such a burst makes a ring only by
	// repeating with a ring period.
	weak bool
}

func (b burst) dur() int { return b.endMs - b.startMs }

// ProgressDetector follows ringback and busy cadences and the answer point.
type ProgressDetector struct {
	st Progress
	e  float64 // DC-free energy of the frame being processed (acEnergy)

	// current burst
	inBurst     bool
	startFrame  int
	lastOnFrame int
	dualFrames  int
	frames      int
	freqSum     float64
	freqEMA     float64 // smoothed frequency of the burst
	stray       int     // frames > 15 Hz from it
	outsidePair int     // frames outside 370-500 Hz
	eSum, eSq   float64
	pair        usPairMeter

	// the previous plausible burst, for the double ring and the period
	prev, prev2         burst
	havePrev, havePrev2 bool
	prevRing            bool  // the previous burst was counted as a ring
	doublePending       bool  // a double ring waiting for the pause after it
	double              burst // its second burst
	doubleStartMs       int   // and the start of its first
	lastRingStart       int   // start of the last ring counted (-1: none)

	// last bursts (busy cadence needs three on-times and two gaps)
	hist  [3]burst
	nHist int

	// answer point
	floor        float64
	audioStart   int
	audioFrames  int
	audioGap     int
	audioSinceMs int // audio heard since AnsweredAtMs, to undo a false answer
	riseStart    int // start of the current run of frames ≥ 3 dB over the floor (-1: none)
	riseGap      int // frames under it bridged in that run
}

// NewProgress returns a call-progress detector.
func NewProgress() *ProgressDetector {
	return &ProgressDetector{st: Progress{AnsweredAtMs: -1, LastToneEndMs: -1, RingbackMs: -1, BusyMs: -1},
		audioStart: -1, lastRingStart: -1, riseStart: -1}
}

// State returns the call-progress state so far.
func (d *ProgressDetector) State() Progress { return d.st }

// Process consumes one frame.
func (d *ProgressDetector) Process(f *dsp.Frame) {
	v := view(f)
	d.process(f, &v)
}

func (d *ProgressDetector) process(f *dsp.Frame, v *frameView) {
	d.e = v.e
	kind, freq := v.progress(f)
	d.trackFloor(d.e)
	d.confirmDouble(f)
	if kind != progNone {
		d.onToneFrame(f, kind, freq)
		d.resetAudio()
		return
	}
	if d.inBurst && f.Index-d.lastOnFrame > burstBridge {
		d.endBurst(f)
	}
	if !d.inBurst {
		d.trackAudio(f)
	}
}

// trackFloor follows the line noise: the minimum frame energy, allowed to
// creep up 0.2 % per frame (≈ 2 dB/s) so a noisier line after answer is
// learnt.
func (d *ProgressDetector) trackFloor(e float64) {
	if d.floor == 0 || e < d.floor {
		d.floor = math.Max(e, 1)
		return
	}
	d.floor *= 1.002
}

func (d *ProgressDetector) onToneFrame(f *dsp.Frame, kind progressKind, freq float64) {
	if !d.inBurst {
		d.inBurst = true
		d.startFrame = f.Index
		d.frames, d.dualFrames, d.freqSum, d.eSum, d.eSq = 0, 0, 0, 0, 0
		d.stray, d.outsidePair = 0, 0
		d.pair.reset()
	}
	if kind == progSingle && freq >= pairLoHz && freq <= pairHiHz {
		d.pair.add(f, d.e) // only a merged lobe can be 440+480
	}
	d.lastOnFrame = f.Index
	d.frames++
	if kind == progDual {
		d.dualFrames++
	}
	d.freqSum += freq
	d.trackFreq(freq)
	d.eSum += d.e
	d.eSq += d.e * d.e
}

// trackFreq counts the frames whose frequency strays from the burst's
// smoothed frequency, and those outside the band where a merged pair's
// peak wanders. The first two frames (their window still holds the onset)
// only seed it; a stray frame does not move it.
func (d *ProgressDetector) trackFreq(freq float64) {
	if d.frames <= 2 {
		d.freqEMA = freq
		return
	}
	if freq < pairLoHz || freq > pairHiHz {
		d.outsidePair++
	}
	if math.Abs(freq-d.freqEMA) > progStrayHz {
		d.stray++
		return
	}
	d.freqEMA += 0.1 * (freq - d.freqEMA)
}

func (d *ProgressDetector) endBurst(f *dsp.Frame) {
	d.inBurst = false
	n := float64(d.frames)
	mean := d.eSum / n
	cv := math.Sqrt(math.Max(d.eSq/n-mean*mean, 0)) / mean
	b := burst{
		startMs:  d.startFrame * dsp.FrameMs,
		endMs:    (d.lastOnFrame + 1) * dsp.FrameMs,
		dual:     d.dualFrames*2 > d.frames,
		freq:     d.freqSum / n,
		energyCV: cv,
	}
	d.st.LastToneEndMs = b.endMs
	b.stray = float64(d.stray) / n
	b.outsidePair = float64(d.outsidePair) / n
	b.usPair = d.pair.isPair()
	b.weak = b.onlyWandering()
	if !b.plausible() {
		d.nHist = 0
		d.havePrev, d.havePrev2 = false, false // a repetition must be of consecutive bursts
		return
	}
	d.classifyBurst(b, f.EndMs())
}

// plausible rejects bursts that cannot be a progress tone: the frequency
// must hold (speech in the same band glides far more) and sit where the
// standard tones are: 425±30 Hz single, 480 Hz for the lower of a resolved
// pair. A pair too close to resolve (440+480 US ringback, 400+450 UK) is
// one lobe that beats: its 10 ms energies swing and its peak wanders
// between the two lines (further when a band-limited line makes them
// unequal), so it only has to stay within 400-500 Hz.
//
// US ringback is recognised whatever the relative phase of its two sines
// by the 50 ms Goertzel powers at 440 and 480 Hz (usPairMeter). A tone
// amplitude-modulated at 16-25 Hz (JP, IN, AU) is one lobe whose energy
// swings like a beating pair's; a steady single tone may be 380-500 Hz
// (400 Hz in JP/IN/UK busy, 425 Hz CEPT, 440 Hz FR).
func (b burst) plausible() bool {
	switch {
	case b.dual && b.stray <= progMaxStray && b.freq >= 465 && b.freq <= 495:
		return true // 480+620
	case b.usPair:
		return true
	case !b.dual && b.stray <= progMaxStray && b.freq >= 380 && b.freq <= 500:
		return true
	}
	// A lobe that beats or wanders but stays in the band: a pair too close
	// to resolve (its 10 ms energies swing, or, for a 50 Hz beat that 10 ms
	// frames alias away, its peak hops between the lines) or an AM tone.
	wanders := b.energyCV > beatCVForDual || b.stray > progMaxStray
	return wanders && b.outsidePair <= progMaxStray && b.freq >= 390 && b.freq <= 480
}

// steady: a burst whose tone is beyond doubt (US 440+480 by its Goertzel
// powers, a resolved 480+620 pair, or a single tone holding its
// frequency). Only such a burst counts as a ring on its own when it is cut
// by the start of the recording: a first "Oui?" can look like a short
// beating lobe.
func (b burst) steady() bool {
	steadySingle := !b.dual && b.stray <= progMaxStray && b.freq >= 380 && b.freq <= 500
	resolvedPair := b.dual && b.stray <= progMaxStray && b.freq >= 465 && b.freq <= 495
	return b.usPair || steadySingle || resolvedPair
}

// onlyWandering: see burst.weak.
func (b burst) onlyWandering() bool {
	return !b.steady() && b.energyCV <= beatCVForDual
}

func (b burst) region() string {
	if b.usPair || b.dual && b.freq >= 465 || b.energyCV > beatCVForDual && b.freq >= 440 {
		return "US"
	}
	return "EU"
}

// sameTone tells whether two bursts are the same tone (a repetition).
// The mean peak of a beating pair (400+450) or an AM tone depends on where
// the beat falls in each frame: it moves by up to ±20 Hz from burst to
// burst, so such bursts get a wider tolerance.
func sameTone(a, b burst) bool {
	tol := ringSameHz
	if a.energyCV > beatCVForDual || b.energyCV > beatCVForDual || a.dual != b.dual {
		tol = ringSameBeatingHz
	}
	return math.Abs(a.freq-b.freq) <= tol && a.usPair == b.usPair
}

// doubleRing reports whether b is the second half of a double ring with
// the previous plausible burst. A busy or reorder cadence looks the same
// for two bursts; the double ring is only confirmed by the long pause after
// it (see confirmDouble).
func (d *ProgressDetector) doubleRing(b burst) bool {
	if !d.havePrev || !sameTone(d.prev, b) {
		return false
	}
	p := d.prev
	if p.weak && b.weak {
		return false
	}
	gap := b.startMs - p.endMs
	return p.dur() >= doubleOnMinMs && p.dur() <= doubleOnMaxMs && b.dur() >= doubleOnMinMs && b.dur() <= doubleOnMaxMs &&
		gap >= doubleGapMinMs && gap <= doubleGapMaxMs
}

// periodicRing reports whether b is the previous plausible burst again,
// one ring period (2.5-6.5 s, start to start) later: ringback whatever the
// region's on-time.
// The burst before the previous one counts too: the first bursts of two
// double rings are one period apart.
func (d *ProgressDetector) periodicRing(b burst) bool {
	if b.dur() < doubleOnMinMs {
		return false
	}
	for _, p := range [...]struct {
		b  burst
		ok bool
	}{{d.prev, d.havePrev}, {d.prev2, d.havePrev2}} {
		if !p.ok || !sameTone(p.b, b) {
			continue
		}
		period := b.startMs - p.b.startMs
		ratio := float64(b.dur()) / float64(max(p.b.dur(), 1))
		if period >= ringPeriodMinMs && period <= ringPeriodMaxMs && ratio >= 0.7 && ratio <= 1.4 {
			return true
		}
	}
	return false
}

// confirmDouble counts a pending double ring once doubleQuietMs passed
// after it without another burst (a busy tone would have come back).
func (d *ProgressDetector) confirmDouble(f *dsp.Frame) {
	if !d.doublePending || d.inBurst || f.StartMs() < d.double.endMs+doubleQuietMs {
		return
	}
	d.doublePending = false
	answered := d.st.AnsweredAtMs
	d.countRing(d.double, d.doubleStartMs, f.EndMs())
	if answered >= d.double.endMs {
		d.st.AnsweredAtMs = answered // found in the pause: after this ring, not a click between rings
	}
}

func (d *ProgressDetector) classifyBurst(b burst, nowMs int) {
	double, periodic := d.doubleRing(b), d.periodicRing(b)
	prevStart := d.prev.startMs
	d.prev2, d.havePrev2 = d.prev, d.havePrev
	d.prev, d.havePrev = b, true
	if d.doublePending && d.st.Rings == 0 {
		d.st.AnsweredAtMs = -1 // heard while waiting for a double ring that was not one
	}
	d.doublePending = false // another burst came: not the pause after a double ring
	prevRing := d.prevRing
	d.prevRing = false
	switch dur := b.dur(); {
	case double && prevRing:
		// The second half of a double ring whose first half was counted
		// already (a truncated first ring, or one period after the last).
		d.st.RingOnMs = b.endMs - prevStart
		d.nHist = 0
	case double:
		d.doublePending, d.double, d.doubleStartMs = true, b, prevStart
		d.pushBusy(b, nowMs)
	case !b.weak && dur >= ringMinMs && dur <= ringMaxMs, b.steady() && dur >= ringTruncMs && dur <= ringMaxMs && b.startMs == 0, periodic:
		d.countRing(b, b.startMs, nowMs)
		d.prevRing = true
	case dur >= busyOnMinMs && dur <= busyOnMaxMs:
		d.pushBusy(b, nowMs)
	default:
		d.nHist = 0
	}
}

// countRing records one ring (startMs: its first burst's start).
func (d *ProgressDetector) countRing(b burst, startMs, nowMs int) {
	d.st.Rings++
	d.st.RingHz = math.Round(b.freq*10) / 10
	d.st.RingOnMs = b.endMs - startMs
	if d.lastRingStart >= 0 {
		d.st.RingPeriodMs = startMs - d.lastRingStart
	}
	d.lastRingStart = startMs
	if !d.st.Ringback {
		d.st.Ringback = true
		d.st.RingbackMs = nowMs
	}
	if d.st.Region == "" || d.st.Region == "EU" {
		d.st.Region = b.region()
	}
	if d.st.AnsweredAtMs >= 0 && d.audioSinceMs < resetVoiceMs {
		d.st.AnsweredAtMs = -1 // what looked like an answer was a click between rings
	}
	d.nHist = 0
}

func (d *ProgressDetector) pushBusy(b burst, nowMs int) {
	if d.nHist == len(d.hist) {
		copy(d.hist[:], d.hist[1:])
		d.nHist--
	}
	d.hist[d.nHist] = b
	d.nHist++
	if d.nHist < len(d.hist) || d.st.Busy {
		return
	}
	h := d.hist
	on := float64(h[0].dur()+h[1].dur()+h[2].dur()) / 3
	gap1, gap2 := float64(h[1].startMs-h[0].endMs), float64(h[2].startMs-h[1].endMs)
	for _, v := range []float64{float64(h[0].dur()), float64(h[1].dur()), float64(h[2].dur())} {
		if math.Abs(v-on) > busyAgreePct*on {
			return
		}
	}
	// Gaps: equal to each other and to the on-time (50 % duty) within
	// tolerance; the spectrum's 32 ms window lengthens bursts and shortens
	// gaps by ~20 ms, which the 25 % + 30 ms slack absorbs.
	for _, g := range []float64{gap1, gap2} {
		if g < busyOnMinMs-30 || g > busyOnMaxMs || math.Abs(g-on) > busyAgreePct*on+30 {
			return
		}
	}
	d.st.Busy = true
	d.st.BusyMs = nowMs
	d.st.Reorder = on < reorderMaxMs
	switch region := b.region(); {
	case region == "US":
		d.st.Region = "US"
	case d.st.Reorder:
		d.st.Region = "BR"
	default:
		d.st.Region = "EU"
	}
}

func (d *ProgressDetector) resetAudio() {
	d.audioFrames, d.audioGap, d.audioStart, d.riseStart = 0, 0, -1, -1
}

// trackAudio finds the answer: after a ring, the first run of audio clearly
// above the line floor that is not a progress tone.
// answerMinEnergy: an answer is at least -55 dBm0 (a constant: math.Pow
// per frame would cost more than the test).
var answerMinEnergy = energyOfDBm0(-55)

// A double ring waiting for its confirming pause counts: the callee may
// answer within that second. Before any ring, the audio is only counted
// (AudioBeforeRingMs).
func (d *ProgressDetector) trackAudio(f *dsp.Frame) {
	loud := d.e > 10*d.floor && d.e > answerMinEnergy
	if d.st.Rings == 0 && !d.doublePending {
		if loud {
			d.st.AudioBeforeRingMs += dsp.FrameMs
		}
		return
	}
	switch {
	case d.e > riseFloorRatio*d.floor:
		d.riseGap = 0
		if d.riseStart < 0 {
			d.riseStart = f.StartMs()
		}
	case d.riseGap < audioBridge: // a frame of noise dipping under the threshold
		d.riseGap++
	default:
		d.riseStart = -1
	}
	if d.st.AnsweredAtMs >= 0 {
		if loud {
			d.audioSinceMs += dsp.FrameMs
		}
		return
	}
	switch {
	case loud:
		if d.audioStart < 0 {
			d.audioStart = f.StartMs()
			if d.riseStart >= 0 {
				// The sound rose out of the floor a little earlier (a soft
				// consonant, a word under hum): that is where it began.
				d.audioStart = max(d.riseStart, d.audioStart-maxRiseMs)
			}
		}
		d.audioFrames++
		d.audioGap = 0
		if d.audioFrames >= audioConfirm {
			d.st.AnsweredAtMs = d.audioStart
			d.audioSinceMs = d.audioFrames * dsp.FrameMs
		}
	case d.audioStart >= 0:
		d.audioGap++
		if d.audioGap > audioBridge {
			d.audioFrames, d.audioGap, d.audioStart = 0, 0, -1 // (the rise goes on)
		}
	}
}

// usPairMeter measures, over the last 50 ms, how much of the power sits on
// exactly 440 and 480 Hz (US ringback). In a 400-sample window both are
// whole numbers of cycles (22 and 24), so the two DFT bins are orthogonal
// and their powers do not depend on the sines' relative phase, unlike the
// 40 Hz beat that 10 ms frames see. Each frame contributes its 80-sample
// DFT at both frequencies, referred to the start of the audio so that five
// consecutive frames add up to the 400-sample DFT.
type usPairMeter struct {
	x440, x480 [pairWindow]complex128
	e          [pairWindow]float64
	n          int // consecutive frames in the window
	lastIdx    int
	frames     int // full windows seen in this burst
	pairs      int // ... that showed the pair
}

const (
	pairWindow   = 5   // frames: 50 ms
	pairMinShare = 0.1 // each line holds ≥ 10 % of the power ...
	pairMinSum   = 0.6 // ... and the two ≥ 60 %
	pairMinRatio = 0.6 // share of a burst's windows that must show the pair
)

// The 80-sample DFT kernels at 440 and 480 Hz (as cos/sin tables: four
// independent multiply-adds per sample), and the rotation that refers frame
// n to the start of the audio (e^{-jω·80n}, period 5 frames).
var pairCos440, pairSin440, pairCos480, pairSin480 = func() (c4, s4, c8, s8 [dsp.FrameSamples]float64) {
	for i := range c4 {
		c4[i], s4[i] = math.Cos(2*math.Pi*440*float64(i)/dsp.SampleRate), math.Sin(2*math.Pi*440*float64(i)/dsp.SampleRate)
		c8[i], s8[i] = math.Cos(2*math.Pi*480*float64(i)/dsp.SampleRate), math.Sin(2*math.Pi*480*float64(i)/dsp.SampleRate)
	}
	return
}()

var pairRot440, pairRot480 = func() (ra, rb [pairWindow]complex128) {
	for n := range ra {
		ra[n] = cmplx.Exp(complex(0, -2*math.Pi*440*float64(n*dsp.FrameSamples)/dsp.SampleRate))
		rb[n] = cmplx.Exp(complex(0, -2*math.Pi*480*float64(n*dsp.FrameSamples)/dsp.SampleRate))
	}
	return
}()

func (m *usPairMeter) reset() { *m = usPairMeter{lastIdx: -2} }

// add feeds one frame of the burst (e: its DC-free energy).
func (m *usPairMeter) add(f *dsp.Frame, e float64) {
	if f.Index != m.lastIdx+1 {
		m.n = 0
	}
	m.lastIdx = f.Index
	var ar, ai, br, bi float64
	s := f.Samples
	if len(s) > dsp.FrameSamples {
		s = s[:dsp.FrameSamples]
	}
	for i, v := range s {
		x := float64(v)
		ar += x * pairCos440[i]
		ai -= x * pairSin440[i]
		br += x * pairCos480[i]
		bi -= x * pairSin480[i]
	}
	a, b := complex(ar, ai), complex(br, bi)
	k := f.Index % pairWindow
	m.x440[k], m.x480[k], m.e[k] = a*pairRot440[k], b*pairRot480[k], e
	if m.n < pairWindow {
		m.n++
		if m.n < pairWindow {
			return
		}
	}
	var s440, s480 complex128
	var es float64
	for j := range pairWindow {
		s440 += m.x440[j]
		s480 += m.x480[j]
		es += m.e[j]
	}
	if es <= 0 {
		return
	}
	// A sine of amplitude A gives |X|² = (A·N/2)² over N samples, and a
	// mean square of A²/2: its share of the power is 2|X|²/N² / meanSquare.
	const n = pairWindow * dsp.FrameSamples
	norm := 2 / (n * n) / (es / pairWindow)
	p440 := real(s440*cmplx.Conj(s440)) * norm
	p480 := real(s480*cmplx.Conj(s480)) * norm
	m.frames++
	if p440 >= pairMinShare && p480 >= pairMinShare && p440+p480 >= pairMinSum {
		m.pairs++
	}
}

func (m *usPairMeter) isPair() bool {
	return m.frames >= pairWindow && float64(m.pairs) >= pairMinRatio*float64(m.frames)
}
