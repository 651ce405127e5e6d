// `npm run demo`: starts the emulator on a world with two IAM gaps and runs the bundled
// action twice on pull request #7, the way the GitHub runner does: first `iam: check`
// (the step fails with annotations on the workflow lines, a summary and a PR comment), then
// `iam: fix` (the gaps are granted at the narrowest scope, the job is deployed and run, and
// the same PR comment is updated). It prints what a user would see on GitHub, and writes each
// run's job summary and comment to demo-out/ (`--html`: also as pages rendered the way GitHub
// renders them, Mermaid graph included, to open in a browser).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../test/emulator/server.ts';
import { ensureBuilt } from '../test/helpers/run-action.ts';
import { page } from './demo/render-html.ts';
import { DEMO_WORLD, demoRun } from './demo/runs.ts';

const OUT = fileURLToPath(new URL('../demo-out/', import.meta.url));
const HTML = process.argv.includes('--html');

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const rule = (title) => console.log(`\n${bold(`━━ ${title} ${'━'.repeat(Math.max(0, 70 - title.length))}`)}`);

/** Show the step log as the Actions UI does: workflow commands become readable lines. */
function showLog(stdout) {
  for (const line of stdout.split('\n')) {
    const cmd = /^::(error|warning|notice)( [^:]*)?::(.*)$/.exec(line);
    if (cmd) {
      const props = Object.fromEntries(
        (cmd[2] ?? '')
          .trim()
          .split(',')
          .filter(Boolean)
          .map((p) => p.split('=').map(decodeURIComponent)),
      );
      const where = props.file ? ` (${props.file}:${props.line})` : '';
      console.log(
        `  ${cmd[1].toUpperCase()}${where} ${props.title ?? ''}: ${decodeURIComponent(cmd[3]).replace(/\n/g, '\n    ')}`,
      );
    } else if (line.startsWith('::add-mask::') || line.startsWith('::debug::')) {
      // masks and debug lines are invisible in the Actions UI
    } else if (line.trim()) console.log(`  ${line}`);
  }
}

/** demo-out/run-N-{summary,comment}.md, and with --html the same as .html pages. */
function save(n, kind, markdown) {
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `run-${n}-${kind}`);
  writeFileSync(`${file}.md`, markdown);
  if (HTML) writeFileSync(`${file}.html`, page(markdown, { title: `Run ${n} ${kind}`, dir: OUT }));
  return `${file}.${HTML ? 'html' : 'md'}`;
}

async function step(emulator, n, title, iam) {
  rule(title);
  const result = await demoRun(emulator, iam);
  console.log(bold('Step log'));
  showLog(result.stdout);
  console.log(bold(`\nStep ${result.code === 0 ? 'succeeded' : `failed (exit ${result.code})`}. Outputs:`));
  for (const [k, v] of Object.entries(result.outputs))
    console.log(`  ${k} = ${v.length > 160 ? `${v.slice(0, 160)}…` : v}`);
  console.log(bold('\nJob summary (Markdown)'));
  console.log(result.summary.replace(/^/gm, '  '));
  const comments = emulator.world.github.comments[7] ?? [];
  console.log(
    bold(`\nPull request #7 has ${comments.length} comment(s) from the action; the sticky one reads:`),
  );
  const comment = comments.at(-1)?.body ?? '(none)';
  console.log(comment.replace(/^/gm, '  │ '));
  const files = [save(n, 'summary', result.summary), save(n, 'comment', comment)];
  console.log(bold(`\nWritten: ${files.join(', ')}`));
  return result;
}

ensureBuilt();
const emulator = await startEmulator({ scenario: DEMO_WORLD });
console.log(`Emulator (Google Cloud + GitHub) listening on ${emulator.url}`);
try {
  const check = await step(emulator, 1, 'Run 1 — iam: check (what is missing?)', 'check');
  const fix = await step(emulator, 2, 'Run 2 — iam: fix (grant, deploy, execute)', 'fix');
  rule('Result');
  console.log(
    `  run 1 exit ${check.code}, run 2 exit ${fix.code}; ${emulator.requestLog.length} API requests served`,
  );
  // What the README promises: the check run proves gaps missing and deploys nothing; the fix run
  // grants them, deploys and runs. Anything else is a broken demo, not a pass.
  const proven = JSON.parse(check.outputs.findings ?? '[]').filter((f) => f.status === 'missing').length;
  const broken = [
    check.code !== 1 && 'run 1 did not fail',
    check.outputs.iam_status !== 'missing' && `run 1 iam_status is ${check.outputs.iam_status}, not missing`,
    proven === 0 && 'run 1 proved no gap missing',
    check.outputs.job && 'run 1 deployed',
    fix.code !== 0 && 'run 2 failed',
    fix.outputs.iam_status !== 'fixed' && `run 2 iam_status is ${fix.outputs.iam_status}, not fixed`,
    fix.outputs.execution_status !== 'succeeded' && 'run 2 did not run the job to success',
  ].filter(Boolean);
  if (broken.length) {
    console.error(`The demo does not show what the README promises: ${broken.join('; ')}`);
    process.exitCode = 1;
  }
} finally {
  await emulator.stop();
}
