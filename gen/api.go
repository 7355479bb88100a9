package gen

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/go-amplify/data/schema"
	"github.com/go-amplify/data/schema/appsync"
)

// api is everything the templates and documents need, derived from the
// AppSync schema and model_introspection. Building it is the one place
// that decides names and Go types.
type api struct {
	Package   string
	PkgPath   string
	Models    []*modelAPI
	Queries   []*operation
	Mutations []*operation
	// Subscriptions are the custom subscriptions.
	Subscriptions []*operation
	Enums         []*enumType
	Inputs        []*inputType
	Fragments     []*fragment
	Operations    []*operation // every operation, in file order
	// DateTimeKey is set when a sort key on an AWSDateTime field has a
	// condition (dateTimeKeys).
	DateTimeKey *dateTimeKey
	// UserOps are the operations written by hand in graphql/custom, and
	// userFiles their files.
	UserOps   []*operation
	userFiles []string
	userDocs  []string // the text of each of userFiles
	// warnings are what Generate passes to Config.Warn.
	warnings []string
	// synthesized is set when the schema was synthesized from
	// model_introspection; customFields are the root fields of custom
	// operations, and unknownAuth those whose modes are unknown.
	synthesized  bool
	customFields map[string]bool
	unknownAuth  []string
	// defaultModes are the modes of the API's default authorization type.
	defaultModes []schema.AuthMode

	sch       *appsync.Schema
	intro     *schema.ModelIntrospection
	names     *namer
	fragments map[string]*fragment // by GraphQL type name
	enums     map[string]*enumType
	inputs    map[string]*inputType
	models    map[string]bool // GraphQL type names that are models
	// updateInputs are the Update<Model>Input types, the model's name
	// upper-cased as the transformer does (UpdateNoteInput for note).
	updateInputs map[string]bool
}

type modelAPI struct {
	Name        string // GraphQL type
	GoName      string // Go type of the model's fragment: Todo
	Field       string // field of Models: Todo, even when the type had to be renamed
	Facade      string // TodoModel
	Identifier  *argsType
	ListOptions *argsType
	Get         *operation
	List        *operation
	Create      *operation
	Update      *operation
	Delete      *operation
	// DeleteByIdentifier is set when DeleteXInput holds exactly the
	// identifier's fields, so Delete can take the identifier.
	DeleteByIdentifier bool
	// Indexes are the secondary indexes that have a query field.
	Indexes []*indexAPI
	// Relations are the lazy loaders of the relationship fields.
	Relations []*relationAPI
	// Subscriptions are onCreate, onUpdate and onDelete, those the schema
	// has; Observe is set when all three and List exist.
	Subscriptions []*subscriptionAPI
	Observe       bool
	// KeyExpr is the Go expression of an item's primary key as a string,
	// for the item named it (ObserveQuery).
	KeyExpr string
	// SubFilter is the Go type of the subscriptions' filter
	// (ModelSubscription<M>FilterInput), and Aliases the Go expression of
	// the map from the fragment's aliased JSON names to the fields' names
	// (ObserveQuery).
	SubFilter, Aliases string
}

// subscriptionAPI is a model's subscription method: OnCreate, OnUpdate or
// OnDelete, with its options struct.
type subscriptionAPI struct {
	Method  string // OnCreate
	Options *argsType
	Op      *operation
}

// indexAPI is the list method of a secondary index's query field, as
// client.models.Post.listPostsByStatus in JavaScript.
type indexAPI struct {
	Method  string // ListPostsByStatus
	Options *argsType
	Op      *operation
}

type operation struct {
	Name     string // GraphQL operation name: CreateTodo
	Go       string // prefix of genqlient's Go names for it: createTodo (unexported), or Name for a hand-written one
	Method   string // the facade's method of a custom operation: AddUserToGroup
	User     bool   // written by hand in graphql/custom, not by the generator
	Kind     string // query or mutation
	Field    string // createTodo
	Doc      string
	Vars     []*variable
	Auth     []schema.AuthMode // allowed auth modes, in the schema's order
	Result   string            // Go type of the response field
	RespName string            // Go field of the response struct: CreateTodo
	Args     *argsType         // the arguments struct of a custom operation
	Text     string            // the GraphQL document
	Call     string            // the facade's arguments to the genqlient function
	// EventType and HandlerType name the function side of a custom
	// operation: the event its Lambda receives and the handler's type.
	EventType, HandlerType string
	// CallIf is Call with the caller's condition (UpdateIf, DeleteIf);
	// empty when the mutation takes no condition.
	CallIf string
	// Condition is the Go type of the condition parameter.
	Condition string
}

