// Package sigv4verify is an independent, server-side verifier of AWS
// Signature Version 4 (SigV4) signed HTTP requests, written from the
// published specification. Test stand-ins for AppSync use it to check the
// signatures produced by the SDK's client for real.
//
// It deliberately does not use aws-sdk-go-v2's signer, so that a bug in how
// the client drives that signer (wrong service name, region, payload hash,
// unsigned security token, ...) is caught rather than reproduced.
package sigv4verify

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm this verifier accepts.
const Algorithm = "AWS4-HMAC-SHA256"

// Error types returned in Error.ErrorType, matching AppSync's.
const (
	// InvalidSignature means the signature was well formed but wrong or expired.
	InvalidSignature = "InvalidSignatureException"
	// IncompleteSignature means a required part of the signature is missing or malformed.
	IncompleteSignature = "IncompleteSignatureException"
	// UnrecognizedClient means the access key ID is not known.
	UnrecognizedClient = "UnrecognizedClientException"
)

const amzDateFormat = "20060102T150405Z"

// Error is a verification failure, shaped like AppSync's error response.
type Error struct {
	// Status is the HTTP status to answer with (always 403).
	Status int
	// ErrorType is one of InvalidSignature, IncompleteSignature or UnrecognizedClient.
	ErrorType string
	// Message is a human-readable explanation, as AppSync would give it.
	Message string
}

// Error implements error.
func (e *Error) Error() string { return e.ErrorType + ": " + e.Message }

func newErr(typ, format string, args ...any) *Error {
	return &Error{Status: http.StatusForbidden, ErrorType: typ, Message: fmt.Sprintf(format, args...)}
}

// Verifier checks SigV4 signatures of incoming requests.
type Verifier struct {
	// Credentials maps access key IDs to their secret access keys.
	Credentials map[string]string
	// Service is the signing service name that requests must use, e.g. "appsync".
	Service string
	// Region is the signing region that requests must use, e.g. "us-east-1".
	Region string
	// MaxSkew is how far X-Amz-Date may be from Now; zero means 5 minutes, like AppSync.
	MaxSkew time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

type authHeader struct {
	accessKey     string
	date          string
	region        string
	service       string
	signedHeaders []string
	signature     string
}

func parseAuthorization(h string) (*authHeader, *Error) {
	if !strings.HasPrefix(h, Algorithm+" ") {
		return nil, newErr(IncompleteSignature, "Authorization header requires the %s algorithm", Algorithm)
	}
	parts := map[string]string{}
	for _, p := range strings.Split(strings.TrimPrefix(h, Algorithm+" "), ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return nil, newErr(IncompleteSignature, "Authorization header requires each component to be of the form key=value: '%s'", p)
		}
		parts[k] = v
	}
	var missing []string
	for _, k := range []string{"Credential", "Signature", "SignedHeaders"} {
		if parts[k] == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, newErr(IncompleteSignature, "Authorization header requires '%s' parameter(s)", strings.Join(missing, "', '"))
	}
	cred := strings.Split(parts["Credential"], "/")
	if len(cred) != 5 || cred[0] == "" || cred[4] != "aws4_request" {
		return nil, newErr(IncompleteSignature, "Credential should be scoped to a valid region, service and terminated by 'aws4_request': '%s'", parts["Credential"])
	}
	return &authHeader{
		accessKey:     cred[0],
		date:          cred[1],
		region:        cred[2],
		service:       cred[3],
		signedHeaders: strings.Split(parts["SignedHeaders"], ";"),
		signature:     parts["Signature"],
	}, nil
}

// Verify re-derives the signature of r from the request as received (method,
// escaped path, query, the headers named in SignedHeaders with their received
// values, X-Amz-Date and the SHA-256 of body) and compares it with the one in
// the Authorization header. It returns nil or an *Error.
func (v *Verifier) Verify(r *http.Request, body []byte) error {
	if err := v.verify(r, body); err != nil {
		return err
	}
	return nil
}

func (v *Verifier) verify(r *http.Request, body []byte) *Error {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return newErr(IncompleteSignature, "Authorization header is missing")
	}
	a, e := parseAuthorization(authz)
	if e != nil {
		return e
	}
	secret, ok := v.Credentials[a.accessKey]
	if !ok {
		return newErr(UnrecognizedClient, "The security token included in the request is invalid.")
	}

	signed := map[string]bool{}
	for i, h := range a.signedHeaders {
		if h == "" || h != strings.ToLower(h) || (i > 0 && a.signedHeaders[i-1] >= h) {
			return newErr(IncompleteSignature, "SignedHeaders must be lowercase, sorted and unique: '%s'", strings.Join(a.signedHeaders, ";"))
		}
		signed[h] = true
	}
	if !signed["host"] {
		return newErr(InvalidSignature, "'Host' must be a 'SignedHeader' in the AWS Authorization.")
	}

	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" {
		return newErr(IncompleteSignature, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if !signed["x-amz-date"] {
		return newErr(InvalidSignature, "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")
	}
	t, err := time.Parse(amzDateFormat, amzDate)
	if err != nil {
		return newErr(IncompleteSignature, "X-Amz-Date must be in ISO8601 basic format (YYYYMMDD'T'HHMMSS'Z'): '%s'", amzDate)
	}
	if r.Header.Get("X-Amz-Security-Token") != "" && !signed["x-amz-security-token"] {
		return newErr(InvalidSignature, "'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if a.date != t.Format("20060102") {
		return newErr(InvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", a.date, t.Format("20060102"), amzDate)
	}
	if v.Region != "" && a.region != v.Region {
		return newErr(InvalidSignature, "Credential should be scoped to a valid region, not '%s'.", a.region)
	}
	if v.Service != "" && a.service != v.Service {
		return newErr(InvalidSignature, "Credential should be scoped to correct service: '%s'.", v.Service)
	}

	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	skew := v.MaxSkew
	if skew <= 0 {
		skew = 5 * time.Minute
	}
	n := now().UTC()
	if t.Before(n.Add(-skew)) || t.After(n.Add(skew)) {
		return newErr(InvalidSignature, "Signature expired: %s is now earlier than %s (%s - %s.)",
			amzDate, n.Add(-skew).Format(amzDateFormat), n.Format(amzDateFormat), skew)
	}

	canonical := CanonicalRequest(r, a.signedHeaders, body)
	scope := strings.Join([]string{a.date, a.region, a.service, "aws4_request"}, "/")
	sts := StringToSign(amzDate, scope, canonical)
	want := hex.EncodeToString(hmacSHA256(SigningKey(secret, a.date, a.region, a.service), []byte(sts)))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(a.signature))) {
		return newErr(InvalidSignature, "The request signature we calculated does not match the signature you provided. "+
			"Check your AWS Secret Access Key and signing method. "+
			"The Canonical String for this request should have been\n'%s'\n\nThe String-to-Sign should have been\n'%s'", canonical, sts)
	}
	return nil
}

