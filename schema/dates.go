package schema

// The two date shapes a string field is typed by. They are checked by hand,
// without time.Parse, because inference runs them on every string it reads.

// isDate reports whether v is a calendar date written yyyy-mm-dd.
func isDate[T string | []byte](v T) bool {
	if len(v) != 10 || v[4] != '-' || v[7] != '-' {
		return false
	}
	year, ok1 := digits(v[0:4])
	month, ok2 := digits(v[5:7])
	day, ok3 := digits(v[8:10])
	return ok1 && ok2 && ok3 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(month, year)
}

// isDateTime reports whether v is a timestamp in Iterable's form
// (2016-12-02 20:21:04 +00:00) or in RFC 3339 (2016-12-02T20:21:04Z,
// fractions of a second and offsets allowed).
func isDateTime[T string | []byte](v T) bool {
	if len(v) < 20 || !isDate(v[:10]) || !isClock(v[11:19]) {
		return false
	}
	rest := v[19:]
	switch v[10] {
	case ' ': // Iterable: " +00:00"
		return len(rest) == 7 && rest[0] == ' ' && isOffset(rest[1:])
	case 'T', 't':
		if rest[0] == '.' {
			n := 1
			for n < len(rest) && '0' <= rest[n] && rest[n] <= '9' {
				n++
			}
			if n == 1 {
				return false
			}
			rest = rest[n:]
		}
		return (len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z')) || isOffset(rest)
	}
	return false
}

// isClock reports whether v is hh:mm:ss.
func isClock[T string | []byte](v T) bool {
	if len(v) != 8 || v[2] != ':' || v[5] != ':' {
		return false
	}
	h, ok1 := digits(v[0:2])
	m, ok2 := digits(v[3:5])
	s, ok3 := digits(v[6:8])
	return ok1 && ok2 && ok3 && h <= 23 && m <= 59 && s <= 59
}

// isOffset reports whether v is +hh:mm or -hh:mm.
func isOffset[T string | []byte](v T) bool {
	if len(v) != 6 || (v[0] != '+' && v[0] != '-') || v[3] != ':' {
		return false
	}
	h, ok1 := digits(v[1:3])
	m, ok2 := digits(v[4:6])
	return ok1 && ok2 && h <= 23 && m <= 59
}

func digits[T string | []byte](v T) (int, bool) {
	n := 0
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
		n = n*10 + int(v[i]-'0')
	}
	return n, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
