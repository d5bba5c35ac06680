/**
 * Values that look like a template's placeholder rather than a secret: the example Secret
 * (deploy/k8s/secret.example.yaml) and docs use words like these, and a deployment that forgot to
 * replace one would otherwise run with a token anyone can read in the repository.
 */
const PLACEHOLDER_WORDS = ['change-me', 'changeme', 'change_me', 'replace', 'example', 'placeholder', 'your-', 'your_', 'dummy', 'secret-here', 'token-here'];

export const MIN_SECRET_LENGTH = 16;

/** Why `value` cannot be a token or secret, or undefined when it can. */
export function placeholderProblem(value: string, minLength = MIN_SECRET_LENGTH): string | undefined {
  if (value.length < minLength) return `must be at least ${minLength} characters`;
  const lower = value.toLowerCase();
  const word = PLACEHOLDER_WORDS.find((w) => lower.includes(w));
  if (word) return `looks like a placeholder (contains "${word}"); generate a real value, e.g. \`openssl rand -hex 32\``;
  if (/[<>]/.test(value)) return 'looks like a placeholder (contains < or >); generate a real value, e.g. `openssl rand -hex 32`';
  if (new Set(value).size < 6) return 'has too few distinct characters to be a secret; generate one, e.g. `openssl rand -hex 32`';
  return undefined;
}
