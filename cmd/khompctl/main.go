// Command khompctl is the VICIdial/KHOMP operations tool: the database cron
// jobs (install, update-patterns, patterns, status), the KHOMP gateway tools
// (auth, check-ssl, calls) and offline answering-machine detection on call
// recordings (amd analyze).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], newSystemIO())
	stop()
	os.Exit(code)
}
