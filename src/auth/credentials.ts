// Credentials for every Google call: workload identity federation (GitHub OIDC token -> STS ->
// optional generateAccessToken) through google-auth-library's IdentityPoolClient, or the
// Application Default Credentials a previous google-github-actions/auth step set up. The first
// access token is fetched here, so an auth failure is reported as one, and every token is
// masked in the log the moment it exists.
import * as core from '@actions/core';
import { type AuthClient, GoogleAuth, IdentityPoolClient } from 'google-auth-library';
import { StepError } from '../gcp/errors.ts';
import { isTransient, withRetry } from '../gcp/retry.ts';
import { scaled, withTimeout } from '../gcp/timeout.ts';
import type { Config } from '../model.ts';
import { attribute } from './attribution.ts';
import { guardTokenTransport } from './auth-answers.ts';
import { CLOUD_PLATFORM_SCOPE, type Env } from './endpoints.ts';
import { exchangeKey, exchangeParams, type PrefetchedExchange } from './exchange-prefetch.ts';
import { forkPullRequestHead } from './github-event.ts';
import { githubIdToken } from './oidc.ts';
import { replayAnswers } from './replay.ts';

export interface Authenticated {
  client: AuthClient;
  /** Who the action calls Google as: an email, or a principal:// identifier, when known. */
  principal?: string;
}

/** GitHub OIDC tokens; injectable so the same flow runs outside a runner in tests. */
export type IdTokenSource = (audience: string) => Promise<string>;

const ID_TOKEN_TIMEOUT_MS = scaled(60_000);
const AUTH_TIMEOUT_MS = scaled(120_000);
const REQUEST_TIMEOUT_MS = scaled(30_000);
/** Requests the auth library makes with its own transport (impersonation, ADC refresh). */
const transporterOptions = { timeout: REQUEST_TIMEOUT_MS };

/**
 * The library's STS exchange goes through a transport of its own, built without options: give
 * it the same request timeout, so an unanswered exchange fails and closes its socket instead of
 * keeping the process alive after the step has already failed.
 */
class BoundedIdentityPoolClient extends IdentityPoolClient {
  constructor(options: ConstructorParameters<typeof IdentityPoolClient>[0]) {
    super(options);
    const sts = this.stsCredential as unknown as { transporter?: AuthClient['transporter'] };
    if (sts.transporter?.defaults) sts.transporter.defaults.timeout = REQUEST_TIMEOUT_MS;
    // Both hops (STS, impersonation): no redirect followed, answers decoded, tokens masked at once.
    guardTokenTransport(sts.transporter);
    guardTokenTransport(this.transporter);
  }
}

export interface AuthOptions {
  /** The job's project, already resolved: ADC then needs no project lookup of its own. */
  project?: string;
  getIdToken?: IdTokenSource;
  /** The exchange the entry point started (exchange-prefetch.ts), used when made for these credentials. */
  prefetched?: Promise<PrefetchedExchange | undefined>;
}

export async function authenticate(
  config: Config,
  env: Env,
  options: AuthOptions = {},
): Promise<Authenticated> {
  const getIdToken = options.getIdToken ?? ((aud: string) => githubIdToken(aud, env));
  const source = config.workloadIdentityProvider
    ? workloadIdentity(config, config.workloadIdentityProvider, env, getIdToken, forkPullRequestHead(env))
    : await applicationDefault(config, options.project);
  const { client } = source;
  guardTokenTransport(client.transporter);
  if (config.workloadIdentityProvider && options.prefetched) {
    const early = await options.prefetched;
    // Its answers stand in for the network on the library's first exchange below.
    if (early && early.key === exchangeKey(paramsOf(config, config.workloadIdentityProvider, env)))
      replayAnswers(client, early.answers);
  }
  // Before the first request: the token exchange itself carries the User-Agent and reason.
  attribute(client, config.requestReason);
  // Refreshed tokens are masked too (a long execution wait can outlive the first token).
  client.on('tokens', (t) => {
    if (t.access_token) core.setSecret(t.access_token);
  });
  try {
    // The whole exchange (OIDC token, STS, impersonation) is bounded: the library's STS request
    // takes no timeout of its own.
    const { token } = await withTimeout(
      // Retried here, not by the library: a 429/5xx or an unreadable answer is asked again after
      // the wait a Retry-After names (withRetry; within the step's bounds).
      // (The OIDC token's own failures are StepErrors, already retried by oidc.ts: not again here.)
      withRetry(() => client.getAccessToken(), {
        attempts: 4,
        retryable: (e) => !(e instanceof StepError) && isTransient(e),
      }),
      AUTH_TIMEOUT_MS,
      'obtain an access token',
      config.workloadIdentityProvider ? 'sts.googleapis.com' : 'the credentials provider',
    );
    if (!token) throw new Error('the credentials produced no access token');
    core.setSecret(token);
  } catch (e) {
    if (e instanceof StepError) throw e;
    throw new StepError(describeAuthStep(config, e), e);
  }
  const result: Authenticated = { client };
  const principal = source.principal();
  if (principal) result.principal = principal;
  return result;
}

