import { describe, expect, it } from 'vitest';
import { expiringWarning, expiryOf, lapsedAdvice, renewed } from '../src/iam/expiry.ts';
import type { Finding, Grant } from '../src/model.ts';

const NOW = new Date('2026-12-07T12:00:00Z');
const GRANT: Grant = {
  kind: 'serviceAccount',
  resource: 'projects/app/serviceAccounts/runtime@app.iam.gserviceaccount.com',
  role: 'roles/iam.serviceAccountUser',
  member: 'serviceAccount:deployer@app.iam.gserviceaccount.com',
};

describe('time-bound conditions', () => {
  it('finds the end of a request.time bound in either order, the earliest when there are several', () => {
    expect(expiryOf("request.time < timestamp('2027-01-01T00:00:00Z')")?.toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
    expect(
      expiryOf(
        `timestamp("2026-12-31T00:00:00Z") > request.time && request.time <= timestamp('2027-03-01T00:00:00Z')`,
      )?.toISOString(),
    ).toBe('2026-12-31T00:00:00.000Z');
    expect(expiryOf("resource.name.startsWith('projects/app')")).toBeUndefined();
  });

  it('renews with the same condition and a new end, keeping everything else', () => {
    const c = {
      expression: "request.time < timestamp('2025-01-01T00:00:00Z') && resource.type == 'x'",
      title: 'on-call',
    };
    expect(renewed(c, new Date('2027-03-07T12:00:00Z'))).toEqual({
      expression: "request.time < timestamp('2027-03-07T12:00:00Z') && resource.type == 'x'",
      title: 'on-call',
    });
  });

  it('a lapsed grant: its end in the evidence and two commands, renew then unconditional', () => {
    const advice = lapsedAdvice(
      [
        {
          resource: GRANT.resource,
          role: GRANT.role,
          condition: { expression: "request.time < timestamp('2025-01-01T00:00:00Z')", title: 'on-call' },
        },
      ],
      GRANT,
      NOW,
    );
    expect(advice?.evidence).toContain("(condition 'on-call') expired on 2025-01-01");
    expect(advice?.command.split('\n')).toEqual([
      "gcloud iam service-accounts add-iam-policy-binding runtime@app.iam.gserviceaccount.com --project=app --member=serviceAccount:deployer@app.iam.gserviceaccount.com --role=roles/iam.serviceAccountUser --condition='expression=request.time < timestamp('\\''2027-03-07T12:00:00Z'\\''),title=on-call'",
      'gcloud iam service-accounts add-iam-policy-binding runtime@app.iam.gserviceaccount.com --project=app --member=serviceAccount:deployer@app.iam.gserviceaccount.com --role=roles/iam.serviceAccountUser --condition=None',
    ]);
    expect(lapsedAdvice([], GRANT, NOW)).toBeUndefined();
  });

  it('warns about a satisfying grant ending within 30 days, not one ending later', () => {
    const base: Finding = {
      check: 'agent-image',
      status: 'satisfied',
      title: 'The agent can pull',
      evidence: '',
    };
    const soon = { expression: "request.time < timestamp('2026-12-17T12:00:00Z')", title: 'pull-until' };
    const w = expiringWarning(base, soon, 'roles/artifactregistry.reader', GRANT, NOW);
    expect(w).toMatchObject({
      status: 'warning',
      title: 'The agent can pull, but only until 2026-12-17 (10 days left)',
    });
    expect(w?.command).toContain("timestamp('\\''2027-03-17T12:00:00Z'\\'')");
    const later = { expression: "request.time < timestamp('2027-02-01T00:00:00Z')" };
    expect(expiringWarning(base, later, 'roles/x', GRANT, NOW)).toBeUndefined();
  });
});
