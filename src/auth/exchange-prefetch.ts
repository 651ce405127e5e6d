// The rest of the federated exchange, started by the entry point too: once main.ts has found
// every input valid, STS's token exchange as soon as the prefetched GitHub OIDC token arrives,
// then (when the action impersonates a service account) IAM Credentials' generateAccessToken as
// soon as STS answers, each sent the moment the answer before it arrives, while the rest of the
// action is still loading. The requests are the ones google-auth-library's IdentityPoolClient
// sends (its stscredentials.js exchangeToken: the RFC 8693 form fields;
// baseexternalclient.js getImpersonatedAccessToken: `scope` and `lifetime` "3600s", its
// default), with the action's User-Agent and request reason.
//
// The answers are recorded as they came, not interpreted: credentials.ts lets the library make
// its exchange as always and hands it these answers for those two requests (replay.ts), so the
// library decodes them, masks the tokens, shapes a refusal into its error and diagnosis reads
// that, exactly as if it had asked itself; only sooner, and each request is sent once. They are
// used only when made for exactly the credentials the validated inputs describe (`exchangeKey`).
// A request that got no answer is not recorded: the library sends it itself.
import { REQUEST_REASON } from '../inputs/patterns.ts';
import { EMAIL } from '../job-rules/names.ts';
import { USER_AGENT } from './attribution.ts';
import { apiRoot, CLOUD_PLATFORM_SCOPE, type Env, stsTokenUrl } from './endpoints.ts';
import { expectedAudience } from './id-token-prefetch.ts';
import {
  type PrefetchHooks,
  type PrefetchRequest,
  prefetchAnswer,
  type RecordedAnswer,
} from './prefetch-http.ts';

/** What the exchange is made for: both sides derive it with exchangeParams. */
export interface ExchangeParams {
  /** The STS audience: the provider's full resource name, //iam.UNIVERSE/projects/…/providers/P. */
  audience: string;
  tokenUrl: string;
  impersonationUrl?: string;
  reason?: string;
}

/** A request the exchange made, and its answer once it came (undefined: none came). */
export interface PendingAnswer {
  method: string;
  url: string;
  answer: Promise<RecordedAnswer | undefined>;
}

export interface PrefetchedExchange {
  /** exchangeKey of the parameters it was made with. */
  key: string;
  /**
   * STS's answer, then generateAccessToken's request while it is still on its way: the library
   * reads STS's answer, and sends its impersonation request, during that round trip.
   */
  answers: PendingAnswer[];
}

const STS_FORM = {
  grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
  requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
};
/** generateAccessToken's lifetime when the configuration names none (google-auth-library's default). */
const LIFETIME = '3600s';

/** The exchange's endpoints and audience, from validated values: one derivation for both sides. */
export function exchangeParams(
  provider: string,
  universe: string,
  env: Env,
  impersonate?: string,
  reason?: string,
): ExchangeParams {
  const params: ExchangeParams = {
    audience: `//iam.${universe}/${provider}`,
    tokenUrl: stsTokenUrl(universe, env),
  };
  if (impersonate)
    params.impersonationUrl = `${apiRoot('iamcredentials', universe, env)}v1/projects/-/serviceAccounts/${impersonate}:generateAccessToken`;
  if (reason) params.reason = reason;
  return params;
}

export function exchangeKey(p: ExchangeParams): string {
  return JSON.stringify([p.audience, p.tokenUrl, p.impersonationUrl ?? '', p.reason ?? '']);
}

/** The parameters the raw inputs describe, each checked as inputs.ts checks it; undefined otherwise. */
export function paramsFromEnv(env: Env): ExchangeParams | undefined {
  const audience = expectedAudience(env);
  if (!audience) return undefined;
  const impersonate = env.INPUT_IMPERSONATE_SERVICE_ACCOUNT?.trim() ?? '';
  const reason = env.INPUT_REQUEST_REASON?.trim() ?? '';
  if ((impersonate && !EMAIL.test(impersonate)) || (reason && !REQUEST_REASON.test(reason))) return undefined;
  const [universe, provider] = /^https:\/\/iam\.([^/]+)\/(.+)$/.exec(audience)?.slice(1) ?? [];
  if (!universe || !provider) return undefined;
  return exchangeParams(provider, universe, env, impersonate || undefined, reason || undefined);
}

