package patterns

import (
	"strings"
	"testing"

	"github.com/khompctl/khompctl/pkg/container"
)

// FuzzAppendKeys: whatever the map holds, appending keys keeps the old
// entry as a prefix, makes every key known, and is idempotent.
func FuzzAppendKeys(f *testing.F) {
	f.Add(shipped, "Voice mail", "New (one")
	f.Add("", "A", "")
	f.Add("# c\r\n\r\n\"A\" => x\r\n", "A", "p")
	f.Fuzz(func(t *testing.T, entry, conclusion, pattern string) {
		if conclusion == "" || unsafeName(conclusion) != "" || unsafeName(pattern) != "" {
			return
		}
		key := container.MapKey(conclusion, pattern)
		next, added := AppendKeys(entry, []string{key})
		if !strings.HasPrefix(next, entry) {
			t.Fatal("old entry is not a prefix")
		}
		if _, ok := KnownKeys(next)[key]; !ok {
			t.Fatalf("key %q unknown after append", key)
		}
		again, more := AppendKeys(next, []string{key})
		if again != next || len(more) != 0 {
			t.Fatal("second append changed the entry")
		}
		if len(added) == 1 {
			// The runtime sees the new pair as unclassified.
			m := container.ParseStatusMap(next)
			if r := m.Lookup(conclusion, pattern); r.Rule != container.RuleExact || r.Action != "" {
				if strings.TrimSpace(conclusion) == conclusion && strings.TrimSpace(pattern) == pattern && !strings.Contains(conclusion+pattern, `"`) {
					t.Fatalf("runtime lookup of appended pair = %+v", r)
				}
			}
		}
	})
}

// FuzzApplySet: after a valid set the runtime finds exactly the new
// action/status for the pair, whatever else the map contains.
func FuzzApplySet(f *testing.F) {
	f.Add(shipped, "Voice mail", "Voice mail 300Hz", "status", "KPX", "BUSY")
	f.Add("\"A\".\"p\" => \r\n\"A\".\"p\" => route.X", "A", "p", "route", "X1", "")
	f.Fuzz(func(t *testing.T, entry, conclusion, pattern, action, status, dial string) {
		r := SetRequest{Conclusion: conclusion, Pattern: pattern, Action: action, Status: status, DialStatus: dial}
		if r.Normalize() != nil {
			return
		}
		next, _ := ApplySet(entry, r)
		got := container.ParseStatusMap(next).Lookup(r.Conclusion, r.Pattern)
		if got.Rule != container.RuleExact || got.Action != r.Action || got.Status != r.Status || got.DialStatus != r.DialStatus {
			t.Fatalf("after set, runtime sees %+v", got)
		}
	})
}
