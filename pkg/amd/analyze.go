package amd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/khompctl/khompctl/pkg/amd/asterisk"
	"github.com/khompctl/khompctl/pkg/amd/audio"
	"github.com/khompctl/khompctl/pkg/amd/cadence"
	"github.com/khompctl/khompctl/pkg/amd/dsp"
	"github.com/khompctl/khompctl/pkg/amd/template"
	"github.com/khompctl/khompctl/pkg/amd/tones"
)

// readChunk is how many samples are read at a time: 0.5 s, large enough to
// amortise the reader, small enough to check for cancellation often.
const readChunk = 4000

// Analyze reads the whole stream once and runs every detector on the same
// frames. Memory does not depend on the length of the recording. The
// returned Result has every field except File (the caller knows the name
// the user gave) and VICIdial.
func Analyze(ctx context.Context, s *audio.Stream, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := newPipeline(&cfg)
	buf := make([]float32, readChunk)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := s.Read(buf)
		p.write(buf[:n])
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	res := p.finish()
	res.Audio = audioInfo(s)
	return res, nil
}

// pipeline holds one recording's detectors. Nothing in the per-frame path
// allocates.
type pipeline struct {
	cfg     *Config
	front   *dsp.Analyzer
	onFrame func(*dsp.Frame)

	ast     *asterisk.Detector
	cad     *cadence.Cadence
	mask    *toneMask
	bank    *tones.Bank
	matcher *template.Matcher

	samples  int64 // samples read: the duration
	answerMs int   // answer point given to the cadence (0: the start)
	// notAnswerMs is an answer point call progress proposed that was not
	// one (ringback after speech, a transfer), so it is not judged again.
	notAnswerMs int
	// silentAnswered: answerMs is where the next ring was due after the
	// ringing stopped with nothing heard (see silentAnswer).
	silentAnswered bool
	lastTonalMs    int // end of the last frame the tone bank called tonal
	lastFrame      int // end of the last frame, ms
	astFromMs      int // Asterisk's AMD() starts with the frame starting here
}

func newPipeline(cfg *Config) *pipeline {
	p := &pipeline{
		cfg:   cfg,
		front: dsp.NewAnalyzer(),
		ast:   asterisk.New(cfg.Asterisk),
		cad:   cadence.New(cfg.Cadence),
		bank:  tones.NewBank(),
	}
	p.mask = newToneMask(p.cad)
	if cfg.AnswerAtMs > 0 {
		p.answerMs = cfg.AnswerAtMs
		p.mask.answer(cfg.AnswerAtMs)
		// Asterisk hears whole frames from the first one at the answer.
		p.astFromMs = (cfg.AnswerAtMs + dsp.FrameMs - 1) / dsp.FrameMs * dsp.FrameMs
	}
	if cfg.Templates != nil && cfg.Templates.Len() > 0 {
		p.matcher = cfg.Templates.NewMatcher()
	}
	p.onFrame = p.frame
	return p
}

func (p *pipeline) write(samples []float32) {
	p.samples += int64(len(samples))
	p.front.Write(samples, p.onFrame)
}

// frame feeds one 10 ms frame to every detector.
func (p *pipeline) frame(f *dsp.Frame) {
	if !p.ast.Done() && f.StartMs() >= p.astFromMs {
		p.ast.Process(f)
	}
	tonal := p.bank.Process(f)
	if tonal {
		p.lastTonalMs = f.EndMs()
	}
	if p.matcher != nil {
		p.matcher.Process(f)
	}
	if p.cfg.AnswerAtMs == 0 {
		p.followAnswer(f.EndMs())
	}
	p.mask.process(f, tonal)
	p.lastFrame = f.EndMs()
}

// followAnswer moves the answer point of a recording that starts before the
// answer. As soon as call progress knows where the answer was (the first
// audio after the last ring), the cadence restarts its analysis there (it
// replays what it heard since, so nothing is lost). When the ringing stops
// and nothing is heard, the call was answered at the latest when the next
// ring was due: one ring-off period after the last ring; the
// initial-silence clock starts there.
func (p *pipeline) followAnswer(nowMs int) {
	st := p.bank.Progress.State()
	if p.silentAnswered && st.LastToneEndMs <= p.answerMs {
		return // answered in silence; later speech is not a later answer
	}
	at, silent := st.AnsweredAtMs, false
	if at <= 0 {
		at, silent = p.silentAnswer(st, nowMs), true
	}
	if at <= 0 || at == p.answerMs || at == p.notAnswerMs {
		return
	}
	if p.preAnswer(st, at) {
		p.answerMs, p.silentAnswered = at, silent
		p.mask.answer(at)
	} else {
		p.notAnswerMs = at // judged once
	}
}

// silentAnswer is the latest possible answer point when ringback stopped
// and no audio followed: the end of the last ring plus one ring-off period.
// 0 while that moment has not come (or there was no ringback).
func (p *pipeline) silentAnswer(st tones.Progress, nowMs int) int {
	if !st.Ringback || st.Busy || st.LastToneEndMs <= 0 || p.answerMs > st.LastToneEndMs {
		return 0
	}
	at := st.LastToneEndMs + p.ringOffMs(st)
	if nowMs < at+ringGraceMs || nowMs-p.lastTonalMs < ringGraceMs {
		return 0 // the next ring may still come, or is sounding
	}
	return at
}

