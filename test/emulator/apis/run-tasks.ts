// Cloud Run Admin v2: the tasks of an execution (list and get), with each task's last attempt
// (exit code and status), as recorded when the execution's tasks ended (../task-logs.ts).
import { type Handler, HttpError } from '../contract.ts';
import { route } from '../http.ts';
import { gate, jobName, jobRef } from '../run-model.ts';
import { forService } from '../services.ts';

const BASE = '^/v2/projects/([^/]+)/locations/([^/]+)/jobs/([^/:]+)/executions/([^/:]+)/tasks';
const TASKS = new RegExp(`${BASE}$`);
const TASK = new RegExp(`${BASE}/([^/:]+)$`);

const listTasks: Handler = (req, ctx) => {
  const g = route(req, 'GET', TASKS);
  if (!g) return undefined;
  const ref = jobRef(ctx.world, g[0] ?? '', g[1] ?? '', g[2] ?? '');
  const execution = `${jobName(ref)}/executions/${g[3] ?? ''}`;
  gate(ctx, 'run.tasks.list', ref, execution);
  if (!ctx.world.executions[execution])
    throw new HttpError(
      404,
      'NOT_FOUND',
      `Resource '${g[3]}' of kind 'EXECUTION' in region '${ref.location}' in project '${ref.projectId}' does not exist.`,
    );
  const tasks = ctx.world.connected.tasks[execution] ?? [];
  return { status: 200, body: tasks.length > 0 ? { tasks } : {} };
};

const getTask: Handler = (req, ctx) => {
  const g = route(req, 'GET', TASK);
  if (!g) return undefined;
  const ref = jobRef(ctx.world, g[0] ?? '', g[1] ?? '', g[2] ?? '');
  const execution = `${jobName(ref)}/executions/${g[3] ?? ''}`;
  const name = `${execution}/tasks/${g[4] ?? ''}`;
  gate(ctx, 'run.tasks.get', ref, name);
  const task = (ctx.world.connected.tasks[execution] ?? []).find((t) => t.name === name);
  if (!task)
    throw new HttpError(
      404,
      'NOT_FOUND',
      `Resource '${g[4]}' of kind 'TASK' in region '${ref.location}' in project '${ref.projectId}' does not exist.`,
    );
  return { status: 200, body: task };
};

export const handlers: Handler[] = forService('run.googleapis.com', [listTasks, getTask]);
