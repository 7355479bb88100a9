'use strict';
// One test per gap of amplify-appsync-simulator 2.4.1 that patches.js
// closes: each shows the behaviour with the patch and, by starting start.js
// with SIMULATOR_SKIP_PATCHES=<name>, the gap without it.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startProcess, gql, apiKey, userPool, iam, Realtime, functionsServer, AUTH_KEY, GUEST_KEY } = require('./helpers');

// One patched simulator serves every "patched" case (each unpatched case has
// its own process); tests run one after the other and close their sockets.
let shared;
function patched() {
  if (!shared) {
    shared = (async () => {
      const fns = await functionsServer(null, { echoFn: async e => JSON.stringify(e.request.headers) });
      const sim = await startProcess(null, { env: { FUNCTIONS_URL: fns.url, SIMULATOR_KEEPALIVE_MS: '100' } });
      return { sim, fns };
    })();
  }
  return shared.then(s => s.sim);
}
// Unpatched processes, one per set of skipped patches. Patches whose gaps do
// not interact share one process (INDEPENDENT); the others get their own.
const INDEPENDENT = 'amzContentEncoding,connectionTimeoutMs,unauthorizedErrors,identityShape,iamIdentityPool';
const unpatchedSims = new Map();
function unpatched(skip) {
  if (!unpatchedSims.has(skip)) unpatchedSims.set(skip, startProcess(null, { env: { SIMULATOR_SKIP_PATCHES: skip } }));
  return unpatchedSims.get(skip);
}
test.after(async () => {
  for (const p of unpatchedSims.values()) await (await p).stop();
  if (!shared) return;
  const { sim, fns } = await shared;
  await sim.stop();
  fns.server.close();
});

const CREATE = 'mutation C($input: CreateTodoInput!) { createTodo(input: $input) { id content done priority owner tags createdAt updatedAt } }';
const ON_CREATE = `subscription S($filter: ModelSubscriptionTodoFilterInput, $owner: String) {
  onCreateTodo(filter: $filter, owner: $owner) { id content done priority owner tags }
}`;
const ON_CREATE_AUTH_ROLE = 'subscription { onCreateTodoAuthRole { id content } }';
const ON_CREATE_BY_DONE = 'subscription S($done: Boolean) { onCreateTodoByDone(done: $done) { id content done } }';

const ALICE = userPool('sub-a', 'alice');
const BOB = userPool('sub-b', 'bob');

async function create(sim, input, headers) {
  const r = await gql(sim.url, CREATE, { input }, headers || apiKey(sim.apiKey));
  assert.equal(r.body.errors, undefined, JSON.stringify(r.body));
  return r.body.data.createTodo;
}

async function connect(sim, headers) {
  const rt = await Realtime.connect(sim.url, headers || apiKey(sim.apiKey));
  await rt.init();
  return rt;
}

// dataIds collects the content of the data messages for id until a marker
// todo (created last, matching every subscription under test) arrives.
async function contents(rt, id, marker) {
  const seen = [];
  for (;;) {
    const m = await rt.next({ id, type: 'data' });
    const todo = Object.values(m.payload.data)[0];
    if (todo.content === marker) return seen;
    seen.push(todo.content);
  }
}

test('gap 1: IAM identity on WebSocket subscriptions', async t => {
  await t.test('patched: $ctx.identity is the signed role, as for POST', async t => {
    const sim = await patched();
    const rt = await connect(sim, iam(AUTH_KEY));
    t.after(() => rt.close());
    await rt.subscribe('auth', ON_CREATE_AUTH_ROLE, {}, iam(AUTH_KEY));
    // The unauthenticated role is refused by the same VTL.
    await assert.rejects(rt.subscribe('guest', ON_CREATE_AUTH_ROLE, {}, iam(GUEST_KEY)), /Unauthorized/);
    await create(sim, { content: 'event' });
    const m = await rt.next({ id: 'auth', type: 'data' });
    assert.equal(m.payload.data.onCreateTodoAuthRole.content, 'event');
  });

  await t.test('unpatched: the VTL fails reading iamToken.username', async t => {
    const sim = await unpatched('webSocketIamIdentity');
    const rt = await connect(sim, iam(AUTH_KEY));
    t.after(() => rt.close());
    // The message is visible thanks to the errorMessages patch.
    await assert.rejects(rt.subscribe('auth', ON_CREATE_AUTH_ROLE, {}, iam(AUTH_KEY)), /reading 'username'/);
  });
});

