package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/khompctl/khompctl/pkg/container"
	"github.com/khompctl/khompctl/pkg/khomp"
)

// gwCASAttempts bounds the compare-and-swap retries of a token write: each
// retry means someone else wrote the container in the few milliseconds
// between our read and our write.
const gwCASAttempts = 10

// gatewayFlags are the connection settings shared by auth and calls.
type gatewayFlags struct {
	Container string
	CAFile    string
	Timeout   time.Duration
	Retries   int
	FormType  bool
}

func (g *gatewayFlags) bind(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&g.Container, "khomp-container", "", "KHOMP settings container `id` (default KHOMPSETTINGS; ids of 2 characters or fewer fall back to it, as in VICIdial)")
	fl.StringVar(&g.CAFile, "cacert", "", "PEM `file` of CA certificates to trust in addition to the system store (only used when the container's khomp_api_check_ssl verifies)")
	fl.DurationVar(&g.Timeout, "timeout", khomp.DefaultTimeout, "time limit for each HTTP attempt")
	fl.IntVar(&g.Retries, "retries", khomp.DefaultRetries, "extra attempts after a network error or HTTP 5xx (0: none)")
	fl.BoolVar(&g.FormType, "form-content-type", false, "send Content-Type application/x-www-form-urlencoded like VICIdial's curl, instead of application/json")
}

// client builds the KHOMP client for a settings container.
func (g *gatewayFlags) client(s container.Settings, version string, log *slog.Logger) (*khomp.Client, error) {
	retries := g.Retries
	if retries == 0 {
		retries = -1 // khomp.Options: 0 means "default", negative "none"
	}
	c, err := khomp.New(khomp.Options{
		Timeout: g.Timeout, Retries: retries, VerifyTLS: s.VerifyTLS(), CAFile: g.CAFile,
		Version: version, FormContentType: g.FormType, Log: log,
	})
	if err != nil {
		return nil, usageError(fmt.Errorf("--cacert: %w", err))
	}
	return c, nil
}

// normalizeContainerID applies AST_KHOMP_auth_updater.pl's rules to the
// --khomp-container value: the first space-separated word, with a trailing
// '/' and tabs/CR/LF removed, is used when longer than 2 characters;
// otherwise KHOMPSETTINGS. fellBack reports a non-empty value that was
// replaced, so the caller can say so.
func normalizeContainerID(v string) (id string, fellBack bool) {
	word := v
	if i := strings.IndexByte(word, ' '); i >= 0 {
		word = word[:i]
	}
	if len(word) <= 2 {
		return container.DefaultSettingsID, v != ""
	}
	word = strings.TrimSuffix(word, "/")
	word = strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(word)
	return word, false
}

type authOptions struct {
	gatewayFlags
	All      bool
	MinValid time.Duration
	DryRun   bool
	JSON     bool
	// Quiet prints nothing on success (cron mails any output); warnings and
	// failures still go to stderr.
	Quiet bool

	Out, ErrOut io.Writer
	TTY         bool
	Now         func() time.Time
	DB          func(ctx context.Context) (*sql.DB, error)
	Log         *slog.Logger
	Version     string
}

