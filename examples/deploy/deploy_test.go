package deploy

import (
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	addusertogroup "github.com/go-amplify/data/examples/add-user-to-group/function"
)

const module = "github.com/go-amplify/data"

// goFunction is a Go function an example declares with defineGoFunction:
// the field it resolves, its main package and the architecture declared.
type goFunction struct {
	typeName, fieldName string
	pkg                 string
	architecture        string // as in the template: "arm64" or "x86_64"
}

// TestSeedDeploys synthesizes examples/add-user-to-group: the seed ("With
// admin actions") with its two functions in Go.
func TestSeedDeploys(t *testing.T) {
	a := synth(t, "add-user-to-group")

	addUser := checkGoFunction(t, a, goFunction{"Mutation", "addUserToGroup", module + "/examples/add-user-to-group/function/cmd/add-user-to-group-function", "arm64"})
	checkGoFunction(t, a, goFunction{"Query", "echo", module + "/examples/add-user-to-group/function/cmd/echo-function", "x86_64"})

	// The pool the handler adds users to is the one with the ADMINS group,
	// named by the variable the Go handler reads.
	group := a.findOne(t, "AWS::Cognito::UserPoolGroup", map[string]any{"GroupName": "ADMINS"})
	pool := group.s.resolve(t, group.r.Properties["UserPoolId"])
	require.Equal(t, "AWS::Cognito::UserPool", pool.resource().Type)
	env := environment(addUser)
	require.Contains(t, env, addusertogroup.UserPoolIDEnv, "the add-user-to-group function lacks the variable the Go handler reads")
	got := addUser.s.resolve(t, env[addusertogroup.UserPoolIDEnv])
	assert.Equal(t, ref{pool.s, pool.id, "Ref"}, got, "%s is not the ID of the pool with the ADMINS group", addusertogroup.UserPoolIDEnv)

	// Its role may add users to groups of that pool (defineAuth's access).
	role := addUser.s.resolve(t, addUser.resource().Properties["Role"])
	assert.Contains(t, a.rolePolicies(t, ref{role.s, role.id, "Ref"}), statement{
		Effect:   "Allow",
		Actions:  []string{"cognito-idp:AdminAddUserToGroup"},
		Resource: []string{ref{pool.s, pool.id, "Arn"}.String()},
	})

	checkData(t, a, "add-user-to-group", "seed-todo")
}

// TestBlogDeploys synthesizes examples/blog, whose Go function calls the
// data API back.
func TestBlogDeploys(t *testing.T) {
	a := synth(t, "blog")

	fn := checkGoFunction(t, a, goFunction{"Query", "postStats", module + "/examples/blog/function/cmd/post-stats-function", "arm64"})
	api := a.findOne(t, "AWS::AppSync::GraphQLApi", nil)
	apiRef := func(attr string) string { return ref{api.s, api.id, attr}.String() }

	// client.FunctionEndpoint, which blogdata.NewForFunction calls, finds
	// the API in the variables the synthesized function carries. AWS_REGION
	// is not among them: Lambda sets it (it is a reserved name).
	env := environment(fn)
	require.NotContains(t, env, "AWS_REGION")
	var read []string
	ep, err := client.FunctionEndpoint(func(name string) string {
		read = append(read, name)
		if name == "AWS_REGION" {
			return region
		}
		v, ok := env[name]
		if !ok {
			return ""
		}
		return fn.s.canon(v)
	})
	require.NoError(t, err, "client.FunctionEndpoint does not find the API in the function's environment %v", sortedKeys(env))
	for _, name := range read {
		if name != "AWS_REGION" {
			assert.Contains(t, env, name, "client.FunctionEndpoint reads %s, which the function does not carry", name)
		}
	}
	assert.Equal(t, apiRef("GraphQLUrl"), ep.URL, "the endpoint FunctionEndpoint reads is not the API's GraphQL URL")
	assert.Equal(t, region, ep.Region)
	assert.Equal(t, client.AuthIAM, ep.DefaultAuthMode)

	// Its role may run the API's queries (allow.resource(fn).to(["query"])).
	role := fn.s.resolve(t, fn.resource().Properties["Role"])
	policies := a.rolePolicies(t, ref{role.s, role.id, "Ref"})
	assert.True(t, slices.ContainsFunc(policies, func(st statement) bool {
		return st.Effect == "Allow" && slices.Equal(st.Actions, []string{"appsync:GraphQL"}) &&
			slices.Contains(st.Resource, apiRef("Arn")+"/types/Query/*")
	}), "no policy of the function's role allows appsync:GraphQL on the API's queries: %+v", policies)

	checkData(t, a, "blog", "blog")
}

