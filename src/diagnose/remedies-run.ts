// Remedies for what happens after the job exists: failed executions and job conditions,
// invalid inputs, and the catch-all that still shows the raw status and message.

import { shellQuote } from '../iam/commands.ts';
import type { Finding, Subject } from '../model.ts';
import { cmd, flag } from './remedy-parts.ts';

export function executionFailed(o: {
  evidence: string;
  execution: string | undefined;
  logUri: string | undefined;
  region: string | undefined;
  project: string | undefined;
}): Finding {
  const id = o.execution?.split('/').pop();
  const f: Finding = {
    check: 'execution-failed',
    status: 'failed',
    title: 'The job execution failed',
    evidence: o.logUri ? `${o.evidence} Logs: ${o.logUri}` : o.evidence,
    remedy: o.logUri
      ? `Read the task logs at ${o.logUri} for the failing exit code and fix the container or its arguments.`
      : 'Read the task logs of the execution for the failing exit code and fix the container or its arguments.',
    subject: 'execute',
  };
  if (o.execution) f.resource = o.execution;
  if (id) {
    f.command = cmd([
      'gcloud run jobs executions describe',
      shellQuote(id),
      o.region ? flag('region', o.region) : undefined,
      o.project ? flag('project', o.project) : undefined,
    ]);
  }
  return f;
}

/**
 * Cloud Run v1 found no namespace: the project the v1 API was called with (project_id, or
 * metadata.namespace in the job YAML) does not exist for Cloud Run in that region. gcloud words
 * it "Namespaces instance [P] not found", the API "Requested entity was not found."
 */
export function namespaceNotFound(o: {
  evidence: string;
  namespace: string | undefined;
  region: string | undefined;
}): Finding {
  const ns = o.namespace ?? 'PROJECT_ID';
  const region = o.region ?? 'REGION';
  const f: Finding = {
    check: 'job-namespace',
    status: 'failed',
    title: `Cloud Run has no namespace ${ns} in ${region}`,
    evidence: o.evidence,
    remedy:
      `Cloud Run v1 names the project as the namespace: check that project_id (or metadata.namespace in the job YAML) ` +
      `names an existing project, its id rather than a typo, and that region ${region} is a Cloud Run region ` +
      '(gcloud run regions list).',
    resource: `namespaces/${ns}`,
    command: cmd(['gcloud run jobs list', flag('project', ns), flag('region', region)]),
    subject: 'project_id',
  };
  return f;
}

export function invalidInput(o: { evidence: string; subject: Subject | undefined }): Finding {
  const f: Finding = {
    check: 'invalid-input',
    status: 'failed',
    title: 'Invalid input',
    evidence: o.evidence,
    remedy: 'Fix the input named in the message; nothing was changed in Google Cloud.',
  };
  if (o.subject) f.subject = o.subject;
  return f;
}

export function unknownFailure(o: {
  evidence: string;
  subject: Subject | undefined;
  condition?: boolean;
}): Finding {
  const f: Finding = {
    check: o.condition ? 'condition-failed' : 'unknown',
    status: 'failed',
    title: o.condition ? 'Cloud Run reported the job as not ready' : 'Unclassified failure',
    evidence: o.evidence,
    remedy: 'No known cause matched; the status and message above are exactly what the API returned.',
  };
  if (o.subject) f.subject = o.subject;
  return f;
}
