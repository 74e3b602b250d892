package main

import (
	"context"
	"errors"
	"strings"
)

// Exit codes, documented in the root help and the README.
const (
	exitOK          = 0   // success
	exitFailure     = 1   // the work failed, or (status) something needs attention
	exitUsage       = 2   // bad usage or bad input: flags, arguments, files, container contents
	exitLocked      = 75  // EX_TEMPFAIL: another run holds the lock; cron retries next minute
	exitInterrupted = 130 // SIGINT/SIGTERM
)

const exitStatusHelp = `
EXIT STATUS
  0    success
  1    failure (database, network, gateway), or status found something to look at
  2    bad usage or bad input (flags, arguments, unreadable files, malformed containers)
  75   another run holds the lock (EX_TEMPFAIL); cron will try again
  130  interrupted
`

// exitError carries an exit code with an error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withExit attaches an exit code to err (nil stays nil).
func withExit(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// usageError marks err as bad usage or bad input (exit 2).
func usageError(err error) error { return withExit(exitUsage, err) }

// silentExit is returned by commands that already reported everything they
// had to say (e.g. status found problems) and only need a non-zero code.
type silentExit int

func (s silentExit) Error() string { return "" }

// exitCodeFor maps an error returned by a command to the process exit code.
func exitCodeFor(err error) int {
	var ee *exitError
	var se silentExit
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &se):
		return int(se)
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case isCobraUsageError(err):
		return exitUsage
	}
	return exitFailure
}

// isCobraUsageError recognises the argument errors cobra returns without a
// type of their own (unknown command, wrong number of arguments).
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "requires at most", "invalid argument", "flag needs an argument", "required flag", "if any flags in the group", "none of the others can be"} {
		if strings.HasPrefix(msg, p) || strings.Contains(msg, " "+p) {
			return true
		}
	}
	return false
}

// oneLine folds an error message onto a single line for stderr.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", " ")), " ")
}
