// Stages as OpenTelemetry spans, exported over OTLP/HTTP (protobuf) only when the standard variables
// ask for it (config.ts). Without them nothing of OpenTelemetry is loaded: every helper is a plain
// call, so the CLI starts as fast as before. The packages are imported on the first span, not at
// start-up, so commands that record no stage (render, schema, ...) never load them either.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, Span } from '@opentelemetry/api';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { traceConfig, type TraceConfig } from './config.ts';

export type AttrValue = string | number | boolean | string[] | number[] | boolean[];
export type Attrs = Record<string, AttrValue | undefined>;

/** What a traced piece of work may say about itself. */
export interface SpanHandle {
  set(attrs: Attrs): void;
  event(name: string, attrs?: Attrs): void;
  /** Mark the span ERROR without throwing (an assertion that ran but did not hold). */
  fail(message: string): void;
}

// Dagger's TUI shows a span "all the way up to the top-level parent" when it carries this attribute:
// UIRevealAttr = "dagger.io/ui.reveal" in dagger/otel-go attrs.go, read by dagger/dagger v0.21.8
// dagql/dagui/spans.go (the engine's own util/parallel/parallel.go sets it the same way).
export const DAGGER_REVEAL = 'dagger.io/ui.reveal';

/** One export's deadline, retries included, unless the variables set one. */
const EXPORT_TIMEOUT_MS = 3000;
/** How long exit waits for the last spans to reach the collector, at most. */
const FLUSH_TIMEOUT_MS = 5000;

interface Live {
  api: typeof import('@opentelemetry/api');
  tracer: import('@opentelemetry/api').Tracer;
  provider: BasicTracerProvider;
  base: Context;
  root?: Span;
  open: Set<Span>;
}

const NOOP: SpanHandle = { set: () => undefined, event: () => undefined, fail: () => undefined };
const current = new AsyncLocalStorage<Context>();
let config: TraceConfig | undefined;
let live: Promise<Live | undefined> | undefined;

function wanted(): boolean {
  if (!config) {
    config = traceConfig();
    if (!config.export && config.warning) process.stderr.write(`lab: ${config.warning}\n`);
  }
  return config.export;
}

/** Whether spans are being exported in this process (the variables asked for it). */
export function tracingEnabled(): boolean {
  return wanted();
}

function clean(attrs: Attrs): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) out[k] = v;
  return out;
}

async function start(cfg: Extract<TraceConfig, { export: true }>): Promise<Live> {
  const [api, core, sdk, otlp, res, semconv] = await Promise.all([
    import('@opentelemetry/api'), import('@opentelemetry/core'), import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-proto'), import('@opentelemetry/resources'), import('@opentelemetry/semantic-conventions'),
  ]);
  const say = (m: string) => void process.stderr.write(`lab: traces: ${m}\n`);
  api.diag.setLogger({ error: say, warn: say, info: () => undefined, debug: () => undefined, verbose: () => undefined }, api.DiagLogLevel.WARN);
  const resource = res.resourceFromAttributes({ [semconv.ATTR_SERVICE_NAME]: 'native-routing-lab' })
    .merge(res.detectResources({ detectors: [res.envDetector] })); // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
  // The exporter reads the endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, or
  // OTEL_EXPORTER_OTLP_ENDPOINT + v1/traces), headers, timeout, compression and certificates itself
  // (otlp-exporter-base 0.223 configuration/otlp-node-http-env-configuration.js).
  // An unreachable collector is retried until the export timeout (10 s by the spec's default), which
  // would hold the exit that long: 3 s unless OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT says otherwise.
  const timeoutSet = ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT'].some((n) => process.env[n]?.trim());
  const exporter = new otlp.OTLPTraceExporter(timeoutSet ? {} : { timeoutMillis: EXPORT_TIMEOUT_MS });
  // OTEL_EXPORTER_OTLP_TRACES_LIVE (set by the Dagger engine: the endpoint takes unfinished spans)
  // sends each span when it starts as well, so the TUI shows a running stage; Dagger's own TypeScript
  // SDK does the same (dagger/dagger v0.21.8 sdk/typescript/src/telemetry/live_processor.ts).
  const isLive = Boolean(process.env['OTEL_EXPORTER_OTLP_TRACES_LIVE']?.trim());
  class LiveBatch extends sdk.BatchSpanProcessor {
    override onStart(span: Parameters<InstanceType<typeof sdk.BatchSpanProcessor>['onEnd']>[0]): void {
      this.onEnd(span);
    }
  }
  // Short batches, so a stage shows in a viewer soon after it starts or ends (OTEL_BSP_* still win).
  const batch = process.env['OTEL_BSP_SCHEDULE_DELAY'] ? {} : { scheduledDelayMillis: isLive ? 100 : 500 };
  const processor = isLive ? new LiveBatch(exporter, batch) : new sdk.BatchSpanProcessor(exporter, batch);
  const provider = new sdk.BasicTracerProvider({ resource, spanProcessors: [processor] });
  const tracer = provider.getTracer('native-routing-lab');
  let base = api.ROOT_CONTEXT;
  if (cfg.traceparent) {
    const carrier = { traceparent: cfg.traceparent, ...(cfg.tracestate ? { tracestate: cfg.tracestate } : {}) };
    base = new core.W3CTraceContextPropagator().extract(api.ROOT_CONTEXT, carrier, api.defaultTextMapGetter);
    if (!api.trace.getSpanContext(base)) say(`TRACEPARENT="${cfg.traceparent}" is not W3C trace context; starting a new trace`);
  }
  let root: Span | undefined;
  if (!api.trace.getSpanContext(base)) {
    // No parent given: one span for the whole command holds the stages together.
    const command = process.argv.slice(2).find((a) => !a.startsWith('-')) ?? '';
    root = tracer.startSpan(`lab ${command}`.trim(), { attributes: { 'lab.argv': process.argv.slice(2).join(' ') } }, base);
    base = api.trace.setSpan(base, root);
  }
  return { api, tracer, provider, base, open: new Set(), ...(root ? { root } : {}) };
}

