package gen

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/go-amplify/data/schema"
	"github.com/go-amplify/data/schema/appsync"
)

// The Gen 2 backends that Amplify's own transformer turned into AppSync
// schemas (schema/testdata/amplify).
const amplifyBackends = "../schema/testdata/amplify/backends"

// corpus lists the generated/ folders of the transformed backends.
func corpus(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(amplifyBackends, "*", "generated"))
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	// The generator's own backends (testdata/amplify/README.md).
	own, err := filepath.Glob(filepath.Join("testdata", "amplify", "*", "generated"))
	require.NoError(t, err)
	require.NotEmpty(t, own)
	dirs = append(dirs, own...)
	if extra := os.Getenv("AMPLIFYGEN_EXTRA_CORPUS"); extra != "" {
		more, _ := filepath.Glob(filepath.Join(extra, "*"))
		dirs = append(dirs, more...)
	}
	return dirs
}

func backendName(dir string) string {
	if filepath.Base(dir) == "generated" {
		return filepath.Base(filepath.Dir(dir))
	}
	return filepath.Base(dir)
}

// loadBackend reads a transformed backend: its outputs and real schema.
func loadBackend(t *testing.T, dir string) (*schema.Outputs, *appsync.Schema) {
	t.Helper()
	out, err := schema.LoadOutputs(filepath.Join(dir, "amplify_outputs.json"))
	require.NoError(t, err)
	real, err := appsync.LoadSchema(filepath.Join(dir, "appsync.graphql"))
	require.NoError(t, err)
	return out, real
}

// knownGaps are the differences between a synthesized schema and the
// transformer's that model_introspection cannot close: it does not record
// the authorization rules of custom operations (so the transformer's
// @aws_* directives on their root fields, on the root types that hold them
// and on custom types are not known) nor the mutations a custom
// subscription listens to. The types and root fields of an AI
// conversation route are not synthesized yet: the client has no typed API
// for conversations, and the rest of the backend does not need them.
func knownGap(diff string) bool {
	for _, p := range []string{
		"custom-op-directives ",   // a custom operation's field directives
		"root-type-directives ",   // @aws_iam on Query/Mutation/Subscription with custom operations
		"custom-type-directives ", // the order or set of a custom type's directives
		"conversation-route ",     // a.conversation's own types and fields
	} {
		if strings.HasPrefix(diff, p) {
			return true
		}
	}
	return false
}

