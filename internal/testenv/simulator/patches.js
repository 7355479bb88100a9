'use strict';
// Patches for the gaps of amplify-appsync-simulator 2.4.1 (pinned in
// package.json). Each gap has its own function below, whose comment says
// what the simulator does, what AppSync does and what the patch changes.
// They reach into the simulator's compiled files (lib/...), which is why the
// version is pinned exactly: a new version must be re-checked against every
// patch (the tests in *.test.js do that).
//
// The five gaps known from measuring 2.4.1 are "Gap (1)" to "Gap (5)":
// (1) webSocketIamIdentity, (2) amzContentEncoding, (3) subscriptionFilters,
// (4) webSocketCrashGuards, (5) connectionTimeoutMs. The others close gaps
// found while building this harness: loopback, iamIdentityPool,
// errorMessages, unauthorizedErrors, identityShape.
//
// applyPatches(simulator) applies all of them to one AmplifyAppSyncSimulator
// after init() and before start(). Some patch module-level objects
// (VelocityTemplate.prototype, $util, module exports of the simulator), so
// there is one simulator per process.

process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';

const { isDeepStrictEqual } = require('util');
const { VelocityTemplate } = require('amplify-appsync-simulator/lib/velocity');
const { transformUtils } = require('amplify-appsync-simulator/lib/velocity/util/transform');
const { toJSON } = require('amplify-appsync-simulator/lib/velocity/value-mapper/to-json');
const authHelpers = require('amplify-appsync-simulator/lib/utils/auth-helpers/helpers');
const { getAuthorizationMode } = require('amplify-appsync-simulator/lib/utils/auth-helpers/current-auth-mode');
// Called through the module object: patchSubscriptionFilters replaces it.
const subscriptions = require('amplify-appsync-simulator/lib/utils/graphql-runner/subscriptions');
const { MESSAGE_TYPES } = require('amplify-appsync-simulator/lib/server/subscription/websocket-server/message-types');
const exposeErrors = require('amplify-appsync-simulator/lib/utils/expose-graphql-errors');
const { generalUtils } = require('amplify-appsync-simulator/lib/velocity/util/general-utils');
const { Unauthorized } = require('amplify-appsync-simulator/lib/velocity/util/errors');

// Names of the patches, in the order applyPatches applies them. The
// environment variable SIMULATOR_SKIP_PATCHES (comma-separated names) leaves
// some out: the tests use it to show each gap without its patch.
const PATCHES = [
  'loopback',
  'iamIdentityPool',
  'webSocketIamIdentity',
  'amzContentEncoding',
  'subscriptionFilters',
  'webSocketCrashGuards',
  'connectionTimeoutMs',
  'errorMessages',
  'unauthorizedErrors',
  'identityShape',
  'conditionExpressionValues',
];

function realtimeServer(simulator) {
  return simulator._server._realTimeSubscriptionServer.realtimeServer;
}

// ---------------------------------------------------------------------------
// Gap: binds all interfaces.
// Simulator 2.4.1: AppSyncSimulatorServer.start() listens on every interface,
// on a port picked by get-port from 8900-9999 when none is given, and also
// starts a second (MQTT-over-WebSocket, used only by the legacy POST
// subscriptions) server the same way.
// AppSync: not applicable; the harness must stay on loopback.
// Patch: replaces start() so that both servers listen on 127.0.0.1 only, the
// GraphQL server on the requested port (0: a free one chosen by the kernel,
// no range, no race with get-port) and the MQTT one on a free port.
function bindLoopback(simulator, port) {
  const server = simulator._server;
  const listen = (httpServer, p) =>
    new Promise((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(p, '127.0.0.1', () => {
        httpServer.off('error', reject);
        resolve(httpServer.address().port);
      });
    });
  server.start = async function startOnLoopback() {
    const mqtt = this._subscriptionServer;
    const mqttPort = await listen(mqtt.mqttWebSocketServer, 0);
    mqtt.port = mqttPort;
    mqtt.url = `ws://127.0.0.1:${mqttPort}/`;
    this._realTimeSubscriptionServer.start();
    const actual = await listen(this._httpServer, port || 0);
    this._url = `http://127.0.0.1:${actual}`;
  };
}

