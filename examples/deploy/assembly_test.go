package deploy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// assembly is a synthesized CDK cloud assembly (cdk.out): its stacks with
// their nested stacks, and the local files of its assets.
type assembly struct {
	dir string
	// assets maps an asset's hash (its S3 object key without extension) to
	// the file or folder in dir that holds it.
	assets map[string]string
	// stacks are all the stacks, the top-level stack first.
	stacks []*stack
}

// stack is one CloudFormation template of the assembly.
type stack struct {
	// path names the stack: the top-level stack's artifact id, then the
	// logical id of each nested stack resource down to this one.
	path     string
	template template
	// parent is the stack that holds this one as a resource (parentID);
	// nil for the top-level stack.
	parent   *stack
	parentID string
	// children are the nested stacks by the logical id of their resource.
	children map[string]*stack
}

type template struct {
	Parameters map[string]json.RawMessage `json:"Parameters"`
	Resources  map[string]resource        `json:"Resources"`
	Outputs    map[string]struct {
		Value any `json:"Value"`
	} `json:"Outputs"`
}

type resource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
}

// ref is where a reference ends once followed across stacks: attribute attr
// ("Ref", "Arn", ...) of resource id in stack s.
type ref struct {
	s    *stack
	id   string
	attr string
}

func (r ref) String() string { return "{" + r.s.path + "/" + r.id + "." + r.attr + "}" }

// resource returns the referenced resource.
func (r ref) resource() resource { return r.s.template.Resources[r.id] }

var assetKey = regexp.MustCompile(`([0-9a-f]{64})\.(json|zip|graphql)`)

// loadAssembly reads the cloud assembly in dir: manifest.json, the asset
// manifests it lists, the top-level stack's template and, through the
// TemplateURL of every AWS::CloudFormation::Stack resource, its nested
// stacks (whose templates are file assets).
func loadAssembly(t *testing.T, dir string) *assembly {
	t.Helper()
	var manifest struct {
		Artifacts map[string]struct {
			Type       string `json:"type"`
			Properties struct {
				TemplateFile string `json:"templateFile"`
				File         string `json:"file"`
			} `json:"properties"`
		} `json:"artifacts"`
	}
	readJSON(t, filepath.Join(dir, "manifest.json"), &manifest)
	a := &assembly{dir: dir, assets: map[string]string{}}
	var top []string
	for id, art := range manifest.Artifacts {
		switch art.Type {
		case "cdk:asset-manifest":
			var assets struct {
				Files map[string]struct {
					Source struct {
						Path string `json:"path"`
					} `json:"source"`
				} `json:"files"`
			}
			readJSON(t, filepath.Join(dir, art.Properties.File), &assets)
			for hash, f := range assets.Files {
				a.assets[hash] = filepath.Join(dir, f.Source.Path)
			}
		case "aws:cloudformation:stack":
			top = append(top, id)
		}
	}
	require.Len(t, top, 1, "an Amplify backend synthesizes one top-level stack (the nested stacks hold auth, data and functions)")
	art := manifest.Artifacts[top[0]]
	a.loadStack(t, top[0], filepath.Join(dir, art.Properties.TemplateFile), nil, "")
	return a
}

func (a *assembly) loadStack(t *testing.T, path, file string, parent *stack, parentID string) *stack {
	t.Helper()
	s := &stack{path: path, parent: parent, parentID: parentID, children: map[string]*stack{}}
	readJSON(t, file, &s.template)
	a.stacks = append(a.stacks, s)
	for _, id := range sortedKeys(s.template.Resources) {
		r := s.template.Resources[id]
		if r.Type != "AWS::CloudFormation::Stack" {
			continue
		}
		url, err := json.Marshal(r.Properties["TemplateURL"])
		require.NoError(t, err)
		m := assetKey.FindStringSubmatch(string(url))
		require.NotNil(t, m, "%s/%s: no asset hash in TemplateURL %s", path, id, url)
		nested, ok := a.assets[m[1]]
		require.True(t, ok, "%s/%s: the nested template %s is not an asset of the assembly", path, id, m[0])
		s.children[id] = a.loadStack(t, path+"/"+id, nested, s, id)
	}
	return s
}

// asset returns the local path of the asset whose S3 object key (or an s3://
// URL holding it) is key.
func (a *assembly) asset(t *testing.T, key string) string {
	t.Helper()
	m := assetKey.FindStringSubmatch(key)
	require.NotNil(t, m, "no asset hash in %q", key)
	p, ok := a.assets[m[1]]
	require.True(t, ok, "asset %s is not in the assembly", m[0])
	return p
}

// found is a resource found in some stack of the assembly.
type found struct {
	s  *stack
	id string
	r  resource
}

