// Runs AWS's own SRP code (amazon-cognito-identity-js, pinned in
// package-lock.json) on fixed vectors, for the Go test
// TestSRPMatchesAmazonCognitoIdentityJS in client/cognito.
//
// stdin:  a JSON array of vectors
//         {name, poolId, clientId, username, userIdForSrp, password,
//          smallA (hex, 128 bytes), srpB (hex), salt (hex),
//          secretBlock (base64), nowMs (ms since the epoch)}
// stdout: a JSON array, one result per vector (see below).
//
// The library's random source (crypto.getRandomValues, through WordArray)
// is replaced by a queue holding smallA, and Date by a clock fixed at nowMs,
// so its output is deterministic. Nothing here talks to a network: the
// CognitoUser's client is replaced by a function that records the requests.
'use strict';

const lib = require('amazon-cognito-identity-js');
const { AuthenticationHelper, CognitoUserPool, CognitoUser, AuthenticationDetails, DateHelper } = lib;
const { BigInteger } = loadBigInteger();

function loadBigInteger() {
  // BigInteger is not exported from the package index; take it from the same
  // module instance AuthenticationHelper uses.
  return { BigInteger: require('amazon-cognito-identity-js/lib/BigInteger').default };
}

// --- the random source: a queue of 32-bit words -------------------------
let words = [];
function feed(hex) {
  if (hex.length % 8 !== 0) throw new Error('random hex must be whole 32-bit words');
  for (let i = 0; i < hex.length; i += 8) words.push(parseInt(hex.slice(i, i + 8), 16) >>> 0);
}
const webcrypto = globalThis.crypto;
Object.defineProperty(webcrypto, 'getRandomValues', {
  configurable: true,
  writable: true,
  value(arr) {
    for (let i = 0; i < arr.length; i++) {
      if (words.length === 0) throw new Error('srp.js: the library asked for more random values than the vector holds');
      arr[i] = words.shift();
    }
    return arr;
  },
});

// --- the clock ------------------------------------------------------------
const RealDate = Date;
function fixClock(ms) {
  globalThis.Date = class extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(ms);
      else super(...args);
    }
    static now() { return ms; }
  };
}

// --- values AuthenticationHelper keeps local: x and S ----------------------
let captured = {};
const origCalculateS = AuthenticationHelper.prototype.calculateS;
AuthenticationHelper.prototype.calculateS = function (xValue, serverBValue, callback) {
  captured.x = xValue;
  return origCalculateS.call(this, xValue, serverBValue, (err, S) => {
    captured.S = S;
    callback(err, S);
  });
};

function hex(bi) { return bi.toString(16); }

function direct(v) {
  captured = {};
  feed(v.smallA);
  const poolName = v.poolId.split('_')[1];
  const h = new AuthenticationHelper(poolName);
  if (words.length !== 0) throw new Error('srp.js: the library used fewer random values than expected');
  let A;
  h.getLargeAValue((err, a) => { if (err) throw err; A = a; });
  let hkdf;
  h.getPasswordAuthenticationKey(v.userIdForSrp, v.password,
    new BigInteger(v.srpB, 16), new BigInteger(v.salt, 16),
    (err, key) => { if (err) throw err; hkdf = key; });
  if (!hkdf) throw new Error('srp.js: getPasswordAuthenticationKey did not call back synchronously');
  fixClock(v.nowMs);
  const timestamp = new DateHelper().getNowString();
  globalThis.Date = RealDate;
  return {
    a: hex(h.getSmallAValue()),
    k: hex(h.k),
    A: hex(A),
    padA: h.padHex(A),
    padB: h.padHex(new BigInteger(v.srpB, 16)),
    padSalt: h.padHex(new BigInteger(v.salt, 16)),
    u: hex(h.UValue),
    padU: h.padHex(h.UValue),
    x: hex(captured.x),
    S: hex(captured.S),
    padS: h.padHex(captured.S),
    hkdf: Buffer.from(hkdf).toString('hex'),
    timestamp,
  };
}

// The whole client side of USER_SRP_AUTH, as CognitoUser.authenticateUser
// does it, against a recorded stand-in for the Cognito client.
function viaCognitoUser(v) {
  return new Promise((resolve, reject) => {
    feed(v.smallA);
    fixClock(v.nowMs);
    const pool = new CognitoUserPool({ UserPoolId: v.poolId, ClientId: v.clientId });
    const user = new CognitoUser({ Username: v.username, Pool: pool });
    user.setAuthenticationFlowType('USER_SRP_AUTH');
    const requests = {};
    user.client.request = (op, params, cb) => {
      requests[op] = params;
      if (op === 'InitiateAuth') {
        cb(null, {
          ChallengeName: 'PASSWORD_VERIFIER',
          Session: 'session-1',
          ChallengeParameters: {
            USER_ID_FOR_SRP: v.userIdForSrp,
            USERNAME: v.userIdForSrp,
            SRP_B: v.srpB,
            SALT: v.salt,
            SECRET_BLOCK: v.secretBlock,
          },
        });
        return;
      }
      cb({ code: 'StopHere', name: 'StopHere', message: 'recorded' }, null);
    };
    const done = () => {
      globalThis.Date = RealDate;
      const init = requests.InitiateAuth;
      const resp = requests.RespondToAuthChallenge;
      if (!init || !resp) { reject(new Error('srp.js: CognitoUser did not make both requests')); return; }
      resolve({
        initiate: { AuthFlow: init.AuthFlow, ClientId: init.ClientId, AuthParameters: init.AuthParameters },
        respond: { ChallengeName: resp.ChallengeName, ClientId: resp.ClientId, Session: resp.Session, ChallengeResponses: resp.ChallengeResponses },
      });
    };
    user.authenticateUser(new AuthenticationDetails({ Username: v.username, Password: v.password }), {
      onSuccess: () => reject(new Error('srp.js: unexpected success')),
      onFailure: (err) => (err && err.code === 'StopHere' ? done() : reject(err)),
    });
  });
}

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const vectors = JSON.parse(input);
  const out = [];
  for (const v of vectors) {
    const d = direct(v);
    const c = await viaCognitoUser(v);
    if (words.length !== 0) throw new Error('srp.js: CognitoUser used fewer random values than expected');
    out.push({ name: v.name, ...d, cognitoUser: c });
  }
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

main().catch((err) => {
  process.stderr.write('srp.js: ' + (err && err.stack ? err.stack : String(err)) + '\n');
  process.exit(1);
});
