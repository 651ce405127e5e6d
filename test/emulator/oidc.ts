// GitHub Actions OIDC tokens as the emulator issues and verifies them: RS256 JWTs signed
// with a key pair generated when the process starts, published as a JWKS.
import { createSign, createVerify, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface OidcKeys {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as a JWK (for the JWKS endpoint). */
  jwk: Record<string, unknown>;
}

export function createOidcKeys(): OidcKeys {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID().replace(/-/g, '').slice(0, 16);
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicKey, jwk };
}

let keys: OidcKeys | undefined;
/** The process-wide signing keys (one pair per emulator process, like GitHub's rotating key). */
export function oidcKeys(): OidcKeys {
  keys ??= createOidcKeys();
  return keys;
}

export function jwks(): { keys: Array<Record<string, unknown>> } {
  return { keys: [oidcKeys().jwk] };
}

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/**
 * Sign a GitHub-shaped OIDC token. `claims` are the world's claims (sub, repository, ...);
 * `audience` becomes `aud`; the issuer is GitHub's (the emulator serves its JWKS under `baseUrl`).
 */
export function signGithubToken(
  claims: Record<string, unknown>,
  audience: string,
  _baseUrl: string,
  lifetimeSeconds = 300,
): string {
  const k = oidcKeys();
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'RS256', x5t: k.kid, kid: k.kid };
  const payload = {
    jti: randomUUID(),
    ...claims,
    aud: audience,
    iss: GITHUB_ISSUER,
    nbf: now - 5,
    iat: now - 5,
    exp: now + lifetimeSeconds,
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const sig = createSign('RSA-SHA256').update(input).sign(k.privateKey);
  return `${input}.${b64url(sig)}`;
}

export type Verified = { ok: true; claims: Record<string, unknown> } | { ok: false; error: string };

/** Check signature (RS256, our key), expiry, not-before and issuer. Audience is the caller's business. */
export function verifyGithubToken(jwt: string, now = Date.now()): Verified {
  const parts = jwt.split('.');
  if (parts.length !== 3) return { ok: false, error: 'The token is not a JWT.' };
  const [h = '', p = '', s = ''] = parts;
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, error: 'The token is not a JWT.' };
  }
  if (header.alg !== 'RS256')
    return { ok: false, error: `Unsupported token signing algorithm ${String(header.alg)}.` };
  const k = oidcKeys();
  const valid =
    header.kid === k.kid &&
    createVerify('RSA-SHA256').update(`${h}.${p}`).verify(k.publicKey, Buffer.from(s, 'base64url'));
  if (!valid) return { ok: false, error: 'Invalid JWT signature.' };
  if (claims.iss !== GITHUB_ISSUER)
    return { ok: false, error: `The issuer ${String(claims.iss)} is not trusted.` };
  const secs = Math.floor(now / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= secs)
    return { ok: false, error: 'The token has expired.' };
  if (typeof claims.nbf === 'number' && claims.nbf > secs + 60)
    return { ok: false, error: 'The token is not yet valid.' };
  return { ok: true, claims };
}
