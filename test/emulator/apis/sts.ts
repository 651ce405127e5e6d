// Security Token Service v1 token exchange for workload identity federation: a GitHub OIDC
// JWT for a federated access token. Errors are OAuth 2.0 bodies, as the real STS answers.
import { conditionHolds, mapAttributes } from '../cel.ts';
import type { EmuResponse, Handler } from '../contract.ts';
import { isRecord, route } from '../http.ts';
import { callerFor } from '../iam-engine.ts';
import { verifyGithubToken } from '../oidc.ts';
import { mintToken } from '../tokens.ts';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_TYPES = ['urn:ietf:params:oauth:token-type:jwt', 'urn:ietf:params:oauth:token-type:id_token'];
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

/** A workload identity pool provider's (or workforce pool provider's) full resource name. */
const PROVIDER_NAME =
  /^\/\/iam\.googleapis\.com\/(projects\/[^/]+\/locations\/global\/workloadIdentityPools|locations\/global\/workforcePools)\/[^/]+\/providers\/[^/]+$/;

const oauthError = (error: string, description: string, status = 400): EmuResponse => ({
  status,
  body: { error, error_description: description },
});

const exchange: Handler = (req, ctx) => {
  if (!route(req, 'POST', /^\/v1\/token$/)) return undefined;
  const form = isRecord(req.body) ? req.body : {};
  const field = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : '');
  if (field('grant_type') !== TOKEN_EXCHANGE) {
    return oauthError('unsupported_grant_type', `Unsupported grant_type: "${field('grant_type')}".`);
  }
  if (!JWT_TYPES.includes(field('subject_token_type'))) {
    return oauthError(
      'invalid_request',
      `Invalid value for "subject_token_type": "${field('subject_token_type')}".`,
    );
  }
  if (field('requested_token_type') !== '' && field('requested_token_type') !== ACCESS_TOKEN) {
    return oauthError(
      'invalid_request',
      `Invalid value for "requested_token_type": "${field('requested_token_type')}".`,
    );
  }
  const audience = field('audience');
  // A value that is not a provider's full resource name is a malformed request; a well-formed
  // name of a provider that is missing or disabled is an invalid target. Both wordings are
  // STS's, as google-github-actions/auth#211 (invalid_request) and #202 (invalid_target) quote them.
  if (!PROVIDER_NAME.test(audience)) {
    return oauthError(
      'invalid_request',
      'Invalid value for "audience". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.',
    );
  }
  const name = audience.replace(/^\/\/iam\.googleapis\.com\//, '');
  const provider = ctx.world.providers.find((p) => p.name === name);
  if (!provider || provider.disabled) {
    return oauthError(
      'invalid_target',
      'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.',
    );
  }
  const verified = verifyGithubToken(field('subject_token'));
  if (!verified.ok) return oauthError('invalid_grant', verified.error);
  const claims = verified.claims;
  const accepted = provider.allowedAudiences ?? [`https://iam.googleapis.com/${provider.name}`];
  const aud = Array.isArray(claims.aud) ? claims.aud.map(String) : [String(claims.aud)];
  if (!aud.some((a) => accepted.includes(a))) {
    return oauthError(
      'invalid_grant',
      `The audience in ID Token [${aud.join(', ')}] does not match the expected audience.`,
    );
  }
  const attrs = mapAttributes(provider.attributeMapping, claims);
  const subject = attrs['google.subject'];
  if (!subject)
    return oauthError('invalid_request', 'The mapped attribute google.subject must not be empty.');
  if (provider.attributeCondition && !conditionHolds(provider.attributeCondition, claims, attrs)) {
    return oauthError('unauthorized_client', 'The given credential is rejected by the attribute condition.');
  }
  const pool = provider.name.replace(/\/providers\/[^/]+$/, '');
  const root = `iam.googleapis.com/${pool}`;
  const sets = [`principalSet://${root}/*`];
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('attribute.')) sets.push(`principalSet://${root}/${k}/${v}`);
  }
  const token = mintToken(ctx.world, callerFor(ctx.world, `principal://${root}/subject/${subject}`, sets));
  return {
    status: 200,
    body: { access_token: token, issued_token_type: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 3599 },
  };
};

export const handlers: Handler[] = [exchange];