type variable struct {
	Name    string // GraphQL variable name (no $), never a Go keyword
	Arg     string // field argument name
	Type    *ast.Type
	GoType  string // Go type of genqlient's parameter
	GoField string // field of the args struct
	Omit    bool   // sent only when set (omitempty)
	RawJSON bool   // AWSJSON: pointer: false
	// ValueElems: a list whose elements are values (pointer: false).
	ValueElems bool
	// Conv, if set, converts the args field to genqlient's parameter
	// (.input() of a DateTimeKeyCondition).
	Conv string
}

// argsType is a struct the facade takes: a custom operation's arguments,
// a model's identifier, or a list call's options. Its fields are the
// operation's variables.
type argsType struct {
	GoName string
	Doc    string
	Fields []*variable
}

// call lists the fields of a value named recv, as genqlient's parameters.
func (t *argsType) call(recv string) string {
	parts := make([]string, len(t.Fields))
	for i, f := range t.Fields {
		parts[i] = recv + "." + f.GoField + f.Conv
	}
	return strings.Join(parts, ", ")
}

// dateTimeKeys gives the sort-key conditions of op on AWSDateTime fields
// of the model the Go type DateTimeKeyCondition, whose bounds are
// time.Time: the schema types them ModelStringKeyConditionInput, whose
// strings the caller would have to format as the stored values are.
func (a *api) dateTimeKeys(model string, op *operation) {
	def := a.sch.Types[model]
	for _, v := range op.Vars {
		if v.Type.Elem != nil || v.Type.Name() != "ModelStringKeyConditionInput" {
			continue
		}
		f := def.Fields.ForName(v.Arg)
		if f == nil || f.Type.Name() != "AWSDateTime" {
			continue
		}
		if a.DateTimeKey == nil {
			a.DateTimeKey = &dateTimeKey{GoName: a.names.name("DateTimeKeyCondition"), Input: strings.TrimPrefix(v.GoType, "*")}
		}
		v.GoType, v.Conv = "*"+a.DateTimeKey.GoName, ".input()"
	}
}

// dateTimeKey is the DateTimeKeyCondition type, when a sort key needs it.
type dateTimeKey struct {
	GoName string // DateTimeKeyCondition
	Input  string // Go type of ModelStringKeyConditionInput
}

type enumType struct {
	Name   string
	GoName string
	Values []enumValue
}

type enumValue struct{ GoName, Value string }

type inputType struct {
	Name     string
	GoName   string
	Doc      string
	TriState bool
	Fields   []*inputField
	HasJSON  bool
}

type inputField struct {
	Name    string
	GoName  string
	GoType  string
	Tag     string
	JSON    string // Go expression converting an AWSJSON field for the wire, if any
	JSONTyp string
}

type fragment struct {
	Name   string // fragment name == Go type
	Type   string // GraphQL type
	Fields []fragmentField
	Text   string
}

type fragmentField struct {
	Alias    string // set when Go's spelling differs from genqlient's
	Name     string
	Fragment string // nested fragment to spread
	RawJSON  bool
	// ValueList: a list of scalars or enums, whose elements are values.
	ValueList bool
}

// apiOptions say where the schema came from.
type apiOptions struct {
	// synthesized: the schema was synthesized from model_introspection,
	// which does not record the auth rules of custom operations.
	synthesized bool
}

