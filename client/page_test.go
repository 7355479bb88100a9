package client_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
)

// TestPagesNamed: every page is yielded as it is read, empty ones
// included, until the one whose NextToken is nil (or empty); a repeated
// token ends the walk with a *client.PaginationError naming the operation.
func TestPagesNamed(t *testing.T) {
	one, two := "1", "2"
	served := map[string]*client.Page[int]{
		"":  {Items: []*int{new(int)}, NextToken: &one},
		"1": {NextToken: &two}, // a scanned page the filter emptied
		"2": {Items: []*int{new(int), new(int)}},
	}
	var sizes []int
	for p, err := range client.PagesNamed("ListTodos", nil, func(token *string) (*client.Page[int], error) {
		if token == nil {
			return served[""], nil
		}
		return served[*token], nil
	}) {
		require.NoError(t, err)
		sizes = append(sizes, len(p.Items))
	}
	assert.Equal(t, []int{1, 0, 2}, sizes)

	empty := ""
	n := 0
	for range client.PagesNamed("ListTodos", nil, func(*string) (*client.Page[int], error) {
		n++
		return &client.Page[int]{NextToken: &empty}, nil
	}) {
	}
	assert.Equal(t, 1, n, "an empty token ends the walk as nil does")

	var last error
	pages := 0
	for p, err := range client.PagesNamed("ListTodos", nil, func(*string) (*client.Page[int], error) {
		return &client.Page[int]{NextToken: &one}, nil
	}) {
		if err != nil {
			last = err
			assert.Nil(t, p)
			continue
		}
		pages++
	}
	var pe *client.PaginationError
	require.ErrorAs(t, last, &pe)
	assert.Equal(t, "ListTodos", pe.Operation)
	assert.True(t, errors.Is(last, client.ErrNextTokenCycle))
	assert.Equal(t, 2, pages)

	pages = 0
	for range client.PagesNamed("ListTodos", nil, func(*string) (*client.Page[int], error) {
		return &client.Page[int]{NextToken: &one}, nil
	}) {
		pages++
		break
	}
	assert.Equal(t, 1, pages, "break stops the walk")
}
