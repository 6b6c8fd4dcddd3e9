// The loss meter: its arithmetic on made-up logs, and its probe for real over loopback.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArrivals, parseSenderLog, summarizeFlow, type Arrival, type FlowSpec } from '../../lab/runtime/flows.ts';

const SPEC: FlowSpec = { id: 'a>b', from: 'a', to: 'b', toAddress: '10.244.1.2', pps: 100 };
const SENDER = { flow: 'a>b', sent: 100, startMs: 10_000, stopMs: 11_000, intervalMs: 10 };
const arrivals = (seqs: number[]): Arrival[] => seqs.map((seq) => ({ flow: 'a>b', seq, sentMs: 10_000 + seq * 10, recvMs: 10_000 + seq * 10 + 1 }));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('loss meter arithmetic', () => {
  it('a run of lost datagrams is one window, and the gap spans the arrivals around it', () => {
    const f = summarizeFlow(SPEC, SENDER, arrivals([...range(0, 40), ...range(60, 100)]), 10_300);
    assert.equal(f.sent, 100);
    assert.equal(f.lost, 20);
    assert.deepEqual(f.windows, [{ fromMs: 100, toMs: 300, lost: 20 }]);
    assert.equal(f.longestGapMs, 210); // arrival of 39 (10_391) to arrival of 60 (10_601)
  });

  it('negative control: nothing lost, no window, no gap', () => {
    const f = summarizeFlow(SPEC, SENDER, arrivals(range(0, 100)), 10_000);
    assert.equal(f.lost, 0);
    assert.deepEqual(f.windows, []);
    assert.equal(f.longestGapMs, 0);
  });

  it('a duplicate is not a received datagram twice, and other flows\' arrivals do not count', () => {
    const other = arrivals(range(0, 100)).map((a) => ({ ...a, flow: 'b>a' }));
    const f = summarizeFlow(SPEC, SENDER, [...arrivals([...range(0, 50), 10]), ...other], 10_000);
    assert.equal(f.received, 50);
    assert.equal(f.duplicates, 1);
    assert.equal(f.lost, 50);
    assert.deepEqual(f.windows, [{ fromMs: 500, toMs: 1000, lost: 50 }]);
    assert.equal(f.longestGapMs, 11_000 - 10_491); // until the sender stopped
  });

  it('reads the probes\' logs and refuses a sender log without a count', () => {
    assert.deepEqual(parseArrivals('a>b 3 100 101\ngarbage\na>b x 1 2\n'), [{ flow: 'a>b', seq: 3, sentMs: 100, recvMs: 101 }]);
    assert.equal(parseSenderLog('{"flow":"a>b"}'), undefined);
    assert.equal(parseSenderLog('{"flow":"a>b","sent":5,"startMs":1,"stopMs":2,"intervalMs":10}')?.sent, 5);
  });
});

const PROBE = fileURLToPath(new URL('../../lab/runtime/flow-probe.mjs', import.meta.url));

function startProbe(args: string[]) {
  const child = spawn(process.execPath, [PROBE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => { if (/listening|sending/.test(d.toString())) resolve(); });
    child.on('exit', (code) => reject(new Error(`flow-probe ${args[0]} exited ${code}`)));
  });
  const stop = () => new Promise<void>((resolve) => { child.removeAllListeners('exit'); child.on('exit', () => resolve()); child.kill('SIGTERM'); });
  return { ready, stop };
}

async function measure(sendPort: number, recvPort: number, ms: number) {
  const dir = mkdtempSync(join(tmpdir(), 'flow-probe-'));
  try {
    const recv = startProbe(['recv', String(recvPort), join(dir, 'recv.log')]);
    await recv.ready;
    const send = startProbe(['send', 'a>b', '127.0.0.1', String(sendPort), '200', join(dir, 'send.json')]);
    await send.ready;
    await new Promise((r) => setTimeout(r, ms));
    await send.stop();
    await new Promise((r) => setTimeout(r, 100));
    await recv.stop();
    const sender = parseSenderLog(readFileSync(join(dir, 'send.json'), 'utf8'))!;
    return summarizeFlow({ ...SPEC, toAddress: '127.0.0.1', pps: 200 }, sender, parseArrivals(readFileSync(join(dir, 'recv.log'), 'utf8')), sender.startMs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('loss meter probes over loopback', () => {
  const port = 40_000 + (process.pid % 10_000);
  it('paces at the asked rate and loses nothing on loopback', async () => {
    const f = await measure(port, port, 1000);
    assert.ok(f.sent >= 180 && f.sent <= 215, `about 200 in a second at 200/s: ${f.sent}`);
    assert.equal(f.lost, 0, JSON.stringify(f.windows));
  });

  it('negative control: sent to a port nobody listens on, every datagram is lost', async () => {
    const f = await measure(port + 1, port, 500);
    assert.ok(f.sent > 50);
    assert.equal(f.lost, f.sent);
    assert.equal(f.windows.length, 1);
  });
});
