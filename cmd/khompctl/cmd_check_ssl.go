package main

import (
	"context"
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/khompctl/khompctl/pkg/container"
	"github.com/khompctl/khompctl/pkg/khomp"
)

type checkSSLOptions struct {
	Container string
	URL       string
	CAFile    string
	Insecure  bool
	Timeout   time.Duration
	WarnDays  int
	JSON      bool

	Out, ErrOut io.Writer
	TTY         bool
	Now         func() time.Time
	DB          func(ctx context.Context) (*sql.DB, error)
	Version     string
	// RootCAs replaces the system roots + CAFile (tests).
	RootCAs *x509.CertPool
}

func newCheckSSLCmd(f *Factory) *cobra.Command {
	opts := &checkSSLOptions{}
	cmd := &cobra.Command{
		Use:   "check-ssl [--khomp-container ID | URL]",
		Short: "Check the KHOMP gateway's TLS the way VICIdial's curl sees it, and say what is wrong",
		Long: `Check the connection VICIdial's curl makes to the KHOMP gateway, layer by layer: DNS, TCP,
TLS handshake, protocol and cipher, certificate validity (days until expiry), chain (self-signed,
unknown authority, incomplete chain), host name, then an HTTP GET of the base URL.

With --khomp-container (default KHOMPSETTINGS) both khomp_api_url and khomp_api_login_url are
checked, and the certificate is judged the way VICIdial judges it: verified only when
khomp_api_check_ssl is numerically non-zero. When it is 0 a bad certificate does not stop
VICIdial, and check-ssl warns instead of failing. With a URL argument the certificate is
verified unless --insecure is given.

When curl cannot reach the gateway, VICIdial marks every answered call PU; this command says why.
The exit status is 0 only when VICIdial's curl would get through.
` + exitStatusHelp,
		Example: `  khompctl check-ssl --khomp-container KHOMPSETTINGS
  khompctl check-ssl https://10.0.0.5/rpc/json.fcgi/kgateway --cacert /root/khomp-ca.pem
  khompctl check-ssl --json https://gateway.example.com/ | jq .`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if cmd.Flags().Changed("khomp-container") {
					return usageError(errors.New("give either a URL or --khomp-container, not both"))
				}
				opts.URL = args[0]
			} else if opts.Insecure {
				return usageError(errors.New("--insecure only applies to a URL argument; with a container, khomp_api_check_ssl decides"))
			}
			opts.Out, opts.ErrOut, opts.TTY = f.IO.Out, f.IO.ErrOut, f.IO.StdoutTTY
			opts.Now, opts.DB, opts.Version = f.Now, f.DB, f.Version
			return checkSSLRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Container, "khomp-container", "", "KHOMP settings container `id` whose URLs to check (default KHOMPSETTINGS)")
	fl.StringVar(&opts.CAFile, "cacert", "", "PEM `file` of CA certificates to trust in addition to the system store (as if installed)")
	fl.BoolVar(&opts.Insecure, "insecure", false, "with a URL: judge as VICIdial does with khomp_api_check_ssl => 0 (curl --insecure)")
	fl.DurationVar(&opts.Timeout, "timeout", khomp.DefaultTimeout, "time limit for each network step")
	fl.IntVar(&opts.WarnDays, "warn-days", 30, "warn when the certificate expires within this many `days`")
	fl.BoolVar(&opts.JSON, "json", false, "print the report as JSON")
	return cmd
}

// checkSSLTarget is one URL to check and why.
type checkSSLTarget struct {
	URL    string
	Keys   []string // container keys naming it
	Verify bool
}

type checkSSLReport struct {
	Container string             `json:"container,omitempty"`
	CheckSSL  *string            `json:"khomp_api_check_ssl,omitempty"`
	Targets   []checkSSLTargetOK `json:"targets"`
	OK        bool               `json:"ok"`
}

type checkSSLTargetOK struct {
	Keys []string `json:"keys,omitempty"`
	khomp.TLSReport
}

