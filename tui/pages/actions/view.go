package actions

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
)

// actionsView draws the Actions tab into the body: the list alone, or the
// list beside the open action when the window is wide, the action alone
// when it is not.
func (p *Page) actionsView(th style.Theme, b page.Rect) []string {
	if p.stage == stageList && p.answer == nil {
		return p.listView(th, b.W, b.H, p.filtering, true)
	}
	pane := p.actionPane()
	right := p.actionPaneView(th, pane.W, pane.H)
	if pane.W == b.W {
		return right
	}
	return style.Beside(p.listView(th, actionListW, b.H, false, false), right)
}

// listView is the ten actions (or the history) with their descriptions.
func (p *Page) listView(th style.Theme, w, h int, filtering, focused bool) []string {
	if p.showHis {
		return p.historyView(th, w, h, focused)
	}
	var lines []string
	shown := p.shown()
	titleW := 26
	for i, a := range shown {
		line := style.Fit(a.Title, titleW)
		if w > titleW+10 {
			line += " " + th.Muted.Render(a.Description)
		}
		if i == p.cursor && focused {
			line = th.Selected.Render("▶" + style.Fit(ansi.Strip(line), w-3))
		} else if i == p.cursor {
			line = th.Accent.Render("▶") + line
		} else {
			line = " " + line
		}
		lines = append(lines, line)
	}
	if len(shown) == 0 {
		lines = append(lines, th.Muted.Render(" No action matches the filter; esc clears it."))
	}
	if w > 60 && len(shown) > 0 && p.cursor < len(shown) {
		a := shown[p.cursor]
		lines = append(lines, "", " "+th.Title.Render(a.Title)+th.Muted.Render("  "+a.Method+" "+a.Path+"  ·  "+a.Kind()))
	}
	for len(lines) < h-3 {
		lines = append(lines, "")
	}
	switch {
	case filtering:
		p.filter.SetWidth(w - 5)
		lines = append(lines[:h-3], p.filter.View())
	case p.filter.Value() != "":
		lines = append(lines[:h-3], th.Accent.Render("/"+termtext.Line(p.filter.Value())))
	}
	return style.Box(th, w, h, "Actions", th.Muted.Render("h history"), lines, focused)
}

// historyView lists the runs kept, newest first.
func (p *Page) historyView(th style.Theme, w, h int, focused bool) []string {
	var lines []string
	switch {
	case p.hist == nil:
		lines = []string{th.Muted.Render(" No history in this session.")}
	case p.hisErr != nil:
		lines = []string{th.Error.Render(" " + termtext.Line(p.hisErr.Error()))}
	case len(p.records) == 0:
		lines = []string{th.Muted.Render(" Nothing run yet.")}
	}
	first := max(p.cursor-(h-3), 0)
	for i := first; i < len(p.records) && i < first+h-2; i++ {
		r := p.records[i]
		title := r.Action
		if a, ok := client.LookupAction(r.Action); ok {
			title = a.Title
		}
		status := th.OK.Render(fmt.Sprint(r.Status))
		if r.Status == 0 || r.Status >= 300 {
			status = th.Error.Render(fmt.Sprint(r.Status))
		}
		line := r.At.Local().Format("01-02 15:04:05") + "  " + style.Fit(title, 24) + " " + style.Fit(r.Source, 9) + " " +
			style.Fit(termtext.Line(r.Connection), 14) + " " + status
		if i == p.cursor && focused {
			line = th.Selected.Render("▶" + style.Fit(ansi.Strip(line), w-3))
		} else {
			line = " " + line
		}
		lines = append(lines, line)
	}
	return style.Box(th, w, h, "History", th.Muted.Render("enter show · R run again · esc actions"), lines, focused)
}

