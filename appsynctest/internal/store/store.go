// Package store holds the tables of the local backend's models in memory
// and answers the DynamoDB operations Amplify's resolvers use: Query and
// Scan (on the table or an index, with key conditions, filters, limits and
// start keys), GetItem, and conditional PutItem and DeleteItem.
package store

import (
	"encoding/json"
	"errors"
	"hash/fnv"
	"sort"
	"strings"
	"sync"

	"github.com/go-amplify/data/appsynctest/internal/value"
)

// Store holds the tables in memory. One lock serializes every operation, so
// each write is atomic as a DynamoDB single-item write is. It is safe for
// concurrent use.
type Store struct {
	mu     sync.Mutex
	tables map[string]map[string]map[string]any // table → key → item
}

// New returns an empty store.
func New() *Store { return &Store{tables: map[string]map[string]map[string]any{}} }

// Key is the key schema of a table or an index: the attribute of its
// partition key and that of its sort key ("" when it has none).
type Key struct {
	PK string
	SK string
}

// table returns the items of a table (the caller holds mu).
func (st *Store) table(name string) map[string]map[string]any {
	t := st.tables[name]
	if t == nil {
		t = map[string]map[string]any{}
		st.tables[name] = t
	}
	return t
}

// itemKey encodes the primary key of an item: its partition key value and
// sort key attribute value. ok is false when the partition key is missing
// or null, or a sort key is.
func itemKey(key Key, item map[string]any) (string, bool) {
	pk, ok := item[key.PK]
	if !ok || pk == nil {
		return "", false
	}
	parts := []any{pk}
	if key.SK != "" {
		sk, ok := item[key.SK]
		if !ok || sk == nil {
			return "", false
		}
		parts = append(parts, sk)
	}
	b, _ := json.Marshal(parts)
	return string(b), true
}

// keyAttrs returns the attributes of an item that make its key in an
// index and in the table: LastEvaluatedKey.
func keyAttrs(keys []Key, item map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		out[k.PK] = item[k.PK]
		if k.SK != "" {
			out[k.SK] = item[k.SK]
		}
	}
	return out
}

// Query is a DynamoDB Query (HasPK) or Scan (not HasPK) on a table or one
// of its indexes.
type Query struct {
	Table string
	Key   Key // the table's primary key
	Index Key // the key queried: Key, or an index's
	PK    any
	HasPK bool
	// SKCond is the condition on the sort key attribute: eq, le, lt, ge,
	// gt, between, beginsWith.
	SKCond map[string]any
	// KeyFilter is applied with the key condition, before Limit (the
	// further fields of a relationship's key).
	KeyFilter map[string]any
	Desc      bool
	Filter    map[string]any
	Limit     int
	Start     map[string]any // ExclusiveStartKey
}

// Result is what a query returns.
type Result struct {
	Items   []map[string]any
	LastKey map[string]any // nil when the query reached the end
	Scanned int
}

