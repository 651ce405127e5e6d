// Hands the entry point's recorded token-exchange answers (exchange-prefetch.ts) to
// google-auth-library: for the first request of each (same method, same URL), a request
// interceptor sets gaxios' `adapter` (GaxiosOptions.adapter: "a custom adapter, given the
// default one") to gaxios' own default adapter with a fetch that answers with the recorded
// status, headers and body. Everything after the fetch is the library's and ours as usual: the
// status check and its GaxiosError, the answer decoders and the tokens' mask (auth-answers.ts),
// the redirect refusal (transport.ts), the library's token cache. Each answer is used once; any
// other request goes to the network. An answer still on its way is waited for, so the library
// reads the first while the second is in flight.
import type { AuthClient } from 'google-auth-library';
import { responseOf } from '../gcp/http-fetch.ts';
import { type Prepared, transportsOf } from './attribution.ts';
import type { PendingAnswer } from './exchange-prefetch.ts';
import type { RecordedAnswer } from './prefetch-http.ts';

type DefaultAdapter = (options: Prepared & { fetchImplementation?: unknown }) => Promise<unknown>;

/** A fetch that answers once with `answer`, as fetch would have. */
function recordedFetch(answer: RecordedAnswer): () => Promise<Response> {
  return async () => responseOf(answer.status, answer.body, { headers: answer.headers });
}

/** A Response cannot carry a status outside 200-599: such an answer is asked for again. */
const replayable = (a: RecordedAnswer | undefined): a is RecordedAnswer =>
  a !== undefined && a.status >= 200 && a.status <= 599;

/**
 * Make `client` take `answers` for its matching requests, each once. An answer still on its way
 * is waited for; one that never came (or cannot be replayed) lets the request go to the network.
 */
export function replayAnswers(client: AuthClient, answers: readonly PendingAnswer[]): void {
  const pending = [...answers];
  if (pending.length === 0) return;
  for (const transport of new Set(transportsOf(client)))
    transport.interceptors.request.add({
      resolved: async (config) => {
        const method = (config.method ?? 'GET').toUpperCase();
        const url = String(config.url ?? '');
        const i = pending.findIndex((a) => a.method === method && a.url === url);
        const match = i >= 0 ? pending.splice(i, 1)[0] : undefined;
        if (match)
          config.adapter = async (options: Prepared, fallback: DefaultAdapter) => {
            const answer = await match.answer;
            return replayable(answer)
              ? fallback({ ...options, fetchImplementation: recordedFetch(answer) })
              : fallback(options);
          };
        return config;
      },
    });
}