// actionHints are the keys of the Actions tab's screen in view.
func (p *Page) actionHints() []page.Hint {
	k := p.keys
	h := func(b key.Binding) page.Hint { return page.HintsOf(b)[0] }
	switch p.stage {
	case stageForm:
		return []page.Hint{{"tab/enter", "next"}, {"shift+tab", "back"}, {"x/space", "tick"}, {"←/→", "yes/no"}, {"esc", "cancel"}, {"ctrl+r", "reload lists"}, h(k.Palette)}
	case stageFields:
		if p.run.editor.editing {
			return []page.Hint{{"tab", "next"}, {"←/→", "type"}, {"[", "list of"}, {"enter", "save"}, {"esc", "cancel"}}
		}
		return []page.Hint{{"↑/↓", "choose"}, {"enter", "edit"}, {"+", "add"}, {"del", "remove"}, {"tab", "review"}, {"shift+tab", "form"}, {"esc", "cancel"}}
	case stageLoading:
		return []page.Hint{{"esc", "cancel"}}
	case stageReview:
		send := page.Hint{"enter", "send"}
		if p.reachesPeople() {
			send = page.Hint{"y", "yes, send"}
		}
		return []page.Hint{send, {"c", "copy as curl"}, {"esc", "back to the form"}, h(k.Help)}
	case stageSending:
		return []page.Hint{{"esc", "stop"}}
	case stageAnswer:
		a := p.answer
		var out []page.Hint
		switch {
		case a.user != nil:
			out = append(out, h(k.EditUser))
		case len(a.lists) > 0:
			out = append(out, page.Hint{"enter", "add subscribers"})
		}
		return append(out, h(k.Rerun), page.Hint{"↑/↓", "scroll"}, page.Hint{"esc", "back"}, h(k.Help))
	}
	if p.showHis {
		return []page.Hint{{"enter", "show"}, h(k.Rerun), {"esc", "actions"}, h(k.Palette), h(k.Help)}
	}
	return append(page.HintsOf(k.Open, k.Filter, k.History), page.Hint{"ctrl+r", "reload lists"}, h(k.Palette), h(k.Help))
}

// actionPaneView is the open action: loading, form, builder, review,
// progress or answer.
func (p *Page) actionPaneView(th style.Theme, w, h int) []string {
	r := p.run
	if p.answer != nil && p.stage == stageAnswer {
		return p.answerView(th, p.answer, w, h)
	}
	title := r.action.Title
	switch p.stage {
	case stageLoading:
		lines := []string{"", " " + p.spinner.View() + " reading " + r.loading + "…"}
		return style.Box(th, w, h, title, th.Muted.Render("esc cancel"), lines, true)
	case stageForm:
		lines := bannerView(th, r, w-2)
		lines = append(lines, strings.Split(r.form.Huh.View(), "\n")...)
		return style.Box(th, w, h, title, th.Muted.Render("tab next · shift+tab back · ctrl+r reload lists · esc cancel"), lines, true)
	case stageFields:
		lines := bannerView(th, r, w-2)
		lines = append(lines, r.editor.view(th, w-2, h-2-len(lines))...)
		return style.Box(th, w, h, title+" · data fields", th.Muted.Render("enter edit · + add · del remove · tab review · shift+tab form"), lines, true)
	case stageReview:
		return p.reviewView(th, r, w, h)
	case stageSending:
		return p.sendingView(th, r, w, h)
	}
	return style.Blank(w, h)
}

// bannerView is what stands over the form: Iterable's error over the
// reopened form, and whose subscription sets the form holds; each at most
// three lines, then a blank one.
func bannerView(th style.Theme, r *run, w int) []string {
	var out []string
	add := func(text string, st lipgloss.Style) {
		lines := strings.Split(ansi.Wrap(termtext.Line(text), w-2, " "), "\n")
		if len(lines) > 3 {
			lines = lines[:3]
			lines[2] = ansi.Truncate(lines[2], w-3, "") + "…"
		}
		for _, l := range lines {
			out = append(out, " "+st.Render(l))
		}
		out = append(out, "")
	}
	if r.banner != "" {
		add(r.banner, th.Error)
	}
	if r.subs.readFor(r.values) {
		note, warn := subscriptionNote(r.subs)
		st := th.Muted
		if warn {
			st = th.Warn
		}
		add(note, st)
	}
	return out
}

