// Policy Troubleshooter v3's UNKNOWN_CONDITIONAL and UNKNOWN_INFO, where Google returns them: a
// grant that hinges on a condition the sender gave no context for (request.receiveTime for
// request.time, conditionContext.resource for resource.*), and policies the sender cannot read.
import { describe, expect, it } from 'vitest';
import { emulatorJson, useEmulator } from './helpers/emulator.ts';
import { hasSchemas, schemaProblems } from './helpers/schema-check.ts';

const SECRET = 'projects/app/secrets/db';
const FULL = `//secretmanager.googleapis.com/${SECRET}`;
const emu = useEmulator({
  recordResponses: true,
  scenario: {
    projects: [
      {
        id: 'app',
        number: '111111111111',
        policy: {
          bindings: [
            // The repository's role data holds roles/owner's permissions (policy and deny reads).
            { role: 'roles/owner', members: ['user:auditor@acme.example'] },
            {
              role: 'roles/secretmanager.secretAccessor',
              members: ['user:oncall@acme.example'],
              condition: {
                title: 'until 2999',
                expression: "request.time < timestamp('2999-01-01T00:00:00Z')",
              },
            },
            {
              role: 'roles/secretmanager.secretAccessor',
              members: ['user:reader@acme.example'],
              condition: {
                title: 'db secrets',
                expression: "resource.name.startsWith('projects/111111111111/secrets/db')",
              },
            },
            { role: 'roles/secretmanager.secretAccessor', members: ['user:always@acme.example'] },
          ],
        },
      },
    ],
    secrets: [{ name: SECRET }],
    tokens: { 'auditor-token': 'user:auditor@acme.example', 'outsider-token': 'user:outsider@acme.example' },
  },
});

const troubleshoot = (token: string, principal: string, conditionContext?: unknown) =>
  emulatorJson(emu(), token, 'POST', '/v3/iam:troubleshoot', {
    accessTuple: {
      principal,
      fullResourceName: FULL,
      permission: 'secretmanager.versions.access',
      ...(conditionContext ? { conditionContext } : {}),
    },
  });

describe('Policy Troubleshooter v3: what the sender gave decides what is known', () => {
  it('a time-bound grant without request.receiveTime is UNKNOWN_CONDITIONAL; with it, GRANTED', async () => {
    const unknown = await troubleshoot('auditor-token', 'oncall@acme.example');
    expect(unknown.status).toBe(200);
    expect(unknown.body.allowPolicyExplanation.allowAccessState).toBe(
      'ALLOW_ACCESS_STATE_UNKNOWN_CONDITIONAL',
    );
    expect(unknown.body.overallAccessState).toBe('UNKNOWN_CONDITIONAL');
    const known = await troubleshoot('auditor-token', 'oncall@acme.example', {
      request: { receiveTime: '2026-06-01T00:00:00Z' },
    });
    expect(known.body.allowPolicyExplanation.allowAccessState).toBe('ALLOW_ACCESS_STATE_GRANTED');
    expect(known.body.overallAccessState).toBe('CAN_ACCESS');
  });

  it('a grant on resource.name needs conditionContext.resource', async () => {
    const unknown = await troubleshoot('auditor-token', 'reader@acme.example', {
      request: { receiveTime: '2026-06-01T00:00:00Z' },
    });
    expect(unknown.body.overallAccessState).toBe('UNKNOWN_CONDITIONAL');
    const known = await troubleshoot('auditor-token', 'reader@acme.example', {
      request: { receiveTime: '2026-06-01T00:00:00Z' },
      resource: {
        name: 'projects/111111111111/secrets/db',
        type: 'secretmanager.googleapis.com/Secret',
        service: 'secretmanager.googleapis.com',
      },
    });
    expect(known.body.overallAccessState).toBe('CAN_ACCESS');
  });

  it('an unconditional grant needs no context; no grant at all is CANNOT_ACCESS', async () => {
    expect((await troubleshoot('auditor-token', 'always@acme.example')).body.overallAccessState).toBe(
      'CAN_ACCESS',
    );
    const none = await troubleshoot('auditor-token', 'nobody@acme.example');
    expect(none.body.allowPolicyExplanation.allowAccessState).toBe('ALLOW_ACCESS_STATE_NOT_GRANTED');
    expect(none.body.overallAccessState).toBe('CANNOT_ACCESS');
  });

  it('a sender who cannot read the policies gets UNKNOWN_INFO, before any condition', async () => {
    const r = await troubleshoot('outsider-token', 'oncall@acme.example');
    expect(r.body.allowPolicyExplanation.allowAccessState).toBe('ALLOW_ACCESS_STATE_UNKNOWN_INFO');
    expect(r.body.denyPolicyExplanation.denyAccessState).toBe('DENY_ACCESS_STATE_UNKNOWN_INFO');
    expect(r.body.overallAccessState).toBe('UNKNOWN_INFO');
  });

  it.skipIf(!hasSchemas)("every answer decodes with gcloud's policytroubleshooter v3 classes", () => {
    const { checked, problems } = schemaProblems(emu().requestLog, /^\/v3\/iam:troubleshoot$/);
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(6);
  });
});
