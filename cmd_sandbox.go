package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/iwb-dev/iwb/client/sandbox"
)

func newSandboxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the local Iterable API stand-in alone",
		Long: `sandbox serves a local, in-memory stand-in for the Iterable API with the same
paths, validation and error bodies. It accepts only the key given with --key, or
a generated one that it prints. Point iwb at it with ITERABLE_BASE_URL and
ITERABLE_API_KEY. It runs until Ctrl-C; everything it kept is then gone.`,
		Args: cobra.NoArgs,
		RunE: runSandbox,
	}
	cmd.Flags().String("addr", "127.0.0.1:0", "address to listen on (HOST:PORT)")
	cmd.Flags().String("key", "", "the only API key accepted (default: a generated one)")
	cmd.Flags().String("webhook-url", "", "point the sandbox's system webhook at this URL and enable it")
	return cmd
}

func runSandbox(cmd *cobra.Command, _ []string) error {
	addr, _ := cmd.Flags().GetString("addr")
	key, _ := cmd.Flags().GetString("key")
	webhookURL, _ := cmd.Flags().GetString("webhook-url")
	if webhookURL != "" && !strings.HasPrefix(webhookURL, "http://") && !strings.HasPrefix(webhookURL, "https://") {
		return usageErrorf("--webhook-url %q: want an http:// or https:// URL", webhookURL)
	}
	a, err := loadApp(cmd)
	if err != nil {
		return err
	}
	defer a.close()
	sb := sandbox.New(sandbox.Options{Key: key, WebhookURL: webhookURL, Logger: a.log})
	defer sb.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return usageErrorf("cannot listen on %s: %v", addr, err)
	}
	srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "sandbox listening on http://%s\n", ln.Addr())
	fmt.Fprintf(out, "key: %s\n", sb.Key())
	a.log.Info("sandbox started", "addr", ln.Addr().String(), "webhook", webhookURL != "")

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return withExit(exitFailed, fmt.Errorf("sandbox: %w", err))
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return withExit(exitFailed, fmt.Errorf("stopping the sandbox: %w", err))
	}
	return nil
}