/** A client plus who it is, which for direct federation is known only after the first token. */
interface Source {
  client: AuthClient;
  principal: () => string | undefined;
}

function paramsOf(config: Config, provider: string, env: Env) {
  return exchangeParams(
    provider,
    config.universe,
    env,
    config.impersonateServiceAccount,
    config.requestReason,
  );
}

/** Which hop of the exchange failed, from the URL the failing request went to. */
function describeAuthStep(config: Config, e: unknown): string {
  const url = String((e as { config?: { url?: unknown } } | undefined)?.config?.url ?? '');
  if (config.impersonateServiceAccount && url.includes(':generateAccessToken'))
    return `impersonate service account ${config.impersonateServiceAccount}`;
  if (config.workloadIdentityProvider)
    return `exchange the GitHub OIDC token with workload identity provider ${config.workloadIdentityProvider}`;
  return 'get an access token from Application Default Credentials';
}

function workloadIdentity(
  config: Config,
  provider: string,
  env: Env,
  getIdToken: IdTokenSource,
  forkHead: string | undefined,
): Source {
  const universe = config.universe;
  const params = paramsOf(config, provider, env);
  let subject: string | undefined;
  const client = new BoundedIdentityPoolClient({
    transporterOptions,
    type: 'external_account',
    // STS audience is the provider's full resource name; the OIDC token's audience is its URL form.
    audience: params.audience,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: params.tokenUrl,
    universe_domain: universe,
    subject_token_supplier: {
      getSubjectToken: async () => {
        const token = await fetchIdToken(getIdToken, `https://iam.${universe}/${provider}`, forkHead);
        subject ??= jwtSubject(token);
        return token;
      },
    },
    ...(params.impersonationUrl ? { service_account_impersonation_url: params.impersonationUrl } : {}),
  });
  client.scopes = [CLOUD_PLATFORM_SCOPE];
  const impersonated = config.impersonateServiceAccount;
  // Without impersonation the caller is the federated principal; google.subject maps from
  // assertion.sub in the usual provider setup.
  return { client, principal: () => impersonated ?? (subject ? principalOf(provider, subject) : undefined) };
}

async function fetchIdToken(
  getIdToken: IdTokenSource,
  audience: string,
  forkHead: string | undefined,
): Promise<string> {
  try {
    const token = await withTimeout(
      getIdToken(audience),
      ID_TOKEN_TIMEOUT_MS,
      'get a GitHub OIDC token',
      'GitHub',
    );
    core.setSecret(token);
    return token;
  } catch (e) {
    // A fork's pull request never gets one, whatever the permissions say: name that cause.
    if (forkHead)
      throw new StepError(
        `get a GitHub OIDC token: this run is a pull request from the fork ${forkHead}, and GitHub gives such runs no OIDC token`,
        e,
      );
    // Otherwise most often the workflow lacks `permissions: id-token: write`; diagnosis explains that.
    throw new StepError('get a GitHub OIDC token (the job needs permissions: id-token: write)', e);
  }
}

/** principal://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/subject/S */
function principalOf(provider: string, subject: string): string {
  const pool = provider.replace(/\/providers\/[^/]+$/, '');
  return `principal://iam.googleapis.com/${pool}/subject/${subject}`;
}

function jwtSubject(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      sub?: unknown;
    };
    return typeof payload.sub === 'string' ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}

async function applicationDefault(config: Config, project: string | undefined): Promise<Source> {
  const auth = new GoogleAuth({
    clientOptions: { transporterOptions },
    scopes: [CLOUD_PLATFORM_SCOPE],
    universeDomain: config.universe,
    // Without it, an external_account client looks its project up on Resource Manager v1.
    ...(project ? { projectId: project } : {}),
  });
  let client: AuthClient;
  try {
    client = await auth.getClient();
  } catch (e) {
    throw new StepError(
      'find Application Default Credentials (set workload_identity_provider, or run google-github-actions/auth first)',
      e,
    );
  }
  const email = await auth.getCredentials().then(
    (c) => c.client_email ?? undefined,
    () => undefined,
  );
  return { client, principal: () => email };
}
