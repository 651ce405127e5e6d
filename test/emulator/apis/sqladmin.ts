// Cloud SQL Admin: instances.get (v1 and v1beta4 paths), as Cloud Run's Cloud SQL integration
// and the action's preflight read it. Errors as Cloud SQL words them (legacy `errors[]` with
// reasons notAuthorized / instanceDoesNotExist).
import { type Handler, HttpError, type WorldSqlInstance } from '../contract.ts';
import { route } from '../http.ts';
import { forService } from '../services.ts';
import { findSqlInstance } from '../world-connected.ts';
import { findProject } from '../world-index.ts';

const INSTANCE = /^\/(?:v1|sql\/v1beta4)\/projects\/([^/]+)\/instances\/([^/:]+)$/;

function sqlError(httpStatus: number, status: string, message: string, reason: string): HttpError {
  // Cloud SQL answers in the v1 style: a legacy errors[] entry carrying its own reason.
  const e = new HttpError(httpStatus, status, message, [], true);
  e.legacyReason = reason;
  return e;
}

export function sqlInstanceBody(i: WorldSqlInstance, projectId: string): Record<string, unknown> {
  const id = i.name.split('/').pop() ?? '';
  return {
    kind: 'sql#instance',
    name: id,
    project: projectId,
    region: i.region,
    databaseVersion: i.databaseVersion,
    connectionName: `${projectId}:${i.region}:${id}`,
    state: 'RUNNABLE',
    backendType: 'SECOND_GEN',
    instanceType: 'CLOUD_SQL_INSTANCE',
    selfLink: `https://sqladmin.googleapis.com/v1/projects/${projectId}/instances/${id}`,
  };
}

const getInstance: Handler = (req, ctx) => {
  const m = route(req, 'GET', INSTANCE);
  if (!m) return undefined;
  const [project = '', instance = ''] = m;
  ctx.requireCaller();
  const p = findProject(ctx.world, project);
  if (!p || !ctx.can('cloudsql.instances.get', `projects/${p.id}`))
    throw sqlError(
      403,
      'PERMISSION_DENIED',
      'The client is not authorized to make this request.',
      'notAuthorized',
    );
  const found = findSqlInstance(ctx.world, `projects/${p.id}/instances/${instance}`);
  if (!found)
    throw sqlError(404, 'NOT_FOUND', 'The Cloud SQL instance does not exist.', 'instanceDoesNotExist');
  return { status: 200, body: sqlInstanceBody(found, p.id) };
};

// Gated like every API: with sqladmin disabled in the consumer project, instances.get answers
// SERVICE_DISABLED before any permission or existence check.
export const handlers: Handler[] = forService('sqladmin.googleapis.com', [getInstance]);
