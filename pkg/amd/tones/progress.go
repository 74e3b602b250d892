package tones

import (
	"math"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// Call-progress tones live in 300-700 Hz: US ringback 440+480, busy and
// reorder 480+620, dial tone 350+440 (E.180/Telcordia); EU and BR ringback
// and busy 425 Hz (ETSI ES 201 970, Anatel). Their cadences:
//
//	US ringback 2 s on / 4 s off   busy 0.5/0.5   reorder 0.25/0.25
//	EU ringback 1 s on / 4 s off   busy 0.5/0.5 (0.3-0.5 in some countries)
//	BR ringback 1 s on / 4 s off   busy 0.25/0.25
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
	pairLoHz      = 400.0 // where the merged lobe of 440+480 (or 400+450) wanders
	pairHiHz      = 500.0
	progMaxStray  = 0.1 // share of frames allowed off the burst's frequency (noise, clicks)
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
	outsidePair    float64 // share of frames whose peak is outside 400-500 Hz
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
	outsidePair int     // frames outside 400-500 Hz
	eSum, eSq   float64

	// last bursts (busy cadence needs three on-times and two gaps)
	hist  [3]burst
	nHist int

	// answer point
	floor        float64
	audioStart   int
	audioFrames  int
	audioGap     int
	audioSinceMs int // audio heard since AnsweredAtMs, to undo a false answer
}

// NewProgress returns a call-progress detector.
func NewProgress() *ProgressDetector {
	return &ProgressDetector{st: Progress{AnsweredAtMs: -1, LastToneEndMs: -1, RingbackMs: -1, BusyMs: -1}, audioStart: -1}
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
	kind, freq := classifyProgress(f, v)
	d.trackFloor(d.e)
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
	if !b.plausible() {
		d.nHist = 0
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
func (b burst) plausible() bool {
	switch {
	case b.dual:
		return b.stray <= progMaxStray && b.freq >= 465 && b.freq <= 495
	case b.energyCV > beatCVForDual:
		return b.outsidePair <= progMaxStray && b.freq >= 415 && b.freq <= 480
	}
	return b.stray <= progMaxStray && b.freq >= 395 && b.freq <= 490
}

func (b burst) region() string {
	if b.dual || b.energyCV > beatCVForDual || b.freq > 455 || b.freq < 395 {
		return "US"
	}
	return "EU"
}

func (d *ProgressDetector) classifyBurst(b burst, nowMs int) {
	switch dur := b.dur(); {
	case dur >= ringMinMs && dur <= ringMaxMs, dur >= ringTruncMs && dur <= ringMaxMs && b.startMs == 0:
		d.st.Rings++
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
	case dur >= busyOnMinMs && dur <= busyOnMaxMs:
		d.pushBusy(b, nowMs)
	default:
		d.nHist = 0
	}
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
	d.audioFrames, d.audioGap, d.audioStart = 0, 0, -1
}

// trackAudio finds the answer: after a ring, the first run of audio clearly
// above the line floor that is not a progress tone.
func (d *ProgressDetector) trackAudio(f *dsp.Frame) {
	if d.st.Rings == 0 {
		return
	}
	loud := d.e > 10*d.floor && d.e > energyOfDBm0(-55)
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
			d.resetAudio()
		}
	}
}
