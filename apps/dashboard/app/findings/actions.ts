'use server';

import { revalidatePath } from 'next/cache';
import type { ApiProblem } from '../lib/api-problem';
import { load, revokeSilence, silenceFindings } from '../lib/data';
import { nodeNameSchema } from '../lib/search-params';

// The findings page's triage forms: Server Actions, so the token (the user's, or the dashboard's
// own behind a trusted proxy) stays on the dashboard's server. They need the `triage` scope.

export interface SilenceFormState {
  /** what the API (or the form check) refused; the form keeps the user's input */
  problem?: ApiProblem;
  /** the input as submitted, so a refused form shows it again */
  values?: { reason: string; expiresAt: string; node: string };
  /** the silence that was created */
  silencedId?: string;
}

const MAX_REASON = 1000;

function triageProblem(problem: ApiProblem): ApiProblem {
  return problem.kind === 'forbidden' ? { ...problem, title: 'This token may not silence findings.', detail: `${problem.detail.split('. Give')[0].split('. Sign in')[0]}. Silencing needs a token with the triage scope.` } : problem;
}

/** `datetime-local` value (read as UTC, as every time in the dashboard) or an ISO instant → ISO; undefined when it is neither. */
function expiryIso(text: string): string | undefined {
  const withZone = /[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(withZone);
  return text !== '' && Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

export async function silenceGroupAction(_previous: SilenceFormState, form: FormData): Promise<SilenceFormState> {
  const field = (name: string) => {
    const v = form.get(name);
    return typeof v === 'string' ? v.trim() : '';
  };
  const values = { reason: field('reason'), expiresAt: field('expiresAt'), node: field('node') };
  const rule = field('rule');
  const subjectKind = field('subjectKind');
  const refuse = (title: string, detail: string): SilenceFormState => ({ values, problem: { kind: 'bad-input', title, detail } });
  if (!rule || !subjectKind) return refuse('Which group?', 'The form names a rule and a kind of subject; reload the findings page.');
  if (values.reason === '') return refuse('Reason: required.', 'Say why these findings are silenced; it is shown with them.');
  if (values.reason.length > MAX_REASON) return refuse('Reason: too long.', `At most ${MAX_REASON} characters.`);
  const expiresAt = expiryIso(values.expiresAt);
  if (!expiresAt) return refuse('Until: not a time.', 'Give the expiry as a UTC date and time, e.g. 2026-12-07T18:00.');
  if (values.node !== '' && !nodeNameSchema.safeParse(values.node).success) return refuse('Node: not a valid node name.', 'Leave it empty to silence the group on every node.');
  const result = await load(() => silenceFindings({ rule, subjectPattern: subjectKind === 'node' ? 'node' : `${subjectKind}:*`, reason: values.reason, expiresAt, node: values.node || null }));
  if (!result.ok) return { values, problem: triageProblem(result.problem) };
  revalidatePath('/findings');
  return { silencedId: result.data.id };
}

export interface RevokeFormState {
  problem?: ApiProblem;
}

export async function revokeSilenceAction(_previous: RevokeFormState, form: FormData): Promise<RevokeFormState> {
  const id = form.get('id');
  if (typeof id !== 'string' || id === '' || id.length > 100) return { problem: { kind: 'bad-input', title: 'Which silence?', detail: 'Reload the findings page.' } };
  const result = await load(() => revokeSilence(id));
  if (!result.ok) return { problem: triageProblem(result.problem) };
  revalidatePath('/findings');
  return {};
}
