package amd

import (
	"fmt"

	"github.com/khompctl/khompctl/pkg/amd/asterisk"
	"github.com/khompctl/khompctl/pkg/amd/cadence"
	"github.com/khompctl/khompctl/pkg/amd/template"
)

// Profiles: which detector `result` follows.
const (
	// ProfileDefault: the full pipeline, precedence fax > SIT > template >
	// cadence + beep.
	ProfileDefault = "default"
	// ProfileAsterisk: `result` is Asterisk AMD()'s AMDSTATUS (HUMAN,
	// MACHINE or NOTSURE). The other detectors still report.
	ProfileAsterisk = "asterisk"
)

// Config is how one recording is analysed. The zero value is not usable;
// start from DefaultConfig.
type Config struct {
	Profile  string
	Asterisk asterisk.Params
	Cadence  cadence.Params
	Policy   Policy
	// Templates is the opened template library (nil: no template matching).
	// A Library is safe for concurrent use, so one serves every worker.
	Templates *template.Library
	// AnswerAtMs, when positive, is where the call was answered in the
	// recording, known from elsewhere (the dialer's log): every detector
	// that times the call from its answer (Asterisk's AMD(), the cadence)
	// starts there, and call progress no longer moves it.
	AnswerAtMs int
	// Events adds the timestamped events (and the full parameters) to the
	// result.
	Events bool
	// Version is reported in the result.
	Version string
}

// DefaultConfig returns the defaults of every detector.
func DefaultConfig() Config {
	return Config{
		Profile:  ProfileDefault,
		Asterisk: asterisk.DefaultParams(),
		Cadence:  cadence.DefaultParams(),
		Policy:   DefaultPolicy(),
	}
}

// Validate reports the first unusable setting.
func (c *Config) Validate() error {
	switch c.Profile {
	case ProfileDefault, ProfileAsterisk:
	default:
		return fmt.Errorf("profile %q: want %s or %s", c.Profile, ProfileDefault, ProfileAsterisk)
	}
	if err := c.Asterisk.Validate(); err != nil {
		return err
	}
	if err := c.Cadence.Validate(); err != nil {
		return err
	}
	if c.AnswerAtMs < 0 {
		return fmt.Errorf("answer point %d ms: must not be negative", c.AnswerAtMs)
	}
	if c.Policy.EvidenceWindowMs <= 0 || c.Policy.BeepAfterHumanMs < 0 || c.Policy.GreetingGapMs < 0 || c.Policy.MinLoneBeepMs < 0 || c.Policy.MaxLoneBeeps < 0 || c.Policy.PostBeepQuietMs < 0 {
		return fmt.Errorf("policy: the evidence window must be positive, the beep windows not negative")
	}
	return nil
}
