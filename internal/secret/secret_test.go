package secret

import (
	"strings"
	"testing"
)

const testKey = "0123456789abcdef0123456789ab3f2a"

func TestMask(t *testing.T) {
	tests := map[string]string{
		testKey:            "••••••••••••3f2a",
		"":                 "••••••••••••••••",
		"KEY":              "••••••••••••••••",
		"fifteen-chars-x":  "••••••••••••••••",
		"sixteen-chars-xy": "••••••••••••s-xy",
	}
	for key, want := range tests {
		if got := Mask(key); got != want {
			t.Errorf("Mask(%q) = %q, want %q", key, got, want)
		}
	}
}

func FuzzMask(f *testing.F) {
	f.Add(testKey)
	f.Add("")
	f.Add("ümlaut-ümlaut-ümlaut")
	f.Fuzz(func(t *testing.T, key string) {
		masked := Mask(key)
		if len([]rune(key)) > 4 && strings.Contains(masked, key) {
			t.Errorf("Mask(%q) = %q shows the whole key", key, masked)
		}
		if n := len([]rune(masked)); n != 16 {
			t.Errorf("Mask(%q) has %d characters, want 16", key, n)
		}
	})
}

func TestMaskURLHidesPasswords(t *testing.T) {
	const pw = "s3cret-passw0rd-xyz"
	for _, raw := range []string{
		"postgres://iwb:" + pw + "@db.example:5432/iwb?sslmode=require",
		"postgres://iwb@db.example/iwb?password=" + pw,
		"postgres://iwb@%zz",
	} {
		got := MaskURL(raw)
		if strings.Contains(got, pw) || strings.Contains(got, "IWBMASKED") {
			t.Errorf("MaskURL(%q) = %q shows the password", raw, got)
		}
	}
	if got, want := MaskURL("postgres://iwb:"+pw+"@db/iwb"), "postgres://iwb:••••••••••••-xyz@db/iwb"; got != want {
		t.Errorf("MaskURL = %q, want %q", got, want)
	}
	if got := MaskURL("postgres://iwb@/iwb?host=/tmp/pg"); got != "postgres://iwb@/iwb?host=/tmp/pg" {
		t.Errorf("a URL without a password changed: %q", got)
	}
}
