package appsynctest

// This file delivers mutations to subscriptions, as AppSync does: a
// subscription field with @aws_subscribe(mutations: [...]) receives the
// response of each of those mutations, that is the mutation's own
// selection set as the mutation's caller received it (fields the mutation
// did not select are null for subscribers, and a filter on them does not
// match). Each subscription's events pass its filter (enhanced filter:
// the filter argument and the owner or group filter of Amplify's
// resolvers) or match its arguments, then its selection set is executed
// on the response, for the subscriber, and sent as a data message.

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/go-amplify/data/appsynctest/internal/realtime"
	"github.com/go-amplify/data/appsynctest/internal/store"
	"github.com/go-amplify/data/appsynctest/internal/value"
	"github.com/vektah/gqlparser/v2/ast"
)

// subField is a field of the Subscription type.
type subField struct {
	name string
	def  *ast.FieldDefinition
	// mutations are the mutation fields it receives.
	mutations []string
	// model is set for a model's subscription (onCreate<Model>, ...: the
	// model's type, published by the model's own mutations), whose
	// subscribers the model's rules authorize.
	model *model
}

// init reads the Subscription type's fields and their @aws_subscribe.
func (rt *rtEndpoint) init(s *Server) {
	rt.srv = s
	rt.subFields = map[string]*subField{}
	rt.triggers = map[string][]*subField{}
	rt.graphqlPath = "/graphql"
	if u := strings.TrimPrefix(s.url, "http://"); strings.Contains(u, "/") {
		rt.graphqlPath = u[strings.Index(u, "/"):]
	}
	root := s.schema.Subscription
	if root == nil {
		return
	}
	for _, f := range root.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		sf := &subField{name: f.Name, def: f}
		rt.subFields[f.Name] = sf
		d := f.Directives.ForName("aws_subscribe")
		if d == nil {
			continue
		}
		if a := d.Arguments.ForName("mutations"); a != nil && a.Value != nil {
			for _, c := range a.Value.Children {
				if c.Value != nil && c.Value.Kind == ast.StringValue {
					sf.mutations = append(sf.mutations, c.Value.Raw)
				}
			}
		}
		if m := s.models[f.Type.Name()]; m != nil && len(sf.mutations) > 0 {
			own := []string{"create" + m.name, "update" + m.name, "delete" + m.name}
			sf.model = m
			for _, mu := range sf.mutations {
				if !slices.Contains(own, mu) || !s.isModelField("Mutation", mu) {
					sf.model = nil
				}
			}
		}
		for _, mu := range sf.mutations {
			rt.triggers[mu] = append(rt.triggers[mu], sf)
		}
	}
}

// publishMutation sends the response of a mutation's fields to the
// subscriptions of the fields that receive them. data is the response's
// data (nil when a non-null field failed).
func (s *Server) publishMutation(ex *executor, data any) {
	rt := s.realtime()
	if rt.active.Load() == 0 || s.schema.Mutation == nil {
		return
	}
	root, ok := data.(*value.Object)
	if !ok || root == nil {
		return
	}
	for _, g := range ex.collectFields(s.schema.Mutation, ex.op.SelectionSet, map[string]bool{}, nil) {
		name := g.fields[0].Name
		targets := rt.triggers[name]
		response, _ := root.Get(g.key)
		if len(targets) == 0 || response == nil {
			continue
		}
		def := s.schema.Mutation.Fields.ForName(name)
		if def == nil {
			continue
		}
		source := s.responseSource(ex, def.Type, g.fields, response)
		for _, sf := range targets {
			rt.publish(sf, source)
		}
	}
}

// responseSource converts a completed response value (an *value.Object keyed by
// response keys, aliases included) into the value a subscription's
// execution reads: maps keyed by field names, with __typename.
func (s *Server) responseSource(ex *executor, t *ast.Type, fields []*ast.Field, v any) any {
	switch v := v.(type) {
	case *value.Object:
		if v == nil {
			return nil
		}
		def := s.schema.Types[t.Name()]
		if def == nil {
			return nil
		}
		objType := def
		if def.Kind != ast.Object {
			objType = s.responseType(ex, def, fields, v)
		}
		var sels ast.SelectionSet
		for _, f := range fields {
			sels = append(sels, f.SelectionSet...)
		}
		out := map[string]any{"__typename": objType.Name}
		for _, g := range ex.collectFields(objType, sels, map[string]bool{}, nil) {
			name := g.fields[0].Name
			val, present := v.Get(g.key)
			if !present || name == "__typename" {
				continue
			}
			fd := objType.Fields.ForName(name)
			if fd == nil {
				continue
			}
			out[name] = mergeSource(out[name], s.responseSource(ex, fd.Type, g.fields, val))
		}
		return out
	case []any:
		elem := t
		if t.Elem != nil {
			elem = t.Elem
		}
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = s.responseSource(ex, elem, fields, x)
		}
		return out
	}
	return v
}

