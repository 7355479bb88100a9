package appsynctest

import (
	"fmt"
	"strings"

	"github.com/go-amplify/data/appsynctest/internal/value"
)

// Items returns copies of the stored items of a model, in scan order, with
// every stored attribute (__typename, owner as "<sub>::<username>", ...).
// It returns an error naming the models when there is no such model.
func (s *Server) Items(model string) ([]map[string]any, error) {
	m, err := s.model(model)
	if err != nil {
		return nil, err
	}
	return s.store.Items(m.name, m.key.storeKey()), nil
}

// PutItem stores an item in a model's table as it is (replacing an item
// with the same key), without running resolvers, auth rules or defaults:
// to seed data, or to store what a resolver would not. Values are
// converted through encoding/json. It returns an error when the item
// lacks its key fields.
func (s *Server) PutItem(model string, item map[string]any) error {
	m, err := s.model(model)
	if err != nil {
		return err
	}
	v, err := value.Normalize(item)
	if err != nil {
		return fmt.Errorf("appsynctest: PutItem(%q): the item does not encode as JSON: %w", model, err)
	}
	it, _ := v.(map[string]any)
	if it == nil {
		return fmt.Errorf("appsynctest: PutItem(%q): the item is nil", model)
	}
	setCompositeKeys(m, it)
	if err := checkKeys(m, it); err != nil {
		return fmt.Errorf("appsynctest: PutItem(%q): %s: set the key fields %s", model, err.(*ResolverError).Message, strings.Join(append([]string{m.key.pk}, m.key.sk...), ", "))
	}
	_, _, err = s.writeItem(m, it, func(map[string]any) (map[string]any, error) { return it, nil })
	return err
}

// Reset deletes every stored item.
func (s *Server) Reset() {
	s.store.Reset()
}

// model returns the named model.
func (s *Server) model(name string) (*model, error) {
	m := s.models[name]
	if m == nil {
		return nil, fmt.Errorf("appsynctest: no model %q: the backend's models are %s", name, strings.Join(s.modelNames(), ", "))
	}
	return m, nil
}
