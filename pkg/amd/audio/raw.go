package audio

import (
	"bufio"
	"path/filepath"
	"strings"
)

// rawFormat describes a headerless Asterisk recording format.
type rawFormat struct {
	name string
	enc  encoding
	rate int
}

// rawFormatOf maps a format name or file extension (without the dot,
// lower case) to a raw format. Asterisk names: sln/raw (8 kHz signed
// linear), slnNN (NN kHz), ulaw (.ul, .ulaw, .pcm), alaw (.al, .alaw).
func rawFormatOf(name string) (rawFormat, bool) {
	switch name {
	case "sln", "raw", "slin", "s16":
		return rawFormat{"sln", encPCM16, 8000}, true
	case "ul", "ulaw", "mulaw", "mu", "pcm", "u8":
		return rawFormat{"ul", encULaw, 8000}, true
	case "al", "alaw", "a8":
		return rawFormat{"al", encALaw, 8000}, true
	}
	slnRates := map[string]int{"sln12": 12000, "sln16": 16000, "sln24": 24000, "sln32": 32000,
		"sln44": 44100, "sln48": 48000, "sln96": 96000, "sln192": 192000}
	if r, ok := slnRates[name]; ok {
		return rawFormat{name, encPCM16, r}, true
	}
	return rawFormat{}, false
}

// compressedExt names extensions of formats we recognise but do not decode.
func compressedExt(ext string) string {
	switch ext {
	case "gsm":
		return "raw GSM 6.10"
	case "g729":
		return "G.729"
	case "g722":
		return "G.722"
	case "g726", "g726-32", "g721":
		return "G.726"
	case "mp3":
		return "MP3"
	case "ogg", "oga", "opus":
		return "Ogg/Opus/Vorbis"
	case "flac":
		return "FLAC"
	case "siren7", "siren14":
		return "Siren"
	}
	return ""
}

// detect decides how to read the input: a forced format, else a RIFF
// header if there is one (a .raw or .sln file that is really a WAV is a
// common mistake), else the file extension.
func detect(br *bufio.Reader, name, forced string) (source, error) {
	forced = strings.ToLower(strings.TrimPrefix(forced, "."))
	if forced != "" {
		if forced == "wav" || forced == "wave" || forced == "rf64" {
			return parseWAV(br, name)
		}
		if rf, ok := rawFormatOf(forced); ok {
			return rawSource(rf), nil
		}
		return source{}, &Error{File: name, Field: "format", Kind: ErrUnsupported,
			Msg: "unknown format \"" + forced + "\" (want wav, sln, sln16, ul or al)"}
	}
	if head, _ := br.Peek(4); len(head) == 4 {
		switch string(head) {
		case "RIFF", "RF64", "BW64", "RIFX":
			return parseWAV(br, name)
		}
	}
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))
	if ext == "wav" || ext == "wave" {
		return parseWAV(br, name) // reports what the header lacks
	}
	if rf, ok := rawFormatOf(ext); ok {
		return rawSource(rf), nil
	}
	if what := compressedExt(ext); what != "" {
		return source{}, &Error{File: name, Field: "format", Kind: ErrUnsupported,
			Msg: what + " is not supported; convert with: sox in." + ext + " -r 8000 -c 1 -e signed-integer -b 16 out.wav"}
	}
	return source{}, &Error{File: name, Field: "format", Kind: ErrUnsupported,
		Msg: "unknown file type (no RIFF header, extension \"" + ext + "\"); name the format (wav, sln, sln16, ul, al)"}
}

func rawSource(rf rawFormat) source {
	return source{format: rf.name, enc: rf.enc, rate: rf.rate, channels: 1, dataSize: unknownSize}
}
