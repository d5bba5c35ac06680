import Form from 'next/form';
import Link from 'next/link';
import { hrefWith } from '../lib/links';
import { formatUtc } from '../lib/time';
import { currentPreset, RANGE_PRESETS, type TimeRange } from '../lib/time-range';

export interface TimeRangePickerProps {
  /** the page the picker submits to (GET) */
  path: string;
  range: TimeRange;
  /** the page's other query parameters, kept when the range changes */
  keep?: Record<string, string | undefined>;
  /** whether the page also takes `at` (a state at an instant) */
  withAt?: boolean;
  idPrefix?: string;
}

/**
 * The app's one time control (Grafana-like): relative presets, and typed `from`/`to` (`now-6h`
 * or an ISO instant in UTC, never the browser's locale format). Input that is not a valid range is
 * shown back as typed, with the reason.
 */
export function TimeRangePicker({ path, range, keep = {}, withAt = false, idPrefix = 'range' }: TimeRangePickerProps) {
  const errors = range.ok ? {} : range.errors;
  const preset = currentPreset(range.input);
  const field = (name: 'from' | 'to' | 'at', label: string, placeholder: string) => {
    const id = `${idPrefix}-${name}`;
    const error = errors[name];
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          name={name}
          type="text"
          inputMode="text"
          autoComplete="off"
          spellCheck={false}
          className="mono time-input"
          defaultValue={range.input[name] ?? ''}
          placeholder={placeholder}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : `${idPrefix}-hint`}
        />
        {error ? (
          <span id={`${id}-error`} className="field-error" role="alert">
            {error}
          </span>
        ) : null}
      </div>
    );
  };
  return (
    <div className="time-range" data-testid="time-range-picker">
      <Form className="toolbar" action={path} aria-label="Time range">
        {Object.entries(keep).map(([key, value]) => (value === undefined ? null : <input key={key} type="hidden" name={key} value={value} />))}
        {field('from', 'From (UTC)', 'now-24h')}
        {field('to', 'To (UTC)', 'now')}
        {withAt ? field('at', 'State at (UTC)', 'now') : null}
        <button type="submit">Apply</button>
      </Form>
      <p id={`${idPrefix}-hint`} className="card-note">
        Type <code>now-6h</code>, <code>now</code> or <code>2026-12-06T06:30:00Z</code> (UTC).{' '}
        {range.ok ? (
          <span data-testid="range-resolved">
            Showing {formatUtc(range.from)} → {formatUtc(range.to)}
            {range.at ? `, state at ${formatUtc(range.at)}` : ''}.
          </span>
        ) : null}
      </p>
      {range.ok && range.notes.length > 0 ? (
        <div className="notice warn" role="note" data-testid="range-note">
          {range.notes.map((note) => (
            <p key={note}>{note}</p>
          ))}
        </div>
      ) : null}
      <nav aria-label="Relative ranges">
        <ul className="chips">
          {RANGE_PRESETS.map((p) => (
            <li key={p.id}>
              <Link href={hrefWith(path, { ...keep, from: `now-${p.id}`, to: 'now' })} aria-current={preset === p.id ? 'true' : undefined}>
                {p.id}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
    </div>
  );
}

/** What a page shows instead of data when its range is invalid (the picker above says why). */
export function InvalidRangeNotice({ range }: { range: TimeRange }) {
  if (range.ok) return null;
  return (
    <div className="notice bad" role="alert" data-testid="range-error">
      <p>
        <strong>No data shown: the time range is not valid.</strong> {Object.values(range.errors).join(' ')}
      </p>
    </div>
  );
}
