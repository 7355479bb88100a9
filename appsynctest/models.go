package appsynctest

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/go-amplify/data/schema"
)

// model is an Amplify @model: its table, keys, indexes, auth rules and
// the GraphQL fields that operate on it.
type model struct {
	name   string
	plural string
	intro  *schema.Model
	def    *ast.Definition

	// key is the primary key: partition key field and sort key fields.
	key *index
	// indexes are the secondary indexes (@index / .secondaryIndexes).
	indexes []*index

	rules   []authRule
	hasAuth bool

	autoID               bool
	createdAt, updatedAt string

	relations map[string]*relation
}

// index is a key schema: the table's primary key or a secondary index.
type index struct {
	name       string // "" for the primary key
	queryField string
	pk         string
	sk         []string
}

// skAttr is the attribute holding the sort key: the field itself, or for a
// composite sort key Amplify's "a#b" attribute holding "<a>#<b>".
func (ix *index) skAttr() string {
	switch len(ix.sk) {
	case 0:
		return ""
	case 1:
		return ix.sk[0]
	}
	return strings.Join(ix.sk, "#")
}

// relation is a relationship field of a model.
type relation struct {
	field          string
	kind           string // HAS_MANY, HAS_ONE, BELONGS_TO
	related        *model
	associatedWith []string
	targetNames    []string
}

// fieldIsList reports whether a field of the model is a list.
func (m *model) fieldIsList(name string) bool {
	if f := m.def.Fields.ForName(name); f != nil {
		return f.Type.Elem != nil
	}
	if f := m.intro.Field(name); f != nil {
		return f.IsArray
	}
	return false
}

// buildModels reads the models of model_introspection and checks them
// against the schema, registering their resolvers.
func (s *Server) buildModels() error {
	s.models = map[string]*model{}
	mi := s.data.ModelIntrospection
	if mi == nil {
		return nil
	}
	file := s.sdl.Name
	for _, im := range mi.Models {
		def := s.schema.Types[im.Name]
		if def == nil || def.Kind != ast.Object {
			return fmt.Errorf("appsynctest: model %s of amplify_outputs.json (data.model_introspection.models.%s) is not an object type of the schema %s: pass the AppSync schema generated from the same backend as the outputs", im.Name, im.Name, file)
		}
		m := &model{name: im.Name, plural: im.PluralName, intro: im, def: def, relations: map[string]*relation{}}
		if m.plural == "" {
			m.plural = im.Name + "s"
		}
		pk := im.PrimaryKeyInfo.PrimaryKeyFieldName
		if pk == "" {
			pk = "id"
		}
		m.key = &index{pk: pk, sk: im.PrimaryKeyInfo.SortKeyFieldNames}
		for _, f := range append([]string{pk}, m.key.sk...) {
			if def.Fields.ForName(f) == nil {
				return fmt.Errorf("appsynctest: model %s: its primary key field %q is not a field of type %s in the schema %s", im.Name, f, im.Name, file)
			}
		}
		for _, a := range im.Attributes {
			if a.Type != "key" {
				continue
			}
			var p struct {
				Name       string   `json:"name"`
				QueryField string   `json:"queryField"`
				Fields     []string `json:"fields"`
			}
			if err := json.Unmarshal(a.Properties, &p); err != nil || len(p.Fields) == 0 {
				continue
			}
			if p.Name == "" {
				continue // the primary key, read from primaryKeyInfo
			}
			m.indexes = append(m.indexes, &index{name: p.Name, queryField: p.QueryField, pk: p.Fields[0], sk: p.Fields[1:]})
		}
		rules, has, err := parseRules(im.Attributes)
		if err != nil {
			return fmt.Errorf("appsynctest: model %s: reading its auth rules (data.model_introspection.models.%s.attributes): %v", im.Name, im.Name, err)
		}
		m.rules, m.hasAuth = rules, has
		if f := def.Fields.ForName("id"); f != nil && f.Type.Elem == nil && (f.Type.NamedType == "ID" || f.Type.NamedType == "String") {
			m.autoID = true
		}
		m.createdAt, m.updatedAt = timestampFields(im, def)
		for _, f := range im.Fields {
			for _, a := range f.Attributes {
				if a.Type == "auth" {
					s.log.Warn("appsynctest: field-level auth rules are not enforced", "model", im.Name, "field", f.Name)
				}
			}
		}
		s.models[im.Name] = m
	}
	for _, im := range mi.Models {
		m := s.models[im.Name]
		for _, f := range im.Fields {
			if f.Association == nil {
				continue
			}
			related := s.models[f.Type.Model]
			if related == nil {
				return fmt.Errorf("appsynctest: model %s: relationship field %s refers to %q, which is not a model of data.model_introspection", im.Name, f.Name, f.Type.Name())
			}
			if m.def.Fields.ForName(f.Name) == nil {
				continue
			}
			m.relations[f.Name] = &relation{field: f.Name, kind: f.Association.ConnectionType, related: related,
				associatedWith: f.Association.AssociatedWith, targetNames: f.Association.TargetNames}
		}
	}
	names := make([]string, 0, len(s.models))
	for n := range s.models {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s.registerModel(s.models[n])
	}
	return nil
}

