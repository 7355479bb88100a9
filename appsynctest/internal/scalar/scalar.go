// Package scalar coerces the values of GraphQL's and AppSync's scalars as
// AppSync does (coerce.go: inputs, and results on the way out, with
// graphql-java's messages) and checks the formats of AppSync's string
// scalars (datetime.go, text.go). The formats are written from AppSync's
// documentation
// (https://docs.aws.amazon.com/appsync/latest/devguide/scalars.html)
// rather than with the client package's parsers, so that the local
// backend can catch a client that parses or formats them wrongly.
package scalar

// Valid reports whether s is a valid value of the AppSync scalar name that
// travels as a string (AWSDate, AWSTime, AWSDateTime, AWSEmail, AWSURL,
// AWSPhone, AWSIPAddress, AWSJSON). known is false for any other scalar,
// whose strings this package does not check.
func Valid(name, s string) (valid, known bool) {
	check, known := checks[name]
	if !known {
		return false, false
	}
	return check(s), true
}

// checks maps each string scalar to its check.
var checks = map[string]func(string) bool{
	"AWSDate":      IsDate,
	"AWSTime":      IsTime,
	"AWSDateTime":  IsDateTime,
	"AWSEmail":     IsEmail,
	"AWSURL":       IsURL,
	"AWSPhone":     IsPhone,
	"AWSIPAddress": IsIPAddress,
	"AWSJSON":      IsJSON,
}
