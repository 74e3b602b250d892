package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/khompctl/khompctl/pkg/container"
	"github.com/khompctl/khompctl/pkg/patterns"
	"github.com/spf13/cobra"
)

func newPatternsCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "patterns",
		Short: "List KHOMPSTATUSMAP entries or set the action for a pair",
		Long: `Read and edit KHOMPSTATUSMAP, the map from what the KHOMP gateway concluded about a call
(conclusion and pattern) to what VICIdial does with it (action, status, dial status).
` + exitStatusHelp,
		Example: `  khompctl patterns list --unclassified
  khompctl patterns set "Voice mail" "Please leave your message" --action amdaction --status KPAM --dial-status AMD
  khompctl patterns lookup "Interception announcement" "Busy tone"`,
	}
	cmd.AddCommand(newPatternsListCmd(f), newPatternsSetCmd(f), newPatternsLookupCmd(f))
	return cmd
}

// PatternsListOptions are the flags of patterns list.
type PatternsListOptions struct {
	Out          io.Writer
	Log          *slog.Logger
	DB           func(context.Context) (*sql.DB, error)
	Unclassified bool
	JSON         bool
}

// patternRow is one map entry as list prints it.
type patternRow struct {
	Line       int    `json:"line"`
	Conclusion string `json:"conclusion"`
	Pattern    string `json:"pattern"`
	Action     string `json:"action"`
	Status     string `json:"status"`
	DialStatus string `json:"dial_status"`
}

