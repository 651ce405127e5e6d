// Where an image lives, from its URL alone (pure): the Artifact Registry repository the IAM
// checks must look at, or Container Registry's gcr.io hosts, which Artifact Registry now
// serves from repositories named after the host in the image's project.
import type { ImageRef } from '../model.ts';

/** gcr.io host -> Artifact Registry multi-region location of its gcr.io repository. */
const GCR_LOCATIONS: Record<string, string> = {
  'gcr.io': 'us',
  'us.gcr.io': 'us',
  'eu.gcr.io': 'europe',
  'asia.gcr.io': 'asia',
};

export function parseImage(url: string): ImageRef {
  let rest = url;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const [host = '', ...segments] = rest.split('/');
  const ref: ImageRef = { url, registry: 'other' };
  if (tag) ref.tag = tag;
  if (digest) ref.digest = digest;

  const ar = /^([a-z0-9-]+)-docker\.pkg\.dev$/.exec(host);
  if (ar?.[1] && segments.length >= 3) {
    const [project = '', repository = '', ...path] = segments;
    return {
      ...ref,
      registry: 'artifact-registry',
      project,
      location: ar[1],
      repository,
      repositoryName: `projects/${project}/locations/${ar[1]}/repositories/${repository}`,
      path: path.join('/'),
    };
  }
  const gcrLocation = GCR_LOCATIONS[host];
  if (gcrLocation && segments.length >= 2) {
    const [project = '', ...path] = segments;
    return {
      ...ref,
      registry: 'gcr',
      project,
      location: gcrLocation,
      repository: host,
      repositoryName: `projects/${project}/locations/${gcrLocation}/repositories/${host}`,
      path: path.join('/'),
    };
  }
  return ref;
}
