package template

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// GraduatedDir is where Learn moves the candidates of a graduated (or
// already known) group, inside the captured directory, so they are not
// grouped again.
const GraduatedDir = ".graduated"

// LearnOptions control Learn.
type LearnOptions struct {
	CapturedDir string // candidates saved by Capture
	LibraryDir  string // the template library to add to
	MinCount    int    // a group must have at least this many candidates
	DryRun      bool   // report only; change nothing
}

// Group is a set of candidates that match each other: the same recording
// heard on several calls.
type Group struct {
	Members []string `json:"members"` // candidate WAV paths
	// Representative is the member that becomes the template: the one
	// matching most other members, then the longest.
	Representative string `json:"representative"`
	Class          string `json:"class"`
	Name           string `json:"name"`   // the new template's name
	Action         string `json:"action"` // "graduated", "would graduate", "known", "too few", "unusable"
	Template       string `json:"template,omitempty"`
	// Unusable says why the group's audio cannot become a template (a
	// beep, a tone, hiss): such a group is reported, never graduated.
	Unusable string `json:"unusable,omitempty"`
	// Known names the library template that already matches the group.
	Known string `json:"known,omitempty"`
}

// LearnReport says what Learn did.
type LearnReport struct {
	Candidates int      `json:"candidates"`
	Groups     []Group  `json:"groups"` // groups of 2 or more, largest first
	Singles    int      `json:"singles"`
	Warnings   []string `json:"warnings,omitempty"`
	DryRun     bool     `json:"dry_run"`
}

type candidate struct {
	path    string
	class   string
	samples []float32
}

// Learn groups captured candidates that match each other and graduates
// every group of at least MinCount into the library as one template named
// "<class> <short hash>". Groups that a library template already matches
// are reported as known. Members of graduated and known groups are moved
// to CapturedDir/.graduated/<name>/ (nothing changes with DryRun).
func Learn(opts LearnOptions) (*LearnReport, error) {
	if opts.MinCount < 2 {
		return nil, fmt.Errorf("--min-count %d: at least 2 candidates must agree", opts.MinCount)
	}
	cands, warnings, err := loadCandidates(opts.CapturedDir)
	if err != nil {
		return nil, err
	}
	rep := &LearnReport{Candidates: len(cands), Warnings: warnings, DryRun: opts.DryRun}
	groups := groupCandidates(cands)
	var lib *Library
	if _, err := os.Stat(opts.LibraryDir); err == nil {
		l, w, err := Open(opts.LibraryDir)
		if err != nil {
			return nil, err
		}
		lib = l
		rep.Warnings = append(rep.Warnings, w...)
	}
	for _, g := range groups {
		if len(g.members) < 2 {
			rep.Singles++
			continue
		}
		out, err := graduate(opts, lib, cands, g)
		if err != nil {
			return rep, err
		}
		if !opts.DryRun && (out.Action == "graduated" || out.Action == "known") {
			if err := retire(opts.CapturedDir, out.Name, out.Members); err != nil {
				rep.Warnings = append(rep.Warnings, err.Error())
			}
		}
		rep.Groups = append(rep.Groups, out)
	}
	if hasGraduated(rep) {
		// Rebuild the index now so the next analysis starts fast.
		if _, w, err := Open(opts.LibraryDir); err == nil {
			rep.Warnings = append(rep.Warnings, w...)
		}
	}
	return rep, nil
}

// graduate decides what happens to one group: known (a library template
// already matches it), too few, would graduate (dry run) or graduated
// (added to the library).
func graduate(opts LearnOptions, lib *Library, cands []candidate, g group) (Group, error) {
	out := describeGroup(cands, g)
	if lib != nil && lib.Len() > 0 {
		out.Known = knownIn(lib, cands[g.rep].samples)
	}
	switch {
	case out.Known != "":
		out.Action = "known"
	case len(g.members) < opts.MinCount:
		out.Action = "too few"
	case unusableGroup(&out, cands[g.rep].samples):
		out.Action = "unusable"
	case opts.DryRun:
		out.Action = "would graduate"
	default:
		path, err := Add(opts.LibraryDir, out.Class, out.Name, cands[g.rep].samples)
		switch {
		case errors.Is(err, ErrExists): // the same audio graduated before
			out.Action, out.Known = "known", out.Class+"/"+out.Name
		case err != nil:
			return out, err
		default:
			out.Template, out.Action = path, "graduated"
		}
	}
	return out, nil
}

// unusableGroup records in out why samples cannot be a template, if so.
func unusableGroup(out *Group, samples []float32) bool {
	out.Unusable = Assess(samples)
	return out.Unusable != ""
}

func hasGraduated(r *LearnReport) bool {
	for _, g := range r.Groups {
		if g.Action == "graduated" {
			return true
		}
	}
	return false
}

