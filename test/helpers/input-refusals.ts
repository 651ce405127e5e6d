// What the inputs tests read from a refusal: the problems InputError lists, each naming its input.
import { InputError } from '../../src/inputs.ts';

/** The problems `run` is refused with; [] when it goes through. Any other error is rethrown. */
export function refusalOf(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  return [];
}

/** The problems `run` is refused with; it must be refused. */
export function problemsOf(run: () => unknown): string[] {
  let accepted = false;
  const problems = refusalOf(() => {
    run();
    accepted = true;
  });
  if (accepted) throw new Error('expected an InputError');
  return problems;
}
