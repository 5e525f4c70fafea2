import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { E164 } from '@recoup/contracts';
import type { FakeTwilioVoice } from './twilio-voice-fake';
import { OpenApiContract, assertNoViolations, fieldsOf } from '../vendor-contract/openapi-contract';

/**
 * Twilio's Calls (and Recordings DELETE) REST resources on loopback, in front of a FakeTwilioVoice: a service
 * running the real Twilio adapter (TWILIO_MODE=live, TWILIO_API_BASE_URL=this) places calls the fake then drives,
 * and deletes the recordings those calls made.
 */
export class FakeTwilioVoiceApi {
  readonly requests: Array<{ method: string; path: string; form: URLSearchParams }> = [];
  /** Requests and answers that broke Twilio's own API description (libs/testing/vendor-specs); each request got Twilio's 400. */
  readonly violations: string[] = [];
  private readonly contract = OpenApiContract.load('twilio');
  private server?: Server;

  constructor(private readonly voice: FakeTwilioVoice) {}

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(port, '127.0.0.1', r));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const c of req) body += c;
    const form = new URLSearchParams(body);
    const path = (req.url ?? '').split('?')[0] ?? '';
    this.requests.push({ method: req.method ?? '', path, form });
    const method = req.method ?? '';
    const invalid = this.contract.checkRequest({
      method,
      path,
      query: new URL(req.url ?? '', 'http://fake').searchParams,
      body: method === 'POST' ? fieldsOf(form) : undefined,
      contentType: req.headers['content-type'],
    });
    if (invalid.length > 0) {
      this.violations.push(...invalid);
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 21601, message: invalid.join('; '), status: 400 }));
      return;
    }
    const json = (status: number, payload: unknown) => {
      const wrong = this.contract.checkResponse(method, path, status, payload);
      this.violations.push(...wrong.map((w) => `fake answer: ${w}`));
      res.writeHead(wrong.length > 0 ? 500 : status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(wrong.length > 0 ? { message: wrong.join('; ') } : payload));
    };
    const create = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Calls\.json$/i.exec(path);
    if (req.method === 'POST' && create) {
      const to = form.get('To');
      const url = form.get('Url');
      const statusCallback = form.get('StatusCallback');
      if (!to || !E164.safeParse(to).success || !url || !statusCallback)
        return json(400, { code: 21211, message: "The 'To' number is not a valid phone number.", status: 400 });
      const callSid = 'CA' + randomBytes(16).toString('hex');
      const amd = form.get('AsyncAmdStatusCallback');
      this.voice.dial({
        callSid,
        to,
        from: form.get('From') ?? '+441000000000',
        answerUrl: url,
        statusCallbackUrl: statusCallback,
        machineDetection:
          form.get('MachineDetection') && amd
            ? { mode: 'async', callbackUrl: amd, detectMessageEnd: form.get('MachineDetection') === 'DetectMessageEnd' }
            : undefined,
        record: form.get('Record') === 'true',
        timeLimitSeconds: form.get('TimeLimit') ? Number(form.get('TimeLimit')) : undefined,
        idempotencyKey: callSid,
      });
      return json(201, { sid: callSid, account_sid: create[1], status: 'queued', to, from: form.get('From') });
    }
    const update = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Calls\/(CA[0-9a-f]{32})\.json$/i.exec(path);
    if (req.method === 'POST' && update?.[2]) {
      if (form.get('Status') === 'completed') await this.voice.hangup(update[2]);
      else if (form.get('Twiml')) await this.voice.redirect(update[2], form.get('Twiml') ?? '');
      return json(200, { sid: update[2], status: form.get('Status') ?? 'in-progress' });
    }
    // CreateCallRecording / UpdateCallRecording (Twilio OpenAPI 2010-04-01): start, pause, resume or stop a live recording.
    const callRecordings =
      /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Calls\/(CA[0-9a-f]{32})\/Recordings(?:\/(RE[0-9a-f]{32}|Twilio\.CURRENT))?\.json$/i.exec(
        path,
      );
    if (req.method === 'POST' && callRecordings?.[2]) {
      const [, account, callSid, recordingSid] = callRecordings as unknown as [string, string, string, string | undefined];
      if (!recordingSid) {
        if (!this.voice.calls.has(callSid)) return json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
        const sid = this.voice.startRecording(callSid);
        return json(201, { sid, account_sid: account, call_sid: callSid, status: 'in-progress', channels: 2 });
      }
      const status = form.get('Status');
      if (status !== 'paused' && status !== 'in-progress' && status !== 'stopped')
        return json(400, { code: 21220, message: 'Invalid Status', status: 400 });
      if (!this.voice.setRecordingStatus(callSid, recordingSid, status))
        return json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
      return json(200, { sid: recordingSid, account_sid: account, call_sid: callSid, status });
    }
    // DeleteRecording (Twilio OpenAPI 2010-04-01): 204 with no body; an unknown or already deleted recording is 404 / 20404.
    const recording = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Recordings\/(RE[0-9a-f]{32})\.json$/i.exec(path);
    if (req.method === 'DELETE' && recording?.[2] && this.voice.deleteRecording(recording[2])) {
      res.writeHead(204);
      return void res.end();
    }
    json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    assertNoViolations('Twilio', this.violations);
  }
}
