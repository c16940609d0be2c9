/**
 * Normalises a security-question answer before hashing or comparing: Unicode NFKC (full-width, ligatures,
 * composed/decomposed accents), case folding (upper then lower, so `ß` and `SS` agree), every run of
 * whitespace collapsed to one space, and trimmed. Punctuation and accents are kept (they carry meaning).
 */
export function normaliseAnswer(answer: string): string {
  return answer.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC').replace(/\s+/gu, ' ').trim();
}
