// An OTLP/HTTP trace receiver on 127.0.0.1 for the tests: takes POST /v1/traces in protobuf (gzip or
// not), decodes every request (otlp-decode.ts) and keeps the spans; answers what a collector answers
// (200 with an empty ExportTraceServiceResponse, 415 for anything but protobuf).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeExportTraceRequest, type DecodedSpan } from './otlp-decode.ts';

export interface OtlpReceiver {
  /** e.g. http://127.0.0.1:43123 (OTEL_EXPORTER_OTLP_ENDPOINT; the exporter adds /v1/traces). */
  url: string;
  spans: DecodedSpan[];
  requests: { path: string; headers: IncomingHttpHeaders }[];
  /** Bodies that failed to decode, with the reason (a test should expect none). */
  errors: string[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: DecodedSpan[] = [];
  const requests: OtlpReceiver['requests'] = [];
  const errors: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers });
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      if (req.headers['content-type'] !== 'application/x-protobuf') {
        res.writeHead(415).end();
        return;
      }
      try {
        const raw = Buffer.concat(chunks);
        spans.push(...decodeExportTraceRequest(req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw));
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      } catch (e) {
        errors.push((e as Error).message);
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, spans, requests, errors,
    close: () => new Promise((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}
