package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/iwb-dev/iwb/tui/style"
	"github.com/iwb-dev/iwb/webhook"
)

// addRetentionFlags declares the event log's limits on a command that keeps
// the log open for a while (listen, the workbench).
func addRetentionFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.Int("keep-days", webhook.DefaultKeepDays, "prune events older than this many days (0: no age limit)")
	f.Int64("keep-events", webhook.DefaultKeepEvents, "keep at most this many events, the newest (0: no count limit)")
	f.String("max-db-size", style.Bytes(webhook.DefaultMaxBytes), "keep the event log under this size, e.g. 500MB or 2GB (0: no size limit)")
}

// retentionFlags reads them; pinned events are kept whatever they say.
func retentionFlags(cmd *cobra.Command) (webhook.Retention, error) {
	f := cmd.Flags()
	days, _ := f.GetInt("keep-days")
	keep, _ := f.GetInt64("keep-events")
	sizeText, _ := f.GetString("max-db-size")
	if days < 0 {
		return webhook.Retention{}, usageErrorf("--keep-days must be 0 or more, not %d", days)
	}
	if keep < 0 {
		return webhook.Retention{}, usageErrorf("--keep-events must be 0 or more, not %d", keep)
	}
	size, err := parseBytes(sizeText)
	if err != nil {
		return webhook.Retention{}, usageErrorf("--max-db-size: %v", err)
	}
	return webhook.Retention{KeepDays: days, KeepEvents: keep, MaxBytes: size}, nil
}

// byteUnits are the units parseBytes reads, binary, largest first.
var byteUnits = []struct {
	name string
	n    int64
}{{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}}

// parseBytes reads a size like 2GB, 500 MB, 1.5GiB or 1048576 (bytes); the
// units are binary.
func parseBytes(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.Replace(t, "IB", "B", 1)
	mult := int64(1)
	for _, u := range byteUnits {
		if rest, ok := strings.CutSuffix(t, u.name); ok {
			t, mult = strings.TrimSpace(rest), u.n
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || v*float64(mult) > math.MaxInt64/2 {
		return 0, fmt.Errorf("%q is not a size (say 500MB, 2GB, or 0 for no limit)", s)
	}
	return int64(v * float64(mult)), nil
}

func newEventsPruneCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Remove old events now, and say how much space that freed",
		Long: `prune removes the events received before --before, or all but the newest
--keep-events, or both; pinned events (iwb events pin) and the newest event
stay. The listener does the same on its own within --keep-days, --keep-events
and --max-db-size.`,
		Args: cobra.NoArgs,
		RunE: runEventsPrune,
	}
	cmd.Flags().String("before", "", "remove events received before this date (2026-01-31 or 2026-01-31T12:00:00Z)")
	cmd.Flags().Int64("keep-events", 0, "keep only the newest this many events")
	cmd.Flags().Bool("dry-run", false, "only say what would be removed")
	return cmd
}

func runEventsPrune(cmd *cobra.Command, _ []string) error {
	f := cmd.Flags()
	beforeText, _ := f.GetString("before")
	keep, _ := f.GetInt64("keep-events")
	dry, _ := f.GetBool("dry-run")
	var req webhook.PruneRequest
	if beforeText != "" {
		t, err := parseDate(beforeText)
		if err != nil {
			return usageErrorf("--before: %v", err)
		}
		req.Before = t
	}
	if keep < 0 {
		return usageErrorf("--keep-events must be positive, not %d", keep)
	}
	if req.Before.IsZero() && keep == 0 {
		return usageErrorf("say what to prune: --before DATE, --keep-events N, or both")
	}
	req.KeepEvents, req.DryRun = keep, dry
	a, st, err := openStore(cmd, false)
	if err != nil {
		return err
	}
	defer a.close()
	defer st.Close()
	res, err := st.Prune(cmd.Context(), req)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if dry {
		_, err = fmt.Fprintf(out, "would remove %d events, about %s; nothing was removed\n", res.Events, style.Bytes(res.Bytes))
		return err
	}
	_, err = fmt.Fprintf(out, "removed %d events, freeing %s; the log file went from %s to %s\n",
		res.Events, style.Bytes(res.Bytes), style.Bytes(res.FileBefore), style.Bytes(res.FileAfter))
	return err
}

// parseDate reads a day (midnight UTC) or an RFC 3339 time.
func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date (say 2026-01-31 or 2026-01-31T12:00:00Z)", s)
}

func newEventsPinCmd(pin bool) *cobra.Command {
	use, short := "pin ID", "Keep an event whatever the retention limits say"
	if !pin {
		use, short = "unpin ID", "Let a pinned event age out again"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseEventID(args[0])
			if err != nil {
				return err
			}
			a, st, err := openStore(cmd, false)
			if err != nil {
				return err
			}
			defer a.close()
			defer st.Close()
			if err := st.Pin(cmd.Context(), id, pin); err != nil {
				return eventErr(id, err)
			}
			verb := "pinned"
			if !pin {
				verb = "unpinned"
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s event %d\n", verb, id)
			return err
		},
	}
}
