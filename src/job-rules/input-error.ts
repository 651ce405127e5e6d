// The one error every refused value becomes, whichever layer finds it (inputs, the job.yaml,
// the job's rules): the step reports it as an invalid input, naming the input or the
// job.yaml line. Neutral, so the inputs and the job layers both throw it without importing
// each other.
import type { SourceLocation } from '../model.ts';

/** Bad inputs, all of them; message is one line per problem. */
export class InputError extends Error {
  readonly problems: string[];
  /** The job.yaml line (or other file position) of the first problem, when one is known. */
  readonly location: SourceLocation | undefined;
  constructor(problems: string[], location?: SourceLocation) {
    super(problems.join('\n'));
    this.name = 'InputError';
    this.problems = problems;
    this.location = location;
  }
}