// compareSchemas lists every difference between the transformer's schema
// and the synthesized one: types, fields in order, arguments in order,
// types of both, enum values, and directives.
func compareSchemas(intro *schema.ModelIntrospection, real, syn *appsync.Schema) []string {
	var out []string
	say := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	custom := map[string]bool{}
	for _, ops := range [][]*schema.CustomOperation{intro.Queries, intro.Generations, intro.Mutations, intro.Subscriptions} {
		for _, op := range ops {
			custom[op.Name] = true
		}
	}
	nonModel := map[string]bool{}
	for _, nm := range intro.NonModels {
		nonModel[nm.Name] = true
	}
	convTypes, convFields := conversationNames(intro)
	isRoot := func(n string) bool { return n == "Query" || n == "Mutation" || n == "Subscription" }
	dirs := func(ds ast.DirectiveList) string {
		var s []string
		for _, d := range ds {
			if d.Position != nil && d.Position.Src != nil && d.Position.Src.BuiltIn {
				continue
			}
			s = append(s, "@"+d.Name+argsText(d.Arguments))
		}
		return strings.Join(s, " ")
	}
	var names []string
	for n, d := range real.Types {
		if !d.BuiltIn && d.Position != nil && d.Position.Src.Name == real.Name {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		r, s := real.Types[n], syn.Types[n]
		if s == nil && convTypes[n] {
			say("conversation-route type %s", n)
			continue
		}
		if s == nil {
			say("missing-type %s", n)
			continue
		}
		if r.Kind != s.Kind {
			say("kind %s: %s, synthesized %s", n, r.Kind, s.Kind)
			continue
		}
		if rd, sd := dirs(r.Directives), dirs(s.Directives); rd != sd {
			switch {
			case isRoot(n):
				say("root-type-directives %s: %q, synthesized %q", n, rd, sd)
			case nonModel[n]:
				rs, ss := strings.Fields(rd), strings.Fields(sd)
				slices.Sort(rs)
				slices.Sort(ss)
				if slices.Equal(rs, ss) {
					say("custom-type-directives %s (order): %q, synthesized %q", n, rd, sd)
				} else {
					say("custom-type-directives %s: %q, synthesized %q", n, rd, sd)
				}
			default:
				say("type-directives %s: %q, synthesized %q", n, rd, sd)
			}
		}
		if r.Kind == ast.Enum {
			var rv, sv []string
			for _, v := range r.EnumValues {
				rv = append(rv, v.Name)
			}
			for _, v := range s.EnumValues {
				sv = append(sv, v.Name)
			}
			if !slices.Equal(rv, sv) {
				say("enum-values %s: %v, synthesized %v", n, rv, sv)
			}
			continue
		}
		var rf, sf []string
		for _, f := range r.Fields {
			if isRoot(n) && convFields[f.Name] && s.Fields.ForName(f.Name) == nil {
				say("conversation-route field %s.%s", n, f.Name)
				continue
			}
			if !strings.HasPrefix(f.Name, "__") {
				rf = append(rf, f.Name)
			}
		}
		for _, f := range s.Fields {
			if !strings.HasPrefix(f.Name, "__") {
				sf = append(sf, f.Name)
			}
		}
		if isRoot(n) {
			// The order of root fields means nothing to a client.
			slices.Sort(rf)
			slices.Sort(sf)
		}
		if !slices.Equal(rf, sf) {
			say("fields %s: %v, synthesized %v", n, rf, sf)
		}
		for _, f := range r.Fields {
			g := s.Fields.ForName(f.Name)
			if g == nil || strings.HasPrefix(f.Name, "__") {
				continue
			}
			if f.Type.String() != g.Type.String() {
				say("field-type %s.%s: %s, synthesized %s", n, f.Name, f.Type, g.Type)
			}
			var ra, sa []string
			for _, a := range f.Arguments {
				ra = append(ra, a.Name+": "+a.Type.String())
			}
			for _, a := range g.Arguments {
				sa = append(sa, a.Name+": "+a.Type.String())
			}
			if !slices.Equal(ra, sa) {
				say("arguments %s.%s: %v, synthesized %v", n, f.Name, ra, sa)
			}
			if rd, sd := dirs(f.Directives), dirs(g.Directives); rd != sd {
				if isRoot(n) && custom[f.Name] {
					say("custom-op-directives %s.%s: %q, synthesized %q", n, f.Name, rd, sd)
				} else {
					say("field-directives %s.%s: %q, synthesized %q", n, f.Name, rd, sd)
				}
			}
		}
	}
	for n, d := range syn.Types {
		if !d.BuiltIn && d.Position != nil && d.Position.Src.Name == syn.Name && real.Types[n] == nil {
			say("extra-type %s", n)
		}
	}
	slices.Sort(out)
	return out
}

// conversationNames lists the types and root fields that the
// transformer makes for the conversation routes of intro: their models
// with their connections and inputs, the AmplifyAI* types, the send
// mutation, the assistant's response mutations and the stream
// subscription, and the models' own operations.
func conversationNames(intro *schema.ModelIntrospection) (types, fields map[string]bool) {
	types, fields = map[string]bool{"AmplifyAIConversationMessage": true}, map[string]bool{}
	for _, c := range intro.Conversations {
		for _, m := range c.Models {
			for _, f := range []string{"Model%sConnection", "Model%sFilterInput", "Model%sConditionInput", "Create%sInput",
				"Update%sInput", "Delete%sInput", "ModelSubscription%sFilterInput", "Create%sAssistantInput", "Create%sAssistantStreamingInput", "%s"} {
				types[fmt.Sprintf(f, m.Name)] = true
			}
			for _, op := range []string{"get", "list", "create", "update", "delete", "onCreate", "onUpdate", "onDelete"} {
				name := m.Name
				if op == "list" {
					name = m.PluralName
				}
				fields[op+upperFirst(name)] = true
			}
		}
		for _, e := range c.Enums {
			types["Model"+e.Name+"Input"] = true
		}
		for _, op := range []*schema.CustomOperation{c.Send, c.Subscribe} {
			if op != nil {
				fields[op.Name] = true
			}
		}
		fields["createAssistantResponse"+upperFirst(c.Name)] = true
		fields["createAssistantResponseStream"+upperFirst(c.Name)] = true
	}
	return types, fields
}

func argsText(args ast.ArgumentList) string {
	if len(args) == 0 {
		return ""
	}
	var s []string
	for _, a := range args {
		s = append(s, a.Name+": "+a.Value.String())
	}
	return "(" + strings.Join(s, ", ") + ")"
}

// TestSynthesizedSchemaMatchesTransformer synthesizes the schema of every
// transformed backend from its amplify_outputs.json alone and compares it
// with the transformer's own, structurally: the same types, fields in the
// same order with the same types and arguments, the same enum values and
// the same @aws_* directives on model operations and model types. Only
// the known gaps of model_introspection may differ.
func TestSynthesizedSchemaMatchesTransformer(t *testing.T) {
	for _, dir := range corpus(t) {
		t.Run(backendName(dir), func(t *testing.T) {
			out, real := loadBackend(t, dir)
			syn, err := SynthesizeSchemaFromOutputs(out)
			require.NoError(t, err)
			var gaps []string
			for _, d := range compareSchemas(out.Data.ModelIntrospection, real, syn) {
				if knownGap(d) {
					gaps = append(gaps, d)
					continue
				}
				t.Error(d)
			}
			if len(gaps) > 0 {
				t.Logf("%d known gaps (custom operations' auth is not in model_introspection):\n  %s", len(gaps), strings.Join(gaps, "\n  "))
			}
		})
	}
}

// TestSynthesizeSchemaWithoutAuth: SynthesizeSchema alone (no outputs, so
// no modes) gives the same types with no auth directive at all.
func TestSynthesizeSchemaWithoutAuth(t *testing.T) {
	out, _ := loadBackend(t, filepath.Join(amplifyBackends, "blog", "generated"))
	syn, err := SynthesizeSchema(out.Data.ModelIntrospection)
	require.NoError(t, err)
	withAuth, err := SynthesizeSchemaFromOutputs(out)
	require.NoError(t, err)
	for n, d := range withAuth.Types {
		if d.BuiltIn {
			continue
		}
		require.NotNil(t, syn.Types[n], n)
		assert.Len(t, syn.Types[n].Fields, len(d.Fields), n)
	}
	for _, d := range syn.Types {
		for _, f := range d.Fields {
			for _, dir := range f.Directives {
				assert.Equal(t, "aws_subscribe", dir.Name, "%s.%s", d.Name, f.Name)
			}
		}
		if !d.BuiltIn {
			assert.Empty(t, d.Directives, d.Name)
		}
	}
}

// doctoredBlog is the transformer's schema of the blog backend with edits
// that make it disagree with the backend's model_introspection.
func doctoredBlog(t *testing.T, dropCustomQuery bool) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(amplifyBackends, "blog", "generated", "appsync.graphql"))
	require.NoError(t, err)
	lines := strings.Split(string(src), "\n")
	inPost := false
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "type Post "):
			inPost = true
		case l == "}":
			inPost = false
		case inPost && l == "  views: Int":
			lines[i] = "" // a model field missing
		case inPost && l == "  rating: Float":
			lines[i] = "  rating: Int" // a model field of another type
		case l == "  PUBLISHED":
			lines[i] = "  LIVE" // an enum value renamed
		case strings.HasPrefix(l, "  postStats(blogId: ID!)"):
			if dropCustomQuery {
				lines[i] = "" // a custom operation missing
			} else {
				lines[i] = strings.Replace(l, "blogId: ID!", "blogId: String!", 1) // an argument of another type
			}
		case strings.HasPrefix(l, "type PostStats "):
			lines[i+1] = "  count: Int" // a custom type's field made nullable
		}
	}
	return strings.Join(lines, "\n")
}