test('gap 2: Content-Encoding: amz-1.0 on POST /graphql', async t => {
  const headers = { ...iam(AUTH_KEY), 'content-encoding': 'amz-1.0' };
  await t.test('patched: accepted, and the header still reaches the resolvers', async () => {
    const sim = await patched();
    const r = await gql(sim.url, '{ echo(msg: "x") }', {}, headers);
    assert.equal(r.status, 200);
    assert.equal(r.body.errors, undefined, JSON.stringify(r.body));
    assert.equal(JSON.parse(r.body.data.echo)['content-encoding'], 'amz-1.0');
    // Other encodings are still the body parser's business.
    const gz = await gql(sim.url, '{ whoami }', {}, { ...iam(AUTH_KEY), 'content-encoding': 'br' });
    assert.equal(gz.status, 415);
  });

  await t.test('unpatched: HTTP 415', async t => {
    const sim = await unpatched(INDEPENDENT);
    const r = await gql(sim.url, '{ whoami }', {}, headers);
    assert.equal(r.status, 415);
  });
});

test('gap 3: enhanced subscription filters and argument filtering', async t => {
  await t.test('patched: owner subscriptions start and see only their own events', async t => {
    const sim = await patched();
    const alice = await connect(sim, ALICE);
    const bob = await connect(sim, BOB);
    t.after(() => (alice.close(), bob.close()));
    await alice.subscribe('a', ON_CREATE, {}, ALICE);
    await bob.subscribe('b', ON_CREATE, {}, BOB);
    // An owner argument equal to the caller: basic (argument) filtering.
    await alice.subscribe('a-arg', ON_CREATE, { owner: 'sub-a::alice' }, ALICE);
    // Somebody else's owner argument is refused by the VTL.
    await assert.rejects(alice.subscribe('a-bob', ON_CREATE, { owner: 'sub-b::bob' }, ALICE), /Unauthorized/);

    await create(sim, { content: 'a1' }, ALICE);
    await create(sim, { content: 'b1' }, BOB);
    await create(sim, { content: 'nobody' }); // API key: no owner
    await create(sim, { content: 'a2' }, ALICE);
    await create(sim, { content: 'b2' }, BOB);

    const got = async (rt, id, n) => {
      const out = [];
      for (let i = 0; i < n; i++) out.push((await rt.next({ id, type: 'data' })).payload.data.onCreateTodo.content);
      return out;
    };
    assert.deepEqual(await got(alice, 'a', 2), ['a1', 'a2']);
    assert.deepEqual(await got(alice, 'a-arg', 2), ['a1', 'a2']);
    assert.deepEqual(await got(bob, 'b', 2), ['b1', 'b2']);
    await alice.none({ type: 'data' });
    await bob.none({ type: 'data' });
  });

  await t.test('patched: the filter argument (AND-ed with the owner rule for user pools)', async t => {
    const sim = await patched();
    const rt = await connect(sim);
    const alice = await connect(sim, ALICE);
    t.after(() => (rt.close(), alice.close()));
    const marker = { content: 'marker', priority: 100, done: true, tags: ['x'] };
    await rt.subscribe('gt5', ON_CREATE, { filter: { priority: { gt: 5 } } }, apiKey(sim.apiKey));
    await rt.subscribe(
      'or',
      ON_CREATE,
      { filter: { or: [{ content: { beginsWith: 'urgent' } }, { tags: { contains: 'x' } }] } },
      apiKey(sim.apiKey),
    );
    await rt.subscribe('done-and-in', ON_CREATE, { filter: { done: { eq: true }, priority: { in: [1, 2, 100] } } }, apiKey(sim.apiKey));
    await alice.subscribe('alice-gt5', ON_CREATE, { filter: { priority: { gt: 5 } } }, ALICE);

    await create(sim, { content: 'low', priority: 1, done: true });
    await create(sim, { content: 'urgent: high', priority: 9 });
    await create(sim, { content: 'tagged', priority: 2, tags: ['y', 'x'] });
    await create(sim, { content: 'alice high', priority: 7 }, ALICE);
    await create(sim, { content: 'alice low', priority: 2 }, ALICE);
    await create(sim, { ...marker });
    await create(sim, { ...marker }, ALICE);

    assert.deepEqual(await contents(rt, 'gt5', 'marker'), ['urgent: high', 'alice high']);
    assert.deepEqual(await contents(rt, 'or', 'marker'), ['urgent: high', 'tagged']);
    assert.deepEqual(await contents(rt, 'done-and-in', 'marker'), ['low']);
    assert.deepEqual(await contents(alice, 'alice-gt5', 'marker'), ['alice high']);
  });

  await t.test('patched: a subscription without resolver filters on its arguments', async t => {
    const sim = await patched();
    const rt = await connect(sim);
    t.after(() => rt.close());
    await rt.subscribe('done', ON_CREATE_BY_DONE, { done: true }, apiKey(sim.apiKey));
    await rt.subscribe('all', ON_CREATE_BY_DONE, {}, apiKey(sim.apiKey));
    await create(sim, { content: 'open', done: false });
    await create(sim, { content: 'closed', done: true });
    await create(sim, { content: 'marker', done: true });
    assert.deepEqual(await contents(rt, 'done', 'marker'), ['closed']);
    assert.deepEqual(await contents(rt, 'all', 'marker'), ['open', 'closed']);
  });

  await t.test('unpatched: owner and filtered subscriptions fail at start; arguments filter nothing', async t => {
    const sim = await unpatched('subscriptionFilters');
    const rt = await connect(sim);
    const alice = await connect(sim, ALICE);
    t.after(() => (rt.close(), alice.close()));
    await assert.rejects(alice.subscribe('a', ON_CREATE, {}, ALICE));
    await assert.rejects(rt.subscribe('gt5', ON_CREATE, { filter: { priority: { gt: 5 } } }, apiKey(sim.apiKey)));
    await rt.subscribe('done', ON_CREATE_BY_DONE, { done: true }, apiKey(sim.apiKey));
    await create(sim, { content: 'open', done: false });
    await create(sim, { content: 'marker', done: true });
    assert.deepEqual(await contents(rt, 'done', 'marker'), ['open']);
  });
});

