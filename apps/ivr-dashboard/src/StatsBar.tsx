import type { IvrCallStats } from '@recoup/contracts';
import { INTENT_COLOUR, money } from './format';

export function StatsBar({ stats }: { stats: IvrCallStats }) {
  const items: Array<{ id: string; label: string; value: string; colour?: string }> = [
    { id: 'total', label: 'Total calls', value: String(stats.total) },
    { id: 'willing', label: 'Willing to pay', value: String(stats.willing_to_pay), colour: INTENT_COLOUR.willing_to_pay },
    { id: 'negotiating', label: 'Negotiating', value: String(stats.needs_negotiation), colour: INTENT_COLOUR.needs_negotiation },
    { id: 'pending', label: 'Pending', value: String(stats.pending_clarification), colour: INTENT_COLOUR.unclear },
    { id: 'no-response', label: 'No response', value: String(stats.no_response), colour: INTENT_COLOUR.no_response },
    { id: 'agreed', label: 'Amount agreed', value: money(stats.amount_agreed) },
  ];
  return (
    <section className="stats" aria-label="Summary">
      {items.map((s) => (
        <div key={s.id} className="stat" style={s.colour ? { borderTopColor: s.colour } : undefined}>
          <div className="stat-value" data-testid={`stat-${s.id}`}>
            {s.value}
          </div>
          <div className="stat-label">{s.label}</div>
        </div>
      ))}
    </section>
  );
}
