// Package template is template (fingerprint) answering-machine detection:
// known recordings (carrier voicemail prompts, intercept announcements,
// IVRs) are enrolled in a library, and a call's audio is matched against
// them with landmark hashes, in the style of audfprint but adapted to 8 kHz
// telephone audio and to the shared 10 ms front end of pkg/amd/dsp.
//
// A landmark is a pair of spectral peaks (f1 at t1, f2 at t2); its hash is
// (f1, f2-f1, t2-t1). Peaks are local maxima of an onset-emphasised log
// spectrum that rise above a decaying masking threshold, so they survive
// gain changes, G.711/GSM coding, band-limiting and stationary noise. A
// recording matches a template when enough query hashes agree on one time
// offset between the two.
package template

import (
	"math"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// Fingerprint geometry. The hash packs f1 (7 bits), f2-f1 (6 bits) and
// t2-t1 (6 bits) into 19 bits.
const (
	loBin      = 10  // 312.5 Hz: below it, telephone channels roll off
	hiBin      = 108 // 3375 Hz
	bandBins   = hiBin - loBin + 1
	maxDF      = 31 // largest |f2-f1| in bins (~970 Hz)
	maxDT      = 63 // largest t2-t1 in frames (630 ms)
	hashBits   = 19
	hashSpace  = 1 << hashBits
	maxPerFrm  = 4 // peaks kept per frame at most
	fanout     = 4 // pairs made from each anchor peak at most
	timeBits   = 15
	maxFrames  = 1<<timeBits - 1      // longest template: 327 s
	maxTmplIDs = 1<<(32-timeBits) - 1 // ids 0..2^17-2: voteKey stores id+1 in 17 bits
)

// Peak-picking tuning, in log2-power units (1 unit = 3.01 dB).
const (
	// floorLog2 rejects bins quieter than about -65 dB below a full-scale
	// sine, so silence, dither and G.711 idle noise make no peaks.
	floorLog2 = 20.5
	// decayPerFrame lowers the masking threshold each frame (15 dB/s):
	// a strong peak masks weaker ones near it in frequency for a while.
	decayPerFrame = 0.04
	// spreadPerBin2 shapes the masking skirt around a peak: the threshold
	// drops by spreadPerBin2*d² units d bins away (a Gaussian in power).
	spreadPerBin2 = 0.015
	// smoothing of the per-bin running level used for onset emphasis
	// (time constant ~100 ms): steady tones and noise are subtracted out.
	levelAlpha = 0.1
	// minRise is how far above its running level a peak must rise.
	minRise = 0.5
	// Noise floor per bin: follows dips quickly and rises slowly (6 dB/s),
	// so it sits at the background between words; a peak must stand
	// noiseMargin above it, which keeps noise from making peaks.
	noiseDown   = 0.2
	noiseUp     = 0.02
	noiseMargin = 5
	// Stationary noise (hiss): every bin fluctuates around its own mean
	// level, and the dips pull the noise floor far below it, so noise
	// alone clears noiseMargin. A peak must also stand meanMargin above
	// the bin's slow mean log level (time constant ~0.5 s): stationary
	// noise exceeds its log mean by 12 dB about once in 10,000 bin-frames,
	// speech onsets do so all the time.
	meanAlpha = 0.02
	// meanUp: the mean follows rises faster (time constant ~200 ms), so
	// hiss that starts after digital silence (a voicemail's tail) stops
	// making peaks within about 0.3 s.
	meanUp     = 0.05
	meanMargin = 4
	// Steady tones (beeps, hum harmonics, a carrier's test tone): a bin
	// that has been a spectral maximum for persistFrames frames in a row
	// (±1 bin) is a tone, not speech; it makes no peaks until it stops.
	persistFrames = 20
)

// Landmark is one hash with the frame of its anchor peak.
type Landmark struct {
	Hash uint32
	T    int32 // frame of the first peak (10 ms units)
}

// fingerprinter turns frames into landmarks online. It allocates nothing
// per frame once warmed up.
type fingerprinter struct {
	level [bandBins]float32 // running log level per bin
	mean  [bandBins]float32 // slow mean log level per bin (stationary noise)
	// persist counts, per bin, the consecutive frames it has been a
	// spectral local maximum (steady tones).
	persist [bandBins]uint16
	noise   [bandBins]float32 // background (noise floor) per bin
	thresh  [bandBins]float32 // masking threshold per bin
	logs    [bandBins]float32 // log2 power of the current frame
	prev    [bandBins]float32 // ... and of the previous one
	decay   float32           // masking decay accumulated (see pickPeaks)
	warmup  int               // frames seen, up to warmupFrames
	pend    [bandBins]int     // previous frame's candidate bins
	npend   int
	cand    [bandBins]int // confirmed peak bins
	// recent peaks (ring), the anchors of future pairs
	ring  [ringSize]peak
	head  int // index of the oldest
	count int
}

// warmupFrames: the spectrum's 256-sample window is full from the 4th
// 80-sample frame on.
const warmupFrames = 4

const ringSize = 512 // > maxDT * maxPerFrm

type peak struct {
	t     int32
	bin   uint8
	pairs uint8
}

// reset returns the fingerprinter to its initial state (start of audio).
func (fp *fingerprinter) reset() { *fp = fingerprinter{} }

// process consumes one frame and calls emit for every landmark completed
// on it (their second peak is in this frame).
func (fp *fingerprinter) process(f *dsp.Frame, emit func(Landmark)) {
	n := fp.pickPeaks(f)
	if n == 0 {
		return
	}
	t := int32(f.Index) - 1 // peaks are confirmed one frame late
	fp.expire(t)
	// Pair each new peak with earlier anchors still in the target zone.
	for i := 0; i < n; i++ {
		b := fp.cand[i]
		for j := 0; j < fp.count; j++ {
			a := &fp.ring[(fp.head+j)%ringSize]
			if a.pairs >= fanout || a.t >= t {
				continue
			}
			df := b - int(a.bin)
			if df < -maxDF || df > maxDF {
				continue
			}
			a.pairs++
			emit(Landmark{Hash: packHash(int(a.bin), df, int(t-a.t)), T: a.t})
		}
	}
	for i := 0; i < n; i++ {
		fp.push(peak{t: t, bin: uint8(fp.cand[i])})
	}
}

func packHash(f1, df, dt int) uint32 {
	return uint32(f1-loBin)<<12 | uint32(df+32)<<6 | uint32(dt)
}

// expire drops anchors too old to pair with a peak at frame t.
func (fp *fingerprinter) expire(t int32) {
	for fp.count > 0 && t-fp.ring[fp.head].t > maxDT {
		fp.head = (fp.head + 1) % ringSize
		fp.count--
	}
}

func (fp *fingerprinter) push(p peak) {
	if fp.count == ringSize { // cannot happen with maxPerFrm*maxDT < ringSize
		fp.head = (fp.head + 1) % ringSize
		fp.count--
	}
	fp.ring[(fp.head+fp.count)%ringSize] = p
	fp.count++
}

// pickPeaks finds the peaks of the previous frame, strongest first, into
// fp.cand and returns how many. A peak must be a local maximum in
// frequency and in time (not lower than the same bin one frame later, so
// a rising onset yields one peak at its top, not one per frame), loud,
// rising above its recent level, clear of the noise floor and above the
// masking threshold. It updates the running levels and the threshold.
func (fp *fingerprinter) pickPeaks(f *dsp.Frame) int {
	cur := &fp.logs
	spec := (*[bandBins]float32)(f.Spectrum[loBin : loBin+bandBins])
	for k, p := range spec {
		cur[k] = fastLog2(p + 1)
	}
	if fp.warmup < warmupFrames {
		fp.warmStart(cur)
	}
	// The masking threshold decays by decayPerFrame each frame; rather
	// than lowering every bin, thresholds are stored raised by the decay
	// accumulated so far (fp.decay) and compared against v + fp.decay.
	fp.decay += decayPerFrame
	// Confirm last frame's candidates that are time maxima.
	n := 0
	for _, k := range fp.pend[:fp.npend] {
		if v := fp.prev[k]; v >= cur[k] && v+fp.decay > fp.thresh[k] {
			fp.cand[n] = k
			n++
		}
	}
	// Strongest first, then accept while above the (updated) threshold.
	sortByLevel(fp.cand[:n], &fp.prev)
	kept := 0
	for i := 0; i < n && kept < maxPerFrm; i++ {
		k := fp.cand[i]
		v := fp.prev[k] + fp.decay
		if v <= fp.thresh[k] {
			continue
		}
		fp.spread(k, v)
		fp.cand[kept] = k + loBin
		kept++
	}
	if fp.decay > 1e4 { // re-base long before float32 loses precision
		for k := range fp.thresh {
			fp.thresh[k] -= fp.decay
		}
		fp.decay = 0
	}
	fp.findCandidates(cur)
	fp.prev = *cur
	return kept
}

// warmStart sets the running levels at the start of the audio. The
// onset level and the noise floor start at the first frame, so the
// opening of the audio is not one big onset (yet a word starting at the
// first sample still makes peaks). The slow mean starts at the average
// over the band, re-taken until the 256-sample window is full (the
// first frames cover a partly empty window): for noise that is its level
// in every bin (single-frame values would start some bins in a dip and
// make peaks for a second); for speech it is well below the formants.
func (fp *fingerprinter) warmStart(cur *[bandBins]float32) {
	if fp.warmup == 0 {
		fp.level, fp.noise = *cur, *cur
	}
	fp.warmup++
	var sum float32
	for _, v := range cur {
		sum += v
	}
	for k := range fp.mean {
		fp.mean[k] = sum / bandBins
	}
}

// findCandidates marks this frame's local maxima in frequency that are
// loud, rising (onset emphasis removes steady tones, hum and stationary
// noise) and clear of the noise floor; they become peaks next frame if
// they are also maxima in time. It updates the running level and noise
// floor of every bin in the same pass.
func (fp *fingerprinter) findCandidates(cur *[bandBins]float32) {
	var eligible [bandBins]bool
	level, noise, mean := &fp.level, &fp.noise, &fp.mean
	for k, v := range cur {
		rise := v - level[k]
		level[k] += levelAlpha * rise
		d := v - noise[k]
		eligible[k] = v >= floorLog2 && rise >= minRise && d >= noiseMargin && v-mean[k] >= meanMargin
		mean[k] += meanAlpha * (v - mean[k])
		// Falls quickly toward dips, rises slowly (noiseUp per frame).
		step := noiseDown * d
		if step > noiseUp {
			step = noiseUp
		}
		noise[k] += step
	}
	fp.markPeaks(cur, &eligible)
}

// markPeaks marks the eligible bins that are local maxima in frequency
// and not steady tones as this frame's candidates. In the same pass it
// counts, per bin, the consecutive frames it has been a loud local
// maximum: a steady tone keeps its bin a maximum frame after frame,
// speech harmonics and noise move on. (The neighbour above is compared
// with its count from the previous frame: one frame makes no difference
// to a 200 ms rule, and one pass is cheaper.)
func (fp *fingerprinter) markPeaks(cur *[bandBins]float32, eligible *[bandBins]bool) {
	persist := &fp.persist
	fp.npend = 0
	for k := 1; k < bandBins-1; k++ {
		v := cur[k]
		isMax := v > cur[k-1] && v >= cur[k+1]
		switch {
		case !isMax || v < floorLog2:
			persist[k] = 0
		case persist[k] < math.MaxUint16:
			persist[k]++
		}
		if isMax && eligible[k] && max(persist[k-1], persist[k], persist[k+1]) < persistFrames {
			fp.pend[fp.npend] = k
			fp.npend++
		}
	}
}

// spread raises the masking threshold around an accepted peak.
func (fp *fingerprinter) spread(k int, v float32) {
	lo, hi := max(0, k-24), min(bandBins-1, k+24)
	for j := lo; j <= hi; j++ {
		d := float32(j - k)
		if m := v - spreadPerBin2*d*d; m > fp.thresh[j] {
			fp.thresh[j] = m
		}
	}
}

// sortByLevel orders bins by descending level (insertion sort: n is small).
func sortByLevel(bins []int, logs *[bandBins]float32) {
	for i := 1; i < len(bins); i++ {
		b := bins[i]
		j := i
		for j > 0 && logs[bins[j-1]] < logs[b] {
			bins[j] = bins[j-1]
			j--
		}
		bins[j] = b
	}
}

// fastLog2 approximates log2(x) for x ≥ 1 to about 0.01 (0.03 dB), far
// cheaper than math.Log on every bin of every frame.
func fastLog2(x float32) float32 {
	bits := math.Float32bits(x)
	e := float32(int32(bits>>23&0xff) - 127)
	m := math.Float32frombits(bits&0x7fffff | 0x3f800000) // mantissa in [1,2)
	return e + (-0.34484843*m+2.02466578)*m - 0.67487759
}

// Fingerprint computes the landmarks of a whole recording (8 kHz samples,
// int16 scale). Enrollment and learning use it; matching uses the same
// code online through Matcher.
func Fingerprint(samples []float32) []Landmark {
	var fp fingerprinter
	an := dsp.NewAnalyzer()
	var out []Landmark
	emit := func(l Landmark) { out = append(out, l) }
	frame := func(f *dsp.Frame) {
		if f.Index <= maxFrames {
			fp.process(f, emit)
		}
	}
	an.Write(samples, frame)
	an.Flush(frame)
	return out
}

// enrollSpeeds are the playback speeds a template is fingerprinted at.
// A recording played 1 % fast or slow shifts every frequency by 1 % (a
// whole bin at 3 kHz), which would change many hashes; enrolling the
// template at ±0.7 % too makes those hashes known, at 3× the index size
// but no extra cost per query frame.
var enrollSpeeds = [...]float64{1, 0.993, 1.007}

// enrollLandmarks fingerprints a template at every enroll speed, mapping
// the times of the sped-up copies back to the template's own timeline,
// and returns the distinct landmarks. base is the count at normal speed.
func enrollLandmarks(samples []float32) (all []Landmark, base int) {
	seen := make(map[Landmark]bool)
	for i, speed := range enrollSpeeds {
		x := samples
		if speed != 1 {
			x = resample(samples, speed)
		}
		for _, lm := range Fingerprint(x) {
			lm.T = int32(math.Round(float64(lm.T) * speed))
			if lm.T > maxFrames || seen[lm] {
				continue
			}
			seen[lm] = true
			all = append(all, lm)
			if i == 0 {
				base++
			}
		}
	}
	return all, base
}

// resample plays samples at speed (1.01 = 1 % faster and higher) with
// Catmull-Rom cubic interpolation: adequate for fingerprints.
func resample(x []float32, speed float64) []float32 {
	n := int(float64(len(x)) / speed)
	out := make([]float32, n)
	at := func(i int) float32 {
		if i < 0 || i >= len(x) {
			return 0
		}
		return x[i]
	}
	for j := range out {
		pos := float64(j) * speed
		i := int(pos)
		f := float32(pos - float64(i))
		p0, p1, p2, p3 := at(i-1), at(i), at(i+1), at(i+2)
		out[j] = p1 + 0.5*f*(p2-p0+f*(2*p0-5*p1+4*p2-p3+f*(3*(p1-p2)+p3-p0)))
	}
	return out
}
