package gen

// Synthesis of the AppSync schema from model_introspection, so that
// amplify_outputs.json alone is enough to generate a client, as it is for
// the JavaScript client (generateClient builds every operation from
// model_introspection).
//
// The rules are those of Amplify's transformer (@aws-amplify/graphql-
// transformer 2.x under Gen 2's defineData), read from the schemas it made
// for the backends of schema/testdata/amplify and from its model, index,
// relational and auth transformers:
//
//   - Model types: the declared fields in order (hasMany fields with
//     filter, sortDirection, limit and nextToken arguments returning
//     Model<T>Connection), then id: ID! (default primary key), createdAt
//     and updatedAt (AWSDateTime!), then the owner fields of owner rules
//     that the model does not declare (String). model_introspection puts id
//     first and leaves the owner fields out.
//   - Filter inputs (Model<M>FilterInput, and the subscription filter) list
//     the scalar and enum fields of the model with id, createdAt and
//     updatedAt, even for a custom primary key that has no id field;
//     condition inputs leave out id and the primary key fields and put
//     createdAt and updatedAt after and/or/not; owner fields come last.
//     An enum list field filters with Model<E>ListInput unless the list
//     itself is required ([E!]!: Model<E>Input, the transformer's own
//     quirk).
//   - Scalars filter as Model<S>Input where S is String, Int, Float,
//     Boolean or ID (AWSTimestamp is Int, every other AWS scalar String).
//   - Create<M>Input: the declared fields but relationships, custom types
//     as <T>Input, then id: ID for a default primary key; Update<M>Input:
//     the same made nullable (outer level only), key fields required;
//     Delete<M>Input: the key fields, required.
//   - get<M>(keys!), list<Plural>(pk, sort-key condition, filter, limit,
//     nextToken, sortDirection) for a custom primary key, list<Plural>(filter,
//     limit, nextToken) otherwise; one sort key is conditioned by
//     Model<S>KeyConditionInput (S among String, ID, Int, Float; enums are
//     String), several by Model<M>PrimaryCompositeKeyConditionInput whose
//     argument is the sort key fields in camel case. Secondary indexes with
//     a query field: queryField(pk!, sort-key condition, sortDirection,
//     filter, limit, nextToken), the composite input named after the index
//     (Model<M><Index>CompositeKeyConditionInput). In the composite key
//     input, only the last field has its scalar mapped to String, Int,
//     Float or ID.
//   - disableOperations (the model attribute's queries, mutations and
//     subscriptions) removes the fields, and a subscription exists only
//     with its mutation.
//   - Auth directives of the model operations (with the API's modes, see
//     SynthesizeSchemaFromOutputs): the transformer's getServiceDirectives
//     over the providers of the rules allowed the operation, IAM always
//     among them (Gen 2 enables IAM access).
//
// model_introspection does not record the authorization rules of custom
// operations, so their fields carry no auth directive (the client then uses
// its default mode, as the JavaScript client does), nor the mutations a
// custom subscription listens to (its field has no @aws_subscribe).

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/go-amplify/data/schema"
	"github.com/go-amplify/data/schema/appsync"
)

// SynthesizeSchema returns the AppSync schema that Amplify's transformer
// makes for the backend that intro (data.model_introspection of
// amplify_outputs.json) describes: every type, input, enum and root field
// the operations of its models, custom queries and mutations use. It
// carries no auth directive; SynthesizeSchemaFromOutputs adds those of the
// model operations.
func SynthesizeSchema(intro *schema.ModelIntrospection) (*appsync.Schema, error) {
	return synthesize(intro, nil, "synthesized.graphql")
}

// SynthesizeSchemaFromOutputs is SynthesizeSchema for the
// model_introspection of out, with the @aws_* directives that the
// transformer gives the model operations under the API's authorization
// modes (data.default_authorization_type and authorization_types). Gen 2
// always enables IAM access, so IAM is among the modes of every model
// operation when AWS_IAM is among the API's modes.
func SynthesizeSchemaFromOutputs(out *schema.Outputs) (*appsync.Schema, error) {
	if out == nil || out.Data == nil || out.Data.ModelIntrospection == nil {
		return nil, fmt.Errorf("amplify outputs have no data.model_introspection: run `npx ampx generate outputs` with a backend that has defineData")
	}
	return synthesize(out.Data.ModelIntrospection, newAuthConfig(out.Data), "amplify_outputs.json")
}

func synthesize(intro *schema.ModelIntrospection, auth *authConfig, name string) (*appsync.Schema, error) {
	s, err := newSynth(intro, auth)
	if err != nil {
		return nil, err
	}
	sdl, err := s.sdl()
	if err != nil {
		return nil, err
	}
	sch, err := appsync.ParseSDL(name, []byte(sdl))
	if err != nil {
		line := 0
		if e, ok := err.(*schema.Error); ok {
			line = e.Line
		}
		return nil, fmt.Errorf("internal error: the synthesized schema does not load: %w%s", err, excerpt(sdl, line))
	}
	return sch, nil
}

// ---------------------------------------------------------------------------
// Authorization: the transformer's directive rules

// authConfig is what the auth transformer knows of the API.
type authConfig struct {
	def        string // default provider: apiKey, iam, userPools, oidc, function
	genericIAM bool   // enableIamAccess: IAM is added to every model operation
}

func newAuthConfig(d *schema.DataOutputs) *authConfig {
	return &authConfig{def: providerOf(d.DefaultAuthorizationType), genericIAM: d.HasMode(schema.AuthIAM)}
}

// providerOf is the provider of the API's default authorization type, in
// the names of Amplify's auth rules (iam for AWS_IAM, which sameProvider
// takes for identityPool too); apiKey when the type is unknown.
func providerOf(t schema.AuthorizationType) string {
	if ms := t.Modes(); len(ms) > 0 {
		return ms[0].Provider()
	}
	return schema.ModeAPIKey.Provider()
}

// sameProvider is the transformer's isAuthProviderEqual: iam and
// identityPool are one.
func sameProvider(a, b string) bool {
	iam := func(p string) bool { return schema.ProviderMode(p).AuthorizationType() == schema.AuthIAM }
	return a == b || iam(a) && iam(b)
}

