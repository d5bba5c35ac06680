import { fireEvent, render, screen, within } from '@testing-library/react';
import { CAPTURE_TEXT, REPORT } from '../../test/capture-report.fixture';
import { CaptureReportView } from './capture-report-view';

function line(n: number): HTMLElement {
  return within(screen.getByTestId('capture-lines')).getAllByRole('listitem')[n - 1];
}

function highlighted(): number[] {
  return within(screen.getByTestId('capture-lines'))
    .getAllByRole('listitem')
    .filter((li) => li.querySelector('mark'))
    .map((li) => Number(li.dataset.line));
}

describe('CaptureReportView', () => {
  it('lists every section with its coverage and says why a section is partial or unsupported', () => {
    render(<CaptureReportView report={REPORT} text={CAPTURE_TEXT} />);
    expect(screen.getByTestId('coverage-summary').textContent).toBe('4 sections: 2 read, 1 partial, 1 unsupported');
    const sections = within(screen.getByTestId('capture-coverage')).getAllByRole('listitem');
    expect(sections.map((s) => s.dataset.status)).toEqual(['READ', 'READ', 'PARTIAL', 'UNSUPPORTED']);
    expect(sections[0].textContent).toContain('Read');
    expect(sections[2].textContent).toContain('Partial');
    expect(sections[2].textContent).toContain('The peer table was cut short.');
    expect(sections[3].textContent).toContain('Unsupported');
    expect(sections[3].textContent).toContain('ethtool output is not a format Routescope reads.');
    expect(screen.getByTestId('capture-not-checked').textContent).toContain('nothing is concluded missing from it');
    // A section's line button lights up its header line.
    fireEvent.click(within(sections[3]).getByRole('button', { name: 'line 13' }));
    expect(highlighted()).toEqual([13]);
  });

  it('shows each finding with severity, rule and message, and lights up its evidence lines in the pasted text on click', () => {
    render(<CaptureReportView report={REPORT} text={CAPTURE_TEXT} />);
    const findings = within(screen.getByTestId('capture-findings')).getAllByRole('listitem').filter((li) => li.dataset.rule);
    expect(findings.map((f) => f.dataset.rule)).toEqual(['CALICO_BGP_PEER_DOWN', 'CALICO_BLACKHOLE']);
    expect(findings[0].textContent).toContain('Error');
    expect(findings[0].textContent).toContain('Active Socket: Connection refused');
    expect(findings[1].textContent).toContain('Warning');
    expect(findings[1].textContent).toContain('read from the parsed sections (no single line)');
    expect(highlighted()).toEqual([]);

    const show = within(findings[0]).getByRole('button', { name: 'show line 12 in the capture' });
    expect(show.getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(show);
    expect(show.getAttribute('aria-pressed')).toBe('true');
    expect(highlighted()).toEqual([12]);
    expect(line(12).textContent).toContain('10.99.0.12 | node-to-node mesh | start');
    expect(screen.getByTestId('highlight-status').textContent).toBe('Highlighted: line 12 (CALICO_BGP_PEER_DOWN on node-a).');

    // Passed evidence highlights its frames the same way, and the evidence reads as tcpdump does.
    const passed = within(screen.getByTestId('capture-passed')).getByText('Proxy ARP verified: 169.254.1.1 is-at ee:ee:ee:ee:ee:ee').closest('li') as HTMLElement;
    fireEvent.click(within(passed).getByRole('button', { name: 'show lines 5–7 in the capture' }));
    expect(highlighted()).toEqual([5, 6, 7]);
    expect(show.getAttribute('aria-pressed')).toBe('false');
    expect(passed.textContent).toContain('line 6: 12:00:00.000040 calif55e0ab04de ARP reply: 169.254.1.1 is-at ee:ee:ee:ee:ee:ee');
    expect(findings[1].textContent).toContain("assumed: Calico's default block size (/26)");
  });

  it('draws the ARP exchange as a ladder between the pod’s eth0 and its host veth', () => {
    render(<CaptureReportView report={REPORT} text={CAPTURE_TEXT} />);
    const ladder = screen.getByRole('figure', { name: 'pod eth0 ↔ host calif55e0ab04de on node node-a' });
    expect(ladder.textContent).toContain('10.244.1.5 · 02:42:0a:f4:01:05');
    const steps = within(ladder).getAllByRole('listitem');
    expect(steps.map((s) => s.dataset.direction)).toEqual(['to-host', 'to-pod', 'to-host']);
    expect(steps[0].textContent).toContain('pod to host: ARP request: who-has 169.254.1.1 tell 10.244.1.5');
    expect(steps[1].textContent).toContain('host to pod: ARP reply: 169.254.1.1 is-at ee:ee:ee:ee:ee:ee');
    expect(steps[2].textContent).toContain('pod to host: ICMP echo request 10.244.1.5 → 10.99.0.11');
    expect(steps[2].textContent).toContain('02:42:0a:f4:01:05 → ee:ee:ee:ee:ee:ee');
    expect(within(ladder).queryByTestId('ladder-unanswered')).toBeNull();
    fireEvent.click(within(steps[1]).getByRole('button', { name: 'Show line 6 in the capture' }));
    expect(highlighted()).toEqual([6]);
  });

  it('has no ladder without frames, lists the nodes with their CNI and mode, and says when nothing could be read', () => {
    render(
      <CaptureReportView
        report={{ ...REPORT, passed: [], findings: [], coverage: [{ ...REPORT.coverage[3], headerLine: 1 }], nodes: [{ node: 'imported', cni: 'unknown', mode: null, namespaces: 0, facts: 0 }], unreadable: 'No section could be read: ethtool output is not a format Routescope reads.' }}
        text={'--- ethtool -S eth0\nNIC statistics:'}
      />,
    );
    expect(screen.queryByRole('figure')).toBeNull();
    expect(screen.getByRole('heading', { name: 'No section of this text could be read' })).toBeTruthy();
    expect(screen.getByText('No finding')).toBeTruthy();
    const row = within(screen.getByTestId('capture-nodes')).getByRole('row', { name: /imported/ });
    expect(row.textContent).toBe('importedunknownnot told00');
  });

  it('says when a section had no header (output pasted without its command) instead of pointing at a line', () => {
    render(<CaptureReportView report={{ ...REPORT, coverage: [{ ...REPORT.coverage[0], headerLine: 0, command: 'ip route' }] }} text={'default via 10.99.0.1 dev eth0'} />);
    const section = within(screen.getByTestId('capture-coverage')).getByRole('listitem');
    expect(section.textContent).toContain('no header');
    expect(within(section).queryByRole('button')).toBeNull();
  });
});
