// Scripts the dashboard phase injects into every page (Playwright addInitScript): they note when a
// table's rows first become visible, which Paint Timing cannot tell.

/** the node table, by its accessible name (caption, aria-label or aria-labelledby): "Nodes…" */
export const TABLE_NAME = /^\s*Nodes\b/;

/**
 * A probe that records, in `window[global]`, when a table whose name passes `nameTest` (a JS
 * expression over `name`) first has body rows that are rendered (not in a hidden streaming
 * placeholder or tab panel), and the next animation frame.
 *
 * It runs on every mutation batch while the page streams, so it must cost next to nothing: the
 * first version listed every body row and asked each table's visibility on every batch, and on
 * the 1,000-node node page (1,063 routes) that was over a second of the page's main thread
 * (a CPU profile: the probe's own function first), inflating what it measured. Now a batch
 * reads the live table list, each table's first row, and forces style only for a row outside
 * every `[hidden]` subtree.
 */
function visibleRowsProbe(global: string, nameOf: string, nameTest: string): string {
  return `(() => {
  const tables = document.getElementsByTagName('table');
  const nameOf = ${nameOf};
  const visibleRows = () => {
    for (let i = 0; i < tables.length; i++) {
      const t = tables[i];
      let first;
      let rows = 0;
      for (const body of t.tBodies) {
        if (!first && body.rows.length > 0) first = body.rows[0];
        rows += body.rows.length;
      }
      if (!first || first.closest('[hidden]')) continue;
      const name = nameOf(t);
      if (!(${nameTest})) continue;
      if (first.checkVisibility()) return rows;
    }
    return 0;
  };
  const observer = new MutationObserver(() => {
    const rows = visibleRows();
    if (rows === 0) return;
    observer.disconnect();
    const probe = { inDomAt: performance.now(), rows };
    window.${global} = probe;
    requestAnimationFrame(() => { probe.frameAt = performance.now(); });
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['hidden', 'style', 'class'] });
})();`;
}

const ACCESSIBLE_NAME = `(t) => {
    const label = t.getAttribute('aria-label');
    if (label) return label;
    const by = t.getAttribute('aria-labelledby');
    if (by) return by.split(/\\s+/).map((id) => (document.getElementById(id) || {}).textContent || '').join(' ');
    return (t.caption && t.caption.textContent) || '';
  }`;

/** Installed in every page before its first script: when the node table (overview) first has visible rows. */
export const ROWS_PROBE = visibleRowsProbe('__rsNodeRows', ACCESSIBLE_NAME, `${TABLE_NAME}.test(name)`);

/** Likewise for the node page: when the state's routes table ("Routes of <node> (host)") first has visible rows. */
export const STATE_PROBE = visibleRowsProbe('__rsStateRows', `(t) => (t.caption && t.caption.textContent) || ''`, `name.startsWith('Routes of ')`);
