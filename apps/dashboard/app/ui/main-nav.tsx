'use client';

import Link from 'next/link';
import { usePathname, useSearchParams } from 'next/navigation';
import { hrefWith } from '../lib/links';

const LINKS = [
  { href: '/', label: 'Overview', match: (p: string) => p === '/' || p.startsWith('/nodes') },
  { href: '/findings', label: 'Findings', match: (p: string) => p.startsWith('/findings') },
  { href: '/review', label: 'Incident review', match: (p: string) => p.startsWith('/review') },
  { href: '/cluster/blocks', label: 'Cluster blocks', match: (p: string) => p.startsWith('/cluster') },
  { href: '/check', label: 'Check a capture', match: (p: string) => p.startsWith('/check') },
];

/** The range the app shows travels with every nav link (`from`, `to`, `at`), as the user typed it. */
const CARRIED = ['from', 'to', 'at'] as const;

export function MainNav() {
  const pathname = usePathname() ?? '/';
  const search = useSearchParams();
  const carried = Object.fromEntries(CARRIED.map((key) => [key, search?.get(key) ?? undefined]));
  return (
    <nav className="app-nav" aria-label="Main">
      <ul>
        {LINKS.map((link) => (
          <li key={link.href}>
            <Link href={link.href === '/check' ? link.href : hrefWith(link.href, carried)} aria-current={link.match(pathname) ? 'page' : undefined}>
              {link.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The same links without the range, while the search parameters are not known yet (static rendering). */
export function MainNavFallback() {
  return (
    <nav className="app-nav" aria-label="Main">
      <ul>
        {LINKS.map((link) => (
          <li key={link.href}>
            <Link href={link.href}>{link.label}</Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
