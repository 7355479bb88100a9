'use strict';
// start.js runs one Amplify backend on 127.0.0.1: amplify-appsync-simulator
// (with the patches of patches.js) in front of an in-memory dynalite.
//
//   node start.js <generatedDir>
//
// <generatedDir> holds simulator.json and the files it names (schema, VTL).
// Environment:
//   PORT                    simulator port; 0 or unset: a free one
//   FUNCTIONS_URL           base URL of the HTTP server that runs the Lambda
//                           functions: an AWS_LAMBDA data source POSTs the
//                           event to ${FUNCTIONS_URL}/${functionName}
//   AUTH_ACCESS_KEY_ID      access key id treated as the authenticated IAM
//                           role (any other one: the unauthenticated role)
//   UNAUTH_ACCESS_KEY_ID    access key id of the unauthenticated role; when
//                           set, any key that is neither is an IAM principal
//                           of the account outside the identity pool
//   SIMULATOR_KEEPALIVE_MS  WebSocket "ka" period (default 4 minutes)
//   SIMULATOR_SKIP_PATCHES  comma-separated patch names to leave out (tests)
//
// When ready it prints exactly one line on stdout,
//   {"url":"http://127.0.0.1:<port>/graphql","apiKey":"...","dynamodbEndpoint":"http://127.0.0.1:<port>"}
// and logs everything else on stderr. It exits on SIGTERM, SIGINT, and when
// its stdin (if a pipe) closes, so a killed parent leaves no orphan.

process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';

// stdout carries the ready line only: the simulator logs with console.log.
const readyOut = process.stdout;
for (const level of ['log', 'info', 'debug', 'warn']) console[level] = console.error;

const fs = require('fs');
const http = require('http');
const path = require('path');
const pino = require('pino');
const dynalite = require('dynalite');
const { DynamoDB } = require('aws-sdk');
const { AmplifyAppSyncSimulator } = require('amplify-appsync-simulator');
const { applyPatches, PATCHES } = require('./patches');

const REGION = 'us-east-1';
const DUMMY_CREDENTIALS = { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator-secret' };
const DEFAULT_API_KEY = 'da2-fakeApiId123456';
const DEFAULT_ACCOUNT_ID = '123456789012';
const DEFAULT_AUTH_ACCESS_KEY_ID = 'ASIAVJKIAM-AuthRole';

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

// startDynalite starts an in-memory dynalite on a free loopback port.
async function startDynalite() {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listen(server, 0);
  return { server, endpoint: `http://127.0.0.1:${port}` };
}

const CREATE_TABLE_KEYS = [
  'TableName',
  'KeySchema',
  'AttributeDefinitions',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
  'BillingMode',
  'ProvisionedThroughput',
];

// createTableInput keeps the CreateTable parameters of a CloudFormation-like
// table definition (StreamSpecification, SSE, TTL, ... are dropped).
function createTableInput(table) {
  const input = {};
  for (const key of CREATE_TABLE_KEYS) if (table[key] !== undefined) input[key] = table[key];
  if (!input.BillingMode && !input.ProvisionedThroughput) input.BillingMode = 'PAY_PER_REQUEST';
  if (input.BillingMode === 'PAY_PER_REQUEST') {
    delete input.ProvisionedThroughput;
    for (const gsi of input.GlobalSecondaryIndexes || []) delete gsi.ProvisionedThroughput;
  }
  return input;
}

async function createTables(endpoint, tables) {
  const ddb = new DynamoDB({ endpoint, region: REGION, ...DUMMY_CREDENTIALS, maxRetries: 0 });
  await Promise.all(tables.map(t => ddb.createTable(createTableInput(t)).promise()));
  for (const t of tables) {
    const deadline = Date.now() + 10000;
    for (;;) {
      const { Table } = await ddb.describeTable({ TableName: t.TableName }).promise();
      const indexesActive = (Table.GlobalSecondaryIndexes || []).every(i => i.IndexStatus === 'ACTIVE');
      if (Table.TableStatus === 'ACTIVE' && indexesActive) break;
      if (Date.now() > deadline) throw new Error(`table ${t.TableName} not ACTIVE after 10s`);
      await new Promise(r => setTimeout(r, 20));
    }
  }
}

// lambdaError is what the data source throws for a failed invocation. The
// simulator builds $ctx.error from it ({...error, type: error.type, message}),
// and Amplify's response templates pass both to $util.error, so the client
// gets the function's errorType and errorMessage.
function lambdaError(message, errorType) {
  const e = new Error(message);
  e.type = errorType;
  return e;
}

// lambdaInvoker returns the `invoke` of an AWS_LAMBDA data source: it POSTs
// the event to ${functionsUrl}/${functionName}. HTTP 200: the JSON body is
// the result (empty body: null). Otherwise a body
// {"errorType": "...", "errorMessage": "..."} becomes a Lambda error of that
// type and message; anything else a Lambda:Unhandled error.
function lambdaInvoker(functionsUrl, functionName) {
  return async function invoke(event) {
    if (!functionsUrl) {
      throw lambdaError(`FUNCTIONS_URL is not set: cannot invoke Lambda function ${functionName}`, 'Lambda:Unhandled');
    }
    const url = `${functionsUrl.replace(/\/+$/, '')}/${encodeURIComponent(functionName)}`;
    let res;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event === undefined ? null : event),
      });
    } catch (e) {
      throw lambdaError(`invoking ${functionName} at ${url}: ${e.cause ? e.cause.message : e.message}`, 'Lambda:Unhandled');
    }
    const text = await res.text();
    if (res.status === 200) {
      if (text.trim() === '') return null;
      try {
        return JSON.parse(text);
      } catch (e) {
        throw lambdaError(`function ${functionName} returned a body that is not JSON: ${text.slice(0, 200)}`, 'Lambda:Unhandled');
      }
    }
    let body;
    try {
      body = JSON.parse(text);
    } catch (e) {
      body = undefined;
    }
    if (body && typeof body === 'object' && typeof body.errorMessage === 'string') {
      throw lambdaError(body.errorMessage, typeof body.errorType === 'string' && body.errorType ? body.errorType : 'Lambda:Unhandled');
    }
    throw lambdaError(`function ${functionName} answered HTTP ${res.status}: ${text.slice(0, 500)}`, 'Lambda:Unhandled');
  };
}

