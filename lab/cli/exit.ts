// Exit codes shared by every command: 0 all good, 1 an assertion failed, 2 bad input,
// 3 the machine lacks a tool or privilege.
export const EXIT = { ok: 0, assertionFailed: 1, badInput: 2, missingTool: 3 } as const;

/** The machine cannot run this: names what is missing and the command that installs it. */
export class MissingToolError extends Error {
  readonly install: string | undefined;
  constructor(message: string, install?: string) {
    super(message);
    this.name = 'MissingToolError';
    this.install = install;
  }
}