// TestSchemaDisagreements: a real schema that disagrees with
// model_introspection yields one warning per disagreement; the
// transformer's own schemas yield none.
func TestSchemaDisagreements(t *testing.T) {
	out, _ := loadBackend(t, filepath.Join(amplifyBackends, "blog", "generated"))
	intro := out.Data.ModelIntrospection
	sch, err := appsync.ParseSDL("appsync.graphql", []byte(doctoredBlog(t, true)))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"model Post: field rating is Int in the AppSync schema, Float in model_introspection",
		"model Post: field views (Int) is missing from the AppSync schema",
		"custom type PostStats: field count is Int in the AppSync schema, Int! in model_introspection",
		"enum PostStatus: its values are DRAFT, LIVE, ARCHIVED in the AppSync schema, DRAFT, PUBLISHED, ARCHIVED in model_introspection",
		"custom query postStats: the AppSync schema has no query field postStats",
	}, SchemaDisagreements(intro, sch))

	sch, err = appsync.ParseSDL("appsync.graphql", []byte(doctoredBlog(t, false)))
	require.NoError(t, err)
	assert.Contains(t, SchemaDisagreements(intro, sch),
		"custom query postStats: argument blogId is String! in the AppSync schema, ID! in model_introspection")

	for _, dir := range corpus(t) {
		out, real := loadBackend(t, dir)
		assert.Empty(t, SchemaDisagreements(out.Data.ModelIntrospection, real), backendName(dir))
	}
}

