// Artifact Registry v1: repositories (get, IAM with GET getIamPolicy) and their docker images.
import { type Guard, guard, iamMethods } from '../access.ts';
import type { Ctx, Handler, WorldRepository } from '../contract.ts';
import { route } from '../http.ts';
import { imageDigest } from '../images.ts';
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
  return { status: 200, body: dockerImages.length > 0 ? { dockerImages } : {} };
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

export const handlers: Handler[] = [getRepository, listDockerImages, getDockerImage, ...repoIam];
