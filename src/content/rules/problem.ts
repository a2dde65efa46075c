/** One thing wrong in the content: the file (relative to the content root), the place in it, what is wrong. */
export interface Problem {
  file: string;
  path: string;
  message: string;
}

/** Paths are written as zod writes them (`nodes.Q2.answers.ja`, `intents.4.examples.7`), so both kinds of problem read alike. */
export function at(file: string, path: ReadonlyArray<string | number>, message: string): Problem {
  return { file, path: path.join('.') || '(top)', message };
}

export function formatProblem(problem: Problem): string {
  return `${problem.file}: ${problem.path}: ${problem.message}`;
}

/** Shortened for a problem line: a quote or an example can run to several sentences. */
export function excerpt(text: string, max = 80): string {
  return `"${text.length > max ? `${text.slice(0, max - 1)}…` : text}"`;
}

export const FILES = {
  guide: 'dialogs/guide.yaml',
  messages: 'dialogs/messages.yaml',
  phrases: 'dialogs/phrases.yaml',
  handoff: 'dialogs/handoff.yaml',
  faq: 'intents/faq.yaml',
  outOfScope: 'intents/out-of-scope.yaml',
  followUps: 'intents/follow-ups.yaml',
  heldout: 'test/eval/heldout.yaml',
} as const;
