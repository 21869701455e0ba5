package keystore

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	namePattern        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	iterableKeyPattern = regexp.MustCompile(`^[a-f0-9]{32}$`)
)

// ValidateName checks a connection name: it becomes a keyring item and a file
// name, so it stays short and plain.
func ValidateName(name string) error {
	if !namePattern.MatchString(name) {
		return invalidf("bad connection name %q: use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	return nil
}

// ValidateKey rejects keys that cannot be right whatever the project. The
// message never contains the key.
func ValidateKey(key string) error {
	if key == "" {
		return invalidf("the API key is empty: pipe it on stdin or type it at the prompt")
	}
	if strings.IndexFunc(key, unicode.IsSpace) >= 0 {
		return invalidf("the API key contains whitespace: paste it exactly as Iterable shows it")
	}
	if !utf8.ValidString(key) {
		return invalidf("the API key is not valid text: paste it exactly as Iterable shows it")
	}
	return nil
}

// LooksLikeIterableKey reports whether key has the shape of Iterable's keys
// (32 lowercase hex characters). Other keys are stored with a warning: a proxy
// or the sandbox may use another shape.
func LooksLikeIterableKey(key string) bool {
	return iterableKeyPattern.MatchString(key)
}

// ValidateBaseURL checks a base URL override: absolute http or https.
func ValidateBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return invalidf("malformed base URL %q: use an absolute http:// or https:// URL such as https://api.iterable.com", raw)
	}
	return nil
}