func newPatternsListCmd(f *Factory) *cobra.Command {
	opts := &PatternsListOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the map entries, unclassified first (as VICIdial's KHOMP admin page does)",
		Long: `List every (conclusion, pattern) entry of KHOMPSTATUSMAP as VICIdial's runtime reads it
(when a pair appears twice, the later line wins, as in VICIdial). Unclassified entries
(no action yet) come first, then the rest, each sorted by name. Lines VICIdial ignores
or misreads are reported on stderr.
` + exitStatusHelp,
		Example: `  khompctl patterns list
  khompctl patterns list --unclassified --json | jq -r '.[].pattern'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Out, opts.Log, opts.DB = f.IO.Out, f.Log, f.DB
			return patternsListRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Unclassified, "unclassified", false, "only pairs that have no action yet")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func patternsListRun(ctx context.Context, opts *PatternsListOptions) error {
	db, err := opts.DB(ctx)
	if err != nil {
		return err
	}
	m, err := container.LoadStatusMap(ctx, db)
	if err != nil {
		return dbToolError("patterns list", err)
	}
	for _, p := range m.Problems() {
		opts.Log.Warn("KHOMPSTATUSMAP "+p.String(), "line", p.Line)
	}
	rows := sortedPatternRows(m, opts.Unclassified)
	if opts.JSON {
		return dbToolJSON(opts.Out, rows)
	}
	t := newTable(opts.Out)
	t.Header("LINE", "CONCLUSION", "PATTERN", "ACTION", "STATUS", "DIAL STATUS")
	for _, r := range rows {
		if err := t.Append(r.Line, tableCell(r.Conclusion), tableCell(r.Pattern), r.Action, r.Status, r.DialStatus); err != nil {
			return err
		}
	}
	return t.Render()
}

// sortedPatternRows orders the winning entries like the admin page: those
// without an action first, each group by conclusion then pattern.
func sortedPatternRows(m *container.StatusMap, onlyUnclassified bool) []patternRow {
	var unclassified, classified []patternRow
	for _, l := range m.Entries() {
		r := patternRow{Line: l.No, Conclusion: l.Conclusion, Pattern: l.Pattern, Action: l.Action, Status: l.Status, DialStatus: l.DialStatus}
		if l.Classified() {
			classified = append(classified, r)
		} else {
			unclassified = append(unclassified, r)
		}
	}
	sortRows := func(rs []patternRow) {
		sort.SliceStable(rs, func(i, j int) bool {
			a, b := rs[i], rs[j]
			if a.Conclusion != b.Conclusion {
				return a.Conclusion < b.Conclusion
			}
			return a.Pattern < b.Pattern
		})
	}
	sortRows(unclassified)
	sortRows(classified)
	rows := append([]patternRow{}, unclassified...)
	if !onlyUnclassified {
		rows = append(rows, classified...)
	}
	return rows
}

// PatternsSetOptions are the arguments and flags of patterns set.
type PatternsSetOptions struct {
	Out     io.Writer
	Log     *slog.Logger
	DB      func(context.Context) (*sql.DB, error)
	Request patterns.SetRequest
	JSON    bool
}

func newPatternsSetCmd(f *Factory) *cobra.Command {
	opts := &PatternsSetOptions{}
	cmd := &cobra.Command{
		Use:   "set CONCLUSION [PATTERN] --action ACTION --status STATUS [--dial-status DIAL]",
		Short: "Set what VICIdial does with a conclusion/pattern pair",
		Long: `Write the line "CONCLUSION"."PATTERN" => ACTION.STATUS.DIAL into KHOMPSTATUSMAP, replacing the
pair's line(s) if present or appending it otherwise: what VICIdial's KHOMP admin page
does. Without PATTERN the conclusion-only line (used when no pattern line matches) is set.

ACTION is amdaction (the campaign's CPD AMD action), cpdunknown (the campaign's CPD
unknown action), route (send the call to an agent) or status (hang up with STATUS).
Statuses are upper-cased; a warning is printed when STATUS is not in vicidial_statuses.
Names containing ".", "#", "=>", '"' or line breaks are refused: VICIdial's parsers
would split or cut them. The write waits for update-patterns' lock and is a
compare-and-swap, so a concurrent edit is never lost.
` + exitStatusHelp,
		Example: `  khompctl patterns set "Voice mail" "NewPattern1" --action amdaction --status KPAM --dial-status AMD
  khompctl patterns set "Fax" --action status --status KPFX --dial-status FAX`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out, opts.Log, opts.DB = f.IO.Out, f.Log, f.DB
			opts.Request.Conclusion = args[0]
			if len(args) > 1 {
				opts.Request.Pattern = args[1]
			}
			return patternsSetRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Request.Action, "action", "", "`ACTION`: amdaction, cpdunknown, route or status")
	fl.StringVar(&opts.Request.Status, "status", "", "VICIdial `STATUS` to set (1-6 letters/digits)")
	fl.StringVar(&opts.Request.DialStatus, "dial-status", "", "dial status `DIAL`: AMD, ANSWER, BUSY, CONGESTION, DISCONNECT, DONTCALL, FAX, NOANSWER, ...")
	fl.BoolVar(&opts.JSON, "json", false, "print the result as JSON")
	_ = cmd.MarkFlagRequired("action")
	_ = cmd.MarkFlagRequired("status")
	return cmd
}

func patternsSetRun(ctx context.Context, opts *PatternsSetOptions) error {
	// Refuse bad input before touching the database.
	if err := opts.Request.Normalize(); err != nil {
		return dbToolError("patterns set", err)
	}
	db, err := opts.DB(ctx)
	if err != nil {
		return err
	}
	res, err := patterns.Set(ctx, db, opts.Request)
	if err != nil {
		return dbToolError("patterns set", err)
	}
	for _, w := range res.Warnings {
		opts.Log.Warn(w)
	}
	if opts.JSON {
		return dbToolJSON(opts.Out, res)
	}
	switch {
	case !res.Changed:
		fmt.Fprintf(opts.Out, "unchanged: %s\n", res.Line)
	case res.Appended:
		fmt.Fprintf(opts.Out, "added: %s\n", res.Line)
	default:
		for _, p := range res.Previous {
			fmt.Fprintf(opts.Out, "replaced: %s\n", p)
		}
		fmt.Fprintf(opts.Out, "with:     %s\n", res.Line)
	}
	return nil
}

// PatternsLookupOptions are the arguments of patterns lookup.
type PatternsLookupOptions struct {
	Out                 io.Writer
	DB                  func(context.Context) (*sql.DB, error)
	Conclusion, Pattern string
	AGI                 bool
	JSON                bool
}

func newPatternsLookupCmd(f *Factory) *cobra.Command {
	opts := &PatternsLookupOptions{}
	cmd := &cobra.Command{
		Use:   "lookup CONCLUSION [PATTERN]",
		Short: "Show what VICIdial does with a conclusion/pattern pair, and which map line decides it",
		Long: `Apply VICIdial's lookup to the pair: the exact (conclusion, pattern) line, else the
conclusion-only line, else the built-in fallback (hangup stage: error/KPEROR/NA; with
--agi, the route stage: route/KPEROR).
` + exitStatusHelp,
		Example: `  khompctl patterns lookup "Voice mail" "Some new greeting"`,
		Args:    cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out, opts.DB = f.IO.Out, f.DB
			opts.Conclusion = args[0]
			if len(args) > 1 {
				opts.Pattern = args[1]
			}
			return patternsLookupRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.AGI, "agi", false, "use the route-stage AGI's parsing and fallback")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func patternsLookupRun(ctx context.Context, opts *PatternsLookupOptions) error {
	db, err := opts.DB(ctx)
	if err != nil {
		return err
	}
	row, err := container.Get(ctx, db, container.StatusMapID)
	if err != nil {
		return dbToolError("patterns lookup", err)
	}
	d := container.DialectFastAGI
	if opts.AGI {
		d = container.DialectAGI
	}
	r := container.ParseStatusMapDialect(row.Entry, d).Lookup(opts.Conclusion, opts.Pattern)
	if opts.JSON {
		return dbToolJSON(opts.Out, r)
	}
	fmt.Fprintf(opts.Out, "action=%s status=%s dial_status=%s rule=%s", r.Action, r.Status, r.DialStatus, r.Rule)
	if r.Line > 0 {
		fmt.Fprintf(opts.Out, " line=%d", r.Line)
	}
	fmt.Fprintln(opts.Out)
	return nil
}

// tableCell shows a name from the database or the gateway on one table row:
// a line break or other control character would otherwise split the row
// or move the cursor, so such names are shown Go-quoted.
func tableCell(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	return strconv.Quote(s)
}
