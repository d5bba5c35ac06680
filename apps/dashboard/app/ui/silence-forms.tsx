'use client';

import { useActionState } from 'react';
import { revokeSilenceAction, silenceGroupAction, type RevokeFormState, type SilenceFormState } from '../findings/actions';

/**
 * "Silence…" on a findings group: rule + `<subjectKind>:*` (+ an optional node), a reason and an
 * expiry. A refusal (the form's check or the API's BAD_USER_INPUT/FORBIDDEN) is shown next to the
 * form, which keeps what was typed.
 */
export function SilenceGroupForm({ rule, subjectKind, node, defaultExpiry, idPrefix }: { rule: string; subjectKind: string; node?: string; defaultExpiry: string; idPrefix: string }) {
  const [state, action, pending] = useActionState<SilenceFormState, FormData>(silenceGroupAction, {});
  const values = state.values;
  return (
    <details className="silence-form">
      <summary>Silence…</summary>
      {/* The key re-creates the inputs when a refusal brings back the typed values. */}
      <form action={action} key={JSON.stringify(values ?? {})} aria-label={`Silence ${rule} ${subjectKind}`} className="toolbar">
        <input type="hidden" name="rule" value={rule} />
        <input type="hidden" name="subjectKind" value={subjectKind} />
        <p className="card-note">
          Silences <code>{rule}</code> for subjects <code>{subjectKind === 'node' ? 'node' : `${subjectKind}:*`}</code>; silenced findings are still evaluated and listed under “Silenced”.
        </p>
        <div className="field">
          <label htmlFor={`${idPrefix}-reason`}>Reason</label>
          <input id={`${idPrefix}-reason`} name="reason" type="text" required maxLength={1000} defaultValue={values?.reason ?? ''} />
        </div>
        <div className="field">
          <label htmlFor={`${idPrefix}-until`}>Until (UTC)</label>
          <input id={`${idPrefix}-until`} name="expiresAt" type="datetime-local" required defaultValue={values?.expiresAt ?? defaultExpiry} />
        </div>
        <div className="field">
          <label htmlFor={`${idPrefix}-node`}>Node (empty: every node)</label>
          <input id={`${idPrefix}-node`} name="node" type="text" defaultValue={values?.node ?? node ?? ''} />
        </div>
        <button type="submit" disabled={pending}>
          {pending ? 'Silencing…' : 'Silence'}
        </button>
        {state.problem ? (
          <p role="alert" className="field-error">
            {state.problem.title} {state.problem.detail}
          </p>
        ) : null}
      </form>
    </details>
  );
}

export function RevokeSilenceForm({ id, label }: { id: string; label: string }) {
  const [state, action, pending] = useActionState<RevokeFormState, FormData>(revokeSilenceAction, {});
  return (
    <form action={action} className="inline-form">
      <input type="hidden" name="id" value={id} />
      <button type="submit" className="secondary" disabled={pending} aria-label={`Revoke the silence of ${label}`}>
        {pending ? 'Revoking…' : 'Revoke'}
      </button>
      {state.problem ? (
        <span role="alert" className="field-error">
          {' '}
          {state.problem.title} {state.problem.detail}
        </span>
      ) : null}
    </form>
  );
}
