package testdb

import "strings"

// ShippedSettings is the KHOMPSETTINGS entry of VICIdial's
// KHOMP_settings.sql (1007 bytes, 32 CRLF-terminated lines), rebuilt from
// the spec's line list; pkg/container checks it against the spec's sha256.
// Tests use it to prove khompctl reads and rewrites the container an
// existing VICIdial site has, byte for byte. khompctl install writes its own
// text (pkg/install), not this one.
var ShippedSettings = strings.Join([]string{
	"#The URL for accessing the API",
	"khomp_api_url => https://URL_FOR_KHOMP_SERVER/rpc/json.fcgi/kgateway",
	"",
	"#Whether there is a proxy handling login to khomp",
	"khomp_api_proxied => false",
	"",
	"#The URL for logging in",
	"khomp_api_login_url => https://URL_FOR_KHOMP_SERVER/rpc/json.fcgi/auth",
	"",
	"#The API User",
	"khomp_api_user => API_USER",
	"",
	"#The API User's Password",
	"khomp_api_pass => API_PASSWORD",
	"",
	"# whether to verify the khomp devices SSL cert. 1 for yes. 0 for no.",
	"khomp_api_check_ssl => 0",
	"",
	"#The SIP Header Vicidial Will Set For Khomp To Track",
	"khomp_header => KHOMP-Vicidial-ID",
	"",
	"#The format for the value in the above SIP Header",
	"khomp_id_format => CALLERCODE_CAMP_EXTERNIP",
	"",
	"#The SIP Header Khomp can use to track sub-accounts",
	"khomp_sub_account_header => ",
	"",
	"# The API token for accessing the KHOMP API. DO NOT EDIT!!! This is updated automatically.",
	"khomp_api_token => TOKENTOKENTOKEN",
	"",
	"# The epoch when the token will expire. DO NOT EDIT!!! This is updated automatically.",
	"khomp_api_token_expire => 0",
}, "\r\n") + "\r\n"
