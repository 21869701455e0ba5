// Package termtext makes text that came from outside (webhook bodies and
// headers, API answers, error texts that quote them) safe to write to a
// terminal. It is the one sanitizer the CLI and the workbench share: a byte
// that could move the cursor, start an escape sequence (title, clipboard,
// screen clearing), reorder the line (bidi controls) or hide characters
// (zero-width and other format characters) is shown as a visible escape such
// as \x1b or \u202e instead, so the reader sees that it was there.
package termtext

import (
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Line returns s for one line of a terminal: every control character,
// newlines and tabs included, is shown as an escape.
func Line(s string) string { return clean(s, false) }

// Block returns s for several lines of a terminal: as Line, but newlines
// stay newlines.
func Block(s string) string { return clean(s, true) }

func safeSlow(s string, keepNewlines bool) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return false
			}
		}
		if hidden(r) && !(keepNewlines && r == '\n') {
			return false
		}
	}
	return true
}

// JSON returns a JSON text with every character a terminal would act on
// written as a \u escape, so it is still JSON with the same value: the
// encoder escapes C0 controls but leaves C1, bidi and zero-width characters
// raw, and a raw body may hold bytes that are not UTF-8 (those become
// \ufffd, as the encoder would make them). Newlines, tabs and carriage
// returns are left alone: in valid JSON they only appear between tokens.
func JSON(b []byte) []byte {
	plain := true
	for _, c := range b {
		if c == 0x7f || c >= 0x80 || (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
			plain = false
			break
		}
	}
	if plain {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			out = append(out, `\ufffd`...)
		case r == '\n' || r == '\t' || r == '\r' || !hidden(r):
			out = append(out, b[i:i+size]...)
		default:
			var units [2]uint16
			for _, u := range utf16.AppendRune(units[:0], r) {
				out = appendHex(append(out, `\u`...), uint32(u), 4)
			}
		}
		i += size
	}
	return out
}

func clean(s string, keepNewlines bool) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			plain = safeSlow(s[i:], keepNewlines)
			break
		}
	}
	if plain {
		return s
	}
	b := make([]byte, 0, len(s)+16)
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			b = append(b, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			// A byte that is not UTF-8: some terminals read 0x9b alone as CSI.
			b = appendHex(append(b, `\x`...), uint32(s[i]), 2)
		case keepNewlines && r == '\n':
			b = append(b, '\n')
		case hidden(r):
			b = appendEscape(b, r)
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return string(b)
}

// hidden is a character a terminal acts on or does not show as itself:
// C0 and C1 controls, DEL, format characters (bidi controls, zero-width
// spaces and joiners, the BOM, soft hyphen) and the line and paragraph
// separators.
func hidden(r rune) bool {
	if r >= 0x20 && r < 0x7f {
		return false
	}
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// appendEscape appends r written as an escape: \n, \r, \t, \xHH, \uHHHH
// or \UHHHHHHHH.
func appendEscape(b []byte, r rune) []byte {
	switch r {
	case '\n':
		return append(b, `\n`...)
	case '\r':
		return append(b, `\r`...)
	case '\t':
		return append(b, `\t`...)
	}
	switch {
	case r < 0x80:
		return appendHex(append(b, `\x`...), uint32(r), 2)
	case r <= 0xffff:
		return appendHex(append(b, `\u`...), uint32(r), 4)
	}
	return appendHex(append(b, `\U`...), uint32(r), 8)
}

// appendHex appends v as n lower-case hex digits.
func appendHex(b []byte, v uint32, n int) []byte {
	const digits = "0123456789abcdef"
	for shift := 4 * (n - 1); shift >= 0; shift -= 4 {
		b = append(b, digits[v>>shift&0xf])
	}
	return b
}
