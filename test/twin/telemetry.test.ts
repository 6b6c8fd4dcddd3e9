// The stages as OpenTelemetry spans, for real: a twin `lab e2e` exports over OTLP/HTTP protobuf to a
// receiver on 127.0.0.1 that decodes every request; every stage and every assertion must arrive in
// the trace given by TRACEPARENT, stages under the given span, assertions under the assertions
// stage. The negative control: a pitfall run arrives with ERROR on exactly the assertions it breaks.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { DAGGER_REVEAL } from '../../lab/telemetry/tracing.ts';
import { failedIds, LAB, labNamespaces, REPO, twinUnavailable, type JsonReport } from './support.ts';
import type { DecodedSpan } from './support/otlp-decode.ts';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.ts';

const skip = twinUnavailable();
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && k !== 'TRACEPARENT' && k !== 'TRACESTATE'));

interface Traced {
  code: number | null;
  report: JsonReport & { stages: { name: string; ok: boolean }[] };
  traceId: string;
  parentId: string;
  spans: DecodedSpan[];
}

/** One real e2e run in its own trace (async: the receiver lives in this process). */
async function tracedRun(receiver: OtlpReceiver, args: string[]): Promise<Traced> {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  const p = spawn(process.execPath, [LAB, 'e2e', '--plain', '--json', ...args], {
    cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000,
    env: { ...CLEAN_ENV, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, TRACEPARENT: `00-${traceId}-${parentId}-01` },
  });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const code = await new Promise<number | null>((ok) => p.on('close', (c) => ok(c)));
  let report: Traced['report'];
  try {
    report = JSON.parse(stdout) as Traced['report'];
  } catch {
    assert.fail(`lab e2e printed no report (exit ${code}):\n${stderr}`);
  }
  assert.deepEqual(labNamespaces(report.runId), [], 'teardown');
  assert.deepEqual(receiver.errors, [], 'every request decodes');
  return { code, report, traceId, parentId, spans: receiver.spans.filter((s) => s.traceId === traceId) };
}

const assertionSpans = (t: Traced) => t.spans.filter((s) => typeof s.attributes['lab.assertion.id'] === 'number');
const stageSpan = (t: Traced, name: string) => t.spans.find((s) => s.name === name && s.attributes['lab.stage'] === name);

describe('lab e2e stages as OpenTelemetry spans', { skip }, () => {
  let receiver: OtlpReceiver;
  let good: Traced;
  before(async () => {
    if (skip) return;
    receiver = await startOtlpReceiver();
    good = await tracedRun(receiver, []);
  });
  after(() => receiver?.close());

  it('the run passed, and its spans came over OTLP/HTTP protobuf', () => {
    assert.equal(good.code, 0);
    assert.ok(good.spans.length > 0, 'spans of the given trace arrived');
    assert.ok(receiver.requests.every((r) => r.path === '/v1/traces' && r.headers['content-type'] === 'application/x-protobuf'));
  });

  it('every stage of the report is a span under the TRACEPARENT span, marked for Dagger, status OK', () => {
    const names = good.report.stages.map((s) => s.name);
    for (const required of ['up', 'convergence', 'assertions', 'teardown']) assert.ok(names.includes(required), `report stages: ${names.join(', ')}`);
    for (const name of names) {
      const s = stageSpan(good, name);
      assert.ok(s, `stage ${name} arrived (spans: ${good.spans.map((x) => x.name).join(', ')})`);
      assert.equal(s.parentSpanId, good.parentId, `${name} hangs under the given span`);
      assert.equal(s.attributes[DAGGER_REVEAL], true);
      assert.deepEqual(s.status, { code: 1, message: '' }, name);
      assert.ok(s.endTimeUnixNano >= s.startTimeUnixNano && s.startTimeUnixNano > 0n);
    }
    assert.equal(stageSpan(good, 'convergence')!.attributes['lab.convergence.converged'], true);
  });

  it('all nine assertions (and any added since) are spans under the assertions stage, with their checks', () => {
    const stage = stageSpan(good, 'assertions')!;
    const spans = assertionSpans(good);
    const ids = spans.map((s) => s.attributes['lab.assertion.id'] as number).sort((a, b) => a - b);
    assert.deepEqual(ids, good.report.assertions.map((a) => a.id).sort((a, b) => a - b));
    for (const id of [1, 2, 3, 4, 5, 6, 7, 8, 9]) assert.ok(ids.includes(id), `assertion ${id}`);
    for (const s of spans) {
      const a = good.report.assertions.find((x) => x.id === s.attributes['lab.assertion.id'])!;
      assert.equal(s.parentSpanId, stage.spanId, s.name);
      assert.deepEqual(s.status, { code: 1, message: '' }, s.name);
      assert.equal(s.attributes['lab.assertion.checks'], a.results.length);
      assert.equal(s.attributes['lab.assertion.failed'], 0);
      // Within a millisecond: each span anchors its clock to Date.now() when it starts (the Span
      // constructor's _performanceOffset, @opentelemetry/sdk-trace Span.js), so two spans' clocks
      // differ by up to 1 ms, and assertions running together may end in the stage's last one.
      const slack = 1_000_000n;
      assert.ok(s.startTimeUnixNano >= stage.startTimeUnixNano - slack && s.endTimeUnixNano <= stage.endTimeUnixNano + slack, `${s.name} inside the stage`);
    }
  });

  it('a pitfall run (node-masquerade) arrives with ERROR on exactly the assertions it breaks', async () => {
    const bad = await tracedRun(receiver, ['--pitfall', 'node-masquerade']);
    assert.equal(bad.code, 1);
    const broken = failedIds(bad.report);
    assert.deepEqual(broken, [5, 6, 7], 'the README pitfall table');
    const spans = assertionSpans(bad);
    assert.equal(spans.length, bad.report.assertions.length);
    const errored = spans.filter((s) => s.status.code === 2).map((s) => s.attributes['lab.assertion.id'] as number).sort((a, b) => a - b);
    assert.deepEqual(errored, broken);
    for (const s of spans.filter((x) => x.status.code === 2)) {
      const a = bad.report.assertions.find((x) => x.id === s.attributes['lab.assertion.id'])!;
      assert.equal(s.attributes['lab.assertion.failed'], a.results.filter((r) => !r.ok).length);
      assert.match(s.status.message, /^\d+ of \d+ checks failed: /);
      assert.ok(s.events.some((e) => e.name === 'check failed' && typeof e.attributes['lab.check.seen'] === 'string'), s.name);
    }
    const stage = stageSpan(bad, 'assertions')!;
    assert.equal(stage.status.code, 2);
    assert.equal(stage.status.message, 'assertions 5, 6, 7 failed');
    assert.deepEqual(stageSpan(bad, 'teardown')!.status, { code: 1, message: '' }, 'the other stages still passed');
  });
});
