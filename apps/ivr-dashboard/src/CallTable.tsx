import { Fragment, useState } from 'react';
import type { IvrCallView } from '@recoup/contracts';
import { INTENT_COLOUR, INTENT_LABEL, STATUS_LABEL, money, planText, when } from './format';

export function IntentBadge({ call }: { call: IvrCallView }) {
  if (!call.intent) {
    return (
      <span className="badge" data-testid="intent-badge" data-intent="none" style={{ background: INTENT_COLOUR.no_response }}>
        {STATUS_LABEL[call.status]}
      </span>
    );
  }
  return (
    <span className="badge" data-testid="intent-badge" data-intent={call.intent} style={{ background: INTENT_COLOUR[call.intent] }}>
      {INTENT_LABEL[call.intent]}
    </span>
  );
}

function Transcript({ call }: { call: IvrCallView }) {
  return (
    <div className="transcript" data-testid={`transcript-${call.id}`}>
      <ol>
        {call.transcript.map((turn, i) => (
          <li key={i} className={turn.speaker}>
            <span className="who">{turn.speaker === 'agent' ? 'IVR' : 'Customer'}</span>
            <span className="said">{turn.text || <em>(silence)</em>}</span>
            {turn.intent && (
              <span className="meta">
                {INTENT_LABEL[turn.intent]} · {turn.confidence ?? '?'}% · {turn.classifier}
                {turn.note ? ` (${turn.note})` : ''}
              </span>
            )}
          </li>
        ))}
      </ol>
      <p className="details">
        Retries: {call.retry_count} · Classifier: {call.classifier ?? '—'} · Confirmation: {call.confirmation_response ?? '—'}
      </p>
    </div>
  );
}

export function CallTable({ calls }: { calls: IvrCallView[] }) {
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  if (calls.length === 0) return <p className="empty">No calls match these filters yet.</p>;
  return (
    <table className="calls" data-testid="calls-table">
      <thead>
        <tr>
          <th>When</th>
          <th>Customer</th>
          <th>Phone</th>
          <th>Balance</th>
          <th>Intent</th>
          <th>Status</th>
          <th>Plan</th>
          <th>Confidence</th>
        </tr>
      </thead>
      <tbody>
        {calls.map((call) => (
          <Fragment key={call.id}>
            <tr
              className="call-row"
              data-testid="call-row"
              data-call-id={call.id}
              aria-expanded={open.has(call.id)}
              onClick={() => toggle(call.id)}
            >
              <td>{when(call.created_at)}</td>
              <td>{call.customer_name ?? '—'}</td>
              <td>{call.caller_phone}</td>
              <td>{money(call.balance, call.currency)}</td>
              <td>
                <IntentBadge call={call} />
              </td>
              <td>{STATUS_LABEL[call.status]}</td>
              <td>{planText(call)}</td>
              <td>{call.confidence === null ? '—' : `${call.confidence}%`}</td>
            </tr>
            {open.has(call.id) && (
              <tr className="transcript-row">
                <td colSpan={8}>
                  <Transcript call={call} />
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}