// ---------------------------------------------------------------------------
// Gap: IAM identities carry no Cognito identity-pool fields.
// Simulator 2.4.1: an IAM request gets $ctx.identity {sourceIp, userArn,
// username}; userArn is arn:aws:sts::<accountId>:<authRoleName or
// unAuthRoleName> depending only on whether the access key id equals
// authAccessKeyId. cognitoIdentityPoolId and cognitoIdentityAuthType are null.
// AppSync: a caller using identity-pool credentials has
// cognitoIdentityPoolId = the pool and cognitoIdentityAuthType =
// "authenticated" / "unauthenticated"; Amplify's IAM rules test them
// (identity-pool private rules, and with generic IAM access a caller whose
// cognitoIdentityPoolId is null counts as a non-Cognito IAM principal).
// Patch: when the API config names an identity pool (appSync.identityPoolId),
// the simulated roles are identity-pool roles: the IAM token gets the pool id
// and the auth type, which the simulator's buildRenderContext already copies
// into $ctx.identity. When it also names the guest role's key
// (appSync.unauthAccessKeyId, from UNAUTH_ACCESS_KEY_ID), a key that is
// neither the authenticated nor the guest one is an IAM principal of the
// account outside the identity pool (a function's or a service's role, which
// Gen 2's IAM access admits): no Cognito fields, a role ARN of its own.
function patchIamIdentityPool(simulator) {
  if (authHelpers.extractIamToken.__patched) return;
  const original = authHelpers.extractIamToken;
  const patched = function extractIamTokenWithPool(authorization, appSyncConfig) {
    const token = original(authorization, appSyncConfig);
    const keyId = (authorization.split('Credential=')[1] || '').split('/')[0];
    if (appSyncConfig.unauthAccessKeyId && keyId !== appSyncConfig.authAccessKeyId && keyId !== appSyncConfig.unauthAccessKeyId) {
      return {
        accountId: appSyncConfig.accountId,
        userArn: `arn:aws:sts::${appSyncConfig.accountId}:assumed-role/backend-${keyId}/session`,
        username: `${keyId}:session`,
      };
    }
    if (appSyncConfig.identityPoolId) {
      token.cognitoIdentityPoolId = appSyncConfig.identityPoolId;
      token.cognitoIdentityAuthType = token.username === 'auth-user' ? 'authenticated' : 'unauthenticated';
    }
    return token;
  };
  patched.__patched = true;
  authHelpers.extractIamToken = patched;
}

// ---------------------------------------------------------------------------
// Gap (1): no IAM identity on WebSocket subscriptions.
// Simulator 2.4.1: the realtime server's onSubscribe builds the request
// context without iamToken, so for an AWS_IAM `start` buildRenderContext reads
// iamToken.username of undefined: any VTL of the subscription fails with
// "Cannot read properties of undefined (reading 'username')" and the client
// gets an error instead of start_ack.
// AppSync: $ctx.identity of a subscription is the IAM identity of the
// signed `start` message, as for a query.
// Patch: replaces the realtime server's onSubscribeHandler with one that
// builds the same context as POST /graphql, iamToken included (and a missing
// authorization object is treated as no headers, not a TypeError).
function patchWebSocketIamIdentity(simulator) {
  const rt = realtimeServer(simulator);
  rt.options.onSubscribeHandler = async function onSubscribeWithIamIdentity(doc, variables, headers, request, operationName) {
    headers = headers || {};
    const appSyncConfig = simulator.appSyncConfig;
    const authorization = authHelpers.extractHeader(headers, 'Authorization');
    const requestAuthorizationMode = getAuthorizationMode(headers, appSyncConfig);
    const context = {
      jwt: authorization ? authHelpers.extractJwtToken(authorization) : undefined,
      sourceIp: request.socket.remoteAddress,
      headers,
      requestAuthorizationMode,
      appsyncErrors: [],
      iamToken: requestAuthorizationMode === 'AWS_IAM' ? authHelpers.extractIamToken(authorization, appSyncConfig) : undefined,
    };
    const result = await subscriptions.runSubscription(simulator.schema, doc, variables, operationName, context);
    return result.asyncIterator || result;
  };
}

