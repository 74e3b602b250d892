package container

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
)

// StatusMapID is the one global map container; every VICIdial code path
// hard-codes this id (there is no per-campaign map).
const StatusMapID = "KHOMPSTATUSMAP"

// Actions returns the actions VICIdial understands on the right-hand side
// of a map line.
func Actions() []string { return []string{"amdaction", "cpdunknown", "route", "status"} }

// DialStatuses returns the dial statuses VICIdial's KHOMP admin page offers.
func DialStatuses() []string {
	return []string{"AMD", "ANSWER", "BUSY", "CANCEL", "CHANUNAVAIL", "CONGESTION", "DISCONNECT", "DONTCALL", "FAX", "INVALIDARGS", "NOANSWER", "TORTURE"}
}

// IsAction reports whether a is one of Actions.
func IsAction(a string) bool { return slices.Contains(Actions(), a) }

// IsDialStatus reports whether d is one of DialStatuses.
func IsDialStatus(d string) bool { return slices.Contains(DialStatuses(), d) }

// Dialect says which VICIdial parser's rules to apply. The two runtime
// parsers differ only in how they split "Conclusion"."Pattern".
type Dialect int

const (
	// DialectFastAGI is FastAGI_log.pl (hangup stage): the left-hand side is
	// split on the three characters `"."`, so a '.' inside a name survives.
	// It decides the final status of a call, so it is our default.
	DialectFastAGI Dialect = iota
	// DialectAGI is agi-VDAD_ALL_outbound.agi (route stage): the left-hand
	// side is split on every '.', so a name containing '.' is cut short.
	DialectAGI
)

func (d Dialect) String() string {
	if d == DialectAGI {
		return "agi"
	}
	return "fastagi"
}

// LineKind classifies one line of the map text.
type LineKind int

const (
	LineEntry     LineKind = iota // a "C"[."P"] => ... line the runtime stores
	LineBlank                     // empty or whitespace only: skipped
	LineComment                   // first non-blank character is '#': skipped
	LineMalformed                 // no "=>" (after cutting at '#'): skipped by the runtime
)

// MapLine is one line of KHOMPSTATUSMAP as the runtime parser sees it.
type MapLine struct {
	No   int    // 1-based line number in the entry
	Raw  string // the line without its trailing CR
	Kind LineKind
	// Key is the trimmed text left of the first "=>": what KHOMP_updater.pl
	// compares (byte-exact) to decide whether a pair is already present.
	Key        string
	Conclusion string
	Pattern    string
	Action     string
	Status     string
	DialStatus string
}

// Classified reports whether the line has an action (unclassified lines are
// the `"C"."P" => ` lines KHOMP_updater appends).
func (l MapLine) Classified() bool { return l.Action != "" }

// StatusMap is a parsed KHOMPSTATUSMAP. As in VICIdial, a later line for the
// same (conclusion, pattern) overwrites an earlier one.
type StatusMap struct {
	Dialect Dialect
	Lines   []MapLine
	index   map[pairKey]int // (conclusion, pattern) -> index into Lines of the winning line
}

type pairKey struct{ conclusion, pattern string }

// perlSpace is Perl's \s on byte strings.
const perlSpace = " \t\n\r\f\v"

func trimPerl(s string) string { return strings.Trim(s, perlSpace) }

// dequote strips one leading and one trailing '"', after trimming, the way
// the runtime cleans each name and each right-hand-side field.
func dequote(s string) string {
	s = trimPerl(s)
	s = strings.TrimPrefix(s, `"`)
	s = strings.TrimSuffix(s, `"`)
	return s
}

// ParseStatusMap parses the entry with the FastAGI (hangup stage) rules.
func ParseStatusMap(entry string) *StatusMap { return ParseStatusMapDialect(entry, DialectFastAGI) }

// ParseStatusMapDialect parses the entry exactly as VICIdial's runtime does:
// split on LF; skip blank lines and lines whose first non-blank character is
// '#'; cut the line at its first '#'; require "=>"; left of the first "=>"
// is the key, the text between the first and a possible second "=>" is the
// value; the key splits into conclusion and pattern, the value on '.' into
// action, status and dial status, each trimmed and stripped of one pair of
// quotes. Nothing is rejected: lines the runtime ignores are kept with Kind
// LineBlank, LineComment or LineMalformed so callers can report them.
func ParseStatusMapDialect(entry string, d Dialect) *StatusMap {
	m := &StatusMap{Dialect: d, index: map[pairKey]int{}}
	for i, raw := range strings.Split(entry, "\n") {
		line := parseMapLine(strings.TrimSuffix(raw, "\r"), d)
		line.No = i + 1
		m.Lines = append(m.Lines, line)
		if line.Kind == LineEntry {
			m.index[pairKey{line.Conclusion, line.Pattern}] = len(m.Lines) - 1
		}
	}
	return m
}