// find returns the resources of type typ, in every stack, whose properties
// hold the given top-level values.
func (a *assembly) find(typ string, props map[string]any) []found {
	var out []found
	for _, s := range a.stacks {
		for _, id := range sortedKeys(s.template.Resources) {
			r := s.template.Resources[id]
			if r.Type != typ {
				continue
			}
			match := true
			for k, v := range props {
				if fmt.Sprint(r.Properties[k]) != fmt.Sprint(v) {
					match = false
				}
			}
			if match {
				out = append(out, found{s, id, r})
			}
		}
	}
	return out
}

// findOne is find that requires exactly one match.
func (a *assembly) findOne(t *testing.T, typ string, props map[string]any) found {
	t.Helper()
	all := a.find(typ, props)
	require.Len(t, all, 1, "want one %s with %v", typ, props)
	return all[0]
}

// resolve follows the intrinsic v, a Ref or Fn::GetAtt in stack s, to the
// resource it names: a parameter of a nested stack leads to the value its
// parent passes, and Fn::GetAtt of a nested stack's Outputs.X to the value
// of that output, as CloudFormation would resolve them at deploy time.
func (s *stack) resolve(t *testing.T, v any) ref {
	t.Helper()
	r, ok := s.tryResolve(v)
	require.True(t, ok, "%s: %v is not a reference to a resource", s.path, v)
	return r
}

func (s *stack) tryResolve(v any) (ref, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return ref{}, false
	}
	if name, ok := m["Ref"].(string); ok {
		if _, ok := s.template.Resources[name]; ok {
			return ref{s, name, "Ref"}, true
		}
		if _, ok := s.template.Parameters[name]; ok && s.parent != nil {
			passed, ok := s.parent.template.Resources[s.parentID].Properties["Parameters"].(map[string]any)
			if !ok {
				return ref{}, false
			}
			return s.parent.tryResolve(passed[name])
		}
		return ref{}, false
	}
	var id, attr string
	switch ga := m["Fn::GetAtt"].(type) {
	case []any:
		if len(ga) != 2 {
			return ref{}, false
		}
		id, _ = ga[0].(string)
		attr, _ = ga[1].(string)
	case string:
		id, attr, _ = strings.Cut(ga, ".")
	default:
		return ref{}, false
	}
	r, ok := s.template.Resources[id]
	if !ok {
		return ref{}, false
	}
	if output, ok := strings.CutPrefix(attr, "Outputs."); ok && r.Type == "AWS::CloudFormation::Stack" {
		child := s.children[id]
		if child == nil {
			return ref{}, false
		}
		o, ok := child.template.Outputs[output]
		if !ok {
			return ref{}, false
		}
		return child.tryResolve(o.Value)
	}
	return ref{s, id, attr}, true
}

// canon writes the value v of stack s as a string in which every reference
// is resolved to the resource it names (ref.String) and every Fn::Join is
// joined, so that ARNs built from references compare as strings.
func (s *stack) canon(v any) string {
	if str, ok := v.(string); ok {
		return str
	}
	if r, ok := s.tryResolve(v); ok {
		return r.String()
	}
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		if j, ok := m["Fn::Join"].([]any); ok && len(j) == 2 {
			sep, _ := j[0].(string)
			parts, _ := j[1].([]any)
			var out []string
			for _, p := range parts {
				out = append(out, s.canon(p))
			}
			return strings.Join(out, sep)
		}
		if name, ok := m["Ref"].(string); ok && strings.HasPrefix(name, "AWS::") {
			return "{" + name + "}"
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// statement is one statement of an IAM policy document.
type statement struct {
	Effect   string
	Actions  []string
	Resource []string // canonical (stack.canon)
}

// rolePolicies returns the statements of every AWS::IAM::Policy, in any
// stack, attached to the role r.
func (a *assembly) rolePolicies(t *testing.T, role ref) []statement {
	t.Helper()
	var out []statement
	for _, p := range a.find("AWS::IAM::Policy", nil) {
		roles, _ := p.r.Properties["Roles"].([]any)
		attached := slices.ContainsFunc(roles, func(v any) bool {
			r, ok := p.s.tryResolve(v)
			return ok && r.s == role.s && r.id == role.id
		})
		if !attached {
			continue
		}
		doc, _ := p.r.Properties["PolicyDocument"].(map[string]any)
		stmts, _ := doc["Statement"].([]any)
		for _, raw := range stmts {
			st, _ := raw.(map[string]any)
			out = append(out, statement{
				Effect:   fmt.Sprint(st["Effect"]),
				Actions:  stringsOf(st["Action"], p.s.canon),
				Resource: stringsOf(st["Resource"], p.s.canon),
			})
		}
	}
	return out
}

// stringsOf returns v, a value or a list of values, as canonical strings.
func stringsOf(v any, canon func(any) string) []string {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	var out []string
	for _, x := range list {
		out = append(out, canon(x))
	}
	return out
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v), "decoding %s", path)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
