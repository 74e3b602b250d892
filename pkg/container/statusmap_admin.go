package container

import (
	"sort"
	"strings"
)

// AdminLine is one KHOMPSTATUSMAP line as VICIdial's KHOMP_admin.php shows
// it. The admin page parses differently from the runtime: it splits on LF,
// takes the text left and right of "=>", removes every '"' and splits the
// key and the value on '.'. Lines with an empty value (unclassified pairs,
// but also blank lines and lines without "=>") are listed first.
type AdminLine struct {
	No           int
	Key          string // trimmed text before "=>"
	Value        string // trimmed text after the first "=>" (up to a second one)
	Conclusion   string
	Pattern      string
	Action       string
	Status       string
	DialStatus   string
	Unclassified bool
}

// phpSpace is what PHP's trim() removes.
const phpSpace = " \t\n\r\x00\x0B"

// ParseAdmin returns the lines in the admin page's order: unclassified
// first, each group sorted by key then value (byte order).
func ParseAdmin(entry string) []AdminLine {
	var out []AdminLine
	for i, raw := range strings.Split(entry, "\n") {
		parts := strings.Split(raw, "=>")
		l := AdminLine{No: i + 1, Key: strings.Trim(parts[0], phpSpace)}
		if len(parts) > 1 {
			l.Value = strings.Trim(parts[1], phpSpace)
		}
		l.Unclassified = l.Value == ""
		names := strings.Split(strings.ReplaceAll(l.Key, `"`, ""), ".")
		l.Conclusion = names[0]
		if len(names) > 1 {
			l.Pattern = names[1]
		}
		vals := strings.Split(strings.ReplaceAll(l.Value, `"`, ""), ".")
		l.Action = vals[0]
		if len(vals) > 1 {
			l.Status = vals[1]
		}
		if len(vals) > 2 {
			l.DialStatus = vals[2]
		}
		out = append(out, l)
	}
	sort.SliceStable(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if x.Unclassified != y.Unclassified {
			return x.Unclassified
		}
		if x.Key != y.Key {
			return x.Key < y.Key
		}
		return x.Value < y.Value
	})
	return out
}

// MapKey builds the left-hand side VICIdial writes for a pair:
// "Conclusion" or "Conclusion"."Pattern" (pattern only when non-empty).
func MapKey(conclusion, pattern string) string {
	if pattern == "" {
		return `"` + conclusion + `"`
	}
	return `"` + conclusion + `"."` + pattern + `"`
}
