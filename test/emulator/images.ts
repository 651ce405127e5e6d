// Container image URLs -> Artifact Registry repositories and images, and whether a principal
// may pull them (artifactregistry.repositories.downloadArtifacts on the repository).
import { createHash } from 'node:crypto';
import type { Caller, Ctx, World, WorldRepository } from './contract.ts';
import { findProject, findRepository } from './world-index.ts';

// gcr.io hosts are served by Artifact Registry repositories named after the host.
const GCR_LOCATION: Record<string, string> = {
  'gcr.io': 'us',
  'us.gcr.io': 'us',
  'eu.gcr.io': 'europe',
  'asia.gcr.io': 'asia',
};

export interface ImageLocation {
  project: string;
  location: string;
  repository: string;
  /** Path inside the repository, e.g. `app/worker`. */
  path: string;
  tag?: string;
  digest?: string;
}

export function parseImageUrl(url: string): ImageLocation | undefined {
  const m = /^([^/]+)\/([^/]+)\/(.+)$/.exec(url);
  if (!m) return undefined;
  const [, host = '', project = '', restAll = ''] = m;
  let location: string;
  let repository: string;
  let rest = restAll;
  const ar = /^([a-z0-9-]+)-docker\.pkg\.dev$/.exec(host);
  if (ar?.[1]) {
    location = ar[1];
    const slash = rest.indexOf('/');
    if (slash < 0) return undefined;
    repository = rest.slice(0, slash);
    rest = rest.slice(slash + 1);
  } else if (GCR_LOCATION[host]) {
    location = GCR_LOCATION[host];
    repository = host;
  } else {
    return undefined;
  }
  const out: ImageLocation = { project, location, repository, path: rest };
  const at = rest.indexOf('@');
  if (at >= 0) {
    out.path = rest.slice(0, at);
    out.digest = rest.slice(at + 1);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      out.path = rest.slice(0, colon);
      out.tag = rest.slice(colon + 1);
    }
  }
  return out;
}

/** The (single) digest the emulator gives an image path in a repository. */
export function imageDigest(repositoryName: string, path: string): string {
  return `sha256:${createHash('sha256').update(`${repositoryName}/${path}`).digest('hex')}`;
}

export function repositoryFor(world: World, loc: ImageLocation): WorldRepository | undefined {
  return findRepository(world, loc.project, loc.location, loc.repository);
}

export type ImageAccess = { ok: true } | { ok: false; reason: 'not_found' | 'denied'; message: string };

/** Can `who` pull `imageUrl`? Checks the repository, the permission, then the image and tag/digest. */
export function imageReadable(world: World, ctx: Ctx, imageUrl: string, who: Caller): ImageAccess {
  const loc = parseImageUrl(imageUrl);
  if (!loc)
    return {
      ok: false,
      reason: 'not_found',
      message: `Image '${imageUrl}' is not a valid Artifact Registry or gcr.io image URL.`,
    };
  const projectId = findProject(world, loc.project)?.id ?? loc.project;
  const repoName = `projects/${projectId}/locations/${loc.location}/repositories/${loc.repository}`;
  const repo = repositoryFor(world, loc);
  if (!ctx.can('artifactregistry.repositories.downloadArtifacts', repoName, who)) {
    return {
      ok: false,
      reason: 'denied',
      message: `Permission "artifactregistry.repositories.downloadArtifacts" denied on resource "${repoName}" (or it may not exist)`,
    };
  }
  const tags = repo?.images[loc.path];
  const found =
    repo !== undefined &&
    tags !== undefined &&
    (loc.digest !== undefined
      ? loc.digest === imageDigest(repo.name, loc.path)
      : tags.includes(loc.tag ?? 'latest'));
  if (!found) return { ok: false, reason: 'not_found', message: `Image '${imageUrl}' not found.` };
  return { ok: true };
}
