import type { CalleeScript } from '@recoup/testing';

/** The debtor's answer to the identity question (the simulator's debtors have this postcode on file). */
const IDENTITY = { say: 'Yes, my postcode is SW1A 1AA.' };

/** Scripted debtors (text turns carried as mu-law "speech" through the real bridge). */
export const DEBTOR_SCRIPTS: Record<string, CalleeScript> = {
  promise: {
    answer: 'human',
    turns: [
      { say: 'Hello, speaking.' },
      IDENTITY,
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
      IDENTITY,
      { say: 'I cannot pay it all at once. Could I pay in monthly instalments?' },
      { say: 'Thank you, goodbye.' },
    ],
    hangUpWhenDone: true,
  },
  // The dispute is the debtor's last words before hanging up.
  dispute: {
    answer: 'human',
    turns: [{ say: 'Speaking.' }, { say: 'I dispute this invoice, we never ordered it.' }],
    hangUpWhenDone: true,
    hangUpAtOnce: true,
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
  voicemail: { answer: 'machine', turns: [], machineGreeting: 'Hi, you have reached John. Leave a message after the tone.' },
  // Someone else answers: a polite call-back request, nothing about the debt.
  'wrong-person': { answer: 'human', turns: [{ say: 'Hello?' }, { say: 'Sorry, wrong number.' }], hangUpWhenDone: true },
  // The debtor objects to the recording notice: the recording is stopped, the call goes on unrecorded.
  'consent-refused': {
    answer: 'human',
    turns: [{ say: 'Hello, speaking.' }, { say: 'Please do not record this call.' }, { say: 'No, that is all. Goodbye.' }],
    hangUpWhenDone: true,
  },
  vulnerability: {
    answer: 'human',
    turns: [{ say: 'Hello, speaking.' }, IDENTITY, { say: 'I lost my job last month and I am struggling.' }],
    hangUpWhenDone: true,
  },
  transfer: {
    answer: 'human',
    turns: [{ say: 'Hello, speaking.' }, { say: 'Can I speak to a real person, please?' }],
    hangUpWhenDone: true,
  },
};

/** The creditor number the transfer script's tenant has configured. */
export const TRANSFER_PHONE = '+442071234567';

/** What each script's call must end as (the CI test and `npm run call-sim` check it). */
export const EXPECTED_OUTCOMES: Record<string, string> = {
  promise: 'payment_promised',
  plan: 'payment_plan_agreed',
  dispute: 'disputed',
  'opt-out': 'opted_out',
  callback: 'callback_requested',
  'no-answer': 'no_answer',
  voicemail: 'voicemail',
  'wrong-person': 'refused',
  'consent-refused': 'refused',
  vulnerability: 'vulnerable',
  transfer: 'transferred',
};

/** Per-script set-up of the creditor (the transfer script's tenant has a number to put the debtor through to). */
export const SCRIPT_SETUP: Record<string, { transferPhone?: string }> = {
  transfer: { transferPhone: TRANSFER_PHONE },
};
