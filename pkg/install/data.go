package install

import (
	"strings"

	"github.com/khompctl/khompctl/pkg/container"
)

// Status is a row of vicidial_statuses that install creates.
type Status struct {
	Code             string
	Name             string // at most 30 characters (the column's width)
	HumanAnswered    bool
	AnsweringMachine bool
}

// DefaultStatuses returns the 17 KP* statuses VICIdial's KHOMP_settings.sql creates,
// plus the 6 its default map uses but the SQL never created (KPIS, KPIA,
// KPFORA, KPUNAN, KPPORI, KPNOSP). All are non-selectable, UNDEFINED, and
// none is a sale, DNC, contact, callback or completion: KHOMP outcomes are
// set by the dialer, never by an agent.
func DefaultStatuses() []Status {
	return []Status{
		{Code: "KPAM", Name: "KHOMP Answering Machine", AnsweringMachine: true},
		{Code: "KPBLKD", Name: "KHOMP Blocked Number"},
		{Code: "KPBUSY", Name: "KHOMP Busy"},
		{Code: "KPCONG", Name: "KHOMP Congestion"},
		{Code: "KPDC", Name: "KHOMP Disconnected Number"},
		{Code: "KPDROP", Name: "KHOMP Hangup During Analysis"},
		{Code: "KPEROR", Name: "KHOMP ERROR"},
		{Code: "KPFAS", Name: "KHOMP False Answer Signal"},
		{Code: "KPFX", Name: "KHOMP Fax"},
		{Code: "KPLHA", Name: "KHOMP Long Human Answer", HumanAnswered: true},
		{Code: "KPNHA", Name: "KHOMP Non-Human Answer"},
		{Code: "KPNOCH", Name: "KHOMP No Channels Or Licenses"},
		{Code: "KPRNBK", Name: "KHOMP Ring Back"},
		{Code: "KPSHA", Name: "KHOMP Short Human Answer", HumanAnswered: true},
		{Code: "KPSTTN", Name: "KHOMP SIT Tone"},
		{Code: "KPTMOT", Name: "KHOMP Timeout"},
		{Code: "KPUNKN", Name: "KHOMP Unknown"},
		// Referenced by the shipped map, missing from VICIdial's SQL.
		{Code: "KPIS", Name: "KHOMP Interception Signaling"},
		{Code: "KPIA", Name: "KHOMP Intercept Announcement"},
		{Code: "KPFORA", Name: "KHOMP Forward Announcement"},
		{Code: "KPUNAN", Name: "KHOMP Unknown Announcement"},
		{Code: "KPPORI", Name: "KHOMP Portability Ident"},
		{Code: "KPNOSP", Name: "KHOMP No Speech"},
	}
}

// statusColumns returns the explicit column list: it works on every schema
// generation (1728 adds modify_stamp, which then fills itself).
func statusColumns() []string {
	return []string{"status", "status_name", "selectable", "human_answered", "category", "sale", "dnc",
		"customer_contact", "not_interested", "unworkable", "scheduled_callback", "completed", "min_sec", "max_sec", "answering_machine"}
}

func yn(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

// values returns the row in statusColumns() order.
func (s Status) values() []any {
	return []any{s.Code, s.Name, "N", yn(s.HumanAnswered), "UNDEFINED", "N", "N", "N", "N", "N", "N", "N", 0, 0, yn(s.AnsweringMachine)}
}

// Container is a vicidial_settings_containers row that install creates.
type Container struct {
	ID    string
	Notes string
	Type  string
	Group string
	Entry string
}

// settingsLines is the KHOMPSETTINGS template: every key VICIdial reads,
// each after a comment of ours. Values are placeholders the administrator
// replaces; the token lines are maintained by khompctl auth (or VICIdial).
// No value may contain '#' (VICIdial cuts lines there).
var settingsLines = []string{
	"# KHOMP settings read by VICIdial's dialer scripts and by khompctl.",
	"# Format: one 'key => value' per line; lines starting with # are notes.",
	"",
	"# JSON-RPC address used to ask the gateway how it classified a call (CallList).",
	container.KeyURL + " => https://URL_FOR_KHOMP_SERVER/rpc/json.fcgi/kgateway",
	"",
	"# Log in to the gateway only when this is exactly: false",
	"# (any other value means a proxy in front of the gateway handles the login).",
	container.KeyProxied + " => false",
	"",
	"# JSON-RPC address of the gateway's login method (SessionLogin).",
	container.KeyLoginURL + " => https://URL_FOR_KHOMP_SERVER/rpc/json.fcgi/auth",
	"",
	"# Gateway API account.",
	container.KeyUser + " => API_USER",
	"",
	"# Password of that account. It must not contain the hash sign.",
	container.KeyPass + " => API_PASSWORD",
	"",
	"# 1 = check the gateway's TLS certificate; 0 = accept any certificate.",
	container.KeyCheckSSL + " => 0",
	"",
	"# Name of the SIP header (without X-) that carries the call id to the gateway.",
	container.KeyHeader + " => KHOMP-Vicidial-ID",
	"",
	"# What the call id is made of: CALLERCODE, CALLERCODE_EXTERNIP or CALLERCODE_CAMP_EXTERNIP.",
	container.KeyIDFormat + " => CALLERCODE_CAMP_EXTERNIP",
	"",
	"# Optional value for the X-KHOMP-Sub-Account header; empty sends no header.",
	container.KeySubAccountHeader + " => ",
	"",
	"# Session token, written by khompctl auth or by the dialer. Leave it alone.",
	container.KeyToken + " => " + container.NoToken,
	"",
	"# Unix time at which that token stops being valid (0: no token yet). Leave it alone.",
	container.KeyTokenExpire + " => 0",
}

// DefaultSettings is the KHOMPSETTINGS entry install creates: CRLF after
// every line, as VICIdial's own container has.
func DefaultSettings() string { return strings.Join(settingsLines, "\r\n") + "\r\n" }

// Containers are the two containers install creates, in install order.
func Containers() []Container {
	return []Container{
		{ID: container.DefaultSettingsID, Notes: "KHOMP gateway settings (default container)", Type: "OTHER", Group: "---ALL---", Entry: DefaultSettings()},
		{ID: container.StatusMapID, Notes: "KHOMP conclusion/pattern to VICIdial status map", Type: "OTHER", Group: "---ALL---", Entry: DefaultStatusMap()},
	}
}
