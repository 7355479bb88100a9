package realtime

import (
	"context"
	"encoding/json"
	"iter"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
)

func object(t *testing.T, src string) map[string]any {
	t.Helper()
	if src == "null" {
		return nil
	}
	m, err := jsonObjectOf(json.RawMessage(src))
	require.NoError(t, err)
	return m
}

// TestSplitFilter: the part of a list filter that subscription filters
// can express, and the rest, whose conjunction is the list filter.
func TestSplitFilter(t *testing.T) {
	for _, tc := range []struct{ name, list, sub, rest string }{
		{"every shared operator", `{"title":{"eq":"a","ne":"b","le":"c","lt":"d","ge":"e","gt":"f","contains":"g","notContains":"h","between":["i","j"],"beginsWith":"k"}}`,
			`{"title":{"eq":"a","ne":"b","le":"c","lt":"d","ge":"e","gt":"f","contains":"g","notContains":"h","between":["i","j"],"beginsWith":"k"}}`, `null`},
		{"list-only operators", `{"title":{"eq":"a","attributeExists":true,"attributeType":"string","size":{"gt":1}},"views":{"size":{"gt":1}}}`,
			`{"title":{"eq":"a"}}`, `{"title":{"attributeExists":true,"attributeType":"string","size":{"gt":1}},"views":{"size":{"gt":1}}}`},
		{"not", `{"blogId":{"eq":"b"},"not":{"title":{"eq":"x"}}}`, `{"blogId":{"eq":"b"}}`, `{"not":{"title":{"eq":"x"}}}`},
		{"and, element by element", `{"and":[{"blogId":{"eq":"b"}},{"title":{"eq":"t","size":{"gt":1}}}]}`,
			`{"and":[{"blogId":{"eq":"b"}},{"title":{"eq":"t"}}]}`, `{"and":[{"title":{"size":{"gt":1}}}]}`},
		{"an or with a branch subscriptions lack", `{"or":[{"blogId":{"eq":"b"}},{"title":{"attributeExists":true}}],"views":{"gt":1}}`,
			`{"views":{"gt":1}}`, `{"or":[{"blogId":{"eq":"b"}},{"title":{"attributeExists":true}}]}`},
		{"an or of expressible branches", `{"or":[{"blogId":{"eq":"b"}},{"views":{"gt":1}}]}`, `{"or":[{"blogId":{"eq":"b"}},{"views":{"gt":1}}]}`, `null`},
		{"nothing for the subscriptions", `{"title":{"size":{"gt":1}}}`, `null`, `{"title":{"size":{"gt":1}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub, rest := splitFilter(object(t, tc.list))
			assert.Equal(t, object(t, tc.sub), sub)
			assert.Equal(t, object(t, tc.rest), rest)
		})
	}
}

// TestFilterMatches: Amplify's list-filter semantics on an item.
func TestFilterMatches(t *testing.T) {
	item := object(t, `{"title":"Typed clients","views":12,"rating":4.5,"done":true,"tags":["go","amplify"],"blogId":null,
		"createdAt":"2026-05-01T10:00:00.25Z"}`)
	for _, tc := range []struct {
		filter string
		want   bool
	}{
		{`{}`, true},
		{`{"title":{"eq":"Typed clients"}}`, true},
		{`{"title":{"ne":"Typed clients"}}`, false},
		{`{"blogId":{"eq":"b"}}`, false},
		{`{"blogId":{"ne":"b"}}`, true}, // a missing field is not equal to anything
		{`{"views":{"gt":10,"le":12}}`, true},
		{`{"views":{"between":[13,20]}}`, false},
		{`{"rating":{"ge":4.5}}`, true},
		{`{"title":{"beginsWith":"Typed"}}`, true},
		{`{"title":{"contains":"client"}}`, true},
		{`{"tags":{"contains":"go"}}`, true},
		{`{"tags":{"notContains":"go"}}`, false},
		{`{"blogId":{"notContains":"x"}}`, true},
		{`{"title":{"size":{"le":5}}}`, false},
		{`{"tags":{"size":{"eq":2}}}`, true},
		{`{"blogId":{"attributeExists":false}}`, true},
		{`{"title":{"attributeType":"string"},"views":{"attributeType":"number"},"tags":{"attributeType":"list"}}`, true},
		{`{"done":{"eq":true}}`, true},
		{`{"views":{"eq":"12"}}`, false}, // another type
		{`{"and":[{"views":{"gt":1}},{"title":{"eq":"x"}}]}`, false},
		{`{"or":[{"views":{"gt":100}},{"title":{"eq":"Typed clients"}}]}`, true},
		{`{"not":{"title":{"eq":"Typed clients"}}}`, false},
		// AWSDateTime values compare as instants: the runtime writes
		// 10:00:00.25Z, AppSync may have stored 10:00:00.250Z.
		{`{"createdAt":{"eq":"2026-05-01T10:00:00.250Z"}}`, true},
		{`{"createdAt":{"gt":"2026-05-01T10:00:00.200Z","lt":"2026-05-01T12:00:01+02:00"}}`, true},
	} {
		got, err := filterMatches(item, object(t, tc.filter))
		require.NoError(t, err, tc.filter)
		assert.Equal(t, tc.want, got, tc.filter)
	}
	_, err := filterMatches(item, object(t, `{"title":{"nope":1}}`))
	assert.Error(t, err)
}

type observed struct {
	ID    string `json:"ID"`
	Blog  string `json:"blogId"`
	Title string `json:"title"`
}

type observedFilter struct {
	BlogID *struct {
		Eq *string `json:"eq,omitempty"`
	} `json:"blogId,omitempty"`
	Title *struct {
		Size *struct {
			Le *int `json:"le,omitempty"`
		} `json:"size,omitempty"`
	} `json:"title,omitempty"`
}

type observedSubFilter struct {
	BlogID *struct {
		Eq *string `json:"eq,omitempty"`
	} `json:"blogId,omitempty"`
	Title *struct {
		Eq *string `json:"eq,omitempty"`
	} `json:"title,omitempty"`
}

// TestObserveFilter: the list filter becomes the subscriptions' type (what
// they can express of it) and a match on items for the rest, with the
// fragment's aliases mapped to the fields' names.
func TestObserveFilter(t *testing.T) {
	var f observedFilter
	require.NoError(t, json.Unmarshal([]byte(`{"blogId":{"eq":"b1"},"title":{"size":{"le":2}}}`), &f))
	sub, match, err := ObserveFilter[observedSubFilter, observed](&f, map[string]string{"ID": "id"})
	require.NoError(t, err)
	require.NotNil(t, sub)
	require.NotNil(t, sub.BlogID)
	assert.Equal(t, "b1", *sub.BlogID.Eq)
	assert.Nil(t, sub.Title)
	// match applies what the subscriptions do not: the size.
	assert.True(t, match(&observed{ID: "1", Blog: "b1", Title: "ok"}))
	assert.False(t, match(&observed{ID: "2", Blog: "b1", Title: "too long"}))

	sub, match, err = ObserveFilter[observedSubFilter, observed]((*observedFilter)(nil), nil)
	require.NoError(t, err)
	assert.Nil(t, sub)
	assert.Nil(t, match, "no filter: every item")

	var byBlog observedFilter
	require.NoError(t, json.Unmarshal([]byte(`{"blogId":{"eq":"b1"}}`), &byBlog))
	sub, match, err = ObserveFilter[observedSubFilter, observed](&byBlog, nil)
	require.NoError(t, err)
	require.NotNil(t, sub)
	assert.Nil(t, match, "AppSync applies the whole filter")
}

// seq yields the values, then blocks until ctx ends.
func seq(ctx context.Context, values ...*observed) iter.Seq2[*observed, error] {
	return func(yield func(*observed, error) bool) {
		for _, v := range values {
			if !yield(v, nil) {
				return
			}
		}
		<-ctx.Done()
	}
}

// TestObserveSnapshots: a snapshot per page, synced on the last; events
// applied by key through match: an event outside the filter is ignored,
// an update that leaves it removes the item.
func TestObserveSnapshots(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tok := "2"
	pages := []*client.Page[observed]{
		{Items: []*observed{{ID: "1", Blog: "b"}}, NextToken: &tok},
		{Items: []*observed{{ID: "2", Blog: "b"}}},
	}
	updates := make(chan *observed)
	snaps := Observe(ctx, func(o *observed) string { return o.ID }, func(o *observed) bool { return o.Blog == "b" },
		func(ctx context.Context) iter.Seq2[*client.Page[observed], error] {
			return func(yield func(*client.Page[observed], error) bool) {
				for _, p := range pages {
					if !yield(p, nil) {
						return
					}
				}
			}
		},
		func(ctx context.Context) (c, u, d iter.Seq2[*observed, error], err error) {
			return seq(ctx), func(yield func(*observed, error) bool) {
				for {
					select {
					case v := <-updates:
						if !yield(v, nil) {
							return
						}
					case <-ctx.Done():
						return
					}
				}
			}, seq(ctx), nil
		})
	pull, stop := iter.Pull2(snaps)
	defer stop()
	ids := func(s Snapshot[observed]) []string {
		var out []string
		for _, it := range s.Items {
			out = append(out, it.ID)
		}
		return out
	}
	s, err, ok := pull()
	require.True(t, ok)
	require.NoError(t, err)
	assert.Equal(t, []string{"1"}, ids(s))
	assert.False(t, s.IsSynced, "more pages to read")
	s, _, _ = pull()
	assert.Equal(t, []string{"1", "2"}, ids(s))
	assert.True(t, s.IsSynced)

	// Observe reads events only while pulled: send them from elsewhere.
	go func() {
		for _, u := range []*observed{
			{ID: "9", Blog: "other"}, // outside the filter: nothing changes
			{ID: "2", Blog: "other"}, // moved out of the filter
			{ID: "5", Blog: "b"},     // moved into it
		} {
			select {
			case updates <- u:
			case <-ctx.Done():
				return
			}
		}
	}()
	s, _, _ = pull()
	assert.Equal(t, []string{"1"}, ids(s))
	s, _, _ = pull()
	assert.Equal(t, []string{"1", "5"}, ids(s))
}