// responseType finds the object type of a response value of an abstract
// type: the __typename the mutation selected, else the first possible type
// whose fields hold every key.
func (s *Server) responseType(ex *executor, abstract *ast.Definition, fields []*ast.Field, v *value.Object) *ast.Definition {
	possible := slices.Clone(s.schema.PossibleTypes[abstract.Name])
	sort.Slice(possible, func(i, j int) bool { return possible[i].Name < possible[j].Name })
	var sels ast.SelectionSet
	for _, f := range fields {
		sels = append(sels, f.SelectionSet...)
	}
	for _, t := range possible {
		for _, g := range ex.collectFields(t, sels, map[string]bool{}, nil) {
			if name, _ := v.Get(g.key); g.fields[0].Name == "__typename" && name == t.Name {
				return t
			}
		}
	}
	for _, t := range possible {
		if len(ex.collectFields(t, sels, map[string]bool{}, nil)) == v.Len() {
			return t
		}
	}
	if len(possible) > 0 {
		return possible[0]
	}
	return abstract
}

// mergeSource merges the values of a field selected under several
// aliases.
func mergeSource(a, b any) any {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	switch {
	case a == nil:
		return b
	case aok && bok:
		for k, v := range bm {
			am[k] = mergeSource(am[k], v)
		}
		return am
	}
	return a
}

// markMutation marks every object of a response as a mutation's result,
// as Amplify's mutation response templates mark the item: the
// relationship fields of models with auth rules read as null (or no
// items) in subscriptions, as Amplify redacts them.
func markMutation(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v)+1)
		for k, x := range v {
			out[k] = markMutation(x)
		}
		out[operationMarker] = "Mutation"
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = markMutation(x)
		}
		return out
	}
	return v
}

// publish delivers a mutation's response to the subscriptions of a field.
func (rt *rtEndpoint) publish(sf *subField, source any) {
	rt.mu.Lock()
	subs := make([]*rtSub, 0, len(rt.subs[sf.name]))
	for sub := range rt.subs[sf.name] {
		subs = append(subs, sub)
	}
	rt.mu.Unlock()
	if len(subs) == 0 {
		return
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].seq < subs[j].seq })
	event := source
	if sf.model != nil {
		event = markMutation(source)
	}
	for _, sub := range subs {
		sub.deliver(source, event)
	}
}

// deliver sends an event to the subscription if it passes the
// subscription's filter or matches its arguments. source is the mutation's
// response (what filters see), event what the selection set is executed
// on.
func (sub *rtSub) deliver(source, event any) {
	c := sub.conn
	s := c.srv
	defer func() {
		// A subscriber's failure must not fail the mutation.
		if p := recover(); p != nil {
			s.log.Error("appsynctest: realtime internal error delivering an event", "field", sub.fieldName, "panic", fmt.Sprint(p))
		}
	}()
	item, _ := source.(map[string]any)
	if sub.filter != nil {
		ok, err := store.Matches(item, sub.filter)
		if err != nil {
			s.log.Warn("appsynctest: realtime filter failed", "id", sub.id, "field", sub.fieldName, "err", err.Error())
			return
		}
		if !ok {
			return
		}
	}
	for k, want := range sub.argFilter {
		got, present := item[k]
		if cmp, comparable := store.CompareDynamo(got, want); !present || !comparable || cmp != 0 {
			return
		}
	}
	ex, done := s.newExecutor(sub.req, sub.doc, sub.op, sub.vars)
	obj, ok := ex.selectionSet(s.schema.Subscription, map[string]any{sub.fieldName: event}, nil, sub.op.SelectionSet, nil)
	done()
	var data any
	if ok {
		data = obj
	}
	resp := ex.response(data)
	payload, err := resp.marshal()
	if err != nil {
		s.log.Error("appsynctest: realtime event not serializable", "field", sub.fieldName, "err", err.Error())
		return
	}
	b := realtime.Message(sub.id, "data", rawJSON(payload))
	c.mu.Lock()
	defer c.mu.Unlock()
	if sub.stopped {
		return
	}
	c.enqueueLocked(outMsg{b: b, data: true})
}

// rawJSON is JSON written as it is.
type rawJSON []byte

func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }
