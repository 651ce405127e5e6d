// Which service a request went to, from its URL, for messages such as "no answer from
// run.googleapis.com after 30 s". Google hosts name themselves; an endpoint override (an
// emulator, a private endpoint) is recognised by the API paths each service uses.

const BY_PATH: Array<[RegExp, string]> = [
  [/\/_github\/|^\/repos\/|\/oidc\/|idtoken|ACTIONS_ID_TOKEN/i, 'GitHub'],
  [/^\/v1\/token$/, 'sts.googleapis.com'],
  [/:generateAccessToken$/, 'iamcredentials.googleapis.com'],
  [
    /^\/apis\/run\.googleapis\.com\/|^\/v2\/projects\/[^/]+\/locations\/[^/]+\/(?:jobs|operations)/,
    'run.googleapis.com',
  ],
  [/^\/storage\/v1\//, 'storage.googleapis.com'],
  [/^\/compute\/v1\//, 'compute.googleapis.com'],
  [/\/keyRings\/[^/]+\/cryptoKeys\//, 'cloudkms.googleapis.com'],
  [/^\/v2\/entries:list$/, 'logging.googleapis.com'],
  [/^\/v3\/iam:troubleshoot$/, 'policytroubleshooter.googleapis.com'],
  [/^\/v1\/projects\/[^/]+\/instances\//, 'sqladmin.googleapis.com'],
  [/\/connectors\//, 'vpcaccess.googleapis.com'],
  [/^\/v1\/projects\/[^/]+\/services\/[^/]+$/, 'serviceusage.googleapis.com'],
  [/^\/v2\/policies\//, 'iam.googleapis.com'],
  [/\/repositories\//, 'artifactregistry.googleapis.com'],
  [/\/secrets\//, 'secretmanager.googleapis.com'],
  [/\/policies\/|:getEffectivePolicy/, 'orgpolicy.googleapis.com'],
  [/\/serviceAccounts\/|^\/v1\/(?:projects\/[^/]+\/|organizations\/[^/]+\/)?roles\//, 'iam.googleapis.com'],
  // Cloud Scheduler v1 (Cloud Run's v1 job IAM paths, with their :getIamPolicy verbs, are not these).
  [
    /^\/v1\/projects\/[^/]+\/locations(?:\/[^/]+(?:\/jobs(?:\/[^/:]+(?::(?:pause|resume|run))?)?)?)?$/,
    'cloudscheduler.googleapis.com',
  ],
  [/^\/v[13]\/(?:projects|folders|organizations)\//, 'cloudresourcemanager.googleapis.com'],
];

export function serviceOfUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.hostname === 'api.github.com' || u.hostname.endsWith('.actions.githubusercontent.com'))
    return 'GitHub';
  // https://run.googleapis.com/, https://us-central1-run.googleapis.com/ (v1 regional hosts).
  const google = /^(?:[a-z0-9]+-)*?([a-z]+)\.(googleapis\.com|[a-z0-9.-]+\.goog)$/.exec(u.hostname);
  if (google) return `${google[1]}.${google[2]}`;
  return BY_PATH.find(([re]) => re.test(u.pathname))?.[1] ?? u.host;
}
