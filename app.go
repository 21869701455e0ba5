package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// app is what every command that keeps state shares: the folders and the log.
type app struct {
	paths paths
	log   *slog.Logger
	close func() error
}

// loadApp resolves the folders, creates them, and opens the log file. Logs go
// to the file only, so nothing is written to the terminal while the TUI runs.
func loadApp(cmd *cobra.Command) (*app, error) {
	p, err := resolvePaths()
	if err != nil {
		return nil, err
	}
	exposed, err := p.ensure()
	if err != nil {
		return nil, err
	}
	if len(exposed) > 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "iwb: warning: %s can be read by other users; iwb keeps its own files there 0600\n",
			strings.Join(exposed, ", "))
	}
	f, err := os.OpenFile(p.LogFile(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the log: %w", err)
	}
	level := slog.LevelInfo
	if debug, _ := cmd.Flags().GetBool("debug"); debug {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(logger)
	return &app{paths: p, log: logger, close: f.Close}, nil
}
