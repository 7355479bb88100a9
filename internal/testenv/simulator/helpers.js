'use strict';
// Helpers of the *.test.js files (node --test): start start.js as a child
// process, talk GraphQL over HTTP and the AppSync realtime protocol, and run
// a stand-in FUNCTIONS_URL server.

const { spawn } = require('child_process');
const http = require('http');
const path = require('path');
const WebSocket = require('ws');

const HANDMADE = path.join(__dirname, 'testdata', 'todo');
const AUTH_KEY = 'AKIDSIMAUTH';
const GUEST_KEY = 'AKIDSIMGUEST';
const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_SIMULATED';

// startProcess runs `node start.js <dir>` with env and resolves when its
// ready line arrives: {url, apiKey, dynamodbEndpoint, proc, stderr(), exited,
// stop()}. The process is killed by stop() (and at test end by t.after).
function startProcess(t, { dir = HANDMADE, env = {} } = {}) {
  const proc = spawn(process.execPath, [path.join(__dirname, 'start.js'), dir], {
    env: {
      ...process.env,
      PORT: '0',
      AUTH_ACCESS_KEY_ID: AUTH_KEY,
      FUNCTIONS_URL: '',
      SIMULATOR_SKIP_PATCHES: '',
      SIMULATOR_KEEPALIVE_MS: '',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  proc.stderr.on('data', d => (stderr += d));
  const exited = new Promise(resolve => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const stop = () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    return exited;
  };
  if (t) t.after(stop);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within 20s; stderr:\n${stderr}`)), 20000);
    proc.stdout.on('data', d => {
      stdout += d;
      const nl = stdout.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        const ready = JSON.parse(stdout.slice(0, nl));
        resolve({ ...ready, proc, stderr: () => stderr, stdout: () => stdout, exited, stop });
      } catch (e) {
        reject(new Error(`bad ready line ${JSON.stringify(stdout)}: ${e.message}`));
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`start.js exited (${code ?? signal}) before ready; stderr:\n${stderr}`));
    });
  });
}

// jwt returns an unsigned JWT with the claims (the simulator checks no
// signature); user-pool tokens need iss https://cognito-idp....
function jwt(claims) {
  const b64 = o => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: ISSUER, token_use: 'id', exp: 4102444800, ...claims })}.`;
}

function userPool(sub, username, extra = {}) {
  return { Authorization: jwt({ sub, 'cognito:username': username, ...extra }) };
}

// iam returns SigV4-looking headers for accessKeyId: the simulator reads only
// the access key id.
function iam(accessKeyId) {
  return {
    Authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20250101/us-east-1/appsync/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`,
    'x-amz-date': '20250101T000000Z',
  };
}

function apiKey(key) {
  return { 'x-api-key': key };
}

async function gql(url, query, variables, headers = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch (e) {
    body = text;
  }
  return { status: res.status, body };
}

// Realtime is an AppSync realtime (graphql-ws) client with a message queue.
class Realtime {
  static async connect(url, authHeaders) {
    const host = new URL(url).host;
    const header = Buffer.from(JSON.stringify({ host, ...authHeaders })).toString('base64');
    const wsUrl = url.replace(/^http/, 'ws') + `?header=${encodeURIComponent(header)}&payload=e30=`;
    const ws = new WebSocket(wsUrl, 'graphql-ws');
    const rt = new Realtime(ws, host);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
      ws.once('close', code => reject(new Error(`closed with ${code} before open`)));
    });
    return rt;
  }

  constructor(ws, host) {
    this.ws = ws;
    this.host = host;
    this.queue = [];
    this.waiters = [];
    this.closed = null;
    ws.on('message', raw => {
      this.queue.push(JSON.parse(raw));
      this.flush();
    });
    ws.on('close', code => {
      this.closed = code;
      this.flush();
    });
  }

  flush() {
    for (const w of [...this.waiters]) {
      const i = this.queue.findIndex(w.match);
      if (i >= 0) {
        const [m] = this.queue.splice(i, 1);
        this.waiters.splice(this.waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(m);
      } else if (this.closed !== null) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.reject(new Error(`socket closed (${this.closed}) while waiting; queue: ${JSON.stringify(this.queue)}`));
      }
    }
  }

  // next resolves with the first queued or coming message that matches
  // (an object of fields to compare, or a predicate); an object skips "ka"
  // unless it asks for type "ka".
  next(match = {}, timeoutMs = 5000) {
    const fn =
      typeof match === 'function'
        ? match
        : m => (m.type !== 'ka' || match.type === 'ka') && Object.entries(match).every(([k, v]) => m[k] === v);
    return new Promise((resolve, reject) => {
      const w = { match: fn, resolve, reject };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`no message matching ${String(match && JSON.stringify(match))} within ${timeoutMs} ms; queue: ${JSON.stringify(this.queue)}`));
      }, timeoutMs);
      this.waiters.push(w);
      this.flush();
    });
  }

  // none resolves if no message matching arrives within ms.
  async none(match, ms = 300) {
    try {
      const m = await this.next(match, ms);
      throw new Error(`unexpected message ${JSON.stringify(m)}`);
    } catch (e) {
      if (!/^no message matching/.test(e.message)) throw e;
    }
  }

  send(message) {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  async init() {
    this.send({ type: 'connection_init' });
    return this.next({ type: 'connection_ack' });
  }

  start(id, query, variables, authHeaders) {
    this.send({
      id,
      type: 'start',
      payload: {
        data: JSON.stringify({ query, variables: variables || {} }),
        extensions: { authorization: { host: this.host, ...authHeaders } },
      },
    });
  }

  // subscribe sends start and resolves with start_ack, or rejects with the
  // error message.
  async subscribe(id, query, variables, authHeaders) {
    this.start(id, query, variables, authHeaders);
    const m = await this.next(x => x.id === id && (x.type === 'start_ack' || x.type === 'error'));
    if (m.type === 'error') {
      const e = new Error(`start ${id} failed: ${JSON.stringify(m.payload)}`);
      e.payload = m.payload;
      throw e;
    }
    return m;
  }

  close() {
    this.ws.terminate();
  }
}

// functionsServer runs a FUNCTIONS_URL server on 127.0.0.1: handlers maps a
// function name to async (event) => result; a thrown error with errorType
// answers HTTP 500 {"errorType", "errorMessage"}. events lists the calls.
async function functionsServer(t, handlers) {
  const events = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', d => (body += d));
    req.on('end', async () => {
      const name = decodeURIComponent(req.url.slice(1));
      const event = body ? JSON.parse(body) : null;
      events.push({ name, event });
      const handler = handlers[name];
      res.setHeader('content-type', 'application/json');
      if (!handler) {
        res.statusCode = 404;
        res.end(JSON.stringify({ errorType: 'ResourceNotFoundException', errorMessage: `no function ${name}` }));
        return;
      }
      try {
        const result = await handler(event);
        res.end(result === undefined ? '' : JSON.stringify(result));
      } catch (e) {
        res.statusCode = 500;
        res.end(JSON.stringify({ errorType: e.errorType || 'Error', errorMessage: e.message }));
      }
    });
  });
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  if (t) t.after(() => new Promise(r => server.close(r)));
  return { url: `http://127.0.0.1:${server.address().port}`, events, server };
}

module.exports = {
  HANDMADE,
  AUTH_KEY,
  GUEST_KEY,
  ISSUER,
  startProcess,
  jwt,
  userPool,
  iam,
  apiKey,
  gql,
  Realtime,
  functionsServer,
};
