// Lookups into the world by the many spellings real APIs accept (project id or number,
// service account email or unique id, `projects/-/...`), and each resource's IAM parent.
import type { World, WorldProject, WorldRepository, WorldSecret, WorldServiceAccount } from './contract.ts';

export function findProject(world: World, idOrNumber: string): WorldProject | undefined {
  return world.projects.find((p) => p.id === idOrNumber || p.number === idOrNumber);
}

export function findFolder(world: World, id: string) {
  return world.folders.find((f) => f.id === id);
}

export function findOrganization(world: World, id: string) {
  return world.organizations.find((o) => o.id === id);
}

/** `emailOrId` may be an email (any case) or the numeric unique id, as IAM accepts both. */
export function findServiceAccount(world: World, emailOrId: string): WorldServiceAccount | undefined {
  const key = emailOrId.toLowerCase();
  return world.serviceAccounts.find((sa) => sa.email.toLowerCase() === key || sa.uniqueId === emailOrId);
}

/** The project a service account email belongs to, derived from its domain when the account is unknown. */
export function projectOfEmail(world: World, email: string): string | undefined {
  const sa = findServiceAccount(world, email);
  if (sa) return sa.project;
  const m = /@([a-z0-9-]+)\.iam\.gserviceaccount\.com$/i.exec(email);
  if (m?.[1]) return m[1];
  const compute = /^(\d+)-compute@developer\.gserviceaccount\.com$/i.exec(email);
  if (compute?.[1]) return findProject(world, compute[1])?.id;
  return undefined;
}

/** Repository by full name; the project segment may be an id or a number. */
export function findRepository(world: World, project: string, location: string, repo: string) {
  const p = findProject(world, project);
  const id = p?.id ?? project;
  return world.repositories.find(
    (r) => r.name === `projects/${id}/locations/${location}/repositories/${repo}`,
  );
}

export function findSecret(world: World, project: string, secret: string): WorldSecret | undefined {
  const p = findProject(world, project);
  const id = p?.id ?? project;
  return world.secrets.find((s) => s.name === `projects/${id}/secrets/${secret}`);
}

export function repositoryParts(r: WorldRepository): {
  project: string;
  location: string;
  repository: string;
} {
  const [, project = '', , location = '', , repository = ''] = r.name.split('/');
  return { project, location, repository };
}
