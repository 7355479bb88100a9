package cognito

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"
)

// This file is Cognito's Secure Remote Password protocol (USER_SRP_AUTH with
// the PASSWORD_VERIFIER challenge), written to give the same bytes as AWS's
// JavaScript implementation (amazon-cognito-identity-js AuthenticationHelper
// and CognitoUser); TestSRPMatchesAmazonCognitoIdentityJS checks that.
//
// Cognito's variant of SRP-6a:
//
//	N, g  the 3072-bit group of RFC 5054 (appendix A), g = 2
//	k     = H(PAD(N) | PAD(g))
//	A     = g^a mod N                      a: 128 random bytes
//	u     = H(PAD(A) | PAD(B))
//	x     = H(PAD(salt) | H(poolName | userId | ":" | password))
//	S     = (B - k*g^x) ^ (a + u*x) mod N
//	key   = HKDF-SHA256(ikm = PAD(S), salt = PAD(u), info = "Caldera Derived Key", 16 bytes)
//	claim = base64(HMAC-SHA256(key, poolName | userId | secretBlock | timestamp))
//
// H is SHA-256. PAD(n) is not padding to the length of N: it is AWS's
// "padHex", the shortest two's-complement big-endian bytes of n, that is the
// magnitude's bytes with one 0x00 in front when the high bit of the first
// byte is set (so PAD(0x80) = 00 80, PAD(0x7f) = 7f). u and x are read back
// as numbers from the hashes, so PAD(u) drops leading zero bytes of the hash.
// poolName is the part of the user pool ID after "_"; userId is
// USER_ID_FOR_SRP from the challenge; timestamp is the UTC time in the form
// "Mon Jan 2 15:04:05 UTC 2006" (day without a leading zero).

// srpNHex is the 3072-bit MODP prime of RFC 5054, appendix A (also RFC 3526
// group 15), as amazon-cognito-identity-js writes it.
const srpNHex = "" +
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
	"29024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245" +
	"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D" +
	"C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D" +
	"670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9" +
	"DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
	"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64" +
	"ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B" +
	"F12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
	"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31" +
	"43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

// srpTimeLayout is the TIMESTAMP form Cognito checks the claim against.
const srpTimeLayout = "Mon Jan 2 15:04:05 UTC 2006"

// srpInfo is the HKDF info of Cognito's SRP.
const srpInfo = "Caldera Derived Key"

// srpSmallALen is the number of random bytes of the client's secret a.
const srpSmallALen = 128

var (
	srpN = mustHexInt(srpNHex)
	srpG = big.NewInt(2)
	srpK = new(big.Int).SetBytes(hashBytes(padBytes(srpN), padBytes(srpG)))
)

func mustHexInt(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("cognito: bad hex constant")
	}
	return n
}

// padBytes returns AWS's padHex of a non-negative n as bytes: the big-endian
// magnitude, with a 0x00 in front when its high bit is set. PAD(0) is 00.
func padBytes(n *big.Int) []byte {
	b := n.Bytes()
	if len(b) == 0 || b[0]&0x80 != 0 {
		return append([]byte{0}, b...)
	}
	return b
}

// padHex is padBytes in lower-case hex.
func padHex(n *big.Int) string { return hex.EncodeToString(padBytes(n)) }

