package fakecognito

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"strings"
)

// The server side of Cognito's SRP, written here on its own (from the
// protocol, not by calling package cognito), so that a sign-in through the
// double proves the client's proof against a verifier the client never saw.

// N is the 3072-bit group prime of RFC 5054 appendix A, g = 2.
var (
	N = func() *big.Int {
		n, _ := new(big.Int).SetString(strings.Join([]string{
			"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
			"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
			"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
			"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
			"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
			"9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
			"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
			"3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33",
			"A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
			"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864",
			"D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
			"08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
		}, ""), 16)
		return n
	}()
	G = big.NewInt(2)
	K = new(big.Int).SetBytes(sha(Pad(N), Pad(G)))
)

// Pad is the shortest two's-complement encoding of a non-negative n, as
// Cognito hashes numbers: its hex, made even-length, with "00" in front when
// the first digit is 8 to f.
func Pad(n *big.Int) []byte {
	h := n.Text(16)
	if len(h)%2 == 1 {
		h = "0" + h
	}
	if strings.ContainsRune("89abcdef", rune(h[0])) {
		h = "00" + h
	}
	b, _ := hex.DecodeString(h)
	return b
}

func sha(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// X is the private value x = H(PAD(salt) | H(poolName | userID | ":" | password)).
func X(poolName, userID, password string, salt *big.Int) *big.Int {
	return new(big.Int).SetBytes(sha(Pad(salt), sha([]byte(poolName+userID+":"+password))))
}

// Verifier is v = g^x mod N, what Cognito stores instead of the password.
func Verifier(poolName, userID, password string, salt *big.Int) *big.Int {
	return new(big.Int).Exp(G, X(poolName, userID, password, salt), N)
}

// ServerB is the server's public value B = (k*v + g^b) mod N.
func ServerB(v, b *big.Int) *big.Int {
	B := new(big.Int).Mul(K, v)
	B.Add(B, new(big.Int).Exp(G, b, N))
	return B.Mod(B, N)
}

// ServerKey is the 16-byte claim key from the server's side:
// S = (A * v^u)^b mod N, u = H(PAD(A) | PAD(B)), key = HKDF(PAD(S), PAD(u)).
func ServerKey(A, B, v, b *big.Int) (S *big.Int, key []byte) {
	u := new(big.Int).SetBytes(sha(Pad(A), Pad(B)))
	S = new(big.Int).Exp(v, u, N)
	S.Mul(S, A)
	S.Mod(S, N)
	S.Exp(S, b, N)
	prk := hmacSHA256(Pad(u), Pad(S))
	return S, hmacSHA256(prk, []byte("Caldera Derived Key\x01"))[:16]
}

// Claim is the expected PASSWORD_CLAIM_SIGNATURE, raw.
func Claim(key []byte, poolName, userID string, secretBlock []byte, timestamp string) []byte {
	return hmacSHA256(key, []byte(poolName), []byte(userID), secretBlock, []byte(timestamp))
}

func hmacSHA256(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}