// ---------------------------------------------------------------------------
// Gap (2): HTTP 415 for Content-Encoding: amz-1.0.
// Simulator 2.4.1: POST /graphql goes through express.json(), whose
// body-parser accepts only identity/gzip/deflate and answers
// 415 "unsupported content encoding "amz-1.0"".
// AppSync: amz-1.0 is the marker AWS SDKs and amplify-js put on SigV4-signed
// JSON bodies; the body is plain JSON and AppSync accepts it.
// Patch: wraps the JSON body parser: for amz-1.0 it hides the header from the
// parser and puts it back afterwards, so $ctx.request.headers still has it.
function patchAmzContentEncoding(simulator) {
  const app = simulator._server._operationServer.app;
  const layer = app._router.stack.find(l => l.name === 'jsonParser');
  if (!layer) throw new Error('patchAmzContentEncoding: express.json() layer not found');
  const parse = layer.handle;
  layer.handle = function jsonParserAcceptingAmz(req, res, next) {
    const encoding = req.headers['content-encoding'];
    if (typeof encoding !== 'string' || encoding.trim().toLowerCase() !== 'amz-1.0') {
      return parse(req, res, next);
    }
    delete req.headers['content-encoding'];
    return parse(req, res, err => {
      req.headers['content-encoding'] = encoding;
      next(err);
    });
  };
}

// ---------------------------------------------------------------------------
// Gap (3): no enhanced subscription filters, and no argument filtering.
// Simulator 2.4.1: $util.transform has no toSubscriptionFilter and there is
// no $extensions, so the Amplify subscription resolvers (which call
// $extensions.setSubscriptionFilter($util.transform.toSubscriptionFilter(
// $ctx.args.filter)) as soon as a filter or an owner rule applies) fail at
// `start`. Every subscriber also gets every event: the simulator calls
// graphql-subscriptions' withFilter without the subscription arguments, so
// not even basic argument filtering happens.
// AppSync: toSubscriptionFilter(Map[, List ignoredFields[, Map rules]]) turns
// an {field: {op: value}, and: [...], or: [...]} map into
// {filterGroup: [{filters: [{fieldName, operator, value}]}]} (filterGroup:
// OR of groups, filters: AND; several operators on one field: OR; fields in
// ignoredFields are left out at every level; rules: at least one must hold).
// An event reaches a subscriber when the filter set by setSubscriptionFilter
// matches it; without one, when every argument the subscriber gave equals the
// event's field of that name (basic filtering). The two never apply together.
// Filters see the mutation's response, after field resolvers: Amplify's
// Todo.owner resolver turns the stored "<sub>::<username>" into "<username>",
// and its owner runtime filter compares with the username.
// Patch: adds $util.transform.toSubscriptionFilter and $extensions
// (setSubscriptionFilter stores the filter in the request context;
// setSubscriptionInvalidationFilter, invalidateSubscriptions and
// evictFromApiCache are accepted and do nothing). Every Subscription field's
// `subscribe` records the subscriber's arguments and each raw event in the
// request context, and runSubscription's result stream drops the events that
// do not match. Each event is matched on the subscriber's resolved response
// (field resolvers applied) laid over the raw event (for the fields the
// subscriber did not select): AppSync uses the mutation's selection set,
// which Amplify's generated statements make the same as the subscription's.
function patchSubscriptionFilters(simulator) {
  transformUtils.toSubscriptionFilter = function (filter, ignoredFields, rules) {
    return toSubscriptionFilter(toJSON(filter), toJSON(ignoredFields), toJSON(rules));
  };

  if (!VelocityTemplate.prototype.buildRenderContext.__extensions) {
    const build = VelocityTemplate.prototype.buildRenderContext;
    const patched = function buildRenderContextWithExtensions(ctxValues, requestContext, info) {
      const context = build.call(this, ctxValues, requestContext, info);
      context.extensions = createExtensions(requestContext);
      return context;
    };
    patched.__extensions = true;
    VelocityTemplate.prototype.buildRenderContext = patched;
  }

  if (!subscriptions.runSubscription.__patched) {
    const run = subscriptions.runSubscription;
    const patched = async function runSubscriptionFiltered(schema, document, variables, operationName, context) {
      const result = await run(schema, document, variables, operationName, context);
      if (result && result.asyncIterator && context) {
        result.asyncIterator = filterIterator(result.asyncIterator, value => eventMatches(context, value));
      }
      return result;
    };
    patched.__patched = true;
    subscriptions.runSubscription = patched;
  }

  recordSubscriptionEvents(simulator.schema);
  const init = simulator.init;
  simulator.init = function initWithSubscriptionFilters(config) {
    init.call(this, config);
    recordSubscriptionEvents(this.schema);
  };
}

