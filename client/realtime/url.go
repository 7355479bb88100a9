package realtime

import (
	"fmt"
	"net/url"
	"strings"
)

// RealtimeURL returns the realtime WebSocket endpoint of an AppSync GraphQL
// endpoint, as the Amplify JavaScript client derives it:
//
//   - https://<id>.appsync-api.<region>.amazonaws.com/graphql (also .com.cn)
//     becomes wss://<id>.appsync-realtime-api.<region>.amazonaws.com/graphql;
//   - any other https URL is a custom domain: wss://<host>/graphql/realtime
//     (the path of the GraphQL URL followed by /realtime);
//   - an http URL is a local stand-in (amplify mock, the AppSync simulator),
//     which serves the realtime protocol on the same host and path:
//     http://127.0.0.1:20002/graphql becomes ws://127.0.0.1:20002/graphql.
//
// The query string of the GraphQL URL, if any, is kept.
func RealtimeURL(graphqlURL string) (string, error) {
	u, err := url.Parse(graphqlURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("realtime: GraphQL URL %q is not an absolute http(s) URL", graphqlURL)
	}
	out := *u
	switch u.Scheme {
	case "http":
		out.Scheme = "ws"
	case "https":
		out.Scheme = "wss"
		host := u.Hostname()
		if isAppSyncHost(host) {
			out.Host = strings.Replace(u.Host, ".appsync-api.", ".appsync-realtime-api.", 1)
		} else {
			out.Path = strings.TrimSuffix(u.Path, "/") + "/realtime"
			out.RawPath = ""
		}
	default:
		return "", fmt.Errorf("realtime: GraphQL URL %q is not an absolute http(s) URL", graphqlURL)
	}
	out.Fragment = ""
	return out.String(), nil
}

// isAppSyncHost reports whether host is an AppSync-generated API host,
// <id>.appsync-api.<region>.amazonaws.com(.cn).
func isAppSyncHost(host string) bool {
	host = strings.ToLower(host)
	if !strings.HasSuffix(host, ".amazonaws.com") && !strings.HasSuffix(host, ".amazonaws.com.cn") {
		return false
	}
	parts := strings.Split(host, ".")
	return len(parts) >= 5 && parts[0] != "" && parts[1] == "appsync-api"
}
