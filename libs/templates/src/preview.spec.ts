import { buildPreviewHtml } from './preview';
import { templateIds } from './template-catalog';

describe('templates preview', () => {
  it('renders every template for both audiences on one page', () => {
    const { html, count, sms } = buildPreviewHtml();
    expect(count).toBe(templateIds().length * 2);
    for (const id of templateIds()) {
      expect(html).toContain(`id="${id}.business"`);
      expect(html).toContain(`id="${id}.consumer"`);
    }
    expect(sms.every((s) => s.segments <= s.budget)).toBe(true);
  });
});
