// Resource Manager v3 projects.get: project id -> number (cached per run; it never changes).
import { matching, record, required } from './answer.ts';
import { type ApiContext, read } from './clients.ts';
import { resourcePath, rest } from './rest.ts';

const numbers = new Map<string, Promise<string>>();

export function projectNumber(ctx: ApiContext, project: string): Promise<string> {
  if (/^\d+$/.test(project)) return Promise.resolve(project);
  const key = `${ctx.universe}/${project}`;
  let pending = numbers.get(key);
  if (!pending) {
    pending = lookup(ctx, project);
    numbers.set(key, pending);
    pending.catch(() => numbers.delete(key));
  }
  return pending;
}

async function lookup(ctx: ApiContext, project: string): Promise<string> {
  // Project.name is projects/NUMBER (gcloud's cloudresourcemanager/v3 messages); decoded inside
  // the read, so an answer that does not decode is asked again.
  const name = await read(ctx, `look up project ${project}`, () =>
    rest(ctx, 'cloudresourcemanager', `v3/${resourcePath(`projects/${project}`)}`, {
      what: 'a Project',
      decode: (v, at) => required(record(v, at), 'name', matching(/^projects\/\d+$/, 'projects/NUMBER'), at),
    }),
  );
  return name.slice('projects/'.length);
}
