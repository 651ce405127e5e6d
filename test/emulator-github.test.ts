// The emulator's GitHub: the runner's OIDC token endpoint (through @actions/core getIDToken),
// the issuer's JWKS, and the REST endpoints of the pull-request comment (through @actions/github).
import { createPublicKey, createVerify } from 'node:crypto';
import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ID_TOKEN_REQUEST_TOKEN } from './emulator/apis/github.ts';
import { GITHUB_ISSUER, signGithubToken, verifyGithubToken } from './emulator/oidc.ts';
import { runWorld } from './emulator/run-world.ts';
import { useEmulator } from './helpers/emulator.ts';

const owner = 'octo-org';
const repo = 'octo-repo';

const emu = useEmulator({ scenario: runWorld() });

function decode(jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h = '', p = ''] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(p, 'base64url').toString()),
  };
}

describe('GitHub OIDC', () => {
  it('issues a signed token to the runner through @actions/core getIDToken', async () => {
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = `${emu().url}/_github/oidc/token?api-version=2.0`;
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = DEFAULT_ID_TOKEN_REQUEST_TOKEN;
    const audience = '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/gh';
    const jwt = await core.getIDToken(audience);
    const { header, claims } = decode(jwt);
    expect(header.alg).toBe('RS256');
    expect(claims).toMatchObject({
      iss: GITHUB_ISSUER,
      aud: audience,
      repository: `${owner}/${repo}`,
      repository_owner: owner,
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBeLessThanOrEqual(310);
    expect(verifyGithubToken(jwt)).toMatchObject({ ok: true });

    // Anyone can check the signature with the published JWKS, as STS does with GitHub's.
    const discovery = (await (await fetch(`${emu().url}/.well-known/openid-configuration`)).json()) as {
      jwks_uri: string;
    };
    const { keys } = (await (await fetch(discovery.jwks_uri)).json()) as {
      keys: Array<Record<string, unknown>>;
    };
    const jwk = keys.find((k) => k.kid === header.kid);
    expect(jwk).toBeDefined();
    const [h, p, s = ''] = jwt.split('.');
    const key = createPublicKey({ key: jwk as never, format: 'jwk' });
    expect(createVerify('RSA-SHA256').update(`${h}.${p}`).verify(key, Buffer.from(s, 'base64url'))).toBe(
      true,
    );
  });

  it('refuses a request without the runner request token', async () => {
    const res = await fetch(`${emu().url}/_github/oidc/token?audience=x`, {
      headers: { authorization: 'Bearer wrong' },
    });
    expect(res.status).toBe(401);
  });

  it('detects a tampered token', () => {
    const jwt = signGithubToken(emu().world.github.claims, 'aud', emu().url);
    const [h, p, s] = jwt.split('.');
    const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString());
    claims.repository = 'evil/repo';
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    expect(verifyGithubToken(forged)).toEqual({ ok: false, error: 'Invalid JWT signature.' });
  });
});

describe('GitHub REST for the pull-request comment', () => {
  const octo = (token: string) => getOctokit(token, { baseUrl: `${emu().url}/_github/api` });

  it('creates a comment as github-actions[bot], lists it, updates it in place', async () => {
    const gh = octo('ghs_write');
    const created = await gh.rest.issues.createComment({ owner, repo, issue_number: 7, body: 'first' });
    expect(created.status).toBe(201);
    expect(created.data.user?.login).toBe('github-actions[bot]');
    const id = created.data.id;
    const updated = await gh.rest.issues.updateComment({ owner, repo, comment_id: id, body: 'second' });
    expect(updated.data.body).toBe('second');
    const all = await gh.paginate(gh.rest.issues.listComments, {
      owner,
      repo,
      issue_number: 7,
      per_page: 100,
    });
    expect(all.filter((c) => c.id === id).map((c) => c.body)).toEqual(['second']);
    expect(all).toHaveLength(1);
  });

  it('paginates with Link headers', async () => {
    const gh = octo('ghs_write');
    for (let i = 0; i < 3; i++)
      await gh.rest.issues.createComment({ owner, repo, issue_number: 7, body: `n${i}` });
    const all = await gh.paginate(gh.rest.issues.listComments, { owner, repo, issue_number: 7, per_page: 2 });
    expect(all.map((c) => c.body)).toEqual(['second', 'n0', 'n1', 'n2']);
  });

  it('answers 403 "Resource not accessible by integration" to read-only tokens and on fork pull requests', async () => {
    const read = await octo('ghs_read')
      .rest.issues.createComment({ owner, repo, issue_number: 7, body: 'x' })
      .catch((e: { status: number; response: { data: { message: string } } }) => e);
    expect(read).toMatchObject({
      status: 403,
      response: { data: { message: 'Resource not accessible by integration' } },
    });
    const fork = await octo('ghs_write')
      .rest.issues.createComment({ owner, repo, issue_number: 8, body: 'x' })
      .catch((e: { status: number }) => e);
    expect(fork).toMatchObject({ status: 403 });
  });

  it('rejects unknown tokens and unknown repositories', async () => {
    const bad = await octo('nope')
      .rest.issues.listComments({ owner, repo, issue_number: 7 })
      .catch((e: { status: number }) => e);
    expect(bad).toMatchObject({ status: 401 });
    const other = await octo('ghs_write')
      .rest.issues.listComments({ owner, repo: 'other', issue_number: 7 })
      .catch((e: { status: number }) => e);
    expect(other).toMatchObject({ status: 404 });
  });

  it('serves a pull request with its fork flag', async () => {
    const gh = octo('ghs_read');
    const own = await gh.rest.pulls.get({ owner, repo, pull_number: 7 });
    expect(own.data.head.repo?.fork).toBe(false);
    const fork = await gh.rest.pulls.get({ owner, repo, pull_number: 8 });
    expect(fork.data.head.repo?.fork).toBe(true);
  });
});
