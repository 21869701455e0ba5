package page

import tea "charm.land/bubbletea/v2"

// WaitMsg carries a command whose answer comes late or never by design: a
// timer, a spinner's or a cursor's tick, a wait for the next progress
// report. The root runs Cmd as any other; a test that drives the root
// synchronously sees the mark and gives up on Cmd, and on the commands it
// batches, after a short bound instead of waiting for them.
type WaitMsg struct{ Cmd tea.Cmd }

// Wait marks cmd as waiting by design (see WaitMsg); nil stays nil.
func Wait(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return send(WaitMsg{cmd})
}
