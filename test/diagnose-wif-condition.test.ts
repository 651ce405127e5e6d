// The attribute-condition remedy extends the provider's condition, never replaces it: its
// command, run by bash against a stand-in gcloud that holds a current condition, writes
// "(current) || this repository" and then grants the repository workloadIdentityUser.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { diagnose } from '../src/diagnose/index.ts';
import type { Config } from '../src/model.ts';

const PROVIDER = 'projects/987654321098/locations/global/workloadIdentityPools/github/providers/actions';
const CURRENT = "assertion.repository == 'acme/old' && assertion.ref == 'refs/heads/main'";

it('the command reads the current condition and appends an || clause for this repository', () => {
  const sts = Object.assign(new Error('Request failed with status code 400'), {
    response: {
      status: 400,
      data: {
        error: 'unauthorized_client',
        error_description: 'The given credential is rejected by the attribute condition.',
      },
    },
  });
  const config = {
    workloadIdentityProvider: PROVIDER,
    impersonateServiceAccount: 'deployer@app-prod.iam.gserviceaccount.com',
  } as Config;
  const f = diagnose(sts, { stage: 'auth', config, repository: 'acme/new' });
  expect(f.check).toBe('wif-condition');
  expect(f.remedy).toContain('do not replace it');

  // A stand-in gcloud: `describe` prints the current condition, anything else logs its argv.
  const dir = mkdtempSync(join(tmpdir(), 'wif-cond-'));
  const log = join(dir, 'calls.jsonl');
  writeFileSync(
    join(dir, 'gcloud'),
    `#!/usr/bin/env node
const args = process.argv.slice(2);
if (args.includes('describe')) { console.log(${JSON.stringify(CURRENT)}); process.exit(0); }
require('node:fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify(args) + '\\n');
`,
  );
  chmodSync(join(dir, 'gcloud'), 0o755);
  execFileSync('bash', ['-euc', f.command ?? 'false'], {
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
  });
  const calls = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as string[]);
  expect(calls).toHaveLength(2);
  expect(calls[0]?.slice(0, 5)).toEqual([
    'iam',
    'workload-identity-pools',
    'providers',
    'update-oidc',
    'actions',
  ]);
  expect(calls[0]).toContain(`--attribute-condition=(${CURRENT}) || assertion.repository == 'acme/new'`);
  expect(calls[1]).toContain(
    '--member=principalSet://iam.googleapis.com/projects/987654321098/locations/global/workloadIdentityPools/github/attribute.repository/acme/new',
  );
  expect(calls[1]).toContain('--role=roles/iam.workloadIdentityUser');
});
