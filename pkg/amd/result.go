// Package amd is the answering-machine-detection pipeline behind
// `khompctl amd analyze`: one pass over a recording through the shared
// front end (pkg/amd/dsp), every detector fed from the same frames
// (Asterisk's app_amd, the default cadence profile, fax/modem, SIT, beep,
// call progress, templates), an online decision with a documented
// precedence, and a result in KHOMP's and Asterisk's vocabularies.
package amd

import (
	"github.com/khompctl/khompctl/pkg/amd/asterisk"
	"github.com/khompctl/khompctl/pkg/amd/cadence"
)

// Result values (the `result` field).
const (
	Human   = "HUMAN"
	Machine = "MACHINE"
	Fax     = "FAX"
	SIT     = "SIT"
	Silence = "SILENCE"
	NotSure = "NOTSURE"
)

// Result is the analysis of one recording: the JSON object printed per file
// by `amd analyze --json`. The names of the contract fields of issue 5 are
// fixed; the rest are extras.
type Result struct {
	File       string  `json:"file"`
	DurationMs int     `json:"duration_ms"`
	Result     string  `json:"result"`
	DecisionMs int     `json:"decision_ms"`
	Confidence float64 `json:"confidence"`
	Conclusion string  `json:"conclusion"`
	Pattern    string  `json:"pattern"`
	// Cause names the evidence that decided, e.g. "fax:CED",
	// "sit:IC", "template:<name>", "cadence:HUMAN-800-800", "beep:1000Hz",
	// "asterisk:MAXWORDS-3-2".
	Cause string `json:"cause"`
	// Profile is the profile `result` follows: "default" or "asterisk".
	Profile string `json:"profile"`

	Asterisk *AsteriskResult `json:"asterisk"`
	Beep     *Beep           `json:"beep"`
	Fax      *FaxResult      `json:"fax"`
	SIT      *SITResult      `json:"sit"`
	Template *TemplateResult `json:"template"`

	// AnsweredAtMs is where the call was answered in the recording: 0 when
	// it starts at the answer, later when ringback came first.
	AnsweredAtMs int           `json:"answered_at_ms"`
	Progress     *ProgressInfo `json:"call_progress,omitempty"`
	Cadence      *CadenceInfo  `json:"cadence,omitempty"`
	Beeps        []Beep        `json:"beeps,omitempty"` // every beep-like tone heard, when more than one or none ended the greeting
	Audio        AudioInfo     `json:"audio"`
	// VICIdial is what KHOMPSTATUSMAP would make of conclusion/pattern
	// (filled by the CLI with --map).
	VICIdial *VICIdialAction `json:"vicidial,omitempty"`
	Events   []Event         `json:"events,omitempty"`
	Params   *Params         `json:"params,omitempty"`
	Version  string          `json:"version,omitempty"`
	Error    string          `json:"error,omitempty"`
}

// AsteriskResult is the exact answer of Asterisk's AMD() on the recording.
type AsteriskResult struct {
	Status     string `json:"status"`
	Cause      string `json:"cause"`
	DecisionMs int    `json:"decision_ms"`
}

// Beep is a single-frequency tone such as the one that ends a voicemail
// greeting. Detected is always true when the object is present (the field
// is null when no beep was heard).
type Beep struct {
	Detected   bool    `json:"detected"`
	FreqHz     float64 `json:"freq_hz"`
	StartMs    int     `json:"start_ms"`
	EndMs      int     `json:"end_ms"`
	DetectedMs int     `json:"detected_ms"`
	LevelDB    float64 `json:"level_dbm0"`
}

// FaxResult is a fax or modem answer signal.
type FaxResult struct {
	Signal     string  `json:"signal"` // CNG, CED, ANS_PR, ANSAM, V21, BELL2225
	StartMs    int     `json:"start_ms"`
	DetectedMs int     `json:"detected_ms"`
	FreqHz     float64 `json:"freq_hz,omitempty"`
	LevelDB    float64 `json:"level_dbm0,omitempty"`
}

// SITResult is a decoded special information tone.
type SITResult struct {
	Code       string       `json:"code"` // IC, NC, VC, RO, NC2, RO2, IO, RESERVED, ITU
	StartMs    int          `json:"start_ms"`
	DetectedMs int          `json:"detected_ms"`
	Segments   []SITSegment `json:"segments,omitempty"`
}

// SITSegment is one of the three tones of a SIT.
type SITSegment struct {
	FreqHz float64 `json:"freq_hz"`
	DurMs  int     `json:"dur_ms"`
}

// TemplateResult is a match against the template library.
type TemplateResult struct {
	Name       string  `json:"name"`
	Class      string  `json:"class"`
	Score      float64 `json:"score"`
	StartMs    int     `json:"start_ms"`
	OffsetMs   int     `json:"offset_ms"`
	DetectedMs int     `json:"detected_ms"`
	Hashes     int     `json:"matched_hashes"`
}

// ProgressInfo is what the call-progress detector heard before the answer.
type ProgressInfo struct {
	Ringback      bool   `json:"ringback"`
	Busy          bool   `json:"busy"`
	Region        string `json:"region,omitempty"`
	Rings         int    `json:"rings"`
	LastToneEndMs int    `json:"last_tone_end_ms"`
}

// CadenceInfo is the default cadence profile's verdict and the utterance
// pattern it was taken on.
type CadenceInfo struct {
	Result     string        `json:"result"`
	Cause      string        `json:"cause"`
	DecisionMs int           `json:"decision_ms"`
	Confidence float64       `json:"confidence"`
	Stats      cadence.Stats `json:"stats"`
	Segments   int           `json:"segments"`
}

// AudioInfo describes the input as read.
type AudioInfo struct {
	Format      string `json:"format"`
	Encoding    string `json:"encoding"`
	SampleRate  int    `json:"sample_rate"`
	Channels    int    `json:"channels"`
	Channel     int    `json:"channel"`
	ChannelNote string `json:"channel_note,omitempty"`
	Truncated   bool   `json:"truncated,omitempty"`
}

// VICIdialAction is the KHOMPSTATUSMAP lookup of conclusion/pattern.
type VICIdialAction struct {
	Action     string `json:"action"`
	Status     string `json:"status"`
	DialStatus string `json:"dial_status"`
	Rule       string `json:"rule"` // exact, conclusion or fallback
}

// Event is one timestamped step of the analysis (with --events).
type Event struct {
	TMs    int     `json:"t_ms"`
	Type   string  `json:"type"`
	Detail string  `json:"detail,omitempty"`
	EndMs  int     `json:"end_ms,omitempty"`
	FreqHz float64 `json:"freq_hz,omitempty"`
}

// Params records the parameters the file was analysed with.
type Params struct {
	Profile  string          `json:"profile"`
	Asterisk map[string]int  `json:"asterisk"`
	Cadence  *cadence.Params `json:"cadence,omitempty"`
	Library  string          `json:"templates,omitempty"`
}

func asteriskResult(r *asterisk.Result) *AsteriskResult {
	if r == nil {
		return nil
	}
	return &AsteriskResult{Status: r.Status, Cause: r.Cause, DecisionMs: r.DecidedMs}
}