function lambdaFunctionName(ds) {
  const config = ds.config || {};
  const name = ds.functionName || config.functionName || ds.lambdaFunctionArn || config.lambdaFunctionArn || config.functionArn;
  if (!name) throw new Error(`AWS_LAMBDA data source ${ds.name} names no function (functionName)`);
  // An ARN: arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
  const m = /^arn:[^:]*:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(name);
  return m ? m[1] : name;
}

// roleName turns an IAM role name into the part of the sts ARN the simulator
// appends to arn:aws:sts::<account>: — for identity-pool credentials AppSync
// sees arn:aws:sts::<account>:assumed-role/<role>/CognitoIdentityCredentials.
function roleName(name, fallback) {
  if (!name) return fallback;
  if (name.startsWith('arn:')) {
    const m = /^arn:[^:]*:(?:iam|sts)::[^:]*:(.+)$/.exec(name);
    name = m ? m[1] : name;
    if (name.startsWith('role/')) name = name.slice('role/'.length);
  }
  if (name.startsWith('assumed-role/')) return name;
  return `assumed-role/${name}/CognitoIdentityCredentials`;
}

// buildConfig turns simulator.json into the simulator's config.
function buildConfig(spec, dir, { dynamodbEndpoint, functionsUrl, authAccessKeyId, unauthAccessKeyId }) {
  const read = rel => fs.readFileSync(path.resolve(dir, rel), 'utf8');
  const iam = spec.iam || {};
  const appSyncSpec = spec.appSync || {};
  const appSync = {
    ...appSyncSpec,
    name: appSyncSpec.name || path.basename(path.dirname(path.resolve(dir))),
    defaultAuthenticationType: appSyncSpec.defaultAuthenticationType || { authenticationType: 'API_KEY' },
    additionalAuthenticationProviders: appSyncSpec.additionalAuthenticationProviders || [],
    apiKey: appSyncSpec.apiKey || DEFAULT_API_KEY,
    accountId: iam.accountId || appSyncSpec.accountId || DEFAULT_ACCOUNT_ID,
    authRoleName: roleName(iam.authRoleName || iam.authRoleArn, 'assumed-role/authRole/CognitoIdentityCredentials'),
    unAuthRoleName: roleName(iam.unauthRoleName || iam.unAuthRoleName || iam.unauthRoleArn, 'assumed-role/unauthRole/CognitoIdentityCredentials'),
    authAccessKeyId: authAccessKeyId || DEFAULT_AUTH_ACCESS_KEY_ID,
    unauthAccessKeyId: unauthAccessKeyId || '',
    identityPoolId: iam.identityPoolId || appSyncSpec.identityPoolId,
  };

  // Every template the resolvers and functions name, plus the listed ones.
  const templatePaths = new Set((spec.mappingTemplates || []).map(t => t.path));
  for (const r of [...(spec.resolvers || []), ...(spec.functions || [])]) {
    for (const key of ['requestMappingTemplateLocation', 'responseMappingTemplateLocation']) {
      if (r[key]) templatePaths.add(r[key]);
    }
  }
  const mappingTemplates = [...templatePaths].map(p => ({ path: p, content: read(p) }));

  const dataSources = (spec.dataSources || []).map(ds => {
    switch (ds.type) {
      case 'AMAZON_DYNAMODB':
        return {
          type: ds.type,
          name: ds.name,
          config: {
            tableName: (ds.config && ds.config.tableName) || ds.tableName,
            endpoint: dynamodbEndpoint,
            region: REGION,
            ...DUMMY_CREDENTIALS,
            httpOptions: { agent: new http.Agent({ keepAlive: true }) },
          },
        };
      case 'AWS_LAMBDA':
        return { type: ds.type, name: ds.name, invoke: lambdaInvoker(functionsUrl, lambdaFunctionName(ds)) };
      default:
        return ds;
    }
  });

  const schemaPath = (spec.schema && spec.schema.path) || 'appsync.graphql';
  return {
    appSync,
    schema: { path: schemaPath, content: (spec.schema && spec.schema.content) || read(schemaPath) },
    mappingTemplates,
    dataSources,
    functions: spec.functions || [],
    resolvers: spec.resolvers || [],
  };
}

