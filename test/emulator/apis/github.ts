// GitHub as the action meets it: the runner's OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL),
// the issuer's discovery document and JWKS, and the few REST endpoints the pull-request
// comment uses, served under /_github/api so GITHUB_API_URL can point there.
import type { Ctx, EmuRequest, EmuResponse, Handler, World } from '../contract.ts';
import { route } from '../http.ts';
import { GITHUB_ISSUER, jwks, signGithubToken } from '../oidc.ts';
import { noteIssued } from '../tokens.ts';

export const DEFAULT_ID_TOKEN_REQUEST_TOKEN = 'gha-runtime-id-token-request';
const DOCS = 'https://docs.github.com/rest';
const BOT = {
  login: 'github-actions[bot]',
  id: 41898282,
  node_id: 'MDM6Qm90NDE4OTgyODI=',
  type: 'Bot',
  site_admin: false,
};

const json = (status: number, body: unknown, headers?: Record<string, string>): EmuResponse =>
  headers ? { status, body, headers } : { status, body };
const ghError = (status: number, message: string, docs = DOCS) =>
  json(status, { message, documentation_url: docs, status: String(status) });

// ---- OIDC ----

function discovery(req: EmuRequest, ctx: Ctx) {
  if (!route(req, 'GET', /^\/(?:_github\/oidc\/)?\.well-known\/openid-configuration$/)) return undefined;
  return json(200, {
    issuer: GITHUB_ISSUER,
    jwks_uri: `${ctx.baseUrl}/.well-known/jwks`,
    subject_types_supported: ['public', 'pairwise'],
    response_types_supported: ['id_token'],
    claims_supported: [
      'sub',
      'aud',
      'exp',
      'iat',
      'iss',
      'jti',
      'nbf',
      'ref',
      'repository',
      'repository_owner',
      'sha',
      'workflow',
      'actor',
      'event_name',
      'job_workflow_ref',
    ],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid'],
  });
}

function keys(req: EmuRequest) {
  return route(req, 'GET', /^\/(?:_github\/oidc\/)?\.well-known\/jwks$/) ? json(200, jwks()) : undefined;
}

/** The runner's token endpoint: Bearer ACTIONS_ID_TOKEN_REQUEST_TOKEN, answers {"value": jwt}. */
function idToken(req: EmuRequest, ctx: Ctx) {
  if (!route(req, 'GET', /^\/_github\/oidc\/token$/)) return undefined;
  const expected = ctx.world.github.idTokenRequestToken ?? DEFAULT_ID_TOKEN_REQUEST_TOKEN;
  const given = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
  if (!given) return json(401, { message: 'Authorization header is missing.' });
  if (given !== expected) return json(401, { message: 'Unable to validate the request token.' });
  const owner = ctx.world.github.repository.split('/')[0] ?? '';
  const audience = req.query.get('audience') || `https://github.com/${owner}`;
  const value = signGithubToken(ctx.world.github.claims, audience, ctx.baseUrl);
  noteIssued(ctx.world, value);
  return json(200, { count: 1, value });
}

// ---- REST ----

const stamps = new WeakMap<object, { created: string; updated: string }>();
function stampOf(comment: object): { created: string; updated: string } {
  let s = stamps.get(comment);
  if (!s) {
    const t = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    s = { created: t, updated: t };
    stamps.set(comment, s);
  }
  return s;
}

type Comment = World['github']['comments'][number][number];

function render(ctx: Ctx, issue: number, c: Comment) {
  const repo = ctx.world.github.repository;
  const s = stampOf(c);
  const api = `${ctx.baseUrl}/_github/api/repos/${repo}`;
  return {
    id: c.id,
    node_id: Buffer.from(`IC_${c.id}`).toString('base64'),
    url: `${api}/issues/comments/${c.id}`,
    html_url: `https://github.com/${repo}/pull/${issue}#issuecomment-${c.id}`,
    issue_url: `${api}/issues/${issue}`,
    body: c.body,
    user: c.user === BOT.login ? BOT : { login: c.user, id: 1, type: 'User', site_admin: false },
    created_at: s.created,
    updated_at: s.updated,
    author_association: c.user === BOT.login ? 'NONE' : 'MEMBER',
  };
}

type Access = { token: string; level: 'write' | 'read' } | EmuResponse;

function authenticate(req: EmuRequest, world: World): Access {
  const header = String(req.headers.authorization ?? '');
  const token = /^(?:token|Bearer)\s+(\S+)$/i.exec(header)?.[1];
  if (!token) return ghError(401, 'Requires authentication');
  const level = world.github.tokens[token];
  if (!level) return ghError(401, 'Bad credentials');
  return { token, level };
}

const forbidden = () =>
  ghError(
    403,
    'Resource not accessible by integration',
    'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
  );

/** Route under /_github/api/repos/{owner}/{repo}/...; checks the token and the repository. */
function repoRoute(
  req: EmuRequest,
  ctx: Ctx,
  method: string,
  tail: RegExp,
): { access: { level: 'write' | 'read' }; rest: string[] } | EmuResponse | undefined {
  const m = route(req, method, new RegExp(`^/_github/api/repos/([^/]+)/([^/]+)${tail.source}$`));
  if (!m) return undefined;
  const access = authenticate(req, ctx.world);
  if ('status' in access) return access;
  if (`${m[0]}/${m[1]}`.toLowerCase() !== ctx.world.github.repository.toLowerCase())
    return ghError(404, 'Not Found');
  return { access, rest: m.slice(2) };
}

