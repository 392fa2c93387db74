// The long-lived stream client (helpers/collectors/streams.ts) against a real TCP echo server on loopback that
// names itself, echoes, then stalls, resets or closes: each is logged with its time, and parsed back.
import { expect, test } from '@playwright/test';
import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseStreamLog, streamClientScript } from '../../helpers/collectors/streams.js';
import type { StreamResult } from '../../helpers/snapshot/model.js';
import { validateStreamsJson } from '../../helpers/snapshot/validate.js';

type Misbehave = (socket: Socket) => void;

/** Echoes `lines` lines, then misbehaves; the client runs until it stops or `stopAfterMs` passes. */
async function run(lines: number, misbehave: Misbehave, stopAfterMs = 6_000): Promise<StreamResult> {
  const server = createServer((socket) => {
    socket.write('Hostname: webpod9\n');
    let seen = 0;
    socket.on('data', (d) => {
      for (const line of d.toString().split('\n').filter(Boolean)) {
        if (++seen <= lines) socket.write(`${line}\n`);
        else if (seen === lines + 1) misbehave(socket);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const spec = { name: 'ClusterIP', from: 'net-pod', target: '127.0.0.1', port };
  const stop = test.info().outputPath('stop');
  const script = test.info().outputPath('client.sh');
  await writeFile(script, streamClientScript(spec, stop));
  const client = execa('bash', [script], { reject: false });
  await Promise.race([client, sleep(stopAfterMs).then(() => writeFile(stop, ''))]);
  const out = await client;
  server.close();
  return parseStreamLog(spec, out.stdout, 'client log');
}

test('a healthy stream: opened to the backend that named itself, every line echoed, no event', async () => {
  const r = await run(1_000, () => undefined, 2_000);
  expect(r.backend).toBe('webpod9');
  expect(r.events).toEqual([]);
  expect(r.echoed).toBeGreaterThanOrEqual(3);
  expect(r.ended! - r.opened!).toBeGreaterThan(1.5);
});

test('a backend that stops echoing: one stall per unanswered line, then it goes on', async () => {
  const r = await run(3, () => undefined, 6_000);
  expect(r.echoed).toBe(3);
  expect(r.events.length).toBeGreaterThanOrEqual(1);
  expect(r.events.map((e) => e.kind), JSON.stringify(r.events)).toEqual(r.events.map(() => 'stall'));
  expect(r.events[0]!.seq).toBe(4);
});

test('a reset and a close end the stream, each with the line it was on', async () => {
  const reset = await run(2, (s) => s.resetAndDestroy());
  expect(reset.events.map((e) => [e.kind, e.seq])).toEqual([['reset', 3]]);
  expect(reset.echoed).toBe(2);
  const closed = await run(2, (s) => s.end());
  expect(closed.events.map((e) => [e.kind, e.seq])).toEqual([['closed', 3]]);
});

test('nothing listening: connect-failed, and no open', async () => {
  const spec = { name: 'NodePort', from: 'mypc', target: '127.0.0.1', port: 9 };
  const script = test.info().outputPath('client.sh');
  await writeFile(script, streamClientScript(spec, test.info().outputPath('stop')));
  const r = parseStreamLog(spec, (await execa('bash', [script])).stdout, 'log');
  expect([r.opened, r.events.map((e) => e.kind)]).toEqual([undefined, ['connect-failed']]);
});

test('a log line that is not an event is refused, naming the line', () => {
  const spec = { name: 'x', from: 'y', target: '10.0.0.1', port: 1 };
  expect(() => parseStreamLog(spec, '12.5 open webpod1\nhello\n', 'f.log')).toThrow('f.log: line 2: not "<time> <event> <detail>": "hello"');
  expect(() => parseStreamLog(spec, '12.5 teleported 3\n', 'f.log')).toThrow('f.log: line 1: unknown event "teleported"');
});

test('streams.json: a bad event kind or time is one clear message', () => {
  const ok = { streams: [{ name: 'a', from: 'b', target: '10.0.0.1', port: 7000, echoed: 3, events: [{ t: 1, kind: 'reset', seq: 4 }] }], marks: [{ t: 0.5, label: 'switching x' }] };
  expect(validateStreamsJson(ok, 'streams.json')).toBe(ok);
  const bad = structuredClone(ok);
  (bad.streams[0]!.events[0] as { kind: string }).kind = 'boom';
  expect(() => validateStreamsJson(bad, 'streams.json')).toThrow(/streams\.json: streams\[0\]\.events\[0\] needs a time t, a kind \(connect-failed, stall, reset, closed, write-failed\) and a whole seq/);
  expect(() => validateStreamsJson({ streams: [], marks: [{ t: -1, label: 'x' }] }, 'streams.json')).toThrow(/marks\[0\] needs a time t/);
});
