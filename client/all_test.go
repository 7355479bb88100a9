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
			p.NextToken = strconv.Itoa(i + 1)
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
			return &client.Page[int]{Items: []*int{&one}, NextToken: "next"}, nil
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
			return &client.Page[int]{NextToken: "same"}, nil
		}) {
			last = err
		}
		require.Error(t, last)
		assert.Contains(t, last.Error(), "same nextToken")
		assert.Equal(t, 2, n)
	})
}