// Run evaluates the query as DynamoDB does: it reads up to Limit items
// (after the key condition, before the filter) in key order, starting
// after the start key, and then filters them. When it stops because it
// read Limit items it returns the last key, even when no item follows (so
// a page can be followed by an empty one). An invalid filter is a
// *FilterError.
func (st *Store) Run(q *Query) (*Result, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	ix := q.Index
	var rows []map[string]any
	for _, item := range st.table(q.Table) {
		pkv, ok := item[ix.PK]
		if !ok || pkv == nil {
			continue // not in a sparse index
		}
		if ix.SK != "" {
			if v, ok := item[ix.SK]; !ok || v == nil {
				continue
			}
		}
		if q.HasPK {
			if c, ok := CompareDynamo(pkv, q.PK); !ok || c != 0 {
				continue
			}
		}
		if q.SKCond != nil && ix.SK != "" {
			ok, err := fieldMatches(item[ix.SK], true, q.SKCond)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		if ok, err := matchesOrNil(item, q.KeyFilter); err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		rows = append(rows, item)
	}
	order := func(a, b map[string]any) int { return compareOrder(q, a, b) }
	sort.SliceStable(rows, func(i, j int) bool { return order(rows[i], rows[j]) < 0 })
	startAt := 0
	if q.Start != nil {
		startAt = sort.Search(len(rows), func(i int) bool { return order(rows[i], q.Start) > 0 })
	}
	rows = rows[startAt:]
	res := &Result{}
	n := min(len(rows), q.Limit)
	for _, item := range rows[:n] {
		res.Scanned++
		if ok, err := matchesOrNil(item, q.Filter); err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		res.Items = append(res.Items, value.CopyItem(item))
	}
	if n == q.Limit && n > 0 {
		keys := []Key{q.Key}
		if ix != q.Key {
			keys = append(keys, ix)
		}
		res.LastKey = keyAttrs(keys, rows[n-1])
	}
	return res, nil
}

// matchesOrNil is Matches, true for no filter.
func matchesOrNil(item, filter map[string]any) (bool, error) {
	if filter == nil {
		return true, nil
	}
	return Matches(item, filter)
}

// compareOrder orders items as DynamoDB returns them: a Query by sort key
// within the partition (then by table key); a Scan by the hash of the
// partition key, then by sort key. Both are deterministic.
func compareOrder(q *Query, a, b map[string]any) int {
	ix := q.Index
	var c int
	if q.HasPK {
		c = compareKeyValue(a[ix.SK], b[ix.SK])
		if q.Desc {
			c = -c
		}
	} else {
		c = compareUint(hashValue(a[ix.PK]), hashValue(b[ix.PK]))
		if c == 0 {
			c = compareKeyValue(a[ix.PK], b[ix.PK])
		}
		if c == 0 {
			c = compareKeyValue(a[ix.SK], b[ix.SK])
		}
	}
	if c == 0 && ix != q.Key {
		c = compareKeyValue(a[q.Key.PK], b[q.Key.PK])
		if c == 0 {
			c = compareKeyValue(a[q.Key.SK], b[q.Key.SK])
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
	if c, ok := CompareDynamo(a, b); ok {
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

// Get returns a copy of the item of a table with the key of item (whose
// other attributes are ignored), or nil.
func (st *Store) Get(table string, key Key, item map[string]any) map[string]any {
	st.mu.Lock()
	defer st.mu.Unlock()
	k, ok := itemKey(key, item)
	if !ok {
		return nil
	}
	return value.CopyItem(st.table(table)[k])
}

// ErrConditionFailed is DynamoDB's ConditionalCheckFailedException.
var ErrConditionFailed = errors.New("conditional check failed")

// ErrMissingKey is a write whose item lacks its key, or changes it.
var ErrMissingKey = errors.New("missing key")

// Write runs fn on the stored item with the key of item (nil when none)
// under the store's lock and stores what fn returns (nil: deletes). fn
// returns ErrConditionFailed when its condition fails. Write returns the
// item before and after.
func (st *Store) Write(table string, key Key, item map[string]any, fn func(old map[string]any) (map[string]any, error)) (old, updated map[string]any, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	k, ok := itemKey(key, item)
	if !ok {
		return nil, nil, ErrMissingKey
	}
	t := st.table(table)
	cur := value.CopyItem(t[k])
	next, err := fn(value.CopyItem(cur))
	if err != nil {
		return cur, nil, err
	}
	if next == nil {
		delete(t, k)
		return cur, nil, nil
	}
	nk, ok := itemKey(key, next)
	if !ok || nk != k {
		return cur, nil, ErrMissingKey
	}
	t[k] = value.CopyItem(next)
	return cur, next, nil
}

// Items returns copies of all items of a table in scan order.
func (st *Store) Items(table string, key Key) []map[string]any {
	res, _ := st.Run(&Query{Table: table, Key: key, Index: key, Limit: int(^uint(0) >> 1)})
	return res.Items
}

// Reset deletes every item of every table.
func (st *Store) Reset() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.tables = map[string]map[string]map[string]any{}
}