function ensure(): Promise<Live | undefined> {
  if (!live) {
    const cfg = config!;
    live = cfg.export
      ? start(cfg).catch((e: unknown) => {
        process.stderr.write(`lab: traces: OpenTelemetry could not start, continuing without: ${(e as Error).message}\n`);
        return undefined;
      })
      : Promise.resolve(undefined);
  }
  return live;
}

/**
 * Runs fn inside a span, a child of the span around the call (or of TRACEPARENT). A throw ends the
 * span with status ERROR and is rethrown; `reveal` marks it for Dagger's UI.
 */
export async function withSpan<T>(name: string, attrs: Attrs, fn: (span: SpanHandle) => Promise<T>, opts: { reveal?: boolean } = {}): Promise<T> {
  if (!wanted()) return fn(NOOP);
  const l = await ensure();
  if (!l) return fn(NOOP);
  const parent = current.getStore() ?? l.base;
  const span = l.tracer.startSpan(name, { attributes: clean({ ...attrs, ...(opts.reveal ? { [DAGGER_REVEAL]: true } : {}) }) }, parent);
  l.open.add(span);
  let failed = false;
  const handle: SpanHandle = {
    set: (a) => span.setAttributes(clean(a)),
    event: (n, a) => span.addEvent(n, a ? clean(a) : undefined),
    fail: (message) => {
      failed = true;
      span.setStatus({ code: l.api.SpanStatusCode.ERROR, message });
    },
  };
  try {
    const v = await current.run(l.api.trace.setSpan(parent, span), () => fn(handle));
    if (!failed && l.open.has(span)) span.setStatus({ code: l.api.SpanStatusCode.OK });
    return v;
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    if (l.open.has(span)) {
      span.recordException(err);
      span.setStatus({ code: l.api.SpanStatusCode.ERROR, message: err.message });
    }
    throw e;
  } finally {
    // shutdownTracing may have ended it already (a signal arrived while it ran)
    if (l.open.delete(span)) span.end();
  }
}

/**
 * Ends what is still open (a signal interrupted it: ERROR, saying so), ends the command's own span
 * and sends everything to the collector, waiting at most FLUSH_TIMEOUT_MS. Safe to call twice and
 * a no-op when nothing was traced.
 */
export async function shutdownTracing(outcome: { exitCode?: number; signal?: string } = {}): Promise<void> {
  const l = live ? await live : undefined;
  if (!l) return;
  live = Promise.resolve(undefined);
  const { SpanStatusCode } = l.api;
  for (const s of [...l.open].reverse()) {
    s.setStatus({ code: SpanStatusCode.ERROR, message: outcome.signal ? `interrupted by ${outcome.signal}` : 'still running at exit' });
    s.end();
  }
  l.open.clear();
  if (l.root) {
    if (outcome.exitCode !== undefined) l.root.setAttribute('process.exit.code', outcome.exitCode);
    const bad = outcome.signal !== undefined || (outcome.exitCode ?? 0) !== 0;
    l.root.setStatus(bad ? { code: SpanStatusCode.ERROR, message: outcome.signal ? `interrupted by ${outcome.signal}` : `exit code ${outcome.exitCode}` } : { code: SpanStatusCode.OK });
    l.root.end();
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), FLUSH_TIMEOUT_MS); });
  const done = await Promise.race([l.provider.shutdown().then(() => 'ok' as const, (e: unknown) => (e as Error).message), timeout]);
  clearTimeout(timer);
  if (done === 'timeout') process.stderr.write(`lab: traces: the collector did not take the spans within ${FLUSH_TIMEOUT_MS / 1000} s; some are lost\n`);
  else if (done !== 'ok') process.stderr.write(`lab: traces: flushing failed: ${done}\n`);
}
