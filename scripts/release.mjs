// `node scripts/release.mjs X.Y.Z [--push] [--remote origin] [--notes FILE]`
// Tags a release the way users of actions expect: an annotated vX.Y.Z that never moves, and
// the major tag vN moved to it (users who write @v1 get every compatible release). Refuses
// unless package.json has that version, CHANGELOG.md has its section, dist/ is tracked and the
// tag is new. .github/workflows/release.yml runs it after .ci/run; it works locally too
// (without --push nothing leaves the machine).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const git = (cwd, ...args) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

/** The CHANGELOG section of `version` (its text after the heading), or undefined. */
export function changelogSection(changelog, version) {
  const lines = changelog.split('\n');
  const escaped = version.replaceAll('.', '\\.');
  const start = lines.findIndex((l) => new RegExp(`^## \\[?v?${escaped}\\]?(?:\\s|$)`).test(l));
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join('\n')
    .trim();
}

export function release(cwd, version, options = {}) {
  if (!/^\d+\.\d+\.\d+$/.test(version))
    throw new Error(`version must be X.Y.Z, got ${JSON.stringify(version)}`);
  const pkg = JSON.parse(readFileSync(`${cwd}/package.json`, 'utf8'));
  if (pkg.version !== version)
    throw new Error(
      `package.json has version ${pkg.version}; set it to ${version} (the User-Agent carries it)`,
    );
  const notes = changelogSection(readFileSync(`${cwd}/CHANGELOG.md`, 'utf8'), version);
  if (!notes) throw new Error(`CHANGELOG.md has no "## [${version}]" section`);
  const tracked = git(cwd, 'ls-files', 'dist').split('\n');
  for (const f of ['dist/index.js', 'dist/licenses.txt'])
    if (!tracked.includes(f)) throw new Error(`${f} is not committed: run npm run build and commit dist/`);
  if (git(cwd, 'status', '--porcelain')) throw new Error('the working tree has uncommitted changes');
  const tag = `v${version}`;
  const major = `v${version.split('.')[0]}`;
  if (git(cwd, 'tag', '--list', tag)) throw new Error(`${tag} exists already: a release tag never moves`);
  git(cwd, 'tag', '-a', tag, '-m', `${tag}\n\n${notes}`);
  git(cwd, 'tag', '-f', '-a', major, '-m', `${major}: currently ${tag}`, `${tag}^{commit}`);
  if (options.push) {
    const remote = options.remote ?? 'origin';
    git(cwd, 'push', remote, `refs/tags/${tag}`);
    git(cwd, 'push', '--force', remote, `refs/tags/${major}`);
  }
  return { tag, major, notes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { push: { type: 'boolean' }, remote: { type: 'string' }, notes: { type: 'string' } },
  });
  try {
    const r = release(process.cwd(), positionals[0] ?? '', values);
    if (values.notes) writeFileSync(values.notes, `${r.notes}\n`);
    console.log(`tagged ${r.tag} and moved ${r.major} to it${values.push ? ', pushed' : ' (not pushed)'}`);
  } catch (e) {
    console.error(`release: ${e.message}`);
    process.exit(1);
  }
}
