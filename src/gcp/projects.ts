// Resource Manager v3 projects.get: project id -> number (cached per run; it never changes).
import { cloudresourcemanager_v3 } from '@googleapis/cloudresourcemanager/build/v3';
import { decodeAnswer, matching, record, required } from './answer.ts';
import { type ApiContext, callOptions, clientOptions, read } from './clients.ts';

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
  const crm = new cloudresourcemanager_v3.Cloudresourcemanager(clientOptions('cloudresourcemanager', ctx));
  // Project.name is projects/NUMBER (gcloud's cloudresourcemanager/v3 messages); decoded inside
  // the read, so an answer that does not decode is asked again.
  const name = await read(ctx, `look up project ${project}`, async () =>
    decodeAnswer(
      'cloudresourcemanager.googleapis.com',
      'a Project',
      (v, at) => required(record(v, at), 'name', matching(/^projects\/\d+$/, 'projects/NUMBER'), at),
      (await crm.projects.get({ name: `projects/${project}` }, callOptions)).data,
    ),
  );
  return name.slice('projects/'.length);
}
