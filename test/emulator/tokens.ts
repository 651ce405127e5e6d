// Opaque bearer tokens, each standing for a Caller. Kept per world so API modules (STS,
// IAM Credentials) can mint tokens without a reference to the server.
import { randomBytes } from 'node:crypto';
import type { Caller, World } from './contract.ts';
import { callerFor } from './iam-engine.ts';

interface Entry {
  caller: Caller;
  expiresAt: number;
}
const stores = new WeakMap<World, Map<string, Entry>>();

function store(world: World): Map<string, Entry> {
  let s = stores.get(world);
  if (!s) {
    s = new Map();
    stores.set(world, s);
  }
  return s;
}

export const TOKEN_TTL_SECONDS = 3600;

const issuedElsewhere = new WeakMap<World, string[]>();

/** Note a credential the emulator issued outside mintToken (a GitHub OIDC JWT), for leak scans. */
export function noteIssued(world: World, token: string): void {
  const list = issuedElsewhere.get(world) ?? [];
  list.push(token);
  issuedElsewhere.set(world, list);
}

/** Every token the emulator issued for this world: access tokens and OIDC JWTs. */
export function issuedTokens(world: World): string[] {
  return [...store(world).keys(), ...(issuedElsewhere.get(world) ?? [])];
}

/** Mint a token for `caller`, valid for `ttlSeconds`. Shaped like a Google access token, meaningless outside this emulator. */
export function mintToken(world: World, caller: Caller, ttlSeconds = TOKEN_TTL_SECONDS): string {
  const token = `ya29.emu-${randomBytes(24).toString('base64url')}`;
  store(world).set(token, { caller, expiresAt: Date.now() + ttlSeconds * 1000 });
  return token;
}

export type Lookup = { ok: true; caller: Caller } | { ok: false; reason: 'expired' | 'unknown' };

export function lookupToken(world: World, token: string): Lookup {
  const e = store(world).get(token);
  if (e) return e.expiresAt > Date.now() ? { ok: true, caller: e.caller } : { ok: false, reason: 'expired' };
  const member = world.tokens[token];
  // Static scenario tokens resolve groups at use, so tests may edit world.groups live.
  if (member) return { ok: true, caller: callerFor(world, member) };
  return { ok: false, reason: 'unknown' };
}
