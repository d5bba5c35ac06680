// Scripts the dashboard phase injects into every page (Playwright addInitScript): they note when a
// table's rows first become visible, which Paint Timing cannot tell.

/** the node table, by its accessible name (caption, aria-label or aria-labelledby): "Nodes…" */
export const TABLE_NAME = /^\s*Nodes\b/;

/**
 * Installed in every page before its first script: records when the node table first has body
 * rows that are rendered (not in a hidden streaming placeholder), and the next animation frame.
 */
export const ROWS_PROBE = `(() => {
  const nameOf = (t) => {
    const label = t.getAttribute('aria-label');
    if (label) return label;
    const by = t.getAttribute('aria-labelledby');
    if (by) return by.split(/\\s+/).map((id) => (document.getElementById(id) || {}).textContent || '').join(' ');
    return (t.caption && t.caption.textContent) || '';
  };
  const visibleRows = () => {
    for (const t of document.querySelectorAll('table')) {
      if (!${TABLE_NAME}.test(nameOf(t))) continue;
      const rows = Array.from(t.tBodies).flatMap((b) => Array.from(b.rows));
      if (rows.length > 0 && rows[0].checkVisibility()) return rows.length;
    }
    return 0;
  };
  const observer = new MutationObserver(() => {
    const rows = visibleRows();
    if (rows === 0) return;
    observer.disconnect();
    const probe = { inDomAt: performance.now(), rows };
    window.__rsNodeRows = probe;
    requestAnimationFrame(() => { probe.frameAt = performance.now(); });
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['hidden', 'style', 'class'] });
})();`;

/** Like ROWS_PROBE, for the node page: when the state's routes table ("Routes of <node> (host)") first has visible rows. */
export const STATE_PROBE = `(() => {
  const visibleRows = () => {
    for (const t of document.querySelectorAll('table')) {
      const caption = (t.caption && t.caption.textContent) || '';
      if (!caption.startsWith('Routes of ')) continue;
      const rows = Array.from(t.tBodies).flatMap((b) => Array.from(b.rows));
      if (rows.length > 0 && rows[0].checkVisibility()) return rows.length;
    }
    return 0;
  };
  const observer = new MutationObserver(() => {
    const rows = visibleRows();
    if (rows === 0) return;
    observer.disconnect();
    const probe = { inDomAt: performance.now(), rows };
    window.__rsStateRows = probe;
    requestAnimationFrame(() => { probe.frameAt = performance.now(); });
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['hidden', 'style', 'class'] });
})();`;
