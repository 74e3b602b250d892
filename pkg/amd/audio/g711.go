package audio

import "math/bits"

// G.711 companding, implemented from ITU-T G.711 (µ-law with the 0x84 bias
// and 8 segments of 16 steps, A-law with 13-bit magnitude and even-bit
// inversion 0x55). The decoders return the exact int16 of the standard
// tables; the encoders quantise to the nearest level.

const (
	ulawBias = 0x84  // µ-law bias added before segment search (132)
	ulawClip = 32635 // largest magnitude that does not overflow after the bias
)

// ULawDecode returns the linear int16 value of a µ-law codeword.
func ULawDecode(u byte) int16 {
	u = ^u
	t := (int(u&0x0F) << 3) + ulawBias
	t <<= (u & 0x70) >> 4
	if u&0x80 != 0 {
		return int16(ulawBias - t)
	}
	return int16(t - ulawBias)
}

// ULawEncode returns the µ-law codeword nearest to a linear sample.
func ULawEncode(s int16) byte {
	x := int(s)
	sign := byte(0) // before the final complement: 0x80 marks a negative sample
	if x < 0 {
		x = -x
		sign = 0x80
	}
	if x > ulawClip {
		x = ulawClip
	}
	x += ulawBias
	seg := bits.Len(uint(x>>7)) - 1 // x>>7 is in [1, 255]: segments 0..7
	mant := byte(x>>(seg+3)) & 0x0F
	return ^(sign | byte(seg)<<4 | mant)
}

// ALawDecode returns the linear int16 value of an A-law codeword.
func ALawDecode(a byte) int16 {
	a ^= 0x55
	t := int(a&0x0F) << 4
	seg := (a & 0x70) >> 4
	switch seg {
	case 0:
		t += 8
	case 1:
		t += 0x108
	default:
		t += 0x108
		t <<= seg - 1
	}
	if a&0x80 != 0 {
		return int16(t)
	}
	return int16(-t)
}

// ALawEncode returns the A-law codeword nearest to a linear sample.
func ALawEncode(s int16) byte {
	x := int(s) >> 3   // A-law works on 13 bits
	mask := byte(0xD5) // positive: sign bit set, then even-bit inversion
	if x < 0 {
		mask = 0x55
		x = -x - 1 // magnitude of the negative value, one's complement like the tables
	}
	// x <= 0xFFF here. Segment 0 covers 0..0x1F, then one segment per bit.
	seg := max(bits.Len(uint(x))-5, 0)
	var v byte
	if seg < 2 {
		v = byte(seg)<<4 | byte(x>>1)&0x0F
	} else {
		v = byte(seg)<<4 | byte(x>>seg)&0x0F
	}
	return v ^ mask
}

// g711 decoding tables in the pipeline's float32 int16 scale.
var ulawTable, alawTable = func() (u, a [256]float32) {
	for i := range 256 {
		u[i] = float32(ULawDecode(byte(i)))
		a[i] = float32(ALawDecode(byte(i)))
	}
	return
}()
