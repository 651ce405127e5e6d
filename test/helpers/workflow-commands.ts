// What an attacker would put in a value to turn it into a workflow command on the runner's log
// (https://docs.github.com/actions/reference/workflow-commands-for-github-actions), and how the
// tests find lines that would run as one.

/** Texts that try every way a line can become a command: after LF, CR, CRLF, NEL, with indent, legacy ##[. */
export const HOSTILE_TEXTS: string[] = [
  'a\n::warning::INJECTED',
  'a\r::error title=INJECTED::x',
  'a\r\n::add-mask::INJECTED',
  '::stop-commands::INJECTED',
  'a\n  ::set-output name=INJECTED::1',
  'a\u0085::notice::INJECTED',
  'a\n##[error]INJECTED',
  'a\n::group::INJECTED\n::endgroup::',
  'x\u202eINJECTED\u202c',
  'a\u0000\u001b[31m::debug::INJECTED',
];

/** Lines that the runner would read as a workflow command (`::name ...::` or legacy `##[name]`). */
export function commandLines(output: string): string[] {
  return output.split(/\r?\n/).filter((l) => /^\s*::[A-Za-z-]+(?: [^:]*)?::/.test(l) || /^\s*##\[/.test(l));
}

/**
 * Lines where the text, not the action, started a command: every payload above puts INJECTED
 * right in the command it tries to start. (Commands the action issues carry a value's newlines
 * escaped as %0A, so such a line starts with the action's own command and message.)
 */
export function injectedCommands(output: string): string[] {
  const own = /^::(?:debug|warning|error|notice|add-mask)(?: [^:]*)?::/;
  return commandLines(output).filter(
    (l) =>
      /^\s*::[A-Za-z-]+(?: [^:]*)?::\s*INJECTED|^\s*::[A-Za-z-]+ [^:]*=INJECTED::|^\s*##\[/.test(l) ||
      !own.test(l),
  );
}
