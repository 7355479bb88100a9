package client_test

// Fuzz targets: the reply decoder (through a client, with the generated
// types of the seed) and the AWS date and time parsers. Seeds are below and
// in testdata/fuzz/<FuzzName>; .ci/fuzz runs each for a while.
//
//	go test -run '^$' -fuzz '^FuzzDecodeReply$' -fuzztime 10s ./client/

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/internal/fixture/tododata"
	"github.com/go-amplify/data/internal/fuzztest"
	"github.com/go-amplify/data/schema"
)

// cannedHTTP answers every request with the same reply, without a network.
type cannedHTTP struct {
	status int
	header http.Header
	body   []byte
}

func (c cannedHTTP) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: c.status, Header: c.header.Clone(), Body: io.NopCloser(bytes.NewReader(c.body)), ContentLength: -1, Request: r}, nil
}

func gzipped(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write([]byte(s))
	_ = zw.Close()
	return b.Bytes()
}

// fuzzKey stands for a secret: a reply that echoes it must not bring it
// into the error.
const fuzzKey = "da2-fuzzsecretkey0123"

func FuzzDecodeReply(f *testing.F) {
	seeds := []string{
		`{"data":{"getTodo":{"content":"milk","done":false,"priority":"HIGH","ID":"t1","createdAt":"2024-01-02T03:04:05.123Z","updatedAt":"2024-01-02T03:04:05+05:30","owner":"alice"}}}`,
		`{"data":{"getTodo":null}}`,
		`{"data":null,"errors":[{"path":["getTodo"],"data":null,"errorType":"Unauthorized","errorInfo":null,"locations":[{"line":1,"column":2,"sourceName":null}],"message":"Not Authorized to access getTodo on type Query"}]}`,
		`{"data":{"getTodo":{"ID":"t1"`,
		`{"data":{"getTodo":{"ID":5}}}`,
		`{"extensions":{"x":1}}`,
		`<html><body>403 Forbidden</body></html>`,
		`{"errors":[{"errorType":"UnauthorizedException","message":"bad key ` + fuzzKey + `"}]}`,
		`{"data":{"getTodo":{"createdAt":"2024-02-30T00:00:00Z"}}}`,
		`{"data":{"getTodo":{"createdAt":"\u0032024-01-02T03:04:05Z"}}}`,
		`{"data":{},"other":[1,{"a":"}"}],"extensions":null}`,
		``,
		`[]`,
	}
	for i, s := range seeds {
		f.Add(200, "", []byte(s))
		if i%3 == 0 {
			f.Add(401, "", []byte(s))
			f.Add(200, "gzip", gzipped(s))
		}
	}
	f.Add(200, "gzip", []byte(seeds[0]))
	f.Add(503, "br", []byte{0x0b, 0x02})
	f.Fuzz(func(t *testing.T, status int, encoding string, body []byte) {
		if status < 100 || status > 999 {
			status = 200
		}
		body = bytes.ReplaceAll(body, []byte("KEY"), []byte(fuzzKey))
		h := http.Header{"Content-Type": {"application/json"}}
		if encoding != "" {
			h.Set("Content-Encoding", encoding)
		}
		c, err := tododata.New(&schema.Outputs{Data: &schema.DataOutputs{URL: "https://example.appsync-api.us-east-1.amazonaws.com/graphql",
			AWSRegion: "us-east-1", DefaultAuthorizationType: schema.AuthAPIKey, APIKey: fuzzKey}},
			client.WithHTTPClient(cannedHTTP{status: status, header: h, body: body}),
			client.WithRetry(client.RetryOptions{MaxAttempts: 1}), client.WithMaxResponseBytes(1<<16))
		if err != nil {
			t.Fatal(err)
		}
		var todo *tododata.Todo
		fuzztest.Within(t, 10*time.Second, func() {
			todo, err = c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"}, client.WithAuthMode(client.AuthAPIKey))
		})
		if err == nil {
			if status != 200 {
				t.Fatalf("status %d is not an error", status)
			}
			plain := body
			if encoding == "gzip" || encoding == "x-gzip" {
				zr, zerr := gzip.NewReader(bytes.NewReader(body))
				if zerr != nil {
					t.Fatalf("not gzip, yet accepted: %v", zerr)
				}
				plain, _ = io.ReadAll(zr)
			}
			if !json.Valid(plain) {
				t.Fatalf("invalid JSON accepted: %q", plain)
			}
			// A success has data: {"errors":[]} and {"data":null} are not
			// answers.
			var wire struct {
				Data json.RawMessage `json:"data"`
			}
			if json.Unmarshal(plain, &wire) != nil || len(wire.Data) == 0 || string(wire.Data) == "null" {
				t.Fatalf("a reply without data accepted: %q", plain)
			}
			_ = todo
			return
		}
		if strings.Contains(err.Error(), fuzzKey) {
			t.Fatalf("the key leaked: %v", err)
		}
		// The error string is bounded whatever the reply: a message is cut at
		// 1 KiB, 10 errors are rendered at most.
		if n := len(err.Error()); n > 24<<10 {
			t.Fatalf("error string of %d bytes", n)
		}
		exerciseErrors(t, err)
		var op *client.OperationError
		if !errors.As(err, &op) || op.Operation != "GetTodo" {
			t.Fatalf("not an *OperationError: %#v", err)
		}
		var herr *client.HTTPError
		var gerrs client.GraphQLErrors
		switch {
		case errors.As(err, &herr):
			if herr.StatusCode != status {
				t.Fatalf("status %d, want %d", herr.StatusCode, status)
			}
			if !utf8.ValidString(herr.Snippet) || utf8.RuneCountInString(herr.Snippet) > 257 {
				t.Fatalf("bad snippet %q", herr.Snippet)
			}
			if status == 200 && herr.Reason == "" {
				t.Fatalf("a 200 refused without a reason: %v", err)
			}
		case errors.As(err, &gerrs):
			if status != 200 || len(gerrs) == 0 {
				t.Fatalf("GraphQL errors with status %d: %v", status, err)
			}
		default:
			t.Fatalf("untyped error: %#v", err)
		}
	})
}

