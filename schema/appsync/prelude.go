package appsync

import "strings"

// preludeFile is the source name of the AppSync prelude in positions.
const preludeFile = "appsync-prelude.graphql"

// preludeDefs are the definitions of Prelude, one each with its
// doc string, keyed by name (directives without the "@").
var preludeDefs = splitPrelude(Prelude)

// splitPrelude splits prelude SDL at blank lines into named definitions.
func splitPrelude(sdl string) []struct{ name, sdl string } {
	var out []struct{ name, sdl string }
	for _, chunk := range strings.Split(strings.TrimSpace(sdl), "\n\n") {
		for _, line := range strings.Split(chunk, "\n") {
			rest, ok := strings.CutPrefix(line, "scalar ")
			if !ok {
				rest, ok = strings.CutPrefix(line, "directive @")
			}
			if ok {
				name := strings.FieldsFunc(rest, func(r rune) bool { return r == ' ' || r == '(' })[0]
				out = append(out, struct{ name, sdl string }{name, chunk + "\n"})
			}
		}
	}
	return out
}

// Prelude is the SDL of the scalars and directives AppSync defines
// implicitly, which final AppSync schemas use without declaring.
const Prelude = `"The AWSDate scalar type represents a valid extended ISO 8601 date string, YYYY-MM-DD, optionally followed by a time zone offset."
scalar AWSDate

"The AWSTime scalar type represents a valid extended ISO 8601 time string, hh:mm:ss.sss, optionally followed by a time zone offset."
scalar AWSTime

"The AWSDateTime scalar type represents a valid extended ISO 8601 date-time string, YYYY-MM-DDThh:mm:ss.sssZ; the time zone offset is required."
scalar AWSDateTime

"The AWSTimestamp scalar type represents a number of seconds since 1970-01-01T00:00Z, as an integer."
scalar AWSTimestamp

"The AWSEmail scalar type represents an email address as defined by RFC 822, e.g. example@example.com."
scalar AWSEmail

"The AWSJSON scalar type represents a JSON value; it is sent and received as a string holding JSON."
scalar AWSJSON

"The AWSURL scalar type represents a URL as defined by RFC 1738, with a scheme, e.g. https://example.com/path."
scalar AWSURL

"The AWSPhone scalar type represents a phone number; it may contain spaces or hyphens, and an international number starts with + and the country code."
scalar AWSPhone

"The AWSIPAddress scalar type represents a valid IPv4 or IPv6 address, optionally in CIDR notation."
scalar AWSIPAddress

"Allows access to the type or field with AWS IAM (SigV4-signed) requests."
directive @aws_iam on OBJECT | FIELD_DEFINITION

"Allows access to the type or field with the API key."
directive @aws_api_key on OBJECT | FIELD_DEFINITION

"Allows access to the type or field with an OpenID Connect token."
directive @aws_oidc on OBJECT | FIELD_DEFINITION

"Allows access to the type or field through the AWS Lambda authorizer."
directive @aws_lambda on OBJECT | FIELD_DEFINITION

"Allows access to the type or field with Amazon Cognito user pools tokens; when cognito_groups is set, only to members of those groups."
directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION

"Makes the subscription field receive the results of the listed mutations."
directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION

"Allows access with Amazon Cognito user pools tokens of members of cognito_groups (the older form of @aws_cognito_user_pools)."
directive @aws_auth(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION
`
