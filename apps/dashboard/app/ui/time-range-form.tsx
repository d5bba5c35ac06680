import Form from 'next/form';
import { QUICK_RANGES, toIso } from '../lib/time';

export interface TimeRangeFormProps {
  /** the page the form submits to (GET) */
  action: string;
  from: Date;
  to: Date;
  errors?: { from?: string; to?: string; range?: string };
  /** quick range currently shown, if the range came from one */
  legend?: string;
  idPrefix: string;
  /** whether from/to are the range shown (false when the page shows something else, e.g. two nodes) */
  active?: boolean;
  /** the text the user sent, shown back as typed when it was invalid */
  input?: { from?: string; to?: string };
}

/** Absolute from/to fields (ISO-8601 UTC text, never the browser's locale format) and quick ranges; both produce an absolute, shareable URL. */
export function TimeRangeForm({ action, from, to, errors = {}, legend = 'Time range', idPrefix, active = true, input = {} }: TimeRangeFormProps) {
  const invalid = Boolean(errors.from || errors.to);
  const fromId = `${idPrefix}-from`;
  const toId = `${idPrefix}-to`;
  return (
    <div className="time-range">
      <Form className="toolbar" action={action} aria-label={legend}>
        <div className="field">
          <label htmlFor={fromId}>From (UTC)</label>
          <input
            id={fromId}
            name="from"
            type="text"
            className="mono time-input"
            spellCheck={false}
            defaultValue={invalid && input.from !== undefined ? input.from : toIso(from)}
            required
            aria-invalid={errors.from ? true : undefined}
            aria-describedby={errors.from ? `${fromId}-error` : undefined}
          />
          {errors.from ? (
            <span id={`${fromId}-error`} className="field-error">
              {errors.from}
            </span>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor={toId}>To (UTC)</label>
          <input
            id={toId}
            name="to"
            type="text"
            className="mono time-input"
            spellCheck={false}
            defaultValue={invalid && input.to !== undefined ? input.to : toIso(to)}
            required
            aria-invalid={errors.to ? true : undefined}
            aria-describedby={errors.to ? `${toId}-error` : undefined}
          />
          {errors.to ? (
            <span id={`${toId}-error`} className="field-error">
              {errors.to}
            </span>
          ) : null}
        </div>
        <button type="submit">Show</button>
      </Form>
      <nav aria-label="Quick ranges">
        <ul className="chips">
          {QUICK_RANGES.map((range) => {
            const current = active && Math.abs(to.getTime() - from.getTime() - range.ms) < 1000;
            return (
              <li key={range.id}>
                <a href={`${action}?range=${range.id}`} aria-current={current ? 'true' : undefined}>
                  {range.label}
                </a>
              </li>
            );
          })}
        </ul>
      </nav>
    </div>
  );
}