test('gap 4: a frame that is not JSON, and a start that does not parse', async t => {
  await t.test('patched: an error to that client, the server keeps serving', async t => {
    const sim = await patched();
    const rt = await connect(sim);
    t.after(() => rt.close());
    rt.send('this is not JSON');
    const notJson = await rt.next({ type: 'error' });
    assert.match(notJson.payload.errors[0].message, /not JSON/);

    rt.start('bad', 'subscription { onCreateTodo( { id }', {}, apiKey(sim.apiKey));
    const bad = await rt.next({ id: 'bad', type: 'error' });
    assert.equal(bad.payload.errors[0].errorType, 'GraphQLError');
    assert.match(bad.payload.errors[0].message, /Syntax Error/);

    // Other failures of start that used to reject unhandled: a wrong API key,
    // no authorization at all.
    rt.start('key', ON_CREATE, {}, apiKey('da2-wrong'));
    const key = await rt.next({ id: 'key', type: 'error' });
    assert.deepEqual(key.payload.errors[0], { errorType: 'UnauthorizedException', message: 'Invalid API key' });
    rt.send({ id: 'noauth', type: 'start', payload: { data: JSON.stringify({ query: ON_CREATE }), extensions: { authorization: {} } } });
    const noauth = await rt.next({ id: 'noauth', type: 'error' });
    assert.equal(noauth.payload.errors[0].errorType, 'UnauthorizedException');

    // Same connection still works, so does the process.
    await rt.subscribe('ok', ON_CREATE, {}, apiKey(sim.apiKey));
    await create(sim, { content: 'after' });
    assert.equal((await rt.next({ id: 'ok', type: 'data' })).payload.data.onCreateTodo.content, 'after');
    assert.equal(sim.proc.exitCode, null);
  });

  for (const [name, send] of [
    ['a frame that is not JSON', rt => rt.send('this is not JSON')],
    ['a start with a syntax error', rt => rt.start('bad', 'subscription { onCreateTodo( { id }', {}, { 'x-api-key': 'da2-fakeApiId123456' })],
  ]) {
    await t.test(`unpatched: ${name} kills the process`, async t => {
      const sim = await startProcess(t, { env: { SIMULATOR_SKIP_PATCHES: 'webSocketCrashGuards' } });
      const rt = await connect(sim);
      t.after(() => rt.close());
      send(rt);
      const { code } = await sim.exited;
      assert.notEqual(code, 0);
    });
  }
});