func parseMapLine(raw string, d Dialect) MapLine {
	l := MapLine{Raw: raw}
	trimmed := trimPerl(raw)
	switch {
	case trimmed == "":
		l.Kind = LineBlank
		return l
	case strings.HasPrefix(trimmed, "#"):
		l.Kind = LineComment
		return l
	}
	text := raw
	if i := strings.IndexByte(text, '#'); i >= 0 {
		text = text[:i]
	}
	parts := strings.Split(text, "=>")
	if len(parts) < 2 {
		l.Kind = LineMalformed
		l.Key = trimPerl(text)
		return l
	}
	l.Kind = LineEntry
	l.Key = trimPerl(parts[0])
	l.Conclusion, l.Pattern = splitKey(l.Key, d)
	fields := strings.Split(parts[1], ".")
	get := func(i int) string {
		if i < len(fields) {
			return dequote(fields[i])
		}
		return ""
	}
	l.Action, l.Status, l.DialStatus = get(0), get(1), get(2)
	return l
}

// splitKey splits the trimmed left-hand side into conclusion and pattern.
func splitKey(key string, d Dialect) (conclusion, pattern string) {
	sep := `"."`
	if d == DialectAGI {
		sep = "."
	}
	if !strings.Contains(key, sep) {
		return dequote(key), ""
	}
	parts := strings.Split(key, sep)
	// Only the first two pieces are used; with the AGI's split on '.' a
	// name containing '.' is therefore cut short, as in VICIdial.
	return dequote(parts[0]), dequote(parts[1])
}

// Entries returns the lines the runtime would actually use: one per
// (conclusion, pattern), the last one in the text, in text order.
func (m *StatusMap) Entries() []MapLine {
	idx := make([]int, 0, len(m.index))
	for _, i := range m.index {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]MapLine, len(idx))
	for j, i := range idx {
		out[j] = m.Lines[i]
	}
	return out
}

// Len is the number of distinct (conclusion, pattern) entries.
func (m *StatusMap) Len() int { return len(m.index) }

// Unclassified counts the entries that have no action yet.
func (m *StatusMap) Unclassified() int {
	n := 0
	for _, i := range m.index {
		if !m.Lines[i].Classified() {
			n++
		}
	}
	return n
}

// Entry returns the winning line for an exact (conclusion, pattern) pair.
func (m *StatusMap) Entry(conclusion, pattern string) (MapLine, bool) {
	i, ok := m.index[pairKey{conclusion, pattern}]
	if !ok {
		return MapLine{}, false
	}
	return m.Lines[i], true
}

// Rule says which step of the runtime lookup produced a result.
type Rule string

const (
	RuleExact      Rule = "exact"      // the (conclusion, pattern) line
	RuleConclusion Rule = "conclusion" // the conclusion-only line
	RuleFallback   Rule = "fallback"   // nothing matched: the hard-coded default
	RuleHangup     Rule = "hangup"     // empty conclusion: FastAGI's hangup-cause table
	RuleNone       Rule = "none"       // empty conclusion, leg a hung up: FastAGI does nothing
)

// Result is what VICIdial would do with a call.
type Result struct {
	Action     string
	Status     string
	DialStatus string
	Rule       Rule
	// Line is the map line used (zero for fallback/hangup/none).
	Line int
}

// Fallbacks when nothing in the map matches.
func fallbackFastAGI() Result {
	return Result{Action: "error", Status: "KPEROR", DialStatus: "NA", Rule: RuleFallback}
}

func fallbackAGI() Result { return Result{Action: "route", Status: "KPEROR", Rule: RuleFallback} }

// Lookup applies the runtime precedence: the exact (conclusion, pattern)
// line, then the conclusion-only line, then the fallback of the map's
// dialect (FastAGI: error/KPEROR/NA; AGI: route/KPEROR). An unclassified
// line matches like any other and yields empty action and status, exactly
// as at runtime (the AGI then routes the call, FastAGI sets no status).
func (m *StatusMap) Lookup(conclusion, pattern string) Result {
	if l, ok := m.Entry(conclusion, pattern); ok {
		return resultFrom(l, RuleExact)
	}
	if l, ok := m.Entry(conclusion, ""); ok {
		return resultFrom(l, RuleConclusion)
	}
	if m.Dialect == DialectAGI {
		return fallbackAGI()
	}
	return fallbackFastAGI()
}

func resultFrom(l MapLine, r Rule) Result {
	return Result{Action: l.Action, Status: l.Status, DialStatus: l.DialStatus, Rule: r, Line: l.No}
}

