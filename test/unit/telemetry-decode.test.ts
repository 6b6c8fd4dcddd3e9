// The test receiver's protobuf decoder, proved against the OpenTelemetry exporter's own encoding:
// spans made by the real SDK go through the real OTLP/HTTP protobuf exporter to the receiver, and
// what it decodes must equal what the SDK recorded (an in-memory exporter beside it), field by field.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type HrTime } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { decodeExportTraceRequest, fields } from '../twin/support/otlp-decode.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../twin/support/otlp-receiver.ts';

const ns = (t: HrTime) => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

describe('OTLP protobuf decoder against the exporter', () => {
  let receiver: OtlpReceiver;
  let recorded: ReadableSpan[];

  before(async () => {
    receiver = await startOtlpReceiver();
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'decoder-test', 'deployment.environment': 'unit' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` })), new SimpleSpanProcessor(memory)],
    });
    const tracer = provider.getTracer('decoder-scope', '1.2.3');
    const parent = tracer.startSpan('parent', { kind: SpanKind.SERVER, attributes: { 'a.string': 'héllo', 'a.int': 42, 'a.negative': -7, 'a.double': 2.5, 'a.bool': true, 'a.false': false } });
    const child = tracer.startSpan('child', { attributes: { 'a.strings': ['x', 'y'], 'a.ints': [1, 2, 3], 'a.large': 2 ** 40 } }, trace.setSpan(ROOT_CONTEXT, parent));
    child.addEvent('check failed', { 'lab.check.subject': 'router-dc1 -> worker-1', 'lab.check.seen': 'nothing' });
    child.addEvent('bare');
    child.setStatus({ code: SpanStatusCode.ERROR, message: '2 of 3 checks failed' });
    child.end();
    parent.setStatus({ code: SpanStatusCode.OK });
    parent.end();
    await provider.forceFlush();
    recorded = [...memory.getFinishedSpans()]; // shutdown empties the in-memory exporter
    await provider.shutdown();
  });

  after(() => receiver.close());

  it('decodes every span the exporter sent, with no decoding error', () => {
    assert.deepEqual(receiver.errors, []);
    assert.equal(receiver.spans.length, 2);
    assert.equal(recorded.length, 2);
  });

  it('ids, parent, name, kind and times equal the SDK\'s', () => {
    for (const want of recorded) {
      const got = receiver.spans.find((s) => s.name === want.name);
      assert.ok(got, want.name);
      assert.equal(got.traceId, want.spanContext().traceId);
      assert.equal(got.spanId, want.spanContext().spanId);
      assert.equal(got.parentSpanId, want.parentSpanContext?.spanId ?? '');
      assert.equal(got.kind, want.kind + 1, 'OTLP kinds are the API kinds plus one (0 is unspecified)');
      assert.equal(got.startTimeUnixNano, ns(want.startTime));
      assert.equal(got.endTimeUnixNano, ns(want.endTime));
    }
    const child = receiver.spans.find((s) => s.name === 'child')!;
    const parent = receiver.spans.find((s) => s.name === 'parent')!;
    assert.equal(child.parentSpanId, parent.spanId);
    assert.equal(parent.parentSpanId, '');
  });

  it('attributes of every type, events and status equal the SDK\'s', () => {
    const parent = receiver.spans.find((s) => s.name === 'parent')!;
    assert.deepEqual(parent.attributes, { 'a.string': 'héllo', 'a.int': 42, 'a.negative': -7, 'a.double': 2.5, 'a.bool': true, 'a.false': false });
    assert.deepEqual(parent.status, { code: 1, message: '' });
    const child = receiver.spans.find((s) => s.name === 'child')!;
    assert.deepEqual(child.attributes, { 'a.strings': ['x', 'y'], 'a.ints': [1, 2, 3], 'a.large': 2 ** 40 });
    assert.deepEqual(child.status, { code: 2, message: '2 of 3 checks failed' });
    const want = recorded.find((s) => s.name === 'child')!.events;
    assert.deepEqual(child.events, want.map((e) => ({ name: e.name, timeUnixNano: ns(e.time), attributes: e.attributes ?? {} })));
  });

  it('resource and scope equal the provider\'s', () => {
    for (const s of receiver.spans) {
      assert.equal(s.resource['service.name'], 'decoder-test');
      assert.equal(s.resource['deployment.environment'], 'unit');
      assert.deepEqual(s.scope, { name: 'decoder-scope', version: '1.2.3' });
    }
  });

  it('the exporter spoke OTLP/HTTP protobuf to /v1/traces', () => {
    assert.ok(receiver.requests.length > 0);
    for (const r of receiver.requests) {
      assert.equal(r.path, '/v1/traces');
      assert.equal(r.headers['content-type'], 'application/x-protobuf');
    }
  });
});

describe('OTLP protobuf decoder, negative controls', () => {
  // One span: ResourceSpans{ ScopeSpans{ Span{ trace_id (16 bytes), span_id (8), name "s" } } }
  const spanMsg = Buffer.concat([Buffer.from([0x0a, 16]), Buffer.alloc(16, 0xab), Buffer.from([0x12, 8]), Buffer.alloc(8, 0xcd), Buffer.from([0x2a, 1, 0x73])]);
  const wrap = (no: number, body: Buffer) => Buffer.concat([Buffer.from([(no << 3) | 2, body.length]), body]);
  const request = wrap(1, wrap(2, wrap(2, spanMsg)));

  it('a hand-encoded request decodes to exactly what was encoded', () => {
    const [s, ...rest] = decodeExportTraceRequest(request);
    assert.equal(rest.length, 0);
    assert.equal(s!.traceId, 'ab'.repeat(16));
    assert.equal(s!.spanId, 'cd'.repeat(8));
    assert.equal(s!.name, 's');
    assert.equal(s!.parentSpanId, '');
  });

  it('a changed byte changes the decoded id (the bytes are read, not assumed)', () => {
    const changed = Buffer.from(request);
    changed[changed.indexOf(0xab)] = 0x01;
    assert.equal(decodeExportTraceRequest(changed)[0]!.traceId, `01${'ab'.repeat(15)}`);
  });

  it('a truncated request is refused, not half-read', () => {
    assert.throws(() => decodeExportTraceRequest(request.subarray(0, request.length - 3)), /protobuf: field \d+ claims \d+ bytes/);
    assert.throws(() => fields(Buffer.from([0x08, 0x80])), /truncated varint/);
    assert.throws(() => fields(Buffer.from([0x0b])), /unsupported wire type 3/);
  });
});
