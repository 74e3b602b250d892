package audio

import (
	"encoding/binary"
	"math"
)

// decodeChannel decodes len(dst) samples of one channel from interleaved
// data: sample i is stored at src[i*stride+off:]. Results are in int16
// scale. Each encoding has its own loop so the per-sample cost stays at a
// few nanoseconds (the 8 kHz path budget is 50 µs per second of audio).
func decodeChannel(enc encoding, src []byte, stride, off int, dst []float32) {
	if len(dst) == 0 {
		return
	}
	_ = src[(len(dst)-1)*stride+off+enc.bytes()-1] // callers pass whole frames: fail here, not mid-loop
	switch enc {
	case encPCM8:
		for i := range dst {
			dst[i] = float32(int(src[i*stride+off])-128) * 256
		}
	case encPCM16:
		if stride == 2 && off == 0 {
			for i := range dst {
				dst[i] = float32(int16(binary.LittleEndian.Uint16(src[2*i:])))
			}
			return
		}
		for i := range dst {
			dst[i] = float32(int16(binary.LittleEndian.Uint16(src[i*stride+off:])))
		}
	case encPCM24:
		for i := range dst {
			b := src[i*stride+off:]
			v := int32(uint32(b[0])<<8|uint32(b[1])<<16|uint32(b[2])<<24) >> 8
			dst[i] = float32(v) / 256
		}
	case encPCM32:
		for i := range dst {
			v := int32(binary.LittleEndian.Uint32(src[i*stride+off:]))
			dst[i] = float32(v) / 65536
		}
	case encFloat32:
		for i := range dst {
			v := math.Float32frombits(binary.LittleEndian.Uint32(src[i*stride+off:]))
			dst[i] = clampFloat(float64(v) * 32768)
		}
	case encFloat64:
		for i := range dst {
			v := math.Float64frombits(binary.LittleEndian.Uint64(src[i*stride+off:]))
			dst[i] = clampFloat(v * 32768)
		}
	case encULaw:
		for i := range dst {
			dst[i] = ulawTable[src[i*stride+off]]
		}
	case encALaw:
		for i := range dst {
			dst[i] = alawTable[src[i*stride+off]]
		}
	}
}

// clampFloat keeps hostile or clipped float samples inside the int16 range
// and turns NaN into silence: one NaN would otherwise poison every running
// energy sum downstream for the rest of the file.
func clampFloat(x float64) float32 {
	switch {
	case x != x:
		return 0
	case x > 32767:
		return 32767
	case x < -32768:
		return -32768
	}
	return float32(x)
}

// decodeMono decodes whole frames of interleaved data into dst, picking
// channel ch or, for ChannelMix, averaging all channels (scratch must be as
// long as dst). It returns the number of frames decoded.
func decodeMono(enc encoding, channels, ch int, src []byte, dst, scratch []float32) int {
	width := enc.bytes()
	stride := width * channels
	n := min(len(src)/stride, len(dst))
	dst = dst[:n]
	if ch != ChannelMix || channels == 1 {
		decodeChannel(enc, src, stride, max(ch, 0)*width, dst)
		return n
	}
	decodeChannel(enc, src, stride, 0, dst)
	for c := 1; c < channels; c++ {
		tmp := scratch[:n]
		decodeChannel(enc, src, stride, c*width, tmp)
		for i, v := range tmp {
			dst[i] += v
		}
	}
	inv := 1 / float32(channels)
	for i := range dst {
		dst[i] *= inv
	}
	return n
}
