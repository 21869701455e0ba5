package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/iwb-dev/iwb/internal/secret"
	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/tui/style"
	"github.com/iwb-dev/iwb/webhook"
)

func newStoreCmd() *cobra.Command {
	storeCmd := &cobra.Command{
		Use:   "store",
		Short: "Move the event log into a team's shared PostgreSQL log",
		Args:  cobra.NoArgs,
	}
	copyCmd := &cobra.Command{
		Use:   "copy --from PATH --to postgres://...",
		Short: "Copy a file event log into a shared PostgreSQL log; run again to resume or to add what is new",
		Long: `Copy a file event log into a team's shared PostgreSQL log: events with their
trigger matches, duplicate marks and pins, the triggers with their schemas, the
public URL and listener token when the shared log has none, and the recipes
(disarmed) with their jobs.

Run it again and it copies only what is not there yet: an interrupted copy
resumes, and events the file took since are added. The events keep their ids
unless the shared log has handed those out already; then they are numbered
after its own, in the same order.`,
		Example: `  iwb store copy --from ~/.local/share/iwb/events.db --to postgres://iwb:PASSWORD@db.example.com/iwb
  iwb store copy --from /path/to/iwb-home --to "$IWB_STORE"`,
		Args: cobra.NoArgs,
		RunE: runStoreCopy,
	}
	f := copyCmd.Flags()
	f.String("from", "", "the events.db file, or an iwb home folder holding one (default: this iwb home's)")
	f.String("to", "", "the shared log's postgres:// URL (default: IWB_STORE)")
	storeCmd.AddCommand(copyCmd)
	return storeCmd
}

func runStoreCopy(cmd *cobra.Command, _ []string) error {
	from, _ := cmd.Flags().GetString("from")
	to, _ := cmd.Flags().GetString("to")
	if to == "" {
		to = os.Getenv("IWB_STORE")
	}
	if to == "" {
		return usageErrorf("say where to copy to: --to postgres://USER:PASSWORD@HOST:5432/DATABASE")
	}
	if !webhook.IsPostgresURL(to) {
		return usageErrorf("--to must be a postgres:// URL, not %s", secret.MaskURL(to))
	}
	a, err := loadApp(cmd)
	if err != nil {
		return err
	}
	defer a.close()
	if from == "" {
		from = a.paths.Database()
	} else if info, err := os.Stat(from); err == nil && info.IsDir() {
		from = filepath.Join(from, "events.db")
	}
	opts := webhook.StoreOptions{Logger: a.log}
	src, err := webhook.OpenExisting(from, opts)
	switch {
	case errors.Is(err, webhook.ErrNotFound):
		return withExit(exitNotFound, fmt.Errorf("%w (give --from the events.db file or the iwb home folder holding it)", err))
	case errors.Is(err, webhook.ErrNotALog):
		return usageErrorf("%v (give --from the events.db file or the iwb home folder holding it)", err)
	case err != nil:
		return withExit(exitFailed, err)
	}
	defer src.Close()
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dst, err := webhook.OpenPostgres(ctx, to, opts)
	if err != nil {
		return withExit(exitFailed, err)
	}
	defer dst.Close()

	bar := newCopyBar(cmd.ErrOrStderr())
	fmt.Fprintf(cmd.ErrOrStderr(), "copying %s into %s\n", src.Path(), dst.Path())
	res, err := webhook.Copy(ctx, src, dst, bar.show)
	bar.end()
	var recipes recipe.CopyResult
	if err == nil {
		recipes, err = copyRecipes(ctx, src, dst, res.IDs)
	}
	if err != nil {
		if ctx.Err() != nil {
			err = errors.New("the copy was interrupted: run the same command again to go on from where it stopped")
		}
		return withExit(exitFailed, err)
	}
	fmt.Fprintln(cmd.OutOrStdout(), copySummary(res, dst.Path()))
	if line := recipesSummary(recipes); line != "" {
		fmt.Fprintln(cmd.OutOrStdout(), line)
	}
	return nil
}

// copyRecipes copies the recipes and jobs kept beside the file log into the
// shared log's database.
func copyRecipes(ctx context.Context, src *webhook.Store, dst *webhook.PGStore, ids webhook.CopiedIDs) (recipe.CopyResult, error) {
	from, err := recipe.OpenFor(src)
	if err != nil {
		return recipe.CopyResult{}, err
	}
	defer from.Close()
	to, err := recipe.OpenFor(dst)
	if err != nil {
		return recipe.CopyResult{}, err
	}
	defer to.Close()
	return recipe.Copy(ctx, from, to, ids.Shared)
}