/** STS's access token from a 200 answer, to ask generateAccessToken with; the library decodes the rest. */
function stsToken(answer: RecordedAnswer): string | undefined {
  if (answer.status !== 200) return undefined;
  try {
    const token = (JSON.parse(answer.body) as { access_token?: unknown }).access_token;
    return typeof token === 'string' && token ? token : undefined;
  } catch {
    return undefined;
  }
}

type Send = (
  url: string,
  init: PrefetchRequest,
  hooks?: PrefetchHooks,
) => Promise<RecordedAnswer | undefined>;

/** At most this long waiting for the exchange's request to be on the wire (sent()). */
const SEND_WAIT_MS = 20;

/** The exchange the entry point prepares: it starts when allowed, and says when its request left. */
export interface ExchangePrefetch {
  answers: Promise<PrefetchedExchange | undefined>;
  /** true once every input is valid: the exchange may start; false: it never does. */
  allow: (valid: boolean) => void;
  /**
   * Resolves once STS's request is on the wire (or the exchange ended), so that compiling, which
   * blocks the one thread, never holds it back: the OIDC answer is awaited for up to `maxWaitMs`,
   * then 20 ms at most for the request to be flushed.
   */
  sent: (maxWaitMs: number) => Promise<void>;
}

/** Prepares the exchange from the prefetched OIDC token (prefetchExchange, once allowed). */
export function startExchange(
  params: ExchangeParams,
  idToken: Promise<string | undefined>,
  send: Send = prefetchAnswer,
): ExchangePrefetch {
  let allow: (valid: boolean) => void = () => undefined;
  const allowed = new Promise<boolean>((resolve) => {
    allow = resolve;
  });
  let flushed: () => void = () => undefined;
  const stsFlushed = new Promise<void>((resolve) => {
    flushed = resolve;
  });
  const answers = prefetchExchange(params, idToken, allowed, (url, init) =>
    send(url, init, url === params.tokenUrl ? { onSent: flushed } : {}),
  );
  void answers.finally(flushed);
  const within = (p: Promise<unknown>, ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      void p.finally(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  const sent = async (maxWaitMs: number) => {
    await within(idToken, maxWaitMs);
    await within(stsFlushed, SEND_WAIT_MS);
  };
  return { answers, allow, sent };
}

/**
 * Runs the exchange from the prefetched OIDC token once `inputsValid` says every input is valid
 * (nothing reaches Google for a run that inputs.ts refuses); undefined when it does not apply or
 * STS gave no answer. Resolves once STS has answered, generateAccessToken's answer pending.
 */
export async function prefetchExchange(
  params: ExchangeParams,
  idToken: Promise<string | undefined>,
  inputsValid: Promise<boolean>,
  send: Send = prefetchAnswer,
): Promise<PrefetchedExchange | undefined> {
  if (!(await inputsValid)) return undefined;
  const subject = await idToken;
  if (!subject) return undefined;
  const headers: Record<string, string> = {
    'user-agent': USER_AGENT,
    ...(params.reason ? { 'x-goog-request-reason': params.reason } : {}),
  };
  const form = new URLSearchParams({
    grant_type: STS_FORM.grant_type,
    audience: params.audience,
    scope: CLOUD_PLATFORM_SCOPE,
    requested_token_type: STS_FORM.requested_token_type,
    subject_token: subject,
    subject_token_type: STS_FORM.subject_token_type,
  });
  const sts = await send(params.tokenUrl, {
    method: 'POST',
    headers: {
      ...headers,
      'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
      accept: 'application/json',
    },
    body: form.toString(),
  });
  if (!sts) return undefined;
  const answered = (a: RecordedAnswer): PendingAnswer => ({
    method: a.method,
    url: a.url,
    answer: Promise.resolve(a),
  });
  const exchange: PrefetchedExchange = { key: exchangeKey(params), answers: [answered(sts)] };
  const token = stsToken(sts);
  if (!params.impersonationUrl || !token) return exchange;
  const impersonated = send(params.impersonationUrl, {
    method: 'POST',
    headers: {
      ...headers,
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ scope: [CLOUD_PLATFORM_SCOPE], lifetime: LIFETIME }),
  });
  exchange.answers.push({ method: 'POST', url: params.impersonationUrl, answer: impersonated });
  return exchange;
}
