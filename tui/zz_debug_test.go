package tui

import (
	"fmt"
	"testing"
)

func TestZZDebug(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.press("2")
	fmt.Println(hs.screen())
	hs.openAction("Upsert user")
	fmt.Println(hs.screen())
	hs.typeText("ana@acme.io")
	hs.press("enter", "enter", "enter", "enter", "enter")
	hs.addField("plan", 0, "pro")
	hs.addField("age", 1, "4x2")
	hs.addField("address.city", 0, "Oslo")
	fmt.Println(hs.screen())
	hs.press("+")
	hs.typeText("pl")
	fmt.Println(hs.screen())
	hs.press("esc", "tab", "enter")
	fmt.Println(hs.screen())
}
