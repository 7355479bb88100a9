package store

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	tableKey = Key{PK: "owner", SK: "n"}
	byTag    = Key{PK: "tag", SK: "n"}
)

func seeded(t *testing.T) *Store {
	t.Helper()
	st := New()
	items := []map[string]any{
		{"owner": "alice", "n": json.Number("1"), "tag": "a"},
		{"owner": "alice", "n": json.Number("2"), "tag": "b"},
		{"owner": "alice", "n": json.Number("3")},
		{"owner": "bob", "n": json.Number("1"), "tag": "a"},
	}
	for _, it := range items {
		_, _, err := st.Write("T", tableKey, it, func(map[string]any) (map[string]any, error) { return it, nil })
		require.NoError(t, err)
	}
	return st
}

// ns returns the n attributes of items, as ints, prefixed by the owner's
// initial: "a1", "b1".
func ns(items []map[string]any) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it["owner"].(string)[:1]+it["n"].(json.Number).String())
	}
	return out
}

func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		q       Query
		want    []string
		scanned int
		lastKey map[string]any
	}{
		{name: "query", q: Query{PK: "alice", HasPK: true}, want: []string{"a1", "a2", "a3"}, scanned: 3},
		{name: "descending", q: Query{PK: "alice", HasPK: true, Desc: true}, want: []string{"a3", "a2", "a1"}, scanned: 3},
		{name: "sort key condition", q: Query{PK: "alice", HasPK: true, SKCond: map[string]any{"gt": json.Number("1")}}, want: []string{"a2", "a3"}, scanned: 2},
		{name: "limit counts before the filter", q: Query{PK: "alice", HasPK: true, Limit: 2, Filter: map[string]any{"tag": map[string]any{"eq": "b"}}},
			want: []string{"a2"}, scanned: 2, lastKey: map[string]any{"owner": "alice", "n": json.Number("2")}},
		{name: "a full last page has a last key", q: Query{PK: "alice", HasPK: true, Limit: 3}, want: []string{"a1", "a2", "a3"}, scanned: 3,
			lastKey: map[string]any{"owner": "alice", "n": json.Number("3")}},
		{name: "start key", q: Query{PK: "alice", HasPK: true, Start: map[string]any{"owner": "alice", "n": json.Number("1")}}, want: []string{"a2", "a3"}, scanned: 2},
		{name: "key filter", q: Query{PK: "alice", HasPK: true, KeyFilter: map[string]any{"tag": map[string]any{"attributeExists": true}}}, want: []string{"a1", "a2"}, scanned: 2},
		{name: "sparse index", q: Query{Index: byTag, PK: "a", HasPK: true}, want: []string{"a1", "b1"}, scanned: 2},
		{name: "index last key holds both keys", q: Query{Index: byTag, PK: "a", HasPK: true, Limit: 1}, want: []string{"a1"}, scanned: 1,
			lastKey: map[string]any{"owner": "alice", "n": json.Number("1"), "tag": "a"}},
		{name: "scan", q: Query{}, want: []string{"a1", "a2", "a3", "b1"}, scanned: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			q.Table, q.Key = "T", tableKey
			if q.Index == (Key{}) {
				q.Index = tableKey
			}
			if q.Limit == 0 {
				q.Limit = 100
			}
			res, err := seeded(t).Run(&q)
			require.NoError(t, err)
			if tt.name == "scan" {
				assert.ElementsMatch(t, tt.want, ns(res.Items))
			} else {
				assert.Equal(t, tt.want, ns(res.Items))
			}
			assert.Equal(t, tt.scanned, res.Scanned)
			assert.Equal(t, tt.lastKey, res.LastKey)
		})
	}
}

func TestRunScanOrderIsStable(t *testing.T) {
	st := seeded(t)
	first := ns(st.Items("T", tableKey))
	for range 5 {
		assert.Equal(t, first, ns(st.Items("T", tableKey)))
	}
}

func TestRunInvalidFilter(t *testing.T) {
	_, err := seeded(t).Run(&Query{Table: "T", Key: tableKey, Index: tableKey, Limit: 10,
		Filter: map[string]any{"tag": map[string]any{"like": "a"}}})
	var fe *FilterError
	require.ErrorAs(t, err, &fe)
	assert.Contains(t, fe.Msg, `unknown operator "like"`)
}

func TestWrite(t *testing.T) {
	st := seeded(t)
	key := map[string]any{"owner": "alice", "n": json.Number("1")}

	_, _, err := st.Write("T", tableKey, key, func(old map[string]any) (map[string]any, error) {
		return nil, ErrConditionFailed
	})
	assert.ErrorIs(t, err, ErrConditionFailed)
	assert.NotNil(t, st.Get("T", tableKey, key), "a failed condition leaves the item")

	_, _, err = st.Write("T", tableKey, map[string]any{"owner": "alice"}, func(old map[string]any) (map[string]any, error) {
		return old, nil
	})
	assert.ErrorIs(t, err, ErrMissingKey, "no sort key")

	_, _, err = st.Write("T", tableKey, key, func(old map[string]any) (map[string]any, error) {
		old["n"] = json.Number("9")
		return old, nil
	})
	assert.ErrorIs(t, err, ErrMissingKey, "a write may not change the key")

	old, updated, err := st.Write("T", tableKey, key, func(old map[string]any) (map[string]any, error) {
		old["tag"] = "z"
		return old, nil
	})
	require.NoError(t, err)
	assert.Equal(t, "a", old["tag"])
	assert.Equal(t, "z", updated["tag"])
	got := st.Get("T", tableKey, key)
	assert.Equal(t, "z", got["tag"])
	got["tag"] = "changed by the caller"
	assert.Equal(t, "z", st.Get("T", tableKey, key)["tag"], "Get returns a copy")

	old, _, err = st.Write("T", tableKey, key, func(map[string]any) (map[string]any, error) { return nil, nil })
	require.NoError(t, err)
	assert.NotNil(t, old)
	assert.Nil(t, st.Get("T", tableKey, key), "deleted")

	st.Reset()
	assert.Empty(t, st.Items("T", tableKey))
}
