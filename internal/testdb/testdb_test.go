package testdb

import "testing"

func TestNewLoadsBothSchemas(t *testing.T) {
	for _, s := range Schemas {
		t.Run(s.String(), func(t *testing.T) {
			db := New(t, s)
			db.PutContainer(t, "X", "OTHER", "a => b\r\n")
			if got := db.ContainerEntry(t, "X"); got != "a => b\r\n" {
				t.Fatalf("entry = %q", got)
			}
			var n int
			err := db.QueryRow("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'vicidial_settings_containers' AND COLUMN_NAME = 'modify_stamp'").Scan(&n)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[Schema]int{Schema1720: 0, Schema1728: 1}[s]; n != want {
				t.Fatalf("modify_stamp columns = %d, want %d", n, want)
			}
		})
	}
}
