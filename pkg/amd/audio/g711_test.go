package audio

import "testing"

// Known codewords from the ITU-T G.711 tables.
func TestG711KnownValues(t *testing.T) {
	ulaw := map[byte]int16{0x00: -32124, 0x80: 32124, 0xFF: 0, 0x7F: 0, 0xFE: 8, 0x7E: -8, 0xEF: 132, 0x8F: 16764, 0x70: -120}
	for code, want := range ulaw {
		if got := ULawDecode(code); got != want {
			t.Errorf("ULawDecode(%#02x) = %d, want %d", code, got, want)
		}
	}
	alaw := map[byte]int16{0xD5: 8, 0x55: -8, 0xAA: 32256, 0x2A: -32256, 0xD4: 24, 0xC5: 264}
	for code, want := range alaw {
		if got := ALawDecode(code); got != want {
			t.Errorf("ALawDecode(%#02x) = %d, want %d", code, got, want)
		}
	}
}

// Every codeword survives decode then encode (µ-law's two zeros both map
// to the positive zero 0xFF).
func TestG711CodewordRoundTrip(t *testing.T) {
	for i := range 256 {
		c := byte(i)
		wantU := c
		if c == 0x7F {
			wantU = 0xFF
		}
		if got := ULawEncode(ULawDecode(c)); got != wantU {
			t.Errorf("ULawEncode(ULawDecode(%#02x)) = %#02x", c, got)
		}
		if got := ALawEncode(ALawDecode(c)); got != c {
			t.Errorf("ALawEncode(ALawDecode(%#02x)) = %#02x", c, got)
		}
	}
}

// The encoders are monotonic and quantise within half a step: the decoded
// value never moves backwards as the input grows, and the error is at most
// half the gap between the chosen level and its neighbours. (G.711 puts
// its decision thresholds at segment edges, so near an edge the level
// chosen can be 2 LSB further than the other neighbour: not "nearest".)
// Bit-exactness against an independent encoder is checked with sox.
func TestG711EncodersQuantiseWithinHalfStep(t *testing.T) {
	check := func(name string, enc func(int16) byte, dec func(byte) int16) {
		prev := -1 << 20
		for x := -32768; x <= 32767; x++ {
			c := enc(int16(x))
			got := int(dec(c))
			if got < prev {
				t.Fatalf("%s not monotonic at %d: %d after %d", name, x, got, prev)
			}
			prev = got
			gap := neighbourGap(got, dec)
			if abs(got-x) > gap/2+1 {
				t.Fatalf("%s(%d) = %#02x decodes to %d: error %d, half step %d", name, x, c, got, abs(got-x), gap/2)
			}
		}
	}
	check("ULawEncode", ULawEncode, ULawDecode)
	check("ALawEncode", ALawEncode, ALawDecode)
}

// neighbourGap is the larger distance from a level to the nearest level
// below and above it (the edge levels use their one neighbour; levels
// beyond the top and bottom are unbounded, so they get full scale).
func neighbourGap(level int, dec func(byte) int16) int {
	below, above := 1<<20, 1<<20
	for i := range 256 {
		l := int(dec(byte(i)))
		if l < level {
			below = min(below, level-l)
		} else if l > level {
			above = min(above, l-level)
		}
	}
	if below == 1<<20 || above == 1<<20 {
		return 1 << 20
	}
	return max(below, above)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
