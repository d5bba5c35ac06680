'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS = [
  { href: '/', label: 'Overview', match: (p: string) => p === '/' || p.startsWith('/nodes') },
  { href: '/review', label: 'Incident review', match: (p: string) => p.startsWith('/review') },
  { href: '/cluster/blocks', label: 'Cluster blocks', match: (p: string) => p.startsWith('/cluster') },
  { href: '/check', label: 'Check a capture', match: (p: string) => p.startsWith('/check') },
];

export function MainNav() {
  const pathname = usePathname() ?? '/';
  return (
    <nav className="app-nav" aria-label="Main">
      <ul>
        {LINKS.map((link) => (
          <li key={link.href}>
            <Link href={link.href} aria-current={link.match(pathname) ? 'page' : undefined}>
              {link.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
