package patterns

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/khompctl/khompctl/internal/testdb"
	"github.com/khompctl/khompctl/pkg/container"
)

func TestSetReplacesOrAppends(t *testing.T) {
	for _, schema := range testdb.Schemas {
		t.Run(schema.String(), func(t *testing.T) {
			db := testdb.New(t, schema)
			start := shipped + "\r\n\"Voice mail\".\"New one\" => "
			db.PutContainer(t, container.StatusMapID, "OTHER", start)
			db.Exec(t, "INSERT INTO vicidial_statuses (status, status_name) VALUES ('KPAM', 'KHOMP Answering Machine')")
			ctx := context.Background()

			res, err := Set(ctx, db.DB, SetRequest{Conclusion: "Voice mail", Pattern: "New one", Action: "amdaction", Status: "kpam", DialStatus: "amd"})
			if err != nil {
				t.Fatal(err)
			}
			want := shipped + "\r\n\"Voice mail\".\"New one\" => amdaction.KPAM.AMD"
			if got := db.ContainerEntry(t, container.StatusMapID); got != want {
				t.Fatalf("tail %q", tail(got, 80))
			}
			if res.Appended || len(res.Previous) != 1 || res.Previous[0] != `"Voice mail"."New one" => ` || len(res.Warnings) != 0 {
				t.Fatalf("res = %+v", res)
			}

			// A line in the middle keeps its CRLF; a conclusion-only line.
			res, err = Set(ctx, db.DB, SetRequest{Conclusion: "Timeout", Action: "status", Status: "KPTMOT", DialStatus: "CONGESTION"})
			if err != nil {
				t.Fatal(err)
			}
			want = strings.Replace(want, "\"Timeout\" => status.KPTMOT.NOANSWER\r\n", "\"Timeout\" => status.KPTMOT.CONGESTION\r\n", 1)
			if got := db.ContainerEntry(t, container.StatusMapID); got != want {
				t.Fatalf("head %q", got[:80])
			}
			if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "KPTMOT does not exist") {
				t.Fatalf("warnings = %v", res.Warnings)
			}

			// A new pair is appended after a CRLF, no dial status.
			if _, err := Set(ctx, db.DB, SetRequest{Conclusion: "Fax", Pattern: "Fax 9000Hz", Action: "status", Status: "KPFX"}); err != nil {
				t.Fatal(err)
			}
			want += "\r\n\"Fax\".\"Fax 9000Hz\" => status.KPFX"
			if got := db.ContainerEntry(t, container.StatusMapID); got != want {
				t.Fatalf("tail %q", tail(got, 80))
			}
			var events []string
			rows, err := db.Query("SELECT CONCAT(event_type, ' ', event_notes) FROM vicidial_admin_log WHERE event_section = 'KHOMP' AND user = 'khompctl' ORDER BY admin_log_id")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var e string
				rows.Scan(&e)
				events = append(events, e)
			}
			rows.Close()
			if len(events) != 3 || !strings.HasPrefix(events[0], `MODIFY "Voice mail"."New one" =>  -> "Voice mail"."New one" => amdaction.KPAM.AMD`) || events[2] != `ADD "Fax"."Fax 9000Hz" => status.KPFX` {
				t.Fatalf("admin log = %q", events)
			}
			m := container.ParseStatusMap(want)
			if r := m.Lookup("Fax", "Fax 9000Hz"); r.Action != "status" || r.Status != "KPFX" || r.Rule != container.RuleExact {
				t.Fatalf("runtime sees %+v", r)
			}
		})
	}
}

func TestSetRefusesWhatBreaksVICIdial(t *testing.T) {
	db := testdb.New(t, testdb.Schema1728)
	db.PutContainer(t, container.StatusMapID, "OTHER", shipped)
	bad := []SetRequest{
		{Conclusion: "", Action: "status", Status: "X"},
		{Conclusion: "A.B", Action: "status", Status: "X"},
		{Conclusion: "A", Pattern: "x#y", Action: "status", Status: "X"},
		{Conclusion: "A", Pattern: "x=>y", Action: "status", Status: "X"},
		{Conclusion: "A", Pattern: "x\ny", Action: "status", Status: "X"},
		{Conclusion: "A", Pattern: "x\ry", Action: "status", Status: "X"},
		{Conclusion: "A", Pattern: `say "hi"`, Action: "status", Status: "X"},
		{Conclusion: " A", Action: "status", Status: "X"},
		{Conclusion: "A", Action: "hangup", Status: "X"},
		{Conclusion: "A", Action: "status", Status: "TOOLONG"},
		{Conclusion: "A", Action: "status", Status: "A.B"},
		{Conclusion: "A", Action: "status", Status: "X", DialStatus: "NO.ANSWER"},
	}
	for _, r := range bad {
		if _, err := Set(context.Background(), db.DB, r); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: err = %v, want ErrInvalid", r, err)
		}
	}
	if db.ContainerEntry(t, container.StatusMapID) != shipped {
		t.Fatal("refused requests changed the map")
	}
}

func TestSetMissingContainer(t *testing.T) {
	db := testdb.New(t, testdb.Schema1720)
	_, err := Set(context.Background(), db.DB, SetRequest{Conclusion: "A", Action: "status", Status: "KPAM"})
	if !errors.Is(err, container.ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
}