// reviewView is the request as it will go out.
func (p *Page) reviewView(th style.Theme, r *run, w, h int) []string {
	a := r.action
	lines := []string{" " + th.Bold.Render(a.Method+" "+a.Path), ""}
	if a.Name == "update-subscription" {
		lines = append(append(lines, subscriptionChanges(th, r.body, r.subs, p.currentPicks())...), "")
	}
	body := r.body
	if a.Method == "GET" {
		body = nil
		if strings.Contains(string(r.body), "email") {
			lines = append(lines, " "+th.Muted.Render("query: ")+termtext.Line(queryOf(r.body)))
		} else {
			lines = append(lines, " "+th.Muted.Render("no body"))
		}
	}
	if body != nil {
		var pretty []string
		for _, l := range style.JSONLines(th, body, termtext.Line) {
			pretty = append(pretty, " "+l)
		}
		if a.UsersField != "" && r.values.usersFrom == usersFile {
			lines = append(lines, " "+th.Muted.Render("every request: these fields, and up to 1000 users from ")+termtext.Line(r.values.filePath))
		}
		lines = append(lines, pretty...)
	}
	lines = append(lines, "")
	if a.UsersField != "" {
		switch {
		case !r.counted:
			lines = append(lines, " "+p.spinner.View()+" counting the users in the file…")
		default:
			lines = append(lines, fmt.Sprintf(" %s users in %d request(s) at most", style.Thousands(r.users), (r.users+client.MaxBatchUsers-1)/client.MaxBatchUsers))
			lines = append(lines, p.columnLines(th, r.columns)...)
		}
	}
	hint := th.Key.Render("enter") + " send · " + th.Key.Render("c") + " copy as curl ($ITERABLE_API_KEY) · " + th.Key.Render("esc") + " back to the form"
	if p.reachesPeople() {
		what := "this sends an SMS to a real person"
		if a.UsersField != "" {
			what = fmt.Sprintf("this writes %s users: more than %d", style.Thousands(r.users), client.BulkConfirmAbove)
		}
		lines = append(lines, " "+th.Warn.Render("⚠ "+what+". Send it? press y for yes"))
		hint = th.Key.Render("y") + " yes, send · " + th.Key.Render("c") + " copy as curl ($ITERABLE_API_KEY) · " + th.Key.Render("esc") + " back to the form"
	}
	// The hint stays on the last line however long the body is.
	room := h - 3
	if len(lines) > room {
		lines = append(lines[:room-1], th.Muted.Render(" …"))
	}
	for len(lines) < room {
		lines = append(lines, "")
	}
	lines = append(lines, " "+hint)
	return style.Box(th, w, h, "Review: "+a.Method+" "+a.Path, th.Muted.Render(p.conn), lines, true)
}

// columnLines are the data fields a users file sets, each with the type it
// goes as: the project's for a field it has, else the type Iterable will
// fix from the first value (as the builder types a value).
func (p *Page) columnLines(th style.Theme, cols []client.FileColumn) []string {
	if len(cols) == 0 {
		return nil
	}
	project := p.currentPicks().fields
	nameW := 8
	for _, c := range cols {
		nameW = min(max(nameW, len(c.Name)+1), 28)
	}
	lines := []string{"", " " + th.Title.Render("Data fields in the file, as they will be sent")}
	for _, c := range cols {
		t, known := project[c.Name]
		array := false
		if list, ok := c.First.([]any); ok {
			array = true
			if len(list) > 0 {
				c.First = list[0]
			}
		}
		note := th.Muted.Render("(project)")
		if !known {
			t = jsonDataType(c.First)
			note = th.Warn.Render("new field ⚠ its first value fixes its type")
		}
		lines = append(lines, "   "+style.Fit(termtext.Line(c.Name), nameW)+" "+style.Fit(typeLabel(t, array), 10)+" "+note)
	}
	return lines
}

func queryOf(body []byte) string {
	var q struct{ Email string }
	_ = json.Unmarshal(body, &q)
	return "email=" + q.Email
}

// sendingView waits for Iterable; bulk shows its progress.
func (p *Page) sendingView(th style.Theme, r *run, w, h int) []string {
	lines := []string{"", " " + p.spinner.View() + " sending " + r.action.Method + " " + r.action.Path + "…"}
	if r.action.UsersField != "" {
		pr := r.progress
		elapsed := p.now().Sub(r.started)
		rate := 0.0
		if elapsed > 0 {
			rate = float64(pr.Sent) / elapsed.Seconds()
		}
		total := max(r.users, pr.Sent, 1)
		barW := max(w-14, 10)
		done := barW * pr.Sent / total
		lines = append(lines, "",
			" "+th.Accent.Render(strings.Repeat("█", done))+th.Muted.Render(strings.Repeat("░", barW-done))+fmt.Sprintf(" %3d%%", 100*pr.Sent/total),
			"",
			fmt.Sprintf(" sent %s of %s · succeeded %s · failed %s · %.0f users/s",
				style.Thousands(pr.Sent), style.Thousands(r.users), style.Thousands(pr.Succeeded), style.Thousands(pr.Failed), rate),
			"", " "+th.Muted.Render("esc stops sending"))
	}
	return style.Box(th, w, h, r.action.Title, "", lines, true)
}

