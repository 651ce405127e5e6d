// The token endpoints' answers, checked where they arrive (a gaxios interceptor on the transports
// google-auth-library uses for STS and for impersonation): a token is masked the moment it
// exists, an answer that is not the promised message becomes one clear error, and no error ever
// carries an auth endpoint's body (it can hold a token, or quote the OIDC token back).
//
// Fields: STS ExchangeTokenResponse has access_token, token_type, issued_token_type, expires_in
// (https://googleapis.dev/ruby/google-apis-sts_v1/v0.34.0/Google/Apis/StsV1/GoogleIdentityStsV1ExchangeTokenResponse.html);
// iamcredentials GenerateAccessTokenResponse has accessToken and expireTime (gcloud's
// generated_clients/apis/iamcredentials/v1/iamcredentials_v1_messages.py).
import * as core from '@actions/core';
import type { AuthClient } from 'google-auth-library';
import {
  BAD_ANSWER,
  BadAnswer,
  type Decoder,
  decodeAnswer,
  isRecord,
  optional,
  record,
  required,
  shapeOf,
  text,
} from '../gcp/answer.ts';
import { serviceOfUrl } from '../gcp/services.ts';
import { guardTransport } from '../gcp/transport.ts';

type Transporter = AuthClient['transporter'];
export type Mask = (secret: string) => void;

const stsAnswer: Decoder<string> = (v, at) => {
  const o = record(v, at);
  // Masked before anything else is checked: a half-valid answer still carries a live token.
  const token = typeof o.access_token === 'string' && o.access_token ? o.access_token : undefined;
  if (token) maskNow(token);
  required(o, 'access_token', text, at);
  required(o, 'token_type', text, at);
  optional(o, 'expires_in', (x, where) => (typeof x === 'number' ? x : text(x, where)), at);
  return token as string;
};

const impersonationAnswer: Decoder<string> = (v, at) => {
  const o = record(v, at);
  const token = typeof o.accessToken === 'string' && o.accessToken ? o.accessToken : undefined;
  if (token) maskNow(token);
  required(o, 'accessToken', text, at);
  required(o, 'expireTime', text, at);
  return token as string;
};

let maskNow: Mask = (s) => core.setSecret(s);

/** Which token endpoint a URL is, if any. */
function endpointOf(url: string): 'sts' | 'impersonation' | undefined {
  const service = serviceOfUrl(url);
  if (service?.startsWith('sts.')) return 'sts';
  if (service?.startsWith('iamcredentials.') || /:generateAccessToken$/.test(safePath(url)))
    return 'impersonation';
  return undefined;
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

/** Check (and mask) a token endpoint's successful answer; other answers pass untouched. */
export function checkTokenAnswer(url: string, data: unknown): void {
  const kind = endpointOf(url);
  if (!kind) return;
  const service = serviceOfUrl(url) ?? 'the token endpoint';
  if (kind === 'sts') decodeAnswer(service, 'a token exchange answer', stsAnswer, data);
  else decodeAnswer(service, 'a GenerateAccessTokenResponse', impersonationAnswer, data);
}

/**
 * A token endpoint's failure, without its body unless that body is a JSON object (an OAuth error
 * or a google.rpc.Status, which diagnosis reads): text is never carried into a message.
 */
export function scrubTokenError(e: unknown): unknown {
  if (e instanceof BadAnswer) return e;
  if (!isRecord(e) || !isRecord(e.response) || !isRecord(e.config)) return e;
  const url = String(e.config.url ?? '');
  if (!endpointOf(url)) return e;
  const data = e.response.data;
  let parsed: unknown = data;
  if (typeof data === 'string') {
    try {
      parsed = JSON.parse(data);
    } catch {
      parsed = undefined;
    }
  }
  if (isRecord(parsed)) {
    e.response.data = parsed;
    return e;
  }
  const status = typeof e.response.status === 'number' ? e.response.status : 0;
  const service = serviceOfUrl(url) ?? 'the token endpoint';
  const err = new BadAnswer(
    service,
    `${service} answered HTTP ${status} with a body that is ${shapeOf(data)}`,
    status,
    BAD_ANSWER,
    e.response.headers,
  );
  Object.assign(err, { config: { url, ...(e.config.timeout ? { timeout: e.config.timeout } : {}) } });
  return err;
}

const guarded = new WeakSet<object>();

/**
 * Guard a transport that carries token requests: no redirect, answers checked, tokens masked,
 * bodies kept out of errors, and the library's own blind retries of token requests turned off:
 * credentials.ts retries the exchange itself, waiting as long as a Retry-After asks.
 */
export function guardTokenTransport(transporter: Transporter | undefined, mask?: Mask): void {
  if (mask) maskNow = mask;
  if (!transporter || guarded.has(transporter)) return;
  guarded.add(transporter);
  guardTransport(transporter);
  transporter.interceptors.request.add({
    resolved: async (config) => {
      if (endpointOf(String(config.url ?? ''))) {
        // gaxios retries when retryConfig is set whatever `retry` says; retry 0 ends that.
        config.retry = false;
        config.retryConfig = { ...config.retryConfig, retry: 0, noResponseRetries: 0 };
      }
      return config;
    },
  });
  transporter.interceptors.response.add({
    resolved: async (res) => {
      const url = String(res.config.url ?? '');
      try {
        checkTokenAnswer(url, res.data);
      } catch (e) {
        // Where it went (describeAuthStep names the hop from it), never what came back.
        if (e instanceof BadAnswer) Object.assign(e, { config: { url } });
        throw e;
      }
      return res;
    },
    rejected: async (e: unknown) => {
      throw scrubTokenError(e);
    },
  });
}
