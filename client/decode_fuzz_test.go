package client

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/Khan/genqlient/graphql"
)

// dUnm is a type with an UnmarshalJSON method that checks its input, as
// generated types do.
type dUnm struct{ S string }

func (d *dUnm) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		d.S = "was null"
		return nil
	}
	return json.Unmarshal(b, &d.S)
}

// dTarget has a field of each kind decodeData treats apart.
type dTarget struct {
	P *dUnm           `json:"p"`
	V dUnm            `json:"v"`
	R json.RawMessage `json:"r"`
	N *int            `json:"n"`
	M map[string]any  `json:"m,omitempty"`
	L []*dUnm         `json:"l"`
}

var decodeDataSeeds = []string{
	`{"p":"a","v":"b","r":{"x":[1,2]},"n":3,"m":{"k":true},"l":["c",null]}`,
	`{"p":null,"v":null,"r":null,"n":null,"m":null,"l":null}`,
	`{"P":"upper","V":"case","unknown":{"a":[]},"p":"last wins"}`,
	`{"\u0070":"escaped name"}`,
	`{}`, ` { } `, `[]`, `null`, `"x"`, `{"p":1}`, `{"n":"x"}`, `{"r":{"x":}`, `{"unknown":tru}`, `{"p":"a"`, `{"p" "a"}`, `{"p":"a",}`,
	`{"l":[1]}`, `{"m":[]}`,
}

// TestDecodeDataIsEncodingJSON checks that decodeData decodes as
// json.Unmarshal does.
func TestDecodeDataIsEncodingJSON(t *testing.T) {
	for _, s := range decodeDataSeeds {
		checkDecodeData(t, []byte(s))
	}
	// Targets without a plan go to encoding/json.
	var m map[string]any
	if err := decodeData([]byte(`{"a":1}`), &m); err != nil || m["a"] != float64(1) {
		t.Fatalf("map: %v %v", m, err)
	}
	type embedded struct{ dTarget }
	if dataPlanOf(reflect.TypeFor[*embedded]()) != nil || dataPlanOf(reflect.TypeFor[*struct{ A int }]()) != nil {
		t.Fatal("a struct with embedded or untagged fields has no plan")
	}
}

func checkDecodeData(t *testing.T, data []byte) {
	t.Helper()
	var got, want dTarget
	gotErr := decodeData(data, &got)
	wantErr := json.Unmarshal(data, &want)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("%q: decodeData: %v; json.Unmarshal: %v", data, gotErr, wantErr)
	}
	if gotErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: decodeData gave %+v, json.Unmarshal %+v", data, got, want)
	}
}

// FuzzDecodeData checks decodeData against json.Unmarshal on any input.
func FuzzDecodeData(f *testing.F) {
	for _, s := range decodeDataSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkDecodeData(t, data) })
}

// refData is the data member as the client decoded it before it had a
// decoder of its own: encoding/json hands it over, checked.
type refData struct {
	target        any
	present, null bool
}

func (d *refData) UnmarshalJSON(b []byte) error {
	d.present = true
	d.null = string(b) == "null"
	if d.null {
		return nil
	}
	d.null = false
	return json.Unmarshal(b, d.target)
}

// refDecodeReply is decodeReply done with encoding/json alone: null entries
// of the errors list dropped, and a reply with neither an error nor data
// (an empty errors list, or a null data, alone) refused.
func refDecodeReply(body []byte, target any) (map[string]any, GraphQLErrors, error) {
	wire := struct {
		Data       refData         `json:"data"`
		Errors     json.RawMessage `json:"errors"`
		Extensions map[string]any  `json:"extensions"`
	}{Data: refData{target: target}}
	if err := json.Unmarshal(body, &wire); err != nil {
		return nil, nil, err
	}
	var errs GraphQLErrors
	if len(wire.Errors) > 0 && string(wire.Errors) != "null" {
		var all []*GraphQLError
		if err := json.Unmarshal(wire.Errors, &all); err != nil {
			return nil, nil, err
		}
		errs = GraphQLErrors{}
		for _, e := range all {
			if e != nil {
				errs = append(errs, e)
			}
		}
	}
	if !wire.Data.present && errs == nil {
		return nil, nil, errors.New("neither data nor errors")
	}
	if len(errs) == 0 && (!wire.Data.present || wire.Data.null) {
		return nil, nil, errors.New("neither an error nor data")
	}
	return wire.Extensions, errs, nil
}

var decodeReplySeeds = []string{
	`{"data":{"p":"a","v":"b","r":{"x":1},"n":3,"l":["c"]}}`,
	`{"data":{"p":"a"},"errors":[{"message":"m","errorType":"T","path":["p"],"locations":[{"line":1,"column":2}]}],"extensions":{"k":[1]}}`,
	`{"errors":[],"data":null}`, `{"data":{"p":1}}`, `{"data":{"p":"a"},"data":{"v":"b"}}`, `{"data":{"p":"a"},"data":null}`,
	`{"data":{"p":"a"},"data":[1]}`, `{"Data":{"P":"x"}}`, `{"data":{"p":"a"}} x`, `{"data":{"p":"a"},"errors":{}}`, `{"extensions":{}}`, `[]`,
	`{"errors":[null]}`, `{"errors":[null,{"message":"m","errorType":"Throttling"}]}`, `{"data":{"p":"a"},"errors":[null]}`, `{"errors":[]}`,
	`{"data":null}`, `{"data":null,"errors":[]}`, `{"errors":null}`, `{"errors":["s"]}`, `{"errors":[1]}`, `{"errors":[true]}`, `{"errors":[[]]}`,
	`{"errors":[{"message":"m","path":["a",0,{"k":"v"}],"locations":[{"line":1,"column":2,"sourceName":"s"},null],"errorInfo":"i","data":{"d":1}}]}`,
	`{"errors":[{"message":"m"}],"Errors":[null]}`, `{"data":{"p":"a"},"DATA":null}`,
}

// FuzzDecodeEnvelope checks decodeReply against encoding/json alone: the
// same replies are refused, and those accepted give the same result.
func FuzzDecodeEnvelope(f *testing.F) {
	for _, s := range decodeReplySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got, want dTarget
		resp := &graphql.Response{Data: &got}
		err := decodeReply(200, body, resp, nil)
		ext, gerrs, wantErr := refDecodeReply(body, &want)
		var herr *HTTPError
		refused := errors.As(err, &herr)
		if refused != (wantErr != nil) {
			t.Fatalf("%q: decodeReply: %v; encoding/json: %v", body, err, wantErr)
		}
		if refused {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: data %+v, want %+v", body, got, want)
		}
		if len(ext) > 0 && !reflect.DeepEqual(resp.Extensions, ext) {
			t.Fatalf("%q: extensions %v, want %v", body, resp.Extensions, ext)
		}
		var es GraphQLErrors
		errors.As(err, &es)
		if len(gerrs) > 0 && !reflect.DeepEqual(es, gerrs) || len(gerrs) == 0 && err != nil {
			t.Fatalf("%q: errors %v, want %v", body, err, gerrs)
		}
		// Every method of what was decoded works, nil entries or not.
		_, _, _, _ = es.Error(), es.ErrorCode(), es.RetryableError(), es.HasType("Throttling")
		for _, e := range es {
			if e == nil {
				t.Fatalf("%q: a nil entry in %#v", body, es)
			}
			_ = e.Error()
		}
	})
}
