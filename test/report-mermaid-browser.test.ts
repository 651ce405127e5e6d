// The "Who needs what" graph rendered by Mermaid 11 (the `mermaid` package, the major version
// github.com renders with) in headless Chromium, in GitHub's light and dark themes: a parse
// error, or a label that does not reach the SVG, fails the test. Needs Debian's chromium at
// /usr/bin/chromium (.ci/run installs it); without it the suite is skipped and says so.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../scripts/demo/chromium.ts';
import type { Finding } from '../src/model.ts';
import { renderMermaid } from '../src/report/mermaid.ts';
import { PLAN } from './fixtures/errors/plan.ts';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) console.warn(`SKIPPED: ${CHROMIUM} is not installed, so the Mermaid graph is not rendered.`);
const MERMAID = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');

const AGENT = `serviceAccount:${PLAN.serviceAgent}`;
const RUNTIME = `serviceAccount:${PLAN.serviceAccount}`;
const DEPLOYER = `serviceAccount:${PLAN.deployer}`;
const REPO = 'projects/shared-images/locations/europe-west1/repositories/containers';
const f = (status: Finding['status'], principal: string, role: string, resource: string): Finding => ({
  check: `c-${status}`,
  status,
  title: 't',
  evidence: 'e',
  principal,
  role,
  resource,
});

const graphs: Record<string, string | undefined> = {
  'one of each word': renderMermaid(
    [
      f(
        'satisfied',
        DEPLOYER,
        'roles/iam.serviceAccountUser',
        `projects/identity-hub/serviceAccounts/${PLAN.serviceAccount}`,
      ),
      f('missing', AGENT, 'roles/artifactregistry.reader', REPO),
      f('granted', RUNTIME, 'roles/secretmanager.secretAccessor', 'projects/app-prod/secrets/db-password'),
      f(
        'unverified',
        AGENT,
        'roles/iam.serviceAccountTokenCreator',
        `projects/identity-hub/serviceAccounts/${PLAN.serviceAccount}`,
      ),
      {
        check: 'orgpolicy-xproject',
        status: 'failed',
        title: 't',
        evidence: 'e',
        resource: 'projects/identity-hub',
      },
    ],
    PLAN,
  ),
  'hostile names': renderMermaid([
    f(
      'missing',
      'serviceAccount:a"]; click n0 "javascript:alert(1)" %%{init}%%@x.iam.gserviceaccount.com',
      'roles/x|y',
      'projects/p/secrets/<b>s</b>',
    ),
  ]),
};

describe.skipIf(!available)(`Mermaid in headless Chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);
  afterAll(async () => browser?.close());

  /** Parse and render in the page; resolves to the SVG's text, or throws Mermaid's error. */
  async function render(graph: string, theme: 'default' | 'dark'): Promise<string> {
    const page = await browser.newPage();
    try {
      await page.setContent('<!doctype html><html><body></body></html>');
      await page.addScriptTag({ path: MERMAID });
      const svg = await page.evaluate(
        async ({ graph, theme }) => {
          const m = (globalThis as unknown as { mermaid: typeof import('mermaid').default }).mermaid;
          m.initialize({ startOnLoad: false, theme, securityLevel: 'strict' });
          await m.parse(graph);
          return (await m.render('graph', graph)).svg;
        },
        { graph, theme },
      );
      await page.setContent(`<!doctype html><html><body>${svg}</body></html>`);
      return (await page.textContent('svg')) ?? '';
    } finally {
      await page.close();
    }
  }

  it('a broken graph fails (the check can fail)', async () => {
    await expect(render('flowchart LR\n  n0["a"] -->|"x| n1', 'default')).rejects.toThrow(
      /Parse error|Expecting/,
    );
  }, 30_000);

  for (const [name, graph] of Object.entries(graphs))
    for (const theme of ['default', 'dark'] as const)
      it(`renders "${name}" in the ${theme} theme`, async () => {
        expect(graph).toBeDefined();
        const text = await render(graph ?? '', theme);
        if (name === 'one of each word') {
          expect(text).toContain('Cloud Run service agent of app-prod');
          expect(text).toContain('runtime account runner@…');
          expect(text).toContain('artifactregistry.reader (missing)');
          expect(text).toContain('secretmanager.secretAccessor (fixed)');
        } else {
          expect(text).toContain('javascript:alert(1)'); // shown as text, inert
          expect(text).toContain('x|y (missing)');
        }
      }, 30_000);
});