func hashBytes(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// srpHKDF is HKDF-SHA256 (RFC 5869) with Cognito's info, one block, 16 bytes.
func srpHKDF(ikm, salt []byte) []byte {
	m := hmac.New(sha256.New, salt)
	m.Write(ikm)
	prk := m.Sum(nil)
	m = hmac.New(sha256.New, prk)
	m.Write([]byte(srpInfo))
	m.Write([]byte{1})
	return m.Sum(nil)[:16]
}

// srpTimestamp formats t as Cognito's TIMESTAMP challenge response.
func srpTimestamp(t time.Time) string { return t.UTC().Format(srpTimeLayout) }

// srpPoolName is the part of a user pool ID after the first "_"
// ("us-east-1_AbC123" → "AbC123"), as Cognito hashes it.
func srpPoolName(userPoolID string) (string, error) {
	_, name, ok := strings.Cut(userPoolID, "_")
	if userPoolID == "" {
		return "", errors.New("cognito: USER_SRP_AUTH needs Options.UserPoolID: set it to the user pool ID " +
			`(e.g. "us-east-1_AbCdEf123", auth.user_pool_id in amplify_outputs.json)`)
	}
	if !ok || name == "" {
		return "", fmt.Errorf("cognito: Options.UserPoolID %q is not a user pool ID: want <region>_<id>, "+
			`e.g. "us-east-1_AbCdEf123" (auth.user_pool_id in amplify_outputs.json)`, userPoolID)
	}
	return name, nil
}

// srpClient is one SRP sign-in's client state. Its fields are secrets: they
// never appear in errors.
type srpClient struct {
	poolName string
	a, A     *big.Int
}

// newSRPClient draws a (srpSmallALen bytes, as AWS's JS does) from random
// and computes A = g^a mod N.
func newSRPClient(poolName string, random io.Reader) (*srpClient, error) {
	buf := make([]byte, srpSmallALen)
	for range 8 { // a draw giving a = 0 or A = 0 mod N is astronomically unlikely; retry a few times
		if _, err := io.ReadFull(random, buf); err != nil {
			return nil, fmt.Errorf("cognito: reading random bytes for SRP: %w", err)
		}
		a := new(big.Int).SetBytes(buf)
		A := new(big.Int).Exp(srpG, a, srpN)
		if a.Sign() != 0 && A.Sign() != 0 {
			return &srpClient{poolName: poolName, a: a, A: A}, nil
		}
	}
	return nil, errors.New("cognito: the random source gives only zeros; SRP needs Options.Random to be a real random source (nil means crypto/rand)")
}

// srpA is SRP_A as the JS client sends it: A in lower-case hex, unpadded.
func (c *srpClient) srpA() string { return c.A.Text(16) }

// srpSession holds the values derived from the server's challenge. Secrets.
type srpSession struct {
	u, x, S *big.Int
	key     []byte
}

// errSRPParam names a bad PASSWORD_VERIFIER challenge parameter, never its value.
func errSRPParam(name, problem string) error {
	return fmt.Errorf("cognito: PASSWORD_VERIFIER challenge parameter %s %s; is the endpoint a Cognito user pool?", name, problem)
}

func parseHexParam(name, v string) (*big.Int, error) {
	if v == "" {
		return nil, errSRPParam(name, "is missing")
	}
	n, ok := new(big.Int).SetString(v, 16)
	if !ok || n.Sign() < 0 {
		return nil, errSRPParam(name, "is not a hex number")
	}
	return n, nil
}

// passwordKey derives the 16-byte claim key from the server's B and salt,
// with userID (USER_ID_FOR_SRP) and password, as AWS's
// getPasswordAuthenticationKey does.
func (c *srpClient) passwordKey(userID, password string, B, salt *big.Int) (*srpSession, error) {
	if new(big.Int).Mod(B, srpN).Sign() == 0 {
		return nil, errSRPParam("SRP_B", "is 0 mod N (refused: it would reveal the password key)")
	}
	u := new(big.Int).SetBytes(hashBytes(padBytes(c.A), padBytes(B)))
	if u.Sign() == 0 {
		return nil, errors.New("cognito: SRP u is 0 (refused); sign in again")
	}
	inner := sha256.Sum256([]byte(c.poolName + userID + ":" + password))
	x := new(big.Int).SetBytes(hashBytes(padBytes(salt), inner[:]))

	// S = (B - k*g^x) ^ (a + u*x) mod N
	base := new(big.Int).Exp(srpG, x, srpN)
	base.Mul(base, srpK)
	base.Sub(B, base)
	base.Mod(base, srpN) // Euclidean: non-negative
	exp := new(big.Int).Mul(u, x)
	exp.Add(exp, c.a)
	S := new(big.Int).Exp(base, exp, srpN)

	return &srpSession{u: u, x: x, S: S, key: srpHKDF(padBytes(S), padBytes(u))}, nil
}

// claimSignature is PASSWORD_CLAIM_SIGNATURE over poolName | userID |
// secretBlock (decoded) | timestamp.
func claimSignature(key []byte, poolName, userID string, secretBlock []byte, timestamp string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(poolName))
	m.Write([]byte(userID))
	m.Write(secretBlock)
	m.Write([]byte(timestamp))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// passwordVerifier computes the PASSWORD_VERIFIER challenge responses (less
// SECRET_HASH) from the challenge parameters. It returns USER_ID_FOR_SRP.
func (c *srpClient) passwordVerifier(params map[string]string, password string, now time.Time) (userID string, responses map[string]string, err error) {
	userID = params["USER_ID_FOR_SRP"]
	if userID == "" {
		return "", nil, errSRPParam("USER_ID_FOR_SRP", "is missing")
	}
	B, err := parseHexParam("SRP_B", params["SRP_B"])
	if err != nil {
		return "", nil, err
	}
	salt, err := parseHexParam("SALT", params["SALT"])
	if err != nil {
		return "", nil, err
	}
	blockB64 := params["SECRET_BLOCK"]
	if blockB64 == "" {
		return "", nil, errSRPParam("SECRET_BLOCK", "is missing")
	}
	block, err := base64.StdEncoding.DecodeString(blockB64)
	if err != nil {
		return "", nil, errSRPParam("SECRET_BLOCK", "is not base64")
	}
	sess, err := c.passwordKey(userID, password, B, salt)
	if err != nil {
		return "", nil, err
	}
	ts := srpTimestamp(now)
	return userID, map[string]string{
		"USERNAME":                    userID,
		"PASSWORD_CLAIM_SECRET_BLOCK": blockB64,
		"TIMESTAMP":                   ts,
		"PASSWORD_CLAIM_SIGNATURE":    claimSignature(sess.key, c.poolName, userID, block, ts),
	}, nil
}