// checkGoFunction checks that the resolver of typeName.fieldName invokes,
// through its Lambda data source, a function that runs a Go binary: runtime
// provided.al2023, handler bootstrap, the architecture declared, and an
// asset whose bootstrap is a Linux executable for that architecture built
// from the main package pkg for Lambda. It returns the function.
func checkGoFunction(t *testing.T, a *assembly, want goFunction) ref {
	t.Helper()
	fn := resolverFunction(t, a, want.typeName, want.fieldName)
	props := fn.resource().Properties
	assert.Equal(t, "provided.al2023", props["Runtime"], "%s.%s", want.typeName, want.fieldName)
	assert.Equal(t, "bootstrap", props["Handler"], "%s.%s", want.typeName, want.fieldName)
	assert.Equal(t, []any{want.architecture}, props["Architectures"], "%s.%s", want.typeName, want.fieldName)

	code, _ := props["Code"].(map[string]any)
	key, _ := code["S3Key"].(string)
	bootstrap := filepath.Join(a.asset(t, key), "bootstrap")
	info, err := os.Stat(bootstrap)
	require.NoError(t, err, "the asset of %s.%s holds no bootstrap", want.typeName, want.fieldName)
	assert.NotZero(t, info.Mode()&0o111, "bootstrap is not executable")

	f, err := elf.Open(bootstrap)
	require.NoError(t, err, "bootstrap is not an ELF file")
	defer f.Close()
	machine, goarch := elf.EM_X86_64, "amd64"
	if want.architecture == "arm64" {
		machine, goarch = elf.EM_AARCH64, "arm64"
	}
	assert.Equal(t, elf.ELFCLASS64, f.Class)
	assert.Equal(t, elf.ET_EXEC, f.Type)
	assert.Equal(t, machine, f.Machine, "bootstrap of %s.%s is not built for %s", want.typeName, want.fieldName, want.architecture)

	bi, err := buildinfo.ReadFile(bootstrap)
	require.NoError(t, err, "bootstrap is not a Go binary")
	assert.Equal(t, want.pkg, bi.Path, "bootstrap is not built from the example's main package")
	assert.Equal(t, module, bi.Main.Path)
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	assert.Equal(t, "linux", settings["GOOS"])
	assert.Equal(t, goarch, settings["GOARCH"])
	assert.Equal(t, "0", settings["CGO_ENABLED"])
	assert.Equal(t, "lambda.norpc", settings["-tags"])
	return fn
}

// resolverFunction follows the resolver of typeName.fieldName (a pipeline:
// Amplify's auth function, then the invoke function) to its one Lambda data
// source and returns the function the data source invokes.
func resolverFunction(t *testing.T, a *assembly, typeName, fieldName string) ref {
	t.Helper()
	res := a.findOne(t, "AWS::AppSync::Resolver", map[string]any{"TypeName": typeName, "FieldName": fieldName})
	var dataSources []ref
	if res.r.Properties["Kind"] == "PIPELINE" {
		cfg, _ := res.r.Properties["PipelineConfig"].(map[string]any)
		fns, _ := cfg["Functions"].([]any)
		for _, f := range fns {
			fc := res.s.resolve(t, f)
			require.Equal(t, "AWS::AppSync::FunctionConfiguration", fc.resource().Type)
			dataSources = append(dataSources, fc.s.resolve(t, fc.resource().Properties["DataSourceName"]))
		}
	} else {
		dataSources = append(dataSources, res.s.resolve(t, res.r.Properties["DataSourceName"]))
	}
	var lambdas []ref
	for _, ds := range dataSources {
		require.Equal(t, "AWS::AppSync::DataSource", ds.resource().Type)
		props := ds.resource().Properties
		if props["Type"] != "AWS_LAMBDA" {
			continue
		}
		cfg, _ := props["LambdaConfig"].(map[string]any)
		fn := ds.s.resolve(t, cfg["LambdaFunctionArn"])
		require.Equal(t, "Arn", fn.attr)
		require.Equal(t, "AWS::Lambda::Function", fn.resource().Type)
		lambdas = append(lambdas, fn)
	}
	require.Len(t, lambdas, 1, "want the resolver of %s.%s to invoke one function", typeName, fieldName)
	return lambdas[0]
}

// environment returns the Lambda function's environment variables.
func environment(fn ref) map[string]any {
	e, _ := fn.resource().Properties["Environment"].(map[string]any)
	vars, _ := e["Variables"].(map[string]any)
	return vars
}