// TestGenerateWarns: given a schema that disagrees with model_introspection,
// Generate uses it and passes each disagreement to Config.Warn, prefixed
// with the schema's path.
func TestGenerateWarns(t *testing.T) {
	root, err := os.MkdirTemp("testdata", ".warn-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(root) })
	schemaPath := filepath.Join(root, "appsync.graphql")
	require.NoError(t, os.WriteFile(schemaPath, []byte(doctoredBlog(t, false)), 0o644))
	var warnings []string
	require.NoError(t, Generate(Config{
		Outputs: filepath.Join(amplifyBackends, "blog", "generated", "amplify_outputs.json"),
		Schema:  schemaPath, Dir: filepath.Join(root, "amplifydata"),
		Warn: func(msg string) { warnings = append(warnings, msg) },
	}))
	require.Len(t, warnings, 5)
	assert.Equal(t, schemaPath+": model Post: field rating is Int in the AppSync schema, Float in model_introspection", warnings[0])
	// The real schema won: the fragment has the schema's type.
	types, err := os.ReadFile(filepath.Join(root, "amplifydata", "genqlient.go"))
	require.NoError(t, err)
	assert.Regexp(t, `Rating \*int `, string(types))
}

// TestSynthesizeDeterministic: the synthesized SDL is the same every time.
func TestSynthesizeDeterministic(t *testing.T) {
	for _, dir := range corpus(t) {
		out, _ := loadBackend(t, dir)
		a, err := SynthesizeSchemaFromOutputs(out)
		require.NoError(t, err)
		for range 3 {
			b, err := SynthesizeSchemaFromOutputs(out)
			require.NoError(t, err)
			require.Equal(t, a.SDL, b.SDL, backendName(dir))
		}
	}
}
