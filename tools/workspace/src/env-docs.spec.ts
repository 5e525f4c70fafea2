import { declaredVariables, envExampleVariables, read } from './files';

describe('environment documentation', () => {
  it('.env.example documents every variable a service declares', () => {
    const documented = envExampleVariables();
    expect([...declaredVariables()].filter((v) => !documented.has(v))).toEqual([]);
  });

  it("the README's variable table mirrors .env.example", () => {
    const readme = read('README.md');
    const table = new Set([...readme.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((m) => m[1]!));
    const documented = envExampleVariables();
    expect([...documented].filter((v) => !table.has(v))).toEqual([]);
    expect([...table].filter((v) => !documented.has(v))).toEqual([]);
  });

  it("the README's quick start is the two commands, and .ci/run calls npm test", () => {
    const readme = read('README.md');
    expect(readme).toMatch(/```(sh|bash)\nnpm start\n```/);
    expect(readme).toMatch(/```(sh|bash)\nnpm test\n```/);
    expect(read('.ci/run')).toMatch(/^npm test$/m);
  });
});
