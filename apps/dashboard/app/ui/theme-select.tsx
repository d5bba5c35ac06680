'use client';

import { useId, useState } from 'react';

export type Theme = 'system' | 'light' | 'dark';

/** Light, dark or the system's theme; stored in a cookie so the server renders the right one. */
export function ThemeSelect({ initial }: { initial: Theme }) {
  const [theme, setTheme] = useState<Theme>(initial);
  const id = useId();
  function choose(next: Theme) {
    setTheme(next);
    const root = document.documentElement;
    if (next === 'system') delete root.dataset.theme;
    else root.dataset.theme = next;
    document.cookie = `theme=${next}; path=/; max-age=31536000; samesite=lax`;
  }
  return (
    <div className="field" style={{ flexDirection: 'row', alignItems: 'center', gap: '0.4rem' }}>
      <label htmlFor={id}>Theme</label>
      <select id={id} value={theme} onChange={(e) => choose(e.target.value as Theme)}>
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </div>
  );
}