// loadCandidates reads every WAV in dir (not in hidden directories) with
// its sidecar class guess.
func loadCandidates(dir string) ([]candidate, []string, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("captured directory %s: %w", dir, err)
	}
	if !st.IsDir() {
		return nil, nil, fmt.Errorf("captured directory %s: not a directory", dir)
	}
	var out []candidate
	var warnings []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s: %v; skipped", p, err))
			return nil
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !IsAudioFile(d.Name()) {
			return nil
		}
		samples, err := ReadAudioFile(p, maxTemplateSamples)
		if err != nil && !errors.Is(err, errTooLong) {
			warnings = append(warnings, fmt.Sprintf("%v; skipped", err))
			return nil
		}
		if len(samples) == 0 {
			warnings = append(warnings, fmt.Sprintf("%s: empty file; skipped", p))
			return nil
		}
		out = append(out, candidate{path: p, class: sidecarClass(p), samples: samples})
		return nil
	})
	return out, warnings, err
}

// sidecarClass reads the class guess saved by Capture (DefaultClass when
// there is no usable sidecar).
func sidecarClass(wavPath string) string {
	data, err := os.ReadFile(strings.TrimSuffix(wavPath, filepath.Ext(wavPath)) + ".json")
	if err != nil {
		return DefaultClass
	}
	var sc Sidecar
	if json.Unmarshal(data, &sc) != nil || ValidName("class", sc.Class) != nil {
		return DefaultClass
	}
	return sc.Class
}

type group struct {
	members []int
	rep     int
}

// groupCandidates links every pair of candidates that match and returns
// the connected groups, largest first (ties by first path).
func groupCandidates(cands []candidate) []group {
	lib := candidateLibrary(cands)
	sets := newUnionFind(len(cands))
	degree := make([]int, len(cands)) // how many others each one matches
	for i, c := range cands {
		for _, m := range lib.matchAll(c.samples, i) {
			degree[i]++
			sets.union(i, m.tid)
		}
	}
	byRoot := map[int]*group{}
	var order []int
	for i := range cands {
		r := sets.find(i)
		g := byRoot[r]
		if g == nil {
			g = &group{rep: i}
			byRoot[r] = g
			order = append(order, r)
		}
		g.members = append(g.members, i)
		if better(cands, degree, i, g.rep) {
			g.rep = i
		}
	}
	out := make([]group, 0, len(order))
	for _, r := range order {
		out = append(out, *byRoot[r])
	}
	sort.SliceStable(out, func(a, b int) bool { return len(out[a].members) > len(out[b].members) })
	return out
}

// candidateLibrary enrols the candidates (template id = candidate index).
func candidateLibrary(cands []candidate) *Library {
	tpls := make([]Template, len(cands))
	lists := make([][]Landmark, len(cands))
	for i, c := range cands {
		var base int
		lists[i], base = enrollLandmarks(c.samples)
		tpls[i] = Template{Name: filepath.Base(c.path), Class: c.class, Path: c.path}
		describe(&tpls[i], c.samples, base)
	}
	return newLibrary("", tpls, lists)
}

// unionFind is a disjoint-set forest with path halving.
type unionFind []int

func newUnionFind(n int) unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = i
	}
	return u
}

func (u unionFind) find(i int) int {
	for u[i] != i {
		u[i] = u[u[i]]
		i = u[i]
	}
	return i
}

func (u unionFind) union(a, b int) { u[u.find(a)] = u.find(b) }

// better prefers the candidate matching most others, then the longest.
func better(c []candidate, degree []int, i, j int) bool {
	if degree[i] != degree[j] {
		return degree[i] > degree[j]
	}
	return len(c[i].samples) > len(c[j].samples)
}

// describeGroup names a group: the class most members guessed and a short
// hash of the representative's audio.
func describeGroup(cands []candidate, g group) Group {
	votes := map[string]int{}
	var members []string
	for _, i := range g.members {
		votes[cands[i].class]++
		members = append(members, cands[i].path)
	}
	sort.Strings(members)
	class, best := DefaultClass, 0
	for c, n := range votes {
		if n > best || n == best && c < class {
			class, best = c, n
		}
	}
	rep := cands[g.rep]
	h := sha256.New()
	for _, s := range rep.samples {
		v := clampInt16(s)
		h.Write([]byte{byte(v), byte(v >> 8)})
	}
	return Group{Members: members, Representative: rep.path, Class: class,
		Name: class + " " + hex.EncodeToString(h.Sum(nil))[:6]}
}

func clampInt16(v float32) int16 {
	switch {
	case v >= 32767:
		return 32767
	case v <= -32768:
		return -32768
	case v >= 0:
		return int16(v + 0.5)
	}
	return int16(v - 0.5)
}

// knownIn returns "class/name" of the library template matching samples.
func knownIn(lib *Library, samples []float32) string {
	if ms := lib.matchAll(samples, -1); len(ms) > 0 {
		return ms[0].Class + "/" + ms[0].Name
	}
	return ""
}

// retire moves a group's candidate files (WAV and sidecar) to
// CapturedDir/.graduated/<name>/.
func retire(dir, name string, members []string) error {
	dst := filepath.Join(dir, GraduatedDir, name)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, m := range members {
		side := strings.TrimSuffix(m, filepath.Ext(m)) + ".json"
		for _, p := range []string{m, side} {
			if _, err := os.Stat(p); err != nil {
				continue
			}
			if err := os.Rename(p, filepath.Join(dst, filepath.Base(p))); err != nil {
				return fmt.Errorf("%s: cannot move to %s: %w", p, dst, err)
			}
		}
	}
	return nil
}
