// Input forms the entry point needs before the rest of the action has loaded (the OIDC token
// prefetch checks the provider and universe with them, the exchange prefetch the reason too);
// inputs.ts validates with the same ones.

export const WIF_PROVIDER =
  /^projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]+\/providers\/[a-z0-9-]+$/;
export const UNIVERSE = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/;

/** The provider input without the `//iam.DOMAIN/` prefix its full resource name may carry. */
export function providerName(raw: string): string {
  return raw.trim().replace(/^\/\/iam\.[^/]+\//, '');
}

/** An HTTP header value: printable ASCII, no line breaks (a bound keeps every request small). */
export const REQUEST_REASON = /^[\x20-\x7e]{1,512}$/;
