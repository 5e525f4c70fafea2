import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  FakeOpenAiRealtimeServer,
  FakeTwilioVoice,
  FakeTwilioVoiceApi,
  SendGridFake,
  TwilioMessagingFake,
  type CalleeScript,
  type FakeDialledCall,
} from '@recoup/testing';

export const FAKE_TWILIO_ACCOUNT_SID = 'AC' + 'e2'.repeat(16);
export const FAKE_FROM_NUMBER = '+441615550199';

/**
 * Twilio is one API origin for calls and messages; the repo has one fake per resource. This
 * routes Messages.json to the messaging fake and everything else to the voice API fake.
 */
class TwilioRouter {
  private server?: Server;
  constructor(
    private readonly messagesOrigin: string,
    private readonly callsOrigin: string,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const target = /\/Messages(\/[^/]+)?\.json/.test(req.url ?? '') ? this.messagesOrigin : this.callsOrigin;
      const upstream = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/**
 * Every external provider the platform talks to, as loopback fakes in this process: SendGrid,
 * Twilio (messages, calls and the phone network with scripted debtors) and OpenAI Realtime.
 * The services run their real SDK adapters against them (`*_MODE=live`), so what the fakes count
 * is what a provider would have received.
 */
export class FakeProviders {
  private constructor(
    readonly sendgrid: SendGridFake,
    readonly sms: TwilioMessagingFake,
    readonly phone: FakeTwilioVoice,
    private readonly callsApi: FakeTwilioVoiceApi,
    readonly openai: FakeOpenAiRealtimeServer,
    private readonly twilio: TwilioRouter,
  ) {}

  /** `scriptFor` picks each debtor's behaviour on the phone by the number dialled. */
  static async start(options: {
    twilioAuthToken: string;
    scriptFor: (call: FakeDialledCall) => CalleeScript;
    frameMs?: number;
  }): Promise<FakeProviders> {
    const sendgrid = await SendGridFake.start();
    const sms = await TwilioMessagingFake.start();
    const phone = new FakeTwilioVoice({
      authToken: options.twilioAuthToken,
      accountSid: FAKE_TWILIO_ACCOUNT_SID,
      frameMs: options.frameMs ?? 5,
      turnGapMs: 300,
      script: options.scriptFor,
    });
    const callsApi = await new FakeTwilioVoiceApi(phone).start();
    const openai = await new FakeOpenAiRealtimeServer({ silenceFrames: 10 }).start();
    const twilio = await new TwilioRouter(sms.url, callsApi.url).start();
    return new FakeProviders(sendgrid, sms, phone, callsApi, openai, twilio);
  }

  /** Environment that puts every service's provider adapters on these fakes. */
  env(): NodeJS.ProcessEnv {
    return {
      TWILIO_MODE: 'live',
      TWILIO_ACCOUNT_SID: FAKE_TWILIO_ACCOUNT_SID,
      TWILIO_FROM_NUMBER: FAKE_FROM_NUMBER,
      TWILIO_API_BASE_URL: this.twilio.url,
      SENDGRID_MODE: 'live',
      SENDGRID_API_KEY: 'SG.e2e-fake-key',
      SENDGRID_FROM_EMAIL: 'collections@recoup.example',
      SENDGRID_API_BASE_URL: this.sendgrid.url,
      OPENAI_MODE: 'live',
      OPENAI_API_KEY: 'sk-e2e-fake',
      OPENAI_BASE_URL: this.openai.url,
      STRIPE_MODE: 'sandbox',
      ANTHROPIC_MODE: 'sandbox',
    };
  }

  async stop(): Promise<void> {
    this.phone.close();
    await Promise.all([this.callsApi.stop(), this.openai.stop(), this.twilio.stop(), this.sendgrid.close(), this.sms.close()]);
  }
}
