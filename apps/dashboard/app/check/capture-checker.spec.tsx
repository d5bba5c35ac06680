import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { Loaded } from '../lib/api-problem';
import type { CaptureReport } from '../lib/data';
import type { CaptureContextInput } from '../lib/generated/graphql';
import { CAPTURE_TEXT, REPORT } from '../../test/capture-report.fixture';
import { CaptureChecker } from './capture-checker';
import { encodeCaptureFragment, POOLS_STORAGE_KEY, STORAGE_KEY } from './capture-share';

// The Server Action is the page's only way to the API; here it is a function the test answers,
// recording what the browser would POST.
function fakeAction(answer: Loaded<CaptureReport> = { ok: true, data: REPORT }) {
  return jest.fn<Promise<Loaded<CaptureReport>>, [string, CaptureContextInput | null]>(async () => answer);
}

function textarea(): HTMLTextAreaElement {
  return screen.getByLabelText(/Paste what the ticket shows/) as HTMLTextAreaElement;
}

beforeEach(() => {
  window.localStorage.clear();
  window.history.replaceState(null, '', '/check');
});

describe('CaptureChecker', () => {
  it('shows the size against the API’s limit before sending, and will not send a paste over it', async () => {
    const check = fakeAction();
    render(<CaptureChecker check={check} />);
    await act(async () => undefined);
    expect(screen.getByTestId('capture-size').textContent).toBe('0 B of at most 1.0 MiB.');
    expect((screen.getByRole('button', { name: 'Check' }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(textarea(), { target: { value: CAPTURE_TEXT } });
    expect(screen.getByTestId('capture-size').textContent).toBe(`${Buffer.byteLength(CAPTURE_TEXT)} B of at most 1.0 MiB.`);
    expect((screen.getByRole('button', { name: 'Check' }) as HTMLButtonElement).disabled).toBe(false);

    fireEvent.change(textarea(), { target: { value: 'x'.repeat(1024 * 1024 + 1) } });
    expect(screen.getByTestId('capture-size').textContent).toBe('1.0 MiB: over the limit of 1.0 MiB. Keep the sections that matter.');
    expect(textarea().getAttribute('aria-invalid')).toBe('true');
    expect((screen.getByRole('button', { name: 'Check' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.submit(screen.getByRole('form', { name: 'Check a capture' }));
    await act(async () => undefined);
    expect(check).not.toHaveBeenCalled();
  });

  it('checks the paste, keeps it in this browser only (fragment and local storage) and shows the report', async () => {
    const check = fakeAction();
    render(<CaptureChecker check={check} />);
    fireEvent.change(textarea(), { target: { value: CAPTURE_TEXT } });
    fireEvent.submit(screen.getByRole('form', { name: 'Check a capture' }));
    await screen.findByTestId('capture-report');
    expect(check).toHaveBeenCalledTimes(1);
    expect(check).toHaveBeenCalledWith(CAPTURE_TEXT, null);
    expect(window.location.search).toBe('');
    expect(window.location.hash).toBe(`#${await encodeCaptureFragment(CAPTURE_TEXT)}`);
    expect(window.localStorage.getItem(STORAGE_KEY)).toBe(CAPTURE_TEXT);
    expect(within(screen.getByTestId('capture-findings')).getByText(/to 10\.99\.0\.12/)).toBeTruthy();

    // Editing after the check says the report is about the text that was checked.
    fireEvent.change(textarea(), { target: { value: `${CAPTURE_TEXT}\nmore` } });
    expect(screen.getByText(/The text changed since this report/)).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(textarea().value).toBe('');
    expect(window.location.hash).toBe('');
    expect(window.localStorage.getItem(STORAGE_KEY)).toBeNull();
    expect(screen.queryByTestId('capture-report')).toBeNull();
  });

  it('checks a shared link’s capture at once, and restores the last paste otherwise', async () => {
    window.history.replaceState(null, '', `/check#${await encodeCaptureFragment(CAPTURE_TEXT)}`);
    const check = fakeAction();
    const { unmount } = render(<CaptureChecker check={check} />);
    await screen.findByTestId('capture-report');
    expect(textarea().value).toBe(CAPTURE_TEXT);
    expect(check).toHaveBeenCalledWith(CAPTURE_TEXT, null);
    expect(screen.getByText('The capture comes from the link you opened.')).toBeTruthy();
    unmount();

    window.history.replaceState(null, '', '/check');
    window.localStorage.setItem(STORAGE_KEY, 'ip route\ndefault via 10.0.0.1 dev eth0');
    const again = fakeAction();
    render(<CaptureChecker check={again} />);
    await waitFor(() => expect(textarea().value).toBe('ip route\ndefault via 10.0.0.1 dev eth0'));
    expect(screen.getByText('Your last paste in this browser was restored.')).toBeTruthy();
    expect(again).not.toHaveBeenCalled();
  });

  it('says plainly when a shared link was cut short, and shows the API’s refusal in place', async () => {
    const fragment = await encodeCaptureFragment(CAPTURE_TEXT);
    window.history.replaceState(null, '', `/check#${fragment.slice(0, -10)}`);
    const check = fakeAction({ ok: false, problem: { kind: 'bad-input', code: 'CAPTURE_TOO_LARGE', title: 'The API refused the request.', detail: 'text: 1048577 bytes exceed the limit of 1048576 bytes (1 MiB)' } });
    render(<CaptureChecker check={check} />);
    expect(await screen.findByText(/could not be read: the link may have been cut short/)).toBeTruthy();
    expect(check).not.toHaveBeenCalled();

    fireEvent.change(textarea(), { target: { value: 'ip route' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Check a capture' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The capture could not be checked: The API refused the request.');
    expect(alert.textContent).toContain('exceed the limit of 1048576 bytes');
  });

  it('says so in place when the dashboard server does not answer the check', async () => {
    const check = jest.fn<Promise<Loaded<CaptureReport>>, [string, CaptureContextInput | null]>(async () => {
      throw new Error('Failed to fetch');
    });
    render(<CaptureChecker check={check} />);
    fireEvent.change(textarea(), { target: { value: 'ip route' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Check a capture' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The dashboard server did not answer the check.');
    expect(alert.textContent).toContain('Failed to fetch. Try again');
  });

  it('sends the IP pools given as the check’s context, and shares and restores them with the paste', async () => {
    const check = fakeAction();
    const { unmount } = render(<CaptureChecker check={check} />);
    fireEvent.change(textarea(), { target: { value: CAPTURE_TEXT } });
    fireEvent.click(screen.getByRole('button', { name: 'Add an IP pool' }));
    fireEvent.change(screen.getByLabelText('Pool 1 CIDR'), { target: { value: '10.244.0.0/16' } });
    fireEvent.change(screen.getByLabelText('Encapsulation'), { target: { value: 'VXLAN' } });
    fireEvent.change(screen.getByLabelText('Block size'), { target: { value: '24' } });
    // A second row left empty is not sent.
    fireEvent.click(screen.getByRole('button', { name: 'Add an IP pool' }));
    fireEvent.submit(screen.getByRole('form', { name: 'Check a capture' }));
    await screen.findByTestId('capture-report');
    expect(check).toHaveBeenCalledWith(CAPTURE_TEXT, { ipPools: [{ name: 'pool-1', cidr: '10.244.0.0/16', encapsulation: 'VXLAN', blockSize: 24, mtu: null }] });
    expect(new URLSearchParams(window.location.hash.slice(1)).get('pools')).toBe('10.244.0.0/16,VXLAN,24,');
    expect(window.localStorage.getItem(POOLS_STORAGE_KEY)).toBe('10.244.0.0/16,VXLAN,24,');
    unmount();

    const again = fakeAction();
    render(<CaptureChecker check={again} />);
    await screen.findByTestId('capture-report');
    expect(again).toHaveBeenCalledWith(CAPTURE_TEXT, { ipPools: [{ name: 'pool-1', cidr: '10.244.0.0/16', encapsulation: 'VXLAN', blockSize: 24, mtu: null }] });
    expect((screen.getByLabelText('Pool 1 CIDR') as HTMLInputElement).value).toBe('10.244.0.0/16');
    fireEvent.click(screen.getByRole('button', { name: 'Remove pool 1' }));
    expect(screen.queryByLabelText('Pool 1 CIDR')).toBeNull();
  });
});
