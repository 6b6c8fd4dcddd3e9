// consoleExec against a real shell on a real pseudo-terminal (socat pty), set up like an OpenWRT x86
// serial line where two askfirst readers wait: each swallows one line before a shell starts
// (target/linux/x86/base-files/etc/inittab: ttyS0::askfirst and console::askfirst; procd inittab.c).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { consoleExec } from '../../lab/runtime/vm/qemu.ts';
import { missingTools } from '../../lab/runtime/tools.ts';
import { tmp } from './support.ts';

const missing = missingTools({ socat: 'socat', busybox: 'busybox-static' }).commands;
const skip = missing.length > 0 ? `needs ${missing.join(', ')}` : undefined;

async function fakeConsole(program: string): Promise<{ sock: string; proc: ChildProcess }> {
  const sock = join(tmp(), 'con.sock');
  const proc = spawn('socat', [`UNIX-LISTEN:${sock}`, `SYSTEM:${program},pty,stderr,setsid,ctty`], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
  return { sock, proc };
}

describe('consoleExec on a serial line with two askfirst readers', { skip }, () => {
  it('waits for a shell before sending the command, so no askfirst swallows it', async () => {
    const { sock, proc } = await fakeConsole('read a; read b; exec busybox sh');
    try {
      const r = await consoleExec(sock, 'echo hello; false', 10_000, 200);
      assert.equal(r.code, 1);
      assert.equal(r.output.trim(), 'hello');
    } finally {
      proc.kill();
    }
  });

  it('a command sent at once, as before, is swallowed there (why the ready phase exists)', async () => {
    const { sock, proc } = await fakeConsole('read a; read b; exec busybox sh');
    try {
      const said = await new Promise<string>((resolve) => {
        const c = connect(sock);
        let buf = '';
        c.on('connect', () => c.write('\necho "MARK""_END"\n'));
        c.on('data', (d) => { buf += d.toString(); });
        setTimeout(() => { c.destroy(); resolve(buf); }, 1500);
      });
      assert.doesNotMatch(said, /MARK_END/);
    } finally {
      proc.kill();
    }
  });

  it('works on a console whose shell is already there', async () => {
    const { sock, proc } = await fakeConsole('exec busybox sh');
    try {
      const r = await consoleExec(sock, 'echo a b', 10_000, 200);
      assert.deepEqual(r, { code: 0, output: 'a b\n' });
    } finally {
      proc.kill();
    }
  });

  it('names the missing shell when nothing ever answers (negative control)', async () => {
    const { sock, proc } = await fakeConsole('exec cat >/dev/null');
    try {
      await assert.rejects(consoleExec(sock, 'echo x', 1500, 200), /no shell answered on the console/);
    } finally {
      proc.kill();
    }
  });
});
