package amd

import (
	"fmt"
	"math"
	"strings"
)

// KHOMP's conclusions (the first half of a KHOMPSTATUSMAP key), as listed in
// the default map VICIdial ships.
const (
	ConclusionVoiceMail       = "Voice mail"
	ConclusionMachine         = "Answering machine"
	ConclusionInterception    = "Interception announcement"
	ConclusionFax             = "Fax"
	ConclusionShortHuman      = "Short human answer"
	ConclusionLongHuman       = "Long human answer"
	ConclusionNoSpeech        = "No speech"
	ConclusionUnknown         = "Unknown announcement"
	ConclusionRingback        = "Ringback signal"
	ConclusionNonHuman        = "Non human answer"
	ConclusionInterceptSignal = "Interception signaling"
)

// khompBeepHz are the beep frequencies KHOMP names in its "Voice mail NHz"
// patterns.
var khompBeepHz = []float64{300, 720, 1000, 1400, 2000}

// beepSnapTolerance is how close (relative) a measured beep must be to one
// of KHOMP's frequencies to take its name; farther beeps are named by their
// measured frequency rounded to 10 Hz, which a status map without that
// pattern resolves through the "Voice mail" conclusion line.
const beepSnapTolerance = 0.07

// BeepPattern is the KHOMP pattern for a voicemail beep of the given
// frequency, e.g. "Voice mail 1000Hz".
func BeepPattern(freqHz float64) string {
	return fmt.Sprintf("Voice mail %dHz", beepNameHz(freqHz))
}

func beepNameHz(freqHz float64) int {
	best, bestErr := 0.0, math.Inf(1)
	for _, k := range khompBeepHz {
		if e := math.Abs(freqHz-k) / k; e < bestErr {
			best, bestErr = k, e
		}
	}
	if bestErr <= beepSnapTolerance {
		return int(best)
	}
	return int(math.Round(freqHz/10) * 10)
}

// sitPatterns names each SIT code with KHOMP's "Interception announcement"
// patterns. IO keeps KHOMP's own spelling ("Innefective/other"); the map
// VICIdial ships escapes its slash, so that exact line never matches and
// the lookup falls back to the conclusion line, as it does at runtime.
var sitPatterns = map[string]string{
	"IC":       "SIT Tone - Intercept",
	"VC":       "SIT Tone - Vacant code",
	"RO":       "SIT Tone - Reorder intralata",
	"NC":       "SIT Tone - No circuit intralata",
	"RO2":      "SIT Tone - Reorder interlata",
	"NC2":      "SIT Tone - No circuit interlata",
	"IO":       "SIT Tone - Innefective/other",
	"RESERVED": "SIT Tone - Future use",
	"ITU":      "Special information tone - IC",
}

// SITPattern is KHOMP's pattern for a SIT code ("" for an unknown code,
// leaving only the conclusion).
func SITPattern(code string) string { return sitPatterns[code] }

// FaxPattern is KHOMP's pattern for a fax/modem signal: "Fax 1100Hz" for
// the calling tone, "Fax 2100Hz" for the answer tones, "Fax 1800Hz" for the
// V.21 preamble (1650/1850 Hz FSK, which KHOMP reports as 1800 Hz), with
// " before Voice" when the tone came before any voice (the fax answered the
// call itself); without it, someone or something spoke first (a voice menu
// handing over to a fax). KHOMP does not document the distinction; this is
// the reading that can be decided reliably, since a fax signal cannot
// create voice before itself. Bell 103's 2225 Hz has no KHOMP pattern and
// gets the bare conclusion.
func FaxPattern(signal string, beforeVoice bool) string {
	var p string
	switch signal {
	case "CNG":
		p = "Fax 1100Hz"
	case "CED", "ANS", "ANS_PR", "ANSAM", "ANSAM_PR":
		p = "Fax 2100Hz"
	case "V21":
		p = "Fax 1800Hz"
	default:
		return ""
	}
	if beforeVoice {
		p += " before Voice"
	}
	return p
}

// longHumanMs separates KHOMP's "Short human answer" ("Hello?") from a
// "Long human answer" (a name, a company greeting).
const longHumanMs = 1200

// templateResult maps a template class (its directory in the library) to a
// result: intercept classes are network announcements (SIT-like), the
// class names of other KHOMP conclusions keep their meaning, and every
// other class (voicemail prompts, IVRs, custom names) is a machine.
func templateResult(class string) string {
	switch {
	case strings.HasPrefix(class, "Interception"):
		return SIT
	case class == ConclusionFax:
		return Fax
	case class == ConclusionShortHuman || class == ConclusionLongHuman:
		return Human
	case class == ConclusionNoSpeech:
		return Silence
	}
	return Machine
}
