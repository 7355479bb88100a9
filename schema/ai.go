package schema

import (
	"encoding/json"
)

// The sections of model_introspection that Amplify writes for the inputs
// of custom operations and for AI routes: data.model_introspection.inputs,
// generations (a.generation) and conversations (a.conversation). Their
// types, models and operations are not in models, nonModels, enums or
// queries: a reader that skips these sections does not see them at all.

// Input is an input type that a custom operation's arguments use
// (data.model_introspection.inputs): an AI route's content blocks and tool
// configuration, for instance.
type Input struct {
	// Name is the GraphQL input type name.
	Name string
	// Fields are the input's fields (its "attributes"), in file order.
	Fields []*Field
}

// Conversation is an AI conversation route (a.conversation): the models
// that keep its conversations and messages, the types and enums it adds,
// and the operations a client sends messages and receives the assistant's
// answer with.
type Conversation struct {
	// Name is the route's name, the field of its send mutation: chat.
	Name string
	// Models are the conversation and message models, in file order; they
	// are not among ModelIntrospection.Models.
	Models []*Model
	// NonModels and Enums are the route's own custom types and enums.
	NonModels []*NonModel
	Enums     []*Enum
	// ConversationModel names the model of the conversations
	// (conversation.modelName), MessageModel the model of their messages
	// (message.modelName).
	ConversationModel, MessageModel string
	// Send is the mutation that sends a message (message.send), Subscribe
	// the subscription of the assistant's streamed answer
	// (message.subscribe); nil when absent.
	Send, Subscribe *CustomOperation
	// Extra keeps the other members of the route, and MessageExtra those of
	// its message object, verbatim (compacted).
	Extra, MessageExtra map[string]json.RawMessage

	enumKeys []string // the keys of Enums in the file, which may differ from their names
	// hasConversation and hasMessage keep an empty conversation or
	// message object through a round trip.
	hasConversation, hasMessage bool
}

