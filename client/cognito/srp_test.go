package cognito

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSRPGroup(t *testing.T) {
	// RFC 5054 appendix A, 3072-bit group: N = 2^3072 - 2^3008 - 1 + 2^64 * (floor(2^2942 * pi) + 1690314).
	// Check the constant by its definition's shape and primality rather than by
	// retyping it: a safe prime of 3072 bits with 64 one bits at each end.
	require.Equal(t, 3072, srpN.BitLen())
	low := new(big.Int).And(srpN, new(big.Int).SetUint64(^uint64(0)))
	assert.Equal(t, ^uint64(0), low.Uint64(), "low 64 bits")
	assert.Equal(t, ^uint64(0), new(big.Int).Rsh(srpN, 3072-64).Uint64(), "high 64 bits")
	require.True(t, srpN.ProbablyPrime(8), "N is prime")
	q := new(big.Int).Rsh(srpN, 1)
	require.True(t, q.ProbablyPrime(8), "(N-1)/2 is prime")
	assert.Equal(t, int64(2), srpG.Int64())

	// k = H(PAD(N) | PAD(g)); PAD(N) has a leading 00 as N's high bit is set.
	require.Equal(t, byte(0), padBytes(srpN)[0])
	require.Len(t, padBytes(srpN), 385)
	want := sha256.Sum256(append(append([]byte{0}, srpN.Bytes()...), 2))
	assert.Equal(t, hex.EncodeToString(want[:]), srpK.Text(16))
	// The value amazon-cognito-identity-js 6.3.21 computes (AuthenticationHelper.k).
	assert.Equal(t, "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6", srpK.Text(16))
}

func TestPadHex(t *testing.T) {
	// The positive examples of AuthenticationHelper.padHex's documentation,
	// and the edges: zero, a leading zero nibble, a leading zero byte.
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"14", "14"},    // 20
		{"38", "38"},    // 56
		{"ec", "00ec"},  // 236
		{"c8", "00c8"},  // 200
		{"0", "00"},     // 0
		{"7f", "7f"},    // high bit clear
		{"80", "0080"},  // high bit set
		{"abc", "0abc"}, // odd length: one 0 nibble in front
		{"8abc", "008abc"},
		{"00ff", "00ff"}, // a leading zero byte is dropped, then 00 added for the high bit
		{"0012", "12"},   // a leading zero byte is dropped
	} {
		n, ok := new(big.Int).SetString(tc.in, 16)
		require.True(t, ok)
		assert.Equal(t, tc.want, padHex(n), "padHex(0x%s)", tc.in)
	}
}

func TestSRPTimestamp(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2024, 1, 5, 3, 4, 5, 0, time.UTC), "Fri Jan 5 03:04:05 UTC 2024"}, // day without a leading zero, hour with one
		{time.Date(2023, 12, 25, 23, 59, 59, 999e6, time.UTC), "Mon Dec 25 23:59:59 UTC 2023"},
		// Always UTC, whatever the zone of the time given.
		{time.Date(2024, 3, 1, 1, 30, 0, 0, time.FixedZone("X", 2*3600)), "Thu Feb 29 23:30:00 UTC 2024"},
	} {
		assert.Equal(t, tc.want, srpTimestamp(tc.t))
	}
}

func TestSRPHKDF(t *testing.T) {
	// RFC 5869 written out: PRK = HMAC(salt, IKM); T(1) = HMAC(PRK, info | 0x01).
	ikm, salt := []byte("input key material"), []byte("salt")
	m := hmac.New(sha256.New, salt)
	m.Write(ikm)
	prk := m.Sum(nil)
	m = hmac.New(sha256.New, prk)
	m.Write([]byte("Caldera Derived Key\x01"))
	assert.Equal(t, m.Sum(nil)[:16], srpHKDF(ikm, salt))
}

func TestSRPPoolName(t *testing.T) {
	name, err := srpPoolName("us-east-1_AbCdEf123")
	require.NoError(t, err)
	assert.Equal(t, "AbCdEf123", name)
	name, err = srpPoolName("local_7rPkWqzX")
	require.NoError(t, err)
	assert.Equal(t, "7rPkWqzX", name)

	_, err = srpPoolName("")
	require.ErrorContains(t, err, "Options.UserPoolID")
	require.ErrorContains(t, err, "auth.user_pool_id")
	_, err = srpPoolName("AbCdEf123")
	require.ErrorContains(t, err, `Options.UserPoolID "AbCdEf123" is not a user pool ID`)
}

func TestSRPClientRefusesBadServerValues(t *testing.T) {
	c, err := newSRPClient("Pool", bytes.NewReader(bytes.Repeat([]byte{7}, srpSmallALen)))
	require.NoError(t, err)
	salt := big.NewInt(0x1234)
	// B = 0 and B = N would let anyone who can see the claim guess the password offline.
	for _, B := range []*big.Int{big.NewInt(0), srpN, new(big.Int).Lsh(srpN, 1)} {
		_, err := c.passwordKey("alice", "pw", B, salt)
		require.ErrorContains(t, err, "SRP_B is 0 mod N")
	}
	params := map[string]string{"USER_ID_FOR_SRP": "alice", "SRP_B": "ab12", "SALT": "cd34", "SECRET_BLOCK": "AAEC"}
	for key, bad := range map[string]string{"USER_ID_FOR_SRP": "", "SRP_B": "", "SALT": "xyz", "SECRET_BLOCK": "!!"} {
		p := map[string]string{}
		for k, v := range params {
			p[k] = v
		}
		p[key] = bad
		_, _, err := c.passwordVerifier(p, "pw-secret", t0)
		require.ErrorContains(t, err, "parameter "+key)
		assert.NotContains(t, err.Error(), "pw-secret")
	}

	// A random source that gives only zeros is refused, not used.
	_, err = newSRPClient("Pool", bytes.NewReader(make([]byte, 100*srpSmallALen)))
	require.ErrorContains(t, err, "Options.Random")
	// A failing random source is reported.
	_, err = newSRPClient("Pool", bytes.NewReader(nil))
	require.ErrorContains(t, err, "reading random bytes for SRP")
}
