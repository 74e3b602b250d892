// Command evaltemplates measures the false-match rate of template AMD: it
// enrols a library of Asterisk prompts that the AMD corpora never use (the
// development corpus takes the top-level en/ and es/ prompts over 24 KB,
// except tt-* and tone files; the held-out corpus takes followme/ and
// dictate/), then runs every audio file of the given corpora through the
// matcher. Any match is a false match: none of the enrolled audio is in
// the corpora. It prints files, hours and false matches per hour per
// corpus and exits 1 if there was any.
//
//	go run ./scripts/evaltemplates /tmp/dev /tmp/heldout
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
	"github.com/khompctl/khompctl/pkg/amd/template"
)

func main() {
	sounds := flag.String("sounds", "/usr/share/asterisk/sounds", "Asterisk sounds directory")
	keep := flag.String("library", "", "build the library here and keep it (default: a temporary directory)")
	withReversed := flag.Bool("reversed", false, "also enrol every top-level en/es prompt time-reversed (~650 more templates that no corpus can contain: a stress test)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: evaltemplates [-sounds DIR] [-library DIR] CORPUS_DIR...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	lib, err := buildLibrary(*sounds, *keep, *withReversed)
	if err != nil {
		fmt.Fprintf(os.Stderr, "evaltemplates: %v\n", err)
		os.Exit(2)
	}
	total := 0
	for _, dir := range flag.Args() {
		n, err := evalCorpus(lib, dir)
		if err != nil {
			fmt.Fprintf(os.Stderr, "evaltemplates: %v\n", err)
			os.Exit(2)
		}
		total += n
	}
	if total > 0 {
		os.Exit(1)
	}
}

// unusedPrompts lists the en/es prompts no AMD corpus uses: top-level
// prompts of 1.2 s to 24 KB (the development corpus takes only larger
// ones; "hello" is its human sample) and the tt-* prompts (excluded from
// its pool), all of them speech except tt-monkeys (enrolled once: the
// es/ file is the same recording).
func unusedPrompts(sounds string) ([]string, error) {
	var out []string
	for _, lang := range []string{"en", "es"} {
		ents, err := os.ReadDir(filepath.Join(sounds, lang))
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".wav") {
				continue
			}
			info, err := e.Info()
			if err != nil {
				return nil, err
			}
			base := strings.TrimSuffix(name, ".wav")
			small := info.Size() >= 19200 && info.Size() <= 24000 && base != "hello" &&
				!strings.Contains(base, "tone") && !strings.HasPrefix(base, "beep")
			// es/tt-monkeys is the very recording of en/tt-monkeys.
			if (small || strings.HasPrefix(base, "tt-")) && !(lang == "es" && base == "tt-monkeys") {
				out = append(out, filepath.Join(sounds, lang, name))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

func buildLibrary(sounds, dir string, withReversed bool) (*template.Library, error) {
	files, err := unusedPrompts(sounds)
	if err != nil {
		return nil, err
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "evaltemplates-"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
	}
	for _, f := range files {
		lang := filepath.Base(filepath.Dir(f))
		dst := filepath.Join(dir, "Voice mail", lang+"-"+filepath.Base(f))
		if err := copyFile(f, dst); err != nil {
			return nil, err
		}
	}
	if withReversed {
		if err := addReversed(sounds, filepath.Join(dir, "Reversed")); err != nil {
			return nil, err
		}
	}
	lib, warnings, err := template.Open(dir)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		fmt.Printf("library warning: %s\n", w)
	}
	var secs float64
	for _, t := range lib.Templates() {
		secs += float64(t.DurationMs) / 1000
	}
	fmt.Printf("library: %d templates (%d prompts offered), %.0f s of audio\n", lib.Len(), len(files), secs)
	return lib, nil
}

// addReversed writes every top-level en/es prompt, time-reversed, into
// dir: audio with the statistics of speech that no recording contains.
func addReversed(sounds, dir string) error {
	for _, lang := range []string{"en", "es"} {
		files, err := filepath.Glob(filepath.Join(sounds, lang, "*.wav"))
		if err != nil {
			return err
		}
		for _, f := range files {
			s, err := template.ReadAudioFile(f, 0)
			if err != nil {
				return err
			}
			for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
				s[i], s[j] = s[j], s[i]
			}
			if len(s) < 800 {
				continue
			}
			name := lang + "-" + strings.TrimSuffix(filepath.Base(f), ".wav") + "-reversed"
			if _, err := template.Add(filepath.Dir(dir), filepath.Base(dir), name, s); err != nil && !errors.Is(err, template.ErrUnusable) {
				return err
			}
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

type result struct {
	path  string
	secs  float64
	match *template.Match
	err   error
}

// evalCorpus matches every audio file under dir and reports; it returns
// the number of (false) matches.
func evalCorpus(lib *template.Library, dir string) (int, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && template.IsAudioFile(d.Name()) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if len(files) == 0 {
		return 0, fmt.Errorf("%s: no audio files", dir)
	}
	results := make([]result, len(files))
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := lib.NewMatcher()
			for i := range work {
				results[i] = matchFile(m, files[i])
			}
		}()
	}
	for i := range files {
		work <- i
	}
	close(work)
	wg.Wait()
	var secs float64
	matches := 0
	for _, r := range results {
		if r.err != nil {
			return 0, r.err
		}
		secs += r.secs
		if r.match != nil {
			matches++
			fmt.Printf("  FALSE MATCH %s: %s/%s score %.2f, %d hashes, at %d ms\n", r.path, r.match.Class, r.match.Name, r.match.Score, r.match.Hashes, r.match.StartMs)
		}
	}
	hours := secs / 3600
	fmt.Printf("%s: %d files, %.2f h of audio, %d false matches = %.2f per hour\n", dir, len(files), hours, matches, float64(matches)/hours)
	return matches, nil
}

func matchFile(m *template.Matcher, path string) result {
	s, err := template.ReadAudioFile(path, 0)
	if err != nil {
		return result{path: path, err: err}
	}
	m.Reset()
	an := dsp.NewAnalyzer()
	an.Write(s, m.Process)
	an.Flush(m.Process)
	return result{path: path, secs: float64(len(s)) / dsp.SampleRate, match: m.Match()}
}
