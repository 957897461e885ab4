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

// ---- a minimal self-signed X.509 certificate (DER by hand; node:crypto cannot issue one) ----

function derLength(n) {
  if (n < 0x80) return Buffer.from([n]);
  const bytes = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag, ...parts) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
};
const seq = (...parts) => tlv(0x30, ...parts);
function derInt(n) {
  let hex = BigInt(n).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}
function derOid(oid) {
  const [a, b, ...rest] = oid.split('.').map(Number);
  const out = [40 * a + b];
  for (const v of rest) {
    const chunk = [v & 0x7f];
    for (let x = v >> 7; x > 0; x >>= 7) chunk.unshift(0x80 | (x & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}
const SHA256_WITH_RSA = seq(derOid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));
const name = (cn) => seq(tlv(0x31, seq(derOid('2.5.4.3'), tlv(0x0c, Buffer.from(cn, 'utf8')))));

/**
 * A self-signed X.509 v3 certificate (PEM) for `keys`, as one uploads to a Salesforce
 * connected app for the JWT flow. Fixed serial and validity, so it is deterministic too.
 */
export function selfSignedCertificate(keys, commonName = 'orgfleet-conformance') {
  const tbs = seq(
    tlv(0xa0, derInt(2)), // version v3
    derInt(0x0c0ffee),
    SHA256_WITH_RSA,
    name(commonName),
    seq(tlv(0x17, Buffer.from('200101000000Z')), tlv(0x17, Buffer.from('491231235959Z'))),
    name(commonName),
    keys.publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = crypto.createSign('RSA-SHA256').update(tbs).sign(keys.privateKey);
  const der = seq(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.from([0]), signature));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
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