// recipesSummary is the line on the recipes and jobs copied, "" for none.
func recipesSummary(res recipe.CopyResult) string {
	var parts []string
	if len(res.Recipes) > 0 {
		added := "added " + counted(len(res.Recipes), "recipe") + ", disarmed"
		if len(res.WereArmed) > 0 {
			added += " (armed in the file: " + strings.Join(res.WereArmed, ", ") + "; iwb recipe arm NAME arms one here)"
		}
		parts = append(parts, added)
	}
	if len(res.KeptRecipes) > 0 {
		parts = append(parts, "kept the shared log's own recipe "+strings.Join(res.KeptRecipes, ", "))
	}
	if res.Jobs > 0 {
		parts = append(parts, "copied "+counted(res.Jobs, "job"))
	}
	return strings.Join(parts, "; ")
}

// copySummary is the copy's closing line.
func copySummary(res webhook.CopyResult, to string) string {
	var parts []string
	switch {
	case res.Events == 0 && res.Before > 0:
		parts = append(parts, fmt.Sprintf("nothing new to copy: %s has the %s events copied before", to, style.Thousands(int(res.Before))))
	case res.Before > 0:
		parts = append(parts, fmt.Sprintf("copied %s more events into %s (%s were there from an earlier copy)",
			style.Thousands(int(res.Events)), to, style.Thousands(int(res.Before))))
	default:
		parts = append(parts, fmt.Sprintf("copied %s events into %s", style.Thousands(int(res.Events)), to))
	}
	if res.Events > 0 && !res.IDsKept {
		parts = append(parts, "numbered after the shared log's own events, in their order")
	}
	if res.Triggers > 0 || res.Settings > 0 {
		parts = append(parts, "added "+counted(res.Triggers, "trigger")+" and "+counted(res.Settings, "setting"))
	}
	if len(res.KeptTriggers) > 0 {
		parts = append(parts, "kept the shared log's own definition of "+strings.Join(res.KeptTriggers, ", "))
	}
	return strings.Join(parts, "; ")
}

// counted is "1 trigger", "2 triggers".
func counted(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return style.Thousands(n) + " " + thing + "s"
}

// copyBar shows a copy's progress: on a terminal, one line redrawn in place;
// otherwise a line every copyLineEvery.
type copyBar struct {
	w     io.Writer
	tty   bool
	last  time.Time
	drawn bool
	p     webhook.CopyProgress
}

const (
	copyLineEvery = time.Second
	copyDrawEvery = 100 * time.Millisecond
	copyBarWidth  = 30
)

func newCopyBar(w io.Writer) *copyBar {
	f, ok := w.(*os.File)
	return &copyBar{w: w, tty: ok && term.IsTerminal(int(f.Fd()))}
}

func (b *copyBar) show(p webhook.CopyProgress) {
	b.p = p
	every := copyLineEvery
	if b.tty {
		every = copyDrawEvery
	}
	if b.drawn && time.Since(b.last) < every && p.Copied < p.Total {
		return
	}
	b.last, b.drawn = time.Now(), true
	if b.tty {
		fmt.Fprint(b.w, "\r"+copyLine(p, true)+"\x1b[K")
		return
	}
	fmt.Fprintln(b.w, copyLine(p, false))
}

// end finishes the terminal's line.
func (b *copyBar) end() {
	if b.tty && b.drawn {
		fmt.Fprintln(b.w)
	}
}

// copyLine is one progress line, with a bar on a terminal.
func copyLine(p webhook.CopyProgress, bar bool) string {
	frac := 1.0
	if p.Total > 0 {
		frac = float64(p.Copied) / float64(p.Total)
	}
	counts := fmt.Sprintf("%s of %s events", style.Thousands(int(p.Copied)), style.Thousands(int(p.Total)))
	if !bar {
		return fmt.Sprintf("copied %s (%d%%)", counts, int(frac*100))
	}
	full := int(frac * copyBarWidth)
	return fmt.Sprintf("%s%s %3d%%  %s", strings.Repeat("█", full), strings.Repeat("░", copyBarWidth-full), int(frac*100), counts)
}
