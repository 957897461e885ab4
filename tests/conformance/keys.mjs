// Deterministic RSA key material for the JWT bearer tests, made with node:crypto only.
//
// node:crypto's generateKeyPair cannot be seeded, so the key is derived from a seed: an
// HMAC-SHA256 counter stream supplies candidate bits, OpenSSL's primality test
// (crypto.checkPrimeSync) picks the primes, and the private key is assembled as a JWK and
// imported with crypto.createPrivateKey. The same seed gives the same key on every run and
// machine, and no key file is committed.

import crypto from 'node:crypto';

const E = 65537n;

/** An endless deterministic byte stream: HMAC-SHA256(seed, label || counter). */
function byteStream(seed, label) {
  let counter = 0;
  return (n) => {
    const chunks = [];
    let have = 0;
    while (have < n) {
      const block = crypto
        .createHmac('sha256', seed)
        .update(`${label}:${counter++}`)
        .digest();
      chunks.push(block);
      have += block.length;
    }
    return Buffer.concat(chunks).subarray(0, n);
  };
}

const toBig = (buf) => BigInt(`0x${buf.toString('hex')}`);

function toB64url(n) {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex').toString('base64url');
}

function modPow(base, exp, mod) {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

function modInverse(a, m) {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error('not invertible');
  return ((oldS % m) + m) % m;
}

/** A prime of exactly `bits` bits (top two bits set, so p*q has 2*bits bits), p-1 coprime to E. */
function prime(next, bits) {
  for (;;) {
    let candidate = toBig(next(bits / 8));
    candidate |= (1n << BigInt(bits - 1)) | (1n << BigInt(bits - 2)) | 1n;
    if ((candidate - 1n) % E === 0n) continue;
    if (crypto.checkPrimeSync(candidate, { checks: 32 })) return candidate;
  }
}

/**
 * Derives an RSA key pair of `bits` bits from `seed`.
 * Returns { privateKey, publicKey (KeyObjects), privateKeyPem, publicKeyPem }.
 */
export function deterministicRsaKey(seed = 'orgfleet-conformance', bits = 2048) {
  const next = byteStream(seed, `rsa-${bits}`);
  const half = bits / 2;
  let p = prime(next, half);
  let q = prime(next, half);
  while (p === q) q = prime(next, half);
  if (p < q) [p, q] = [q, p];
  const n = p * q;
  const d = modInverse(E, (p - 1n) * (q - 1n));
  const jwk = {
    kty: 'RSA',
    n: toB64url(n),
    e: toB64url(E),
    d: toB64url(d),
    p: toB64url(p),
    q: toB64url(q),
    dp: toB64url(d % (p - 1n)),
    dq: toB64url(d % (q - 1n)),
    qi: toB64url(modInverse(q, p)),
  };
  // Sanity: the assembled key must round-trip a message (catches a wrong CRT parameter).
  const m = 0x1234567890abcdefn;
  if (modPow(modPow(m, E, n), d, n) !== m) throw new Error('derived RSA key is inconsistent');
  const privateKey = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
  const publicKey = crypto.createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }),
  };
}

/** Signs a JWT bearer assertion (RS256) as a server-to-server integration would. */
export function signJwt(privateKey, claims) {
  const header = Buffer.from(JSON.stringify({ alg: 'RS256' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = crypto
    .createSign('RSA-SHA256')
    .update(`${header}.${body}`)
    .sign(privateKey)
    .toString('base64url');
  return `${header}.${body}.${signature}`;
}
