// Artifact Registry v1: repositories (get, IAM with GET getIamPolicy), their docker images,
// packages and tags; lists page with pageSize/pageToken.
import { type Guard, guard, iamMethods } from '../access.ts';
import type { Ctx, Handler, WorldRepository } from '../contract.ts';
import { route } from '../http.ts';
import { imageDigest } from '../images.ts';
import { listBody, paginate } from '../paging.ts';
import { forService } from '../services.ts';
import { findProject, findRepository, repositoryParts } from '../world-index.ts';

const STAMP = '2024-06-01T12:00:00.000000Z';
const REPO = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/:]+)$/;

function target(ctx: Ctx, [project = '', location = '', repo = '']: string[]) {
  const id = findProject(ctx.world, project)?.id ?? project;
  const resource = `projects/${id}/locations/${location}/repositories/${repo}`;
  const g: Guard = {
    domain: 'artifactregistry.googleapis.com',
    denied: (p) => `Permission '${p}' denied on resource '${resource}' (or it may not exist).`,
    notFound: `Requested entity was not found.`,
  };
  return { g, resource, repo: findRepository(ctx.world, project, location, repo) };
}

const getRepository: Handler = (req, ctx) => {
  const m = route(req, 'GET', REPO);
  if (!m) return undefined;
  const { g, resource, repo } = target(ctx, m);
  guard(ctx, 'artifactregistry.repositories.get', resource, repo !== undefined, g);
  const r = repo as WorldRepository;
  return {
    status: 200,
    body: {
      name: r.name,
      format: r.format,
      mode: 'STANDARD_REPOSITORY',
      createTime: STAMP,
      updateTime: STAMP,
      sizeBytes: String(Object.keys(r.images).length * 52_428_800),
    },
  };
};

function dockerImage(r: WorldRepository, path: string, tags: string[]) {
  const { project, location, repository } = repositoryParts(r);
  const digest = imageDigest(r.name, path);
  return {
    name: `${r.name}/dockerImages/${encodeURIComponent(path)}@${digest}`,
    uri: `${location}-docker.pkg.dev/${project}/${repository}/${path}@${digest}`,
    tags,
    imageSizeBytes: '52428800',
    uploadTime: STAMP,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    buildTime: STAMP,
    updateTime: STAMP,
  };
}

const listDockerImages: Handler = (req, ctx) => {
  const m = route(
    req,
    'GET',
    /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/:]+)\/dockerImages$/,
  );
  if (!m) return undefined;
  const { g, resource, repo } = target(ctx, m);
  guard(ctx, 'artifactregistry.dockerimages.list', resource, repo !== undefined, g);
  const r = repo as WorldRepository;
  const dockerImages = Object.entries(r.images).map(([path, tags]) => dockerImage(r, path, tags));
  return { status: 200, body: listBody('dockerImages', paginate(dockerImages, req.query, req.path)) };
};

const getDockerImage: Handler = (req, ctx) => {
  const m = route(
    req,
    'GET',
    /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/:]+)\/dockerImages\/(.+)$/,
  );
  if (!m) return undefined;
  const { g, resource, repo } = target(ctx, m);
  const [path = '', digest = ''] = (m[3] ?? '').split('@');
  const tags = repo?.images[path];
  const exists = repo !== undefined && tags !== undefined && digest === imageDigest(repo.name, path);
  guard(ctx, 'artifactregistry.dockerimages.get', resource, exists, g);
  return { status: 200, body: dockerImage(repo as WorldRepository, path, tags as string[]) };
};

// A package is an image path; its id in resource names escapes the slashes (payments%2Fworker).
function packageOf(r: WorldRepository, path: string) {
  return {
    name: `${r.name}/packages/${encodeURIComponent(path)}`,
    displayName: path,
    createTime: STAMP,
    updateTime: STAMP,
  };
}

const PACKAGES = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/:]+)\/packages/;

const listPackages: Handler = (req, ctx) => {
  const m = route(req, 'GET', new RegExp(`${PACKAGES.source}$`));
  if (!m) return undefined;
  const { g, resource, repo } = target(ctx, m);
  guard(ctx, 'artifactregistry.packages.list', resource, repo !== undefined, g);
  const r = repo as WorldRepository;
  const packages = Object.keys(r.images).map((path) => packageOf(r, path));
  return { status: 200, body: listBody('packages', paginate(packages, req.query, req.path)) };
};

/** packages.get and tags.list: the package must exist in the repository. */
const packageRoutes: Handler = (req, ctx) => {
  const m = route(req, 'GET', new RegExp(`${PACKAGES.source}\\/([^/:]+)(\\/tags)?$`));
  if (!m) return undefined;
  const { g, resource, repo } = target(ctx, m);
  const path = m[3] ?? '';
  const tags = repo?.images[path];
  const permission = m[4] ? 'artifactregistry.tags.list' : 'artifactregistry.packages.get';
  guard(ctx, permission, resource, tags !== undefined, g);
  const r = repo as WorldRepository;
  if (!m[4]) return { status: 200, body: packageOf(r, path) };
  const version = `${r.name}/packages/${encodeURIComponent(path)}/versions/${imageDigest(r.name, path)}`;
  const all = (tags as string[]).map((t) => ({
    name: `${r.name}/packages/${encodeURIComponent(path)}/tags/${t}`,
    version,
  }));
  return { status: 200, body: listBody('tags', paginate(all, req.query, req.path)) };
};

const repoIam = iamMethods(REPO, 'GET', (ctx, m) => {
  const { g, resource, repo } = target(ctx, m);
  return {
    ...g,
    resource,
    holder: repo,
    getPermission: 'artifactregistry.repositories.getIamPolicy',
    setPermission: 'artifactregistry.repositories.setIamPolicy',
  };
});

export const handlers: Handler[] = forService('artifactregistry.googleapis.com', [
  getRepository,
  listDockerImages,
  getDockerImage,
  listPackages,
  packageRoutes,
  ...repoIam,
]);
