package appsynctest

// This file authorizes the realtime endpoint's connections and
// subscriptions, with the HTTP path's code:
//
//   - the connect header (the header query parameter) and each start's
//     extensions.authorization are turned into the request AppSync checks
//     (POST <graphql path>/connect over the payload {} for the connect, POST
//     <graphql path> over exactly the start's data string for a start) and
//     authenticated as an HTTP request is: API key, user pool token, SigV4
//     re-derived from the headers given, with exactly the headers the
//     signature lists;
//   - a start is then checked against the subscription field's @aws_*
//     directives, and, for a model's subscription, against the model's
//     rules as Amplify's subscription resolvers check them
//     (Subscription.on<Op><Model>.auth.1.req.vtl and postAuth), which may
//     add an owner or group filter to the subscription's filter.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-amplify/data/appsynctest/internal/realtime"
	"github.com/go-amplify/data/internal/sigv4verify"
)

// headerString returns an authorization header's value as a string.
func headerString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return fmt.Sprint(v), true
	}
	return "", false
}

// realtimeAuthenticate authenticates the authorization headers of a
// connect (path <graphql path>/connect, body the payload, {}) or of a start
// (path <graphql path>, body the data string). upgrade is the WebSocket's
// upgrade request (its client address and host). On failure it returns
// the error to send and, for the log, why.
func (s *Server) realtimeAuthenticate(headers map[string]any, path string, body []byte, upgrade *http.Request) (*identity, *realtime.Error, string) {
	unauthorized := &realtime.Error{ErrorType: "UnauthorizedException", Message: errNoAuth.Message, Code: http.StatusUnauthorized}
	r := &http.Request{
		Method:     http.MethodPost,
		URL:        &url.URL{Path: path},
		Header:     http.Header{},
		RemoteAddr: upgrade.RemoteAddr,
		// A signed content-length must be among the headers given.
		ContentLength: -1,
	}
	for k, v := range headers {
		str, ok := headerString(v)
		if !ok {
			return nil, unauthorized, fmt.Sprintf("authorization header %q is not a string", k)
		}
		if strings.EqualFold(k, "host") {
			r.Host = str
			continue
		}
		r.Header.Set(k, str)
	}
	// AppSync finds the API by the host header (the realtime host serves
	// every API of the region): it must name the GraphQL endpoint's host.
	if r.Host == "" {
		return nil, unauthorized, "the authorization headers have no host (the GraphQL endpoint's host)"
	}
	if r.Host != s.listener.Addr().String() && r.Host != upgrade.Host {
		return nil, unauthorized, fmt.Sprintf("the authorization headers' host %q is not the GraphQL endpoint's host %q", r.Host, s.listener.Addr().String())
	}
	id, err := s.authenticate(r, body)
	if err != nil {
		var re *requestError
		var se *sigv4verify.Error
		switch {
		case errors.As(err, &re):
			return nil, &realtime.Error{ErrorType: re.ErrorType, Message: re.Message, Code: re.Status}, re.Message
		case errors.As(err, &se):
			// AppSync's realtime endpoint does not name the signature's
			// fault; the log does (the session token redacted).
			return nil, unauthorized, se.ErrorType + ": " + se.Message
		}
		return nil, unauthorized, err.Error()
	}
	return id, nil, ""
}

// authorizeStart checks the rules of a subscription for the caller and
// sets the filter its events must pass: for a model's subscription, the
// filter argument, with the owner or group filter Amplify's resolver adds;
// otherwise (and when there is no such filter) the arguments, which the
// events must match (AppSync's argument filtering; a filter set by the
// resolver replaces it).
func (rt *rtEndpoint) authorizeStart(sub *rtSub, id *identity, args map[string]any) *realtime.Error {
	if sub.field != nil && sub.field.model != nil {
		filter, ok := sub.field.model.authorizeSubscription(id, args)
		if !ok {
			return resolverRTError(unauthorized("Subscription", sub.fieldName))
		}
		sub.filter = filter
	}
	if sub.filter == nil {
		for k, v := range args {
			if v == nil || sub.field != nil && sub.field.model != nil && k == "filter" {
				continue
			}
			if sub.argFilter == nil {
				sub.argFilter = map[string]any{}
			}
			sub.argFilter[k] = v
		}
	}
	return nil
}

// authorizeSubscription is the auth step of the subscription resolvers of
// Amplify's models: static rules (public and private per provider, static
// groups) admit the caller to every event; otherwise the owner and
// dynamic group rules of the user pool admit them to the events of the
// items they own or whose groups they are in, through a runtime filter on
// the owner field (compared with the last part of the owner claim, the
// username of "<sub>::<username>", which is what the owner field holds in
// a mutation's response) or the groups field. A valid owner argument
// (the caller's own owner value) admits the caller without that filter
// (the argument itself then filters, unless a filter is given). It returns
// the filter the events must pass (the filter argument when the rules add
// none; nil for none) and whether the caller may subscribe.
func (m *model) authorizeSubscription(id *identity, args map[string]any) (map[string]any, bool) {
	given, _ := args["filter"].(map[string]any)
	if len(given) == 0 {
		given = nil
	}
	if !m.hasAuth || genericIAM(id) {
		return given, true
	}
	authorized, rules := m.callerRules(id, "listen")
	var runtime []any
	validOwnerArg := false
	for _, r := range rules {
		switch {
		case r.Allow == "owner":
			field := r.ownerField()
			claim := r.ownerClaim()
			value, list, ok := ownerClaims(id, claim)
			if !ok {
				continue
			}
			parts := strings.Split(claim, "::")
			current, _ := claimValue(id, parts[len(parts)-1])
			cond := "eq"
			if m.fieldIsList(field) {
				cond = "contains"
			}
			runtime = append(runtime, map[string]any{field: map[string]any{cond: current}})
			if arg, _ := args[field].(string); !authorized && arg != "" {
				if arg != value && !slices.Contains(list, arg) {
					return nil, false
				}
				authorized, validOwnerArg = true, true
			}
		case r.Allow == "groups" && r.GroupsField != "":
			runtime = append(runtime, m.groupsFilter(r, id)...)
		}
	}
	ownerArgOnly := validOwnerArg && len(runtime) == 1 && given == nil
	if !ownerArgOnly && (!authorized || validOwnerArg) && len(runtime) > 0 {
		if given == nil {
			return map[string]any{"or": runtime}, true
		}
		return map[string]any{"and": []any{map[string]any{"or": runtime}, given}}, true
	}
	return given, authorized
}