// answeredAfterRings reports whether an answer point stands after the last
// ring: a ring heard after a silent answer point means it was still
// ringing.
func (p *pipeline) answeredAfterRings(st tones.Progress) bool {
	return p.answerMs > 0 && (!p.silentAnswered || st.LastToneEndMs <= p.answerMs)
}

// ringOffMs is the silence between two rings: measured when two rings were
// heard, else the cadence profile's default (the longest usual ring-off).
func (p *pipeline) ringOffMs(st tones.Progress) int {
	if off := st.RingPeriodMs - st.RingOnMs; st.RingPeriodMs > 0 && off >= minRingOffMs && off <= maxRingOffMs {
		return off
	}
	return p.cfg.Cadence.RingbackOffMs
}

// Limits on what counts as ringback before the answer (rather than a
// transfer or a hold tone in the middle of a call).
const (
	maxAnswerMs  = 120000 // dialers give up ringing well before 2 minutes
	ringCycleMs  = 6000   // the longest ring cycle (US: 2 s on, 4 s off)
	minRingOffMs = 1500   // UK/AU/IN double ring: 2 s off
	maxRingOffMs = 5000   // US and most others: 4 s off
	// ringGraceMs: a ring may come this much later than one ring-off
	// period (cadence tolerance, detection delay) before the ringing is
	// taken to have stopped.
	ringGraceMs = 500
)

// preAnswer reports whether an answer at atMs after the ringback call
// progress heard is plausible: early enough, and with nobody speaking
// before the rings.
func (p *pipeline) preAnswer(st tones.Progress, atMs int) bool {
	if atMs > maxAnswerMs {
		return false
	}
	if p.answerMs > 0 {
		return true // already in the pre-answer phase: follow refinements
	}
	for _, s := range p.cad.Segments() {
		if s.EndMs < st.RingbackMs-ringCycleMs {
			return false // speech before the ringing
		}
	}
	return true
}

// finish flushes the front end, closes every detector and fuses them.
func (p *pipeline) finish() *Result {
	p.front.Flush(p.onFrame)
	p.mask.flush(p.lastFrame)
	p.bank.Flush(p.lastFrame)
	ast := p.ast.Finish()
	if p.cfg.AnswerAtMs > 0 {
		// app_amd counts from its start; report it in file time like the rest.
		dated := *ast
		dated.DecidedMs += p.astFromMs
		ast = &dated
	}
	prog := p.bank.Progress.State()
	ev := &evidence{
		endMs:      int(p.samples * 1000 / dsp.SampleRate),
		answeredAt: p.answerMs,
		busy:       prog.Busy,
		ast:        ast,
		fax:        faxResult(p.bank.Fax.Result()),
		sit:        sitResult(p.bank.SIT.Result()),
		beeps:      beepResults(p.bank.Beep.Beeps()),
		voice:      p.cad.Segments(),
	}
	if p.matcher != nil {
		ev.tmpl = templateMatch(p.matcher.Match())
	}
	// Still ringing at the end (or only busy) and nobody spoke: nobody
	// answered, and what the cadence made of the silence between rings
	// means nothing.
	if (prog.Ringback || prog.Busy) && prog.AnsweredAtMs < 0 && !p.answeredAfterRings(prog) && p.cad.Stats().Words == 0 {
		ev.ringing = true
	} else {
		ev.cad = p.mask.decision(p.lastFrame)
	}

	var v verdict
	if p.cfg.Profile == ProfileAsterisk {
		v = fuseAsterisk(ev, p.cfg.Policy)
	} else {
		v = fuseDefault(ev, p.cfg.Policy)
	}
	res := &Result{
		DurationMs:   ev.endMs,
		Result:       v.result,
		DecisionMs:   v.decisionMs,
		Confidence:   round3(v.confidence),
		Conclusion:   v.conclusion,
		Pattern:      v.pattern,
		Cause:        v.cause,
		Profile:      p.cfg.Profile,
		Asterisk:     asteriskResult(ast),
		Fax:          ev.fax,
		SIT:          ev.sit,
		Template:     ev.tmpl,
		AnsweredAtMs: ev.answeredAt,
		Cadence:      cadenceInfo(p.cad, ev.cad),
		Params:       p.params(),
		Version:      p.cfg.Version,
	}
	res.Beep = ev.reportedBeep(p.cfg.Policy)
	if len(ev.beeps) > 1 || (len(ev.beeps) == 1 && res.Beep == nil) {
		res.Beeps = ev.beeps // every beep-like tone, also those not taken as the greeting's beep
	}
	if prog.Ringback || prog.Busy {
		res.Progress = &ProgressInfo{Ringback: prog.Ringback, Busy: prog.Busy, Region: prog.Region,
			Rings: prog.Rings, LastToneEndMs: prog.LastToneEndMs}
	}
	if p.cfg.Events {
		res.Events = events(ev, res, prog)
	}
	return res
}

