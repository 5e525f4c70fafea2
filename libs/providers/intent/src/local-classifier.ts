import { spokenAmounts } from './amounts';
import type { Classification, IntentClassifier, IntentContext } from './intent.port';

/** Words that carry no answer: hesitations, greetings, speech-recognition noise markers. */
const FILLER = new Set([
  'um',
  'umm',
  'uhm',
  'uh',
  'uhh',
  'er',
  'erm',
  'err',
  'eh',
  'ah',
  'ahh',
  'oh',
  'hm',
  'hmm',
  'mm',
  'mmm',
  'huh',
  'hello',
  'hi',
  'inaudible',
  'noise',
  'background',
  'static',
  'silence',
  'is',
  'anyone',
  'anybody',
  'there',
  'this',
  'thing',
  'on',
  'can',
  'you',
  'hear',
  'me',
]);
const REQUIRED_FILLER = new Set([
  'um',
  'umm',
  'uhm',
  'noise',
  'static',
  'uh',
  'uhh',
  'er',
  'erm',
  'err',
  'eh',
  'ah',
  'ahh',
  'oh',
  'hm',
  'hmm',
  'mm',
  'mmm',
  'hello',
  'inaudible',
  'anyone',
  'anybody',
]);

const REPEAT = [
  /\brepeat\b/,
  /\bsay (that|it) again\b/,
  /\bagain\b.*\?|\bagain\b$/,
  /\bpardon\b/,
  /\bdidn'?t (catch|hear|get)\b/,
  /\bone more time\b/,
  /\bgo over\b/,
  /\bexplain\b.*\b(again|plan)\b/,
  /\bslow down\b/,
  /\bwhat (was|did you say|was that)\b/,
  /\bhow much was\b/,
  /^(sorry|what|huh)\W*$/,
];
const SPECIALIST =
  /\b(speak|talk|put me through|transfer me|connect me)\b.*\b(someone|somebody|person|human|adviser|advisor|agent|manager|supervisor|specialist|operator)\b/;