// checkData checks that what the synthesized data stack deploys is what
// the example commits: the AppSync schema equals amplify/schema.graphql,
// the API's authorization modes and the model introspection schema equal
// the data section of amplify_outputs.json, and the user pool's groups its
// auth section. Those files are copies of what Amplify's transformer made
// for the backend corpus (the backend named corpus under
// schema/testdata/amplify/backends), whose Amplify SDL the synthesized
// backend must have too.
func checkData(t *testing.T, a *assembly, app, corpus string) {
	t.Helper()
	appDir := filepath.Join(examplesDir, app)
	api := a.findOne(t, "AWS::AppSync::GraphQLApi", nil)

	sch := a.findOne(t, "AWS::AppSync::GraphQLSchema", nil)
	assert.Equal(t, ref{api.s, api.id, "ApiId"}, sch.s.resolve(t, sch.r.Properties["ApiId"]))
	var deployed []byte
	if def, ok := sch.r.Properties["Definition"].(string); ok {
		deployed = []byte(def)
	} else {
		loc, _ := sch.r.Properties["DefinitionS3Location"].(map[string]any)
		key, _ := loc["Fn::Sub"].(string)
		var err error
		deployed, err = os.ReadFile(a.asset(t, key))
		require.NoError(t, err)
	}
	committed, err := os.ReadFile(filepath.Join(appDir, "amplify", "schema.graphql"))
	require.NoError(t, err)
	assert.Equal(t, string(committed), string(deployed), "the AppSync schema the backend deploys is not %s/amplify/schema.graphql", app)

	var outputs struct {
		Auth struct {
			Groups []map[string]struct {
				Precedence int `json:"precedence"`
			} `json:"groups"`
		} `json:"auth"`
		Data struct {
			DefaultAuthorizationType string          `json:"default_authorization_type"`
			AuthorizationTypes       []string        `json:"authorization_types"`
			ModelIntrospection       json.RawMessage `json:"model_introspection"`
		} `json:"data"`
	}
	readJSON(t, filepath.Join(appDir, "amplify_outputs.json"), &outputs)

	assert.Equal(t, outputs.Data.DefaultAuthorizationType, api.r.Properties["AuthenticationType"], "default authorization type")
	var additional []string
	providers, _ := api.r.Properties["AdditionalAuthenticationProviders"].([]any)
	for _, p := range providers {
		m, _ := p.(map[string]any)
		additional = append(additional, m["AuthenticationType"].(string))
	}
	slices.Sort(additional)
	assert.Equal(t, outputs.Data.AuthorizationTypes, additional, "additional authorization types")

	var groups []string
	for _, g := range a.find("AWS::Cognito::UserPoolGroup", nil) {
		groups = append(groups, g.r.Properties["GroupName"].(string))
		assert.Contains(t, outputs.Auth.Groups, map[string]struct {
			Precedence int `json:"precedence"`
		}{g.r.Properties["GroupName"].(string): {int(g.r.Properties["Precedence"].(float64))}})
	}
	assert.Len(t, groups, len(outputs.Auth.Groups), "user pool groups %v", groups)

	// backend-data deploys two files with BucketDeployment: the Amplify SDL
	// (model-schema.graphql, which `ampx generate outputs` turns into
	// model_introspection) and the model introspection schema itself
	// (modelIntrospectionSchema.json, which functions granted access read).
	files := bucketDeploymentFiles(t, a)
	require.Contains(t, files, "modelIntrospectionSchema.json")
	introspection, err := os.ReadFile(files["modelIntrospectionSchema.json"])
	require.NoError(t, err)
	assert.JSONEq(t, string(outputs.Data.ModelIntrospection), string(introspection), "model_introspection of %s/amplify_outputs.json", app)

	require.Contains(t, files, "model-schema.graphql")
	sdl, err := os.ReadFile(files["model-schema.graphql"])
	require.NoError(t, err)
	fixture := filepath.Join(examplesDir, "..", "schema", "testdata", "amplify", "backends", corpus, "generated", "amplify.graphql")
	want, err := os.ReadFile(fixture)
	require.NoError(t, err)
	// The corpus adds a final newline to the transformer's output.
	assert.Equal(t, strings.TrimSuffix(string(want), "\n"), string(sdl), "the Amplify SDL of the backend is not %s", fixture)
}

// bucketDeploymentFiles returns, by name, the files of every asset that a
// Custom::CDKBucketDeployment of the assembly copies to a bucket.
func bucketDeploymentFiles(t *testing.T, a *assembly) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, d := range a.find("Custom::CDKBucketDeployment", nil) {
		keys, _ := d.r.Properties["SourceObjectKeys"].([]any)
		for _, k := range keys {
			dir := a.asset(t, k.(string))
			require.NoError(t, filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
				if err != nil || e.IsDir() {
					return err
				}
				require.NotContains(t, files, e.Name(), "two deployed files named %s", e.Name())
				files[e.Name()] = path
				return nil
			}))
		}
	}
	return files
}
