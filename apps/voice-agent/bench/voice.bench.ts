/**
 * npm run bench:voice — 100 concurrent simulated calls on loopback through the Media Streams <->
 * Realtime bridge, in a child process of its own (so its CPU is measured alone). Per 20 ms frame:
 *   uplink   = Twilio `media` sent by the fake phone -> `input_audio_buffer.append` received by the fake OpenAI
 *   downlink = `response.output_audio.delta` sent by the fake OpenAI -> `media` received by the fake phone
 * Fake phones, bridge and fake OpenAI are three processes (timestamps travel inside the frames). Both
 * include two loopback hops; the same run measures a named baseline, "minimal relay" (the
 * Twilio sample's per-frame logic: JSON.parse, JSON.stringify, no marks, no barge-in, no
 * transcripts), so the difference is what our bridge adds. Options: --calls=100 --seconds=5 --rounds=3.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { CallModel } from '@recoup/db';
import { createLogger } from '@recoup/observability';
import { OpenAiRealtimeConnector } from '@recoup/providers/realtime-voice';
import { CallRegistry } from '../src/bridge/media-streams';
import type { CallTools } from '../src/calls/call-tools';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);

// ---------------------------------------------------------------- child: the bridge under test
async function runBridge(impl: 'ours' | 'baseline', openaiUrl: string, calls: number): Promise<void> {
  const server: Server = createServer((_req, res) => res.end());
  /** Frames our bridge dropped (backpressure, bounded pre-open buffer): a bridge that drops looks faster than it is. */
  let dropped = () => 0;
  if (impl === 'ours') {
    const logger = createLogger({ service: 'bench', level: 'silent' });
    const registry = new CallRegistry({
      connector: new OpenAiRealtimeConnector({ apiKey: 'sk-bench', baseUrl: openaiUrl, model: 'gpt-realtime' }),
      tools: { run: async () => ({ ok: true, message: 'ok' }) } as unknown as CallTools,
      logger,
      voice: 'sage',
      maxCallSeconds: 3600,
      saveTurn: async () => undefined,
      onEnded: async () => undefined,
      hangup: async () => undefined,
      claimStream: async (callId) =>
        ({
          id: callId,
          kind: 'ai',
          params: { instructions: 'bench' },
          providerCallSid: null,
          endedAt: null,
          outcome: null,
        }) as unknown as CallModel,
      loadCall: async () => null,
      verifyUpgrade: () => true, // the bench measures the bridge's frames, not the handshake
    });
    registry.attach(server, logger);
    dropped = () => {
      let n = 0;
      for (let c = 0; c < calls; c++) n += registry.get(`call-${c}`)?.result.droppedAudioFrames ?? 0;
      return n;
    };
  } else {
    const wss = new WebSocketServer({ server, path: '/media-stream', perMessageDeflate: false });
    wss.on('connection', (twilio) => {
      const openai = new WebSocket(`${openaiUrl.replace('http', 'ws')}/v1/realtime?model=gpt-realtime`, {
        headers: { Authorization: 'Bearer sk-bench' },
        perMessageDeflate: false,
      });
      let streamSid = '';
      const early: string[] = [];
      openai.on('open', () => {
        openai.send(
          JSON.stringify({
            type: 'session.update',
            session: { type: 'realtime', audio: { input: { format: { type: 'audio/pcmu' } }, output: { format: { type: 'audio/pcmu' } } } },
          }),
        );
        for (const m of early) openai.send(m);
      });
      twilio.on('message', (raw) => {
        const msg = JSON.parse(raw.toString()) as { event: string; start?: { streamSid: string }; media?: { payload: string } };
        if (msg.event === 'start' && msg.start) streamSid = msg.start.streamSid;
        else if (msg.event === 'media' && msg.media) {
          const out = JSON.stringify({ type: 'input_audio_buffer.append', audio: msg.media.payload });
          if (openai.readyState === openai.OPEN) openai.send(out);
          else early.push(out);
        }
      });
      openai.on('message', (raw) => {
        const ev = JSON.parse(raw.toString()) as { type: string; delta?: string };
        if (ev.type === 'response.output_audio.delta' && ev.delta)
          twilio.send(JSON.stringify({ event: 'media', streamSid, media: { payload: ev.delta } }));
      });
      twilio.on('close', () => openai.close());
      openai.on('close', () => twilio.close());
    });
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  let cpuStart = process.cpuUsage();
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'cpu-start') cpuStart = process.cpuUsage();
    if (m.cmd === 'cpu-stop') {
      const d = process.cpuUsage(cpuStart);
      process.send?.({ cpuMicros: d.user + d.system, dropped: dropped() });
    }
  });
  process.send?.({ port: (server.address() as AddressInfo).port });
}