func buildAPI(pkg, pkgPath string, out *schema.Outputs, sch *appsync.Schema, opt apiOptions) (*api, error) {
	if out.Data == nil || out.Data.ModelIntrospection == nil {
		return nil, fmt.Errorf("amplify outputs have no data.model_introspection: run `npx ampx generate outputs` with a backend that has defineData")
	}
	a := &api{
		Package: pkg, PkgPath: pkgPath,
		sch: sch, intro: out.Data.ModelIntrospection,
		fragments: map[string]*fragment{}, enums: map[string]*enumType{},
		inputs: map[string]*inputType{}, models: map[string]bool{}, updateInputs: map[string]bool{},
		names:       newNamer("Client", "New", "Models", "Queries", "Mutations", "Subscriptions", "Option"),
		synthesized: opt.synthesized, customFields: map[string]bool{},
		defaultModes: out.Data.DefaultAuthorizationType.Modes(),
	}
	for _, ops := range [][]*schema.CustomOperation{a.intro.Queries, a.intro.Generations, a.intro.Mutations, a.intro.Subscriptions} {
		for _, op := range ops {
			a.customFields[op.Name] = true
		}
	}
	for _, m := range a.intro.Models {
		a.models[m.Name] = true
		a.updateInputs["Update"+upperFirst(m.Name)+"Input"] = true
	}
	for _, m := range a.intro.Models {
		if sch.Types[m.Name] == nil {
			return nil, fmt.Errorf("data.model_introspection.models.%s: the AppSync schema %s has no type %s: generate both from the same backend", m.Name, sch.Name, m.Name)
		}
	}
	for _, m := range a.intro.Models {
		if err := a.addModel(m); err != nil {
			return nil, err
		}
	}
	a.addRelations()
	// Custom types take their names before the operations, so that
	// Go's names for them match the schema's.
	for _, nm := range a.intro.NonModels {
		if def := sch.Types[nm.Name]; def != nil && def.Kind == ast.Object {
			a.fragment(def)
		}
	}
	for _, q := range a.intro.Queries {
		op, err := a.customOperation("query", q)
		if err != nil {
			return nil, err
		}
		a.Queries = append(a.Queries, op)
	}
	// A generation route (a.generation) is a query that answers with the
	// route's type: Queries holds it as the custom queries, until the
	// typed AI API gives it a place of its own.
	for _, q := range a.intro.Generations {
		op, err := a.customOperation("generation", q)
		if err != nil {
			return nil, err
		}
		a.Queries = append(a.Queries, op)
	}
	for _, q := range a.intro.Mutations {
		op, err := a.customOperation("mutation", q)
		if err != nil {
			return nil, err
		}
		a.Mutations = append(a.Mutations, op)
	}
	for _, q := range a.intro.Subscriptions {
		op, err := a.customOperation("subscription", q)
		if err != nil {
			return nil, err
		}
		a.Subscriptions = append(a.Subscriptions, op)
	}
	for _, e := range a.intro.Enums {
		if def := sch.Types[e.Name]; def != nil && def.Kind == ast.Enum {
			a.enum(def)
		}
	}
	a.authWarnings()
	return a, nil
}

// authWarnings says where OperationAuthModes could not be known.
func (a *api) authWarnings() {
	if a.sch.FromIntrospection {
		a.warnings = append(a.warnings, "introspection JSON carries no @aws_* directive, so OperationAuthModes has no entries "+
			"and the client calls every operation with its default mode (or, when that is not configured, another configured one): "+
			"give -schema the AppSync schema as SDL (schema.graphql) for each operation's modes")
	}
	if len(a.unknownAuth) > 0 {
		names := slices.Sorted(slices.Values(a.unknownAuth))
		a.warnings = append(a.warnings, fmt.Sprintf("model_introspection does not record the auth rules of custom operations, so OperationAuthModes has no entry for %s: "+
			"the client calls them with its default mode (or, when that is not configured, another configured one), as the JavaScript client does; "+
			"pass -schema with the backend's AppSync schema for their modes, or client.WithAuthMode per call", strings.Join(names, ", ")))
	}
}

// isRoot reports whether name is the schema's query, mutation or
// subscription type.
func (a *api) isRoot(name string) bool {
	for _, r := range []*ast.Definition{a.sch.Query, a.sch.Mutation, a.sch.Subscription} {
		if r != nil && r.Name == name {
			return true
		}
	}
	return false
}

// fragmentSpread matches a fragment spread; "... on T" is an inline
// fragment, whose match is "on".
var fragmentSpread = regexp.MustCompile(`\.\.\.\s*([_A-Za-z][_0-9A-Za-z]*)`)

// dropUnused removes what no operation reaches, once every operation is
// known (the hand-written ones too): genqlient refuses a fragment that no
// operation spreads, and a model whose every operation is disabled
// (disableOperations) has nothing to call.
func (a *api) dropUnused() {
	byName := map[string]*fragment{}
	for _, f := range a.Fragments {
		byName[f.Name] = f
	}
	used := map[string]bool{}
	var reach func(text string)
	reach = func(text string) {
		for _, m := range fragmentSpread.FindAllStringSubmatch(text, -1) {
			if f := byName[m[1]]; f != nil && !used[f.Name] {
				used[f.Name] = true
				reach(f.Text)
			}
		}
	}
	for _, op := range a.Operations {
		reach(op.Text)
	}
	for _, d := range a.userDocs {
		reach(d)
	}
	a.Fragments = slices.DeleteFunc(a.Fragments, func(f *fragment) bool { return !used[f.Name] })
	a.Models = slices.DeleteFunc(a.Models, func(m *modelAPI) bool {
		return m.Get == nil && m.List == nil && m.Create == nil && m.Update == nil && m.Delete == nil &&
			len(m.Indexes) == 0 && len(m.Subscriptions) == 0
	})
}

