import type { Metadata } from 'next';
import { checkCaptureAction } from './actions';
import { CaptureChecker } from './capture-checker';

export const metadata: Metadata = { title: 'Check a capture' };

export default function CheckCapturePage() {
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Check a capture</h1>
          <p>Paste terminal output from a ticket: see what could be read, what is wrong, and the lines that show it.</p>
        </div>
      </div>
      <CaptureChecker check={checkCaptureAction} />
    </>
  );
}
