'use client';

import { useEffect, useRef, useState, useTransition } from 'react';
import type { Loaded } from '../lib/api-problem';
import type { CaptureReport } from '../lib/data';
import type { CaptureContextInput } from '../lib/generated/graphql';
import { ApiProblemPanel } from '../ui/api-problem-panel';
import { decodePools, EMPTY_POOL, ENCAPSULATIONS, encodePools, poolsContext, type PoolRow } from './capture-context';
import { decodeCaptureFragment, encodeCaptureFragment, fragmentParam, LONG_LINK_CHARS, POOLS_STORAGE_KEY, STORAGE_KEY } from './capture-share';
import { CaptureReportView } from './capture-report-view';
import { CAPTURE_MAX_BYTES, formatBytes, utf8Bytes } from './capture-text';

type CheckAction = (text: string, context: CaptureContextInput | null) => Promise<Loaded<CaptureReport>>;

/** What was checked: the report's line numbers refer to this exact text. */
interface Checked {
  text: string;
  result: Loaded<CaptureReport>;
}

function readStorage(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeStorage(key: string, value: string | null): void {
  try {
    if (value === null || value === '') window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    // Storage full or disabled: the fragment still carries the paste.
  }
}

/** The IP pools of the cluster, optional: rows of labelled fields. */
function PoolsForm({ rows, onChange }: { rows: PoolRow[]; onChange: (rows: PoolRow[]) => void }) {
  const given = rows.filter((r) => r.cidr.trim() !== '').length;
  const update = (i: number, patch: Partial<PoolRow>) => onChange(rows.map((row, j) => (j === i ? { ...row, ...patch } : row)));
  return (
    <details className="capture-context" open={given > 0 ? true : undefined}>
      <summary>Cluster context (optional): IP pools{given > 0 ? ` (${given})` : ''}</summary>
      <p className="card-note">With the cluster’s Calico IP pools, the checks use their block size, encapsulation and MTU instead of Calico’s defaults.</p>
      {rows.length > 0 ? (
        <ul className="pool-rows" aria-label="IP pools">
          {rows.map((row, i) => (
            <li key={i} className="toolbar-row">
              <div className="field">
                <label htmlFor={`pool-${i}-cidr`}>Pool {i + 1} CIDR</label>
                <input id={`pool-${i}-cidr`} type="text" className="mono" placeholder="10.244.0.0/16" value={row.cidr} onChange={(e) => update(i, { cidr: e.target.value })} />
              </div>
              <div className="field">
                <label htmlFor={`pool-${i}-encapsulation`}>Encapsulation</label>
                <select id={`pool-${i}-encapsulation`} value={row.encapsulation} onChange={(e) => update(i, { encapsulation: e.target.value as PoolRow['encapsulation'] })}>
                  {ENCAPSULATIONS.map((value) => (
                    <option key={value} value={value}>
                      {value}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor={`pool-${i}-block`}>Block size</label>
                <input id={`pool-${i}-block`} type="number" min={0} max={128} placeholder="26" value={row.blockSize} onChange={(e) => update(i, { blockSize: e.target.value })} />
              </div>
              <div className="field">
                <label htmlFor={`pool-${i}-mtu`}>MTU</label>
                <input id={`pool-${i}-mtu`} type="number" min={68} max={65535} placeholder="not set" value={row.mtu} onChange={(e) => update(i, { mtu: e.target.value })} />
              </div>
              <button type="button" className="secondary" onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove pool ${i + 1}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <button type="button" className="secondary" onClick={() => onChange([...rows, { ...EMPTY_POOL }])}>
        Add an IP pool
      </button>
    </details>
  );
}

/**
 * Paste, check, share. The text stays in this browser (the URL fragment and local storage);
 * checking sends it once, in a POST body, to the dashboard's server, which asks the API.
 */
export function CaptureChecker({ check }: { check: CheckAction }) {
  const [text, setText] = useState('');
  const [pools, setPools] = useState<PoolRow[]>([]);
  const [checked, setChecked] = useState<Checked | undefined>();
  const [linkNote, setLinkNote] = useState<string | undefined>();
  const [restored, setRestored] = useState<string | undefined>();
  const [pending, startTransition] = useTransition();
  const started = useRef(false);

  const bytes = utf8Bytes(text);
  const tooLarge = bytes > CAPTURE_MAX_BYTES;

  const run = (value: string, rows: readonly PoolRow[]) => {
    startTransition(async () => {
      let result: Loaded<CaptureReport>;
      try {
        result = await check(value, poolsContext(rows));
      } catch (error) {
        // The action itself failed (dashboard server gone, request refused): say so in place.
        const reason = error instanceof Error ? error.message : String(error);
        result = { ok: false, problem: { kind: 'unreachable', title: 'The dashboard server did not answer the check.', detail: `${reason}. Try again; if it keeps failing, the dashboard server’s log has the details.` } };
      }
      setChecked({ text: value, result });
    });
  };

  // A shared link (#capture=…) is checked at once; otherwise the last paste of this browser is restored.
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void (async () => {
      const shared = await decodeCaptureFragment(window.location.hash);
      if (shared instanceof Error) {
        setRestored(shared.message);
        return;
      }
      if (shared !== undefined) {
        const sharedPools = decodePools(fragmentParam(window.location.hash, 'pools'));
        setText(shared);
        setPools(sharedPools);
        setRestored('The capture comes from the link you opened.');
        if (shared.trim() !== '' && utf8Bytes(shared) <= CAPTURE_MAX_BYTES) run(shared, sharedPools);
        return;
      }
      const draft = readStorage(STORAGE_KEY);
      const draftPools = decodePools(readStorage(POOLS_STORAGE_KEY));
      if (draft) {
        setText(draft);
        setPools(draftPools);
        setRestored('Your last paste in this browser was restored.');
      }
    })();
    // Once, on arrival: `run` only closes over the action prop and state setters.
  }, []);

  const submit = async (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (tooLarge || text.trim() === '') return;
    writeStorage(STORAGE_KEY, text);
    writeStorage(POOLS_STORAGE_KEY, encodePools(pools));
    const fragment = await encodeCaptureFragment(text, { pools: encodePools(pools) });
    // replaceState: the fragment changes without a navigation and never reaches a server.
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}#${fragment}`);
    setLinkNote(undefined);
    run(text, pools);
  };

  const copyLink = async () => {
    const fragment = await encodeCaptureFragment(text, { pools: encodePools(pools) });
    const url = `${window.location.origin}${window.location.pathname}#${fragment}`;
    window.history.replaceState(null, '', url);
    const long = url.length > LONG_LINK_CHARS ? ` It is long (${formatBytes(url.length)}): some chat tools and ticket systems cut links this long.` : '';
    try {
      await navigator.clipboard.writeText(url);
      setLinkNote(`Link copied. The capture is inside it, after #, which browsers never send to a server.${long}`);
    } catch {
      setLinkNote(`The address bar now holds the link to share (copying was not allowed). The capture is after #, which browsers never send to a server.${long}`);
    }
  };

  const clear = () => {
    setText('');
    setPools([]);
    setChecked(undefined);
    setLinkNote(undefined);
    setRestored(undefined);
    writeStorage(STORAGE_KEY, null);
    writeStorage(POOLS_STORAGE_KEY, null);
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}`);
  };

  return (
    <>
      <section className="card" aria-labelledby="capture-input-title">
        <h2 id="capture-input-title">Terminal output</h2>
        <form onSubmit={submit} aria-label="Check a capture">
          <div className="field">
            <label htmlFor="capture-text">Paste what the ticket shows: ip, route, ifconfig, tcpdump -e, calicoctl node status, ip monitor, kubectl get pods -o wide…</label>
            <textarea
              id="capture-text"
              name="text"
              className="capture-input mono"
              rows={14}
              spellCheck={false}
              autoComplete="off"
              value={text}
              onChange={(e) => setText(e.target.value)}
              aria-invalid={tooLarge ? true : undefined}
              aria-describedby="capture-size capture-privacy"
            />
          </div>
          <p id="capture-size" className={tooLarge ? 'field-error' : 'card-note'} data-testid="capture-size" aria-live="polite">
            {tooLarge
              ? `${formatBytes(bytes)}: over the limit of ${formatBytes(CAPTURE_MAX_BYTES)}. Keep the sections that matter.`
              : `${formatBytes(bytes)} of at most ${formatBytes(CAPTURE_MAX_BYTES)}.`}
          </p>
          <PoolsForm rows={pools} onChange={setPools} />
          <p id="capture-privacy" className="card-note">
            The text stays in this browser (the link’s #fragment and local storage) and is sent only to check it; Routescope stores none of it.
          </p>
          <div className="toolbar-row">
            <button type="submit" disabled={pending || tooLarge || text.trim() === ''}>
              {pending ? 'Checking…' : 'Check'}
            </button>
            <button type="button" className="secondary" onClick={copyLink} disabled={text.trim() === '' || tooLarge}>
              Copy link to share
            </button>
            <button type="button" className="secondary" onClick={clear} disabled={text === '' && !checked}>
              Clear
            </button>
          </div>
          {restored ? (
            <p className="card-note" role="status">
              {restored}
            </p>
          ) : null}
          {linkNote ? (
            <p className="card-note" role="status" data-testid="link-note">
              {linkNote}
            </p>
          ) : null}
        </form>
      </section>
      {pending ? (
        <p role="status" className="card-note">
          Checking the capture…
        </p>
      ) : null}
      {checked && !checked.result.ok ? <ApiProblemPanel problem={checked.result.problem} context="The capture could not be checked" /> : null}
      {checked && checked.result.ok ? (
        <>
          {checked.text !== text ? <p className="notice warn">The text changed since this report: its line numbers refer to the text that was checked (shown beside it). Check again to update.</p> : null}
          <CaptureReportView key={checked.text} report={checked.result.data} text={checked.text} />
        </>
      ) : null}
    </>
  );
}