test('gap 5: connection_ack carries connectionTimeoutMs', async t => {
  await t.test('patched: both names, one keep-alive timer', async t => {
    const sim = await patched();
    const rt = await Realtime.connect(sim.url, apiKey(sim.apiKey));
    t.after(() => rt.close());
    const ack = await rt.init();
    assert.deepEqual(ack.payload, { connectionTimeoutMs: 300000, connectionTimeout: 300000 });
    const start = Date.now();
    await rt.next({ type: 'ka' });
    await rt.next({ type: 'ka' });
    await rt.next({ type: 'ka' });
    // Two timers (the simulator's own bug) would give three ka in ~100 ms.
    assert.ok(Date.now() - start >= 250, `3 ka in ${Date.now() - start} ms`);
  });

  await t.test('unpatched: connectionTimeout only', async t => {
    const sim = await unpatched(INDEPENDENT);
    const rt = await Realtime.connect(sim.url, apiKey(sim.apiKey));
    t.after(() => rt.close());
    const ack = await rt.init();
    assert.deepEqual(ack.payload, { connectionTimeout: 300000 });
  });
});

test('internal errors carry their message', async t => {
  await t.test('patched: {message}', async t => {
    const sim = await unpatched('webSocketIamIdentity');
    const rt = await connect(sim, iam(AUTH_KEY));
    t.after(() => rt.close());
    const e = await rt.subscribe('auth', ON_CREATE_AUTH_ROLE, {}, iam(AUTH_KEY)).catch(e => e);
    assert.match(e.payload.errors[0].message, /Cannot read properties of undefined \(reading 'username'\)/);
  });

  await t.test('unpatched: {}', async t => {
    const sim = await unpatched('webSocketIamIdentity,errorMessages');
    const rt = await connect(sim, iam(AUTH_KEY));
    t.after(() => rt.close());
    const e = await rt.subscribe('auth', ON_CREATE_AUTH_ROLE, {}, iam(AUTH_KEY)).catch(e => e);
    assert.deepEqual(e.payload.errors, [{}]);
  });
});

test('Unauthorized errors have AppSync shape', async t => {
  const create = sim => gql(sim.url, CREATE, { input: { content: 'x' } }, iam(GUEST_KEY));
  await t.test('patched: "Not Authorized to access <field> on type <Type>", data and errorInfo null', async () => {
    const sim = await patched();
    const r = await create(sim);
    assert.deepEqual(r.body.data, { createTodo: null });
    assert.equal(r.body.errors.length, 1);
    const { locations, ...rest } = r.body.errors[0];
    assert.deepEqual(rest, {
      message: 'Not Authorized to access createTodo on type Mutation',
      errorType: 'Unauthorized',
      data: null,
      errorInfo: null,
      path: ['createTodo'],
    });
  });

  await t.test('unpatched: "Unauthorized", data and errorInfo {}', async t => {
    const sim = await unpatched(INDEPENDENT);
    const r = await create(sim);
    assert.equal(r.body.errors[0].message, 'Unauthorized');
    assert.deepEqual(r.body.errors[0].data, {});
    assert.deepEqual(r.body.errors[0].errorInfo, {});
  });
});

