package realtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math/big"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-amplify/data/client"
)

// Snapshot is one state of an observed query: every item, in the order the
// list returned them, new items last. IsSynced is true once the list has
// been read to its last page (with the events that arrived meanwhile
// applied); a snapshot yielded with an error may be partial (false).
type Snapshot[T any] struct {
	Items    []*T
	IsSynced bool
}

// Observe is observeQuery of the JavaScript client: it subscribes to the
// model's creations, updates and deletions first (subscribe), then reads
// the list page by page (pages), yielding a snapshot per page (IsSynced
// false but on the last page, when no event is waiting), then one per
// event that changes the items, applied by key (key). Events that arrive
// while the list is read are applied after its last page, in one synced
// snapshot.
//
// match, if not nil, is what the subscriptions do not apply of the list's
// filter (ObserveFilter splits it): an event's item enters (or, for an
// update, stays in) the snapshot only when match reports true, and an
// update that no longer matches removes the item; a deletion removes the
// item whatever it holds.
//
// A gap (errors.Is(err, ErrGap)) is yielded as such and followed by a
// fresh list, so the snapshots stay right; any other error ends it.
func Observe[T any](ctx context.Context, key func(*T) string, match func(*T) bool,
	pages func(ctx context.Context) iter.Seq2[*client.Page[T], error],
	subscribe func(ctx context.Context) (created, updated, deleted iter.Seq2[*T, error], err error),
) iter.Seq2[Snapshot[T], error] {
	return func(yield func(Snapshot[T], error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		created, updated, deleted, err := subscribe(ctx)
		if err != nil {
			yield(Snapshot[T]{}, err)
			return
		}
		type event struct {
			kind int // 0 create, 1 update, 2 delete
			item *T
			err  error
		}
		const create, update, remove = 0, 1, 2
		events := make(chan event)
		var wg sync.WaitGroup
		for kind, seq := range []iter.Seq2[*T, error]{created, updated, deleted} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for it, err := range seq {
					select {
					case events <- event{kind: kind, item: it, err: err}:
					case <-ctx.Done():
						return
					}
				}
			}()
		}
		defer func() {
			cancel()
			wg.Wait()
		}()

		var items []*T
		index := map[string]int{}
		drop := func(k string) {
			i := index[k]
			items = append(items[:i], items[i+1:]...)
			delete(index, k)
			for j := i; j < len(items); j++ {
				index[key(items[j])] = j
			}
		}
		put := func(it *T) {
			k := key(it)
			if i, ok := index[k]; ok {
				items[i] = it
				return
			}
			index[k] = len(items)
			items = append(items, it)
		}
		// apply applies an event and reports whether the items changed.
		apply := func(ev event) bool {
			if ev.item == nil {
				return false
			}
			_, present := index[key(ev.item)]
			switch {
			case ev.kind == remove:
				if present {
					drop(key(ev.item))
				}
				return present
			case match != nil && !match(ev.item):
				// Outside the filter: an update may have moved it out.
				if present && ev.kind == update {
					drop(key(ev.item))
					return true
				}
				return false
			}
			put(ev.item)
			return true
		}
		snapshot := func(synced bool) Snapshot[T] {
			return Snapshot[T]{Items: append([]*T(nil), items...), IsSynced: synced}
		}
		// load reads the list, a snapshot per page, and applies the events
		// that arrive meanwhile once it is complete.
		load := func() bool {
			items, index = nil, map[string]int{}
			var pending []event
			drain := func() {
				for {
					select {
					case ev := <-events:
						pending = append(pending, ev)
					default:
						return
					}
				}
			}
			synced := false
			for p, err := range pages(ctx) {
				drain()
				if err != nil {
					yield(snapshot(false), err)
					return false
				}
				for _, it := range p.Items {
					if it != nil {
						put(it)
					}
				}
				last := p.NextToken == nil || *p.NextToken == ""
				synced = last && len(pending) == 0
				if !yield(snapshot(synced), nil) {
					return false
				}
			}
			drain()
			for _, ev := range pending {
				if ev.err != nil && !errors.Is(ev.err, ErrGap) {
					yield(snapshot(false), ev.err)
					return false
				}
				// A gap while the list is read: the list holds what it missed.
				if apply(ev) {
					synced = false
				}
			}
			if !synced {
				return yield(snapshot(true), nil)
			}
			return true
		}
		if !load() {
			return
		}
		for {
			select {
			case <-ctx.Done():
				yield(snapshot(true), ctx.Err())
				return
			case ev := <-events:
				if ev.err != nil {
					if !errors.Is(ev.err, ErrGap) {
						yield(snapshot(true), ev.err)
						return
					}
					if !yield(snapshot(true), ev.err) || !load() {
						return
					}
					continue
				}
				if apply(ev) && !yield(snapshot(true), nil) {
					return
				}
			}
		}
	}
}

