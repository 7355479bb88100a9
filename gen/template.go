package gen

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"text/template"
)

//go:embed templates/*.go.tmpl
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"join":   strings.Join,
	"quote":  func(s string) string { return fmt.Sprintf("%q", s) },
	"header": func() string { return generatedToken },
	"modeConst": func(m string) string {
		return map[string]string{
			authAPIKey: "client.AuthAPIKey", authIAM: "client.AuthIAM", authIdentityPool: "client.AuthIdentityPool",
			authUserPool: "client.AuthUserPool", authOIDC: "client.AuthOIDC", authLambda: "client.AuthLambda",
		}[m]
	},
}).ParseFS(templateFS, "templates/*.go.tmpl"))

// render executes a template with a and formats the result.
func render(name string, a *api) ([]byte, error) {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, a); err != nil {
		return nil, fmt.Errorf("internal error: template %s: %w", name, err)
	}
	return formatGo(strings.TrimSuffix(name, ".tmpl"), b.Bytes())
}
