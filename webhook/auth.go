package webhook

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Auth is what the listener requires of each request, matching what
// Iterable can send: nothing, a header with a fixed value (Iterable's
// `Authorization: <token>`, `Authorization: OAuth2 <token>`, or a custom
// header), or HTTP basic credentials.
type Auth struct {
	Mode   string // "", "header" or "basic"
	Header string // header mode: the header's name
	Value  string // header mode: its exact value
	User   string // basic mode
	Pass   string // basic mode
}

// ParseAuth reads --auth: "" (none), "header:NAME:VALUE" or "basic:USER:PASS"
// (VALUE and PASS may themselves contain colons), or one of these without
// its secret, which then comes from secret: "header:NAME" or "header" (the
// Authorization header) take the header's value, "basic" takes USER:PASS.
// A secret in the spec wins. The caller reads secret from the environment
// or a file, so that it is not on the command line for ps to show.
func ParseAuth(spec, secret string) (Auth, error) {
	if spec == "" {
		return Auth{}, nil
	}
	mode, rest, _ := strings.Cut(spec, ":")
	switch mode {
	case "header":
		name, value, inline := strings.Cut(rest, ":")
		if !inline {
			value = secret
		}
		if spec == "header" {
			name = "Authorization"
		}
		if strings.TrimSpace(name) == "" {
			return Auth{}, errors.New("--auth header:NAME needs the header's name, e.g. header:Authorization")
		}
		if value == "" {
			return Auth{}, errors.New("--auth header needs the header's value: set IWB_LISTEN_TOKEN, give --auth-file FILE, or header:NAME:VALUE")
		}
		return Auth{Mode: "header", Header: http.CanonicalHeaderKey(strings.TrimSpace(name)), Value: value}, nil
	case "basic":
		if rest == "" {
			rest = secret
		}
		user, pass, ok := strings.Cut(rest, ":")
		if !ok || user == "" || pass == "" {
			return Auth{}, errors.New("--auth basic needs USER:PASS: set IWB_LISTEN_BASIC, give --auth-file FILE, or basic:USER:PASS")
		}
		return Auth{Mode: "basic", User: user, Pass: pass}, nil
	}
	return Auth{}, fmt.Errorf("--auth %q: use header[:NAME[:VALUE]] or basic[:USER:PASS]", redactSpec(spec))
}

// redactSpec hides everything after the mode, for error messages.
func redactSpec(spec string) string {
	mode, _, found := strings.Cut(spec, ":")
	if !found {
		return spec
	}
	return mode + ":" + redacted
}

// String describes the auth without its secret.
func (a Auth) String() string {
	switch a.Mode {
	case "header":
		return "header " + a.Header
	case "basic":
		return "basic (user " + a.User + ")"
	}
	return "none"
}

// allows reports whether r carries the configured credentials, comparing in
// constant time (over hashes, so the length does not leak either).
func (a Auth) allows(r *http.Request) bool {
	switch a.Mode {
	case "header":
		return secretEqual(r.Header.Get(a.Header), a.Value)
	case "basic":
		user, pass, ok := r.BasicAuth()
		// Both compared every time, so timing does not tell which was wrong.
		userOK := secretEqual(user, a.User)
		passOK := secretEqual(pass, a.Pass)
		return ok && userOK && passOK
	}
	return true
}

func secretEqual(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// SetOn puts these credentials on a request's header, as a sender that
// knows them does.
func (a Auth) SetOn(h http.Header) {
	switch a.Mode {
	case "header":
		h.Set(a.Header, a.Value)
	case "basic":
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(a.User+":"+a.Pass)))
	}
}

// headerName is the request header that carries the listener's own credentials.
func (a Auth) headerName() string {
	switch a.Mode {
	case "header":
		return a.Header
	case "basic":
		return "Authorization"
	}
	return ""
}

const redacted = "[redacted]"

// alwaysRedacted are headers that carry credentials whatever the auth mode.
var alwaysRedacted = []string{"Authorization", "Proxy-Authorization", "Cookie", "Api-Key", "Api_key", "X-Api-Key"}

// redactHeaders returns h with credential values replaced, safe to store
// and log: a copy when it holds credentials, else h itself (most requests,
// so ingest copies no headers), which the caller must then not change.
func (a Auth) redactHeaders(h http.Header) http.Header {
	if !a.holdsSecret(h) {
		return h
	}
	out := h.Clone()
	for _, name := range alwaysRedacted {
		redactHeader(out, name)
	}
	if a.Mode == "header" {
		redactHeader(out, a.Header)
	}
	return out
}

func (a Auth) holdsSecret(h http.Header) bool {
	for k := range h {
		if a.Mode == "header" && strings.EqualFold(k, a.Header) {
			return true
		}
		for _, name := range alwaysRedacted {
			if strings.EqualFold(k, name) {
				return true
			}
		}
	}
	return false
}

func redactHeader(h http.Header, name string) {
	for k, vs := range h {
		if strings.EqualFold(k, name) {
			for i := range vs {
				vs[i] = redacted
			}
		}
	}
}