func (a *api) addModel(m *schema.Model) error {
	frag := a.fragment(a.sch.Types[m.Name])
	mm := &modelAPI{Name: m.Name, GoName: frag.Name, Field: goName(m.Name), Facade: a.names.name(goName(m.Name) + "Model")}
	plural := m.PluralName
	if plural == "" {
		plural = m.Name + "s"
	}
	// The transformer names the operations after the model with its first
	// letter upper-cased (toUpper): model note has getNote and listNotes.
	name, plural := upperFirst(m.Name), upperFirst(plural)
	for _, o := range []struct {
		dst               **operation
		kind, field, verb string
	}{
		{&mm.Get, "query", "get" + name, "reads a"},
		{&mm.List, "query", "list" + plural, "lists"},
		{&mm.Create, "mutation", "create" + name, "creates a"},
		{&mm.Update, "mutation", "update" + name, "updates a"},
		{&mm.Delete, "mutation", "delete" + name, "deletes a"},
	} {
		*o.dst = a.modelOperation(o.kind, o.field, o.verb, frag, o.dst == &mm.List)
	}
	if op := mm.Get; op != nil {
		mm.Identifier = &argsType{GoName: a.names.name(frag.Name + "Identifier"),
			Doc: fmt.Sprintf("%sIdentifier is the primary key of a %s.", frag.Name, m.Name), Fields: op.Vars}
		op.Call = mm.Identifier.call("id")
	}
	if op := mm.List; op != nil {
		a.dateTimeKeys(m.Name, op)
		mm.ListOptions = &argsType{GoName: a.names.name(frag.Name + "ListOptions"),
			Doc:    fmt.Sprintf("%sListOptions are the arguments of %s: filter, page size and the token of the page to read.", frag.Name, op.Field),
			Fields: op.Vars}
		op.Call = mm.ListOptions.call("o")
	}
	for _, ev := range []string{"Create", "Update", "Delete"} {
		op := a.modelOperation("subscription", "on"+ev+name, "subscribes to", frag, false)
		if op == nil {
			continue
		}
		op.Doc = fmt.Sprintf("%s subscribes to the %s items %sd (subscription %s).", op.Name, m.Name, strings.ToLower(ev), op.Field)
		sub := &subscriptionAPI{Method: "On" + ev, Op: op, Options: &argsType{GoName: a.names.name(op.Name + "Options"), Fields: op.Vars}}
		sub.Options.Doc = fmt.Sprintf("%s are the arguments of the subscription %s: a filter (ModelSubscription%sFilterInput) and, for owner rules, the owner.", sub.Options.GoName, op.Field, m.Name)
		op.Call = sub.Options.call("o")
		mm.Subscriptions = append(mm.Subscriptions, sub)
	}
	mm.KeyExpr = a.keyExpr(m)
	mm.SubFilter, mm.Aliases = a.observeFilter(mm, frag)
	mm.Observe = len(mm.Subscriptions) == 3 && mm.List != nil && mm.KeyExpr != "" && mm.SubFilter != ""
	for _, idx := range m.Indexes() {
		op := a.modelOperation("query", idx.QueryField, "lists", frag, true)
		if op == nil {
			continue
		}
		a.dateTimeKeys(m.Name, op)
		method := goName(idx.QueryField)
		ix := &indexAPI{Method: method, Op: op, Options: &argsType{GoName: a.names.name(method + "Options"),
			Fields: op.Vars}}
		ix.Options.Doc = fmt.Sprintf("%s are the arguments of %s, the query of the index %s: its key, sort-key condition and direction, filter, page size and page token.", ix.Options.GoName, idx.QueryField, idx.Name)
		op.Call = ix.Options.call("o")
		mm.Indexes = append(mm.Indexes, ix)
	}
	// Create, Update and Delete pass their input and, when the caller
	// gives one (UpdateIf, DeleteIf), a condition.
	for _, op := range []*operation{mm.Create, mm.Update, mm.Delete} {
		if op != nil {
			op.Call = "input" + strings.Repeat(", nil", len(op.Vars)-1)
		}
	}
	if mm.Delete != nil && mm.Identifier != nil {
		if in := a.deleteInputFromIdentifier(mm); in != "" {
			mm.DeleteByIdentifier = true
			mm.Delete.Call = in + strings.Repeat(", nil", len(mm.Delete.Vars)-1)
		}
	}
	for _, op := range []*operation{mm.Update, mm.Delete} {
		if op != nil && len(op.Vars) == 2 && op.Vars[1].Arg == "condition" {
			op.CallIf = strings.TrimSuffix(op.Call, ", nil") + ", condition"
			op.Condition = op.Vars[1].GoType
		}
	}
	a.Models = append(a.Models, mm)
	return nil
}

