// lab/telemetry: which variables turn export on (pure), and, through a child process running the
// real StageRecorder and assertion hook against the test receiver: spans under TRACEPARENT, ERROR
// where a stage threw or a check failed, headers from OTEL_EXPORTER_OTLP_HEADERS, the flush on a
// signal, a bounded exit when the collector is down, and no OpenTelemetry loaded without the variables.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { traceConfig } from '../../lab/telemetry/config.ts';
import { DAGGER_REVEAL } from '../../lab/telemetry/tracing.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../twin/support/otlp-receiver.ts';

const REPO = resolve(import.meta.dirname, '..', '..');
const SCRIPT = join(import.meta.dirname, 'fixtures', 'telemetry', 'stages.ts');
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && k !== 'TRACEPARENT' && k !== 'TRACESTATE'));

/** Async, so the receiver in this process can answer while the child exports. */
function child(mode: 'run', env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const p = spawn(process.execPath, ['--import', 'tsx', SCRIPT, mode], { cwd: REPO, env: { ...CLEAN_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((ok) => p.on('close', (status) => ok({ status, stdout, stderr })));
}

describe('traceConfig: the standard variables decide', () => {
  const on = (env: Record<string, string>) => traceConfig(env).export;
  it('exports only when an OTLP endpoint variable is set', () => {
    assert.equal(on({}), false);
    assert.equal(on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }), true);
    assert.equal(on({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }), true);
    assert.equal(on({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }), false, 'empty is unset');
  });
  it('OTEL_SDK_DISABLED and OTEL_TRACES_EXPORTER without otlp turn it off', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    assert.equal(on({ ...endpoint, OTEL_SDK_DISABLED: 'true' }), false);
    assert.equal(on({ ...endpoint, OTEL_SDK_DISABLED: 'false' }), true);
    assert.equal(on({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }), false);
    assert.equal(on({ ...endpoint, OTEL_TRACES_EXPORTER: 'console,otlp' }), true);
  });
  it('a protocol other than http/protobuf is refused with the variable named; the traces one wins', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    assert.deepEqual(traceConfig({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }), {
      export: false, warning: 'OTEL_EXPORTER_OTLP_PROTOCOL=grpc: lab exports traces over OTLP http/protobuf only; traces are not exported (fix: set it to http/protobuf)',
    });
    assert.equal(on({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' }), true);
    assert.match((traceConfig({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }) as { warning: string }).warning, /^OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http\/json/);
  });
  it('a malformed endpoint is a warning naming the variable, not a crash', () => {
    assert.match((traceConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' }) as { warning: string }).warning, /^OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="not a url" is not a URL/);
  });
  it('passes TRACEPARENT and TRACESTATE on', () => {
    assert.deepEqual(traceConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:1', TRACEPARENT: `00-${TRACE_ID}-${PARENT_ID}-01`, TRACESTATE: 'k=v' }),
      { export: true, endpointVar: 'OTEL_EXPORTER_OTLP_ENDPOINT', traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`, tracestate: 'k=v' });
  });
});

describe('stage spans through the real exporter', () => {
  let receiver: OtlpReceiver;
  before(async () => { receiver = await startOtlpReceiver(); });
  after(() => receiver.close());

  it('without the variables nothing of OpenTelemetry is loaded and nothing is sent', async () => {
    const r = await child('run', {});
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { otelLoaded: false });
    assert.equal(receiver.requests.length, 0);
  });

  it('stages are children of TRACEPARENT, assertions of their stage; failures are ERROR with the reason', async () => {
    receiver.spans.length = 0;
    const r = await child('run', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, TRACEPARENT: `00-${TRACE_ID}-${PARENT_ID}-01`, OTEL_EXPORTER_OTLP_HEADERS: 'x-lab-test=yes' });
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { otelLoaded: true }, 'the negative control of the test above');
    assert.deepEqual(receiver.errors, []);
    const by = (name: string) => receiver.spans.find((s) => s.name === name) ?? assert.fail(`no span ${name} in ${receiver.spans.map((s) => s.name).join(', ')}`);
    assert.deepEqual(receiver.spans.map((s) => s.name).sort(), ['assertion 1: fake 1', 'assertion 2: fake 2', 'assertions', 'broken', 'up']);
    for (const s of receiver.spans) assert.equal(s.traceId, TRACE_ID);
    for (const name of ['up', 'assertions', 'broken']) {
      assert.equal(by(name).parentSpanId, PARENT_ID, name);
      assert.equal(by(name).attributes[DAGGER_REVEAL], true, name);
      assert.equal(by(name).attributes['lab.stage'], name);
    }
    assert.deepEqual(by('up').status, { code: 1, message: '' });
    assert.deepEqual(by('broken').status, { code: 2, message: 'the stage broke' });
    assert.equal(by('broken').events[0]?.name, 'exception');
    assert.deepEqual(by('assertions').status, { code: 2, message: 'assertions 2 failed' });
    assert.deepEqual(by('assertions').attributes['lab.assertions.failed.ids'], [2]);
    const a1 = by('assertion 1: fake 1');
    const a2 = by('assertion 2: fake 2');
    assert.equal(a1.parentSpanId, by('assertions').spanId);
    assert.equal(a2.parentSpanId, by('assertions').spanId);
    assert.deepEqual(a1.status, { code: 1, message: '' });
    assert.deepEqual(a2.status, { code: 2, message: '1 of 2 checks failed: second' });
    assert.deepEqual([a2.attributes['lab.assertion.id'], a2.attributes['lab.assertion.checks'], a2.attributes['lab.assertion.passed'], a2.attributes['lab.assertion.failed']], [2, 2, 1, 1]);
    assert.deepEqual(a2.events.map((e) => e.attributes), [{ 'lab.check.subject': 'second', 'lab.check.expected': 'an answer', 'lab.check.seen': 'nothing', 'lab.check.diagnosis': 'it broke' }]);
    assert.ok(receiver.requests.every((q) => q.headers['x-lab-test'] === 'yes'), 'OTEL_EXPORTER_OTLP_HEADERS reach the collector');
    assert.equal(a1.resource['service.name'], 'native-routing-lab');
  });

  it('without TRACEPARENT one span for the command holds the stages', async () => {
    receiver.spans.length = 0;
    const r = await child('run', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces` });
    assert.equal(r.status, 1, r.stderr);
    const root = receiver.spans.find((s) => s.parentSpanId === '');
    assert.ok(root, receiver.spans.map((s) => `${s.name} <- ${s.parentSpanId}`).join('\n'));
    assert.equal(root.name, 'lab run');
    assert.deepEqual(root.status, { code: 2, message: 'exit code 1' });
    assert.equal(receiver.spans.find((s) => s.name === 'up')?.parentSpanId, root.spanId);
  });

  it('a signal ends the running stage as ERROR "interrupted by SIGTERM" and sends it before exit', async () => {
    receiver.spans.length = 0;
    const p = spawn(process.execPath, ['--import', 'tsx', SCRIPT, 'hang'], { cwd: REPO, env: { ...CLEAN_ENV, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, TRACEPARENT: `00-${TRACE_ID}-${PARENT_ID}-01` }, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((ok) => p.stdout.on('data', (d: Buffer) => { if (d.toString().includes('ready')) ok(); }));
    p.kill('SIGTERM');
    const code = await new Promise<number | null>((ok) => p.on('exit', (c) => ok(c)));
    assert.equal(code, 143);
    const up = receiver.spans.find((s) => s.name === 'up');
    assert.ok(up, 'the interrupted stage arrived');
    assert.deepEqual(up.status, { code: 2, message: 'interrupted by SIGTERM' });
    assert.equal(up.parentSpanId, PARENT_ID);
  });

  it('with OTEL_EXPORTER_OTLP_TRACES_LIVE (Dagger) a stage is sent when it starts, and again when it ends', async () => {
    receiver.spans.length = 0;
    const p = spawn(process.execPath, ['--import', 'tsx', SCRIPT, 'hang'], { cwd: REPO, env: { ...CLEAN_ENV, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_TRACES_LIVE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((ok) => p.on('exit', (c) => ok(c)));
    const deadline = Date.now() + 10_000;
    while (!receiver.spans.some((s) => s.name === 'up') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const running = receiver.spans.filter((s) => s.name === 'up');
    assert.equal(running.length, 1, 'the running stage arrived while it ran');
    assert.equal(running[0]!.endTimeUnixNano, 0n, 'unfinished');
    p.kill('SIGINT');
    assert.equal(await exited, 130);
    const ended = receiver.spans.filter((s) => s.name === 'up' && s.endTimeUnixNano > 0n);
    assert.equal(ended.length, 1);
    assert.equal(ended[0]!.spanId, running[0]!.spanId);
    assert.deepEqual(ended[0]!.status, { code: 2, message: 'interrupted by SIGINT' });
  });

  it('an unreachable collector costs a bounded wait and a warning, not the run', async () => {
    const dead = await startOtlpReceiver();
    await dead.close(); // a port that was just free on loopback: connections are refused
    const t0 = Date.now();
    const r = await child('run', { OTEL_EXPORTER_OTLP_ENDPOINT: dead.url });
    assert.equal(r.status, 1);
    assert.ok(Date.now() - t0 < 8000, `took ${Date.now() - t0} ms`);
    assert.match(r.stderr, /lab: traces: (flushing failed|the collector did not take the spans)/);
  });

  it('an unsupported protocol is said once on stderr and nothing is loaded', async () => {
    const r = await child('run', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    assert.deepEqual(JSON.parse(r.stdout), { otelLoaded: false });
    assert.equal(r.stderr.match(/OTEL_EXPORTER_OTLP_PROTOCOL=grpc/g)?.length, 1, r.stderr);
  });
});