// ObserveFilter splits the filter of a list query (a Model<M>FilterInput,
// nil for none) into what Observe needs of it: the subscription filter S
// (ModelSubscription<M>FilterInput), which AppSync applies to the events as
// the list query applies the list filter to the stored items, and match,
// which applies the rest to an item of type T (a model's fragment).
//
// The list filter is a conjunction of its members (and of the elements of
// its and): each goes to the subscriptions when AppSync's subscription
// filters can express it, and to match otherwise, so that both together
// are the list filter. Subscriptions cannot express the operators
// attributeExists, attributeType and size (the other operators of the
// field go to the subscriptions), not, and an or with a branch they cannot
// express. sub is nil when nothing goes to the subscriptions, match nil
// when nothing is left for it. aliases maps the JSON names of T's fields
// that differ from their GraphQL names (the fragment's aliases: "ID" for
// id) to those names.
func ObserveFilter[S, T any](listFilter any, aliases map[string]string) (sub *S, match func(*T) bool, err error) {
	filter, err := jsonObjectOf(listFilter)
	if err != nil || filter == nil {
		return nil, nil, err
	}
	conv, rest := splitFilter(filter)
	if conv != nil {
		b, err := json.Marshal(conv)
		if err != nil {
			return nil, nil, err
		}
		sub = new(S)
		if err := json.Unmarshal(b, sub); err != nil {
			return nil, nil, fmt.Errorf("realtime: the list filter as a subscription filter: %w", err)
		}
	}
	if rest == nil {
		return sub, nil, nil
	}
	match = func(it *T) bool {
		item, err := jsonObjectOf(it)
		if err != nil || item == nil {
			return false
		}
		for from, to := range aliases {
			if v, ok := item[from]; ok {
				delete(item, from)
				item[to] = v
			}
		}
		ok, err := filterMatches(item, rest)
		return err == nil && ok
	}
	return sub, match, nil
}