// observeFilter returns what ObserveQuery needs to carry the list's
// filter to the subscriptions: the Go type of their common filter, "" when
// they lack one or List has none, and the aliases of frag.
func (a *api) observeFilter(mm *modelAPI, frag *fragment) (subFilter, aliases string) {
	if mm.List == nil || !slices.ContainsFunc(mm.List.Vars, func(v *variable) bool { return v.GoField == "Filter" }) {
		return "", ""
	}
	for _, sub := range mm.Subscriptions {
		i := slices.IndexFunc(sub.Options.Fields, func(v *variable) bool { return v.Arg == "filter" && v.GoField == "Filter" })
		if i < 0 {
			return "", ""
		}
		t := strings.TrimPrefix(sub.Options.Fields[i].GoType, "*")
		if subFilter != "" && t != subFilter {
			return "", ""
		}
		subFilter = t
	}
	var pairs []string
	for _, f := range frag.Fields {
		if f.Alias != "" {
			pairs = append(pairs, fmt.Sprintf("%q: %q", f.Alias, f.Name))
		}
	}
	aliases = "nil"
	if len(pairs) > 0 {
		aliases = "map[string]string{" + strings.Join(pairs, ", ") + "}"
	}
	return subFilter, aliases
}

// deleteInputFromIdentifier returns the Go expression that builds
// Delete<Model>Input from an identifier id when the input holds exactly the
// identifier's fields with the same types, and "" otherwise.
func (a *api) deleteInputFromIdentifier(mm *modelAPI) string {
	it := a.inputs[mm.Delete.Vars[0].Type.Name()]
	if it == nil || len(it.Fields) != len(mm.Identifier.Fields) {
		return ""
	}
	parts := make([]string, len(it.Fields))
	for i, f := range it.Fields {
		id := mm.Identifier.Fields[i]
		if f.Name != id.Arg || f.GoType != id.GoType {
			return ""
		}
		parts[i] = f.GoName + ": id." + id.GoField
	}
	return it.GoName + "{" + strings.Join(parts, ", ") + "}"
}

// modelOperation describes one of a model's five operations, or returns
// nil when the schema lacks its field (disableOperations).
func (a *api) modelOperation(kind, field, verb string, frag *fragment, list bool) *operation {
	root := a.root(kind)
	if root == nil {
		return nil
	}
	def := root.Fields.ForName(field)
	if def == nil {
		return nil
	}
	op := a.newOperation(kind, def, root.Name)
	op.Doc = fmt.Sprintf("%s %s %s (%s %s).", op.Name, verb, frag.Type, kind, field)
	sel := spread(frag.Name)
	if list {
		sel = fmt.Sprintf("{\n    # @genqlient(flatten: true)\n    items %s\n    nextToken\n  }", strings.ReplaceAll(sel, "\n", "\n  "))
		op.Result = "[]*" + frag.Name
	} else {
		op.Result = goTypeFor(def.Type, frag.Name, false, false)
	}
	op.Text = a.document(op, def, sel, !list)
	return op
}

// newOperation names an operation after its field, as the JavaScript
// client's statements do (createTodo: CreateTodo), and makes its variables.
func (a *api) newOperation(kind string, def *ast.FieldDefinition, rootName string) *operation {
	// A custom operation named like a type (query postStats returning
	// PostStats) leaves the type its name: the function becomes
	// PostStatsQuery.
	op := &operation{Name: a.names.nameOr(goName(def.Name), goName(def.Name)+upperFirst(kind)), Method: goName(def.Name), Kind: kind, Field: def.Name, RespName: upperFirst(def.Name)}
	op.Go = goPrefix(op)
	for _, n := range []string{op.Name + "Response", op.Name + "_Operation", "__" + op.Name + "Input"} {
		a.names.used[n] = true // the names genqlient derives from the operation
	}
	fields := newNamer()
	for _, arg := range def.Arguments {
		v := &variable{Name: safeVariable(arg.Name), Arg: arg.Name, Type: arg.Type, Omit: !arg.Type.NonNull}
		v.GoField = fields.name(goName(arg.Name))
		v.GoType, v.RawJSON = a.inputGoType(arg.Type, false)
		if arg.Type.Elem != nil {
			// A list argument holds values, as the lists of our input
			// structs do (listRule).
			v.GoType, _ = a.inputGoType(arg.Type, true)
			v.ValueElems = true
		}
		op.Vars = append(op.Vars, v)
	}
	op.Auth = a.auth(rootName, def.Name)
	a.Operations = append(a.Operations, op)
	return op
}

