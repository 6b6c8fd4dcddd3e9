// Whether to export traces, decided from the standard OpenTelemetry variables alone (pure, cheap:
// nothing of OpenTelemetry is loaded to decide). The Dagger engine sets these in every exec
// (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf, TRACEPARENT:
// dagger/dagger v0.21.8 engine/engineutil/executor_spec.go), so a run inside Dagger exports to it.
type Env = Record<string, string | undefined>;

export type TraceConfig =
  | { export: false; warning?: string }
  | { export: true; endpointVar: string; traceparent?: string; tracestate?: string };

/** The spec treats an empty variable as unset. */
function value(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

export function traceConfig(env: Env = process.env): TraceConfig {
  if (value(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return { export: false };
  const exporters = value(env, 'OTEL_TRACES_EXPORTER')?.split(',').map((s) => s.trim().toLowerCase());
  if (exporters && !exporters.includes('otlp')) return { export: false };
  const endpointVar = ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'].find((n) => value(env, n) !== undefined);
  if (!endpointVar) return { export: false };
  const endpoint = value(env, endpointVar)!;
  if (!URL.canParse(endpoint)) return { export: false, warning: `${endpointVar}="${endpoint}" is not a URL; traces are not exported (fix: e.g. http://127.0.0.1:4318)` };
  // The signal-specific protocol wins over the general one; http/protobuf is the spec's default.
  const protocolVar = ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'].find((n) => value(env, n) !== undefined);
  const protocol = protocolVar ? value(env, protocolVar)! : 'http/protobuf';
  if (protocol !== 'http/protobuf') {
    return { export: false, warning: `${protocolVar}=${protocol}: lab exports traces over OTLP http/protobuf only; traces are not exported (fix: set it to http/protobuf)` };
  }
  const traceparent = value(env, 'TRACEPARENT');
  const tracestate = value(env, 'TRACESTATE');
  return { export: true, endpointVar, ...(traceparent ? { traceparent } : {}), ...(tracestate ? { tracestate } : {}) };
}
