// IAM Credentials v1: generateAccessToken. The caller needs iam.serviceAccounts.getAccessToken
// on the target account; the minted token acts as that service account.
import { guard } from '../access.ts';
import { type Handler, HttpError, type WorldServiceAccount } from '../contract.ts';
import { badRequest, isRecord, route } from '../http.ts';
import { callerFor } from '../iam-engine.ts';
import { forService } from '../services.ts';
import { mintToken } from '../tokens.ts';
import { findServiceAccount } from '../world-index.ts';
import { serviceAccountResource } from './iam.ts';

const generateAccessToken: Handler = (req, ctx) => {
  const g = route(req, 'POST', /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/:]+):generateAccessToken$/);
  if (!g) return undefined;
  const [project = '', id = ''] = g;
  const sa = findServiceAccount(ctx.world, id);
  guard(
    ctx,
    'iam.serviceAccounts.getAccessToken',
    serviceAccountResource(ctx, project, id),
    sa !== undefined,
    {
      domain: 'iam.googleapis.com',
      denied: (p) => `Permission '${p}' denied on resource (or it may not exist).`,
      notFound: `Not found; Gaia id not found for email ${id}`,
    },
  );
  const account = sa as WorldServiceAccount;
  if (account.disabled) throw new HttpError(400, 'FAILED_PRECONDITION', 'Precondition check failed.');
  const body = isRecord(req.body) ? req.body : {};
  const scope = Array.isArray(body.scope) ? body.scope : [];
  if (scope.length === 0) throw badRequest('Scope required.');
  const lifetime =
    typeof body.lifetime === 'string'
      ? Number(/^(\d+(?:\.\d+)?)s$/.exec(body.lifetime)?.[1] ?? Number.NaN)
      : 3600;
  if (!Number.isFinite(lifetime) || lifetime <= 0 || lifetime > 3600) {
    throw badRequest(`The lifetime ${String(body.lifetime)} is invalid; it must be between 1s and 3600s.`);
  }
  const token = mintToken(ctx.world, callerFor(ctx.world, `serviceAccount:${account.email}`), lifetime);
  const expireTime = new Date(Date.now() + lifetime * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { status: 200, body: { accessToken: token, expireTime } };
};

export const handlers: Handler[] = forService('iamcredentials.googleapis.com', [generateAccessToken]);
