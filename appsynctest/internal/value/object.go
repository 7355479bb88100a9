package value

// Object is a JSON object that keeps its members in insertion order, as
// GraphQL responses do (the order of the selection set).
type Object struct {
	keys []string
	vals []any
	// index maps keys to their position, once the object has more than a
	// few members.
	index map[string]int
}

// Set sets the member k, appending it when it is new.
func (o *Object) Set(k string, v any) {
	if i, ok := o.find(k); ok {
		o.vals[i] = v
		return
	}
	o.Add(k, v)
}

// Add appends the member k, which the object does not have.
func (o *Object) Add(k string, v any) {
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
	if o.index != nil {
		o.index[k] = len(o.keys) - 1
	}
}

// Get returns the member k.
func (o *Object) Get(k string) (any, bool) {
	if i, ok := o.find(k); ok {
		return o.vals[i], true
	}
	return nil, false
}

func (o *Object) find(k string) (int, bool) {
	if o.index == nil {
		if len(o.keys) <= 8 {
			for i, x := range o.keys {
				if x == k {
					return i, true
				}
			}
			return 0, false
		}
		o.index = make(map[string]int, len(o.keys))
		for i, x := range o.keys {
			o.index[x] = i
		}
	}
	i, ok := o.index[k]
	return i, ok
}

// MarshalJSON writes the members in order.
func (o Object) MarshalJSON() ([]byte, error) { return o.AppendJSON(nil) }

// NewObject returns an empty object with room for n members.
func NewObject(n int) *Object {
	return &Object{keys: make([]string, 0, n), vals: make([]any, 0, n)}
}

// Len returns the number of members.
func (o *Object) Len() int { return len(o.keys) }