const HEDGE =
  /\b(maybe|perhaps|possibly|not sure|unsure|don'?t know|dunno|think about|check with|ask my|depends|call me back|later|let me think|have to check)\b/;
const NEGATIVE = [
  /\b(can'?t|cannot|can not|couldn'?t|unable|not able|won'?t be able)\b/,
  /\btoo (much|high|expensive|steep|many)\b/,
  /\bway more\b/,
  /\b(lower|less|smaller|cheaper|reduce|reduced)\b/,
  /\b(not|isn'?t|un)\s*affordable\b/,
  /\bdon'?t (have|think i can)\b/,
  /\bno way\b/,
  /\bnope\b/,
  /\bno thanks?\b/,
  /\bnot possible\b/,
  /\b(won'?t|doesn'?t|does not|will not|wouldn'?t) work\b/,
  /\bstruggling\b/,
  /\blost my job\b/,
  /\bon benefits\b/,
  /\bunfortunately\b/,
  /\bafraid not\b/,
  /\b(budget|beyond me|reduction|discount|half|realistic|money'?s tight|tight|universal credit|wages|skint|broke)\b/,
  /\bcan'?t stretch\b/,
  /\b(prefer|want|like) to pay\b/,
  /\bsmaller\b/,
  /\b(won'?t|wouldn'?t|doesn'?t|does not|will not) (cover|stretch)\b/,
  /\bnot (doable|manageable|realistic|feasible|something i can)\b/,
  /\b(haven'?t|have not|don'?t have|do not have) (got )?(that|the|enough|much|any)\b/,
  /\bno chance\b|\bout of the question\b|\bimpossible\b/,
  /\btoo (big|large|hard|difficult|steep)\b/,
  /\bstruggl/,
  /\b(redundant|unemployed|out of work|pension|sick pay|maternity)\b/,
  /\b(extend|stretch it out|over (a |two |three |\d+ )?(years?|months?))\b/,
  /\bcould (it|we) (be|do|make)\b.*\b(\d+|fifty|forty|thirty|twenty|sixty|less)\b/,
  /\bnot (that much|at the moment|right now|now)\b/,
  /\b(longer|more time|spread)\b/,
  /\bnegotiate\b/,
  /\b(different|another|other) (plan|option|arrangement)\b/,
  /\bsettle\b/,
  /\b(pay|do|make it|amount|month)\b.*\binstead\b/,
  /\bat most\b|\bmy max\b|\bstretch to\b/,
  /\bstill\b.*\b(much|can'?t)\b/,
  /\ba lot\b/,
  /\bstretch i can'?t\b/,
  /\bhow about\b|\bwhat about\b/,
  /\bonly (manage|afford|do|pay)\b/,
];
const ACCEPT = [
  /^(yes|yeah|yep|yup|ya|aye|ok|okay|sure|alright|all right|fine|right|correct|agreed|deal|absolutely|certainly|definitely|perfect)\b/,
  /\b(yes|yeah|yep|yup)\b/,
  /\b(i )?accept\b/,
  /\bagree\b/,
  /\bsounds (good|fair|great|fine)\b/,
  /\b(that|it|this) (works|would work|should be fine)\b/,
  /\b(i'?m|i am) (happy|fine|good|ok|okay) with\b/,
  /\bgo ahead\b/,
  /\bset (it|that) up\b/,
  /\bi can (do|manage|afford|pay) (that|it|this)\b/,
  /\b(i'?ll|i will) (take|do|pay)\b/,
  /\bcount me in\b/,
  /\bno problem\b|\bnot a problem\b/,
  /\bwhy not\b/,
  /\bof course\b/,
  /\blet'?s (do|go)\b/,
  /\b(that'?s|that is) (fine|ok|okay|doable|manageable|affordable|good)\b/,
  /\bwould be great\b/,
  /\bsure thing\b/,
  /\bgo on then\b/,
  /\b(reasonable|suits me|sorted|fair enough|brilliant|lovely|great|in agreement|go for it)\b/,
  /\bgo with\b/,
  /\b(that|it) ?'?ll work\b|\b(that|it) will work\b|\bworks (out )?(fine )?for me\b|\bworks out\b/,
  /\bsounds like a plan\b/,
  /\bcan live with\b/,
  /\b(fine|ok|okay|good|alright) by me\b/,
  /\bsign me up\b|\bi'?m on board\b|\bno objection\b/,
  /\bi'?ll manage\b/,
  /\bhappy to (do|start|pay|go)\b/,
  /\byou'?ve got a deal\b/,
  /\bi (will|'?ll) be able to\b/,
  /\b(sort|set) it (out|up)\b/,
  /\b(arrangement|plan) works\b/,
  /\bi can (handle|cover|afford|stretch to) (that|it|this)\b/,
  /\bput (it|that) through\b/,
  /\b(i'?m|i am) (ok|okay|fine|happy) (with )?paying\b/,
  /^(fine|okay|ok)\b/,
  /\bput me down\b/,
  /\bi suppose so\b/,
  /\bmore manageable\b/,
  /\bi can do that\b/,
];
const QUESTION_WORDS = /^(who|what|why|where|which|when|how|is|are|can|could|do|does|did)\b/;

function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\[[^\]]*\]/g, ' inaudible ')
    .replace(/\s+/g, ' ')
    .trim();
}

function isNoResponse(text: string): boolean {
  // A cut-off word ("Who's...") at the end of a greeting is noise too.
  const words = text
    .replace(/\b[a-z']+\s*\.{2,}$/, ' ')
    .replace(/[^a-z' ]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  if (words.length === 0) return true;
  const greeting = words.includes('hello') && words.every((w) => FILLER.has(w) || w === 'yeah' || w === 'there');
  return greeting || (words.every((w) => FILLER.has(w)) && words.some((w) => REQUIRED_FILLER.has(w)));
}

function result(intent: Classification['intent'], confidence: number, extra: Partial<Classification> = {}): Classification {
  return { intent, confidence, wantsRepeat: false, wantsSpecialist: false, amountPence: null, classifier: 'local', ...extra };
}

/**
 * Deterministic rules for yes / no / repeat / amounts, so a call never waits on a model. Order
 * matters: silence, then a repeat request, a request for a person, a refusal or counter-amount,
 * a hedge, an acceptance; anything else is unclear. Its accuracy on the labelled set in
 * apps/ivr-negotiation/bench is reported by `npm run ivr:accuracy`.
 */
export function classifyLocally(utterance: string, context: IntentContext): Classification {
  const text = normalise(utterance);
  if (isNoResponse(text)) return result('no_response', 90);
  const bare = text
    .replace(/[^a-z0-9£'. ]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const amounts = spokenAmounts(text);
  const amount = amounts.find((a) => a.explicit) ?? amounts[0];
  const amountPence = amount ? amount.pence : null;

  if (REPEAT.some((r) => r.test(bare)) || (/\?$/.test(text) && /\bagain\b/.test(bare))) return result('unclear', 85, { wantsRepeat: true });
  if (SPECIALIST.test(bare)) return result('needs_negotiation', 85, { wantsSpecialist: true, amountPence });

  const negative = NEGATIVE.some((r) => r.test(bare)) || /^no\b/.test(bare);
  const accepting = ACCEPT.some((r) => r.test(bare));
  // A plain figure while we ask what they can afford, or any money figure on the offer, is a counter-proposal.
  const proposesAmount =
    amountPence !== null &&
    (context.stage === 'ask_affordability' ||
      amount?.explicit === true ||
      /\b(a|per) (month|week)\b/.test(bare) ||
      /\b(pay|do|afford|manage)\b/.test(bare));
  if (negative && !(accepting && /\bno problem\b|\bnot a problem\b|\bwhy not\b/.test(bare)))
    return result('needs_negotiation', amountPence !== null ? 85 : 80, { amountPence });
  if (proposesAmount && !accepting) return result('needs_negotiation', 80, { amountPence });
  if (HEDGE.test(bare)) return result('unclear', 60);
  if (accepting) return result('willing_to_pay', /^(yes|yeah|yep|i accept)\b/.test(bare) ? 92 : 80);
  if (QUESTION_WORDS.test(bare) || text.endsWith('?')) return result('unclear', 60);
  return result('unclear', 40);
}

export class LocalIntentClassifier implements IntentClassifier {
  readonly name = 'local' as const;
  async classify(utterance: string, context: IntentContext): Promise<Classification> {
    return classifyLocally(utterance, context);
  }
}
