// A protobuf wire-format reader for just the parts of an OTLP ExportTraceServiceRequest the tests
// look at. Field numbers from the OTLP spec (open-telemetry/opentelemetry-proto:
// opentelemetry/proto/collector/trace/v1/trace_service.proto, trace/v1/trace.proto,
// common/v1/common.proto, resource/v1/resource.proto). Unknown fields are skipped, as protobuf says.

export type AnyValue = string | boolean | number | bigint | Uint8Array | AnyValue[] | { [k: string]: AnyValue } | undefined;
export type Attributes = Record<string, AnyValue>;

export interface DecodedEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Attributes;
}

export interface DecodedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  traceState: string;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  events: DecodedEvent[];
  /** 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  resource: Attributes;
  scope: { name: string; version: string };
}

interface Field {
  no: number;
  wire: number;
  /** varint / fixed values */
  n?: bigint;
  /** length-delimited bytes */
  bytes?: Uint8Array;
}

function varint(buf: Uint8Array, at: { i: number }): bigint {
  let v = 0n;
  let shift = 0n;
  for (;;) {
    if (at.i >= buf.length) throw new Error('protobuf: truncated varint');
    const b = buf[at.i++]!;
    v |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return v;
    shift += 7n;
    if (shift > 63n) throw new Error('protobuf: varint longer than 10 bytes');
  }
}

function fixed(buf: Uint8Array, at: { i: number }, bytes: 4 | 8): bigint {
  if (at.i + bytes > buf.length) throw new Error('protobuf: truncated fixed field');
  const view = new DataView(buf.buffer, buf.byteOffset + at.i, bytes);
  at.i += bytes;
  return bytes === 8 ? view.getBigUint64(0, true) : BigInt(view.getUint32(0, true));
}

/** Every field of one message, in order. */
export function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  const at = { i: 0 };
  while (at.i < buf.length) {
    const tag = Number(varint(buf, at));
    const no = tag >>> 3;
    const wire = tag & 7;
    if (no === 0) throw new Error('protobuf: field number 0');
    if (wire === 0) out.push({ no, wire, n: varint(buf, at) });
    else if (wire === 1) out.push({ no, wire, n: fixed(buf, at, 8) });
    else if (wire === 5) out.push({ no, wire, n: fixed(buf, at, 4) });
    else if (wire === 2) {
      const len = Number(varint(buf, at));
      if (at.i + len > buf.length) throw new Error(`protobuf: field ${no} claims ${len} bytes, ${buf.length - at.i} left`);
      out.push({ no, wire, bytes: buf.subarray(at.i, at.i + len) });
      at.i += len;
    } else throw new Error(`protobuf: unsupported wire type ${wire} (field ${no})`);
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const str = (f: Field) => utf8.decode(f.bytes ?? new Uint8Array());
const hex = (f: Field | undefined) => (f?.bytes ? Buffer.from(f.bytes).toString('hex') : '');
const sub = (f: Field) => fields(f.bytes ?? new Uint8Array());

function int64(n: bigint): number | bigint {
  const signed = BigInt.asIntN(64, n);
  return signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(signed) : signed;
}

function float64(n: bigint): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, n, true);
  return view.getFloat64(0, true);
}

/** AnyValue: 1 string, 2 bool, 3 int64, 4 double, 5 ArrayValue, 6 KeyValueList, 7 bytes. */
function anyValue(fs: Field[]): AnyValue {
  const f = fs.at(-1); // oneof: the last one wins
  if (!f) return undefined;
  switch (f.no) {
    case 1: return str(f);
    case 2: return f.n !== 0n;
    case 3: return int64(f.n!);
    case 4: return float64(f.n!);
    case 5: return sub(f).filter((x) => x.no === 1).map((x) => anyValue(sub(x)));
    case 6: return keyValues(sub(f).filter((x) => x.no === 1));
    case 7: return f.bytes ?? new Uint8Array();
    default: return undefined;
  }
}

/** KeyValue: 1 key, 2 value. */
function keyValues(kvs: Field[]): Attributes {
  const out: Attributes = {};
  for (const kv of kvs) {
    const fs = sub(kv);
    const key = fs.find((x) => x.no === 1);
    const value = fs.find((x) => x.no === 2);
    out[key ? str(key) : ''] = value ? anyValue(sub(value)) : undefined;
  }
  return out;
}

/** Span: 1 trace_id, 2 span_id, 3 trace_state, 4 parent_span_id, 5 name, 6 kind, 7/8 start/end (fixed64), 9 attributes, 11 events, 15 status. */
function span(fs: Field[], resource: Attributes, scope: DecodedSpan['scope']): DecodedSpan {
  const one = (no: number) => fs.find((x) => x.no === no);
  const status = one(15) ? sub(one(15)!) : [];
  return {
    traceId: hex(one(1)), spanId: hex(one(2)), parentSpanId: hex(one(4)),
    traceState: one(3) ? str(one(3)!) : '', name: one(5) ? str(one(5)!) : '', kind: Number(one(6)?.n ?? 0n),
    startTimeUnixNano: one(7)?.n ?? 0n, endTimeUnixNano: one(8)?.n ?? 0n,
    attributes: keyValues(fs.filter((x) => x.no === 9)),
    // Event: 1 time_unix_nano, 2 name, 3 attributes
    events: fs.filter((x) => x.no === 11).map((e) => {
      const ef = sub(e);
      const name = ef.find((x) => x.no === 2);
      return { timeUnixNano: ef.find((x) => x.no === 1)?.n ?? 0n, name: name ? str(name) : '', attributes: keyValues(ef.filter((x) => x.no === 3)) };
    }),
    // Status: 2 message, 3 code (1 is reserved)
    status: { code: Number(status.find((x) => x.no === 3)?.n ?? 0n), message: status.find((x) => x.no === 2) ? str(status.find((x) => x.no === 2)!) : '' },
    resource, scope,
  };
}

/** ExportTraceServiceRequest: 1 ResourceSpans (1 resource, 2 ScopeSpans (1 scope, 2 spans)). */
export function decodeExportTraceRequest(body: Uint8Array): DecodedSpan[] {
  const out: DecodedSpan[] = [];
  for (const rs of fields(body).filter((f) => f.no === 1)) {
    const rsf = sub(rs);
    const res = rsf.find((f) => f.no === 1);
    const resource = res ? keyValues(sub(res).filter((f) => f.no === 1)) : {};
    for (const ss of rsf.filter((f) => f.no === 2)) {
      const ssf = sub(ss);
      const sc = ssf.find((f) => f.no === 1);
      const scf = sc ? sub(sc) : [];
      const nm = scf.find((f) => f.no === 1);
      const ver = scf.find((f) => f.no === 2);
      const scope = { name: nm ? str(nm) : '', version: ver ? str(ver) : '' };
      for (const s of ssf.filter((f) => f.no === 2)) out.push(span(sub(s), resource, scope));
    }
  }
  return out;
}