func newAuthCmd(f *Factory) *cobra.Command {
	opts := &authOptions{}
	cmd := &cobra.Command{
		Use:   "auth [--khomp-container ID | --all]",
		Short: "Log in to the KHOMP gateway and store the API token in a settings container",
		Long: `Log in to the KHOMP gateway (JSON-RPC SessionLogin) with the user and password of a KHOMP
settings container and store the token and its expiry (now + 3600 s) back into the container,
as AST_KHOMP_auth_updater.pl does from cron every 30 minutes.

The container is parsed exactly as VICIdial's AGI parses it ('#' starts a comment anywhere on
a line, "key => value", values trimmed). Login happens only when khomp_api_proxied is exactly
"false" (a proxy handles it otherwise, and auth says so and does nothing). The gateway
certificate is verified only when khomp_api_check_ssl is numerically non-zero, as VICIdial does.

The two lines khomp_api_token and khomp_api_token_expire are rewritten literally in one
compare-and-swap UPDATE: every other byte of the container (comments, CRLF) is kept, a missing
line is added, tokens with quotes, backslashes, '+', '$1' or '&' are stored exactly, and an edit
made meanwhile by someone else is never lost. The token and password are never printed.
` + exitStatusHelp,
		Example: `  # cron, every 30 minutes, once per KHOMP settings container (silent unless something fails)
  */30 * * * * khompctl auth -q --khomp-container KHOMPSETTINGS

  # every KHOMP settings container, but only log in when the token expires within 10 minutes
  khompctl auth --all --min-valid 10m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.All && cmd.Flags().Changed("khomp-container") {
				return usageError(errors.New("--all and --khomp-container cannot be used together"))
			}
			if opts.MinValid < 0 {
				return usageError(errors.New("--min-valid must not be negative"))
			}
			opts.Out, opts.ErrOut, opts.TTY = f.IO.Out, f.IO.ErrOut, f.IO.StdoutTTY
			opts.Now, opts.DB, opts.Log, opts.Version = f.Now, f.DB, f.Log, f.Version
			return authRun(cmd.Context(), opts)
		},
	}
	opts.gatewayFlags.bind(cmd)
	fl := cmd.Flags()
	fl.BoolVar(&opts.All, "all", false, "renew every KHOMP settings container (KHOMPSETTINGS, type KHOMP_SETTINGS, and those KHOMP campaigns use)")
	fl.DurationVar(&opts.MinValid, "min-valid", 0, "skip the login while the stored token stays valid at least this `duration` (e.g. 10m); 0 always logs in, like the Perl")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "say what would be done without contacting the gateway or writing")
	fl.BoolVar(&opts.JSON, "json", false, "print the results as JSON")
	fl.BoolVarP(&opts.Quiet, "quiet", "q", false, "print nothing on success (for cron); warnings and errors still go to stderr")
	cmd.MarkFlagsMutuallyExclusive("quiet", "json")
	return cmd
}

// authResult is one container's outcome (no secrets in it).
type authResult struct {
	Container string `json:"container"`
	// Result: renewed, skipped, would-renew, failed.
	Result  string `json:"result"`
	Detail  string `json:"detail"`
	Expires int64  `json:"expires,omitempty"` // epoch seconds of the stored expiry
	// TokenChars is the new token's length, to tell tokens apart without showing them.
	TokenChars int  `json:"token_chars,omitempty"`
	Verified   bool `json:"tls_verify"` // whether the certificate is (would be) verified
	exitCode   int
	warnings   []string
}

func authRun(ctx context.Context, opts *authOptions) error {
	db, err := opts.DB(ctx)
	if err != nil {
		return err
	}
	ids, err := authContainerIDs(ctx, db, opts)
	if err != nil {
		return err
	}
	results := make([]authResult, 0, len(ids))
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		res := authOne(ctx, db, id, opts)
		if err := ctx.Err(); err != nil {
			return err // interrupted: exit 130, whatever the container step said
		}
		results = append(results, res)
	}
	if !opts.Quiet {
		if err := renderAuth(opts, results); err != nil {
			return err
		}
	}
	code := exitOK
	for _, r := range results {
		for _, w := range r.warnings {
			fmt.Fprintf(opts.ErrOut, "khompctl: warning: %s: %s\n", r.Container, w)
		}
		if r.exitCode != exitOK {
			fmt.Fprintf(opts.ErrOut, "khompctl: auth %s: %s\n", r.Container, r.Detail)
			code = worseExit(code, r.exitCode)
		}
	}
	if code != exitOK {
		return silentExit(code)
	}
	return nil
}

// worseExit keeps the more telling of two exit codes: bad input (2) beats
// a failure (1), which beats a concurrent-write conflict (75).
func worseExit(a, b int) int {
	rank := map[int]int{exitOK: 0, exitLocked: 1, exitFailure: 2, exitInterrupted: 3, exitUsage: 4}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// authContainerIDs resolves --khomp-container / --all to container ids.
func authContainerIDs(ctx context.Context, db *sql.DB, opts *authOptions) ([]string, error) {
	if !opts.All {
		id, fellBack := normalizeContainerID(opts.Container)
		if fellBack {
			fmt.Fprintf(opts.ErrOut, "khompctl: warning: --khomp-container %q is 2 characters or fewer; using %s as VICIdial does\n", opts.Container, id)
		}
		return []string{id}, nil
	}
	ids, err := khompSettingsContainers(ctx, db)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, errors.New("--all: no KHOMP settings container in vicidial_settings_containers")
	}
	return ids, nil
}

// khompSettingsContainers lists the settings containers that exist: the
// default one, those of type KHOMP_SETTINGS and those KHOMP campaigns use.
// The campaign table has another collation than the container table, so
// the campaigns' containers are looked up one by one (as VICIdial does).
func khompSettingsContainers(ctx context.Context, db *sql.DB) ([]string, error) {
	ids, err := gwQueryStrings(ctx, db, "SELECT container_id FROM vicidial_settings_containers WHERE container_id = ? OR container_type = ?",
		container.DefaultSettingsID, container.SettingsType)
	if err != nil {
		return nil, fmt.Errorf("list KHOMP settings containers: %w", err)
	}
	used, err := gwQueryStrings(ctx, db, "SELECT DISTINCT khomp_settings_container FROM vicidial_campaigns WHERE amd_type = 'KHOMP' AND khomp_settings_container IS NOT NULL")
	if err != nil {
		return nil, fmt.Errorf("list the containers of KHOMP campaigns: %w", err)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	for _, id := range used {
		row, err := container.Get(ctx, db, id)
		if errors.Is(err, container.ErrNotFound) {
			continue // status reports campaigns pointing at missing containers
		}
		if err != nil {
			return nil, err
		}
		if !seen[row.ID] {
			seen[row.ID] = true
			ids = append(ids, row.ID)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

func gwQueryStrings(ctx context.Context, db *sql.DB, query string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// authOne renews one container's token and reports what happened.
func authOne(ctx context.Context, db *sql.DB, id string, opts *authOptions) authResult {
	res := authResult{Container: id}
	fail := func(code int, err error) authResult {
		res.Result, res.Detail, res.exitCode = "failed", oneLine(err), code
		return res
	}
	row, err := container.Get(ctx, db, id)
	if errors.Is(err, container.ErrNotFound) {
		return fail(exitUsage, fmt.Errorf("no settings container %q in vicidial_settings_containers", id))
	}
	if err != nil {
		return fail(exitFailure, err)
	}
	s := container.ParseSettings(row.Entry)
	res.Verified = s.VerifyTLS()
	now := opts.Now()
	if !s.LoginEnabled() {
		res.Result = "skipped"
		res.Detail = fmt.Sprintf("khomp_api_proxied is %q, not exactly \"false\": VICIdial leaves the login to the proxy, so auth does nothing", s.Proxied)
		return res
	}
	if opts.MinValid > 0 && s.ValidFor(now, opts.MinValid) {
		res.Result, res.Expires = "skipped", s.ExpireAt().Unix()
		res.Detail = fmt.Sprintf("stored token valid until %s (more than %s)", s.ExpireAt().Format(time.RFC3339), opts.MinValid)
		return res
	}
	if s.LoginURL == "" {
		return fail(exitUsage, fmt.Errorf("%s is empty or missing", container.KeyLoginURL))
	}
	if s.User == "" {
		res.warnings = append(res.warnings, container.KeyUser+" is empty")
	}
	if _, err := container.SetToken(row.Entry, "dry-run-token", now); err != nil {
		return fail(exitUsage, err)
	}
	if opts.DryRun {
		res.Result = "would-renew"
		res.Detail = fmt.Sprintf("would log in at %s (TLS verify %v) and store the token expiring at now+%ds", s.LoginURL, s.VerifyTLS(), int(container.TokenLifetime.Seconds()))
		return res
	}
	client, err := opts.client(s, opts.Version, opts.Log)
	if err != nil {
		return fail(exitUsage, err)
	}
	token, err := client.SessionLogin(ctx, s.LoginURL, s.User, s.Pass)
	if err != nil {
		return fail(exitFailure, fmt.Errorf("%w (container unchanged)", err))
	}
	expire := now.Add(container.TokenLifetime)
	if _, _, err := container.Update(ctx, db, id, gwCASAttempts, func(current string) (string, error) {
		return container.SetToken(current, token, expire)
	}); err != nil {
		switch {
		case errors.Is(err, container.ErrUnstorableValue):
			return fail(exitFailure, fmt.Errorf("the gateway's token cannot be stored (VICIdial would read it back differently): %w", err))
		case errors.Is(err, container.ErrConflict):
			return fail(exitLocked, err)
		}
		return fail(exitFailure, err)
	}
	res.Result, res.Expires, res.TokenChars = "renewed", expire.Unix(), len(token)
	res.Detail = fmt.Sprintf("token stored, expires %s", expire.Format(time.RFC3339))
	if (container.Settings{Token: token}).TokenBreaksAGI() {
		res.warnings = append(res.warnings, "the new token contains a single quote: VICIdial's AGI puts the token in a single-quoted shell word, so its analytics queries will fail until the next renewal")
	}
	if !s.VerifyTLS() {
		res.Detail += " (TLS not verified: khomp_api_check_ssl is 0)"
	}
	return res
}

func renderAuth(opts *authOptions, results []authResult) error {
	if opts.JSON {
		enc := json.NewEncoder(opts.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	if !opts.TTY {
		for _, r := range results {
			fmt.Fprintf(opts.Out, "%s\t%s\t%s\n", r.Container, r.Result, r.Detail)
		}
		return nil
	}
	rows := make([][]string, 0, len(results))
	for _, r := range results {
		rows = append(rows, []string{r.Container, r.Result, r.Detail})
	}
	return renderTable(opts.Out, []string{"CONTAINER", "RESULT", "DETAIL"}, rows)
}
