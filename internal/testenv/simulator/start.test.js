'use strict';
// start.js: ready line, DynamoDB round trip, Lambda data sources, IAM
// config, loopback binding, clean exits.

const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('net');
const os = require('os');
const { roleName, createTableInput } = require('./start');
const { startProcess, gql, apiKey, userPool, iam, functionsServer, AUTH_KEY, GUEST_KEY } = require('./helpers');

const CREATE = 'mutation C($input: CreateTodoInput!) { createTodo(input: $input) { id content done priority owner createdAt updatedAt } }';
const GET = 'query G($id: ID!) { getTodo(id: $id) { id content done priority owner } }';

test('ready line, then a createTodo + getTodo round trip through dynalite', async t => {
  const sim = await startProcess(t);
  assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
  assert.equal(sim.apiKey, 'da2-fakeApiId123456');
  assert.match(sim.dynamodbEndpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(sim.stdout().split('\n').filter(Boolean).length, 1, 'stdout carries the ready line only');

  const created = await gql(sim.url, CREATE, { input: { content: 'milk', done: false, priority: 3 } }, apiKey(sim.apiKey));
  assert.equal(created.status, 200);
  assert.equal(created.body.errors, undefined, JSON.stringify(created.body));
  const todo = created.body.data.createTodo;
  assert.equal(todo.content, 'milk');
  assert.match(todo.createdAt, /^\d{4}-\d\d-\d\dT/);

  const got = await gql(sim.url, GET, { id: todo.id }, userPool('sub-1', 'alice'));
  assert.deepEqual(got.body, { data: { getTodo: { id: todo.id, content: 'milk', done: false, priority: 3, owner: null } } });

  // A user-pool caller becomes the owner (VTL reads $ctx.identity.claims).
  const mine = await gql(sim.url, CREATE, { input: { content: 'mine' } }, userPool('sub-1', 'alice'));
  assert.equal(mine.body.data.createTodo.owner, 'sub-1::alice');

  // Wrong API key: HTTP 401, as PEERS.md measured.
  const bad = await gql(sim.url, GET, { id: todo.id }, apiKey('da2-wrong'));
  assert.equal(bad.status, 401);
});

test('Lambda data source: event POSTed to FUNCTIONS_URL, JSON result, errorType and message of a failure', async t => {
  const fns = await functionsServer(t, {
    echoFn: async event => `echo:${event.arguments.msg}`,
    failFn: async event => {
      const e = new Error(event.arguments.message);
      e.errorType = event.arguments.errorType;
      throw e;
    },
  });
  const sim = await startProcess(t, { env: { FUNCTIONS_URL: fns.url } });

  const ok = await gql(sim.url, 'query($m: String!) { echo(msg: $m) }', { m: 'hi' }, userPool('sub-1', 'alice'));
  assert.deepEqual(ok.body, { data: { echo: 'echo:hi' } });
  const { event } = fns.events.find(e => e.name === 'echoFn');
  assert.equal(event.typeName, 'Query');
  assert.equal(event.fieldName, 'echo');
  assert.deepEqual(event.arguments, { msg: 'hi' });
  assert.equal(event.identity.sub, 'sub-1');
  assert.equal(event.identity.username, 'alice');
  assert.equal(event.identity.claims['cognito:username'], 'alice');
  assert.deepEqual(event.identity.sourceIp, ['127.0.0.1']);
  assert.equal(event.identity.groups, null);
  assert.equal(event.request.headers.authorization, userPool('sub-1', 'alice').Authorization);

  const failed = await gql(
    sim.url,
    'mutation($t: String, $m: String) { fail(errorType: $t, message: $m) }',
    { t: 'UserNotFoundException', m: 'no such user' },
    apiKey(sim.apiKey),
  );
  assert.equal(failed.status, 200);
  assert.deepEqual(failed.body.data, { fail: null });
  assert.equal(failed.body.errors.length, 1);
  assert.deepEqual(failed.body.errors[0], {
    message: 'no such user',
    errorType: 'UserNotFoundException',
    data: null,
    errorInfo: null,
    path: ['fail'],
    locations: [{ line: 1, column: 36, sourceName: 'GraphQL request' }],
  });

  // A function the server does not know: its 404 body is a Lambda error too.
  await fns.server.close();
  const down = await gql(sim.url, 'query { echo(msg: "x") }', {}, apiKey(sim.apiKey));
  assert.equal(down.body.errors[0].errorType, 'Lambda:Unhandled');
  assert.match(down.body.errors[0].message, /invoking echoFn/);
});

test('IAM: AUTH_ACCESS_KEY_ID is the authenticated role, any other key the unauthenticated one, with the identity pool', async t => {
  const sim = await startProcess(t);
  const whoami = async headers => {
    const r = await gql(sim.url, '{ whoami }', {}, headers);
    assert.equal(r.body.errors, undefined, JSON.stringify(r.body));
    return JSON.parse(r.body.data.whoami);
  };
  const auth = await whoami(iam(AUTH_KEY));
  assert.equal(auth.authType, 'IAM Authorization');
  assert.equal(auth.identity.userArn, 'arn:aws:sts::123456789012:assumed-role/amplify-test-authRole/CognitoIdentityCredentials');
  assert.equal(auth.identity.cognitoIdentityPoolId, 'us-east-1:00000000-0000-0000-0000-000000000000');
  assert.equal(auth.identity.cognitoIdentityAuthType, 'authenticated');

  const guest = await whoami(iam(GUEST_KEY));
  assert.equal(guest.identity.userArn, 'arn:aws:sts::123456789012:assumed-role/amplify-test-unauthRole/CognitoIdentityCredentials');
  assert.equal(guest.identity.cognitoIdentityAuthType, 'unauthenticated');

  // The VTL's role check (stash.authRole) lets the first in, not the second.
  const created = await gql(sim.url, CREATE, { input: { content: 'iam' } }, iam(AUTH_KEY));
  assert.equal(created.body.errors, undefined, JSON.stringify(created.body));
  const denied = await gql(sim.url, CREATE, { input: { content: 'guest' } }, iam(GUEST_KEY));
  assert.equal(denied.body.errors[0].errorType, 'Unauthorized');
});

test('roleName and createTableInput', () => {
  assert.equal(roleName('amplify-authRole'), 'assumed-role/amplify-authRole/CognitoIdentityCredentials');
  assert.equal(roleName('arn:aws:iam::123:role/amplify-authRole'), 'assumed-role/amplify-authRole/CognitoIdentityCredentials');
  assert.equal(roleName('assumed-role/r/CognitoIdentityCredentials'), 'assumed-role/r/CognitoIdentityCredentials');
  assert.equal(roleName(undefined, 'x'), 'x');
  assert.deepEqual(
    createTableInput({
      TableName: 'T',
      KeySchema: [],
      AttributeDefinitions: [],
      BillingMode: 'PAY_PER_REQUEST',
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
      StreamSpecification: {},
      GlobalSecondaryIndexes: [{ IndexName: 'i', ProvisionedThroughput: {} }],
    }),
    { TableName: 'T', KeySchema: [], AttributeDefinitions: [], BillingMode: 'PAY_PER_REQUEST', GlobalSecondaryIndexes: [{ IndexName: 'i' }] },
  );
});

function nonLoopbackAddress() {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs || []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

function canConnect(host, port) {
  return new Promise(resolve => {
    const s = net.connect({ host, port, timeout: 1000 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

test('binds 127.0.0.1 only (simulator and dynalite)', async t => {
  const sim = await startProcess(t);
  const port = Number(new URL(sim.url).port);
  const ddbPort = Number(new URL(sim.dynamodbEndpoint).port);
  assert.equal(await canConnect('127.0.0.1', port), true);
  const other = nonLoopbackAddress();
  if (!other) {
    t.diagnostic('no non-loopback IPv4 address on this machine: only the loopback side was checked');
    return;
  }
  assert.equal(await canConnect(other, port), false, `simulator reachable on ${other}`);
  assert.equal(await canConnect(other, ddbPort), false, `dynalite reachable on ${other}`);
});

test('PORT picks the port', async t => {
  const probe = net.createServer();
  await new Promise(r => probe.listen(0, '127.0.0.1', r));
  const port = probe.address().port;
  await new Promise(r => probe.close(r));
  const sim = await startProcess(t, { env: { PORT: String(port) } });
  assert.equal(sim.url, `http://127.0.0.1:${port}/graphql`);
});

test('exits 0 on SIGTERM and when stdin closes', async t => {
  const a = await startProcess(t);
  a.proc.kill('SIGTERM');
  assert.deepEqual(await a.exited, { code: 0, signal: null });

  const b = await startProcess(t);
  b.proc.stdin.end();
  assert.deepEqual(await b.exited, { code: 0, signal: null });
  assert.match(b.stderr(), /stdin closed/);
});

test('a bad generated dir fails with a message and exit 1', async () => {
  await assert.rejects(startProcess(null, { dir: '/nonexistent' }), /exited \(1\) before ready[\s\S]*simulator\.json/);
});
