package gen

import (
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/go-amplify/data/schema"
)

// relationAPI is a lazy loader of a relationship field, as post.blog() and
// blog.posts() are in JavaScript: a method of the owner's facade that takes
// the loaded item.
type relationAPI struct {
	Kind   string // belongsTo, hasMany or hasOne
	Method string // Blog, Posts, Profile
	Field  string // the GraphQL field: blog
	Doc    string
	Owner  *modelAPI
	Target *modelAPI

	// belongsTo: the conditions under which the item has a key (pointer
	// fields set) and the arguments of the target's Get.
	Nils []string
	Args string

	// hasMany and hasOne: the filter that selects the related items.
	FilterType string
	KeyFilter  string
	// hasMany and hasOne: the statements that set a new child's foreign
	// keys from the item (Create<Method>), and the create input's type.
	SetKeys     []string
	CreateInput string
	CreateName  string // CreatePosts
}

// addRelations adds the loaders of every model's relationship fields; it
// runs once all models have their operations.
func (a *api) addRelations() {
	byName := map[string]*modelAPI{}
	for _, mm := range a.Models {
		byName[mm.Name] = mm
	}
	for _, m := range a.intro.Models {
		owner := byName[m.Name]
		if owner == nil {
			continue
		}
		methods := newNamer("Create", "Get", "Update", "UpdateIf", "Delete", "DeleteIf", "List", "ListAll")
		for _, ix := range owner.Indexes {
			methods.used[ix.Method] = true
			methods.used[ix.Method+"All"] = true
		}
		for _, f := range m.Fields {
			as := f.Association
			if as == nil || f.Type.Model == "" {
				continue
			}
			target := byName[f.Type.Model]
			if target == nil {
				continue
			}
			var r *relationAPI
			switch as.ConnectionType {
			case "BELONGS_TO":
				r = a.belongsTo(owner, target, m, f, as)
			case "HAS_MANY", "HAS_ONE":
				r = a.hasRelated(owner, target, m, f, as)
			}
			if r == nil {
				continue
			}
			r.Method = methods.name(goName(f.Name))
			if r.Kind == "hasMany" {
				methods.used[r.Method+"All"] = true
			}
			if r.CreateInput != "" {
				r.CreateName = methods.name("Create" + r.Method)
			}
			r.Field, r.Owner, r.Target = f.Name, owner, target
			owner.Relations = append(owner.Relations, r)
		}
	}
}

// goField returns the Go field of a fragment field and whether it is a
// pointer (a nullable scalar or enum).
func (a *api) goField(typeName, field string) (name string, pointer bool, ok bool) {
	def := a.sch.Types[typeName]
	frag := a.fragments[typeName]
	if def == nil || frag == nil {
		return "", false, false
	}
	fd := def.Fields.ForName(field)
	if fd == nil {
		return "", false, false
	}
	for _, ff := range frag.Fields {
		if ff.Name == field {
			name = ff.Alias
			if name == "" {
				name = upperFirst(ff.Name)
			}
			return name, !fd.Type.NonNull && fd.Type.Elem == nil, true
		}
	}
	return "", false, false
}

// belongsTo loads the target by its primary key, read from the owner's
// foreign-key fields (targetNames).
func (a *api) belongsTo(owner, target *modelAPI, m *schema.Model, f *schema.Field, as *schema.Association) *relationAPI {
	if target.Get == nil || len(as.TargetNames) == 0 || len(as.TargetNames) != len(target.Get.Vars) {
		return nil
	}
	r := &relationAPI{Kind: "belongsTo"}
	args := make([]string, len(as.TargetNames))
	for i, tn := range as.TargetNames {
		name, ptr, ok := a.goField(m.Name, tn)
		if !ok {
			return nil
		}
		v := target.Get.Vars[i]
		switch {
		case ptr && !strings.HasPrefix(v.GoType, "*"):
			r.Nils = append(r.Nils, "item."+name+" == nil")
			args[i] = "*item." + name
		case !ptr && strings.HasPrefix(v.GoType, "*"):
			args[i] = "&item." + name
		default:
			args[i] = "item." + name
		}
	}
	r.Args = strings.Join(args, ", ")
	r.Doc = fmt.Sprintf("loads the %s that a %s belongs to (field %s, by %s), as %s.%s() does in JavaScript; nil when the %s has no %s.",
		target.Name, m.Name, f.Name, strings.Join(as.TargetNames, ", "), lowerFirst(m.Name), f.Name, m.Name, strings.Join(as.TargetNames, ", "))
	return r
}

