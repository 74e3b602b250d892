package asterisk

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Params are app_amd's tunables, in ms unless noted. The names of the keys
// (see Keys) are those of amd.conf's [general] section.
type Params struct {
	InitialSilence       int // initial_silence: silence before the greeting → MACHINE
	Greeting             int // greeting: cumulative voice once the greeting started → MACHINE
	AfterGreetingSilence int // after_greeting_silence: silence after the greeting → HUMAN
	TotalAnalysisTime    int // total_analysis_time: → NOTSURE
	MinimumWordLength    int // min_word_length: voice that makes a word
	BetweenWordsSilence  int // between_words_silence: silence that ends a word
	MaximumNumberOfWords int // maximum_number_of_words: more words than this → MACHINE
	SilenceThreshold     int // silence_threshold: mean |sample| (0..32767) below which a frame is silent
	MaximumWordLength    int // maximum_word_length: one word this long → MACHINE
}

// DefaultParams are the compiled-in defaults of app_amd (and of the sample
// amd.conf), including maximum_number_of_words = 2 (the "exceed" semantics
// since 2015) and dsp.conf's silence threshold of 256.
func DefaultParams() Params {
	return Params{
		InitialSilence:       2500,
		Greeting:             1500,
		AfterGreetingSilence: 800,
		TotalAnalysisTime:    5000,
		MinimumWordLength:    100,
		BetweenWordsSilence:  50,
		MaximumNumberOfWords: 2,
		SilenceThreshold:     256,
		MaximumWordLength:    5000,
	}
}

// Key describes one amd.conf parameter.
type Key struct {
	Name  string // amd.conf key, e.g. "initial_silence"
	Usage string
	Field func(*Params) *int
}

// Keys lists the parameters in the order of AMD()'s positional arguments.
var Keys = []Key{
	{"initial_silence", "max silence before the greeting, ms (→ MACHINE)", func(p *Params) *int { return &p.InitialSilence }},
	{"greeting", "max cumulative voice once the greeting started, ms (→ MACHINE)", func(p *Params) *int { return &p.Greeting }},
	{"after_greeting_silence", "silence after the greeting, ms (→ HUMAN)", func(p *Params) *int { return &p.AfterGreetingSilence }},
	{"total_analysis_time", "analysis time limit, ms (→ NOTSURE)", func(p *Params) *int { return &p.TotalAnalysisTime }},
	{"min_word_length", "min consecutive voice that makes a word, ms", func(p *Params) *int { return &p.MinimumWordLength }},
	{"between_words_silence", "min silence that ends a word, ms", func(p *Params) *int { return &p.BetweenWordsSilence }},
	{"maximum_number_of_words", "more words than this → MACHINE", func(p *Params) *int { return &p.MaximumNumberOfWords }},
	{"silence_threshold", "mean |sample| (0-32767) below which a 20 ms frame is silence", func(p *Params) *int { return &p.SilenceThreshold }},
	{"maximum_word_length", "one word this long, ms (→ MACHINE)", func(p *Params) *int { return &p.MaximumWordLength }},
}

// Set assigns the parameter named by its amd.conf key.
func (p *Params) Set(key string, value int) error {
	for _, k := range Keys {
		if k.Name == key {
			if value < 0 {
				return fmt.Errorf("%s: %d is negative", key, value)
			}
			if value > maxParam {
				return fmt.Errorf("%s: %d is more than %d", key, value, maxParam)
			}
			*k.Field(p) = value
			return nil
		}
	}
	return fmt.Errorf("unknown amd.conf key %q", key)
}

// Map returns the parameters keyed by their amd.conf names.
func (p Params) Map() map[string]int {
	m := make(map[string]int, len(Keys))
	for _, k := range Keys {
		m[k.Name] = *k.Field(&p)
	}
	return m
}

// maxParam bounds every parameter (an hour, in ms): after the end of the
// audio the detector runs on digital silence until total_analysis_time.
const maxParam = 3600000

// Validate rejects values app_amd could not meaningfully run with.
func (p Params) Validate() error {
	for _, k := range Keys {
		if v := *k.Field(&p); v < 0 {
			return fmt.Errorf("%s: %d is negative", k.Name, v)
		} else if v > maxParam {
			return fmt.Errorf("%s: %d is more than %d", k.Name, v, maxParam)
		}
	}
	if p.TotalAnalysisTime == 0 {
		return errors.New("total_analysis_time: must be positive")
	}
	return nil
}

// ParseConf reads an Asterisk amd.conf and applies the [general] keys on top
// of base. Unknown keys (and playback_file, which does not affect the
// decision) are ignored, as Asterisk ignores them; a value that is not an
// integer is an error naming the line.
func ParseConf(r io.Reader, base Params) (Params, error) {
	p := base
	sc := bufio.NewScanner(r)
	section := ""
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if i := strings.IndexByte(text, ';'); i >= 0 {
			text = text[:i]
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		if strings.HasPrefix(text, "[") {
			end := strings.IndexByte(text, ']')
			if end < 0 {
				return base, fmt.Errorf("line %d: unterminated section header", line)
			}
			section = strings.TrimSpace(text[1:end])
			continue
		}
		if section != "general" {
			continue
		}
		key, val, ok := strings.Cut(text, "=")
		if !ok {
			return base, fmt.Errorf("line %d: expected key = value", line)
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(strings.TrimPrefix(val, ">")) // "=>" is also valid
		if !isKey(key) {
			continue
		}
		n, err := strconv.Atoi(val)
		if err != nil {
			return base, fmt.Errorf("line %d: %s: %q is not an integer", line, key, val)
		}
		if err := p.Set(key, n); err != nil {
			return base, fmt.Errorf("line %d: %v", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return base, err
	}
	return p, nil
}

func isKey(name string) bool {
	for _, k := range Keys {
		if k.Name == name {
			return true
		}
	}
	return false
}

// ParseArgs applies the positional arguments of the dialplan application,
// as written in extensions.conf, on top of base:
//
//	AMD(initialSilence,greeting,afterGreetingSilence,totalAnalysisTime,
//	    minimumWordLength,betweenWordsSilence,maximumNumberOfWords,
//	    silenceThreshold,maximumWordLength[,audioFile])
//
// "AMD(" and ")" around the list are optional; an empty position keeps the
// value from base, as in Asterisk; the audio file (the tenth position) does
// not affect the decision and is ignored. Unlike Asterisk's atoi, a value
// that is not a whole number is an error naming its position.
func ParseArgs(s string, base Params) (Params, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(strings.ToUpper(s), "AMD(") && strings.HasSuffix(s, ")") {
		s = s[4 : len(s)-1]
	}
	p := base
	if strings.TrimSpace(s) == "" {
		return p, nil
	}
	fields := strings.Split(s, ",")
	if len(fields) > len(Keys)+1 {
		return base, fmt.Errorf("AMD() takes at most %d arguments, got %d", len(Keys)+1, len(fields))
	}
	for i, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" || i == len(Keys) {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return base, fmt.Errorf("AMD() argument %d (%s): %q is not a whole number", i+1, Keys[i].Name, f)
		}
		if err := p.Set(Keys[i].Name, n); err != nil {
			return base, fmt.Errorf("AMD() argument %d: %v", i+1, err)
		}
	}
	return p, nil
}
