import type { CalleeScript } from '@recoup/testing';

/** Scripted debtors (text turns carried as mu-law "speech" through the real bridge). */
export const DEBTOR_SCRIPTS: Record<string, CalleeScript> = {
  promise: {
    answer: 'human',
    turns: [
      { say: 'Hello, speaking.' },
      { say: 'Can you text me the link?' },
      { say: "Yes. I'll pay on Friday." },
      { say: 'No, that is all. Goodbye.' },
    ],
    hangUpWhenDone: true,
  },
  plan: {
    answer: 'human',
    turns: [
      { say: 'Yes, this is me.' },
      { say: 'I cannot pay it all at once. Could I pay in monthly instalments?' },
      { say: 'Thank you, goodbye.' },
    ],
    hangUpWhenDone: true,
  },
  dispute: {
    answer: 'human',
    turns: [{ say: 'Speaking.' }, { say: 'I dispute this invoice, we never ordered it.' }],
    hangUpWhenDone: true,
  },
  'opt-out': { answer: 'human', turns: [{ say: 'Who is this?' }, { say: 'Please stop calling me.' }], hangUpWhenDone: true },
  callback: {
    answer: 'human',
    turns: [{ say: 'Hello?' }, { say: 'I am busy right now, can you call me back tomorrow?' }, { say: 'Goodbye.' }],
    hangUpWhenDone: true,
  },
  'barge-in': {
    answer: 'human',
    turns: [{ say: 'Hello, speaking.' }, { say: 'Sorry, who did you say you were?', interruptAfterMs: 400 }, { say: 'Goodbye.' }],
    hangUpWhenDone: true,
  },
  'no-answer': { answer: 'no-answer', turns: [] },
  voicemail: { answer: 'machine', turns: [] },
};