// exerciseErrors calls every method of every typed error in err's chain, as
// a retryer, a logger or a caller would: none may panic, and none may show
// the key.
func exerciseErrors(t *testing.T, err error) {
	t.Helper()
	check := func(what, s string) {
		if strings.Contains(s, fuzzKey) {
			t.Fatalf("the key leaked in %s: %q", what, s)
		}
	}
	var gerrs client.GraphQLErrors
	if errors.As(err, &gerrs) {
		check("GraphQLErrors.Error", gerrs.Error())
		check("GraphQLErrors.ErrorCode", gerrs.ErrorCode())
		_ = gerrs.RetryableError()
		_ = gerrs.HasType("Unauthorized")
		for _, e := range gerrs {
			if e == nil {
				t.Fatalf("a nil entry in %#v", gerrs)
			}
			check("GraphQLError.Error", e.Error())
			check("GraphQLError.Message", e.Message)
			check("GraphQLError.ErrorType", e.ErrorType)
			check("GraphQLError.ErrorInfo", string(e.ErrorInfo))
			check("GraphQLError.Data", string(e.Data))
			check("GraphQLError.Path", fmt.Sprint(e.Path))
			check("GraphQLError.Locations", fmt.Sprint(e.Locations))
		}
	}
	var gerr *client.GraphQLError
	if errors.As(err, &gerr) {
		check("GraphQLError.Error", gerr.Error())
	}
	var herr *client.HTTPError
	if errors.As(err, &herr) {
		check("HTTPError.Error", herr.Error())
		check("HTTPError.ErrorCode", herr.ErrorCode())
		check("HTTPError.Snippet", herr.Snippet)
		check("HTTPError.Reason", herr.Reason)
		_ = herr.RetryableError()
		_ = herr.HTTPStatusCode()
		if u := herr.Unwrap(); u != nil {
			check("HTTPError.Unwrap", u.Error())
		}
		for _, e := range herr.Errors {
			if e == nil {
				t.Fatalf("a nil entry in %#v", herr.Errors)
			}
			check("HTTPError.Errors", e.Error())
		}
	}
	var nerr *client.NetworkError
	if errors.As(err, &nerr) {
		check("NetworkError.Error", nerr.Error())
		_ = nerr.RetryableError()
	}
	check("%+v", fmt.Sprintf("%+v", err))
}