// recordSubscriptionEvents wraps the `subscribe` of every Subscription field:
// the arguments and each raw event go into the request context.
function recordSubscriptionEvents(schema) {
  const type = schema && schema.getSubscriptionType();
  if (!type) return;
  for (const field of Object.values(type.getFields())) {
    if (!field.subscribe || field.subscribe.__recording) continue;
    const subscribe = field.subscribe;
    const recording = async function subscribeRecording(source, args, context, info) {
      const iterator = await subscribe(source, args, context, info);
      if (!context || !iterator || typeof iterator.next !== 'function') return iterator;
      context.subscriptionArgs = args;
      return mapIterator(iterator, value => {
        context.subscriptionEvent = value;
        return value;
      });
    };
    recording.__recording = true;
    field.subscribe = recording;
  }
}

// eventMatches decides on one execution result of a subscriber's stream.
function eventMatches(context, value) {
  const raw = context.subscriptionEvent;
  const data = value && value.data;
  const resolved = data && typeof data === 'object' ? Object.values(data)[0] : undefined;
  let view = resolved;
  if (raw && typeof raw === 'object') {
    view = { ...raw, ...(resolved && typeof resolved === 'object' ? resolved : {}) };
  }
  if (context.subscriptionFilter) return matchesSubscriptionFilter(context.subscriptionFilter, view);
  return matchesSubscriptionArguments(context.subscriptionArgs, view);
}