const isResponse = (v: unknown): v is EmuResponse => typeof v === 'object' && v !== null && 'status' in v;

function listComments(req: EmuRequest, ctx: Ctx) {
  const r = repoRoute(req, ctx, 'GET', /\/issues\/(\d+)\/comments/);
  if (!r || isResponse(r)) return r;
  const issue = Number(r.rest[0]);
  if (!ctx.world.github.pullRequests.some((p) => p.number === issue)) return ghError(404, 'Not Found');
  const all = ctx.world.github.comments[issue] ?? [];
  const perPage = Math.min(100, Math.max(1, Number(req.query.get('per_page') ?? 30) || 30));
  const page = Math.max(1, Number(req.query.get('page') ?? 1) || 1);
  const slice = all.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = {};
  if (page * perPage < all.length) {
    const next = `${ctx.baseUrl}/_github/api/repos/${ctx.world.github.repository}/issues/${issue}/comments?per_page=${perPage}&page=${page + 1}`;
    headers.link = `<${next}>; rel="next"`;
  }
  return json(
    200,
    slice.map((c) => render(ctx, issue, c)),
    headers,
  );
}

function nextCommentId(world: World): number {
  let max = 1_000_000;
  for (const list of Object.values(world.github.comments)) for (const c of list) max = Math.max(max, c.id);
  return max + 1;
}

function bodyText(req: EmuRequest): string | undefined {
  const b = req.body as Record<string, unknown> | undefined;
  return typeof b?.body === 'string' ? b.body : undefined;
}

const unprocessable = () =>
  ghError(
    422,
    'Invalid request.\n\n"body" wasn\'t supplied.',
    'https://docs.github.com/rest/issues/comments',
  );

function createComment(req: EmuRequest, ctx: Ctx) {
  const r = repoRoute(req, ctx, 'POST', /\/issues\/(\d+)\/comments/);
  if (!r || isResponse(r)) return r;
  const issue = Number(r.rest[0]);
  const pr = ctx.world.github.pullRequests.find((p) => p.number === issue);
  if (!pr) return ghError(404, 'Not Found');
  // Tokens of workflows triggered from forks are read-only, whatever the workflow asks for.
  if (r.access.level !== 'write' || pr.fork) return forbidden();
  const body = bodyText(req);
  if (body === undefined) return unprocessable();
  const comment: Comment = { id: nextCommentId(ctx.world), body, user: BOT.login };
  ctx.world.github.comments[issue] = [...(ctx.world.github.comments[issue] ?? []), comment];
  return json(201, render(ctx, issue, comment));
}

function updateComment(req: EmuRequest, ctx: Ctx) {
  const r = repoRoute(req, ctx, 'PATCH', /\/issues\/comments\/(\d+)/);
  if (!r || isResponse(r)) return r;
  const id = Number(r.rest[0]);
  for (const [issue, list] of Object.entries(ctx.world.github.comments)) {
    const c = list.find((x) => x.id === id);
    if (!c) continue;
    const pr = ctx.world.github.pullRequests.find((p) => p.number === Number(issue));
    if (r.access.level !== 'write' || pr?.fork) return forbidden();
    const body = bodyText(req);
    if (body === undefined) return unprocessable();
    c.body = body;
    stampOf(c).updated = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    return json(200, render(ctx, Number(issue), c));
  }
  return ghError(404, 'Not Found');
}

function deleteComment(req: EmuRequest, ctx: Ctx) {
  const r = repoRoute(req, ctx, 'DELETE', /\/issues\/comments\/(\d+)/);
  if (!r || isResponse(r)) return r;
  const id = Number(r.rest[0]);
  for (const [issue, list] of Object.entries(ctx.world.github.comments)) {
    if (!list.some((x) => x.id === id)) continue;
    const pr = ctx.world.github.pullRequests.find((p) => p.number === Number(issue));
    if (r.access.level !== 'write' || pr?.fork) return forbidden();
    ctx.world.github.comments[Number(issue)] = list.filter((x) => x.id !== id);
    return { status: 204 };
  }
  return ghError(404, 'Not Found');
}

function getPull(req: EmuRequest, ctx: Ctx) {
  const r = repoRoute(req, ctx, 'GET', /\/pulls\/(\d+)/);
  if (!r || isResponse(r)) return r;
  const n = Number(r.rest[0]);
  const pr = ctx.world.github.pullRequests.find((p) => p.number === n);
  if (!pr) return ghError(404, 'Not Found');
  const repo = ctx.world.github.repository;
  const name = repo.split('/')[1] ?? repo;
  const headRepo = pr.fork ? `contributor/${name}` : repo;
  return json(200, {
    number: n,
    state: 'open',
    title: `Pull request #${n}`,
    html_url: `https://github.com/${repo}/pull/${n}`,
    user: { login: pr.fork ? 'contributor' : 'octocat', type: 'User' },
    head: {
      ref: `feature-${n}`,
      sha: ctx.world.github.claims.sha ?? '',
      repo: { full_name: headRepo, fork: pr.fork === true },
    },
    base: { ref: 'main', repo: { full_name: repo, fork: false } },
  });
}

export const handlers: Handler[] = [
  discovery,
  keys,
  idToken,
  listComments,
  createComment,
  updateComment,
  deleteComment,
  getPull,
];