// providerOrder is the order of the transformer's AUTH_PROVIDER_DIRECTIVE_MAP;
// schema.ProviderMode maps each provider to its directive.
var providerOrder = []string{"apiKey", "iam", "identityPool", "oidc", "userPools", "function"}

// directiveOf is the AppSync directive of an auth rule's provider; "" for
// an unknown one.
func directiveOf(provider string) string { return schema.ProviderMode(provider).Directive() }

// role is one role of the transformer's access control matrix.
type role struct {
	key      string
	provider string
	strategy string // owner, groups, private, public, custom
	static   bool
	entity   string // owner or groups field of a dynamic role
	ops      map[string]bool
}

var modelOperations = []string{"create", "update", "delete", "get", "list", "search", "listen", "sync"}

// rolesOf converts a model's auth rules to roles, as convertRulesToRoles.
func rolesOf(m *schema.Model) []*role {
	var roles []*role
	add := func(r *role) {
		for _, o := range roles {
			if o.key == r.key {
				for op := range r.ops {
					o.ops[op] = true
				}
				return
			}
		}
		roles = append(roles, r)
	}
	for _, a := range m.Attributes {
		if a.Type != "auth" || len(a.Properties) == 0 {
			continue
		}
		var p struct {
			Rules []struct {
				Allow       string   `json:"allow"`
				Provider    string   `json:"provider"`
				OwnerField  string   `json:"ownerField"`
				GroupsField string   `json:"groupsField"`
				GroupClaim  string   `json:"groupClaim"`
				Groups      []string `json:"groups"`
				Operations  []string `json:"operations"`
			} `json:"rules"`
		}
		if json.Unmarshal(a.Properties, &p) != nil {
			continue
		}
		for _, r := range p.Rules {
			provider := r.Provider
			if provider == "" {
				switch r.Allow {
				case "public":
					provider = "apiKey"
				case "custom":
					provider = "function"
				default:
					provider = "userPools"
				}
			}
			ops := map[string]bool{}
			list := r.Operations
			if list == nil {
				list = modelOperations
			}
			for _, op := range list {
				if op == "read" {
					for _, o := range []string{"get", "list", "listen", "search", "sync"} {
						ops[o] = true
					}
					continue
				}
				ops[op] = true
			}
			switch {
			case len(r.Groups) > 0 && r.GroupsField == "":
				for _, g := range r.Groups {
					add(&role{key: provider + ":staticGroup:" + g, provider: provider, strategy: "groups", static: true, ops: clone(ops)})
				}
			case provider == "apiKey":
				add(&role{key: "apiKey:public", provider: provider, strategy: r.Allow, static: true, ops: ops})
			case provider == "function":
				add(&role{key: "function:custom", provider: provider, strategy: r.Allow, static: true, ops: ops})
			case sameProvider(provider, "iam"):
				add(&role{key: "iam:" + r.Allow, provider: provider, strategy: r.Allow, static: true, ops: ops})
			case r.Allow == "groups":
				field := r.GroupsField
				if field == "" {
					field = "groups"
				}
				add(&role{key: provider + ":dynamicGroup:" + field, provider: provider, strategy: "groups", entity: field, ops: ops})
			case r.Allow == "owner":
				field := r.OwnerField
				if field == "" {
					field = "owner"
				}
				add(&role{key: provider + ":owner:" + field, provider: provider, strategy: "owner", entity: field, ops: ops})
			default:
				add(&role{key: provider + ":" + r.Allow, provider: provider, strategy: r.Allow, static: true, ops: ops})
			}
		}
	}
	return roles
}

