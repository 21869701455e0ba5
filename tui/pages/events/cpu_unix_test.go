//go:build unix

package events

import (
	"syscall"
	"testing"
	"time"
)

// reportCPU adds the process's CPU time (user and system, the garbage
// collector's included) per op to a benchmark that ran start's loop: on a
// busy machine it says what an op costs better than the wall clock.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
}

func processCPU() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
