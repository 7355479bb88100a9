package client

import (
	"bytes"
	"encoding/json"
	"sync"
	"sync/atomic"

	"github.com/Khan/genqlient/graphql"
)

// Encoding requests. The body is what json.Marshal makes of the
// graphql.Request, byte for byte, built with one marshal of the variables
// into a pooled buffer: the JSON form of the query (a long constant of the
// generated code, full of newlines and tabs to escape) is made once per
// document and kept.

// queryCache maps a query to its JSON string form.
type queryCache struct {
	m sync.Map // string → []byte
	n atomic.Int32
}

// maxCachedQueries bounds the cache: generated code has a fixed set of
// documents; a program building documents at run time gets the rest
// encoded each time.
const maxCachedQueries = 512

func (qc *queryCache) get(query string) ([]byte, error) {
	if v, ok := qc.m.Load(query); ok {
		return v.([]byte), nil
	}
	b, err := json.Marshal(query)
	if err != nil {
		return nil, err
	}
	if qc.n.Load() < maxCachedQueries {
		if _, loaded := qc.m.LoadOrStore(query, b); !loaded {
			qc.n.Add(1)
		}
	}
	return b, nil
}

var encodeBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// encodeRequest returns the JSON body of req.
func (c *Client) encodeRequest(req *graphql.Request) ([]byte, error) {
	q, err := c.queries.get(req.Query)
	if err != nil {
		return nil, err
	}
	buf := encodeBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			buf.Reset()
			encodeBuffers.Put(buf)
		}
	}()
	buf.Reset()
	buf.WriteString(`{"query":`)
	buf.Write(q)
	if req.Variables != nil {
		buf.WriteString(`,"variables":`)
		if err := json.NewEncoder(buf).Encode(req.Variables); err != nil {
			return nil, err
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
	}
	buf.WriteString(`,"operationName":`)
	if plainName(req.OpName) {
		buf.WriteByte('"')
		buf.WriteString(req.OpName)
		buf.WriteByte('"')
	} else {
		name, err := json.Marshal(req.OpName)
		if err != nil {
			return nil, err
		}
		buf.Write(name)
	}
	buf.WriteByte('}')
	return bytes.Clone(buf.Bytes()), nil
}

// plainName reports whether s is a GraphQL name, which JSON carries as is.
func plainName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
