package client

import (
	"fmt"
	"strings"
	"unicode"
)

// FunctionEndpoint reads the data API's endpoint from the environment of a
// Gen 2 function granted access to it (a.schema(...).authorization(allow =>
// [allow.resource(fn)])), as getAmplifyDataClientConfig does in JavaScript:
// AMPLIFY_DATA_DEFAULT_NAME names the API (amplifyData), whose
// SCREAMING_SNAKE form prefixes the endpoint variable
// (AMPLIFY_DATA_GRAPHQL_ENDPOINT); AWS_REGION is the region. The default
// mode is IAM: the function signs with its role's credentials (pass
// WithIAM with the aws.Config that config.LoadDefaultConfig gives in
// Lambda). getenv is os.Getenv, or a map lookup in tests.
func FunctionEndpoint(getenv func(string) string) (Endpoint, error) {
	name := getenv("AMPLIFY_DATA_DEFAULT_NAME")
	if name == "" {
		return Endpoint{}, fmt.Errorf("environment variable AMPLIFY_DATA_DEFAULT_NAME is not set: grant the function access to the data in amplify/data/resource.ts (a.schema(...).authorization((allow) => [allow.resource(myFunction)]))")
	}
	variable := screamingSnake(name) + "_GRAPHQL_ENDPOINT"
	url := getenv(variable)
	if url == "" {
		return Endpoint{}, fmt.Errorf("environment variable %s is not set (AMPLIFY_DATA_DEFAULT_NAME is %q): grant the function access to the data (allow.resource) and redeploy", variable, name)
	}
	region := getenv("AWS_REGION")
	if region == "" {
		return Endpoint{}, fmt.Errorf("environment variable AWS_REGION is not set: Lambda sets it; set it when running the function elsewhere")
	}
	return Endpoint{URL: url, Region: region, DefaultAuthMode: AuthIAM}, nil
}

// screamingSnake turns amplifyData into AMPLIFY_DATA, as Amplify's
// NamingConverter does: a word boundary before each upper-case letter that
// follows a lower-case letter or digit, other characters as underscores.
func screamingSnake(s string) string {
	var b strings.Builder
	var prev rune
	for i, r := range s {
		switch {
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(prev) || unicode.IsDigit(prev)):
			b.WriteByte('_')
			b.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToUpper(r))
		default:
			b.WriteByte('_')
		}
		prev = r
	}
	return b.String()
}