// LookupHangup is FastAGI's full decision at hangup: with a non-empty
// conclusion it is Lookup; with an empty one it maps the SIP/KHOMP hangup
// cause the gateway received when leg b hung up (leg a: nothing happens).
// answered says whether the call had been answered (answer stamp > 0).
func (m *StatusMap) LookupHangup(conclusion, pattern, hangupOrigin, causeRecv string, answered bool) Result {
	if conclusion != "" {
		return m.Lookup(conclusion, pattern)
	}
	if hangupOrigin != "leg b" {
		return Result{Rule: RuleNone}
	}
	r := Result{Action: "status", Rule: RuleHangup}
	switch causeRecv {
	case "20003":
		r.Status, r.DialStatus = "KPNOCH", "CONGESTION"
	case "30000":
		r.Status, r.DialStatus = "KPTMOT", "CONGESTION"
	case "486":
		r.Status, r.DialStatus = "KPBUSY", "BUSY"
	case "487":
		if !answered {
			return Result{Action: "error", Status: "KPEROR", DialStatus: "NA", Rule: RuleHangup}
		}
		r.Status, r.DialStatus = "KPDROP", "ANSWER"
	case "488", "500", "503", "603":
		r.Status, r.DialStatus = "KPCONG", "CONGESTION"
	default:
		return Result{Action: "error", Status: "KPEROR", DialStatus: "NA", Rule: RuleHangup}
	}
	return r
}

// MapProblem is a line a careful tool should not silently accept.
type MapProblem struct {
	Line    int
	Message string
}

func (p MapProblem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Message) }

// Problems lists lines VICIdial would silently ignore or misread: lines
// without "=>", empty conclusions, unknown actions, '#' inside an entry
// (the runtime cuts the line there) and names the AGI would split
// differently from FastAGI (a '.' inside a name).
func (m *StatusMap) Problems() []MapProblem {
	var out []MapProblem
	for _, l := range m.Lines {
		for _, msg := range lineProblems(l) {
			out = append(out, MapProblem{Line: l.No, Message: msg})
		}
	}
	return out
}

// Malformed returns the problems that make the map unusable for a tool
// that must not guess: lines without "=>" and entries with an empty
// conclusion.
func (m *StatusMap) Malformed() []MapProblem {
	var out []MapProblem
	for _, l := range m.Lines {
		switch {
		case l.Kind == LineMalformed:
			out = append(out, MapProblem{l.No, malformedMessage(l)})
		case l.Kind == LineEntry && l.Conclusion == "":
			out = append(out, MapProblem{l.No, fmt.Sprintf("empty conclusion in %q", clip(l.Raw))})
		}
	}
	return out
}

// malformedMessage explains why the runtime ignores a line.
func malformedMessage(l MapLine) string {
	if strings.Contains(l.Raw, "=>") {
		return fmt.Sprintf("'#' inside %q: VICIdial cuts the line there, before its \"=>\", and ignores it", clip(l.Raw))
	}
	return fmt.Sprintf("no \"=>\" in %q: VICIdial ignores the line", clip(l.Raw))
}

func lineProblems(l MapLine) []string {
	switch l.Kind {
	case LineMalformed:
		return []string{malformedMessage(l)}
	case LineEntry:
	default:
		return nil
	}
	var out []string
	if l.Conclusion == "" {
		out = append(out, "empty conclusion")
	}
	if strings.Contains(l.Raw, "#") {
		out = append(out, "'#' inside the line: VICIdial cuts the line there")
	}
	if l.Action != "" && !IsAction(l.Action) {
		out = append(out, fmt.Sprintf("unknown action %q (want amdaction, cpdunknown, route or status)", l.Action))
	}
	if strings.Contains(l.Conclusion, ".") || strings.Contains(l.Pattern, ".") {
		out = append(out, "'.' inside a name: the route-stage AGI splits it differently")
	}
	return out
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// LoadStatusMap reads KHOMPSTATUSMAP from the database and parses it with
// the FastAGI rules. A missing row is ErrNotFound.
func LoadStatusMap(ctx context.Context, q Querier) (*StatusMap, error) {
	row, err := Get(ctx, q, StatusMapID)
	if err != nil {
		return nil, err
	}
	return ParseStatusMap(row.Entry), nil
}

// LoadStatusMapFile reads a map saved to a file (LF or CRLF line ends), for
// offline use (--map FILE). Lines without "=>" or with an empty conclusion
// are an error naming the file and line, since a map file given on the
// command line is meant to be complete.
func LoadStatusMapFile(path string) (*StatusMap, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read status map: %w", err)
	}
	m := ParseStatusMap(string(b))
	if bad := m.Malformed(); len(bad) > 0 {
		return nil, fmt.Errorf("status map %s: %s", path, bad[0])
	}
	return m, nil
}
