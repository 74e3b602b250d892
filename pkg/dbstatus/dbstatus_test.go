package dbstatus

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/khompctl/khompctl/pkg/container"
)

func TestTokenState(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	base := "khomp_api_url => https://gw\r\nkhomp_api_token => %s\r\nkhomp_api_token_expire => %d\r\n"
	cases := []struct {
		name, entry string
		state       string
		valid       bool
		left        int64
		detail      string
	}{
		{"valid", fmt.Sprintf(base, "abc", now.Unix()+600), OK, true, 600, "valid for 10m0s"},
		{"expired", fmt.Sprintf(base, "abc", now.Unix()-60), Warn, false, -60, "expired 1m0s ago"},
		{"sentinel", fmt.Sprintf(base, container.NoToken, now.Unix()+600), Warn, false, 0, "no token yet"},
		{"quote", fmt.Sprintf(base, "a'b", now.Unix()+600), Fail, false, 600, "single quote"},
		{"placeholder", "khomp_api_url => https://URL_FOR_KHOMP_SERVER/x\r\n", Warn, false, 0, "not configured"},
		{"proxied", "khomp_api_url => https://gw\r\nkhomp_api_proxied => 0\r\n", Info, true, 0, "proxied"},
	}
	for _, c := range cases {
		got := tokenState("X", container.ParseSettings(c.entry), now)
		if got.State != c.state || got.Valid != c.valid || got.ValidForSeconds != c.left || !strings.Contains(got.Detail, c.detail) {
			t.Errorf("%s: %+v", c.name, got)
		}
	}
}
