package scalar

import (
	"encoding/json"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
)

// IsEmail reports whether s is a valid AWSEmail: an address as RFC 822
// defines it, without a display name or angle brackets.
func IsEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

// IsURL reports whether s is a valid AWSURL: a URL as RFC 1738 defines it,
// with a scheme (http, mailto) and no two slashes in a row in its path.
func IsURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || (u.Host == "" && u.Opaque == "") {
		return false
	}
	return !strings.Contains(u.Path, "//")
}

// IsPhone reports whether s is a valid AWSPhone: digits, optionally led by
// + and a country code, whose groups may be separated by spaces or
// hyphens. AppSync takes a number without a country code as North
// American; the numbering plan is not checked here.
func IsPhone(s string) bool { return phonePattern.MatchString(s) }

var phonePattern = regexp.MustCompile(`^\+?[0-9](?:[ \-]?[0-9]){3,}$`)

// IsIPAddress reports whether s is a valid AWSIPAddress: an IPv4 or IPv6
// address, optionally with a CIDR prefix length (123.12.34.56/32).
func IsIPAddress(s string) bool {
	if net.ParseIP(s) != nil {
		return true
	}
	_, _, err := net.ParseCIDR(s)
	return err == nil
}

// IsJSON reports whether s is a valid AWSJSON: a string holding a JSON
// document.
func IsJSON(s string) bool { return json.Valid([]byte(s)) }
