package cadence

import (
	"math"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// frameClass is what the VAD says about one 10 ms frame. It is all the
// decision logic needs, so it is also what the replay history stores.
type frameClass uint8

const (
	classSilence frameClass = iota
	classVoice
	classTone
)

// specToMeanSquare converts a one-sided sum of the Hann-windowed 256-point
// power spectrum to the mean square of the signal in that band: Parseval
// gives Σ|X|² ≈ (N/2)·Σx²w², and Σw² = 3N/8 for a Hann window, so the
// factor is 1/(128·96).
const specToMeanSquare = 1.0 / 12288

// floorBlockFrames is the block length of the minimum-statistics noise
// floor tracker (250 ms): the floor is the minimum over the last few block
// minima, so memory and work per frame are constant.
const floorBlockFrames = 25

// toneBridgeFrames: tonal frames that continue a word are voice for this
// long (150 ms): sustained vowels can look like a pure tone for a while, a
// beep, fax or SIT tone lasts longer or starts after a pause.
const toneBridgeFrames = 15

// minSpeechBeforeBridge: the bridge applies only after this many voiced
// frames (100 ms), so the first frames of a beep, which the tone mask
// cannot flag yet, do not make the beep a word.
const minSpeechBeforeBridge = 10

// peakDecayDB: the loudest-speech reference falls 0.5 dB per second, so a
// single loud burst does not gate out the rest of the call, while the
// gate stays above steady background talk for the few seconds a decision
// takes.
const peakDecayDB = 0.005

// foregroundHoldDB: inside a voice run the foreground gate is this much
// lower than at its start (hysteresis, like HoldDB against OnsetDB).
const foregroundHoldDB = 5

// warmupFrames are the first frames whose 256-sample analysis window is
// not yet full of audio.
const warmupFrames = dsp.FFTSize / dsp.FrameSamples

// The low band (312–1000 Hz) holds the voiced-speech harmonics and the
// first formant, most of the power of speech, but under a quarter of the
// power of white line noise: watching it too gains about 5 dB of SNR on
// noisy lines.
const (
	lowBandLo = 10 // 312.5 Hz
	lowBandHi = 32 // 1000 Hz
)

// floorTracker follows the noise floor of one band level by minimum
// statistics over a window of blocks.
type floorTracker struct {
	blockMins []float64 // ring of completed block minima
	nBlocks   int       // how many entries of blockMins are filled
	next      int       // ring write position
	curMin    float64   // minimum of the block being filled
	curCount  int       // frames in the block being filled
	floorDB   float64   // current estimate
}

func newFloorTracker(windowMs int) floorTracker {
	blocks := max(1, windowMs/(floorBlockFrames*dsp.FrameMs))
	return floorTracker{blockMins: make([]float64, blocks), curMin: math.Inf(1), floorDB: math.Inf(1)}
}

// add feeds one frame level and updates the floor.
func (t *floorTracker) add(level float64) {
	if level < t.curMin {
		t.curMin = level
	}
	t.curCount++
	if t.curCount == floorBlockFrames {
		t.blockMins[t.next] = t.curMin
		t.next = (t.next + 1) % len(t.blockMins)
		if t.nBlocks < len(t.blockMins) {
			t.nBlocks++
		}
		t.curMin = math.Inf(1)
		t.curCount = 0
	}
	floor := t.curMin
	for i := 0; i < t.nBlocks; i++ {
		floor = math.Min(floor, t.blockMins[i])
	}
	t.floorDB = floor
}

// vad is an adaptive energy voice-activity detector: a frame is voice when
// the telephone-band level, or the low-band level, is well above its own
// noise floor (minimum statistics), with onset/hold hysteresis and an
// absolute minimum level. Tone frames are neither voice nor used for the
// floors (a 3 s fax tone must not become the "noise").
type vad struct {
	onsetDB, holdDB, minLevelDB, foregroundDB float64
	peakDB                                    float64 // loudest voiced level, slowly decaying

	full, low floorTracker

	levelDB float64 // telephone-band level of the last frame
	// bgFull and bgLow are the mean band levels (dB) of the background
	// heard between the callee's words (-Inf until known), lowRun the
	// frames of the current stretch far below the callee's speech.
	bgFull, bgLow float64
	lowRun        int
	inVoice       bool // previous frame was voiced (hysteresis state)
	toneRun       int  // consecutive tonal frames
	voiceRun      int  // consecutive voiced non-tonal frames before them
}

func newVAD(p Params) *vad {
	return &vad{onsetDB: p.OnsetDB, holdDB: p.HoldDB, minLevelDB: p.MinLevelDB, foregroundDB: p.ForegroundDB,
		peakDB: math.Inf(-1), bgFull: math.Inf(-1), bgLow: math.Inf(-1),
		full: newFloorTracker(p.FloorWindowMs), low: newFloorTracker(p.FloorWindowMs)}
}

// toDB converts a band power sum to dB (int16 scale).
func toDB(spec float64) float64 { return 10 * math.Log10(spec*specToMeanSquare+1) }

// bandLevelDB is the frame's telephone-band level in dB (int16 scale).
func bandLevelDB(f *dsp.Frame) float64 { return toDB(f.SpecEnergy) }

func lowBandLevelDB(f *dsp.Frame) float64 {
	var s float64
	for k := lowBandLo; k <= lowBandHi; k++ {
		s += float64(f.Spectrum[k])
	}
	return toDB(s)
}

// classify returns the class of a frame and updates the floors.
func (v *vad) classify(f *dsp.Frame, tonal bool) frameClass {
	level := bandLevelDB(f)
	v.levelDB = level
	if f.Index < warmupFrames {
		// The analysis window still holds the zeros before the file: the
		// level is too low and would pin the floor below the real noise.
		return classSilence
	}
	low := lowBandLevelDB(f)
	if tonal {
		// A short tonal run inside speech is a steady vowel, not a beep:
		// keep it in the word until it outlasts toneBridgeFrames.
		v.toneRun++
		if !v.inVoice || v.voiceRun < minSpeechBeforeBridge || v.toneRun > toneBridgeFrames {
			v.inVoice = false
			return classTone
		}
	} else {
		v.toneRun = 0
		v.full.add(level)
		v.low.add(low)
		v.trackBackground(level, low)
	}
	margin := v.onsetDB
	if v.inVoice {
		margin = v.holdDB
	}
	wasVoice := v.inVoice
	v.inVoice = level >= v.minLevelDB &&
		(level-v.base(v.full.floorDB, v.bgFull) >= margin || low-v.base(v.low.floorDB, v.bgLow) >= margin)
	v.peakDB -= peakDecayDB
	// Foreground gate: once the callee has spoken, a frame far below the
	// loudest speech heard is background (babble, a TV, a colleague), for
	// the word count and for the silence clocks alike. Minimum statistics
	// cannot tell: babble has dips, so its floor stays low and every
	// background syllable rises above it. A voice run must start within
	// foregroundDB of the peak; once started it holds down to
	// foregroundHoldDB more (weak consonants and word tails stay in the
	// word, the babble behind them does not).
	if v.inVoice {
		gate := v.peakDB - v.foregroundDB
		if wasVoice {
			gate -= foregroundHoldDB
		}
		if level < gate {
			v.inVoice = false
		}
	}
	switch {
	case !v.inVoice:
		v.voiceRun = 0
	case !tonal:
		v.voiceRun++
	}
	if !v.inVoice {
		return classSilence
	}
	v.peakDB = math.Max(v.peakDB, level)
	return classVoice
}

// floorDB is the telephone-band noise floor.
func (v *vad) floorDB() float64 { return v.full.floorDB }

// Background level. Minimum statistics put the floor at the deepest dip
// of the background; for stationary noise that is within a few dB of its
// mean, for babble (many talkers) 8–12 dB below it, so babble syllables
// clear OnsetDB and hold a word open. Once the callee has spoken, a
// stretch of bgStretchFrames (600 ms) or more that stays bgBelowPeakDB
// (11 dB) below the callee's loudest speech is a pause, not the weak part
// of a word (no word has 600 ms of only weak sounds): silent on a quiet
// line, babble in a busy room. Its mean level, less bgSlackDB, is the floor the onset
// and hold margins count from when it is above the minimum-statistics
// floor. (Chosen on the development corpus and on a variant with babble
// down to 10 dB below the callee: 11 dB costs no machine there and halves
// the people called MACHINE under 10–13 dB babble; 10 dB fixes them all
// but makes quieter phrases of a recorded greeting "background".)
const (
	bgStretchFrames = 60
	bgBelowPeakDB   = 11
	bgAlpha         = 0.05 // EMA weight per frame (time constant 200 ms)
	bgSlackDB       = 2
)

func (v *vad) trackBackground(level, low float64) {
	if math.IsInf(v.peakDB, -1) || level >= v.peakDB-bgBelowPeakDB {
		v.lowRun = 0
		return
	}
	v.lowRun++
	if v.lowRun < bgStretchFrames {
		return
	}
	if math.IsInf(v.bgFull, -1) {
		v.bgFull, v.bgLow = level, low
		return
	}
	v.bgFull += bgAlpha * (level - v.bgFull)
	v.bgLow += bgAlpha * (low - v.bgLow)
}

// base is the level the voice margins count from: the noise floor, or the
// background's mean less bgSlackDB when that is higher (babble).
func (v *vad) base(floor, bg float64) float64 { return math.Max(floor, bg-bgSlackDB) }
