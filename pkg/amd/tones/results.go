package tones

// Fax is a detected fax or modem signal.
//
// Signal is one of:
//   - "CNG": the calling fax's 1100 Hz tone (≥ 420 ms of it);
//   - "CED": a 2100 Hz answer tone without phase reversals or AM (V.25 ANS /
//     T.30 CED), reported after 550 ms of steady tone;
//   - "ANS_PR": 2100 Hz with 180° phase reversals every 450 ms (V.25 ANS/,
//     the echo-canceller disabling answer tone of data modems and V.34 fax);
//   - "ANSAM": 2100 Hz with 15 Hz amplitude modulation (V.8 ANSam; with
//     phase reversals too it stays ANSAM and PhaseReversals is > 0);
//   - "V21": the V.21 channel 2 HDLC flag preamble (1650/1850 Hz FSK,
//     300 bit/s) that precedes every T.30 frame: the decisive fax cue when
//     the answering fax sends no CED;
//   - "BELL2225": the Bell 103/212 answer tone (2225 Hz), a data modem.
type Fax struct {
	Signal     string  `json:"signal"`
	StartMs    int     `json:"start_ms"`    // onset of the tone / preamble
	DetectedMs int     `json:"detected_ms"` // end of the frame at which it was certain
	FreqHz     float64 `json:"freq_hz"`     // measured tone frequency (V21: 1750, the channel centre)
	LevelDB    float64 `json:"level_dbm0"`  // tone level, dBm0
	// PhaseReversals counts the 180° reversals seen on a 2100 Hz tone so far.
	PhaseReversals int `json:"phase_reversals,omitempty"`
	// AMDepth is the measured 15 Hz modulation depth of a 2100 Hz tone (0.2
	// for ANSam, ≈0 for plain ANS).
	AMDepth float64 `json:"am_depth,omitempty"`
	// Flags is the number of back-to-back HDLC flags counted (V21).
	Flags int `json:"flags,omitempty"`
	// DurMs is how long the tone has lasted (kept up to date until it
	// ends): a CNG burst is ≈ 500 ms, a CED 2.6-4 s.
	DurMs int `json:"dur_ms,omitempty"`
	// Bursts counts the CNG bursts of ≥ 420 ms heard so far (CNG only). One
	// lone 1100 Hz burst after a greeting may be a voicemail beep; two, or
	// one before any speech, are a calling fax.
	Bursts int `json:"bursts,omitempty"`
}

// Segment is one tone segment of a SIT.
type Segment struct {
	FreqHz float64 `json:"freq_hz"`
	DurMs  int     `json:"dur_ms"`
}

// SIT is a decoded special information tone.
//
// Code is one of the North-American codes "IC" (intercept), "NC" (no
// circuit), "VC" (vacant code), "RO" (reorder), "NC2" (NC′, no circuit
// inter-LATA), "RO2" (RO′, reorder inter-LATA), "IO" (ineffective other),
// "RESERVED" (future use), or "ITU" for the E.180 950/1400/1800 Hz sequence.
type SIT struct {
	Code       string    `json:"code"`
	StartMs    int       `json:"start_ms"`
	DetectedMs int       `json:"detected_ms"`
	Segments   []Segment `json:"segments"`
	LevelDB    float64   `json:"level_dbm0"`
}

// Beep is one single-frequency tone burst of 70-1500 ms (the end-of-greeting
// beep of a voicemail), reported once it has ended.
type Beep struct {
	FreqHz     float64 `json:"freq_hz"`
	StartMs    int     `json:"start_ms"`
	EndMs      int     `json:"end_ms"`
	DetectedMs int     `json:"detected_ms"`
	LevelDB    float64 `json:"level_dbm0"`
	// VoiceBeforeMs is how much non-tone sound above -40 dBm0 the detector
	// had heard before the beep: 0 for a tone before anyone spoke (ringback
	// of some region, a tone of the network), not a greeting's end.
	VoiceBeforeMs int `json:"voice_before_ms"`
}

// DurMs is the duration of the beep.
func (b Beep) DurMs() int { return b.EndMs - b.StartMs }

// Progress is the call-progress state: ringback and busy tones heard so far.
type Progress struct {
	Ringback bool   `json:"ringback"` // at least one ring burst heard
	Busy     bool   `json:"busy"`     // a busy (or reorder/congestion) cadence confirmed
	Region   string `json:"region"`   // "US" (dual tones), "EU" (425 Hz, 1 s rings / 500 ms busy) or "BR" (425 Hz, 250 ms busy); "" if nothing
	Rings    int    `json:"rings"`    // completed ring bursts
	// AnsweredAtMs is the start of the first audio that is neither silence
	// nor a progress tone after the last ring: the answer point of a
	// recording that started before answer. -1 while unknown (no ringback,
	// or still ringing).
	AnsweredAtMs int `json:"answered_at_ms"`
	// LastToneEndMs is the end of the last progress-tone burst (-1 if none).
	LastToneEndMs int `json:"last_tone_end_ms"`
	// RingbackMs and BusyMs are the ends of the frames at which ringback and
	// busy were first certain (-1 if never).
	RingbackMs int `json:"ringback_ms"`
	BusyMs     int `json:"busy_ms"`
	// Reorder is set with Busy when the cadence is the fast 250/250 ms one
	// (US reorder/congestion on 480+620 Hz; the BR busy on 425 Hz).
	Reorder bool `json:"reorder,omitempty"`
	// RingHz is the measured frequency of the last ring (the merged lobe's
	// for a pair: ≈ 460 Hz for 440+480, ≈ 421 Hz for 400+450), RingOnMs its
	// on-time (a double ring from its first burst's start to its second's
	// end) and RingPeriodMs the start-to-start time of the last two rings
	// (0 until two were heard). A beep at RingHz before the answer is a ring.
	RingHz       float64 `json:"ring_hz,omitempty"`
	RingOnMs     int     `json:"ring_on_ms,omitempty"`
	RingPeriodMs int     `json:"ring_period_ms,omitempty"`
	// AudioBeforeRingMs is how much sound (≥ 10 dB over the line floor, not
	// a progress tone) was heard before the first ring: a "ring" after a
	// greeting is a long 400-500 Hz beep, or a transfer, not ringback
	// before the answer.
	AudioBeforeRingMs int `json:"audio_before_ring_ms,omitempty"`
}
