// The command table `lab --help` prints without loading the command modules says what the modules
// themselves register.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Command } from 'commander';
import { COMMANDS, commandNamed } from '../../lab/cli/commands.ts';

it('the table lists every command each module registers, with its own description', async () => {
  for (const c of COMMANDS) {
    const program = new Command('lab');
    (await c.load())(program);
    const registered = program.commands.map((x) => [x.name(), x.description()]);
    assert.deepEqual(registered, c.commands, `the table and the module disagree: ${JSON.stringify(registered)}`);
  }
});

it('finds the module of a command from argv, and none for help or an unknown word', () => {
  assert.ok(commandNamed(['e2e', '-t', 'x.yaml'])?.commands.some(([n]) => n === 'e2e'));
  assert.ok(commandNamed(['help', 'down'])?.commands.some(([n]) => n === 'down'));
  assert.equal(commandNamed(['--help']), undefined);
  assert.equal(commandNamed(['bogus']), undefined);
});