// timestampFields returns the names of the createdAt and updatedAt fields
// the model resolvers set, from the model attribute's timestamps (when it
// renames or disables them) or the default names when the type has them.
func timestampFields(im *schema.Model, def *ast.Definition) (createdAt, updatedAt string) {
	createdAt, updatedAt = "createdAt", "updatedAt"
	for _, a := range im.Attributes {
		if a.Type != "model" || len(a.Properties) == 0 {
			continue
		}
		var p map[string]json.RawMessage
		if json.Unmarshal(a.Properties, &p) != nil {
			continue
		}
		raw, ok := p["timestamps"]
		if !ok {
			continue
		}
		var ts map[string]*string
		if string(raw) == "null" || json.Unmarshal(raw, &ts) != nil {
			return "", ""
		}
		createdAt, updatedAt = "", ""
		if v := ts["createdAt"]; v != nil {
			createdAt = *v
		}
		if v := ts["updatedAt"]; v != nil {
			updatedAt = *v
		}
	}
	if createdAt != "" && def.Fields.ForName(createdAt) == nil {
		createdAt = ""
	}
	if updatedAt != "" && def.Fields.ForName(updatedAt) == nil {
		updatedAt = ""
	}
	return createdAt, updatedAt
}

// registerModel installs the resolvers of a model's operations: those of
// the schema's Query and Mutation fields named as Amplify names them, the
// index query fields, the relationship fields and the owner fields.
func (s *Server) registerModel(m *model) {
	q, mu := s.schema.Query, s.schema.Mutation
	returns := func(parent *ast.Definition, field, typeName string) bool {
		if parent == nil {
			return false
		}
		f := parent.Fields.ForName(field)
		return f != nil && f.Type.Name() == typeName
	}
	if returns(q, "get"+m.name, m.name) {
		s.resolvers["Query.get"+m.name] = s.getResolver(m)
	}
	conn := "Model" + m.name + "Connection"
	if returns(q, "list"+m.plural, conn) {
		s.resolvers["Query.list"+m.plural] = s.listResolver(m, m.key, "list")
	}
	for _, ix := range m.indexes {
		if ix.queryField != "" && returns(q, ix.queryField, conn) {
			s.resolvers["Query."+ix.queryField] = s.listResolver(m, ix, "list")
		}
	}
	if returns(mu, "create"+m.name, m.name) {
		s.resolvers["Mutation.create"+m.name] = s.createResolver(m)
	}
	if returns(mu, "update"+m.name, m.name) {
		s.resolvers["Mutation.update"+m.name] = s.updateResolver(m)
	}
	if returns(mu, "delete"+m.name, m.name) {
		s.resolvers["Mutation.delete"+m.name] = s.deleteResolver(m)
	}
	for name, rel := range m.relations {
		s.resolvers[m.name+"."+name] = s.relationResolver(m, rel)
	}
	// Amplify Gen 2 stores "<sub>::<username>" in owner fields and adds a
	// field resolver that returns the username part.
	for _, r := range m.rules {
		if r.Allow != "owner" || !strings.Contains(r.ownerClaim(), "::") {
			continue
		}
		field := r.ownerField()
		if m.def.Fields.ForName(field) == nil || m.relations[field] != nil {
			continue
		}
		s.resolvers[m.name+"."+field] = ownerFieldResolver(field)
	}
}

// ownerFieldResolver returns the last part of "<sub>::<username>" owner
// values (generateFieldResolverForOwner of the auth transformer).
func ownerFieldResolver(field string) resolver {
	last := func(v any) any {
		s, ok := v.(string)
		if !ok {
			return v
		}
		parts := strings.Split(s, "::")
		return parts[len(parts)-1]
	}
	return func(f *fieldCtx) (any, error) {
		v := f.source[field]
		if list, ok := v.([]any); ok {
			out := make([]any, len(list))
			for i, x := range list {
				out[i] = last(x)
			}
			return out, nil
		}
		if v == nil {
			return nil, nil
		}
		return last(v), nil
	}
}

// isModelField reports whether the server resolves the field as a model
// operation.
func (s *Server) isModelField(typeName, field string) bool {
	_, ok := s.resolvers[typeName+"."+field]
	return ok
}

// modelNames returns the model names, sorted.
func (s *Server) modelNames() []string {
	names := make([]string, 0, len(s.models))
	for n := range s.models {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
