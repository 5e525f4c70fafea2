import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedAnthropicRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** What the fake answers: a tool call with this input, a raw Messages API body, an HTTP error, or no answer at all. */
export type AnthropicFakeReply =
  | { toolInput: unknown; toolName?: string }
  | { message: Record<string, unknown> }
  | { status: number; error: { type: string; message: string } }
  | { hang: true };

export type AnthropicFakeHandler = (request: RecordedAnthropicRequest) => AnthropicFakeReply;

/**
 * A loopback fake of Anthropic's Messages API (`POST /v1/messages`) for the official SDK's
 * `baseURL`. It records every request and answers with what the test's handler says.
 */
export class FakeAnthropicMessages {
  readonly requests: RecordedAnthropicRequest[] = [];
  private handler: AnthropicFakeHandler = () => ({
    toolInput: { intent: 'unclear', confidence: 50, wants_repeat: false, wants_specialist: false, monthly_amount_offered: null },
  });
  private readonly hanging = new Set<ServerResponse>();
  private server?: Server;
  url = '';

  static async start(): Promise<FakeAnthropicMessages> {
    const fake = new FakeAnthropicMessages();
    await fake.listen();
    return fake;
  }

  respondWith(handler: AnthropicFakeHandler): void {
    this.handler = handler;
  }

  private async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.answer(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private answer(req: IncomingMessage, res: ServerResponse, raw: string): void {
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      body = {};
    }
    const recorded = { path: req.url ?? '', headers: req.headers, body };
    this.requests.push(recorded);
    if (req.method !== 'POST' || !recorded.path.startsWith('/v1/messages')) {
      return this.send(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no route ${req.method} ${recorded.path}` } });
    }
    const reply = this.handler(recorded);
    if ('hang' in reply) {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    if ('status' in reply) return this.send(res, reply.status, { type: 'error', error: reply.error });
    if ('message' in reply) return this.send(res, 200, reply.message);
    const tools = (body.tools as Array<{ name: string }> | undefined) ?? [];
    this.send(res, 200, {
      id: `msg_fake_${this.requests.length}`,
      type: 'message',
      role: 'assistant',
      model: body.model ?? 'claude-fake',
      content: [
        {
          type: 'tool_use',
          id: `toolu_fake_${this.requests.length}`,
          name: reply.toolName ?? tools[0]?.name ?? 'tool',
          input: reply.toolInput,
        },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 10 },
    });
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_fake_${this.requests.length}` });
    res.end(JSON.stringify(body));
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
