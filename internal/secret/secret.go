// Package secret masks API keys for display. It is the one place every room
// (keystore listings, client --curl output, logs) turns a key into what a
// screen may show.
package secret

import (
	"net/url"
	"strings"
)

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

// MaskURL shows a database URL with its password (in the user part or a
// password= parameter) masked as Mask does; the rest stays readable. Text
// that is not a URL is masked whole.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return Mask(raw)
	}
	const hole = "IWBMASKEDPASSWORD"
	var pws []string
	if pw, ok := u.User.Password(); ok {
		pws = append(pws, pw)
		u.User = url.UserPassword(u.User.Username(), hole)
	}
	q := u.Query()
	if pw := q.Get("password"); pw != "" {
		pws = append(pws, pw)
		q.Set("password", hole)
		u.RawQuery = q.Encode()
	}
	s := u.String()
	for _, pw := range pws {
		s = strings.Replace(s, hole, Mask(pw), 1)
	}
	return s
}