// Model returns the route's model with the given name, or nil.
func (c *Conversation) Model(name string) *Model {
	for _, m := range c.Models {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// Input returns the input type with the given name, or nil.
func (m *ModelIntrospection) Input(name string) *Input {
	for _, x := range m.Inputs {
		if x.Name == name {
			return x
		}
	}
	return nil
}

func parseInput(data []byte, path string) (*Input, error) {
	var w struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(data, path, &w); err != nil {
		return nil, err
	}
	in := &Input{Name: w.Name, Fields: []*Field{}}
	ms, err := members(data, path)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.key != "attributes" {
			continue
		}
		err := eachMember(m.value, joinPath(path, "attributes"), func(key string, raw []byte, path string) error {
			f, err := parseField(raw, path)
			if err == nil {
				if f.Name == "" {
					f.Name = key
				}
				in.Fields = append(in.Fields, f)
			}
			return err
		})
		if err != nil {
			return nil, shift(err, m.off)
		}
	}
	return in, nil
}

// MarshalJSON writes the input type in the shape Amplify uses, fields in
// order.
func (in Input) MarshalJSON() ([]byte, error) {
	fields, err := orderedObject(in.Fields, func(f *Field) string { return f.Name })
	if err != nil {
		return nil, err
	}
	var w objectWriter
	w.add("name", in.Name)
	w.raw("attributes", fields)
	return w.bytes()
}

func parseConversation(data []byte, path string) (*Conversation, error) {
	ms, err := members(data, path)
	if err != nil {
		return nil, err
	}
	c := &Conversation{}
	for _, m := range ms {
		p := joinPath(path, m.key)
		var err error
		switch m.key {
		case "name":
			err = decodeJSON(m.value, p, &c.Name)
		case "models":
			c.Models, err = parseNamed(m.value, p, parseModel, func(x *Model) *string { return &x.Name })
			c.Models = nonNil(c.Models)
		case "nonModels":
			c.NonModels, err = parseNamed(m.value, p, parseNonModel, func(x *NonModel) *string { return &x.Name })
			c.NonModels = nonNil(c.NonModels)
		case "enums":
			c.Enums = []*Enum{}
			err = eachMember(m.value, p, func(key string, raw []byte, path string) error {
				x, err := parseEnum(raw, path)
				if err != nil {
					return err
				}
				if x.Name == "" {
					x.Name = key
				}
				c.Enums = append(c.Enums, x)
				c.enumKeys = append(c.enumKeys, key)
				return nil
			})
		case "conversation":
			var w struct {
				ModelName string `json:"modelName"`
			}
			err = decodeJSON(m.value, p, &w)
			c.ConversationModel, c.hasConversation = w.ModelName, true
		case "message":
			c.hasMessage = true
			err = c.parseMessage(m.value, p)
		default:
			if c.Extra == nil {
				c.Extra = map[string]json.RawMessage{}
			}
			c.Extra[m.key] = compactRaw(m.value)
		}
		if err != nil {
			return nil, shift(err, m.off)
		}
	}
	return c, nil
}

func (c *Conversation) parseMessage(data []byte, path string) error {
	ms, err := members(data, path)
	if err != nil {
		return err
	}
	for _, m := range ms {
		p := joinPath(path, m.key)
		var err error
		switch m.key {
		case "modelName":
			err = decodeJSON(m.value, p, &c.MessageModel)
		case "send":
			c.Send, err = parseCustomOperation(m.value, p)
		case "subscribe":
			c.Subscribe, err = parseCustomOperation(m.value, p)
		default:
			if c.MessageExtra == nil {
				c.MessageExtra = map[string]json.RawMessage{}
			}
			c.MessageExtra[m.key] = compactRaw(m.value)
		}
		if err != nil {
			return shift(err, m.off)
		}
	}
	return nil
}

// MarshalJSON writes the route in the shape Amplify uses.
func (c Conversation) MarshalJSON() ([]byte, error) {
	var w objectWriter
	w.add("name", c.Name)
	for _, s := range []struct {
		key string
		b   func() ([]byte, error)
		set bool
	}{
		{"models", func() ([]byte, error) { return orderedObject(c.Models, func(x *Model) string { return x.Name }) }, c.Models != nil},
		{"nonModels", func() ([]byte, error) {
			return orderedObject(c.NonModels, func(x *NonModel) string { return x.Name })
		}, c.NonModels != nil},
		{"enums", func() ([]byte, error) {
			var ew objectWriter
			for i, e := range c.Enums {
				key := e.Name
				if i < len(c.enumKeys) {
					key = c.enumKeys[i]
				}
				ew.add(key, e)
			}
			return ew.bytes()
		}, c.Enums != nil},
	} {
		if !s.set {
			continue
		}
		b, err := s.b()
		if err != nil {
			return nil, err
		}
		w.raw(s.key, b)
	}
	if c.ConversationModel != "" || c.hasConversation {
		var cw objectWriter
		if c.ConversationModel != "" {
			cw.add("modelName", c.ConversationModel)
		}
		b, err := cw.bytes()
		if err != nil {
			return nil, err
		}
		w.raw("conversation", b)
	}
	var mw objectWriter
	if c.MessageModel != "" {
		mw.add("modelName", c.MessageModel)
	}
	if c.Send != nil {
		mw.add("send", c.Send)
	}
	if c.Subscribe != nil {
		mw.add("subscribe", c.Subscribe)
	}
	msg, err := mw.bytes()
	if err != nil {
		return nil, err
	}
	if msg, err = appendExtra(msg, c.MessageExtra); err != nil {
		return nil, err
	}
	if string(msg) != "{}" || c.hasMessage {
		w.raw("message", msg)
	}
	b, err := w.bytes()
	if err != nil {
		return nil, err
	}
	return appendExtra(b, c.Extra)
}
