package appsynctest

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/go-amplify/data/appsynctest/internal/value"
	"github.com/go-amplify/data/schema"
)

// authRule is one of Amplify's authorization rules, as model_introspection
// lists them ({"allow":"owner","provider":"userPools",...}) and as the
// auth transformer's VTL enforces them.
type authRule struct {
	Allow         string   `json:"allow"`
	Provider      string   `json:"provider"`
	OwnerField    string   `json:"ownerField"`
	IdentityClaim string   `json:"identityClaim"`
	GroupClaim    string   `json:"groupClaim"`
	Groups        []string `json:"groups"`
	GroupsField   string   `json:"groupsField"`
	Operations    []string `json:"operations"`
}

// Rule is an authorization rule of a custom query or mutation, as the
// .authorization((allow) => [...]) of a.query() and a.mutation() declares
// it. AppSync's schema carries only the auth directives of custom
// operations; their rules live in the resolvers, so they are given here.
type Rule struct{ r authRule }

// AllowGroups allows members of any of the user pool groups
// (allow.group(...), allow.groups([...])).
func AllowGroups(groups ...string) Rule {
	return Rule{authRule{Allow: "groups", Provider: "userPools", Groups: groups, GroupClaim: "cognito:groups"}}
}

// AllowAuthenticated allows signed-in users (allow.authenticated()): of the
// user pool, or with provider "identityPool", of the identity pool (IAM
// requests signed with the authenticated role).
func AllowAuthenticated(provider ...string) Rule {
	p := "userPools"
	if len(provider) > 0 {
		p = provider[0]
	}
	return Rule{authRule{Allow: "private", Provider: p}}
}

// AllowGuest allows the identity pool's unauthenticated role (allow.guest()).
func AllowGuest() Rule { return Rule{authRule{Allow: "public", Provider: "identityPool"}} }

// AllowPublicAPIKey allows requests with the API key (allow.publicApiKey()).
func AllowPublicAPIKey() Rule { return Rule{authRule{Allow: "public", Provider: "apiKey"}} }

// parseRules reads the auth rules of a model attribute list.
func parseRules(attrs []schema.Attribute) ([]authRule, bool, error) {
	for _, a := range attrs {
		if a.Type != "auth" {
			continue
		}
		var p struct {
			Rules []authRule `json:"rules"`
		}
		if err := json.Unmarshal(a.Properties, &p); err != nil {
			return nil, true, err
		}
		return p.Rules, true, nil
	}
	return nil, false, nil
}

// readOps are the operations "read" stands for.
var readOps = []string{"get", "list", "listen", "sync", "search"}

// allows reports whether the rule covers the model operation op (create,
// update, delete, get, list).
func (r authRule) allows(op string) bool {
	if len(r.Operations) == 0 {
		return true
	}
	for _, o := range r.Operations {
		if o == op || o == "read" && slices.Contains(readOps, op) {
			return true
		}
	}
	return false
}

// provider is the rule's provider, with Amplify's defaults.
func (r authRule) provider() string {
	if r.Provider != "" {
		return r.Provider
	}
	if r.Allow == "public" {
		return schema.ModeAPIKey.Provider()
	}
	return schema.ModeUserPool.Provider()
}

// mode returns the authorization mode the rule applies to (AWS_IAM for both
// the iam and the identityPool provider).
func (r authRule) mode() schema.AuthorizationType {
	return schema.ProviderMode(r.provider()).AuthorizationType()
}

// ownerClaim returns the claim of an owner rule: Amplify Gen 2 stores
// "<sub>::<username>" for the default claim, which model_introspection
// writes as "cognito:username".
func (r authRule) ownerClaim() string {
	switch r.IdentityClaim {
	case "", "username", "cognito:username":
		return "sub::username"
	}
	return r.IdentityClaim
}

// ownerField returns the field an owner rule stores the owner in:
// "owner" unless the rule names another.
func (r authRule) ownerField() string {
	if r.OwnerField == "" {
		return "owner"
	}
	return r.OwnerField
}

// groupClaim returns the claim a group rule reads the caller's groups
// from: cognito:groups unless the rule names another.
func (r authRule) groupClaim() string {
	if r.GroupClaim == "" {
		return "cognito:groups"
	}
	return r.GroupClaim
}

// claimValue is getOwnerClaim of the auth VTL: "username" falls back to
// cognito:username (ID tokens).
func claimValue(id *identity, claim string) (string, bool) {
	v := id.claims[claim]
	if v == nil && claim == "username" {
		v = id.claims["cognito:username"]
	}
	if v == nil {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	}
	return "", false
}

