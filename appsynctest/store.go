package appsynctest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"hash/fnv"
	"sort"
	"strings"
	"sync"
)

// store holds the models' tables in memory. One lock serializes every
// operation, so each mutation is atomic as a DynamoDB single-item write is.
type store struct {
	mu     sync.Mutex
	tables map[string]map[string]map[string]any // model → key → item
}

func newStore() *store { return &store{tables: map[string]map[string]map[string]any{}} }

// table returns the items of a model (the caller holds mu).
func (st *store) table(model string) map[string]map[string]any {
	t := st.tables[model]
	if t == nil {
		t = map[string]map[string]any{}
		st.tables[model] = t
	}
	return t
}

// itemKey encodes the primary key of an item: its partition key value and
// sort key attribute value. ok is false when the partition key is missing
// or null, or a sort key is.
func itemKey(key *index, item map[string]any) (string, bool) {
	pk, ok := item[key.pk]
	if !ok || pk == nil {
		return "", false
	}
	parts := []any{pk}
	if a := key.skAttr(); a != "" {
		sk, ok := item[a]
		if !ok || sk == nil {
			return "", false
		}
		parts = append(parts, sk)
	}
	b, _ := json.Marshal(parts)
	return string(b), true
}

// keyAttrs returns the attributes of an item that make its key in an
// index (and in the table): LastEvaluatedKey.
func keyAttrs(m *model, ix *index, item map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range []*index{m.key, ix} {
		if k == nil {
			continue
		}
		out[k.pk] = item[k.pk]
		if a := k.skAttr(); a != "" {
			out[a] = item[a]
		}
	}
	return out
}

// query is a DynamoDB Query (pk set) or Scan (pk unset) on the table or
// one of its indexes.
type query struct {
	m      *model
	ix     *index // the table's key when it is m.key
	pk     any
	hasPK  bool
	skCond map[string]any // on ix.skAttr(): eq, le, lt, ge, gt, between, beginsWith
	// keyFilter is applied with the key condition, before limit (the
	// further fields of a relationship's key).
	keyFilter map[string]any
	desc      bool
	filter    map[string]any
	limit     int
	start     map[string]any // ExclusiveStartKey
}

// result is what a query returns.
type result struct {
	items   []map[string]any
	lastKey map[string]any // nil when the query reached the end
	scanned int
}

