package client_test

import (
	"errors"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
)

// pages serves pages of ints: pages[i] is read with token "i" (nil: 0), and
// every page but the last points at the next.
func pages(t *testing.T, items [][]int, reads *[]string) func(*string) (*client.Page[int], error) {
	return func(token *string) (*client.Page[int], error) {
		i := 0
		if token != nil {
			var err error
			i, err = strconv.Atoi(*token)
			require.NoError(t, err)
		}
		*reads = append(*reads, strconv.Itoa(i))
		p := &client.Page[int]{}
		for _, v := range items[i] {
			p.Items = append(p.Items, &v)
		}
		if i+1 < len(items) {
			p.NextToken = client.Ptr(strconv.Itoa(i + 1))
		}
		return p, nil
	}
}

func TestAll(t *testing.T) {
	t.Run("walks every page, empty ones with a token included", func(t *testing.T) {
		var reads []string
		var got []int
		for v, err := range client.All(nil, pages(t, [][]int{{1, 2}, {}, {}, {3}, {4, 5}}, &reads)) {
			require.NoError(t, err)
			got = append(got, *v)
		}
		assert.Equal(t, []int{1, 2, 3, 4, 5}, got)
		assert.Equal(t, []string{"0", "1", "2", "3", "4"}, reads)
	})
	t.Run("starts at the given token", func(t *testing.T) {
		var reads []string
		var got []int
		start := "3"
		for v, err := range client.All(&start, pages(t, [][]int{{1}, {2}, {3}, {4}}, &reads)) {
			require.NoError(t, err)
			got = append(got, *v)
		}
		assert.Equal(t, []int{4}, got)
	})
	t.Run("a break stops reading pages", func(t *testing.T) {
		var reads []string
		for v, err := range client.All(nil, pages(t, [][]int{{1, 2}, {3, 4}, {5}}, &reads)) {
			require.NoError(t, err)
			if *v == 3 {
				break
			}
		}
		assert.Equal(t, []string{"0", "1"}, reads)
	})
	t.Run("an error ends the walk as its last element", func(t *testing.T) {
		boom := errors.New("boom")
		calls := 0
		var got []error
		for v, err := range client.All(nil, func(*string) (*client.Page[int], error) {
			calls++
			if calls == 2 {
				return nil, boom
			}
			one := 1
			return &client.Page[int]{Items: []*int{&one}, NextToken: client.Ptr("next")}, nil
		}) {
			if err != nil {
				assert.Nil(t, v)
			}
			got = append(got, err)
		}
		assert.Equal(t, []error{nil, boom}, got)
	})
	t.Run("a repeated token is an error, not a loop", func(t *testing.T) {
		n := 0
		var last error
		for _, err := range client.All(nil, func(*string) (*client.Page[int], error) {
			n++
			return &client.Page[int]{NextToken: client.Ptr("same")}, nil
		}) {
			last = err
		}
		require.ErrorIs(t, last, client.ErrNextTokenCycle)
		assert.Equal(t, 2, n)
	})
}

// cycle serves pages whose nextTokens follow next (token → its successor);
// the first page (nil token) points at first.
func cycle(first string, next map[string]string, reads *[]string) func(*string) (*client.Page[string], error) {
	return func(token *string) (*client.Page[string], error) {
		t := ""
		if token != nil {
			t = *token
		}
		*reads = append(*reads, t)
		if len(*reads) > 10000 {
			return nil, errors.New("the walk does not stop")
		}
		item := "item of " + t
		tok := next[t]
		if token == nil {
			tok = first
		}
		p := &client.Page[string]{Items: []*string{&item}, NextToken: &tok}
		return p, nil
	}
}

func TestAllDetectsNextTokenCycles(t *testing.T) {
	walk := func(t *testing.T, all func(func(*string) (*client.Page[string], error)) func(func(*string, error) bool), page func(*string) (*client.Page[string], error)) (items int, last error) {
		t.Helper()
		for v, err := range all(page) {
			if err != nil {
				assert.Nil(t, v)
				last = err
				continue
			}
			items++
		}
		return items, last
	}
	plain := func(page func(*string) (*client.Page[string], error)) func(func(*string, error) bool) {
		return client.All(nil, page)
	}
	t.Run("A→B→A", func(t *testing.T) {
		var reads []string
		items, err := walk(t, plain, cycle("A", map[string]string{"A": "B", "B": "A"}, &reads))
		require.ErrorIs(t, err, client.ErrNextTokenCycle)
		assert.Equal(t, []string{"", "A", "B"}, reads, "page A is not read again")
		assert.Equal(t, 3, items)
		var perr *client.PaginationError
		require.ErrorAs(t, err, &perr)
		assert.Equal(t, 3, perr.Pages)
	})
	t.Run("A→B→C→A", func(t *testing.T) {
		var reads []string
		_, err := walk(t, plain, cycle("A", map[string]string{"A": "B", "B": "C", "C": "A"}, &reads))
		require.ErrorIs(t, err, client.ErrNextTokenCycle)
		assert.Equal(t, []string{"", "A", "B", "C"}, reads)
	})
	t.Run("back to the starting token", func(t *testing.T) {
		var reads []string
		start := "A"
		_, err := walk(t, func(page func(*string) (*client.Page[string], error)) func(func(*string, error) bool) {
			return client.All(&start, page)
		}, cycle("", map[string]string{"A": "B", "B": "A"}, &reads))
		require.ErrorIs(t, err, client.ErrNextTokenCycle)
		assert.Equal(t, []string{"A", "B"}, reads)
	})
	t.Run("a cycle of 1000 pages is found within a few rounds", func(t *testing.T) {
		next := map[string]string{}
		for i := range 1000 {
			next["t"+strconv.Itoa(i)] = "t" + strconv.Itoa((i+1)%1000)
		}
		var reads []string
		_, err := walk(t, plain, cycle("t0", next, &reads))
		require.ErrorIs(t, err, client.ErrNextTokenCycle)
		assert.Less(t, len(reads), 4*1000)
	})
	t.Run("a long walk without a cycle is not stopped", func(t *testing.T) {
		next := map[string]string{}
		for i := range 5000 {
			next["t"+strconv.Itoa(i)] = "t" + strconv.Itoa(i+1)
		}
		delete(next, "t4999")
		var reads []string
		items, err := walk(t, plain, cycle("t0", next, &reads))
		require.NoError(t, err)
		assert.Equal(t, 5001, items)
	})
	t.Run("the operation is named when known", func(t *testing.T) {
		var reads []string
		_, err := walk(t, func(page func(*string) (*client.Page[string], error)) func(func(*string, error) bool) {
			return client.AllNamed("ListTodos", nil, page)
		}, cycle("A", map[string]string{"A": "B", "B": "A"}, &reads))
		var perr *client.PaginationError
		require.ErrorAs(t, err, &perr)
		assert.Equal(t, "ListTodos", perr.Operation)
		assert.Contains(t, err.Error(), "ListTodos")
		assert.Contains(t, err.Error(), "nextToken")
	})
}