func checkSSLRun(ctx context.Context, opts *checkSSLOptions) error {
	report := checkSSLReport{}
	targets, err := checkSSLTargets(ctx, opts, &report)
	if err != nil {
		return err
	}
	roots := opts.RootCAs
	if roots == nil {
		if roots, err = khomp.RootPool(opts.CAFile); err != nil {
			return usageError(fmt.Errorf("--cacert: %w", err))
		}
	}
	report.OK = true
	for _, tg := range targets {
		rep := khomp.CheckTLS(ctx, khomp.CheckOptions{
			URL: tg.URL, Verify: tg.Verify, RootCAs: roots, Timeout: opts.Timeout,
			WarnDays: opts.WarnDays, Now: opts.Now, UserAgent: "khompctl/" + opts.Version,
		})
		report.Targets = append(report.Targets, checkSSLTargetOK{Keys: tg.Keys, TLSReport: rep})
		report.OK = report.OK && rep.CurlOK
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := renderCheckSSL(opts, report); err != nil {
		return err
	}
	for _, tg := range report.Targets {
		if !tg.Verify && len(tg.CertProblems) > 0 {
			fmt.Fprintf(opts.ErrOut, "khompctl: warning: %s: VICIdial does not verify the certificate (khomp_api_check_ssl => 0), but it is bad: %s; anyone in between can read the API password and token\n",
				tg.URL, strings.Join(tg.CertProblems, "; "))
		}
	}
	if !report.OK {
		return silentExit(exitFailure)
	}
	return nil
}

// checkSSLTargets turns the URL argument or the container into targets.
func checkSSLTargets(ctx context.Context, opts *checkSSLOptions, report *checkSSLReport) ([]checkSSLTarget, error) {
	if opts.URL != "" {
		if u, err := url.Parse(opts.URL); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return nil, usageError(fmt.Errorf("%q is not an http:// or https:// URL", opts.URL))
		}
		return []checkSSLTarget{{URL: opts.URL, Verify: !opts.Insecure}}, nil
	}
	id, fellBack := normalizeContainerID(opts.Container)
	if fellBack {
		fmt.Fprintf(opts.ErrOut, "khompctl: warning: --khomp-container %q is 2 characters or fewer; using %s as VICIdial does\n", opts.Container, id)
	}
	db, err := opts.DB(ctx)
	if err != nil {
		return nil, err
	}
	row, err := container.Get(ctx, db, id)
	if errors.Is(err, container.ErrNotFound) {
		return nil, usageError(fmt.Errorf("no settings container %q in vicidial_settings_containers", id))
	}
	if err != nil {
		return nil, err
	}
	s := container.ParseSettings(row.Entry)
	report.Container, report.CheckSSL = id, &s.CheckSSL
	var targets []checkSSLTarget
	add := func(key, raw string) error {
		if raw == "" {
			return nil
		}
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return usageError(fmt.Errorf("container %s: %s %q is not an http:// or https:// URL", id, key, raw))
		}
		for i := range targets {
			if sameEndpoint(targets[i].URL, raw) {
				targets[i].Keys = append(targets[i].Keys, key)
				return nil
			}
		}
		targets = append(targets, checkSSLTarget{URL: raw, Keys: []string{key}, Verify: s.VerifyTLS()})
		return nil
	}
	if err := add(container.KeyURL, s.URL); err != nil {
		return nil, err
	}
	if err := add(container.KeyLoginURL, s.LoginURL); err != nil {
		return nil, err
	}
	if len(targets) == 0 {
		return nil, usageError(fmt.Errorf("container %s: neither %s nor %s is set", id, container.KeyURL, container.KeyLoginURL))
	}
	return targets, nil
}

// sameEndpoint: same scheme, host and port (the TLS checks would repeat).
func sameEndpoint(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	return errA == nil && errB == nil && ua.Scheme == ub.Scheme && strings.EqualFold(ua.Host, ub.Host)
}

func renderCheckSSL(opts *checkSSLOptions, report checkSSLReport) error {
	if opts.JSON {
		enc := json.NewEncoder(opts.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	var rows [][]string
	for _, tg := range report.Targets {
		label := tg.URL
		if len(tg.Keys) > 0 {
			label += " (" + strings.Join(tg.Keys, ", ") + ")"
		}
		for i, st := range tg.Steps {
			first := ""
			if i == 0 || !opts.TTY {
				first = label
			}
			rows = append(rows, []string{first, st.Name, st.Result, st.Detail})
		}
	}
	if opts.TTY {
		if err := renderTable(opts.Out, []string{"TARGET", "CHECK", "RESULT", "DETAIL"}, rows); err != nil {
			return err
		}
	} else {
		for _, r := range rows {
			fmt.Fprintln(opts.Out, strings.Join(r, "\t"))
		}
	}
	for _, tg := range report.Targets {
		verdict := "yes"
		if !tg.CurlOK {
			verdict = "NO (answered calls would be marked PU)"
		}
		how := "verifying the certificate"
		if !tg.Verify {
			how = "without verifying the certificate (curl --insecure)"
		}
		fmt.Fprintf(opts.Out, "VICIdial's curl, %s, would reach %s: %s\n", how, tg.URL, verdict)
	}
	return nil
}
