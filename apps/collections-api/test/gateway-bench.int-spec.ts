import { runGatewayBench } from '../bench/gateway.bench';

// A smoke run of `npm run bench:gateway` (a few hundred requests, a few escalations, no thresholds): the benchmark keeps
// working as the gateway changes. It starts the gateway and a bare Express as processes, as the benchmark does.
describe('bench:gateway smoke', () => {
  it('measures the read route against bare Express and the escalation CPU, and prints the ratios', async () => {
    const lines: string[] = [];
    const result = await runGatewayBench({ durationS: 1, requests: 200, rounds: 1, rate: 200, escalations: 3, log: (l) => lines.push(l) });
    expect(result.gatewayMax.rps).toBeGreaterThan(0);
    expect(result.bareMax.rps).toBeGreaterThan(0);
    expect(result.gatewayMax.non2xx).toBe(0);
    expect(result.escalationsQueued).toBe(3);
    expect(Number.isFinite(result.escalationCpuMs)).toBe(true);
    const text = lines.join('\n');
    expect(text).toMatch(/gateway \/ bare throughput: [\d.]+%/);
    expect(text).toMatch(/p99 at 200 req\/s: .* = [\d.]+x/);
    expect(text).toMatch(/escalation: [\d.]+ ms gateway CPU each/);
  }, 240_000);
});