// answerView is Iterable's answer: status and time, then the profile tree,
// a table, the bulk summary, or the pretty JSON.
func (p *Page) answerView(th style.Theme, a *answer, w, h int) []string {
	status := th.OK.Render(fmt.Sprintf("%d OK", a.status))
	if a.status == 0 || a.status >= 300 {
		status = th.Error.Render(fmt.Sprintf("%d", a.status))
	}
	head := " " + status + th.Muted.Render(" · "+durationText(a.took))
	var lines []string
	hint := "esc back · R run again"
	switch {
	case a.record:
		head += th.Muted.Render(" · from the history")
		lines = append(lines, " "+th.Title.Render("Request"))
		for _, l := range style.JSONLines(th, a.request, termtext.Line) {
			lines = append(lines, "  "+l)
		}
		lines = append(lines, "", " "+th.Title.Render("Answer"))
		for _, l := range style.JSONLines(th, a.body, termtext.Line) {
			lines = append(lines, "  "+l)
		}
	case a.err != nil && a.summary == nil:
		lines = append(lines, errorLines(th, a.err, w-2)...)
		if len(a.body) > 0 {
			lines = append(lines, "")
			for _, l := range style.JSONLines(th, a.body, termtext.Line) {
				lines = append(lines, " "+l)
			}
		}
	case a.user != nil:
		lines = append(lines, p.profileTree(th, a.user)...)
		hint = "e edit in Upsert user · esc back · R run again"
	case a.lists != nil:
		lines = append(lines, th.Muted.Render(style.Fit("  ID      NAME", 34)+"TYPE      DESCRIPTION"))
		for i, l := range a.lists {
			line := style.Fit(fmt.Sprintf(" %-7d %s", l.ID, termtext.Line(l.Name)), 33) + " " + style.Fit(l.ListType, 9) + " " + termtext.Line(l.Description)
			lines = append(lines, tableRow(th, line, i == a.cursor, w-2))
		}
		hint = "enter add subscribers to the list · esc back"
	case a.channels != nil:
		lines = append(lines, th.Muted.Render(style.Fit("  ID    NAME", 32)+style.Fit("TYPE", 15)+"MEDIUM"))
		for i, c := range a.channels {
			line := style.Fit(fmt.Sprintf(" %-5d %s", c.ID, termtext.Line(c.Name)), 31) + " " + style.Fit(c.ChannelType, 14) + " " + c.MessageMedium
			lines = append(lines, tableRow(th, line, i == a.cursor, w-2))
		}
	case a.summary != nil:
		lines = append(lines, summaryLines(th, a)...)
	default:
		if a.err != nil {
			lines = append(lines, " "+th.Muted.Render(termtext.Line(a.err.Error())), "")
		}
		for _, l := range style.JSONLines(th, a.body, termtext.Line) {
			lines = append(lines, " "+l)
		}
	}
	lines = append([]string{head, ""}, lines...)
	if a.scroll > 0 && len(lines) > h-2 {
		s := min(a.scroll, len(lines)-(h-2))
		lines = append(lines[:2], lines[2+s:]...)
	}
	return style.Box(th, w, h, a.action.Title, th.Muted.Render(hint), lines, true)
}

func tableRow(th style.Theme, line string, selected bool, w int) string {
	if selected {
		return th.Selected.Render("▶" + style.Fit(ansi.Strip(line), w-1))
	}
	return " " + line
}

// errorLines show a failure: Iterable's code and message, and what it says
// of each field.
func errorLines(th style.Theme, err error, w int) []string {
	var apiErr *client.Error
	if !errors.As(err, &apiErr) {
		return []string{" " + th.Error.Render("✗ "+termtext.Line(err.Error()))}
	}
	lines := []string{" " + th.Error.Render(fmt.Sprintf("✗ %s", cmpOr(apiErr.Code, "error"))) + " " + termtext.Line(apiErr.Msg)}
	for _, p := range apiErr.FieldProblems() {
		lines = append(lines, "   "+termtext.Line(p))
	}
	return lines
}