func clone(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func rolesFor(roles []*role, op string) []*role {
	var out []*role
	for _, r := range roles {
		if r.ops[op] {
			out = append(out, r)
		}
	}
	return out
}

// providers is getAuthProviders: the roles' providers, then identityPool
// when IAM access is enabled.
func (c *authConfig) providers(roles []*role) []string {
	var out []string
	add := func(p string) {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	for _, r := range roles {
		add(r.provider)
	}
	if c.genericIAM {
		add("identityPool")
	}
	return out
}

// serviceDirectives is getServiceDirectives.
func (c *authConfig) serviceDirectives(providers []string, addDefault bool) []string {
	if len(providers) == 0 {
		return nil
	}
	has := func(p string) bool {
		return slices.ContainsFunc(providers, func(x string) bool { return sameProvider(x, p) })
	}
	hasOther := func(p string) bool {
		return slices.ContainsFunc(providers, func(x string) bool { return !sameProvider(x, p) })
	}
	var out []string
	for _, p := range providerOrder {
		directive := directiveOf(p)
		if slices.Contains(out, directive) {
			continue
		}
		isDef := sameProvider(c.def, p)
		if !isDef && has(p) || isDef && hasOther(p) && addDefault {
			out = append(out, directive)
		} else if directive == schema.ModeIAM.Directive() {
			// iam and identityPool share the directive: the map's second
			// entry is skipped once the first was looked at.
			out = append(out, "")
		}
	}
	out = slices.DeleteFunc(out, func(s string) bool { return s == "" })
	if has(c.def) && hasOther(c.def) && !slices.Contains(out, directiveOf(c.def)) {
		out = append(out, directiveOf(c.def))
	}
	return out
}

// operationDirectives are the directives of a model operation's root field
// (protectSchemaOperations' addServiceDirective).
func (c *authConfig) operationDirectives(roles []*role, op string) []string {
	if c == nil || roles == nil {
		return nil
	}
	allowed := rolesFor(roles, op)
	includeDefault := slices.ContainsFunc(allowed, func(r *role) bool { return sameProvider(r.provider, c.def) }) ||
		len(allowed) == 0 && c.genericIAM && !sameProvider(c.def, "identityPool")
	return c.serviceDirectives(c.providers(allowed), includeDefault)
}

// typeDirectives are the directives the auth transformer puts on a model
// type before its operations add theirs.
func (c *authConfig) typeDirectives(roles []*role) []string {
	if c == nil || roles == nil {
		return nil
	}
	return c.serviceDirectives(c.providers(roles), false)
}

// merge appends the directives of add that dirs lacks.
func merge(dirs []string, add ...string) []string {
	for _, d := range add {
		if !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// ---------------------------------------------------------------------------
// The synthesizer

type synth struct {
	intro     *schema.ModelIntrospection
	auth      *authConfig
	models    map[string]*modelInfo
	nonModels map[string]*schema.NonModel
	enums     map[string]bool

	defs    []string        // SDL definitions, in order
	defined map[string]bool // names of the definitions written
	// directives of object types, merged as the transformer extends them.
	typeDirs    map[string][]string
	connections map[string]bool // Model<M>Connection types to write
	query       []string
	mutation    []string
	subs        []string
}

// modelInfo is what the rules need of a model.
type modelInfo struct {
	*schema.Model
	roles    []*role
	pk       []string          // primary key fields: partition key first
	autoID   bool              // the transformer adds id: ID!
	declared []*schema.Field   // fields as the Amplify SDL declares them
	stamps   []*schema.Field   // createdAt, updatedAt
	owners   []string          // owner fields the auth transformer adds
	ops      map[string]bool   // enabled: get list create update delete onCreate onUpdate onDelete
	fields   map[string]string // GraphQL type of every field of the type
}

func newSynth(intro *schema.ModelIntrospection, auth *authConfig) (*synth, error) {
	s := &synth{intro: intro, auth: auth, models: map[string]*modelInfo{}, nonModels: map[string]*schema.NonModel{},
		enums: map[string]bool{}, defined: map[string]bool{}, typeDirs: map[string][]string{}, connections: map[string]bool{}}
	for _, e := range intro.Enums {
		s.enums[e.Name] = true
	}
	for _, nm := range intro.NonModels {
		s.nonModels[nm.Name] = nm
	}
	for _, m := range intro.Models {
		s.models[m.Name] = s.modelInfo(m)
	}
	return s, nil
}

func (s *synth) modelInfo(m *schema.Model) *modelInfo {
	mi := &modelInfo{Model: m, roles: rolesOf(m), ops: map[string]bool{}, fields: map[string]string{}}
	pk := m.PrimaryKeyInfo
	if pk.PrimaryKeyFieldName == "" {
		pk.PrimaryKeyFieldName = "id"
	}
	mi.pk = append([]string{pk.PrimaryKeyFieldName}, pk.SortKeyFieldNames...)
	custom := pk.IsCustomPrimaryKey || pk.PrimaryKeyFieldName != "id"
	for _, f := range m.Fields {
		switch {
		case f.Name == "id" && !custom:
			mi.autoID = true
		case f.IsReadOnly && (f.Name == "createdAt" || f.Name == "updatedAt"):
			mi.stamps = append(mi.stamps, f)
		default:
			mi.declared = append(mi.declared, f)
		}
	}
	if !custom {
		mi.autoID = true
	}
	for _, r := range mi.roles {
		if r.strategy == "owner" && m.Field(r.entity) == nil && !slices.Contains(mi.owners, r.entity) {
			mi.owners = append(mi.owners, r.entity)
		}
	}
	for _, op := range []string{"get", "list", "create", "update", "delete", "onCreate", "onUpdate", "onDelete"} {
		mi.ops[op] = true
	}
	for _, a := range m.Attributes {
		if a.Type != "model" || len(a.Properties) == 0 {
			continue
		}
		var p map[string]json.RawMessage
		if json.Unmarshal(a.Properties, &p) != nil {
			continue
		}
		for section, ops := range map[string][]string{"queries": {"get", "list"}, "mutations": {"create", "update", "delete"}, "subscriptions": {"onCreate", "onUpdate", "onDelete"}} {
			raw, ok := p[section]
			if !ok {
				continue
			}
			if string(raw) == "null" {
				for _, op := range ops {
					mi.ops[op] = false
				}
				continue
			}
			var sub map[string]json.RawMessage
			if json.Unmarshal(raw, &sub) != nil {
				continue
			}
			for _, op := range ops {
				if v, ok := sub[op]; ok && string(v) == "null" {
					mi.ops[op] = false
				}
			}
		}
	}
	// A subscription exists only with its mutation.
	for sub, mut := range map[string]string{"onCreate": "create", "onUpdate": "update", "onDelete": "delete"} {
		mi.ops[sub] = mi.ops[sub] && mi.ops[mut]
	}
	return mi
}

// ---------------------------------------------------------------------------
// Types

// wrap applies a field's list and non-null wrappers to a named type.
func wrap(name string, isArray, isRequired, isArrayNullable bool) string {
	t := name
	if isRequired {
		t += "!"
	}
	if isArray {
		t = "[" + t + "]"
		if !isArrayNullable {
			t += "!"
		}
	}
	return t
}

// nullable drops the outer non-null of a type.
func nullable(t string) string { return strings.TrimSuffix(t, "!") }

// baseType strips list and non-null wrappers.
func baseType(t string) string { return strings.Trim(t, "[]!") }

// scalarCategory is the transformer's DEFAULT_SCALARS: the base scalar
// whose filter and key-condition inputs a scalar uses; "" for non-scalars.
func scalarCategory(name string) string {
	switch name {
	case "String", "Int", "Float", "Boolean", "ID":
		return name
	case "AWSTimestamp", "BigInt":
		return "Int"
	case "Double":
		return "Float"
	case "AWSDate", "AWSTime", "AWSDateTime", "AWSEmail", "AWSJSON", "AWSURL", "AWSPhone", "AWSIPAddress":
		return "String"
	}
	return ""
}

// fieldType is the GraphQL type of an introspection field in an object type.
func (s *synth) fieldType(f *schema.Field) (string, error) {
	t := f.Type
	var name string
	switch {
	case t.Scalar != "":
		name = t.Scalar
	case t.Enum != "":
		name = t.Enum
	case t.Model != "":
		name = t.Model
	case t.NonModel != "":
		name = t.NonModel
	case t.Input != "":
		name = t.Input
	default:
		return "", fmt.Errorf("field %s has no type", f.Name)
	}
	return wrap(name, f.IsArray, f.IsRequired, f.IsArrayNullable), nil
}

// inputType is the type of a field in an input: custom types become their
// <Type>Input.
func (s *synth) inputType(f *schema.Field) (string, error) {
	t, err := s.fieldType(f)
	if err != nil {
		return "", err
	}
	if f.Type.NonModel != "" {
		t = strings.Replace(t, f.Type.NonModel, nonModelInputName(f.Type.NonModel), 1)
	}
	return t, nil
}

func nonModelInputName(name string) string { return upperFirst(name) + "Input" }

// isFilterable reports whether a field filters: scalars and enums.
func (s *synth) isFilterable(f *schema.Field) bool {
	return f.Type.Scalar != "" && scalarCategory(f.Type.Scalar) != "" || f.Type.Enum != ""
}

// filterInput is the input a field is filtered or conditioned with.
func (s *synth) filterInput(f *schema.Field) string {
	if f.Type.Enum != "" {
		// The transformer sees a list only when the list itself is
		// nullable ([E] or [E!], not [E]!).
		if f.IsArray && f.IsArrayNullable {
			return "Model" + f.Type.Enum + "ListInput"
		}
		return "Model" + f.Type.Enum + "Input"
	}
	return "Model" + scalarCategory(f.Type.Scalar) + "Input"
}

func (s *synth) subscriptionFilterInput(f *schema.Field) string {
	if f.Type.Enum != "" {
		return "ModelSubscriptionStringInput"
	}
	return "ModelSubscription" + scalarCategory(f.Type.Scalar) + "Input"
}

// ---------------------------------------------------------------------------
// Writing

type sdlField struct {
	name, args, typ string
	dirs            []string
}

func (f sdlField) String() string {
	var b strings.Builder
	b.WriteString("  " + f.name)
	if f.args != "" {
		b.WriteString("(" + f.args + ")")
	}
	b.WriteString(": " + f.typ)
	for _, d := range f.dirs {
		b.WriteString(" @" + d)
	}
	return b.String()
}

func (s *synth) define(kind, name string, dirs []string, fields []sdlField) {
	if s.defined[name] {
		return
	}
	s.defined[name] = true
	s.defs = append(s.defs, renderType(kind, name, dirs, fields))
}

// renderType is the SDL of a type.
func renderType(kind, name string, dirs []string, fields []sdlField) string {
	var b strings.Builder
	b.WriteString(kind + " " + name)
	for _, d := range dirs {
		b.WriteString(" @" + d)
	}
	b.WriteString(" {\n")
	for _, f := range fields {
		b.WriteString(f.String() + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

func (s *synth) defineEnum(name string, values []string) {
	if s.defined[name] {
		return
	}
	s.defined[name] = true
	s.defs = append(s.defs, "enum "+name+" {\n  "+strings.Join(values, "\n  ")+"\n}\n")
}

// input writes an input type from name: type pairs.
func (s *synth) input(name string, fields ...string) {
	var fs []sdlField
	for i := 0; i+1 < len(fields); i += 2 {
		fs = append(fs, sdlField{name: fields[i], typ: fields[i+1]})
	}
	s.define("input", name, nil, fs)
}

// prelude is what the transformer writes for every Gen 2 API, models or
// not: the scalar filter inputs and their enums.
const prelude = `input AmplifyAIConversationTurnErrorInput {
  errorType: String!
  message: String!
}

input ModelStringInput {
  ne: String
  eq: String
  le: String
  lt: String
  ge: String
  gt: String
  contains: String
  notContains: String
  between: [String]
  beginsWith: String
  attributeExists: Boolean
  attributeType: ModelAttributeTypes
  size: ModelSizeInput
}

input ModelIntInput {
  ne: Int
  eq: Int
  le: Int
  lt: Int
  ge: Int
  gt: Int
  between: [Int]
  attributeExists: Boolean
  attributeType: ModelAttributeTypes
}

input ModelFloatInput {
  ne: Float
  eq: Float
  le: Float
  lt: Float
  ge: Float
  gt: Float
  between: [Float]
  attributeExists: Boolean
  attributeType: ModelAttributeTypes
}

input ModelBooleanInput {
  ne: Boolean
  eq: Boolean
  attributeExists: Boolean
  attributeType: ModelAttributeTypes
}

input ModelIDInput {
  ne: ID
  eq: ID
  le: ID
  lt: ID
  ge: ID
  gt: ID
  contains: ID
  notContains: ID
  between: [ID]
  beginsWith: ID
  attributeExists: Boolean
  attributeType: ModelAttributeTypes
  size: ModelSizeInput
}

input ModelSubscriptionStringInput {
  ne: String
  eq: String
  le: String
  lt: String
  ge: String
  gt: String
  contains: String
  notContains: String
  between: [String]
  beginsWith: String
  in: [String]
  notIn: [String]
}

input ModelSubscriptionIntInput {
  ne: Int
  eq: Int
  le: Int
  lt: Int
  ge: Int
  gt: Int
  between: [Int]
  in: [Int]
  notIn: [Int]
}

input ModelSubscriptionFloatInput {
  ne: Float
  eq: Float
  le: Float
  lt: Float
  ge: Float
  gt: Float
  between: [Float]
  in: [Float]
  notIn: [Float]
}

input ModelSubscriptionBooleanInput {
  ne: Boolean
  eq: Boolean
}

input ModelSubscriptionIDInput {
  ne: ID
  eq: ID
  le: ID
  lt: ID
  ge: ID
  gt: ID
  contains: ID
  notContains: ID
  between: [ID]
  beginsWith: ID
  in: [ID]
  notIn: [ID]
}

enum ModelAttributeTypes {
  binary
  binarySet
  bool
  list
  map
  number
  numberSet
  string
  stringSet
  _null
}

input ModelSizeInput {
  ne: Int
  eq: Int
  le: Int
  lt: Int
  ge: Int
  gt: Int
  between: [Int]
}

enum ModelSortDirection {
  ASC
  DESC
}
`

var preludeNames = []string{"AmplifyAIConversationTurnErrorInput", "ModelStringInput", "ModelIntInput", "ModelFloatInput",
	"ModelBooleanInput", "ModelIDInput", "ModelSubscriptionStringInput", "ModelSubscriptionIntInput",
	"ModelSubscriptionFloatInput", "ModelSubscriptionBooleanInput", "ModelSubscriptionIDInput",
	"ModelAttributeTypes", "ModelSizeInput", "ModelSortDirection"}

// sdl renders the whole schema.
func (s *synth) sdl() (string, error) {
	for _, n := range preludeNames {
		s.defined[n] = true
	}
	for _, e := range s.intro.Enums {
		s.defineEnum(e.Name, e.Values)
	}
	// Model types first: the directives of their operations reach the
	// connection types, and their providers the custom types.
	objects := map[string][]sdlField{}
	for _, m := range s.intro.Models {
		mi := s.models[m.Name]
		fields, err := s.modelFields(mi)
		if err != nil {
			return "", fmt.Errorf("data.model_introspection.models.%s: %w", m.Name, err)
		}
		objects[m.Name] = fields
		s.typeDirs[m.Name] = s.auth.typeDirectives(mi.roles)
	}
	// As the auth transformer, model by model: the operations' directives
	// reach the model and connection types, then the model's providers
	// reach the custom and connection types its fields hold.
	seen := map[string]bool{}
	for _, m := range s.intro.Models {
		if err := s.modelOperations(s.models[m.Name]); err != nil {
			return "", fmt.Errorf("data.model_introspection.models.%s: %w", m.Name, err)
		}
		s.propagate(m.Name, s.models[m.Name].roles, seen, map[string]bool{})
	}
	var types []string
	for _, m := range s.intro.Models {
		types = append(types, m.Name)
	}
	for _, m := range s.intro.Models {
		for _, conn := range slices.Compact([]string{"Model" + upperFirst(m.Name) + "Connection", "Model" + m.Name + "Connection"}) {
			if s.connections[conn] {
				types = append(types, conn)
				objects[conn] = []sdlField{{name: "items", typ: "[" + m.Name + "]!"}, {name: "nextToken", typ: "String"}}
			}
		}
	}
	for _, nm := range s.intro.NonModels {
		var fields []sdlField
		for _, f := range nm.Fields {
			t, err := s.fieldType(f)
			if err != nil {
				return "", fmt.Errorf("data.model_introspection.nonModels.%s: %w", nm.Name, err)
			}
			fields = append(fields, sdlField{name: f.Name, typ: t})
		}
		objects[nm.Name] = fields
		types = append(types, nm.Name)
	}
	var head []string
	for _, n := range types {
		s.defined[n] = true
		head = append(head, renderType("type", n, s.typeDirs[n], objects[n]))
	}
	// Custom operations.
	for _, c := range []struct {
		ops  []*schema.CustomOperation
		dst  *[]string
		what string
	}{{s.intro.Queries, &s.query, "queries"}, {s.intro.Generations, &s.query, "generations"}, {s.intro.Mutations, &s.mutation, "mutations"}, {s.intro.Subscriptions, &s.subs, "subscriptions"}} {
		for _, op := range c.ops {
			f, err := s.customOperation(op)
			if err != nil {
				return "", fmt.Errorf("data.model_introspection.%s.%s: %w", c.what, op.Name, err)
			}
			*c.dst = append(*c.dst, f.String())
		}
	}
	for _, in := range s.intro.Inputs {
		var fields []sdlField
		for _, f := range in.Fields {
			t, err := s.inputType(f)
			if err != nil {
				return "", fmt.Errorf("data.model_introspection.inputs.%s: %w", in.Name, err)
			}
			fields = append(fields, sdlField{name: f.Name, typ: t})
		}
		s.define("input", in.Name, nil, fields)
	}

	var b strings.Builder
	for _, d := range head {
		b.WriteString(d + "\n")
	}
	for _, root := range []struct {
		name   string
		fields []string
	}{{"Query", s.query}, {"Mutation", s.mutation}, {"Subscription", s.subs}} {
		if len(root.fields) > 0 {
			b.WriteString("type " + root.name + " {\n" + strings.Join(root.fields, "\n") + "\n}\n\n")
		}
	}
	b.WriteString(prelude)
	for _, d := range s.defs {
		b.WriteString("\n" + d)
	}
	return b.String(), nil
}

// propagate gives the custom types a model reaches the model's providers,
// as propagateAuthDirectivesToNestedTypes does: the first model to reach a
// type gives it its directives, the next ones add what it lacks. Gen 2
// first gives every custom type @aws_iam. (The transformer's order also
// depends on the custom operations' rules, which model_introspection does
// not keep, so the order of a custom type's directives may differ.)
func (s *synth) propagate(typeName string, roles []*role, seen, visited map[string]bool) {
	if s.auth == nil {
		return
	}
	var fields []*schema.Field
	if mi := s.models[typeName]; mi != nil {
		fields = mi.Fields
	} else if nm := s.nonModels[typeName]; nm != nil {
		fields = nm.Fields
	}
	for _, f := range fields {
		n := f.Type.NonModel
		if f.Type.Model != "" && f.Association != nil && f.Association.ConnectionType == "HAS_MANY" && s.models[typeName] != nil {
			// A connection type is an object without @model: to the
			// transformer, a nested custom type.
			n = "Model" + f.Type.Model + "Connection"
		} else if n == "" || s.nonModels[n] == nil {
			continue
		}
		if visited[n] {
			continue
		}
		visited[n] = true
		if !seen[n] && s.auth.genericIAM && s.nonModels[n] != nil {
			s.typeDirs[n] = merge(s.typeDirs[n], "aws_iam")
		}
		s.typeDirs[n] = merge(s.typeDirs[n], s.auth.serviceDirectives(s.auth.providers(roles), seen[n])...)
		seen[n] = true
		s.propagate(n, roles, seen, visited)
	}
}

// modelFields are the fields of a model's type.
func (s *synth) modelFields(mi *modelInfo) ([]sdlField, error) {
	var out []sdlField
	for _, f := range mi.declared {
		t, err := s.fieldType(f)
		if err != nil {
			return nil, err
		}
		sf := sdlField{name: f.Name, typ: t}
		if f.Type.Model != "" {
			if f.Association == nil {
				continue // not a relationship: the transformer refuses it
			}
			if f.Association.ConnectionType == "HAS_MANY" {
				sf.args = "filter: Model" + f.Type.Model + "FilterInput, sortDirection: ModelSortDirection, limit: Int, nextToken: String"
				sf.typ = "Model" + f.Type.Model + "Connection"
			} else {
				sf.typ = wrap(f.Type.Model, false, f.IsRequired, false)
			}
		}
		out = append(out, sf)
	}
	if mi.autoID {
		out = append(out, sdlField{name: "id", typ: "ID!"})
	}
	for _, f := range mi.stamps {
		out = append(out, sdlField{name: f.Name, typ: "AWSDateTime!"})
	}
	for _, o := range mi.owners {
		out = append(out, sdlField{name: o, typ: "String"})
	}
	for _, f := range out {
		mi.fields[f.name] = f.typ
	}
	return out, nil
}

// filterFields are the fields the model transformer builds filters from:
// the declared ones, id and the timestamps.
func (mi *modelInfo) filterFields() []*schema.Field {
	fields := slices.Clone(mi.declared)
	if id := mi.Field("id"); id != nil && mi.autoID {
		fields = append(fields, id)
	} else if id == nil {
		fields = append(fields, &schema.Field{Name: "id", Type: schema.FieldType{Scalar: "ID"}, IsRequired: true})
	}
	return append(fields, mi.stamps...)
}

// keyConditionArg is the sort-key condition argument of a key whose
// fields are keys (partition key first); index is "" for the primary key.
func (s *synth) keyConditionArg(mi *modelInfo, keys []string, index string) (string, error) {
	sort := keys[1:]
	switch len(sort) {
	case 0:
		return "", nil
	case 1:
		f := mi.Field(sort[0])
		if f == nil {
			return "", fmt.Errorf("sort key field %s is not a field", sort[0])
		}
		cat := "String"
		if f.Type.Scalar != "" {
			cat = scalarCategory(f.Type.Scalar)
		}
		if cat != "String" && cat != "ID" && cat != "Int" && cat != "Float" {
			return "", fmt.Errorf("sort key field %s is a %s, which the transformer cannot condition", f.Name, f.Type.Scalar)
		}
		name := "Model" + cat + "KeyConditionInput"
		conds := []string{"eq", "le", "lt", "ge", "gt", "between"}
		if cat == "String" || cat == "ID" {
			conds = append(conds, "beginsWith")
		}
		var fields []string
		for _, c := range conds {
			t := cat
			if c == "between" {
				t = "[" + cat + "]"
			}
			fields = append(fields, c, t)
		}
		s.input(name, fields...)
		return sort[0] + ": " + name, nil
	}
	keyName := "Primary"
	if index != "" {
		keyName = upperFirst(index)
	}
	cond := "Model" + mi.Name + keyName + "CompositeKeyConditionInput"
	key := "Model" + mi.Name + keyName + "CompositeKeyInput"
	s.input(cond, "eq", key, "le", key, "lt", key, "ge", key, "gt", key, "between", "["+key+"]", "beginsWith", key)
	var fields []string
	for i, k := range sort {
		f := mi.Field(k)
		if f == nil {
			return "", fmt.Errorf("sort key field %s is not a field", k)
		}
		t := f.Type.Name()
		if c := scalarCategory(t); i == len(sort)-1 && c != "" && f.Type.Scalar != "" {
			t = c
		}
		fields = append(fields, k, t)
	}
	s.input(key, fields...)
	arg := ""
	for i, k := range sort {
		if i == 0 {
			arg += strings.ToLower(k[:1]) + k[1:]
		} else {
			arg += upperFirst(k)
		}
	}
	return arg + ": " + cond, nil
}

// keyType is the named type of a key field.
func keyType(mi *modelInfo, name string) (string, error) {
	f := mi.Field(name)
	if f == nil {
		if name == "id" {
			return "ID", nil
		}
		return "", fmt.Errorf("key field %s is not a field", name)
	}
	return f.Type.Name(), nil
}

// modelOperations writes a model's inputs and root fields.
func (s *synth) modelOperations(mi *modelInfo) error {
	name := mi.Name
	plural := mi.PluralName
	if plural == "" {
		plural = name + "s"
	}
	custom := !mi.autoID || mi.pk[0] != "id"
	// The model transformer names the connection and the inputs after the
	// model with its first letter upper-cased (ModelNoteConnection for
	// model note); the index and relational transformers after the model
	// as declared (ModelnoteConnection, ModelnoteFilterInput, with the
	// declared fields only). For a model named with a capital they are the
	// same types.
	conn := "Model" + upperFirst(name) + "Connection"
	filter := "Model" + upperFirst(name) + "FilterInput"
	condition := "Model" + upperFirst(name) + "ConditionInput"
	relConn, relFilter := "Model"+name+"Connection", "Model"+name+"FilterInput"
	opDirs := func(op string) []string { return s.auth.operationDirectives(mi.roles, op) }
	addTypeDirs := func(typ string, dirs []string) { s.typeDirs[typ] = merge(s.typeDirs[typ], dirs...) }

	// The connection types and the filter inputs.
	if mi.ops["list"] {
		s.connections[conn] = true
		addTypeDirs(conn, opDirs("list"))
	}
	related := len(mi.Indexes()) > 0 || s.isHasManyTarget(name)
	if related {
		var dirs []string
		for range mi.Indexes() {
			dirs = merge(dirs, opDirs("list")...)
			dirs = merge(dirs, opDirs("get")...)
		}
		s.connections[relConn] = true
		addTypeDirs(relConn, dirs)
	}
	// The filter input serves the list query, the index queries and the
	// hasMany fields, and the enum inputs the filter and the condition: a
	// model without them has none (disableOperations).
	anyMutation := mi.ops["create"] || mi.ops["update"] || mi.ops["delete"]
	hasFilter := mi.ops["list"] || related
	for _, f := range mi.filterFields() {
		if f.Type.Enum == "" || !hasFilter && !anyMutation {
			continue
		}
		in := s.filterInput(f)
		if strings.HasSuffix(in, "ListInput") {
			s.input(in, "eq", "["+f.Type.Enum+"]", "ne", "["+f.Type.Enum+"]", "contains", f.Type.Enum, "notContains", f.Type.Enum)
		} else {
			s.input(in, "eq", f.Type.Enum, "ne", f.Type.Enum)
		}
	}
	var fields []string
	for _, f := range mi.filterFields() {
		if s.isFilterable(f) {
			fields = append(fields, f.Name, s.filterInput(f))
		}
	}
	fields = append(fields, "and", "["+filter+"]", "or", "["+filter+"]", "not", filter)
	for _, o := range s.ownerEntities(mi) {
		if !slices.Contains(fieldNames(fields), o) {
			fields = append(fields, o, "ModelStringInput")
		}
	}
	if hasFilter {
		s.input(filter, fields...)
	}
	if related && relFilter != filter {
		var fields []string
		for _, f := range mi.declared {
			if s.isFilterable(f) {
				fields = append(fields, f.Name, s.filterInput(f))
			}
		}
		s.input(relFilter, append(fields, "and", "["+relFilter+"]", "or", "["+relFilter+"]", "not", relFilter)...)
	}

	// Queries.
	var pkArgs []string
	for _, k := range mi.pk {
		t, err := keyType(mi, k)
		if err != nil {
			return err
		}
		pkArgs = append(pkArgs, k+": "+t+"!")
	}
	if mi.ops["get"] {
		d := opDirs("get")
		addTypeDirs(name, d)
		s.query = append(s.query, sdlField{name: "get" + upperFirst(name), args: strings.Join(pkArgs, ", "), typ: name, dirs: d}.String())
	}
	if mi.ops["list"] {
		args := "filter: " + filter + ", limit: Int, nextToken: String"
		if custom {
			t, _ := keyType(mi, mi.pk[0])
			head := mi.pk[0] + ": " + t
			sk, err := s.keyConditionArg(mi, mi.pk, "")
			if err != nil {
				return err
			}
			if sk != "" {
				head += ", " + sk
			}
			args = head + ", " + args + ", sortDirection: ModelSortDirection"
		}
		s.query = append(s.query, sdlField{name: "list" + upperFirst(plural), args: args, typ: conn, dirs: opDirs("list")}.String())
	}
	for _, idx := range mi.Indexes() {
		if len(idx.Fields) == 0 {
			continue
		}
		t, err := keyType(mi, idx.Fields[0])
		if err != nil {
			return err
		}
		args := idx.Fields[0] + ": " + t + "!"
		sk, err := s.keyConditionArg(mi, idx.Fields, idx.Name)
		if err != nil {
			return err
		}
		if sk != "" {
			args += ", " + sk
		}
		args += ", sortDirection: ModelSortDirection, filter: " + relFilter + ", limit: Int, nextToken: String"
		d := merge(opDirs("list"), opDirs("get")...)
		s.query = append(s.query, sdlField{name: idx.QueryField, args: args, typ: relConn, dirs: d}.String())
	}

	// Mutations and their inputs.
	if anyMutation {
		// The index transformer removes the primary key fields from the
		// condition input, which it looks up by the model's declared name:
		// a model named in lower case keeps them.
		keysOut := upperFirst(name) == name
		var cf []string
		for _, f := range mi.declared {
			if s.isFilterable(f) && !(keysOut && slices.Contains(mi.pk, f.Name)) && !(f.Name == "id" && f.Type.Scalar == "ID") {
				cf = append(cf, f.Name, s.filterInput(f))
			}
		}
		cf = append(cf, "and", "["+condition+"]", "or", "["+condition+"]", "not", condition)
		for _, f := range mi.stamps {
			cf = append(cf, f.Name, "ModelStringInput")
		}
		for _, o := range s.ownerEntities(mi) {
			if !slices.Contains(fieldNames(cf), o) {
				cf = append(cf, o, "ModelStringInput")
			}
		}
		s.input(condition, cf...)
	}
	var createFields, updateFields []string
	for _, f := range mi.declared {
		if f.Type.Model != "" {
			continue
		}
		t, err := s.inputType(f)
		if err != nil {
			return err
		}
		if f.Type.NonModel != "" {
			if err := s.nonModelInput(f.Type.NonModel, map[string]bool{}); err != nil {
				return err
			}
		}
		createFields = append(createFields, f.Name, t)
		ut := nullable(t)
		if custom && slices.Contains(mi.pk, f.Name) {
			ut = baseType(t) + "!"
		}
		updateFields = append(updateFields, f.Name, ut)
	}
	if mi.autoID {
		createFields = append(createFields, "id", "ID")
		updateFields = append(updateFields, "id", "ID!")
	}
	var deleteFields []string
	for _, k := range mi.pk {
		t, err := keyType(mi, k)
		if err != nil {
			return err
		}
		deleteFields = append(deleteFields, k, t+"!")
	}
	for _, m := range []struct {
		op, input string
		fields    []string
	}{
		{"create", "Create" + upperFirst(name) + "Input", createFields},
		{"update", "Update" + upperFirst(name) + "Input", updateFields},
		{"delete", "Delete" + upperFirst(name) + "Input", deleteFields},
	} {
		if !mi.ops[m.op] {
			continue
		}
		s.input(m.input, m.fields...)
		d := opDirs(m.op)
		addTypeDirs(name, d)
		s.mutation = append(s.mutation, sdlField{name: m.op + upperFirst(name),
			args: "input: " + m.input + "!, condition: " + condition, typ: name, dirs: d}.String())
	}

	// Subscriptions.
	anySub := mi.ops["onCreate"] || mi.ops["onUpdate"] || mi.ops["onDelete"]
	if anySub {
		subFilter := "ModelSubscription" + upperFirst(name) + "FilterInput"
		dynamic := map[string]bool{}
		for _, r := range mi.roles {
			if !r.static && (r.provider == "userPools" || r.provider == "oidc") {
				dynamic[r.entity] = true
			}
		}
		var sf []string
		for _, f := range mi.filterFields() {
			if s.isFilterable(f) && !dynamic[f.Name] {
				sf = append(sf, f.Name, s.subscriptionFilterInput(f))
			}
		}
		sf = append(sf, "and", "["+subFilter+"]", "or", "["+subFilter+"]")
		for _, o := range s.ownerEntities(mi) {
			if !slices.Contains(fieldNames(sf), o) {
				sf = append(sf, o, "ModelStringInput")
			}
		}
		s.input(subFilter, sf...)
		args := "filter: " + subFilter
		for _, r := range rolesFor(mi.roles, "listen") {
			if r.strategy == "owner" && !strings.HasPrefix(mi.fields[r.entity], "[") {
				args += ", " + r.entity + ": String"
			}
		}
		for _, sub := range []struct{ op, mutation string }{{"onCreate", "create"}, {"onUpdate", "update"}, {"onDelete", "delete"}} {
			if !mi.ops[sub.op] {
				continue
			}
			d := opDirs("listen")
			addTypeDirs(name, d)
			dirs := append([]string{`aws_subscribe(mutations: ["` + sub.mutation + upperFirst(name) + `"])`}, d...)
			s.subs = append(s.subs, sdlField{name: sub.op + upperFirst(name), args: args, typ: name, dirs: dirs}.String())
		}
	}
	return nil
}

// ownerEntities are the owner fields of a model's owner rules, in rule
// order.
func (s *synth) ownerEntities(mi *modelInfo) []string {
	var out []string
	for _, r := range mi.roles {
		if r.strategy == "owner" && !slices.Contains(out, r.entity) {
			out = append(out, r.entity)
		}
	}
	return out
}

func fieldNames(pairs []string) []string {
	var out []string
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, pairs[i])
	}
	return out
}

func (s *synth) isHasManyTarget(model string) bool {
	for _, m := range s.intro.Models {
		for _, f := range m.Fields {
			if f.Type.Model == model && f.Association != nil && f.Association.ConnectionType == "HAS_MANY" {
				return true
			}
		}
	}
	return false
}

// nonModelInput writes the <Type>Input of a custom type and of the custom
// types it holds.
func (s *synth) nonModelInput(name string, seen map[string]bool) error {
	if seen[name] {
		return nil
	}
	seen[name] = true
	nm := s.nonModels[name]
	if nm == nil {
		return fmt.Errorf("custom type %s is not among nonModels", name)
	}
	var fields, nested []string
	for _, f := range nm.Fields {
		t, err := s.inputType(f)
		if err != nil {
			return err
		}
		fields = append(fields, f.Name, t)
		if f.Type.NonModel != "" {
			nested = append(nested, f.Type.NonModel)
		}
	}
	s.input(nonModelInputName(name), fields...)
	for _, n := range nested {
		if err := s.nonModelInput(n, seen); err != nil {
			return err
		}
	}
	return nil
}

// customOperation is the root field of a custom query, mutation or
// subscription.
func (s *synth) customOperation(op *schema.CustomOperation) (sdlField, error) {
	ret, err := s.fieldType(&schema.Field{Name: op.Name, Type: op.Type, IsArray: op.IsArray, IsRequired: op.IsRequired, IsArrayNullable: op.IsArrayNullable})
	if err != nil {
		return sdlField{}, err
	}
	var args []string
	for _, a := range op.Arguments {
		f := &schema.Field{Name: a.Name, Type: a.Type, IsArray: a.IsArray, IsRequired: a.IsRequired, IsArrayNullable: a.IsArrayNullable}
		t, err := s.inputType(f)
		if err != nil {
			return sdlField{}, err
		}
		if a.Type.NonModel != "" {
			if err := s.nonModelInput(a.Type.NonModel, map[string]bool{}); err != nil {
				return sdlField{}, err
			}
		}
		args = append(args, a.Name+": "+t)
	}
	return sdlField{name: op.Name, args: strings.Join(args, ", "), typ: ret}, nil
}

// ---------------------------------------------------------------------------
// Disagreements of a real schema with model_introspection

// SchemaDisagreements lists where the AppSync schema sch disagrees with
// intro: a model or custom type, or one of their fields, missing or of
// another type than the transformer gives it; an enum missing or with
// other values; a custom query or mutation missing, or with other
// arguments or another return type. An empty list means the schema has
// everything model_introspection describes (it may have more).
func SchemaDisagreements(intro *schema.ModelIntrospection, sch *appsync.Schema) []string {
	var out []string
	want, err := SynthesizeSchema(intro)
	if err != nil {
		return []string{fmt.Sprintf("model_introspection: %v", err)}
	}
	say := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	objects := func(kind string, names []string) {
		for _, n := range names {
			w, g := want.Types[n], sch.Types[n]
			if g == nil || g.Kind != ast.Object {
				say("%s %s: the AppSync schema has no type %s", kind, n, n)
				continue
			}
			for _, f := range w.Fields {
				gf := g.Fields.ForName(f.Name)
				switch {
				case gf == nil:
					say("%s %s: field %s (%s) is missing from the AppSync schema", kind, n, f.Name, f.Type)
				case gf.Type.String() != f.Type.String():
					say("%s %s: field %s is %s in the AppSync schema, %s in model_introspection", kind, n, f.Name, gf.Type, f.Type)
				}
			}
		}
	}
	var models, nonModels []string
	for _, m := range intro.Models {
		models = append(models, m.Name)
	}
	for _, nm := range intro.NonModels {
		nonModels = append(nonModels, nm.Name)
	}
	objects("model", models)
	objects("custom type", nonModels)
	for _, e := range intro.Enums {
		g := sch.Types[e.Name]
		if g == nil || g.Kind != ast.Enum {
			say("enum %s: the AppSync schema has no enum %s", e.Name, e.Name)
			continue
		}
		var vals []string
		for _, v := range g.EnumValues {
			vals = append(vals, v.Name)
		}
		if !slices.Equal(vals, e.Values) {
			say("enum %s: its values are %s in the AppSync schema, %s in model_introspection", e.Name, strings.Join(vals, ", "), strings.Join(e.Values, ", "))
		}
	}
	for _, c := range []struct {
		what, kind string
		ops        []*schema.CustomOperation
		want, got  *ast.Definition
	}{{"custom query", "query", intro.Queries, want.Query, sch.Query}, {"generation", "query", intro.Generations, want.Query, sch.Query},
		{"custom mutation", "mutation", intro.Mutations, want.Mutation, sch.Mutation}} {
		for _, op := range c.ops {
			var g *ast.FieldDefinition
			if c.got != nil {
				g = c.got.Fields.ForName(op.Name)
			}
			if g == nil {
				say("%s %s: the AppSync schema has no %s field %s", c.what, op.Name, c.kind, op.Name)
				continue
			}
			w := c.want.Fields.ForName(op.Name)
			if g.Type.String() != w.Type.String() {
				say("%s %s: returns %s in the AppSync schema, %s in model_introspection", c.what, op.Name, g.Type, w.Type)
			}
			for _, a := range w.Arguments {
				ga := g.Arguments.ForName(a.Name)
				switch {
				case ga == nil:
					say("%s %s: argument %s (%s) is missing from the AppSync schema", c.what, op.Name, a.Name, a.Type)
				case ga.Type.String() != a.Type.String():
					say("%s %s: argument %s is %s in the AppSync schema, %s in model_introspection", c.what, op.Name, a.Name, ga.Type, a.Type)
				}
			}
			for _, ga := range g.Arguments {
				if w.Arguments.ForName(ga.Name) == nil {
					say("%s %s: the AppSync schema has argument %s (%s), which model_introspection lacks", c.what, op.Name, ga.Name, ga.Type)
				}
			}
		}
	}
	return out
}
