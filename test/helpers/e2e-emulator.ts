// How the end-to-end files give the bundled action an emulator: the bundle built once for the
// file, then either an emulator per test (stopped after it) or one around a block of code.
import { afterEach, beforeAll } from 'vitest';
import { type Emulator, type StartOptions, startEmulator } from '../emulator/server.ts';
import { type ScenarioFile, scenarioInputs } from './iam-world.ts';
import { ensureBuilt, runAction } from './run-action.ts';

/**
 * Build the bundle before the file's tests; `start(scenario)` gives a test its emulator (of
 * `world()` when no scenario is given), stopped after the test.
 */
export function emulatorPerTest(
  world: () => StartOptions['scenario'],
): (scenario?: StartOptions['scenario']) => Promise<Emulator> {
  let emu: Emulator | undefined;
  beforeAll(() => ensureBuilt(), 120_000);
  afterEach(async () => {
    await emu?.stop();
    emu = undefined;
  });
  return async (scenario = world()) => {
    emu = await startEmulator({ scenario });
    return emu;
  };
}

/** Run `body` against an emulator of its own, stopped afterwards whatever happens. */
export async function withEmulator<T>(
  scenario: StartOptions['scenario'],
  body: (emu: Emulator) => Promise<T>,
): Promise<T> {
  const emu = await startEmulator({ scenario });
  try {
    return await body(emu);
  } finally {
    await emu.stop();
  }
}

/** Google API calls the action made (the GitHub OIDC endpoint excluded). */
export const googleCalls = (e: Emulator) => e.requestLog.filter((r) => !r.path.startsWith('/_github/'));

/** The bundled action on a library world: its files and its inputs plus `over`. */
export const runScenario = (emu: Emulator, s: ScenarioFile, over: Record<string, string>) =>
  runAction({ emulator: emu, files: s.expect.files ?? {}, inputs: scenarioInputs(s, over) });