// spread is a selection of exactly one fragment.
func spread(fragment string) string { return "{\n    ..." + fragment + "\n  }" }

func (a *api) root(kind string) *ast.Definition {
	switch kind {
	case "mutation":
		return a.sch.Mutation
	case "subscription":
		return a.sch.Subscription
	}
	return a.sch.Query
}

func (a *api) customOperation(kind string, c *schema.CustomOperation) (*operation, error) {
	section := "queries"
	switch kind {
	case "mutation":
		section = "mutations"
	case "subscription":
		section = "subscriptions"
	case "generation":
		section, kind = "generations", "query"
	}
	root := a.root(kind)
	var def *ast.FieldDefinition
	if root != nil {
		def = root.Fields.ForName(c.Name)
	}
	if def == nil {
		return nil, fmt.Errorf("data.model_introspection.%s.%s: the AppSync schema %s has no %s field %s: generate both from the same backend", section, c.Name, a.sch.Name, kind, c.Name)
	}
	op := a.newOperation(kind, def, root.Name)
	op.Doc = fmt.Sprintf("%s calls the custom %s %s.", op.Name, kind, c.Name)
	if section == "generations" {
		op.Doc = fmt.Sprintf("%s calls the query %s of the generation route %s (a.generation).", op.Name, c.Name, c.Name)
	}
	op.Args = &argsType{GoName: a.names.name(op.Method + "Args"), Fields: op.Vars}
	if kind != "subscription" {
		op.EventType = a.names.name(op.Method + "Event")
		op.HandlerType = a.names.name(op.Method + "Handler")
	}
	op.Args.Doc = fmt.Sprintf("%s are the arguments of the %s %s.", op.Args.GoName, kind, c.Name)
	op.Call = op.Args.call("args")
	sel := ""
	base := a.sch.Types[def.Type.Name()]
	leaf := ""
	raw := false
	switch base.Kind {
	case ast.Object:
		leaf = a.fragment(base).Name
		sel = spread(leaf)
	case ast.Enum:
		leaf = a.enum(base).GoName
	case ast.Scalar:
		leaf, raw = scalarGoType(base.Name)
	default:
		return nil, fmt.Errorf("data.model_introspection.%s.%s: return type %s is a %s, which this generator does not support yet", section, c.Name, base.Name, strings.ToLower(string(base.Kind)))
	}
	op.Result = goTypeFor(def.Type, leaf, raw, a.valueList(def.Type))
	op.Text = a.document(op, def, sel, sel != "")
	return op, nil
}

// auth lists the modes that AppSync allows for the field: those of its
// @aws_* directives, else those of its type's, else the API's default
// mode alone (AppSync allows nothing else on a field without directives).
// It returns nil when the modes are unknown: the schema came from
// introspection JSON (no applied directives), or it was synthesized and
// the field is a custom operation's (model_introspection does not record
// their rules). A nil entry makes the client use its default mode.
func (a *api) auth(typeName, field string) []schema.AuthMode {
	if a.sch.FromIntrospection {
		return nil
	}
	if a.synthesized && a.isRoot(typeName) && a.customFields[field] {
		if !slices.Contains(a.unknownAuth, field) {
			a.unknownAuth = append(a.unknownAuth, field)
		}
		return nil
	}
	dirs := a.sch.AuthDirectives(typeName, field)
	if dirs == nil {
		return a.defaultModes
	}
	var modes []schema.AuthMode
	for _, d := range dirs {
		for _, m := range d.Modes() {
			if !slices.Contains(modes, m) {
				modes = append(modes, m)
			}
		}
	}
	return modes
}

// document renders an operation: variables with their genqlient options,
// the field with its arguments, and the selection.
func (a *api) document(op *operation, def *ast.FieldDefinition, sel string, flatten bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n%s %s", op.Doc, op.Kind, op.Name)
	if len(op.Vars) > 0 {
		b.WriteString("(\n")
		for _, v := range op.Vars {
			switch {
			case v.RawJSON:
				b.WriteString("  # @genqlient(pointer: false)\n")
			case v.Omit && v.ValueElems:
				b.WriteString("  # @genqlient(omitempty: true, pointer: false)\n")
			case v.Omit:
				b.WriteString("  # @genqlient(omitempty: true)\n")
			case v.ValueElems:
				b.WriteString("  # @genqlient(pointer: false)\n")
			}
			fmt.Fprintf(&b, "  $%s: %s\n", v.Name, v.Type.String())
		}
		b.WriteString(")")
	}
	b.WriteString(" {\n")
	if flatten {
		b.WriteString("  # @genqlient(flatten: true)\n")
	} else if _, raw := scalarGoType(def.Type.Name()); raw || a.valueList(def.Type) {
		b.WriteString("  # @genqlient(pointer: false)\n")
	}
	b.WriteString("  " + op.Field)
	if len(op.Vars) > 0 {
		b.WriteString("(")
		for i, v := range op.Vars {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s: $%s", v.Arg, v.Name)
		}
		b.WriteString(")")
	}
	if sel != "" {
		b.WriteString(" " + sel)
	}
	b.WriteString("\n}\n")
	return b.String()
}