// ownerClaims returns the owner value of the caller for a claim like
// "sub::username" ("<sub>::<username>") and the list of the single claims
// it also matches (the VTL's ownerClaimsList).
func ownerClaims(id *identity, claim string) (owner string, list []string, ok bool) {
	parts := strings.Split(claim, "::")
	vals := make([]string, 0, len(parts))
	for _, p := range parts {
		v, ok := claimValue(id, p)
		if !ok {
			return "", nil, false
		}
		vals = append(vals, v)
	}
	if len(parts) > 1 {
		list = vals
	}
	return strings.Join(vals, "::"), list, true
}

// groupsOf returns the caller's groups from a groups claim (a list, or a
// string holding a JSON list or one group).
func groupsOf(id *identity, claim string) []string {
	v := id.claims[claim]
	if s, ok := v.(string); ok {
		if parsed, err := value.Decode([]byte(s)); err == nil {
			if l, ok := parsed.([]any); ok {
				return stringList(l)
			}
		}
		return []string{s}
	}
	return stringList(v)
}

// genericIAM reports whether the caller is an IAM principal outside the
// identity pool, which Amplify Gen 2's resolvers admit whatever the rules
// ("IAM Access Enabled": no cognitoIdentityPoolId and cognitoIdentityId).
func genericIAM(id *identity) bool {
	return id.mode == schema.AuthIAM && id.iam.identityPoolID == "" && id.iam.identityID == ""
}

// iamMatches is iamCheck of the auth VTL: a private rule admits the
// authenticated role, a public one the unauthenticated role.
func iamMatches(r authRule, id *identity) bool {
	if r.Allow == "private" {
		return id.iam.authType == "authenticated"
	}
	if r.Allow == "public" {
		return id.iam.authType == "unauthenticated"
	}
	return false
}

// staticAllows reports whether a rule grants access without looking at
// the item: public/private rules and static groups.
func staticAllows(r authRule, id *identity) bool {
	if r.mode() != id.mode {
		return false
	}
	switch id.mode {
	case schema.AuthAPIKey:
		return r.Allow == "public"
	case schema.AuthIAM:
		return iamMatches(r, id)
	case schema.AuthUserPools:
		switch r.Allow {
		case "private":
			return true
		case "groups":
			if r.GroupsField != "" {
				return false
			}
			gs := groupsOf(id, r.groupClaim())
			return slices.ContainsFunc(r.Groups, func(g string) bool { return slices.Contains(gs, g) })
		}
	}
	return false
}

// callerRules splits the model's rules that cover one of ops into what
// every auth step of Amplify's resolvers starts with: whether a static
// rule (public, private, static groups) admits the caller outright, and
// the rules of the caller's mode left to check on the item, which are
// the owner and dynamic group rules of user pools (none for another
// mode: they apply to user pools only).
func (m *model) callerRules(id *identity, ops ...string) (static bool, pool []authRule) {
	for _, r := range m.rules {
		if !slices.ContainsFunc(ops, r.allows) {
			continue
		}
		if staticAllows(r, id) {
			static = true
		}
		if id.mode == schema.AuthUserPools && r.mode() == id.mode {
			pool = append(pool, r)
		}
	}
	return static, pool
}

// ownerMatches reports whether the stored owner value (a string or a list)
// is the caller's.
func ownerMatches(entity any, owner string, list []string) bool {
	match := func(s string) bool { return s == owner || slices.Contains(list, s) }
	switch e := entity.(type) {
	case string:
		return match(e)
	case []any:
		for _, x := range e {
			if s, ok := x.(string); ok && match(s) {
				return true
			}
		}
	}
	return false
}

// groupEntityMatches reports whether a stored groups field (a string or a
// list) holds one of the caller's groups.
func groupEntityMatches(entity any, groups []string) bool {
	for _, g := range groups {
		switch e := entity.(type) {
		case string:
			if e == g {
				return true
			}
		case []any:
			for _, x := range e {
				if x == g {
					return true
				}
			}
		}
	}
	return false
}

