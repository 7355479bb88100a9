package scalar

// The date and time scalars are extended ISO 8601 strings:
//
//   - AWSDate: YYYY-MM-DD, with an optional zone offset.
//   - AWSTime: hh:mm, hh:mm:ss or hh:mm:ss.s to 9 fraction digits, with an
//     optional zone offset.
//   - AWSDateTime: an AWSDate, T, an AWSTime, and a zone offset, which is
//     compulsory.
//
// A year may be negative (-YYYY, before year 0000). A zone offset is Z or
// ±hh:mm, or ±hh:mm:ss (AppSync accepts the seconds though ISO 8601 has
// none); the colons are required (AppSync refuses +0530).

// IsDate reports whether s is a valid AWSDate.
func IsDate(s string) bool {
	rest, ok := date(s)
	return ok && (rest == "" || offset(rest))
}

// IsTime reports whether s is a valid AWSTime.
func IsTime(s string) bool {
	rest, ok := clock(s)
	return ok && (rest == "" || offset(rest))
}

// IsDateTime reports whether s is a valid AWSDateTime.
func IsDateTime(s string) bool {
	rest, ok := date(s)
	if !ok || len(rest) == 0 || rest[0] != 'T' {
		return false
	}
	rest, ok = clock(rest[1:])
	return ok && offset(rest)
}

// date reads YYYY-MM-DD (or -YYYY-MM-DD) at the start of s, a day that
// exists in its month, and returns what follows.
func date(s string) (rest string, ok bool) {
	negative := len(s) > 0 && s[0] == '-'
	if negative {
		s = s[1:]
	}
	year, ok := digits(s, 4)
	if !ok || len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return "", false
	}
	month, ok1 := digits(s[5:], 2)
	day, ok2 := digits(s[8:], 2)
	if !ok1 || !ok2 || month < 1 || month > 12 || day < 1 {
		return "", false
	}
	if negative {
		year = -year
	}
	if day > daysIn(year, month) {
		return "", false
	}
	return s[10:], true
}

// clock reads hh:mm[:ss[.fraction]] at the start of s and returns what
// follows. The fraction has 1 to 9 digits and needs the seconds.
func clock(s string) (rest string, ok bool) {
	if len(s) < 5 || s[2] != ':' {
		return "", false
	}
	hour, ok1 := digits(s, 2)
	minute, ok2 := digits(s[3:], 2)
	if !ok1 || !ok2 || hour > 23 || minute > 59 {
		return "", false
	}
	s = s[5:]
	if len(s) == 0 || s[0] != ':' {
		return s, true
	}
	second, ok := digits(s[1:], 2)
	if !ok || second > 59 {
		return "", false
	}
	s = s[3:]
	if len(s) == 0 || s[0] != '.' {
		return s, true
	}
	n := 0
	for n < len(s)-1 && isDigit(s[n+1]) {
		n++
	}
	if n < 1 || n > 9 {
		return "", false
	}
	return s[1+n:], true
}

// offset reports whether s is exactly a zone offset: Z, ±hh:mm or
// ±hh:mm:ss, of at most 18 hours (the range of the java.time offsets
// AppSync parses with).
func offset(s string) bool {
	if s == "Z" {
		return true
	}
	if len(s) != 6 && len(s) != 9 || (s[0] != '+' && s[0] != '-') || s[3] != ':' {
		return false
	}
	hour, ok1 := digits(s[1:], 2)
	minute, ok2 := digits(s[4:], 2)
	if !ok1 || !ok2 || minute > 59 {
		return false
	}
	second := 0
	if len(s) == 9 {
		var ok bool
		if second, ok = digits(s[7:], 2); s[6] != ':' || !ok || second > 59 {
			return false
		}
	}
	return hour < 18 || hour == 18 && minute == 0 && second == 0
}

// digits reads the number of n decimal digits at the start of s.
func digits(s string, n int) (int, bool) {
	if len(s) < n {
		return 0, false
	}
	v := 0
	for i := range n {
		if !isDigit(s[i]) {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// daysIn returns the number of days of a month in the proleptic Gregorian
// calendar (ISO 8601's, with a year 0 that is a leap year).
func daysIn(year, month int) int {
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
