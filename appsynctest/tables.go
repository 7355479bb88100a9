package appsynctest

import "github.com/go-amplify/data/appsynctest/internal/store"

// The models' items live in internal/store, one table per model named
// after it; these functions give the store a model's key schema.

// storeKey is the key schema of an index (or the table's key) in the
// store: a composite sort key is its "a#b" attribute.
func (ix *index) storeKey() store.Key { return store.Key{PK: ix.pk, SK: ix.skAttr()} }

// newQuery starts a query on a model's table (ix is m.key) or one of its
// indexes, reading the default limit.
func newQuery(m *model, ix *index) *store.Query {
	return &store.Query{Table: m.name, Key: m.key.storeKey(), Index: ix.storeKey(), Limit: defaultLimit}
}

// getItem returns a copy of the item of a model with the key (an item
// holding the key's fields), or nil.
func (s *Server) getItem(m *model, key map[string]any) map[string]any {
	return s.store.Get(m.name, m.key.storeKey(), key)
}

// writeItem is store.Write on a model's table.
func (s *Server) writeItem(m *model, key map[string]any, fn func(old map[string]any) (map[string]any, error)) (old, updated map[string]any, err error) {
	return s.store.Write(m.name, m.key.storeKey(), key, fn)
}