// run evaluates the query as DynamoDB does: it reads up to limit items
// (after the key condition, before the filter) in key order, starting
// after the start key, and then filters them. When it stops because it
// read limit items it returns the last key, even when no item follows (so
// a page can be followed by an empty one).
func (st *store) run(q *query) (*result, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	ix := q.ix
	skAttr := ix.skAttr()
	var rows []map[string]any
	for _, item := range st.table(q.m.name) {
		pkv, ok := item[ix.pk]
		if !ok || pkv == nil {
			continue // not in a sparse index
		}
		if skAttr != "" {
			if v, ok := item[skAttr]; !ok || v == nil {
				continue
			}
		}
		if q.hasPK {
			if c, ok := compareDynamo(pkv, q.pk); !ok || c != 0 {
				continue
			}
		}
		if q.skCond != nil && skAttr != "" {
			ok, err := fieldMatches(item[skAttr], true, q.skCond)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		if q.keyFilter != nil {
			ok, err := matches(item, q.keyFilter)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		rows = append(rows, item)
	}
	order := func(a, b map[string]any) int { return compareOrder(q, a, b) }
	sort.SliceStable(rows, func(i, j int) bool { return order(rows[i], rows[j]) < 0 })
	startAt := 0
	if q.start != nil {
		startAt = sort.Search(len(rows), func(i int) bool { return order(rows[i], q.start) > 0 })
	}
	rows = rows[startAt:]
	res := &result{}
	n := len(rows)
	if q.limit < n {
		n = q.limit
	}
	for _, item := range rows[:n] {
		res.scanned++
		if q.filter != nil {
			ok, err := matches(item, q.filter)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		res.items = append(res.items, copyItem(item))
	}
	if n == q.limit && n > 0 {
		res.lastKey = keyAttrs(q.m, ix, rows[n-1])
	}
	return res, nil
}

// compareOrder orders items as DynamoDB returns them: a Query by sort key
// within the partition (then by table key); a Scan by the hash of the
// partition key, then by sort key. Both are deterministic.
func compareOrder(q *query, a, b map[string]any) int {
	ix := q.ix
	var c int
	if q.hasPK {
		c = compareKeyValue(a[ix.skAttr()], b[ix.skAttr()])
		if q.desc {
			c = -c
		}
	} else {
		c = compareUint(hashValue(a[ix.pk]), hashValue(b[ix.pk]))
		if c == 0 {
			c = compareKeyValue(a[ix.pk], b[ix.pk])
		}
		if c == 0 {
			c = compareKeyValue(a[ix.skAttr()], b[ix.skAttr()])
		}
	}
	if c == 0 && ix != q.m.key {
		c = compareKeyValue(a[q.m.key.pk], b[q.m.key.pk])
		if c == 0 {
			c = compareKeyValue(a[q.m.key.skAttr()], b[q.m.key.skAttr()])
		}
	}
	return c
}

func compareUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareKeyValue orders key values: same-type values as DynamoDB does,
// others by type name.
func compareKeyValue(a, b any) int {
	if c, ok := compareDynamo(a, b); ok {
		return c
	}
	return strings.Compare(attributeType(a), attributeType(b))
}

func hashValue(v any) uint64 {
	b, _ := json.Marshal(v)
	h := fnv.New64a()
	_, _ = h.Write(b)
	return h.Sum64()
}

// get returns a copy of the item with the given key, or nil.
func (st *store) get(m *model, key map[string]any) map[string]any {
	st.mu.Lock()
	defer st.mu.Unlock()
	k, ok := itemKey(m.key, key)
	if !ok {
		return nil
	}
	return copyItem(st.table(m.name)[k])
}

// errConditionFailed is DynamoDB's ConditionalCheckFailedException.
var errConditionFailed = errors.New("conditional check failed")

// write runs fn on the stored item with the key (nil when none) under the
// store's lock and stores what fn returns (nil: deletes). fn returns
// errConditionFailed when its condition fails.
func (st *store) write(m *model, key map[string]any, fn func(old map[string]any) (map[string]any, error)) (old, updated map[string]any, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	k, ok := itemKey(m.key, key)
	if !ok {
		return nil, nil, errMissingKey
	}
	t := st.table(m.name)
	cur := copyItem(t[k])
	next, err := fn(copyItem(cur))
	if err != nil {
		return cur, nil, err
	}
	if next == nil {
		delete(t, k)
		return cur, nil, nil
	}
	nk, ok := itemKey(m.key, next)
	if !ok || nk != k {
		return cur, nil, errMissingKey
	}
	t[k] = copyItem(next)
	return cur, next, nil
}

var errMissingKey = errors.New("missing key")

// items returns copies of all items of a model in scan order.
func (st *store) items(m *model) []map[string]any {
	res, _ := st.run(&query{m: m, ix: m.key, limit: int(^uint(0) >> 1)})
	return res.items
}

// pageToken is the nextToken of a list: the last evaluated key, signed by
// the server and bound to the table and index, as AppSync's tokens are
// opaque and tamper-proof.
type pageToken struct {
	Scope string         `json:"s"`
	Key   map[string]any `json:"k"`
}

func (s *Server) encodeToken(scope string, key map[string]any) string {
	payload, _ := json.Marshal(pageToken{Scope: scope, Key: key})
	mac := hmac.New(sha256.New, s.secret)
	mac.Write(payload)
	inner := base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	outer, _ := json.Marshal(map[string]any{"version": 3, "token": inner})
	return base64.StdEncoding.EncodeToString(outer)
}

// errBadToken is the error AppSync gives for a nextToken it did not issue.
var errInvalidToken = &ResolverError{ErrorType: "DynamoDB:UserIllegalArgumentException",
	Message: "com.amazonaws.deepdish.common.pagination.InvalidPaginationTokenException: Invalid pagination token given."}

func (s *Server) decodeToken(scope, token string) (map[string]any, error) {
	outer, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return nil, errInvalidToken
	}
	var t struct {
		Version int    `json:"version"`
		Token   string `json:"token"`
	}
	if json.Unmarshal(outer, &t) != nil {
		return nil, errInvalidToken
	}
	payloadB64, macB64, ok := strings.Cut(t.Token, ".")
	if !ok {
		return nil, errInvalidToken
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(payloadB64)
	sum, err2 := base64.RawURLEncoding.DecodeString(macB64)
	if err1 != nil || err2 != nil {
		return nil, errInvalidToken
	}
	mac := hmac.New(sha256.New, s.secret)
	mac.Write(payload)
	if !hmac.Equal(sum, mac.Sum(nil)) {
		return nil, errInvalidToken
	}
	v, err := decodeJSON(payload)
	if err != nil {
		return nil, errInvalidToken
	}
	m, _ := v.(map[string]any)
	if m == nil || m["s"] != scope {
		return nil, errInvalidToken
	}
	key, _ := m["k"].(map[string]any)
	if key == nil {
		return nil, errInvalidToken
	}
	return key, nil
}

// tokenScope binds tokens to a table or index.
func tokenScope(m *model, ix *index) string {
	if ix == nil || ix == m.key {
		return m.name
	}
	return m.name + "/" + ix.name
}
