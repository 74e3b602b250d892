//go:build unix

package audio

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) used by this process so far:
// benchmarks divide it by the audio length so that the figure does not
// depend on how loaded the machine is.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
