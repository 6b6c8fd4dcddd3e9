// The loss meter's two ends, run by a runtime inside a lab namespace (plain JavaScript, so plain
// `node` runs it without a build). A sender paces numbered UDP datagrams ("<flow> <seq> <sentMs>")
// at a fixed rate; a receiver logs every arrival ("<flow> <seq> <sentMs> <recvMs>"). Both stop on
// SIGTERM, the sender writing how many it sent. lab/runtime/flows.ts reads the two logs.
//
//   node flow-probe.mjs recv <port> <log> [6]
//   node flow-probe.mjs send <flow> <address> <port> <pps> <log>
import { createSocket } from 'node:dgram';
import { createWriteStream, writeFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import console from 'node:console';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';

const [mode, ...args] = process.argv.slice(2);

function receive(port, logFile, dual) {
  const log = createWriteStream(logFile, { flags: 'a' });
  // Dual-stack: one IPv6 socket that takes IPv4 senders too.
  const socket = createSocket(dual ? { type: 'udp6', ipv6Only: false } : { type: 'udp4' });
  socket.on('message', (msg) => {
    const now = Date.now();
    const [flow, seq, sent] = msg.toString('ascii').split(' ');
    if (flow && seq && sent) log.write(`${flow} ${seq} ${sent} ${now}\n`);
  });
  socket.on('error', (e) => { console.error(`flow-probe: ${e.message}`); process.exit(1); });
  socket.bind(port, dual ? '::' : '0.0.0.0', () => console.log(`flow-probe listening on ${port}`));
  process.on('SIGTERM', () => { socket.close(); log.end(() => process.exit(0)); });
}

function send(flow, address, port, pps, logFile) {
  const socket = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
  const intervalMs = 1000 / pps;
  const start = Date.now();
  let seq = 0;
  let errors = 0;
  // Paced from the start time, not from the last send: timer lateness does not lower the rate.
  const tick = () => {
    const due = start + seq * intervalMs;
    while (Date.now() >= due && seq < Number.MAX_SAFE_INTEGER) {
      const sentMs = Date.now();
      // An unreachable destination fails the send (ENETUNREACH...): that datagram is lost all the same.
      socket.send(`${flow} ${seq} ${sentMs}`, port, address, (e) => { if (e) errors++; });
      seq++;
      if (Date.now() < start + seq * intervalMs) break;
    }
    timer = setTimeout(tick, Math.max(0, start + seq * intervalMs - Date.now()));
  };
  let timer = setTimeout(tick, 0);
  console.log(`flow-probe sending ${flow} to ${address}:${port} at ${pps}/s`);
  process.on('SIGTERM', () => {
    clearTimeout(timer);
    writeFileSync(logFile, JSON.stringify({ flow, sent: seq, startMs: start, stopMs: Date.now(), intervalMs, sendErrors: errors }) + '\n');
    socket.close();
    process.exit(0);
  });
}

if (mode === 'recv') receive(Number(args[0]), args[1], args[2] === '6');
else if (mode === 'send') send(args[0], args[1], Number(args[2]), Number(args[3]), args[4]);
else {
  console.error('usage: flow-probe.mjs recv <port> <log> [6] | send <flow> <address> <port> <pps> <log>');
  process.exit(2);
}