test('$ctx.identity has AppSync shape', async t => {
  const whoami = async (sim, headers) => {
    const r = await gql(sim.url, '{ whoami }', {}, headers);
    assert.equal(r.body.errors, undefined, JSON.stringify(r.body));
    return JSON.parse(r.body.data.whoami).identity;
  };
  const admin = userPool('sub-x', 'admin', { 'cognito:groups': ['ADMINS'] });
  await t.test('patched: sourceIp list, groups, accountId', async () => {
    const sim = await patched();
    const user = await whoami(sim, admin);
    assert.deepEqual(user.sourceIp, ['127.0.0.1']);
    assert.deepEqual(user.groups, ['ADMINS']);
    assert.equal(user.sub, 'sub-x');
    assert.equal(user.username, 'admin');
    assert.equal((await whoami(sim, ALICE)).groups, null);
    const role = await whoami(sim, iam(AUTH_KEY));
    assert.equal(role.accountId, '123456789012');
    assert.deepEqual(role.sourceIp, ['127.0.0.1']);
  });

  await t.test('unpatched: sourceIp string, no groups, no accountId', async t => {
    const sim = await unpatched(INDEPENDENT);
    const user = await whoami(sim, admin);
    assert.equal(user.sourceIp, '127.0.0.1');
    assert.equal('groups' in user, false);
    assert.equal('accountId' in (await whoami(sim, iam(AUTH_KEY))), false);
  });
});

test('IAM identities carry the identity pool', async t => {
  await t.test('patched: pool id and auth type; the guest role is not a non-Cognito IAM principal', async () => {
    const sim = await patched();
    const r = await gql(sim.url, '{ whoami }', {}, iam(GUEST_KEY));
    const { identity } = JSON.parse(r.body.data.whoami);
    assert.equal(identity.cognitoIdentityPoolId, 'us-east-1:00000000-0000-0000-0000-000000000000');
    assert.equal(identity.cognitoIdentityAuthType, 'unauthenticated');
  });

  await t.test('unpatched: both null, so Amplify VTL with IAM access enabled lets every IAM caller in', async t => {
    const sim = await unpatched(INDEPENDENT);
    const r = await gql(sim.url, '{ whoami }', {}, iam(GUEST_KEY));
    const { identity } = JSON.parse(r.body.data.whoami);
    assert.equal(identity.cognitoIdentityPoolId, undefined);
    assert.equal(identity.cognitoIdentityAuthType, undefined);
  });
});

test('conditions keep their expressionValues', () => {
  const { transformUtils } = require('amplify-appsync-simulator/lib/velocity/util/transform');
  const { patchConditionExpressionValues } = require('./patches');
  const condition = { toJSON: () => ({ and: [{ id: { attributeExists: true } }, { content: { eq: 'x' } }, { done: { ne: true } }] }) };
  const before = JSON.parse(transformUtils.toDynamoDBConditionExpression(condition));
  if (!transformUtils.toDynamoDBConditionExpression.__patched) {
    // Without the patch (this process has not applied it yet): the values are gone.
    assert.equal(before.expressionValues, undefined);
  }
  patchConditionExpressionValues();
  const after = JSON.parse(transformUtils.toDynamoDBConditionExpression(condition));
  assert.equal(after.expression, before.expression);
  assert.deepEqual(after.expressionNames, before.expressionNames);
  const values = Object.values(after.expressionValues);
  assert.deepEqual(values.map(v => JSON.stringify(v)).sort(), [JSON.stringify({ S: 'x' }), JSON.stringify({ BOOL: true })].sort());
  // Exactly the values the expression names, no unused one.
  assert.deepEqual(Object.keys(after.expressionValues).sort(), [...new Set(after.expression.match(/:[A-Za-z0-9_]+/g))].sort());
});