// ---------------------------------------------------------------- fake OpenAI (its own process)
/** Absolute wall time in ms with sub-ms precision, comparable across processes on one machine. */
const now = () => performance.timeOrigin + performance.now();

/** A 160-byte mu-law frame carrying its send time (bytes 0-7) so the receiver, in another process, can time it. */
function frame(sentAt: number): string {
  const b = Buffer.alloc(160, 0xff);
  b.writeDoubleBE(sentAt, 0);
  return b.toString('base64');
}
function sentAtOf(b64: string): number {
  return Buffer.from(b64.slice(0, 12), 'base64').readDoubleBE(0);
}

async function runFakeOpenAi(): Promise<void> {
  const up: number[] = [];
  let measuring = false;
  const timers: NodeJS.Timeout[] = [];
  const oa = createServer();
  const oaWss = new WebSocketServer({ server: oa, perMessageDeflate: false });
  oaWss.on('connection', (ws) => {
    let streaming = false;
    ws.on('message', (raw) => {
      const text = raw.toString();
      if (!text.startsWith('{"type":"input_audio_buffer.append"')) return;
      const at = text.indexOf('"audio":"') + 9;
      if (measuring) up.push(now() - sentAtOf(text.slice(at, at + 12)));
      if (!streaming) {
        streaming = true;
        // One 20 ms agent frame every 20 ms, like a response being spoken.
        timers.push(
          setInterval(
            () =>
              ws.send(
                '{"type":"response.output_audio.delta","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"' +
                  frame(now()) +
                  '"}',
              ),
            20,
          ),
        );
      }
    });
  });
  await new Promise<void>((r) => oa.listen(0, '127.0.0.1', r));
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'start') measuring = true;
    if (m.cmd === 'stop') {
      measuring = false;
      for (const t of timers) clearInterval(t);
      process.send?.({ up });
    }
  });
  process.send?.({ url: `http://127.0.0.1:${(oa.address() as AddressInfo).port}` });
}

// ---------------------------------------------------------------- parent: the fake phones
interface Stats {
  up: number[];
  down: number[];
}

function child(args: string[]): ChildProcess {
  return fork(__filename, args, { execArgv: process.execArgv, stdio: 'inherit' });
}
const nextMessage = <T>(c: ChildProcess) => new Promise<T>((r) => c.once('message', (m) => r(m as T)));

