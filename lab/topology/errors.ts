// Input errors: each names the field, what is wrong, and the fix. The CLI maps them to exit 2.

export interface InputIssue {
  field: string;
  problem: string;
  fix: string;
}

export class InputError extends Error {
  readonly issues: InputIssue[];
  constructor(issues: InputIssue[], source = 'topology') {
    super(
      `invalid ${source}:\n` + issues.map((i) => `  ${i.field}: ${i.problem}\n    fix: ${i.fix}`).join('\n'),
    );
    this.name = 'InputError';
    this.issues = issues;
  }
}
