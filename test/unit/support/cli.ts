// Runs the real CLI (node bin/lab.mjs ...) in a child process.
import { execFile } from 'node:child_process';
import { labBin, repoRoot } from './paths.ts';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runLab(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [labBin, ...args], { cwd: repoRoot, timeout: 30_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
