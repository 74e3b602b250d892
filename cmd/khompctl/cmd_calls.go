package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/khompctl/khompctl/pkg/container"
	"github.com/khompctl/khompctl/pkg/khomp"
)

type callsOptions struct {
	gatewayFlags
	IDs         []string
	CallerCodes []string
	Campaign    string
	ServerIP    string
	JSON        bool

	containerGiven bool
	Out, ErrOut    io.Writer
	TTY            bool
	Now            func() time.Time
	DB             func(ctx context.Context) (*sql.DB, error)
	Log            *slog.Logger
	Version        string
}

func newCallsCmd(f *Factory) *cobra.Command {
	opts := &callsOptions{}
	cmd := &cobra.Command{
		Use:   "calls [--khomp-container ID] (--id KHOMP_ID | --caller-code V...)",
		Short: "Look a call up on the KHOMP gateway and show what VICIdial would do with it",
		Long: `Ask the KHOMP gateway for a call exactly as VICIdial does after it (JSON-RPC CallList on
khomp_api_url, filtered on the SIP header X-<khomp_header>), show the analyzer conclusion and
pattern and the other selected fields (millisecond stamps as times), and what VICIdial would do
with it through KHOMPSTATUSMAP: the exact (conclusion, pattern) line, else the conclusion-only
line, else the fallback; at answer (agi-VDAD_ALL_outbound.agi) and at hangup (FastAGI_log.pl).

--id takes the value VICIdial put in the SIP header (the khomp_id). --caller-code takes the
VICIdial caller code (V…/M…): its khomp_id is read from vicidial_khomp_log (the id VICIdial
really sent), or, when the log no longer has it (it is purged after 7 days), built from the
container's khomp_id_format with --campaign and the server's external_server_ip (--server-ip
picks the server; with a single server in the servers table it is used).

Like VICIdial, the token is renewed first when it has expired or is TOKENTOKENTOKEN and
khomp_api_proxied is "false"; the new token is stored in the container.
` + exitStatusHelp,
		Example: `  khompctl calls --id V1124193800000000123_TESTCAMP_203.0.113.5
  khompctl calls --khomp-container KHOMP_EU --caller-code V1124193800000000123
  khompctl calls --caller-code V1124193800000000123 --campaign TESTCAMP --server-ip 10.0.0.11 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (len(opts.IDs) == 0) == (len(opts.CallerCodes) == 0) {
				return usageError(errors.New("give --id or --caller-code (one of them, repeatable)"))
			}
			opts.containerGiven = cmd.Flags().Changed("khomp-container")
			opts.Out, opts.ErrOut, opts.TTY = f.IO.Out, f.IO.ErrOut, f.IO.StdoutTTY
			opts.Now, opts.DB, opts.Log, opts.Version = f.Now, f.DB, f.Log, f.Version
			return callsRun(cmd.Context(), opts)
		},
	}
	opts.gatewayFlags.bind(cmd)
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.IDs, "id", nil, "the khomp_id VICIdial sent in the SIP header (repeatable)")
	fl.StringArrayVar(&opts.CallerCodes, "caller-code", nil, "VICIdial caller code of the call (repeatable)")
	fl.StringVar(&opts.Campaign, "campaign", "", "campaign id, to build a khomp_id for a caller code missing from vicidial_khomp_log")
	fl.StringVar(&opts.ServerIP, "server-ip", "", "server_ip of the dialer that placed the call, for its external_server_ip")
	fl.BoolVar(&opts.JSON, "json", false, "print the result as JSON")
	return cmd
}

// callLookup is one khomp_id to query and where it came from.
type callLookup struct {
	KhompID    string `json:"khomp_id"`
	CallerCode string `json:"caller_code,omitempty"`
	Source     string `json:"source"`
	container  string // from vicidial_khomp_log, when recorded
}

// callDecision is what a VICIdial stage would do.
type callDecision struct {
	Action     string `json:"action"`
	Status     string `json:"status"`
	DialStatus string `json:"dial_status,omitempty"`
	Rule       string `json:"rule"`
	Line       int    `json:"map_line,omitempty"`
	Note       string `json:"note,omitempty"`
}

type callReport struct {
	callLookup
	Container string            `json:"container"`
	Header    string            `json:"header"`
	Found     bool              `json:"found"`
	Calls     int               `json:"calls_returned"`
	Fields    map[string]string `json:"fields,omitempty"`
	Times     map[string]string `json:"times,omitempty"` // stamps as RFC 3339 UTC
	AtAnswer  *callDecision     `json:"at_answer,omitempty"`
	AtHangup  *callDecision     `json:"at_hangup,omitempty"`
}

type callsOutput struct {
	Token   string       `json:"token"` // what happened to the token (never the token)
	Results []callReport `json:"results"`
}

func callsRun(ctx context.Context, opts *callsOptions) error {
	db, err := opts.DB(ctx)
	if err != nil {
		return err
	}
	lookups, err := resolveCallLookups(ctx, db, opts)
	if err != nil {
		return err
	}
	id := callsContainerID(opts, lookups)
	row, err := container.Get(ctx, db, id)
	if errors.Is(err, container.ErrNotFound) {
		return usageError(fmt.Errorf("no settings container %q in vicidial_settings_containers", id))
	}
	if err != nil {
		return err
	}
	s := container.ParseSettings(row.Entry)
	if err := checkCallSettings(id, s); err != nil {
		return err
	}
	if err := buildMissingIDs(ctx, db, opts, s, lookups); err != nil {
		return err
	}
	maps, mapNote := loadMaps(ctx, db)
	client, err := opts.client(s, opts.Version, opts.Log)
	if err != nil {
		return err
	}
	token, tokenNote, err := callsToken(ctx, db, id, s, client, opts)
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if err != nil {
		return err
	}
	out := callsOutput{Token: tokenNote}
	notFound := 0
	for _, lk := range lookups {
		calls, err := client.CallList(ctx, s.URL, token, s.Header, lk.KhompID)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			return withExit(exitFailure, fmt.Errorf("%s: %w", lk.KhompID, err))
		}
		rep := callReport{callLookup: lk, Container: id, Header: "X-" + s.Header, Calls: len(calls)}
		describeCall(&rep, calls, maps)
		if !rep.Found {
			notFound++
		}
		out.Results = append(out.Results, rep)
	}
	if mapNote != "" {
		fmt.Fprintf(opts.ErrOut, "khompctl: warning: %s\n", mapNote)
	}
	if err := renderCalls(opts, out); err != nil {
		return err
	}
	if notFound > 0 {
		return withExit(exitFailure, fmt.Errorf("%d of %d calls not found on the gateway (VICIdial logs \"No Call Record Found\")", notFound, len(lookups)))
	}
	return nil
}

// callsContainerID: the flag, else the container vicidial_khomp_log
// recorded for the calls (when they agree), else KHOMPSETTINGS.
func callsContainerID(opts *callsOptions, lookups []callLookup) string {
	if opts.containerGiven {
		id, fellBack := normalizeContainerID(opts.Container)
		if fellBack {
			fmt.Fprintf(opts.ErrOut, "khompctl: warning: --khomp-container %q is 2 characters or fewer; using %s as VICIdial does\n", opts.Container, id)
		}
		return id
	}
	logged := ""
	for _, lk := range lookups {
		if lk.container == "" || (logged != "" && lk.container != logged) {
			return container.DefaultSettingsID
		}
		logged = lk.container
	}
	if logged != "" {
		return logged
	}
	return container.DefaultSettingsID
}

func checkCallSettings(id string, s container.Settings) error {
	switch {
	case s.URL == "":
		return usageError(fmt.Errorf("container %s: %s is empty or missing", id, container.KeyURL))
	case s.Header == "":
		return usageError(fmt.Errorf("container %s: %s is empty or missing", id, container.KeyHeader))
	}
	return nil
}

// resolveCallLookups turns --id and --caller-code into khomp_ids, reading
// vicidial_khomp_log for caller codes. Caller codes not in the log keep an
// empty KhompID for buildMissingIDs.
func resolveCallLookups(ctx context.Context, db *sql.DB, opts *callsOptions) ([]callLookup, error) {
	var out []callLookup
	for _, id := range opts.IDs {
		if strings.TrimSpace(id) == "" {
			return nil, usageError(errors.New("--id: empty khomp_id"))
		}
		out = append(out, callLookup{KhompID: id, Source: "--id"})
	}
	for _, cc := range opts.CallerCodes {
		if strings.TrimSpace(cc) == "" {
			return nil, usageError(errors.New("--caller-code: empty caller code"))
		}
		lk := callLookup{CallerCode: cc}
		var logID int64
		var khompID, cont sql.NullString
		err := db.QueryRowContext(ctx, `SELECT khomp_log_id, khomp_id, khomp_settings_container FROM vicidial_khomp_log
			WHERE caller_code = ? AND khomp_id IS NOT NULL AND khomp_id <> '' ORDER BY khomp_log_id DESC LIMIT 1`, cc).Scan(&logID, &khompID, &cont)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, fmt.Errorf("read vicidial_khomp_log: %w", err)
		default:
			lk.KhompID, lk.container = khompID.String, cont.String
			lk.Source = fmt.Sprintf("vicidial_khomp_log #%d", logID)
		}
		out = append(out, lk)
	}
	return out, nil
}

// buildMissingIDs builds the khomp_id of caller codes the log does not
// have, the way FastAGI_log.pl builds it at dial time.
func buildMissingIDs(ctx context.Context, db *sql.DB, opts *callsOptions, s container.Settings, lookups []callLookup) error {
	for i := range lookups {
		lk := &lookups[i]
		if lk.KhompID != "" {
			continue
		}
		switch s.IDFormat {
		case "CALLERCODE":
			lk.KhompID = lk.CallerCode
		case "CALLERCODE_EXTERNIP", "CALLERCODE_CAMP_EXTERNIP":
			ip, err := externalServerIP(ctx, db, opts.ServerIP)
			if err != nil {
				return usageError(fmt.Errorf("caller code %s is not in vicidial_khomp_log and its khomp_id (khomp_id_format %s) needs the dialer's external_server_ip: %w", lk.CallerCode, s.IDFormat, err))
			}
			if s.IDFormat == "CALLERCODE_EXTERNIP" {
				lk.KhompID = lk.CallerCode + "_" + ip
				break
			}
			if opts.Campaign == "" {
				return usageError(fmt.Errorf("caller code %s is not in vicidial_khomp_log; to build its khomp_id (khomp_id_format CALLERCODE_CAMP_EXTERNIP) give --campaign", lk.CallerCode))
			}
			lk.KhompID = lk.CallerCode + "_" + opts.Campaign + "_" + ip
		default:
			return usageError(fmt.Errorf("caller code %s is not in vicidial_khomp_log and khomp_id_format %q is not one VICIdial knows, so VICIdial sent no header; use --id", lk.CallerCode, s.IDFormat))
		}
		lk.Source = "built from khomp_id_format " + s.IDFormat
	}
	return nil
}

// externalServerIP reads servers.external_server_ip for serverIP, or for
// the only server when serverIP is empty. An empty value is valid (VICIdial then ends
// the khomp_id with "_").
func externalServerIP(ctx context.Context, db *sql.DB, serverIP string) (string, error) {
	if serverIP == "" {
		ips, err := gwQueryStrings(ctx, db, "SELECT server_ip FROM servers ORDER BY server_ip LIMIT 2")
		if err != nil {
			return "", err
		}
		if len(ips) != 1 {
			return "", fmt.Errorf("%d servers in the servers table: give --server-ip", len(ips))
		}
		serverIP = ips[0]
	}
	var ext sql.NullString
	err := db.QueryRowContext(ctx, "SELECT external_server_ip FROM servers WHERE server_ip = ?", serverIP).Scan(&ext)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("no server %q in the servers table", serverIP)
	}
	if err != nil {
		return "", err
	}
	return ext.String, nil
}

// callMaps are KHOMPSTATUSMAP parsed with each stage's rules.
type callMaps struct {
	agi, fastagi *container.StatusMap
}

func loadMaps(ctx context.Context, db *sql.DB) (callMaps, string) {
	row, err := container.Get(ctx, db, container.StatusMapID)
	note := ""
	if err != nil {
		note = fmt.Sprintf("cannot read %s (%v): showing VICIdial's fallbacks", container.StatusMapID, err)
	}
	return callMaps{
		agi:     container.ParseStatusMapDialect(row.Entry, container.DialectAGI),
		fastagi: container.ParseStatusMapDialect(row.Entry, container.DialectFastAGI),
	}, note
}

// callsToken applies VICIdial's renewal rule before the query: renew when
// expired or the sentinel, if login is ours to do, and store the new token.
func callsToken(ctx context.Context, db *sql.DB, id string, s container.Settings, client *khomp.Client, opts *callsOptions) (string, string, error) {
	now := opts.Now()
	if !s.NeedsRenewal(now) {
		return s.Token, fmt.Sprintf("stored token used (valid until %s)", s.ExpireAt().Format(time.RFC3339)), nil
	}
	if !s.LoginEnabled() {
		return s.Token, fmt.Sprintf("stored token used although expired: khomp_api_proxied is %q, so the proxy handles login", s.Proxied), nil
	}
	if s.LoginURL == "" {
		return "", "", usageError(fmt.Errorf("container %s: the token has expired and %s is empty", id, container.KeyLoginURL))
	}
	token, err := client.SessionLogin(ctx, s.LoginURL, s.User, s.Pass)
	if err != nil {
		return "", "", withExit(exitFailure, fmt.Errorf("renew the expired token: %w", err))
	}
	expire := now.Add(container.TokenLifetime)
	_, _, err = container.Update(ctx, db, id, gwCASAttempts, func(cur string) (string, error) {
		return container.SetToken(cur, token, expire)
	})
	if err != nil {
		fmt.Fprintf(opts.ErrOut, "khompctl: warning: renewed the token but could not store it in %s: %s\n", id, oneLine(err))
		return token, "token renewed (not stored)", nil
	}
	return token, fmt.Sprintf("token renewed and stored in %s (expires %s)", id, expire.Format(time.RFC3339)), nil
}

// describeCall fills the report from the first call, as VICIdial reads it.
func describeCall(rep *callReport, calls []khomp.Call, maps callMaps) {
	if len(calls) == 0 || calls[0].Fields == nil {
		rep.AtHangup = &callDecision{Action: "error", Status: "ERROR", DialStatus: "ERROR", Rule: "no call record", Note: "FastAGI_log.pl returns (error, ERROR, ERROR)"}
		return
	}
	call := calls[0]
	rep.Found, rep.Fields, rep.Times = true, call.Fields, map[string]string{}
	for _, name := range khomp.SelectedFields {
		if !strings.HasSuffix(name, "_stamp") {
			continue
		}
		if ts, ok := call.Stamp(name); ok {
			rep.Times[name] = ts.UTC().Format("2006-01-02T15:04:05.000Z07:00")
		}
	}
	conclusion, pattern := call.Fields["analyzer_conclusion"], call.Fields["analyzer_pattern"]
	agi := maps.agi.Lookup(conclusion, pattern)
	rep.AtAnswer = decision(agi, conclusion, pattern)
	if agi.Rule != container.RuleFallback && agi.Action == "" {
		rep.AtAnswer.Note = "unclassified map line: the AGI routes the call (\"No Action Defined\")"
	}
	_, answered := call.Stamp("answer_stamp")
	hang := maps.fastagi.LookupHangup(conclusion, pattern, call.Fields["hangup_origin"], call.Fields["hangup_cause"], answered)
	rep.AtHangup = decision(hang, conclusion, pattern)
}

func decision(r container.Result, conclusion, pattern string) *callDecision {
	d := &callDecision{Action: r.Action, Status: r.Status, DialStatus: r.DialStatus, Rule: string(r.Rule), Line: r.Line}
	switch r.Rule {
	case container.RuleExact:
		d.Note = fmt.Sprintf("map line %d matches %q.%q", r.Line, conclusion, pattern)
	case container.RuleConclusion:
		d.Note = fmt.Sprintf("no line for %q.%q; map line %d for %q alone", conclusion, pattern, r.Line, conclusion)
	case container.RuleFallback:
		d.Note = fmt.Sprintf("no map line for %q: VICIdial's fallback", conclusion)
	case container.RuleHangup:
		d.Note = "empty conclusion: FastAGI maps the hangup cause"
	case container.RuleNone:
		d.Note = "empty conclusion and leg a hung up: FastAGI changes nothing"
	}
	return d
}

func renderCalls(opts *callsOptions, out callsOutput) error {
	if opts.JSON {
		enc := json.NewEncoder(opts.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(opts.Out, "token: %s\n", out.Token)
	for _, r := range out.Results {
		fmt.Fprintf(opts.Out, "\n%s: %s (%s; container %s)\n", r.Header, r.KhompID, r.Source, r.Container)
		if !r.Found {
			fmt.Fprintf(opts.Out, "no call record on the gateway: VICIdial logs \"No Call Record Found\"; at hangup %s\n", r.AtHangup.Note)
			continue
		}
		if r.Calls > 1 {
			fmt.Fprintf(opts.Out, "the gateway returned %d calls; VICIdial uses only the first, shown here\n", r.Calls)
		}
		rows := make([][]string, 0, len(khomp.SelectedFields))
		for _, name := range khomp.SelectedFields {
			v, ok := r.Fields[name]
			switch {
			case !ok:
				v = "(not sent)"
			case r.Times[name] != "":
				t, _ := time.Parse(time.RFC3339Nano, r.Times[name])
				v = fmt.Sprintf("%s (%s)", t.In(opts.Now().Location()).Format("2006-01-02 15:04:05.000 MST"), v)
			}
			rows = append(rows, []string{name, tableCell(v)}) // gateway text: keep it on its row
		}
		if err := callsTable(opts, []string{"FIELD", "VALUE"}, rows); err != nil {
			return err
		}
		fmt.Fprintf(opts.Out, "at answer (agi-VDAD_ALL_outbound.agi): %s\n", decisionText(r.AtAnswer))
		fmt.Fprintf(opts.Out, "at hangup (FastAGI_log.pl):            %s\n", decisionText(r.AtHangup))
	}
	return nil
}

func callsTable(opts *callsOptions, header []string, rows [][]string) error {
	if opts.TTY {
		return renderTable(opts.Out, header, rows)
	}
	for _, r := range rows {
		fmt.Fprintln(opts.Out, strings.Join(r, "\t"))
	}
	return nil
}

func decisionText(d *callDecision) string {
	if d == nil {
		return "-"
	}
	parts := []string{orDash(d.Action), orDash(d.Status)}
	if d.DialStatus != "" {
		parts = append(parts, d.DialStatus)
	}
	return strings.Join(parts, " ") + " — " + d.Note
}

func orDash(s string) string {
	if s == "" {
		return "''"
	}
	return s
}