function mapIterator(iterator, fn) {
  return {
    async next() {
      const r = await iterator.next();
      return r.done ? r : { done: false, value: fn(r.value) };
    },
    return(v) {
      return iterator.return ? iterator.return(v) : Promise.resolve({ done: true, value: v });
    },
    throw(e) {
      return iterator.throw ? iterator.throw(e) : Promise.reject(e);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function filterIterator(iterator, keep) {
  return {
    async next() {
      for (;;) {
        const r = await iterator.next();
        if (r.done || keep(r.value)) return r;
      }
    },
    return(v) {
      return iterator.return ? iterator.return(v) : Promise.resolve({ done: true, value: v });
    },
    throw(e) {
      return iterator.throw ? iterator.throw(e) : Promise.reject(e);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function createExtensions(requestContext) {
  return {
    setSubscriptionFilter(filter) {
      if (requestContext) requestContext.subscriptionFilter = validateFilter(toJSON(filter));
      return '';
    },
    setSubscriptionInvalidationFilter(filter) {
      if (requestContext) requestContext.subscriptionInvalidationFilter = toJSON(filter);
      return '';
    },
    invalidateSubscriptions() {
      return '';
    },
    evictFromApiCache() {
      return '';
    },
  };
}

const OPERATORS = new Set([
  'eq', 'ne', 'le', 'lt', 'ge', 'gt', 'contains', 'notContains', 'beginsWith', 'in', 'notIn', 'between', 'containsAny',
]);
// The AppSync examples of toSubscriptionFilter also write lte/gte.
const OPERATOR_ALIASES = { lte: 'le', gte: 'ge' };

// toSubscriptionFilter is $util.transform.toSubscriptionFilter on plain JS
// values: it returns {filterGroup: [{filters: [...]}]}, the disjunctive normal
// form of the input map.
function toSubscriptionFilter(filter, ignoredFields, rules) {
  const ignored = new Set(Array.isArray(ignoredFields) ? ignoredFields : []);
  let groups = mapToGroups(withoutIgnored(filter || {}, ignored));
  if (rules && typeof rules === 'object' && Object.keys(rules).length > 0) {
    const ruleGroups = [];
    for (const [fieldName, condition] of Object.entries(rules)) {
      if (condition === null || condition === undefined) continue;
      for (const f of fieldFilters(fieldName, condition)) ruleGroups.push([f]);
    }
    if (ruleGroups.length > 0) groups = product(groups, ruleGroups);
  }
  return { filterGroup: groups.filter(g => g.length > 0).map(filters => ({ filters })) };
}

// withoutIgnored drops the ignored fields at every level, and the and/or
// entries left empty by that (AppSync's example: an "or" whose ignored
// alternative disappears instead of becoming "always true").
function withoutIgnored(map, ignored) {
  const out = {};
  for (const [key, value] of Object.entries(map)) {
    if (value === null || value === undefined) continue;
    if (key === 'and' || key === 'or') {
      const list = asList(value)
        .map(sub => withoutIgnored(sub, ignored))
        .filter(sub => Object.keys(sub).length > 0);
      if (list.length > 0) out[key] = list;
    } else if (!ignored.has(key)) {
      out[key] = value;
    }
  }
  return out;
}

// mapToGroups returns the OR-list of AND-lists of one filter map; [[]] is
// "always true".
function mapToGroups(map) {
  let groups = [[]];
  for (const [key, value] of Object.entries(map)) {
    if (key === 'and') {
      for (const sub of value) groups = product(groups, mapToGroups(sub));
    } else if (key === 'or') {
      const alternatives = [];
      for (const sub of value) alternatives.push(...mapToGroups(sub));
      if (alternatives.length > 0) groups = product(groups, alternatives);
    } else {
      const alternatives = fieldFilters(key, value).map(f => [f]);
      if (alternatives.length > 0) groups = product(groups, alternatives);
    }
  }
  return groups;
}

function fieldFilters(fieldName, condition) {
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) {
    throw new Error(`toSubscriptionFilter: the condition on "${fieldName}" must be a map of operator to value`);
  }
  const filters = [];
  for (const [op, value] of Object.entries(condition)) {
    if (value === null || value === undefined) continue;
    const operator = OPERATOR_ALIASES[op] || op;
    if (!OPERATORS.has(operator)) {
      throw new Error(`toSubscriptionFilter: unknown operator "${op}" on "${fieldName}"`);
    }
    filters.push({ fieldName, operator, value });
  }
  return filters;
}

function asList(value) {
  return Array.isArray(value) ? value.filter(v => v && typeof v === 'object') : [value];
}

function product(left, right) {
  const out = [];
  for (const a of left) for (const b of right) out.push([...a, ...b]);
  return out;
}

function validateFilter(filter) {
  if (!filter || !Array.isArray(filter.filterGroup)) {
    throw new Error('setSubscriptionFilter: the argument must be {"filterGroup": [{"filters": [...]}]}');
  }
  for (const group of filter.filterGroup) {
    if (!group || !Array.isArray(group.filters)) {
      throw new Error('setSubscriptionFilter: every filterGroup entry needs a "filters" list');
    }
    for (const f of group.filters) {
      const operator = f && (OPERATOR_ALIASES[f.operator] || f.operator);
      if (!f || typeof f.fieldName !== 'string' || !OPERATORS.has(operator)) {
        throw new Error(`setSubscriptionFilter: bad filter ${JSON.stringify(f)}`);
      }
    }
  }
  return filter;
}

// matchesSubscriptionFilter reports whether an event payload passes an
// enhanced filter: some group whose filters all hold. An empty filterGroup
// lets everything through.
function matchesSubscriptionFilter(filter, payload) {
  const groups = (filter && filter.filterGroup) || [];
  if (groups.length === 0) return true;
  return groups.some(group => (group.filters || []).every(f => matchesFilter(f, payload)));
}

function fieldValue(payload, fieldName) {
  let value = payload;
  for (const part of fieldName.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = value[part];
  }
  return value;
}

function comparable(a, b) {
  return (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
}

function matchesFilter({ fieldName, operator, value }, payload) {
  const actual = fieldValue(payload, fieldName);
  const missing = actual === undefined || actual === null;
  switch (OPERATOR_ALIASES[operator] || operator) {
    case 'eq':
      return !missing && isDeepStrictEqual(actual, value);
    case 'ne':
      return missing || !isDeepStrictEqual(actual, value);
    case 'le':
      return comparable(actual, value) && actual <= value;
    case 'lt':
      return comparable(actual, value) && actual < value;
    case 'ge':
      return comparable(actual, value) && actual >= value;
    case 'gt':
      return comparable(actual, value) && actual > value;
    case 'contains':
      return contains(actual, value);
    case 'notContains':
      return !contains(actual, value);
    case 'beginsWith':
      return typeof actual === 'string' && typeof value === 'string' && actual.startsWith(value);
    case 'in':
      return !missing && Array.isArray(value) && value.some(v => isDeepStrictEqual(v, actual));
    case 'notIn':
      return missing || !Array.isArray(value) || !value.some(v => isDeepStrictEqual(v, actual));
    case 'between':
      // AppSync's reference: between [1,5] matches 2, 3 and 4.
      return (
        Array.isArray(value) && value.length === 2 &&
        comparable(actual, value[0]) && comparable(actual, value[1]) &&
        actual > value[0] && actual < value[1]
      );
    case 'containsAny':
      return Array.isArray(actual) && Array.isArray(value) && value.some(v => actual.some(a => isDeepStrictEqual(a, v)));
    default:
      return false;
  }
}

function contains(actual, value) {
  if (Array.isArray(actual)) return actual.some(a => isDeepStrictEqual(a, value));
  if (typeof actual === 'string' && typeof value === 'string') return actual.includes(value);
  return false;
}

// matchesSubscriptionArguments is AppSync's basic filtering: every argument
// the subscriber gave (not null) must equal the event's field of that name.
function matchesSubscriptionArguments(args, payload) {
  if (payload === null || payload === undefined) return false;
  for (const [name, value] of Object.entries(args || {})) {
    if (value === null || value === undefined) continue;
    if (!isDeepStrictEqual(toJSONValue(payload[name]), toJSONValue(value))) return false;
  }
  return true;
}

function toJSONValue(v) {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

// ---------------------------------------------------------------------------
// Gap (4): two WebSocket inputs kill the whole process.
// Simulator 2.4.1: onMessage calls JSON.parse on the frame outside its
// try/catch, so a frame that is not JSON throws out of the ws 'message'
// handler (uncaught exception); onSubscriptionStart is async and lets
// graphql's parse() (a query with a syntax error), and any error of the
// subscribe handler (a bad API key, no authorization, ...) reject a promise
// nobody awaits (unhandled rejection). Node 20 exits on both.
// AppSync: answers that client with an error message and keeps serving.
// Patch: wraps onMessage, onSubscriptionStart and attachAsyncIterator (the
// unawaited event loop of a subscription): a frame that is not JSON
// gets {"type":"error","payload":{"errors":[{"message":...}]}} (the
// simulator's own shape for an invalid message), a failed start gets
// {"type":"error","id":<id>,"payload":{"errors":[{"errorType":...,
// "message":...}]}}; errorType is UnauthorizedException for auth failures
// and GraphQLError for a query that does not parse.
function patchWebSocketCrashGuards(simulator) {
  const rt = realtimeServer(simulator);
  const onMessage = rt.onMessage;
  rt.onMessage = function onMessageGuarded(connectionContext, rawMessage) {
    try {
      JSON.parse(rawMessage);
    } catch (e) {
      rt.sendError(connectionContext, '', { errors: [{ message: `Invalid message: not JSON (${e.message})` }] });
      return undefined;
    }
    const result = onMessage(connectionContext, rawMessage);
    if (result && typeof result.catch === 'function') {
      result.catch(e => console.error('simulator: WebSocket message failed:', e));
    }
    return result;
  };
  const onSubscriptionStart = rt.onSubscriptionStart;
  rt.onSubscriptionStart = async function onSubscriptionStartGuarded(connectionContext, message) {
    try {
      return await onSubscriptionStart(connectionContext, message);
    } catch (e) {
      const text = (e && e.message) || String(e);
      let errorType = (e && (e.errorType || (e.extensions && e.extensions.errorType))) || undefined;
      let errorMessage = text;
      if (/^UnauthorizedException/.test(text)) {
        errorType = 'UnauthorizedException';
        errorMessage = text.replace(/^UnauthorizedException:\s*/, '');
      } else if (e && e.name === 'GraphQLError') {
        errorType = errorType || 'GraphQLError';
      }
      const error = { message: errorMessage };
      if (errorType) error.errorType = errorType;
      if (e && e.locations) error.locations = e.locations;
      rt.sendError(connectionContext, message && message.id, { errors: [error] });
      return undefined;
    }
  };
  // The event loop of a subscription runs unawaited as well.
  const attach = rt.attachAsyncIterator;
  rt.attachAsyncIterator = async function attachAsyncIteratorGuarded(connectionContext, subscription) {
    try {
      return await attach(connectionContext, subscription);
    } catch (e) {
      console.error('simulator: subscription stream failed:', e);
      rt.sendError(connectionContext, subscription && subscription.id, { errors: [{ message: (e && e.message) || String(e) }] });
      return undefined;
    }
  };
}

// ---------------------------------------------------------------------------
// Gap (5): connection_ack says connectionTimeout.
// Simulator 2.4.1: connection_ack's payload is {connectionTimeout: 300000}
// (and it starts the keep-alive timer twice, leaking one interval per
// connection).
// AppSync: {"type":"connection_ack","payload":{"connectionTimeoutMs":300000}}.
// Patch: replaces onConnectionInit: the payload carries both
// connectionTimeoutMs (AppSync's name) and connectionTimeout (the
// simulator's), and one keep-alive timer is started. The keep-alive period
// stays the simulator's (4 minutes) unless SIMULATOR_KEEPALIVE_MS sets it.
function patchConnectionTimeoutMs(simulator, keepAliveMs) {
  const rt = realtimeServer(simulator);
  if (keepAliveMs > 0) rt.options.keepAlive = keepAliveMs;
  rt.onConnectionInit = function onConnectionInitWithTimeoutMs(connectionContext) {
    connectionContext.isConnectionInitialized = true;
    const timeout = rt.options.connectionTimeoutDuration;
    rt.sendMessage(connectionContext, undefined, MESSAGE_TYPES.GQL_CONNECTION_ACK, {
      connectionTimeoutMs: timeout,
      connectionTimeout: timeout,
    });
    if (!connectionContext.pingIntervalHandle) rt.setupPing(connectionContext);
  };
}

// ---------------------------------------------------------------------------
// Gap: internal errors reach the client as {}.
// Simulator 2.4.1: an exception that is not a template error (a TypeError in
// the simulator, a missing function, ...) is pushed into the request's error
// list as a plain Error, whose message is not enumerable, so the response
// (HTTP and WebSocket) carries "errors": [{}].
// AppSync: every error has a message.
// Patch: wraps exposeGraphQLErrors: such an error becomes {message} (plus
// errorType when the error has one).
function patchErrorMessages() {
  if (exposeErrors.exposeGraphQLErrors.__patched) return;
  const original = exposeErrors.exposeGraphQLErrors;
  const patched = function exposeGraphQLErrorsWithMessages(errors) {
    return original(errors).map(e => {
      if (!(e instanceof Error) || Object.prototype.propertyIsEnumerable.call(e, 'message')) return e;
      const out = { message: e.message || String(e) };
      const errorType = e.errorType || e.type;
      if (errorType) out.errorType = errorType;
      return out;
    });
  };
  patched.__patched = true;
  exposeErrors.exposeGraphQLErrors = patched;
}

// ---------------------------------------------------------------------------
// Gap: the shape of Unauthorized errors.
// Simulator 2.4.1: $util.unauthorized() gives {"message": "Unauthorized",
// "errorType": "Unauthorized", "data": {}, "errorInfo": {}, ...}; the @aws_*
// directive check gives the AppSync message but also data {} and
// errorInfo {}.
// AppSync: {"message": "Not Authorized to access <field> on type <Type>",
// "errorType": "Unauthorized", "data": null, "errorInfo": null, ...} for
// both.
// Patch: $util.unauthorized() throws with AppSync's message, and
// exposeGraphQLErrors turns the empty data and errorInfo of Unauthorized
// errors into null.
function patchUnauthorizedErrors() {
  if (generalUtils.unauthorized.__patched) return;
  const unauthorized = function unauthorizedAsAppSync() {
    const info = this.info;
    const message =
      info && info.parentType && info.fieldName ? `Not Authorized to access ${info.fieldName} on type ${info.parentType.name}` : 'Unauthorized';
    const err = new Unauthorized(message, info);
    this.errors.push(err);
    throw err;
  };
  unauthorized.__patched = true;
  generalUtils.unauthorized = unauthorized;

  const expose = exposeErrors.exposeGraphQLErrors;
  const patched = function exposeGraphQLErrorsUnauthorized(errors) {
    return expose(errors).map(e => {
      if (!e || e.errorType !== 'Unauthorized') return e;
      const isEmpty = v => v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;
      if (!isEmpty(e.data) && !isEmpty(e.errorInfo)) return e;
      return { ...e, data: isEmpty(e.data) ? null : e.data, errorInfo: isEmpty(e.errorInfo) ? null : e.errorInfo };
    });
  };
  patched.__patched = true;
  exposeErrors.exposeGraphQLErrors = patched;
}

// ---------------------------------------------------------------------------
// Gap: the shape of $ctx.identity.
// Simulator 2.4.1: sourceIp is a string; a user-pool identity has no
// groups; an IAM identity has no accountId.
// AppSync: sourceIp is a list of strings; a user-pool identity carries
// groups (the cognito:groups claim, null without one); an IAM identity
// carries accountId. Lambda functions get $ctx.identity as it is, and
// aws-lambda-go's AppSync identity types decode sourceIp as []string.
// Patch: wraps buildRenderContext to add those three.
function patchIdentityShape() {
  if (VelocityTemplate.prototype.buildRenderContext.__identityShape) return;
  const build = VelocityTemplate.prototype.buildRenderContext;
  const patched = function buildRenderContextIdentityShape(ctxValues, requestContext, info) {
    const context = build.call(this, ctxValues, requestContext, info);
    const identity = context.ctx.identity;
    if (identity && typeof identity.put === 'function') {
      const ip = requestContext && requestContext.sourceIp;
      identity.put('sourceIp', ip === undefined || ip === null ? [] : [String(ip)]);
      const mode = requestContext && requestContext.requestAuthorizationMode;
      if (mode === 'AMAZON_COGNITO_USER_POOLS' || mode === 'OPENID_CONNECT') {
        const groups = requestContext.jwt && requestContext.jwt['cognito:groups'];
        identity.put('groups', Array.isArray(groups) ? groups : groups ? [groups] : null);
      }
      if (mode === 'AWS_IAM' && requestContext.iamToken) {
        identity.put('accountId', requestContext.iamToken.accountId);
      }
    }
    return context;
  };
  patched.__extensions = build.__extensions;
  patched.__identityShape = true;
  VelocityTemplate.prototype.buildRenderContext = patched;
}

// ---------------------------------------------------------------------------
// Gap: conditions lose their values.
// Simulator 2.4.1: $util.transform.toDynamoDBConditionExpression returns
// {expression, expressionNames} and drops expressionValues, so every
// condition that compares with a value (the `condition` argument of Amplify's
// update and delete mutations) reaches DynamoDB as an invalid expression:
// "ValidationException: Invalid ConditionExpression: An expression attribute
// value used in expression is not defined".
// AppSync: the result carries expressionValues too, and a condition that does
// not hold fails with DynamoDB:ConditionalCheckFailedException.
// Patch: toDynamoDBConditionExpression returns the expressionValues that the
// simulator's own filter generator computed, keeping only those the
// expression uses (the generator also makes values for attributeExists,
// which the expression does not use, and DynamoDB refuses unused values).
function patchConditionExpressionValues() {
  if (transformUtils.toDynamoDBConditionExpression.__patched) return;
  const patched = function toDynamoDBConditionExpressionWithValues(condition) {
    const full = JSON.parse(transformUtils.toDynamoDBFilterExpression(condition));
    const used = new Set(full.expression.match(/:[A-Za-z0-9_]+/g) || []);
    const expressionValues = {};
    for (const [k, v] of Object.entries(full.expressionValues || {})) {
      if (used.has(k)) expressionValues[k] = v;
    }
    return JSON.stringify({
      expression: full.expression,
      expressionNames: full.expressionNames,
      expressionValues,
    });
  };
  patched.__patched = true;
  transformUtils.toDynamoDBConditionExpression = patched;
}

// applyPatches applies every patch not named in skip (a Set of names from
// PATCHES) and returns the names applied.
function applyPatches(simulator, { port = 0, keepAliveMs = 0, skip = new Set() } = {}) {
  const apply = {
    loopback: () => bindLoopback(simulator, port),
    iamIdentityPool: () => patchIamIdentityPool(simulator),
    webSocketIamIdentity: () => patchWebSocketIamIdentity(simulator),
    amzContentEncoding: () => patchAmzContentEncoding(simulator),
    subscriptionFilters: () => patchSubscriptionFilters(simulator),
    webSocketCrashGuards: () => patchWebSocketCrashGuards(simulator),
    connectionTimeoutMs: () => patchConnectionTimeoutMs(simulator, keepAliveMs),
    errorMessages: () => patchErrorMessages(),
    unauthorizedErrors: () => patchUnauthorizedErrors(),
    identityShape: () => patchIdentityShape(),
    conditionExpressionValues: () => patchConditionExpressionValues(),
  };
  const applied = [];
  for (const name of PATCHES) {
    if (skip.has(name)) continue;
    apply[name]();
    applied.push(name);
  }
  return applied;
}

module.exports = {
  PATCHES,
  applyPatches,
  bindLoopback,
  patchIamIdentityPool,
  patchWebSocketIamIdentity,
  patchAmzContentEncoding,
  patchSubscriptionFilters,
  patchWebSocketCrashGuards,
  patchConnectionTimeoutMs,
  patchErrorMessages,
  patchUnauthorizedErrors,
  patchIdentityShape,
  patchConditionExpressionValues,
  toSubscriptionFilter,
  matchesSubscriptionFilter,
  matchesSubscriptionArguments,
};
