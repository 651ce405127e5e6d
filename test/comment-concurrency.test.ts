// The sticky PR comment when two runs on one pull request publish at the same moment (issue 16:
// about a third of concurrent pairs used to leave two comments). Both list, both find none, both
// create; each then lists again, and the one whose comment is not the oldest removes its own and
// writes into the oldest. Real HTTP against the emulator's GitHub REST endpoints, with latency so
// the two runs interleave.
import { describe, expect, it } from 'vitest';
import { MARKER, upsertComment } from '../src/report/comment.ts';
import { useEmulator } from './helpers/emulator.ts';

const PAIRS = 30;
const emu = useEmulator({
  scenario: {
    latencyMs: 3,
    github: {
      repository: 'acme/app',
      pullRequests: Array.from({ length: PAIRS }, (_, i) => ({ number: 100 + i })),
      tokens: { ghs_write: 'write' },
    },
  },
});

describe('the sticky comment under concurrent runs', () => {
  it(`stays one comment in each of ${PAIRS} concurrent pairs, holding one run's report`, async () => {
    const api = `${emu().url}/_github/api`;
    const outcomes = await Promise.all(
      Array.from({ length: PAIRS }, async (_, i) => {
        const pr = { owner: 'acme', repo: 'app', number: 100 + i, fork: false };
        const [a, b] = await Promise.all([
          upsertComment(pr, () => `${MARKER}\nrun A`, 'ghs_write', api),
          upsertComment(pr, () => `${MARKER}\nrun B`, 'ghs_write', api),
        ]);
        return [a, b];
      }),
    );
    for (let i = 0; i < PAIRS; i++) {
      const ours = (emu().world.github.comments[100 + i] ?? []).filter((c) => c.body.includes(MARKER));
      expect(ours, `pair ${i}: ${JSON.stringify(outcomes[i])}`).toHaveLength(1);
      expect(ours[0]?.body).toMatch(/run [AB]$/);
    }
    // The race really happened: some pairs both created before either saw the other.
    const raced = outcomes.filter(([a, b]) => a === 'updated' || b === 'updated').length;
    expect(raced).toBeGreaterThan(0);
  }, 60_000);
});