// start starts dynalite and the patched simulator for generatedDir and
// returns {url, apiKey, dynamodbEndpoint, stop}.
async function start({ generatedDir, port = 0, functionsUrl, authAccessKeyId, unauthAccessKeyId, keepAliveMs = 0, skipPatches = [] }) {
  const dir = path.resolve(generatedDir);
  const spec = JSON.parse(fs.readFileSync(path.join(dir, 'simulator.json'), 'utf8'));
  const skip = new Set(skipPatches);
  for (const name of skip) {
    if (!PATCHES.includes(name)) throw new Error(`unknown patch ${JSON.stringify(name)} (known: ${PATCHES.join(', ')})`);
  }

  const ddb = await startDynalite();
  try {
    await createTables(ddb.endpoint, spec.tables || []);
    const simulator = new AmplifyAppSyncSimulator({ port, wsPort: 0 });
    // The MQTT server's pino logger writes to stdout; keep stdout clean.
    simulator._server._subscriptionServer.mqttServer.logger = pino({ level: 'error' }, pino.destination(2));
    simulator.init(buildConfig(spec, dir, { dynamodbEndpoint: ddb.endpoint, functionsUrl, authAccessKeyId, unauthAccessKeyId }));
    applyPatches(simulator, { port, keepAliveMs, skip });
    await simulator.start();
    return {
      url: `${simulator.url}/graphql`,
      apiKey: simulator.appSyncConfig.apiKey,
      dynamodbEndpoint: ddb.endpoint,
      simulator,
      stop() {
        try {
          simulator.stop();
        } catch (e) {
          console.error('simulator: stop:', e);
        }
        ddb.server.close();
      },
    };
  } catch (e) {
    ddb.server.close();
    throw e;
  }
}

async function main() {
  const generatedDir = process.argv[2];
  if (!generatedDir) {
    console.error('usage: node start.js <generatedDir>');
    process.exit(2);
  }
  const begin = Date.now();
  let running;
  let stopping = false;
  const shutdown = (why, code = 0) => {
    if (stopping) return;
    stopping = true;
    console.error(`simulator: stopping (${why})`);
    if (running) running.stop();
    process.exit(code);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // A pipe on stdin is the parent's lifeline: EOF means the parent is gone.
  // (A terminal or /dev/null is left alone.)
  let stdinIsPipe = false;
  try {
    const st = fs.fstatSync(0);
    stdinIsPipe = st.isFIFO() || st.isSocket();
  } catch (e) {
    stdinIsPipe = false;
  }
  if (stdinIsPipe) {
    process.stdin.on('end', () => shutdown('stdin closed'));
    process.stdin.on('close', () => shutdown('stdin closed'));
    process.stdin.on('error', () => shutdown('stdin error'));
    process.stdin.resume();
  }

  try {
    running = await start({
      generatedDir,
      port: Number(process.env.PORT || 0),
      functionsUrl: process.env.FUNCTIONS_URL || '',
      authAccessKeyId: process.env.AUTH_ACCESS_KEY_ID || '',
      unauthAccessKeyId: process.env.UNAUTH_ACCESS_KEY_ID || '',
      keepAliveMs: Number(process.env.SIMULATOR_KEEPALIVE_MS || 0),
      skipPatches: (process.env.SIMULATOR_SKIP_PATCHES || '').split(',').map(s => s.trim()).filter(Boolean),
    });
  } catch (e) {
    console.error('simulator: start failed:', e);
    process.exit(1);
  }
  console.error(`simulator: ready on ${running.url} in ${Date.now() - begin} ms (dynalite ${running.dynamodbEndpoint})`);
  readyOut.write(JSON.stringify({ url: running.url, apiKey: running.apiKey, dynamodbEndpoint: running.dynamodbEndpoint }) + '\n');
}

module.exports = { start, buildConfig, createTableInput, lambdaInvoker, roleName };

if (require.main === module) main();
