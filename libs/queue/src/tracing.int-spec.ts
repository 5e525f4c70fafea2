import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { deletePrefix, testQueuePrefix, testRedisUrl } from '@recoup/testing';
import { closeRedis, createRedis } from './redis';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

/** A loopback OTLP/HTTP collector: keeps every span posted to /v1/traces (JSON, as exporter-trace-otlp-http sends). */
async function startCollector(): Promise<{ server: Server; url: string; spans: OtlpSpan[] }> {
  const spans: OtlpSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
        };
        for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans };
}

describe('tracing across HTTP → BullMQ job → provider call, exported to a loopback OTLP collector', () => {
  it('shows the request, the queued job, its processing and the provider call as one trace, and logs carry its ids', async () => {
    const collector = await startCollector();
    const prefix = testQueuePrefix();
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', path.join(__dirname, '..', 'test', 'trace-scenario.ts')],
        {
          cwd: path.resolve(__dirname, '..', '..', '..'),
          env: {
            ...process.env,
            OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
            REDIS_URL: testRedisUrl(),
            QUEUE_PREFIX: prefix,
            TRACEPARENT: `00-${callerTrace}-00f067aa0ba902b7-01`,
            REQUEST_ID: 'req-trace-1',
          },
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      const { meta, lines } = JSON.parse(stdout) as { meta: Record<string, string>; lines: string[] };
      // The request id and the trace context travel in the job's data.
      expect(meta).toMatchObject({ request_id: 'req-trace-1', traceparent: expect.stringContaining(callerTrace) });

      const spans = collector.spans.filter((s) => s.traceId.toLowerCase() === callerTrace);
      const named = (name: string) => spans.find((s) => s.name === name);
      const server = named('POST /api/collections/escalate');
      const publish = named('notifications publish sms.send');
      const processJob = named('notifications process sms.send');
      const provider = named('twilio send');
      expect([server, publish, processJob, provider].map((s) => s?.name)).toEqual([
        'POST /api/collections/escalate',
        'notifications publish sms.send',
        'notifications process sms.send',
        'twilio send',
      ]);
      // One chain: the caller → our request → publish → process → provider call.
      expect(server?.parentSpanId).toBe('00f067aa0ba902b7');
      expect(publish?.parentSpanId).toBe(server?.spanId);
      expect(processJob?.parentSpanId).toBe(publish?.spanId);
      expect(provider?.parentSpanId).toBe(processJob?.spanId);
      // One log line for the job's outcome, with the request id and the trace and span ids.
      const outcome = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'job completed');
      expect(outcome).toHaveLength(1);
      expect(outcome[0]).toMatchObject({ requestId: 'req-trace-1', job: 'sms.send', outcome: 'completed', trace_id: callerTrace });
    } finally {
      collector.server.close();
      const redis = createRedis(testRedisUrl(), 'client');
      await deletePrefix(redis, prefix).catch(() => undefined);
      await closeRedis(redis);
    }
  }, 90_000);
});