// groupsFilter is the auth filter of a dynamic group rule: the items whose
// groups field (a string, or a list) holds one of the caller's groups,
// as one condition per group on a list field or one "in" on a string
// field. It is nil when the caller is in no group. Reads (authorizeRead)
// and subscriptions (authorizeSubscription) share it, as Amplify's
// resolvers build the same filter for both.
func (m *model) groupsFilter(r authRule, id *identity) []any {
	groups := groupsOf(id, r.groupClaim())
	if len(groups) == 0 {
		return nil
	}
	if m.fieldIsList(r.GroupsField) {
		conds := make([]any, len(groups))
		for i, g := range groups {
			conds[i] = map[string]any{r.GroupsField: map[string]any{"contains": g}}
		}
		return conds
	}
	in := make([]any, len(groups))
	for i, g := range groups {
		in[i] = g
	}
	return []any{map[string]any{r.GroupsField: map[string]any{"in": in}}}
}

// authorizeCreate is the create auth of Amplify's resolvers
// (generateAuthExpressionForCreate): static rules, then owner rules (which
// also fill in the owner field when the input leaves it out), then dynamic
// group rules. It returns false when the caller may not create the item.
func (m *model) authorizeCreate(id *identity, input map[string]any) bool {
	if !m.hasAuth || genericIAM(id) {
		return true
	}
	authorized, rules := m.callerRules(id, "create")
	for _, r := range rules {
		if r.Allow != "owner" {
			continue
		}
		field := r.ownerField()
		owner, list, ok := ownerClaims(id, r.ownerClaim())
		if !ok {
			continue
		}
		entity, has := input[field]
		isList := m.fieldIsList(field)
		populate := func() {
			if isList {
				input[field] = []any{owner}
			} else {
				input[field] = owner
			}
		}
		if authorized {
			// populateOwnerFieldForStaticGroupAuth (on in Gen 2).
			if entity == nil && !has {
				populate()
			}
			continue
		}
		if entity != nil && ownerMatches(entity, owner, list) {
			authorized = true
			continue
		}
		if entity == nil && !has {
			populate()
			authorized = true
		}
	}
	for _, r := range rules {
		if authorized {
			break
		}
		if r.Allow == "groups" && r.GroupsField != "" {
			authorized = groupEntityMatches(input[r.GroupsField], groupsOf(id, r.groupClaim()))
		}
	}
	return authorized
}

// authorizeItem is the update and delete auth (checked against the stored
// item, nil when there is none): static rules, owner and dynamic group
// rules on the item's fields.
func (m *model) authorizeItem(id *identity, op string, item map[string]any) bool {
	if !m.hasAuth || genericIAM(id) {
		return true
	}
	static, rules := m.callerRules(id, op)
	if static {
		return true
	}
	for _, r := range rules {
		switch {
		case r.Allow == "owner":
			field := r.ownerField()
			owner, list, ok := ownerClaims(id, r.ownerClaim())
			if ok && item != nil && ownerMatches(item[field], owner, list) {
				return true
			}
		case r.Allow == "groups" && r.GroupsField != "":
			if item != nil && groupEntityMatches(item[r.GroupsField], groupsOf(id, r.groupClaim())) {
				return true
			}
		}
	}
	return false
}

// authorizeRead is the auth of get and list (and relationship fields):
// authorized outright, or limited to the items an auth filter admits
// (owner and dynamic group rules), or neither (Unauthorized).
func (m *model) authorizeRead(id *identity, ops ...string) (authorized bool, filter map[string]any) {
	if !m.hasAuth || genericIAM(id) {
		return true, nil
	}
	static, rules := m.callerRules(id, ops...)
	if static {
		return true, nil
	}
	var or []any
	for _, r := range rules {
		switch {
		case r.Allow == "owner":
			field := r.ownerField()
			cond := "eq"
			if m.fieldIsList(field) {
				cond = "contains"
			}
			claim := r.ownerClaim()
			if owner, _, ok := ownerClaims(id, claim); ok && strings.Contains(claim, "::") {
				or = append(or, map[string]any{field: map[string]any{cond: owner}})
			}
			for _, c := range strings.Split(claim, "::") {
				if v, ok := claimValue(id, c); ok {
					or = append(or, map[string]any{field: map[string]any{cond: v}})
				}
			}
		case r.Allow == "groups" && r.GroupsField != "":
			or = append(or, m.groupsFilter(r, id)...)
		}
	}
	if len(or) == 0 {
		return false, nil
	}
	return false, map[string]any{"or": or}
}

// authorizeCustom checks the rules given for a custom operation: any rule
// of the caller's mode that admits them.
func authorizeCustom(rules []Rule, id *identity) bool {
	if len(rules) == 0 || genericIAM(id) {
		return true
	}
	for _, r := range rules {
		if staticAllows(r.r, id) {
			return true
		}
	}
	return false
}
