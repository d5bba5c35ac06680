import type { Metadata } from 'next';
import localFont from 'next/font/local';
import { cookies } from 'next/headers';
import { Suspense, type ReactNode } from 'react';
import { requestAuth } from './lib/request-auth';
import { MainNav, MainNavFallback } from './ui/main-nav';
import { ThemeSelect, type Theme } from './ui/theme-select';
import './globals.css';

// Inter from @fontsource-variable/inter, bundled at build time: no font is fetched from the network.
const inter = localFont({
  src: '../../../node_modules/@fontsource-variable/inter/files/inter-latin-wght-normal.woff2',
  weight: '100 900',
  style: 'normal',
  display: 'swap',
  variable: '--font-inter',
});

export const metadata: Metadata = {
  title: { default: 'Routescope', template: '%s · Routescope' },
  description: 'How every node routes and resolves packets, now and at any time in its history.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const stored = (await cookies()).get('theme')?.value;
  const theme: Theme = stored === 'light' || stored === 'dark' ? stored : 'system';
  // A misconfigured dashboard still renders its pages, which say what is wrong.
  const auth = await requestAuth().catch(() => undefined);
  return (
    <html lang="en" className={inter.variable} data-theme={theme === 'system' ? undefined : theme}>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="app-header">
          <a className="brand" href="/">
            <span className="brand-mark" aria-hidden="true" />
            Routescope
          </a>
          <Suspense fallback={<MainNavFallback />}>
            <MainNav />
          </Suspense>
          <div className="header-end">
            <ThemeSelect initial={theme} />
            {auth?.via === 'session' ? (
              <form method="post" action="/api/session/sign-out" className="sign-out-form">
                <button type="submit" className="secondary">
                  Sign out
                </button>
              </form>
            ) : null}
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </body>
    </html>
  );
}
