import { UsageError, checkNetnsName, checkNodeName, parseCommand, parseDuration, toNodeName, type CommandSpec } from './command-line';

const spec: CommandSpec = {
  name: 'collect',
  synopsis: 'collect',
  summary: '',
  options: [{ name: 'netns', value: 'NAME', description: '' }, { name: 'summary', description: '' }],
  positionals: [],
};

describe('command line', () => {
  it('reads options and flags', () => {
    const parsed = parseCommand(spec, ['--netns', 'rs-node-a', '--summary']);
    expect(parsed.options.netns).toBe('rs-node-a');
    expect(parsed.flags.has('summary')).toBe(true);
  });

  it('rejects an unknown option with a one-line usage error', () => {
    expect(() => parseCommand(spec, ['--nope'])).toThrow(UsageError);
    expect(() => parseCommand(spec, ['--nope'])).toThrow(/--nope/);
  });

  it('rejects an option that lacks its value', () => {
    expect(() => parseCommand(spec, ['--netns'])).toThrow(/netns/);
  });

  it('rejects stray arguments', () => {
    expect(() => parseCommand(spec, ['extra'])).toThrow(/unexpected argument "extra"/);
  });

  it('reads durations in ms, s, m and h, and bare seconds', () => {
    expect(parseDuration('500ms', 'interval')).toBe(500);
    expect(parseDuration('30s', 'interval')).toBe(30000);
    expect(parseDuration('2m', 'interval')).toBe(120000);
    expect(parseDuration('15', 'interval')).toBe(15000);
    expect(() => parseDuration('fast', 'interval')).toThrow(/--interval: "fast" is not a duration/);
    expect(() => parseDuration('10ms', 'interval')).toThrow(/too short/);
  });

  it('turns a hostname into a Kubernetes node name and refuses invalid explicit names', () => {
    expect(toNodeName('Worker_01.Example.COM')).toBe('worker-01.example.com');
    expect(() => checkNodeName('Bad Name')).toThrow(/--node: "Bad Name" is not a valid node name/);
  });

  it('refuses netns names that could escape /var/run/netns', () => {
    expect(checkNetnsName('cni-1234')).toBe('cni-1234');
    expect(() => checkNetnsName('../etc')).toThrow(UsageError);
    expect(() => checkNetnsName('..')).toThrow(UsageError);
  });
});
