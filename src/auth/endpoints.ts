// Where each Google API lives. The `universe` input picks the domain; the
// GHA_ENDPOINT_OVERRIDE_<api> convention of the google-github-actions family replaces an
// API's endpoint entirely (tests point the action at the emulator this way). There the value
// includes the API's version path (`https://sts.example/v1`); a bare root (`https://sts.example`)
// is accepted too, so both forms name the same endpoint.

export type GoogleApi =
  | 'sts'
  | 'iamcredentials'
  | 'iam'
  | 'run'
  | 'cloudresourcemanager'
  | 'artifactregistry'
  | 'secretmanager'
  | 'orgpolicy'
  | 'policytroubleshooter'
  | 'compute'
  | 'storage'
  | 'cloudkms'
  | 'sqladmin'
  | 'vpcaccess'
  | 'serviceusage'
  | 'logging'
  | 'cloudscheduler';

export type Env = Readonly<Record<string, string | undefined>>;

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** A trailing API version segment: /v1, /v2, /v1beta1, /v2alpha (and trailing slashes). */
const VERSION_PATH = /\/v\d+(?:(?:alpha|beta)\d*)?\/*$/;

/** An override as a root URL: the family's version path dropped, since each call adds its own. */
export function overrideRoot(value: string): string {
  return withSlash(value.trim().replace(VERSION_PATH, ''));
}

/** Root URL (scheme, host, trailing slash) for an API, as googleapis' `rootUrl` takes it. */
export function apiRoot(api: GoogleApi, universe: string, env: Env = process.env): string {
  const override = env[`GHA_ENDPOINT_OVERRIDE_${api}`];
  if (override) return overrideRoot(override);
  return `https://${api}.${universe}/`;
}

/**
 * Cloud Run v1 (the Knative `namespaces` API `gcloud run jobs replace` uses) is only served
 * on regional hosts. An override wins as-is: an emulator serves every region on one host.
 */
export function runRegionalRoot(region: string, universe: string, env: Env = process.env): string {
  const override = env.GHA_ENDPOINT_OVERRIDE_run;
  if (override) return overrideRoot(override);
  return `https://${region}-run.${universe}/`;
}

/** STS token URL, as google-auth-library's external account config wants it. */
export function stsTokenUrl(universe: string, env: Env = process.env): string {
  return `${apiRoot('sts', universe, env)}v1/token`;
}

/** The scope every token the action obtains carries (Google's OAuth 2.0 scopes for Google APIs). */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