// summaryLines end a bulk run: the counts, then each failed user and why.
func summaryLines(th style.Theme, a *answer) []string {
	s := a.summary
	lines := []string{fmt.Sprintf(" %s sent in %d request(s) · %s succeeded · %s failed",
		style.Thousands(s.Sent), s.Requests, style.Thousands(s.Succeeded), style.Thousands(s.Failed))}
	if a.err != nil {
		if _, isBulk := a.err.(*client.BulkFailure); !isBulk {
			lines = append(lines, " "+th.Error.Render("✗ stopped: "+termtext.Line(a.err.Error())))
		}
	}
	failed := failedUsers(s.Users)
	if len(failed) > 0 {
		lines = append(lines, "", " "+th.Title.Render("Failed users"))
		for _, f := range failed {
			lines = append(lines, "  "+style.Fit(termtext.Line(f[0]), 32)+" "+th.Error.Render(f[1]))
		}
	}
	return lines
}

// failedUsers are [user, reason] pairs in a stable order.
func failedUsers(f client.FailedUserUpdates) [][2]string {
	var out [][2]string
	add := func(reason string, ids []string) {
		for _, id := range ids {
			out = append(out, [2]string{id, reason})
		}
	}
	add("invalid email", f.InvalidEmails)
	add("invalid userId", f.InvalidUserIDs)
	add("not found", f.NotFoundEmails)
	add("not found", f.NotFoundUserIDs)
	add("forgotten (GDPR)", f.ForgottenEmails)
	add("forgotten (GDPR)", f.ForgottenUserIDs)
	add("conflict", f.ConflictEmails)
	add("conflict", f.ConflictUserIDs)
	add("invalid data", f.InvalidDataEmails)
	add("invalid data", f.InvalidDataUserIDs)
	return out
}

// profileTree draws a user: who, the data fields as a tree, the lists
// (named when known) and the subscriptions.
func (p *Page) profileTree(th style.Theme, u *client.User) []string {
	lines := []string{" " + th.Title.Render("email") + "  " + termtext.Line(u.Email)}
	if u.UserID != "" {
		lines = append(lines, " "+th.Title.Render("userId")+" "+termtext.Line(u.UserID))
	}
	lines = append(lines, " "+th.Title.Render("dataFields"))
	data := profileFields(u.DataFields)
	for _, k := range []string{"signupDate", "profileUpdatedAt"} {
		if v, ok := u.DataFields[k]; ok {
			data[k] = v
		}
	}
	lines = append(lines, profileTreeLines(th, data, "  ")...)
	names := map[int64]string{}
	for _, l := range p.currentPicks().lists {
		names[l.ID] = l.Name
	}
	lines = append(lines, " "+th.Title.Render("lists"))
	ids := idsIn(u.DataFields["emailListIds"])
	if len(ids) == 0 {
		lines = append(lines, "  "+th.Muted.Render("none"))
	}
	for _, id := range ids {
		line := fmt.Sprintf("  └ %d", id)
		if n := names[id]; n != "" {
			line += " " + termtext.Line(n)
		}
		lines = append(lines, line)
	}
	lines = append(lines, " "+th.Title.Render("subscriptions"))
	any := false
	for _, k := range []string{"unsubscribedChannelIds", "unsubscribedMessageTypeIds", "subscribedMessageTypeIds"} {
		if v, ok := u.DataFields[k]; ok {
			any = true
			lines = append(lines, "  └ "+k+": "+joinIDs(idsIn(v)))
		}
	}
	if !any {
		lines = append(lines, "  "+th.Muted.Render("the project's defaults"))
	}
	return lines
}

func idsIn(v any) []int64 {
	list, _ := v.([]any)
	var out []int64
	for _, x := range list {
		if f, ok := x.(float64); ok {
			out = append(out, int64(f))
		}
	}
	return out
}

// profileTreeLines draw a user profile as an indented tree, keys sorted.
func profileTreeLines(th style.Theme, obj map[string]any, indent string) []string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var lines []string
	for i, k := range keys {
		branch := "├ "
		next := "│ "
		if i == len(keys)-1 {
			branch, next = "└ ", "  "
		}
		v := obj[k]
		if sub, ok := v.(map[string]any); ok {
			lines = append(lines, indent+branch+th.JSONKey.Render(termtext.Line(k)))
			lines = append(lines, profileTreeLines(th, sub, indent+next)...)
			continue
		}
		b, _ := json.Marshal(v)
		val := string(b)
		if s, ok := v.(string); ok {
			val = th.JSONString.Render(termtext.Line(s))
		} else {
			val = th.JSONOther.Render(termtext.Line(val))
		}
		lines = append(lines, indent+branch+th.JSONKey.Render(termtext.Line(k))+"  "+val)
	}
	if len(keys) == 0 {
		lines = append(lines, indent+th.Muted.Render("none"))
	}
	return lines
}