// jsonObjectOf is v as a JSON object with json.Number numbers; nil for null.
func jsonObjectOf(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// subscriptionOperators are the operators of AppSync's subscription
// filters that Model<T>FilterInput shares with ModelSubscription<T>Input.
var subscriptionOperators = map[string]bool{
	"eq": true, "ne": true, "le": true, "lt": true, "ge": true, "gt": true, "contains": true,
	"notContains": true, "between": true, "beginsWith": true, "in": true, "notIn": true,
}

// splitFilter splits a list filter into the part that subscriptions can
// express (sub) and the rest, whose conjunction is the filter (see
// ObserveFilter); either is nil when empty.
func splitFilter(f map[string]any) (sub, rest map[string]any) {
	sub, rest = map[string]any{}, map[string]any{}
	for k, v := range f {
		switch k {
		case "not":
			rest[k] = v // subscriptions have no not
		case "and":
			list, _ := v.([]any)
			var subs, rests []any
			for _, x := range list {
				m, _ := x.(map[string]any)
				s, r := splitFilter(m)
				if s != nil {
					subs = append(subs, s)
				}
				if r != nil {
					rests = append(rests, r)
				}
			}
			if len(subs) > 0 {
				sub[k] = subs
			}
			if len(rests) > 0 {
				rest[k] = rests
			}
		case "or":
			// An or goes whole to one side: its branches are not a
			// conjunction.
			list, _ := v.([]any)
			var subs []any
			for _, x := range list {
				m, _ := x.(map[string]any)
				s, r := splitFilter(m)
				if s == nil || r != nil {
					subs = nil
					break
				}
				subs = append(subs, s)
			}
			if len(subs) > 0 {
				sub[k] = subs
			} else if len(list) > 0 {
				rest[k] = v
			}
		default:
			ops, _ := v.(map[string]any)
			kept, left := map[string]any{}, map[string]any{}
			for op, arg := range ops {
				switch {
				case arg == nil:
				case subscriptionOperators[op]:
					kept[op] = arg
				default:
					left[op] = arg
				}
			}
			if len(kept) > 0 {
				sub[k] = kept
			}
			if len(left) > 0 {
				rest[k] = left
			}
		}
	}
	if len(sub) == 0 {
		sub = nil
	}
	if len(rest) == 0 {
		rest = nil
	}
	return sub, rest
}

// The evaluation of a list filter (Model<M>FilterInput) on an item, with
// the semantics of Amplify's list resolvers, which turn it into a DynamoDB
// filter expression ($util.transform.toDynamoDBFilterExpression):
//
//   - the members of one object are ANDed; and and or take lists, not an
//     object;
//   - eq, ne, le, lt, ge, gt compare values of the same type (strings by
//     their bytes, numbers numerically, AWSDateTime values as instants); a
//     comparison with a missing (or null) field or one of another type is
//     false, but ne, which is then true;
//   - contains and notContains: a substring of a string, an element of a
//     list; notContains is not contains, so true for a missing field;
//   - beginsWith: a prefix of a string; between [a, b]: a <= x <= b;
//   - attributeExists (a null field is taken as missing), attributeType
//     (string, number, bool, list, map, _null) and size (string bytes,
//     list elements, map members).
//
// The item is the client's: its AWSDateTime fields as the runtime writes
// them, not necessarily as they are stored, which is why they compare as
// instants; its owner field as the resolver returns it (the username), not
// as stored.

// filterMatches evaluates filter on item.
func filterMatches(item, filter map[string]any) (bool, error) {
	for _, k := range filterKeys(filter) {
		cond := filter[k]
		if cond == nil {
			continue
		}
		var ok bool
		switch k {
		case "and", "or":
			list, isList := cond.([]any)
			if !isList {
				list = []any{cond}
			}
			ok = k == "and" || len(list) == 0
			for _, sub := range list {
				m, _ := sub.(map[string]any)
				if m == nil {
					continue
				}
				r, err := filterMatches(item, m)
				if err != nil {
					return false, err
				}
				if r != (k == "and") {
					ok = r
					break
				}
			}
		case "not":
			m, _ := cond.(map[string]any)
			if m == nil {
				continue
			}
			r, err := filterMatches(item, m)
			if err != nil {
				return false, err
			}
			ok = !r
		default:
			ops, isMap := cond.(map[string]any)
			if !isMap {
				return false, fmt.Errorf("the condition on %q is not an object of operators", k)
			}
			v := item[k]
			var err error
			if ok, err = fieldMatches(v, v != nil, ops); err != nil {
				return false, err
			}
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// fieldMatches evaluates the operators of one field on its value v.
func fieldMatches(v any, present bool, ops map[string]any) (bool, error) {
	for _, op := range filterKeys(ops) {
		arg := ops[op]
		if arg == nil {
			continue
		}
		var ok bool
		switch op {
		case "eq", "ne":
			c, comparable := filterCompare(v, arg)
			ok = present && comparable && c == 0
			if op == "ne" {
				ok = !ok
			}
		case "lt", "le", "gt", "ge":
			c, comparable := filterCompare(v, arg)
			if present && comparable {
				ok = op == "lt" && c < 0 || op == "le" && c <= 0 || op == "gt" && c > 0 || op == "ge" && c >= 0
			}
		case "between":
			list, _ := arg.([]any)
			if len(list) != 2 {
				return false, errors.New("between needs exactly two values")
			}
			lo, ok1 := filterCompare(v, list[0])
			hi, ok2 := filterCompare(v, list[1])
			ok = present && ok1 && ok2 && lo >= 0 && hi <= 0
		case "beginsWith":
			s, isStr := v.(string)
			p, _ := arg.(string)
			ok = present && isStr && strings.HasPrefix(s, p)
		case "contains", "notContains":
			ok = present && filterContains(v, arg)
			if op == "notContains" {
				ok = !ok
			}
		case "in", "notIn":
			list, _ := arg.([]any)
			for _, x := range list {
				if c, comparable := filterCompare(v, x); present && comparable && c == 0 {
					ok = true
					break
				}
			}
			if op == "notIn" {
				ok = !ok
			}
		case "attributeExists":
			b, _ := arg.(bool)
			ok = present == b
		case "attributeType":
			name, _ := arg.(string)
			ok = present && filterAttributeType(v) == name
		case "size":
			m, _ := arg.(map[string]any)
			n, sized := filterSize(v)
			if !present || !sized || m == nil {
				break
			}
			r, err := fieldMatches(json.Number(fmt.Sprint(n)), true, m)
			if err != nil {
				return false, err
			}
			ok = r
		default:
			return false, fmt.Errorf("unknown filter operator %q", op)
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// filterAttributeType is the ModelAttributeTypes name of a value's type.
func filterAttributeType(v any) string {
	switch v.(type) {
	case nil:
		return "_null"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "list"
	case map[string]any:
		return "map"
	}
	return ""
}

// filterSize is DynamoDB's size(): bytes of a string, elements of a list or map.
func filterSize(v any) (int, bool) {
	switch v := v.(type) {
	case string:
		return len(v), true
	case []any:
		return len(v), true
	case map[string]any:
		return len(v), true
	}
	return 0, false
}

// filterContains is DynamoDB's contains(): a substring of a string, or an
// element of a list.
func filterContains(v, arg any) bool {
	switch v := v.(type) {
	case string:
		s, ok := arg.(string)
		return ok && strings.Contains(v, s)
	case []any:
		for _, x := range v {
			if c, ok := filterCompare(x, arg); ok && c == 0 {
				return true
			}
		}
	}
	return false
}

// filterCompare compares two values of the same type: strings by their
// bytes (or as instants when both are AWSDateTime values), numbers
// numerically, booleans, lists and maps for equality only. comparable is
// false for values of different types.
func filterCompare(a, b any) (c int, comparable bool) {
	switch a := a.(type) {
	case string:
		bs, ok := b.(string)
		if !ok {
			return 0, false
		}
		if ta, tb, ok := filterDateTimes(a, bs); ok {
			return ta.Compare(tb), true
		}
		return strings.Compare(a, bs), true
	case json.Number:
		bn, ok := b.(json.Number)
		if !ok {
			return 0, false
		}
		x, ok1 := new(big.Float).SetString(a.String())
		y, ok2 := new(big.Float).SetString(bn.String())
		if !ok1 || !ok2 {
			return 0, false
		}
		return x.Cmp(y), true
	case bool:
		bb, ok := b.(bool)
		if !ok {
			return 0, false
		}
		if a == bb {
			return 0, true
		}
		return 1, true
	case []any, map[string]any:
		ab, _ := json.Marshal(a)
		bb, _ := json.Marshal(b)
		if bytes.Equal(ab, bb) {
			return 0, true
		}
		return 1, true
	}
	return 0, false
}

// filterDateTimes parses a and b as AWSDateTime values (a date, "T", a time and
// a zone), the form in which a client's time can differ from the stored
// string of the same instant (fraction digits, zone).
func filterDateTimes(a, b string) (time.Time, time.Time, bool) {
	if len(a) < 20 || len(b) < 20 || a[10] != 'T' || b[10] != 'T' {
		return time.Time{}, time.Time{}, false
	}
	ta, err1 := client.ParseAWSDateTime(a)
	tb, err2 := client.ParseAWSDateTime(b)
	return ta, tb, err1 == nil && err2 == nil
}

// filterKeys returns the keys of m in a stable order.
func filterKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
