package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"
)

// This file evaluates Amplify's Model<M>FilterInput and
// Model<M>ConditionInput on stored items with DynamoDB's semantics, as
// $util.transform.toDynamoDBFilterExpression (list filters) and
// toDynamoDBConditionExpression (mutation conditions) turn them into
// DynamoDB expressions:
//
//   - the members of one object are ANDed; and/or take lists, not takes an
//     object;
//   - eq, ne, le, lt, ge, gt compare values of the same DynamoDB type
//     (strings by UTF-8 bytes, numbers numerically); a comparison with a
//     missing attribute or one of another type is false, except ne (<>),
//     which is then true;
//   - eq: null matches an attribute holding NULL (an explicit null stored
//     by a create), not a missing one;
//   - contains/notContains: substring of a string, element of a list;
//     notContains is NOT contains(...), so true for a missing attribute;
//   - beginsWith: prefix of a string; between [a, b]: a <= x <= b;
//   - attributeExists, attributeType (DynamoDB type names), size (string
//     length in bytes, number of list elements or map members).

// FilterError is an invalid filter, which DynamoDB rejects.
type FilterError struct{ Msg string }

func (e *FilterError) Error() string { return e.Msg }

// Matches evaluates a filter or condition object on an item (nil item: no
// item, every attribute missing).
func Matches(item map[string]any, filter map[string]any) (bool, error) {
	keys := sortedKeys(filter)
	for _, k := range keys {
		cond := filter[k]
		if cond == nil {
			continue
		}
		var ok bool
		var err error
		switch k {
		case "and", "or":
			list, isList := cond.([]any)
			if !isList {
				list = []any{cond}
			}
			ok = k == "and"
			for _, sub := range list {
				m, _ := sub.(map[string]any)
				if m == nil {
					continue
				}
				r, err := Matches(item, m)
				if err != nil {
					return false, err
				}
				if k == "and" && !r {
					ok = false
					break
				}
				if k == "or" && r {
					ok = true
					break
				}
			}
			if k == "or" && len(list) == 0 {
				ok = true
			}
		case "not":
			m, _ := cond.(map[string]any)
			if m == nil {
				continue
			}
			r, err := Matches(item, m)
			if err != nil {
				return false, err
			}
			ok = !r
		default:
			m, isMap := cond.(map[string]any)
			if !isMap {
				return false, &FilterError{fmt.Sprintf("Invalid filter: the condition on %q must be an object of operators", k)}
			}
			v, present := item[k]
			ok, err = fieldMatches(v, present, m)
		}
		if err != nil {
			return false, err
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// fieldMatches evaluates the operators of one field.
func fieldMatches(v any, present bool, ops map[string]any) (bool, error) {
	for _, op := range sortedKeys(ops) {
		arg := ops[op]
		var ok bool
		switch op {
		case "eq":
			if arg == nil {
				ok = present && v == nil
			} else {
				c, comparable := CompareDynamo(v, arg)
				ok = present && comparable && c == 0
			}
		case "ne":
			if arg == nil {
				ok = !present || v != nil
			} else {
				c, comparable := CompareDynamo(v, arg)
				ok = !present || !comparable || c != 0
			}
		case "lt", "le", "gt", "ge":
			if arg == nil {
				continue
			}
			c, comparable := CompareDynamo(v, arg)
			if present && comparable {
				switch op {
				case "lt":
					ok = c < 0
				case "le":
					ok = c <= 0
				case "gt":
					ok = c > 0
				case "ge":
					ok = c >= 0
				}
			}
		case "between":
			list, _ := arg.([]any)
			if arg == nil {
				continue
			}
			if len(list) != 2 {
				return false, &FilterError{"Invalid FilterExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; between needs exactly two values"}
			}
			lo, ok1 := CompareDynamo(v, list[0])
			hi, ok2 := CompareDynamo(v, list[1])
			ok = present && ok1 && ok2 && lo >= 0 && hi <= 0
		case "beginsWith":
			if arg == nil {
				continue
			}
			s, isStr := v.(string)
			p, _ := arg.(string)
			ok = present && isStr && strings.HasPrefix(s, p)
		case "contains", "notContains":
			if arg == nil {
				continue
			}
			ok = present && containsValue(v, arg)
			if op == "notContains" {
				ok = !ok
			}
		case "in", "notIn":
			list, _ := arg.([]any)
			if arg == nil {
				continue
			}
			for _, x := range list {
				if c, comparable := CompareDynamo(v, x); present && comparable && c == 0 {
					ok = true
					break
				}
			}
			if op == "notIn" {
				ok = !ok
			}
		case "attributeExists":
			b, _ := arg.(bool)
			if arg == nil {
				continue
			}
			ok = present == b
		case "attributeType":
			if arg == nil {
				continue
			}
			name, _ := arg.(string)
			ok = present && attributeType(v) == dynamoTypeNames[name]
		case "size":
			m, _ := arg.(map[string]any)
			if m == nil {
				continue
			}
			n, sized := sizeOf(v)
			if !present || !sized {
				ok = false
				break
			}
			r, err := fieldMatches(json.Number(fmt.Sprint(n)), true, m)
			if err != nil {
				return false, err
			}
			ok = r
		default:
			return false, &FilterError{fmt.Sprintf("Invalid filter: unknown operator %q", op)}
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// dynamoTypeNames maps ModelAttributeTypes values to DynamoDB types.
var dynamoTypeNames = map[string]string{
	"binary": "B", "binarySet": "BS", "bool": "BOOL", "list": "L", "map": "M",
	"number": "N", "numberSet": "NS", "string": "S", "stringSet": "SS", "_null": "NULL",
}

// attributeType returns the DynamoDB type of a stored value.
func attributeType(v any) string {
	switch v.(type) {
	case nil:
		return "NULL"
	case string:
		return "S"
	case json.Number:
		return "N"
	case bool:
		return "BOOL"
	case []any:
		return "L"
	case map[string]any:
		return "M"
	}
	return ""
}

// sizeOf is DynamoDB's size(): bytes of a string, elements of a list or map.
func sizeOf(v any) (int, bool) {
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

// containsValue is DynamoDB's contains(): a substring of a string, or an
// element of a list.
func containsValue(v, arg any) bool {
	switch v := v.(type) {
	case string:
		s, ok := arg.(string)
		return ok && strings.Contains(v, s)
	case []any:
		for _, x := range v {
			if c, ok := CompareDynamo(x, arg); ok && c == 0 {
				return true
			}
		}
	}
	return false
}

// CompareDynamo compares two scalar values of the same DynamoDB type.
// comparable is false for values of different types, or of types with no
// order (booleans compare only for equality).
func CompareDynamo(a, b any) (c int, comparable bool) {
	switch a := a.(type) {
	case string:
		bs, ok := b.(string)
		if !ok {
			return 0, false
		}
		return bytes.Compare([]byte(a), []byte(bs)), true
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
	case nil:
		if b == nil {
			return 0, true
		}
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

// sortedKeys returns the keys of m in a stable order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
