package audio

import (
	"bufio"
	"path/filepath"
	"strconv"
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
// linear), slnNN (NN kHz), ulaw (.ul, .ulaw, .ulw, .pcm, .mu), alaw (.al,
// .alaw, .alw).
func rawFormatOf(name string) (rawFormat, bool) {
	switch name {
	case "sln", "raw", "slin", "s16":
		return rawFormat{"sln", encPCM16, 8000}, true
	case "ul", "ulaw", "ulw", "mulaw", "mu", "pcm":
		return rawFormat{"ul", encULaw, 8000}, true
	case "al", "alaw", "alw":
		return rawFormat{"al", encALaw, 8000}, true
	}
	if rate := slnRate(name); rate > 0 {
		return rawFormat{name, encPCM16, rate}, true
	}
	return rawFormat{}, false
}

// slnRate returns the rate of Asterisk's slinNN names (sln16 = 16 kHz,
// sln44 = 44.1 kHz), or 0.
func slnRate(name string) int {
	switch name {
	case "sln12":
		return 12000
	case "sln16":
		return 16000
	case "sln24":
		return 24000
	case "sln32":
		return 32000
	case "sln44":
		return 44100
	case "sln48":
		return 48000
	case "sln96":
		return 96000
	case "sln192":
		return 192000
	}
	return 0
}

// compressedExt names extensions of formats we recognise but do not decode.
func compressedExt(ext string) string {
	switch ext {
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
		if forced == "gsm" {
			return gsmRawSource(br, name)
		}
		if rf, ok := rawFormatOf(forced); ok {
			return rawSource(rf), nil
		}
		return source{}, &Error{File: name, Field: "format", Kind: ErrUnsupported,
			Msg: "unknown format " + strconv.Quote(forced) + " (want wav, sln, sln16, ul, al or gsm)"}
	}
	head, _ := br.Peek(12)
	riff := len(head) >= 4 && isRIFFMagic(string(head[:4]))
	if riff && len(head) == 12 && string(head[8:12]) == "WAVE" {
		return parseWAV(br, name)
	}
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))
	if ext == "wav" || ext == "wave" {
		return parseWAV(br, name) // reports what the header lacks
	}
	if rf, ok := rawFormatOf(ext); ok {
		return rawSource(rf), nil
	}
	if ext == "gsm" {
		return gsmRawSource(br, name)
	}
	if riff {
		return parseWAV(br, name) // a RIFF file of another kind: say which
	}
	if what := compressedExt(ext); what != "" {
		return source{}, &Error{File: name, Field: "format", Kind: ErrUnsupported,
			Msg: what + " is not supported; convert with: sox in." + ext + " -r 8000 -c 1 -e signed-integer -b 16 out.wav"}
	}
	return source{}, &Error{File: name, Field: "format", Kind: ErrUnsupported,
		Msg: "unknown file type (no RIFF header, extension " + strconv.Quote(ext) + "); name the format (wav, sln, sln16, ul, al, gsm)"}
}

func isRIFFMagic(m string) bool {
	return m == "RIFF" || m == "RF64" || m == "BW64" || m == "RIFX"
}

func rawSource(rf rawFormat) source {
	return source{format: rf.name, enc: rf.enc, rate: rf.rate, channels: 1, dataSize: unknownSize}
}

// IsAudioName reports whether a file name has an extension this package
// decodes (WAV/RF64, the raw Asterisk formats and GSM). Directory walks use it
// so that the list of readable formats lives in one place.
func IsAudioName(name string) bool {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))
	switch ext {
	case "wav", "wave", "rf64", "bw64", "gsm":
		return true
	}
	_, ok := rawFormatOf(ext)
	return ok
}