async function runLoad(
  impl: 'ours' | 'baseline',
  calls: number,
  seconds: number,
): Promise<{ stats: Stats; cpuMicros: number; measuredMs: number; dropped: number }> {
  const stats: Stats = { up: [], down: [] };
  let measuring = false;
  const timers: NodeJS.Timeout[] = [];
  const openaiProc = child(['--role=openai']);
  const { url: openaiUrl } = await nextMessage<{ url: string }>(openaiProc);
  const bridgeProc = child(['--role=bridge', `--impl=${impl}`, `--openai=${openaiUrl}`, `--calls=${calls}`]);
  const { port } = await nextMessage<{ port: number }>(bridgeProc);

  // Fake phones: one Media Streams socket per call, a frame every 20 ms, marks echoed at once.
  const sockets: WebSocket[] = [];
  for (let c = 0; c < calls; c++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/media-stream`, { perMessageDeflate: false });
    sockets.push(ws);
    await new Promise((r) => ws.once('open', r));
    const streamSid = `MZ${c}`;
    ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    ws.send(
      JSON.stringify({
        event: 'start',
        sequenceNumber: '1',
        streamSid,
        start: {
          streamSid,
          callSid: `CA${c}`,
          customParameters: { call_id: `call-${c}`, token: 't' },
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      }),
    );
    ws.on('message', (raw) => {
      const text = raw.toString();
      if (text.startsWith('{"event":"media"')) {
        const at = text.indexOf('"payload":"') + 11;
        if (measuring) stats.down.push(now() - sentAtOf(text.slice(at, at + 12)));
      } else if (text.startsWith('{"event":"mark"')) {
        const at = text.indexOf('"name":"') + 8;
        ws.send(
          '{"event":"mark","sequenceNumber":"0","streamSid":"' +
            streamSid +
            '","mark":{"name":"' +
            text.slice(at, text.indexOf('"', at)) +
            '"}}',
        );
      }
    });
    let seq = 0;
    // Staggered starts, like real calls: not every frame of every call in the same millisecond.
    setTimeout(
      () => {
        timers.push(
          setInterval(() => {
            seq++;
            ws.send(
              '{"event":"media","sequenceNumber":"' +
                seq +
                '","media":{"track":"inbound","chunk":"' +
                seq +
                '","timestamp":"' +
                seq * 20 +
                '","payload":"' +
                frame(now()) +
                '"},"streamSid":"' +
                streamSid +
                '"}',
            );
          }, 20),
        );
      },
      (c * 20) / calls,
    );
  }
  await new Promise((r) => setTimeout(r, 2000)); // warm-up
  bridgeProc.send({ cmd: 'cpu-start' });
  openaiProc.send({ cmd: 'start' });
  measuring = true;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const measuredMs = performance.now() - started;
  bridgeProc.send({ cmd: 'cpu-stop' });
  openaiProc.send({ cmd: 'stop' });
  const [{ cpuMicros, dropped }, { up }] = await Promise.all([
    nextMessage<{ cpuMicros: number; dropped: number }>(bridgeProc),
    nextMessage<{ up: number[] }>(openaiProc),
  ]);
  stats.up = up;
  for (const t of timers) clearInterval(t);
  for (const s of sockets) s.terminate();
  for (const p of [bridgeProc, openaiProc]) {
    p.kill();
    await new Promise((r) => p.once('exit', r));
  }
  return { stats, cpuMicros, measuredMs, dropped };
}

function pct(values: number[], p: number): number {
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function main(): Promise<void> {
  const calls = arg('calls', 100);
  const seconds = arg('seconds', 5);
  const rounds = arg('rounds', 3);
  console.log(
    `bench:voice — ${calls} concurrent calls, ${rounds} interleaved rounds of ${seconds} s per bridge (after a 2 s warm-up each), 20 ms frames both ways, loopback; node ${process.version}, ${new Date().toISOString()}`,
  );
  // Interleaved rounds (baseline, ours, baseline, ours...) so drift in machine load hits both alike.
  const all: Record<'ours' | 'baseline', { stats: Stats; cpuMicros: number; measuredMs: number; dropped: number }> = {
    ours: { stats: { up: [], down: [] }, cpuMicros: 0, measuredMs: 0, dropped: 0 },
    baseline: { stats: { up: [], down: [] }, cpuMicros: 0, measuredMs: 0, dropped: 0 },
  };
  for (let round = 0; round < rounds; round++) {
    for (const impl of ['baseline', 'ours'] as const) {
      const r = await runLoad(impl, calls, seconds);
      const acc = all[impl];
      for (const v of r.stats.up) acc.stats.up.push(v);
      for (const v of r.stats.down) acc.stats.down.push(v);
      acc.cpuMicros += r.cpuMicros;
      acc.measuredMs += r.measuredMs;
      acc.dropped += r.dropped;
    }
  }
  const rows: Array<Record<string, string | number>> = [];
  for (const impl of ['baseline', 'ours'] as const) {
    const r = all[impl];
    const cpuPerCall = r.cpuMicros / 1000 / calls / (r.measuredMs / 1000); // ms CPU per call-second
    for (const dir of ['up', 'down'] as const) {
      const v = r.stats[dir];
      rows.push({
        bridge: impl === 'ours' ? 'voice-agent bridge' : 'minimal relay (baseline)',
        direction: dir === 'up' ? 'uplink' : 'downlink',
        frames: v.length,
        p50_ms: +pct(v, 50).toFixed(3),
        p99_ms: +pct(v, 99).toFixed(3),
        max_ms: +pct(v, 100).toFixed(3),
        cpu_ms_per_call_s: +cpuPerCall.toFixed(3),
        cpu_pct_core_per_call: +(cpuPerCall / 10).toFixed(3),
      });
    }
  }
  console.table(rows);
  for (const dir of ['up', 'down'] as const) {
    const o99 = pct(all.ours.stats[dir], 99);
    const b99 = pct(all.baseline.stats[dir], 99);
    console.log(
      `${dir === 'up' ? 'uplink  ' : 'downlink'}: p99 ${o99.toFixed(2)} ms (goal < 5 ms: ${o99 < 5 ? 'met' : 'NOT met'}); baseline p99 ${b99.toFixed(2)} ms; ratio ${(o99 / b99).toFixed(2)}x`,
    );
  }
  console.log(`frames the bridge dropped (backpressure, pre-open bound): ${all.ours.dropped}`);
  console.log(
    `CPU per call: ${(all.ours.cpuMicros / all.ours.measuredMs / (all.baseline.cpuMicros / all.baseline.measuredMs)).toFixed(2)}x the baseline's`,
  );
}

const role = process.argv.find((a) => a.startsWith('--role='))?.split('=')[1];
if (role === 'openai') {
  void runFakeOpenAi();
} else if (role === 'bridge') {
  const impl = (process.argv.find((a) => a.startsWith('--impl='))?.split('=')[1] ?? 'ours') as 'ours' | 'baseline';
  const openai = process.argv.find((a) => a.startsWith('--openai='))?.slice('--openai='.length) ?? '';
  void runBridge(impl, openai, arg('calls', 100));
} else {
  main().then(
    () => process.exit(0),
    (err: Error) => {
      console.error(err);
      process.exit(1);
    },
  );
}
