// Package secret masks API keys for display. It is the one place every room
// (keystore listings, client --curl output, logs) turns a key into what a
// screen may show.
package secret

import "strings"

// maskBullets is how many bullets stand for the hidden part of a key, always
// the same so the mask does not tell the key's length.
const maskBullets = 12

// Mask shows a key as bullets and its last four characters
// (••••••••••••3f2a). A key too short to spare four characters shows none.
func Mask(key string) string {
	bullets := strings.Repeat("•", maskBullets)
	runes := []rune(key)
	if len(runes) < 16 {
		return bullets + "••••"
	}
	return bullets + string(runes[len(runes)-4:])
}
