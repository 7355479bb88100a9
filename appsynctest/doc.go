// Package appsynctest is a local AWS AppSync API for Amplify Gen 2
// backends, started in-process like net/http/httptest, so that Go code can
// be tested against the backend's API without deploying it.
//
//	b, err := appsynctest.LoadBackend("amplify_outputs.json", "amplify/schema.graphql")
//	srv := appsynctest.NewServer(t, b,
//		appsynctest.Handle("addUserToGroup", appsynctest.Typed(h.Handle), appsynctest.AllowGroups("ADMINS")))
//	c, err := amplifydata.New(srv.Outputs(), client.WithUserPool(srv.SignIn("alice", "ADMINS")))
//
// Start and Close do the same for programs; cmd/appsynctest runs one from
// the command line.
//
// # What it does
//
// The server answers POST (and GET) /graphql on 127.0.0.1 as AppSync does:
//
//   - Documents are parsed and validated against the AppSync schema (with
//     AppSync's scalars and directives) and executed for real: variables
//     (coercion, defaults, required), aliases, named and inline fragments,
//     @skip and @include, __typename, interfaces and unions, introspection,
//     null propagation with partial data. Errors have AppSync's shapes:
//     validation errors with HTTP 200, "data": null and graphql-java's
//     messages ("Validation error of type FieldUndefined: Field 'x' in type
//     'Query' is undefined @ 'x'"); resolver errors with path, data,
//     errorType, errorInfo and locations; malformed requests with HTTP 400
//     and MalformedHttpRequestException.
//   - Requests are limited before they cost what they ask for (Limits,
//     WithLimits), so that a hostile document is answered in milliseconds
//     with bounded memory. A body (or GET query string) over 1 MiB is an
//     HTTP 413 MalformedHttpRequestException. A document of more than
//     15,000 tokens, or nesting brackets more than 100 deep, is refused
//     before it is parsed, with graphql-java's InvalidSyntax error
//     ("Invalid Syntax : More than 15,000 'grammar' tokens have been
//     presented. To prevent Denial Of Service attacks, parsing has been
//     cancelled. offending token ..."); one whose operations spread their
//     fragments so often that validating it would visit more than 60,000
//     selections, before it is validated. Fields that share a response key
//     are merged as CollectFields merges them and executed once, however
//     often the document repeats them, and checked for conflicts in linear
//     time. While a request executes: the API's query depth limit (none
//     unless set, as on AppSync; the fields past it fail with
//     QueryDepthLimitReached, their null propagating), at most 10,000
//     resolvers (the rest fail with ResolverExecutionLimitReached and do
//     not run), 30 seconds (the response is then data null and one
//     ExecutionTimeout error, "Execution timed out.", at the field being
//     resolved; handlers get the deadline in their context and are not
//     waited for past it), and a response of at most 16 MiB (data null and
//     one appsynctest:ResponseTooLarge error).
//   - Authorization is checked for real. SigV4 signatures are re-derived
//     (internal/sigv4verify) for three principals whose credentials the
//     server makes up: the identity pool's authenticated role
//     (AuthenticatedCredentials), its unauthenticated role
//     (GuestCredentials) and a role outside the pool, such as a
//     function's (IAMCredentials); a mismatch is a 403
//     InvalidSignatureException naming the expected canonical request, a
//     date more than 5 minutes off is "Signature expired". User pool tokens
//     are issued by the server (SignIn), RS256-signed with a key of its own
//     whose JWKS it serves (JWKSURL), with Cognito's claims, and verified
//     (signature, issuer, expiry, client, token use): 401
//     UnauthorizedException "Valid authorization header not provided." or
//     "Token has expired.". The API key of the outputs is accepted until it
//     expires (7 days by default). Then each field's @aws_* directives (the
//     field's, else its type's, else the default mode; cognito_groups)
//     answer Unauthorized "Not Authorized to access <field> on type <Type>".
//   - Models (model_introspection) are resolved as Amplify's transformer
//     resolves them (their VTL in schema/testdata/amplify/backends/*/
//     generated/resolvers was read to match it): get, list, create, update,
//     delete, secondary index queries, hasMany/hasOne/belongsTo fields,
//     composite identifiers and sort keys, filters and conditions with
//     DynamoDB's semantics, pagination with opaque tokens, generated ids
//     and timestamps, owner fields ("<sub>::<username>", read back as the
//     username), and the auth rules (owner, static and dynamic groups,
//     private and public for user pools, identity pool and API key,
//     per operation): Unauthorized, or the auth filter on lists. Data lives
//     in memory, safe for concurrent use; Items, PutItem and Reset reach it.
//   - Custom queries and mutations run Go handlers (Handle, Typed) that get
//     the event Amplify's function resolver sends the Lambda function, with
//     $ctx.identity as AppSync builds it for the auth mode and AWSJSON
//     arguments parsed. Errors are reported as AppSync reports Lambda errors
//     (Lambda:Unhandled). HTTPHandler forwards events to a function served
//     over HTTP. UserPool stands in for the Cognito API a function calls
//     (AdminAddUserToGroup, AdminRemoveUserFromGroup): group changes show in
//     the tokens of the user's next SignIn, as with Cognito.
//   - Model mutations publish events per model (Subscribe).
//   - Subscriptions are served over AppSync's realtime WebSocket protocol
//     (realtime*.go, its wire format in internal/realtime), at
//     RealtimeURL: ws://127.0.0.1:<port>/graphql, and /graphql/realtime
//     as for custom domains. The subprotocol is
//     graphql-ws; the header query parameter (base64 JSON of the
//     authorization headers; or amplify-js's second subprotocol,
//     header-<base64url>) authorizes the connection, the payload
//     parameter is e30= ({}). connection_init is answered with
//     connection_ack {"connectionTimeoutMs": 300000}, then "ka" right
//     away and every minute (SetKeepAlive, StopKeepAlive); start with
//     start_ack, then a data message per event, or an error message; stop
//     with complete. A refused connection gets connection_error, then the
//     connection closes (1000); without a header the upgrade is an HTTP
//     401. The connect headers and each start's
//     payload.extensions.authorization are authenticated as HTTP requests
//     are: the API key, user pool tokens, SigV4 re-derived from the headers
//     given, with exactly the headers the signature lists, for POST
//     <graphql path>/connect over the payload ({}) and for POST <graphql
//     path> over exactly the start's data string; the host header must be
//     the endpoint's host (AppSync finds the API by it). Failures are
//     UnauthorizedException with errorCode 401 and the HTTP path's message
//     (a SigV4 failure is "You are not authorized to make this call.", as
//     AppSync's realtime endpoint words it; the server's log holds the
//     canonical request). Then the subscription field's @aws_* directives
//     and, for a model's subscriptions, the model's rules as Amplify's
//     subscription resolvers apply them (their VTL was read): static rules
//     (public and private per provider, static groups) admit every event;
//     owner and dynamic group rules admit the caller's own items, through a
//     filter on the owner field (compared with the username, what the
//     owner field holds in a mutation's response) or the groups field; an
//     owner argument must be the caller's (Unauthorized "Not Authorized to
//     access onCreateTodo on type Subscription"). Every mutation, of a model
//     or custom, publishes its response (the mutation's own selection, as
//     its caller got it) to the subscription fields whose @aws_subscribe
//     lists it; an event reaches a subscription if it passes its filter
//     (the filter argument, with the owner or group filter: eq, ne, le,
//     lt, ge, gt, contains, notContains, between, beginsWith, in, notIn,
//     and, or, with internal/store/filter.go's semantics) or, when it has
//     none, equals its arguments (AppSync's argument filtering: with a
//     valid owner argument Amplify sets no filter and the argument
//     filters, so an owner argument of the stored form
//     "<sub>::<username>" matches no event, the response holding the
//     username); the subscription's selection set is then executed on the response for the subscriber,
//     so a field the mutation did not select is null (for a non-null field,
//     graphql-java's error), as on AppSync. Limits (SetRealtimeLimits): 100
//     subscriptions per connection (MaxSubscriptionsReachedError, whose
//     errors AppSync sends as an object), 240 KB per client message
//     (larger closes the connection, 1009). An id already active is
//     DuplicatedOperationError; a malformed message gets an error message
//     and the connection stays. For the tests of a client:
//     RealtimeStats, WaitSubscriptions and WaitRealtime (wait until the
//     client under test has subscribed), DropConnections (close every
//     socket without a close frame), RefuseConnections (HTTP 503 to new
//     connections), StopKeepAlive; Close ends connections with 1001.
//
// # Differences from AppSync
//
// Each difference and why:
//
//   - The realtime endpoint is the GraphQL URL with ws://, not a host of
//     its own (appsync-realtime-api). A subscription sent over HTTP gets
//     an error naming it.
//   - AppSync documents few of its realtime errors. Those on record are
//     reproduced (connection_error with UnauthorizedException and
//     errorCode, NoProtocolError and SubProtocolNotSupportedError without
//     graphql-ws, "<type> not supported through the realtime channel"
//     with UnsupportedOperation, DuplicatedOperationError,
//     MaxSubscriptionsReachedError); the others are appsynctest's:
//     BadRequestException for a message that is not a JSON object, lacks
//     an id or a data string (and, before the upgrade, HTTP 400 for a
//     header parameter that is not base64 JSON), validation errors as over
//     HTTP, ServiceUnavailableException (HTTP 503) while
//     RefuseConnections. A stop for an id that is not active is answered
//     complete. A start without extensions.authorization is refused
//     (UnauthorizedException) rather than authorized as its connection.
//   - connection_init is optional, as AppSync's documentation says; the
//     keep-alives start with connection_ack, or with the answer to the
//     first start when there was no connection_init.
//   - When a filter is set (the filter argument, or Amplify's owner or
//     group filter), the other arguments do not filter the events;
//     without one, the arguments do (Amplify's resolvers rely on it for a
//     valid owner argument). Filters are evaluated with
//     internal/store/filter.go's semantics (a condition on a field the
//     response lacks is false, except ne and notContains); AppSync's
//     limits on the number of filter conditions and groups are not
//     enforced.
//   - A subscription's selection set is executed with the resolvers
//     appsynctest has for object types: owner fields (idempotent on a
//     response) and relationships, which read as null or no items for
//     models with auth rules (Amplify redacts them in mutation responses),
//     but of a model without rules are read from the tables, where
//     AppSync would take the mutation's response. The value of an
//     interface or union field whose mutation did not select __typename is
//     taken as its first possible type that fits.
//   - Custom subscriptions are authorized by their @aws_* directives only:
//     the rules of a.subscription().authorization() live in its resolver,
//     which appsynctest does not run (Allow takes queries and mutations).
//   - A subscription lives until it is stopped or its connection ends: the
//     expiry of the token that authorized it does not end it. There is no
//     maximum connection duration, no rate limit, no limit on the size of
//     an event; a client that lets 1024 messages queue up loses its
//     connection. Events reach the subscriptions of a field in the order
//     they were started, each connection's in the order of the mutations.
//     Keep-alive and limits are set on the Server (SetKeepAlive,
//     SetRealtimeLimits), not as options: the keep-alive applies to
//     connections acknowledged afterwards, the message limit to
//     connections opened afterwards, the subscription limit to later
//     starts.
//   - The OPENID_CONNECT and AWS_LAMBDA modes are not served (there is no
//     issuer or authorizer to stand in for); requests in those modes fail
//     as with an invalid token.
//   - Only tokens the server issued are accepted: Cognito's keys are not
//     available locally. SignIn needs no password and has no sign-up,
//     MFA or refresh-token flows; a Session issues a new token when the
//     last expires, as a refreshing token source would.
//   - Only the server's three IAM principals are known. The authenticated
//     role's identity stands for no particular user
//     (cognitoIdentityAuthProvider is null); Gen 2's admin roles are the
//     role outside the pool.
//   - The rules of custom operations are not in the AppSync schema nor in
//     model_introspection (AppSync checks them in the resolver's VTL), so
//     they are given to Handle or Allow; without them only the @aws_*
//     directives apply.
//   - Field-level auth rules of models are not enforced (a warning is
//     logged when model_introspection has any); when an owner or group
//     field is part of a key, list queries use the auth filter rather than
//     the key condition Amplify builds (same items, but limit counts the
//     items read differently).
//   - A model_introspection identityClaim of "cognito:username" (what it
//     writes when the rule names none) is Gen 2's default claim
//     "sub::username".
//   - The tables are in memory: no 1 MB page or 400 KB item limits, no
//     capacity errors. A Scan returns items in an order of its own (by a
//     hash of the partition key, deterministic), not DynamoDB's; a Query
//     orders by sort key, then by the table's key where DynamoDB leaves the
//     order open. The GSIs Gen 2 creates for relationships (gsi-Post.comments)
//     are not listed in model_introspection, so relationship fields read the
//     table with the same key condition: the same items, in table order.
//   - Lambda errors are always Lambda:Unhandled with the error's message,
//     as AppSync reports them (the errorType a function gives is lost on
//     AppSync; Invocation.ErrorType records it). A *ResolverError from a
//     handler is reported as it is, to stand in for a JavaScript or VTL
//     resolver calling util.error. Handlers have no timeout of their own
//     (only the request's, Limits.Timeout) and no 6 MB payload limit.
//   - The event's prev is {"result":{}}, what the function after Amplify's
//     auth step receives; request.headers are the request's headers
//     (lower-case) plus host and x-forwarded-for, without the CloudFront
//     headers AppSync adds; request.domainName is null (no custom domain).
//   - Validation messages are graphql-java's wording of what gqlparser
//     finds: one document with several errors can list them in another
//     order, or list one graphql-java would not. Messages of variable
//     coercion and serialization follow graphql-java where AppSync's are
//     known ("Variable 'id' has coerced Null value for NonNull type 'ID!'",
//     "The variables input contains a field that is not defined for input
//     object type 'X' "), otherwise graphql-java's format.
//   - An expired API key gets the same 401 as a wrong one.
//   - In the canonical request of an InvalidSignatureException, the session
//     token is shown as <redacted>, so that no credential is ever in a
//     response or a log.
//   - The limits of requests are AppSync's where AppSync documents them:
//     10,000 resolvers executed in a request and 30 seconds of execution
//     (https://docs.aws.amazon.com/general/latest/gr/appsync.html), the
//     query depth limit of 1 to 75 that an API may set, and the errorTypes
//     QueryDepthLimitReached and ResolverExecutionLimitReached
//     (https://docs.aws.amazon.com/appsync/latest/devguide/configuration-limits.html),
//     whose messages AppSync does not document (appsynctest's name the
//     limit). Where AppSync documents nothing the limits are appsynctest's
//     assumptions: 1 MiB of request, the client package's default
//     (client.DefaultLimits.MaxRequestBytes), answered with 413 and
//     MalformedHttpRequestException; 15,000 tokens, graphql-java's default
//     parser limit and message (AppSync runs graphql-java, but whether it
//     keeps that limit is not documented); 100 nested brackets, standing in
//     for graphql-java's 500 nested grammar rules; 4 × 15,000 selections
//     visited by validation; 16 MiB of response, the largest the client
//     package reads (client.DefaultMaxResponseBytes), reported as
//     appsynctest:ResponseTooLarge. An ExecutionTimeout or a response too
//     large stops the execution: data null and that error alone, where
//     AppSync may keep the data resolved before. Every limit is configurable
//     (WithLimits); a negative value turns one off.
//   - Field conflicts (FieldsConflict) are found by comparing the fields of
//     a response key with the first of them and merging their selections,
//     not pair by pair, with graphql-java's wording ("x: they have
//     differing arguments", "thing: (n: name and id are different
//     fields)"): one error per response key, not one per conflicting pair;
//     the selections of fields under different object types are not
//     compared for the shape of their responses.
//   - No rate limit, no caching, no X-Ray, no CloudWatch logs; DataStore
//     sync queries, conflict detection, @searchable, SQL data sources and
//     the AI kit are not supported.
//   - As on AppSync, an argument whose variable was not given reaches the
//     resolver as an explicit null (aws/aws-appsync-community#348).
package appsynctest
