import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { securityHeaders } from './security-headers';

describe('securityHeaders', () => {
  it('sets exactly the headers helmet sets with the same options', async () => {
    const options = { contentSecurityPolicy: { directives: { 'style-src': ["'self'", "'unsafe-inline'"], 'form-action': ["'self'"] } } };
    const withHelmet = express()
      .use(helmet(options))
      .get('/', (_req, res) => res.send('ok'));
    const withOurs = express()
      .use(securityHeaders(options))
      .get('/', (_req, res) => res.send('ok'));
    const [a, b] = await Promise.all([request(withHelmet).get('/'), request(withOurs).get('/')]);
    const pick = (h: Record<string, unknown>) => {
      const { date: _date, etag: _etag, 'x-powered-by': _xpb, ...rest } = h;
      return rest;
    };
    expect(pick(b.headers)).toEqual(pick(a.headers));
    expect(b.headers['content-security-policy']).toContain("form-action 'self'");
    expect(b.headers['strict-transport-security']).toBeDefined();
  });
});
