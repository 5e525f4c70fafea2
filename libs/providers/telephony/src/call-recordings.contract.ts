import type { CallRecordings } from './call-recordings.port';

/** What every CallRecordings adapter honours; `recordingOf()` makes a recording the provider holds. */
export function callRecordingsContract(
  name: string,
  setup: () => Promise<{ recordings: CallRecordings; recordingOf: () => Promise<string>; close?: () => Promise<void> }>,
): void {
  describe(`CallRecordings contract: ${name}`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    beforeAll(async () => (ctx = await setup()));
    afterAll(() => ctx.close?.());

    it('deletes a recording it holds, and a second deletion is already_gone (a success)', async () => {
      const sid = await ctx.recordingOf();
      await expect(ctx.recordings.deleteRecording(sid)).resolves.toBe('deleted');
      await expect(ctx.recordings.deleteRecording(sid)).resolves.toBe('already_gone');
    });

    it('refuses something that is not a recording sid without calling the provider', async () => {
      await expect(ctx.recordings.deleteRecording('CA' + '1'.repeat(32))).rejects.toThrow(/recording sid/);
    });
  });
}
