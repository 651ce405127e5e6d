// Its own module, so main.ts and index.ts can name it without loading the target pipeline.

/**
 * The step failed for a reason the report already carries (an annotation on the line that
 * caused it, the summary, the comment): index.ts fails the step without a second annotation,
 * and the message is one short line, not Google's message again.
 */
export class ReportedFailure extends Error {}
