// Subjects as the store sorts and threads them.

/** "Re: Fwd: [list] Subject" sorts and threads as "subject" (RFC 5256 base subject, simplified). */
export function baseSubject(subject: string): string {
  let s = subject.trim();
  for (;;) {
    const next = s.replace(/^((re|fwd?|aw|wg|sv|vs|antw|r|rif|tr|fw)(\[\d+\])?\s*[:：]\s*|\[[^\]]*\]\s*)/i, '').trim();
    if (next === s) break;
    s = next;
  }
  return s.replace(/\s*\(fwd\)$/i, '').toLowerCase();
}

/** Width numbers are padded to in a subject's sort key: any count of messages, order number or year fits. */
const SORT_DIGITS = 12;

/**
 * What a subject sorts by (messages.sort_subject) and a reply without References finds its thread
 * by: the base subject with every run of digits (ASCII or fullwidth) zero-padded, so subjects
 * sort in natural order, "Invoice #97" < "#975" < "#979" < "#1000", as people number things.
 */
export function subjectSortKey(subject: string): string {
  return baseSubject(subject).replace(/[0-9０-９]+/g, (run) => {
    const digits = run.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).replace(/^0+(?=\d)/, '');
    return digits.padStart(SORT_DIGITS, '0');
  });
}