func (p *pipeline) params() *Params {
	pr := &Params{Profile: p.cfg.Profile, Asterisk: p.cfg.Asterisk.Map()}
	if p.cfg.Templates != nil {
		pr.Library = p.cfg.Templates.Dir
	}
	if p.cfg.Events {
		c := p.cfg.Cadence
		pr.Cadence = &c
	}
	return pr
}

func cadenceInfo(c *cadence.Cadence, d *cadence.Decision) *CadenceInfo {
	info := &CadenceInfo{Stats: c.Stats(), Segments: len(c.Segments())}
	info.Stats.NoiseFloorDB = round1(info.Stats.NoiseFloorDB)
	if d != nil {
		info.Result, info.Cause, info.DecisionMs = d.Result, d.Cause, d.DecidedMs
		info.Confidence = round3(d.Confidence)
	}
	return info
}

func audioInfo(s *audio.Stream) AudioInfo {
	in := s.Info()
	return AudioInfo{Format: in.Format, Encoding: in.Encoding, SampleRate: in.SampleRate,
		Channels: in.Channels, Channel: in.Channel, ChannelNote: in.ChannelNote, Truncated: s.Truncated()}
}

func faxResult(f *tones.Fax) *FaxResult {
	if f == nil {
		return nil
	}
	return &FaxResult{Signal: f.Signal, StartMs: f.StartMs, DetectedMs: f.DetectedMs,
		FreqHz: round1(f.FreqHz), LevelDB: round1(f.LevelDB)}
}

func sitResult(s *tones.SIT) *SITResult {
	if s == nil {
		return nil
	}
	r := &SITResult{Code: s.Code, StartMs: s.StartMs, DetectedMs: s.DetectedMs}
	for _, seg := range s.Segments {
		r.Segments = append(r.Segments, SITSegment{FreqHz: round1(seg.FreqHz), DurMs: seg.DurMs})
	}
	return r
}

func beepResults(bs []tones.Beep) []Beep {
	var out []Beep
	for _, b := range bs {
		out = append(out, Beep{Detected: true, FreqHz: round1(b.FreqHz), StartMs: b.StartMs, EndMs: b.EndMs,
			DetectedMs: b.DetectedMs, LevelDB: round1(b.LevelDB)})
	}
	return out
}

func templateMatch(m *template.Match) *TemplateResult {
	if m == nil {
		return nil
	}
	return &TemplateResult{Name: m.Name, Class: m.Class, Score: round3(m.Score), StartMs: m.StartMs,
		OffsetMs: m.OffsetMs, DetectedMs: m.DetectedMs, Hashes: m.Hashes}
}

// events lists what happened, in time order.
func events(ev *evidence, res *Result, prog tones.Progress) []Event {
	var out []Event
	for _, s := range ev.voice {
		out = append(out, Event{TMs: s.StartMs, Type: "voice_start"}, Event{TMs: s.EndMs, Type: "voice_end"})
	}
	for _, b := range ev.beeps {
		out = append(out, Event{TMs: b.StartMs, Type: "beep", EndMs: b.EndMs, FreqHz: b.FreqHz,
			Detail: fmt.Sprintf("%.0f Hz, %d ms, %.1f dBm0", b.FreqHz, b.EndMs-b.StartMs, b.LevelDB)})
	}
	if f := ev.fax; f != nil {
		out = append(out, Event{TMs: f.StartMs, Type: "fax", Detail: f.Signal, FreqHz: f.FreqHz})
	}
	if s := ev.sit; s != nil {
		out = append(out, Event{TMs: s.StartMs, Type: "sit", Detail: s.Code})
	}
	if t := ev.tmpl; t != nil {
		out = append(out, Event{TMs: t.StartMs, Type: "template", Detail: fmt.Sprintf("%s/%s score %.2f", t.Class, t.Name, t.Score)})
	}
	if prog.RingbackMs >= 0 && prog.Ringback {
		out = append(out, Event{TMs: prog.RingbackMs, Type: "ringback", Detail: fmt.Sprintf("%s, %d rings", prog.Region, prog.Rings)})
	}
	if prog.BusyMs >= 0 && prog.Busy {
		out = append(out, Event{TMs: prog.BusyMs, Type: "busy", Detail: prog.Region})
	}
	if ev.answeredAt > 0 {
		out = append(out, Event{TMs: ev.answeredAt, Type: "answer"})
	}
	if a := ev.ast; a != nil {
		out = append(out, Event{TMs: a.DecidedMs, Type: "asterisk", Detail: a.Status + " " + a.Cause})
	}
	if c := ev.cad; c != nil {
		out = append(out, Event{TMs: c.DecidedMs, Type: "cadence", Detail: c.Result + " " + c.Cause})
	}
	out = append(out, Event{TMs: res.DecisionMs, Type: "decision", Detail: res.Result + " " + res.Cause})
	sort.SliceStable(out, func(i, j int) bool { return out[i].TMs < out[j].TMs })
	return out
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
