import { describe, expect, it } from 'vitest';
import { ROWS, requirementsFor, rowOf } from '../src/iam/requirements.ts';
import { plan } from './fixtures/config.ts';

describe('requirement rows', () => {
  it('each row declares a narrowest scope among the scopes where its permission counts', () => {
    for (const row of ROWS) {
      if (row.closedBy === 'none') continue;
      expect(row.narrowest, row.check).toBeDefined();
      expect(row.grantableAt, row.check).toContain(row.narrowest);
    }
    expect(new Set(ROWS.map((r) => r.check)).size).toBe(ROWS.length);
  });

  it('every requirement of a plan carries the facts of its row', () => {
    const reqs = requirementsFor(plan({ execute: true, jobExists: true }));
    for (const r of reqs) expect(r.row?.check).toBe(r.check);
    const run = reqs.find((r) => r.check === 'deployer-run');
    expect(run?.row?.grantableAt).toEqual(['job', 'project', 'folder', 'organization']);
  });

  it('rowOf answers from a finding check id, and nothing for an unknown one', () => {
    expect(rowOf('agent-connector')).toMatchObject({ narrowest: 'project', closedBy: 'admin' });
    expect(rowOf('no-such-check')).toBeUndefined();
  });
});
