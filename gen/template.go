package gen

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"text/template"

	"github.com/go-amplify/data/schema"
)

//go:embed templates/*.go.tmpl
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"join":       strings.Join,
	"quote":      func(s string) string { return fmt.Sprintf("%q", s) },
	"header":     func() string { return generatedToken },
	"modeConst":  modeConst,
	"concatOps":  func(a, b []*operation) []*operation { return append(append([]*operation(nil), a...), b...) },
	"subArgs":    func(m *modelAPI, sub *subscriptionAPI) subArgs { return subArgs{m, sub} },
	"lower":      strings.ToLower,
	"trimOn":     func(s string) string { return strings.TrimPrefix(s, "on") },
	"lowerFirst": lowerFirst,
	"varField":   func(s string) string { return upperFirst(s) },
	"listArgs": func(m *modelAPI, method string, o *argsType, op *operation) listArgs {
		return listArgs{m, method, o, op}
	},
}).ParseFS(templateFS, "templates/*.go.tmpl"))

// listArgs are the inputs of the "list" template: one list query of a model.
type listArgs struct {
	Model   *modelAPI
	Method  string
	Options *argsType
	Op      *operation
}

// subArgs are the inputs of the "subscription" template.
type subArgs struct {
	Model *modelAPI
	Sub   *subscriptionAPI
}

// render executes a template with a and formats the result.
func render(name string, a *api) ([]byte, error) {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, a); err != nil {
		return nil, fmt.Errorf("internal error: template %s: %w", name, err)
	}
	return formatGo(strings.TrimSuffix(name, ".tmpl"), b.Bytes())
}

// modeConst is the name of the client package's constant for m
// (client.AuthAPIKey for apiKey, and so on).
func modeConst(m schema.AuthMode) (string, error) {
	if !m.Valid() {
		return "", fmt.Errorf("unknown auth mode %q", m)
	}
	return "client.Auth" + m.GoName(), nil
}
