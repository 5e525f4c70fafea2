import { ResponseSequencer } from './response-sequencer';

function setup() {
  let creates = 0;
  const seq = new ResponseSequencer(() => creates++);
  return { seq, creates: () => creates };
}

describe('ResponseSequencer', () => {
  it('sends at once when nothing is active, and never a second response.create while one is active', () => {
    const { seq, creates } = setup();
    seq.request();
    expect(creates()).toBe(1);
    expect(seq.responding).toBe(true);
    seq.request(); // not acknowledged yet: waits
    seq.created('resp_1');
    seq.request();
    expect(creates()).toBe(1);
    seq.done('resp_1');
    expect(creates()).toBe(2); // the follow-ups, as one
    seq.created('resp_2');
    seq.done('resp_2');
    expect(creates()).toBe(2);
    expect(seq.settled).toBe(true);
  });

  it('parallel tool calls: one response.create after the last output, and only after the response that asked is done', () => {
    const { seq, creates } = setup();
    seq.request();
    seq.created('resp_1');
    seq.toolCallStarted('call_a');
    seq.toolCallStarted('call_b');
    seq.toolCallAnswered('call_a', true);
    expect(creates()).toBe(1);
    seq.done('resp_1');
    expect(creates()).toBe(1); // call_b still unanswered
    expect(seq.settled).toBe(false);
    seq.toolCallAnswered('call_b', true);
    expect(creates()).toBe(2);
  });

  it('a tool answered with no follow-up asks for nothing', () => {
    const { seq, creates } = setup();
    seq.created('resp_1');
    seq.toolCallStarted('call_end');
    seq.done('resp_1');
    seq.toolCallAnswered('call_end', false);
    expect(creates()).toBe(0);
    expect(seq.settled).toBe(true);
  });

  it('waits while the caller speaks; a response the server starts for their turn answers what was waiting', () => {
    const { seq, creates } = setup();
    seq.speaking(true);
    seq.request();
    expect(creates()).toBe(0);
    seq.created('resp_server'); // server VAD's own response
    seq.speaking(false);
    seq.done('resp_server');
    expect(creates()).toBe(0);
    expect(seq.settled).toBe(true);
  });

  it('a request the server refused (a response of its own was starting) is sent again after that response', () => {
    const { seq, creates } = setup();
    seq.request();
    seq.rejected('conversation_already_has_active_response');
    expect(creates()).toBe(1); // not retried into the same wall
    expect(seq.responding).toBe(true);
    seq.created('resp_server'); // the server's own response, announced after it refused ours
    seq.done('resp_server');
    expect(creates()).toBe(2);
  });

  it('reset forgets what was in flight on the old socket', () => {
    const { seq, creates } = setup();
    seq.created('resp_1');
    seq.toolCallStarted('call_a');
    seq.request();
    seq.reset();
    seq.request();
    expect(creates()).toBe(1);
  });
});
