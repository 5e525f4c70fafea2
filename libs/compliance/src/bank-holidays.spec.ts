import { DateHolidaysCalendar, GovUkFeedCalendar } from './bank-holidays';

describe('UK bank holidays per nation (date-holidays, offline)', () => {
  const calendar = new DateHolidaysCalendar();

  it.each([
    ['england_wales', '2026-04-06', true], // Easter Monday
    ['scotland', '2026-04-06', false],
    ['scotland', '2026-01-02', true], // 2 January
    ['england_wales', '2026-01-02', false],
    ['scotland', '2026-11-30', true], // St Andrew's Day
    ['scotland', '2026-08-03', true], // Scottish summer bank holiday
    ['england_wales', '2026-08-31', true],
    ['northern_ireland', '2026-03-17', true], // St Patrick's Day
    ['northern_ireland', '2026-07-13', true], // Battle of the Boyne, substitute day
    ['england_wales', '2026-12-28', true], // Boxing Day substitute
    ['england_wales', '2026-11-23', false],
  ] as const)('%s %s -> %s', (nation, date, expected) => {
    expect(calendar.isBankHoliday(nation, date)).toBe(expected);
  });

  it('lists eight bank holidays a year in England and Wales for 2025 (from official figures)', () => {
    expect([...calendar.holidays('england_wales', 2025)].sort()).toEqual([
      '2025-01-01',
      '2025-04-18',
      '2025-04-21',
      '2025-05-05',
      '2025-05-26',
      '2025-08-25',
      '2025-12-25',
      '2025-12-26',
    ]);
  });

  it("lets an operator's gov.uk-format list replace the years it covers", () => {
    const feed = new GovUkFeedCalendar({ 'england-and-wales': { events: [{ date: '2026-06-15', title: 'Extra day' }] } }, calendar);
    expect(feed.isBankHoliday('england_wales', '2026-06-15')).toBe(true);
    expect(feed.isBankHoliday('england_wales', '2026-12-25')).toBe(false); // 2026 is covered by the feed alone
    expect(feed.isBankHoliday('england_wales', '2027-12-27')).toBe(true); // other years: the package
    expect(feed.isBankHoliday('scotland', '2026-11-30')).toBe(true);
    expect(() => new GovUkFeedCalendar({ scotland: { events: [{ date: '30/11/2026' }] } })).toThrow(/bad date/);
  });
});