func FuzzParseAWSDateTime(f *testing.F) {
	for _, s := range []string{"2024-02-29T13:14:15Z", "2024-02-29T13:14:15.123456789+05:30", "2024-02-29T13:14-08", "2024-02-29T13:14:15+05:30:15",
		"2024-02-29T13:14:15.5-00:00", "9999-12-31T23:59:60Z", "0000-01-01T00:00:00-23:59:59", "2024-02-30T00:00:00Z", "2024-02-29T13:14:15", "T", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := client.ParseAWSDateTime(s)
		// The JSON path (a fast path for plain strings) agrees with it.
		q, _ := json.Marshal(s)
		var viaJSON time.Time
		jerr := client.UnmarshalAWSDateTime(q, &viaJSON)
		if (err == nil) != (jerr == nil) || err == nil && !got.Equal(viaJSON) {
			t.Fatalf("%q: ParseAWSDateTime %v, %v; UnmarshalAWSDateTime %v, %v", s, got, err, viaJSON, jerr)
		}
		if err != nil {
			if !strings.Contains(err.Error(), "AWSDateTime") {
				t.Fatalf("error without the scalar: %v", err)
			}
			return
		}
		if got.Year() > 9999 { // 9999-12-31T23:59:60Z: no AWSDateTime after it
			return
		}
		b, err := client.MarshalAWSDateTime(&got)
		if err != nil {
			t.Fatal(err)
		}
		var back time.Time
		if err := client.UnmarshalAWSDateTime(b, &back); err != nil {
			t.Fatalf("%q → %s does not parse back: %v", s, b, err)
		}
		_, o1 := got.Zone()
		_, o2 := back.Zone()
		if !got.Equal(back) || !got.IsZero() && o1 != o2 {
			t.Fatalf("%q → %s → %v, want %v", s, b, back, got)
		}
	})
}

func FuzzAWSDate(f *testing.F) {
	for _, s := range []string{"2024-01-31", "2024-01-31Z", "2024-01-31+05:30", "2024-01-31-08:00:30", "2023-02-29", "2024-13-01", "2024-01-31+5", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := client.ParseAWSDate(s)
		q, _ := json.Marshal(s)
		var viaJSON client.Date
		jerr := json.Unmarshal(q, &viaJSON)
		if (err == nil) != (jerr == nil) {
			t.Fatalf("%q: ParseAWSDate %v; UnmarshalJSON %v", s, err, jerr)
		}
		if err != nil {
			return
		}
		if d.String() != viaJSON.String() {
			t.Fatalf("%q: %s vs %s", s, d, viaJSON)
		}
		back, err := client.ParseAWSDate(d.String())
		if err != nil || back.String() != d.String() {
			t.Fatalf("%q → %s → %v, %v", s, d, back, err)
		}
		_ = d.Time()
	})
}

func FuzzAWSTime(f *testing.F) {
	for _, s := range []string{"13:14", "13:14:15.120", "13:14:15Z", "13:14:15.5-07:00", "23:59:60+14", "24:00", "1:2", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := client.ParseAWSTime(s)
		q, _ := json.Marshal(s)
		var viaJSON client.Time
		jerr := json.Unmarshal(q, &viaJSON)
		if (err == nil) != (jerr == nil) {
			t.Fatalf("%q: ParseAWSTime %v; UnmarshalJSON %v", s, err, jerr)
		}
		if err != nil {
			return
		}
		if tm.String() != viaJSON.String() {
			t.Fatalf("%q: %s vs %s", s, tm, viaJSON)
		}
		back, err := client.ParseAWSTime(tm.String())
		if err != nil || back.String() != tm.String() {
			t.Fatalf("%q → %s → %v, %v", s, tm, back, err)
		}
	})
}