// CanonicalRequest builds the SigV4 canonical request for r as received,
// covering the named signed headers (lowercase, sorted) and body.
func CanonicalRequest(r *http.Request, signedHeaders []string, body []byte) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(CanonicalURI(r.URL))
	b.WriteByte('\n')
	b.WriteString(CanonicalQuery(r.URL.RawQuery))
	b.WriteByte('\n')
	for _, h := range signedHeaders {
		b.WriteString(h)
		b.WriteByte(':')
		b.WriteString(headerValue(r, h))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	sum := sha256.Sum256(body)
	b.WriteString(hex.EncodeToString(sum[:]))
	return b.String()
}

// StringToSign builds the SigV4 string to sign for the given X-Amz-Date,
// credential scope (date/region/service/aws4_request) and canonical request.
func StringToSign(amzDate, scope, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return Algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

// SigningKey derives the SigV4 signing key for the secret and scope.
func SigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), []byte(date))
	k = hmacSHA256(k, []byte(region))
	k = hmacSHA256(k, []byte(service))
	return hmacSHA256(k, []byte("aws4_request"))
}

func hmacSHA256(key, data []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return m.Sum(nil)
}

func headerValue(r *http.Request, name string) string {
	var vals []string
	switch name {
	case "host":
		vals = []string{r.Host}
		if r.Host == "" && r.URL != nil {
			vals = []string{r.URL.Host}
		}
	case "content-length":
		vals = r.Header.Values("Content-Length")
		if len(vals) == 0 && r.ContentLength >= 0 {
			vals = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	default:
		vals = r.Header.Values(name)
	}
	out := make([]string, len(vals))
	for i, s := range vals {
		out[i] = collapseSpaces(strings.TrimSpace(s))
	}
	return strings.Join(out, ",")
}

func collapseSpaces(s string) string {
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	prevSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' {
			if prevSpace {
				continue
			}
			prevSpace = true
		} else {
			prevSpace = false
		}
		b.WriteByte(c)
	}
	return b.String()
}

// uriEncode percent-encodes every byte except the RFC 3986 unreserved
// characters (and '/' when keepSlash), with uppercase hex digits.
func uriEncode(s string, keepSlash bool) string {
	var b strings.Builder
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') ||
			c == '-' || c == '.' || c == '_' || c == '~' || (keepSlash && c == '/') {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// CanonicalURI returns the canonical URI for non-S3 services: the path as it
// appeared on the wire (already percent-encoded once by the client) is
// URI-encoded once more, segment by segment, so that "/a b" travels as
// "/a%20b" and is signed as "/a%2520b". This matches aws-sdk-go-v2's v4 signer
// with its default DisableURIPathEscaping=false. An empty path is "/".
func CanonicalURI(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	return uriEncode(p, true)
}

// CanonicalQuery returns the canonical query string: each name and value
// decoded then URI-encoded (RFC 3986 unreserved characters kept), sorted by
// name and then value, joined with '&'.
func CanonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	type kv struct{ k, v string }
	var params []kv
	for _, p := range strings.Split(raw, "&") {
		if p == "" {
			continue
		}
		k, val, _ := strings.Cut(p, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(val); err == nil {
			val = dv
		}
		params = append(params, kv{uriEncode(k, false), uriEncode(val, false)})
	}
	sort.Slice(params, func(i, j int) bool {
		if params[i].k != params[j].k {
			return params[i].k < params[j].k
		}
		return params[i].v < params[j].v
	})
	parts := make([]string, len(params))
	for i, p := range params {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

// Middleware verifies requests whose Authorization header starts with
// AWS4-HMAC-SHA256 before passing them to next; the body is read and then
// restored for next. On failure it answers 403 with AppSync's error shape
// {"errors":[{"errorType":"...","message":"..."}]}. Requests using other
// authorization (API key, JWT) pass through unchanged.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), Algorithm) {
			next.ServeHTTP(w, r)
			return
		}
		var body []byte
		if r.Body != nil {
			var err error
			body, err = io.ReadAll(r.Body)
			_ = r.Body.Close()
			if err != nil {
				http.Error(w, "reading body: "+err.Error(), http.StatusBadRequest)
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if e := v.verify(r, body); e != nil {
			WriteError(w, e)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// WriteError writes e as an AppSync-style JSON error response.
func WriteError(w http.ResponseWriter, e *Error) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", e.ErrorType)
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]string{{"errorType": e.ErrorType, "message": e.Message}},
	})
}