// hasRelated lists the target's items whose foreign-key fields
// (associatedWith) hold the owner's primary key, with the target's list
// query and a filter, as the JavaScript client's lazy loader does.
func (a *api) hasRelated(owner, target *modelAPI, m *schema.Model, f *schema.Field, as *schema.Association) *relationAPI {
	if target.List == nil || target.ListOptions == nil || len(as.AssociatedWith) == 0 {
		return nil
	}
	keys := append([]string{m.PrimaryKeyInfo.PrimaryKeyFieldName}, m.PrimaryKeyInfo.SortKeyFieldNames...)
	if keys[0] == "" {
		keys[0] = "id"
	}
	if len(keys) != len(as.AssociatedWith) {
		return nil
	}
	filterType := target.List.varType("filter")
	it := a.inputs[strings.TrimPrefix(filterType, "*")]
	if it == nil {
		return nil
	}
	var conds []string
	for i, fk := range as.AssociatedWith {
		in := it.field(fk)
		if in == nil {
			return nil
		}
		op := a.inputs[strings.TrimPrefix(in.GoType, "*")]
		if op == nil || op.field("eq") == nil {
			return nil
		}
		name, ptr, ok := a.goField(m.Name, keys[i])
		if !ok {
			return nil
		}
		val := "client.Ptr(item." + name + ")"
		if ptr {
			val = "item." + name
		}
		if eq := op.field("eq").GoType; eq != "*string" && eq != "*"+a.goFieldType(m.Name, keys[i]) {
			return nil
		}
		conds = append(conds, fmt.Sprintf("%s: &%s{%s: %s}", in.GoName, op.GoName, op.field("eq").GoName, val))
	}
	kind := "hasMany"
	if as.ConnectionType == "HAS_ONE" {
		kind = "hasOne"
	}
	r := &relationAPI{Kind: kind, FilterType: it.GoName, KeyFilter: it.GoName + "{" + strings.Join(conds, ", ") + "}"}
	if target.Create != nil && len(target.Create.Vars) > 0 {
		if in := a.inputs[target.Create.Vars[0].Type.Name()]; in != nil {
			var sets []string
			for i, fk := range as.AssociatedWith {
				f := in.field(fk)
				name, ptr, ok := a.goField(m.Name, keys[i])
				if f == nil || !ok {
					sets = nil
					break
				}
				switch {
				case strings.HasPrefix(f.GoType, "*") && !ptr:
					sets = append(sets, fmt.Sprintf("input.%s = client.Ptr(item.%s)", f.GoName, name))
				case !strings.HasPrefix(f.GoType, "*") && ptr:
					sets = append(sets, fmt.Sprintf("if item.%s != nil {\n\t\tinput.%s = *item.%s\n\t}", name, f.GoName, name))
				default:
					sets = append(sets, fmt.Sprintf("input.%s = item.%s", f.GoName, name))
				}
			}
			if len(sets) > 0 {
				r.SetKeys, r.CreateInput = sets, in.GoName
			}
		}
	}
	if kind == "hasMany" {
		r.Doc = fmt.Sprintf("lists the %s items of a %s (field %s: their %s is its key), as %s.%s() does in JavaScript; o filters and pages them.",
			target.Name, m.Name, f.Name, strings.Join(as.AssociatedWith, ", "), lowerFirst(m.Name), f.Name)
	} else {
		r.Doc = fmt.Sprintf("loads the %s of a %s (field %s: its %s is the key), as %s.%s() does in JavaScript; nil when there is none.",
			target.Name, m.Name, f.Name, strings.Join(as.AssociatedWith, ", "), lowerFirst(m.Name), f.Name)
	}
	return r
}

// goFieldType is the Go type of a scalar field, without the pointer.
func (a *api) goFieldType(typeName, field string) string {
	def := a.sch.Types[typeName]
	if def == nil {
		return ""
	}
	fd := def.Fields.ForName(field)
	if fd == nil || fd.Type.Elem != nil {
		return ""
	}
	if base := a.sch.Types[fd.Type.Name()]; base == nil || base.Kind != ast.Scalar {
		return ""
	}
	t, _ := scalarGoType(fd.Type.Name())
	return t
}

// varType is the Go type of the operation's variable for argument arg.
func (op *operation) varType(arg string) string {
	for _, v := range op.Vars {
		if v.Arg == arg {
			return v.GoType
		}
	}
	return ""
}

// field returns the input field named name, or nil.
func (it *inputType) field(name string) *inputField {
	for _, f := range it.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// keyExpr is the Go expression that turns an item (named it) of model m
// into a string of its primary key, or "" when a key field is not in the
// model's fragment.
func (a *api) keyExpr(m *schema.Model) string {
	keys := append([]string{m.PrimaryKeyInfo.PrimaryKeyFieldName}, m.PrimaryKeyInfo.SortKeyFieldNames...)
	if keys[0] == "" {
		keys[0] = "id"
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		name, ptr, ok := a.goField(m.Name, k)
		if !ok {
			return ""
		}
		if ptr {
			name = "*it." + name
		} else {
			name = "it." + name
		}
		parts[i] = name
	}
	if len(parts) == 1 && a.goFieldType(m.Name, keys[0]) == "string" && !strings.HasPrefix(parts[0], "*") {
		return parts[0]
	}
	return "fmt.Sprint(" + strings.Join(parts, `, "\x00", `) + ")"
}