// fragment returns the fragment of an object type: its scalar and enum
// fields and its custom-type fields (through their own fragments), leaving
// out relationships to models, as the JavaScript client's default
// selection set does.
func (a *api) fragment(def *ast.Definition) *fragment {
	if f, ok := a.fragments[def.Name]; ok {
		return f
	}
	f := &fragment{Name: a.names.name(goName(def.Name)), Type: def.Name}
	a.fragments[def.Name] = f
	a.Fragments = append(a.Fragments, f)
	fields := newNamer()
	for _, fd := range def.Fields {
		if strings.HasPrefix(fd.Name, "__") || hasRequiredArgs(fd) {
			continue
		}
		base := a.sch.Types[fd.Type.Name()]
		if base == nil {
			continue
		}
		ff := fragmentField{Name: fd.Name, ValueList: a.valueList(fd.Type)}
		switch base.Kind {
		case ast.Scalar:
			_, ff.RawJSON = scalarGoType(base.Name)
		case ast.Enum:
			a.enum(base)
		case ast.Object:
			if a.models[base.Name] || strings.HasPrefix(base.Name, "Model") && strings.HasSuffix(base.Name, "Connection") {
				continue // a relationship: loaded on demand, not by default
			}
			ff.Fragment = a.fragment(base).Name
		default:
			continue
		}
		if g := fields.name(goName(fd.Name)); g != upperFirst(fd.Name) {
			ff.Alias = g
		}
		f.Fields = append(f.Fields, ff)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s is the default selection of a %s.\nfragment %s on %s {\n", f.Name, def.Name, f.Name, def.Name)
	for _, ff := range f.Fields {
		if ff.RawJSON || ff.ValueList {
			b.WriteString("  # @genqlient(pointer: false)\n")
		}
		if ff.Fragment != "" {
			b.WriteString("  # @genqlient(flatten: true)\n")
		}
		b.WriteString("  ")
		if ff.Alias != "" {
			b.WriteString(ff.Alias + ": ")
		}
		b.WriteString(ff.Name)
		if ff.Fragment != "" {
			fmt.Fprintf(&b, " {\n    ...%s\n  }", ff.Fragment)
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	f.Text = b.String()
	return f
}

func hasRequiredArgs(fd *ast.FieldDefinition) bool {
	for _, a := range fd.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil {
			return true
		}
	}
	return false
}

func (a *api) enum(def *ast.Definition) *enumType {
	if e, ok := a.enums[def.Name]; ok {
		return e
	}
	e := &enumType{Name: def.Name, GoName: a.names.name(goName(def.Name))}
	a.enums[def.Name] = e
	a.Enums = append(a.Enums, e)
	vals := newNamer()
	for _, v := range def.EnumValues {
		e.Values = append(e.Values, enumValue{GoName: a.names.name(e.GoName + vals.name(goName(v.Name))), Value: v.Name})
	}
	return e
}

// input returns the Go struct for an input object type. Fields of
// Update<Model>Input types tell unset from null (client.Nullable); other
// optional fields are pointers left out when nil.
func (a *api) input(def *ast.Definition) *inputType {
	if it, ok := a.inputs[def.Name]; ok {
		return it
	}
	it := &inputType{Name: def.Name, GoName: a.names.name(goName(def.Name))}
	it.TriState = a.updateInputs[def.Name]
	it.Doc = fmt.Sprintf("%s is the GraphQL input %s.", it.GoName, def.Name)
	if it.TriState {
		it.Doc += " Optional fields are client.Nullable: leave a field unset to keep the stored value, client.Null to remove it."
	}
	a.inputs[def.Name] = it
	a.Inputs = append(a.Inputs, it)
	fields := newNamer()
	for _, fd := range def.Fields {
		f := &inputField{Name: fd.Name, GoName: fields.name(goName(fd.Name))}
		typ, raw := a.inputGoType(fd.Type, true)
		switch {
		case fd.Type.NonNull:
			f.GoType, f.Tag = typ, fd.Name
		case it.TriState:
			f.GoType, f.Tag = "client.Nullable["+strings.TrimPrefix(typ, "*")+"]", fd.Name+",omitzero"
		default:
			f.GoType, f.Tag = typ, fd.Name+",omitempty"
		}
		if raw {
			it.HasJSON = true
			f.JSON, f.JSONTyp = jsonConversion(f, fd.Type, it.TriState)
		}
		it.Fields = append(it.Fields, f)
	}
	return it
}

// jsonConversion returns the expression and type that put an AWSJSON
// field on the wire as a JSON string.
func jsonConversion(f *inputField, t *ast.Type, triState bool) (expr, typ string) {
	src := "v." + f.GoName
	switch {
	case t.Elem != nil && !t.NonNull && triState:
		return "client.MapNullable(" + src + ", client.JSONStrings)", "client.Nullable[[]client.JSONString]"
	case t.Elem != nil:
		return "client.JSONStrings(" + src + ")", "[]client.JSONString"
	case !t.NonNull && triState:
		return "client.MapNullable(" + src + ", func(d json.RawMessage) client.JSONString { return client.JSONString(d) })", "client.Nullable[client.JSONString]"
	}
	return "client.JSONString(" + src + ")", "client.JSONString"
}

// inputGoType maps a GraphQL input type to Go. Inside our own input structs
// (inStruct) nullable input objects are pointers and lists are plain
// slices; for genqlient's parameters it follows genqlient's rules with
// optional: pointer. AWSJSON is json.RawMessage either way.
func (a *api) inputGoType(t *ast.Type, inStruct bool) (string, bool) {
	base := a.sch.Types[t.Name()]
	var leaf string
	raw := false
	switch base.Kind {
	case ast.Scalar:
		leaf, raw = scalarGoType(base.Name)
	case ast.Enum:
		leaf = a.enum(base).GoName
	case ast.InputObject:
		leaf = a.input(base).GoName
	default:
		leaf = "any"
	}
	return goTypeFor(t, leaf, raw, inStruct), raw
}

// valueList reports whether t is a list of scalars or enums, which the
// generated package gives value elements in both directions ([]string,
// []PostStatus, []time.Time, never []*string): the documents ask genqlient
// for them with pointer: false. A null element reads as the element's
// zero value, which is what a Go program can do with it anyway, and a
// list read from an item can be passed as is to an input.
func (a *api) valueList(t *ast.Type) bool {
	if t.Elem == nil {
		return false
	}
	base := a.sch.Types[t.Name()]
	return base != nil && (base.Kind == ast.Scalar || base.Kind == ast.Enum)
}

// goTypeFor mirrors genqlient's types with optional: pointer: a nullable
// named type is a pointer, a list is a slice of its elements' type, and raw
// (AWSJSON, generated with pointer: false) is never a pointer. In our own
// input structs (valueElems) list elements are values: a nil slice already
// leaves the field out, and []string reads better than []*string.
func goTypeFor(t *ast.Type, leaf string, raw, valueElems bool) string {
	if t.Elem != nil {
		elem := t.Elem
		if valueElems {
			e := *elem
			e.NonNull = true
			elem = &e
		}
		return "[]" + goTypeFor(elem, leaf, raw, valueElems)
	}
	if !t.NonNull && !raw {
		return "*" + leaf
	}
	return leaf
}

// scalarGoType is the Go type of each scalar; raw reports AWSJSON.
func scalarGoType(name string) (goType string, raw bool) {
	switch name {
	case "Int":
		return "int", false
	case "Float":
		return "float64", false
	case "Boolean":
		return "bool", false
	case "AWSJSON":
		return "json.RawMessage", true
	case "AWSDateTime":
		return "time.Time", false
	case "AWSDate":
		return "client.Date", false
	case "AWSTime":
		return "client.Time", false
	case "AWSTimestamp":
		return "int64", false
	}
	return "string", false
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ArgTypes lists the argument structs in a stable order.
func (a *api) ArgTypes() []*argsType {
	var out []*argsType
	for _, m := range a.Models {
		if m.Identifier != nil {
			out = append(out, m.Identifier)
		}
		if m.ListOptions != nil {
			out = append(out, m.ListOptions)
		}
		for _, ix := range m.Indexes {
			out = append(out, ix.Options)
		}
		for _, sub := range m.Subscriptions {
			out = append(out, sub.Options)
		}
	}
	for _, op := range append(append(append(slices.Clone(a.Queries), a.Mutations...), a.Subscriptions...), a.UserOps...) {
		if len(op.Vars) > 0 {
			out = append(out, op.Args)
		}
	}
	return out
}
