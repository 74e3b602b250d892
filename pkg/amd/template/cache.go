package template

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
)

// The index cache file:
//
//	magic "KHTPLIDX" | format uint32 | fingerprint version uint32
//	n uint32 | n × template record
//	k uint32 | k × skipped file (Path, Size, ModTime, warning)
//	offsets (hashSpace+1) × uint32 | m uint32 | m × entry uint32
//	crc32 (IEEE) of everything before it
//
// Everything is little-endian. Template records hold the strings
// (uint16 length + bytes) Path, Name, Class and the numbers Size, ModTime
// (int64), DurationMs, Landmarks, VoiceMs (int32), LevelDBFS (float32)
// and ToneMs (int32).
const (
	indexMagic  = "KHTPLIDX"
	indexFormat = 3
	// fingerprintVersion changes whenever peak picking or hashing changes,
	// so caches made by an older khompctl are rebuilt rather than trusted.
	fingerprintVersion = 2
)

// readIndexFile loads a cache. A missing file gives fs.ErrNotExist; a cache
// from another fingerprint version gives (nil, nil): it is simply rebuilt.
func readIndexFile(path string) (*Library, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) < 20 || string(data[:8]) != indexMagic {
		return nil, errors.New("not a khompctl template index")
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, errors.New("index checksum mismatch (damaged file)")
	}
	d := decoder{buf: body[8:]}
	if d.u32() != indexFormat || d.u32() != fingerprintVersion {
		return nil, nil
	}
	lib := &Library{}
	n := int(d.u32())
	if n > maxTmplIDs {
		return nil, fmt.Errorf("index holds %d templates", n)
	}
	lib.templates = make([]Template, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		t := Template{Path: d.str(), Name: d.str(), Class: d.str()}
		t.Size, t.ModTime = int64(d.u64()), int64(d.u64())
		t.DurationMs, t.Landmarks, t.VoiceMs = int(int32(d.u32())), int(int32(d.u32())), int(int32(d.u32()))
		t.LevelDBFS = float64(math.Float32frombits(d.u32()))
		t.ToneMs = int(int32(d.u32()))
		lib.templates = append(lib.templates, t)
	}
	k := int(d.u32())
	for i := 0; i < k && d.err == nil; i++ {
		sk := skippedFile{file: Template{Path: d.str()}}
		sk.file.Size, sk.file.ModTime = int64(d.u64()), int64(d.u64())
		sk.warning = d.str()
		lib.skipped = append(lib.skipped, sk)
	}
	ix := &index{offsets: d.u32s(hashSpace + 1)}
	ix.entries = d.u32s(int(d.u32()))
	if d.err != nil {
		return nil, d.err
	}
	if err := ix.validate(n); err != nil {
		return nil, err
	}
	ix.setLimit()
	ix.buildProfile(n)
	lib.ix = ix
	return lib, nil
}

// validate checks offsets and entries so a damaged cache cannot make the
// matcher index out of range.
func (ix *index) validate(n int) error {
	if ix.offsets[0] != 0 || int(ix.offsets[hashSpace]) != len(ix.entries) {
		return errors.New("index offsets do not match its entries")
	}
	for h := 0; h < hashSpace; h++ {
		if ix.offsets[h] > ix.offsets[h+1] {
			return errors.New("index offsets not increasing")
		}
	}
	for _, e := range ix.entries {
		if tid, _ := unpackEntry(e); tid >= n {
			return errors.New("index entry names a missing template")
		}
	}
	return nil
}

// writeIndexFile saves the cache atomically: a temporary file in the same
// directory, synced, then renamed over the old one.
func writeIndexFile(path string, lib *Library) error {
	var b bytes.Buffer
	b.Grow(64 + len(lib.templates)*96 + 4*(hashSpace+1+len(lib.ix.entries)))
	b.WriteString(indexMagic)
	e := encoder{&b}
	e.u32(indexFormat)
	e.u32(fingerprintVersion)
	e.u32(uint32(len(lib.templates)))
	for _, t := range lib.templates {
		e.str(t.Path)
		e.str(t.Name)
		e.str(t.Class)
		e.u64(uint64(t.Size))
		e.u64(uint64(t.ModTime))
		e.u32(uint32(int32(t.DurationMs)))
		e.u32(uint32(int32(t.Landmarks)))
		e.u32(uint32(int32(t.VoiceMs)))
		e.u32(math.Float32bits(float32(t.LevelDBFS)))
		e.u32(uint32(int32(t.ToneMs)))
	}
	e.u32(uint32(len(lib.skipped)))
	for _, sk := range lib.skipped {
		e.str(sk.file.Path)
		e.u64(uint64(sk.file.Size))
		e.u64(uint64(sk.file.ModTime))
		e.str(sk.warning)
	}
	e.u32s(lib.ix.offsets)
	e.u32(uint32(len(lib.ix.entries)))
	e.u32s(lib.ix.entries)
	e.u32(crc32.ChecksumIEEE(b.Bytes()))

	tmp, err := os.CreateTemp(filepath.Dir(path), ".khompctl-index-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(b.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

type encoder struct{ b *bytes.Buffer }

func (e encoder) u32(v uint32) { e.b.Write(binary.LittleEndian.AppendUint32(nil, v)) }
func (e encoder) u64(v uint64) { e.b.Write(binary.LittleEndian.AppendUint64(nil, v)) }
func (e encoder) str(s string) {
	if len(s) > math.MaxUint16 {
		s = s[:math.MaxUint16]
	}
	e.b.Write(binary.LittleEndian.AppendUint16(nil, uint16(len(s))))
	e.b.WriteString(s)
}
func (e encoder) u32s(v []uint32) {
	buf := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(buf[4*i:], x)
	}
	e.b.Write(buf)
}

// decoder reads the cache; the first short read sets err and later reads
// return zeros.
type decoder struct {
	buf []byte
	err error
}

func (d *decoder) take(n int) []byte {
	if d.err != nil || n < 0 || n > len(d.buf) {
		if d.err == nil {
			d.err = errors.New("index file truncated")
		}
		return nil
	}
	b := d.buf[:n]
	d.buf = d.buf[n:]
	return b
}

func (d *decoder) u32() uint32 {
	if b := d.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if b := d.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (d *decoder) str() string {
	b := d.take(2)
	if b == nil {
		return ""
	}
	return string(d.take(int(binary.LittleEndian.Uint16(b))))
}

func (d *decoder) u32s(n int) []uint32 {
	b := d.take(4 * n)
	if b == nil {
		return nil
	}
	out := make([]uint32, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out
}
