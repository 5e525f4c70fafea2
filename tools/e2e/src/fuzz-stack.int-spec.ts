import { fuzzStack } from './fuzz.cli';

/** A small run of `npm run fuzz` in CI: every public route of the five services, hostile input, no 5xx. */
describe('hostile input against the whole stack', () => {
  it('answers every malformed or hostile request with a non-5xx and keeps every service up', async () => {
    const { report, crashed } = await fuzzStack({ perRoute: 8, log: () => undefined });
    expect(report.routes).toBeGreaterThan(100);
    expect(report.requests).toBeGreaterThan(2_000);
    expect(report.serverErrors.map((f) => `${f.status} ${f.target} ${f.method} ${f.path} [${f.label}]`)).toEqual([]);
    expect(report.connectionErrors).toEqual([]);
    expect(report.unhealthyAfter).toEqual([]);
    expect(crashed).toEqual([]);
  }, 240_000);
});
