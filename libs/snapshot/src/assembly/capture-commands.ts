/**
 * What a pasted command line means for import: which program's output follows, where it ran
 * (`kubectl exec POD --`, `ip netns exec NAME`, `nsenter -t PID -n`, `docker exec ID`,
 * `ssh HOST`), and whether a pipe or an argument makes its output partial (`| grep`, `| head`,
 * `ip addr show dev X`) or unreadable (`| awk`, `| wc`).
 */

export type SectionFormat =
  | { kind: 'link'; json: boolean; brief?: boolean }
  | { kind: 'addr'; json: boolean; brief?: boolean }
  | { kind: 'route'; json: boolean; family?: 'inet' | 'inet6' }
  | { kind: 'neigh'; json: boolean; proxy: boolean }
  | { kind: 'sysctl'; singleFile?: string }
  | { kind: 'monitor' }
  | { kind: 'tcpdump'; interface?: string }
  | { kind: 'calicoctl-node-status' }
  | { kind: 'kubectl-wide' }
  | { kind: 'route-table' }
  | { kind: 'ifconfig'; all: boolean; device?: string }
  | { kind: 'arp' }
  | { kind: 'bridge-fdb'; dev?: string }
  | { kind: 'wireguard'; showconfInterface?: string };

export interface CommandMeaning {
  /** the format recognised, or why not. */
  format?: SectionFormat;
  /** a short name of the format for coverage: `ip route`, `tcpdump`, `route -n`, … */
  formatName?: string;
  /** why the output cannot be read (set when format is undefined). */
  unsupported?: string;
  /** why the output is only part of what the command shows: `| grep cali`, `ip addr show dev eth0`. */
  partial?: string;
  /** where the command ran, when the command line says so. */
  pod?: string;
  node?: string;
  /** the command opens an interactive shell there (`kubectl exec -it web -- bash`, `ssh node-2`): later sections run in it. */
  shell?: boolean;
  /** the command leaves the shell opened before (`exit`). */
  exit?: boolean;
}

const SHELLS = /^(?:ba|z|a|da|k|c|tc|fi)?sh$/;

/** Pipeline stages that only drop or reorder lines: the output is partial. */
const FILTERS = new Set(['grep', 'egrep', 'fgrep', 'rg', 'head', 'tail', 'sort', 'uniq', 'sed', 'more', 'less', 'cat', 'tee']);
/** Stages that reshape lines: the output is not the command's any more. */
const RESHAPERS = new Set(['awk', 'gawk', 'mawk', 'cut', 'tr', 'wc', 'xargs', 'jq', 'perl', 'python', 'python3', 'paste', 'column']);
const WRAPPERS = new Set(['sudo', 'time', 'command', 'exec', 'doas', 'env', 'nohup']);
const IP_OBJECTS: Array<[RegExp, 'link' | 'addr' | 'route' | 'neigh' | 'monitor']> = [
  [/^l(i(nk?)?)?$/, 'link'],
  [/^a(d(dr?(ess)?)?)?$/, 'addr'],
  [/^r(o(u(te?)?)?)?$/, 'route'],
  [/^n(e(i(gh(bou?r)?)?)?)?$/, 'neigh'],
  [/^mo(n(i(t(or?)?)?)?)?$/, 'monitor'],
];
/** ip(8) options that take a value, so the value is not mistaken for the object. */
const IP_OPTIONS_WITH_VALUE = new Set(['-n', '-netns', '-b', '-batch', '-rc', '-rcvbuf', '-l', '-loops', '-f', '-family']);
/** Words after which kubectl/calicoctl/crictl take `node X` / `pod X` as their own arguments. */
const KUBECTL_OPTIONS_WITH_VALUE = ['-n', '--namespace', '-c', '--container', '--context', '--kubeconfig', '-s', '--server', '--cluster', '--user'];
const K8S_PROGRAMS = /^(kubectl|oc|k|calicoctl.*|crictl|microk8s|k3s)$/;

/** `ip route # on the master` → `ip route` (indexOf, not a regex: a run of spaces would make one backtrack). */
export function stripComment(command: string): string {
  const at = command.indexOf(' #');
  return (at >= 0 && /\s/.test(command.charAt(at + 2) || ' ') ? command.slice(0, at) : command).trim();
}

/** Splits on `|` outside quotes; `||` and `|&` count as pipes too. */
export function pipelineOf(command: string): string[] {
  const stages: string[] = [];
  let quote: string | undefined;
  let current = '';
  for (const ch of command.slice(0, 4096)) {
    if (quote) {
      if (ch === quote) quote = undefined;
      current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (ch === '|') {
      if (current.trim() !== '') stages.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') stages.push(current.trim());
  return stages;
}

/** Shell words of one stage (quotes removed, redirections dropped). */
export function wordsOf(stage: string): string[] {
  const words = stage.match(/"[^"]*"|'[^']*'|\$\([^()]*\)|\S+/g) ?? [];
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (/^\d?>>?&?\d*$/.test(w) || /^&>/.test(w) || w === '<') {
      i++; // `2> /dev/null`, `> file`
      continue;
    }
    if (/^\d?>>?/.test(w) || /^\d>&\d$/.test(w)) continue; // 2>/dev/null, 2>&1
    out.push(w.replace(/^["']|["']$/g, ''));
  }
  return out;
}

/** The trailing `node NAME` / `pod NAME` of a header, when it follows a whole command. */
export function splitQualifier(command: string): { command: string; node?: string; pod?: string } {
  const m = /^(.*\S)\s+(node|pod)\s+([A-Za-z0-9<${][\w.:<>${}-]*)$/.exec(command);
  if (!m) return { command };
  const rest = m[1];
  let words = wordsOf(pipelineOf(rest).pop() ?? rest).filter((w) => !WRAPPERS.has(w) && !/^\w+=/.test(w));
  // `ssh host sudo calicoctl node status`: judge the innermost Kubernetes/Calico command.
  const inner = words.findLastIndex((w) => K8S_PROGRAMS.test(w.split('/').pop() ?? ''));
  if (inner > 0) words = words.slice(inner);
  const program = (words[0] ?? '').split('/').pop() ?? '';
  // `calicoctl node status`, `kubectl get node node-1`, `kubectl describe pod web`: arguments, not a qualifier.
  if (words.length <= 1 && K8S_PROGRAMS.test(program)) return { command };
  if (K8S_PROGRAMS.test(program) && /^(get|describe|top|delete|edit|label|annotate|cordon|uncordon|drain|logs|exec|node|nodes|pod|pods|po|no|inspectp|stopp|rmp|-o|-n)$/.test(words[words.length - 1] ?? '')) {
    return { command };
  }
  if (words.length === 0) return { command };
  return m[2] === 'node' ? { command: rest, node: m[3] } : { command: rest, pod: m[3] };
}

/** What the command line of a section says about its output. */
export function describeCommand(command: string): CommandMeaning {
  const meaning: CommandMeaning = {};
  const stages = pipelineOf(stripComment(command.slice(0, 4096)));
  if (stages.length === 0) return { unsupported: 'the header names no command' };
  const filters: string[] = [];
  for (const stage of stages.slice(1)) {
    const words = wordsOf(stage).filter((w) => !WRAPPERS.has(w));
    const program = (words[0] ?? '').split('/').pop() ?? '';
    // grep -c/-l/-o print counts, names or fragments; sed with s/// or y/// rewrites lines (sed -n '1,20p' only drops them).
    const rewritingSed = program === 'sed' && words.slice(1).some((w) => /(?:^|;)\s*\d*,?\d*\s*[sy](.).*\1/.test(w));
    // `ip -j route | jq` / `| jq .` only pretty-prints the JSON.
    if (program === 'jq' && words.slice(1).every((w) => w === '.' || /^-[CMrS]+$/.test(w))) continue;
    if (RESHAPERS.has(program) || rewritingSed || ((program === 'grep' || program === 'egrep') && words.some((w) => /^-\w*[cloL]/.test(w)))) {
      return { unsupported: `its output was reshaped by \`${stage.slice(0, 60)}\`, so the columns cannot be trusted` };
    }
    if (FILTERS.has(program)) {
      if (program !== 'cat' && program !== 'tee' && program !== 'less' && program !== 'more') filters.push(stage.slice(0, 60));
    } else {
      return { unsupported: `its output went through \`${stage.slice(0, 60)}\`, which Routescope does not know` };
    }
  }
  let words = wordsOf(stages[0]);
  // Where it ran: ssh HOST …, kubectl exec POD -- …, ip netns exec NAME …, nsenter …, docker/crictl exec ID …
  for (let guard = 0; guard < 6; guard++) {
    while (words.length > 0 && (WRAPPERS.has(words[0]) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]))) {
      const wrapper = words.shift();
      // sudo -E, sudo -u root, time -p: the wrapper's own options.
      while (wrapper && WRAPPERS.has(wrapper) && words[0]?.startsWith('-')) words.splice(0, /^-(u|g|C|h)$/.test(words[0]) ? 2 : 1);
    }
    const program = (words[0] ?? '').split('/').pop() ?? '';
    if (program === 'ssh') {
      let i = 1;
      while (i < words.length && words[i].startsWith('-')) i += /^-[bcDEeFIiJLlmOopQRSWw]$/.test(words[i]) ? 2 : 1;
      if (words[i]) meaning.node = words[i].replace(/^[^@]*@/, '');
      words = words.slice(i + 1);
      continue;
    }
    const verbAt = (program === 'kubectl' || program === 'oc' || program === 'k') ? words.indexOf('exec') : -1;
    if (verbAt > 0 && positionalsOf(words.slice(1, verbAt), KUBECTL_OPTIONS_WITH_VALUE).length === 0) {
      const dash = words.indexOf('--');
      const head = dash >= 0 ? [...words.slice(1, verbAt), ...words.slice(verbAt + 1, dash)] : words.slice(verbAt + 1, verbAt + 2);
      const pod = positional(head, KUBECTL_OPTIONS_WITH_VALUE);
      if (pod) meaning.pod = pod.replace(/^pods?\//, '');
      words = dash >= 0 ? words.slice(dash + 1) : words.slice(verbAt + 2);
      continue;
    }
    if ((program === 'docker' || program === 'crictl' || program === 'nerdctl' || program === 'podman') && words[1] === 'exec') {
      let i = 2;
      while (i < words.length && words[i].startsWith('-')) i += /^(-u|--user|-e|--env|-w|--workdir)$/.test(words[i]) ? 2 : 1;
      // A container ID is a pod's container; a name is what kind calls its nodes (docker exec kind-worker …).
      if (words[i] && (program === 'crictl' || /^[0-9a-f]{12,64}$/.test(words[i]))) meaning.pod = words[i];
      else if (words[i]) meaning.node = words[i];
      words = words.slice(i + 1);
      continue;
    }
    if (program === 'ip' && words[1] === 'netns' && words[2] === 'exec' && words[3]) {
      meaning.pod = words[3];
      words = words.slice(4);
      continue;
    }
    if (program === 'nsenter') {
      let i = 1;
      let pid: string | undefined;
      let net = false;
      while (i < words.length && words[i].startsWith('-')) {
        const w = words[i];
        if (w === '-t' || w === '--target') {
          pid = words[i + 1];
          i += 2;
          continue;
        }
        if (/^--target=/.test(w)) pid = w.slice(9);
        else if (/^--net=\/proc\/([^/]+)\/ns\/net$/.test(w)) {
          pid = /^--net=\/proc\/([^/]+)\//.exec(w)?.[1];
          net = true;
        } else if (/^-\w*n/.test(w) || w === '--net') net = true;
        else if (/^--net=/.test(w)) {
          meaning.pod = w.slice(6).split('/').pop();
          net = true;
        }
        i++;
      }
      if (net && pid) meaning.pod = `pid:${pid}`;
      words = words.slice(i);
      continue;
    }
    if (program === 'watch') {
      let i = 1;
      while (i < words.length && words[i].startsWith('-')) i += /^(-n|--interval|-d)$/.test(words[i]) && /^\d/.test(words[i + 1] ?? '') ? 2 : 1;
      words = words.slice(i);
      continue;
    }
    if (program === 'busybox') {
      words = words.slice(1);
      continue;
    }
    break;
  }
  const innermost = (words[0] ?? '').split('/').pop() ?? '';
  if (stages.length === 1 && (meaning.pod !== undefined || meaning.node !== undefined) && (words.length === 0 || (SHELLS.test(innermost) && words.length <= 2))) {
    return { ...meaning, shell: true };
  }
  if (stages.length === 1 && (innermost === 'exit' || innermost === 'logout') && words.length <= 2) return { exit: true, unsupported: 'exit leaves a shell; it prints no state' };
  const recognised = recogniseProgram(words);
  Object.assign(meaning, recognised);
  if (filters.length > 0 && meaning.format) {
    meaning.partial = meaning.partial ? `${meaning.partial}; filtered by \`${filters.join(' | ')}\`` : `filtered by \`${filters.join(' | ')}\``;
  }
  return meaning;
}

function positional(words: string[], withValue: string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    if (withValue.includes(words[i])) {
      i++;
      continue;
    }
    if (words[i].startsWith('-')) continue;
    return words[i];
  }
  return undefined;
}

function recogniseProgram(words: string[]): CommandMeaning {
  const program = (words[0] ?? '').split('/').pop() ?? '';
  const args = words.slice(1);
  if (program === 'ip') return recogniseIp(args);
  if (program === 'sysctl') {
    return args.some((a) => a === '-w' || /=/.test(a)) ? { unsupported: 'sysctl -w sets a value; it prints no state' } : { format: { kind: 'sysctl' }, formatName: 'sysctl' };
  }
  if ((program === 'cat' || program === 'grep' || program === 'head' || program === 'tail' || program === 'egrep') && args.some((t) => t.startsWith('/proc/sys/'))) {
    const files = args.filter((t) => t.startsWith('/proc/sys/'));
    if (program === 'cat' || program === 'head' || program === 'tail') {
      if (files.length === 1 && !/[*?[{]/.test(files[0])) return { format: { kind: 'sysctl', singleFile: files[0] }, formatName: `cat ${files[0]}` };
      return { unsupported: 'cat of several /proc/sys files prints their values without their paths' };
    }
    // grep PATTERN FILES: `.` (or an empty pattern) prints every file as path:value.
    const options = args.filter((a) => a.startsWith('-'));
    const pattern = args.find((a) => !a.startsWith('-'));
    const single = files.length === 1 && !/[*?[{]/.test(files[0]) && !options.some((o) => /r|R|H/.test(o));
    const meaning: CommandMeaning = single ? { format: { kind: 'sysctl', singleFile: files[0] }, formatName: 'grep /proc/sys' } : { format: { kind: 'sysctl' }, formatName: 'grep /proc/sys' };
    if (pattern !== undefined && pattern !== '.' && pattern !== '' && pattern !== '^' && !pattern.startsWith('/proc/sys/')) meaning.partial = `only the values matching \`${pattern.slice(0, 40)}\``;
    return meaning;
  }
  if (program === 'tcpdump') return recogniseTcpdump(args);
  if (/^calicoctl/.test(program) || (program === 'kubectl' && args[0] === 'calico')) {
    const rest = program === 'kubectl' ? args.slice(1) : args;
    const positionals = rest.filter((a) => !a.startsWith('-'));
    if (positionals[0] === 'node' && positionals[1] === 'status') return { format: { kind: 'calicoctl-node-status' }, formatName: 'calicoctl node status' };
    // calicoctl 1.x printed the same tables under `calicoctl status`.
    if (positionals[0] === 'status' && positionals.length === 1) return { format: { kind: 'calicoctl-node-status' }, formatName: 'calicoctl status' };
    return { unsupported: `calicoctl ${positionals.slice(0, 2).join(' ')} is not read (only calicoctl node status is)` };
  }
  if (program === 'kubectl' || program === 'oc' || program === 'k') {
    const positionals = positionalsOf(args, ['-n', '--namespace', '-o', '--output', '-l', '--selector', '--context', '--kubeconfig', '--field-selector', '-c']);
    const resource = positionals[1]?.split(',')[0];
    if (positionals[0] === 'get' && /^(pods?|po|nodes?|no)$/.test(resource ?? '')) {
      const wide = args.some((a, i) => a === '-owide' || a === '-o=wide' || a === '--output=wide' || ((a === '-o' || a === '--output') && args[i + 1] === 'wide'));
      const nodes = /^no/.test(resource ?? '');
      const meaning: CommandMeaning = { format: { kind: 'kubectl-wide' }, formatName: `kubectl get ${nodes ? 'nodes' : 'pods'}${wide ? ' -o wide' : ''}` };
      if (positionals.length > 2) meaning.partial = `only ${positionals.slice(2).join(' ')}`;
      else if (args.some((a) => a === '-l' || a.startsWith('--selector') || a.startsWith('--field-selector'))) meaning.partial = 'filtered by a selector';
      return meaning;
    }
    return { unsupported: `kubectl ${positionals.slice(0, 2).join(' ')} is not read (only kubectl get pods/nodes [-o wide] is)` };
  }
  if (program === 'route') {
    if (args.some((a) => a === 'add' || a === 'del')) return { unsupported: 'route add/del changes the table; it prints no state' };
    return { format: { kind: 'route-table' }, formatName: `route${args.length ? ` ${args.join(' ')}` : ''}`.slice(0, 40) };
  }
  if (program === 'netstat') {
    if (args.some((a) => /^-\w*r/.test(a) || a === '--route')) return { format: { kind: 'route-table' }, formatName: 'netstat -r' };
    return { unsupported: 'netstat is read only with -r (the routing table)' };
  }
  if (program === 'ifconfig') {
    const all = args.includes('-a');
    const device = args.find((a) => !a.startsWith('-'));
    if (device && args.indexOf(device) < args.length - 1) return { unsupported: 'ifconfig with arguments after the device changes it; it prints no state' };
    const meaning: CommandMeaning = { format: { kind: 'ifconfig', all, device }, formatName: all ? 'ifconfig -a' : 'ifconfig' };
    if (device) meaning.partial = `only device ${device}`;
    else if (!all) meaning.partial = 'ifconfig without -a lists only the interfaces that are up';
    return meaning;
  }
  if (program === 'arp') {
    if (args.some((a) => a === '-s' || a === '-d')) return { unsupported: 'arp -s/-d changes the table; it prints no state' };
    const meaning: CommandMeaning = { format: { kind: 'arp' }, formatName: `arp${args.length ? ` ${args.join(' ')}` : ''}`.slice(0, 40) };
    const i = args.indexOf('-i');
    if (i >= 0 && args[i + 1]) meaning.partial = `only interface ${args[i + 1]}`;
    return meaning;
  }
  if (program === 'bridge') {
    if (args.filter((a) => !a.startsWith('-'))[0] === 'fdb' && !args.some((a) => a === 'add' || a === 'del' || a === 'append' || a === 'replace')) {
      const dev = args[args.indexOf('dev') + 1];
      const meaning: CommandMeaning = { format: { kind: 'bridge-fdb', ...(args.includes('dev') && dev ? { dev } : {}) }, formatName: 'bridge fdb' };
      if (args.includes('dev') || args.includes('br')) meaning.partial = 'only one device';
      return meaning;
    }
    return { unsupported: `bridge ${args.filter((a) => !a.startsWith('-'))[0] ?? ''} is not read (only bridge fdb is)` };
  }
  if (program === 'wg') {
    if (args.length === 0 || args[0] === 'show') {
      if (args[2] !== undefined && args[2] !== 'dump') return { unsupported: `wg show ${args.slice(1).join(' ')} prints one field, not the interface` };
      if (args.includes('dump')) return { unsupported: 'wg show dump is not read (wg show is)' };
      return { format: { kind: 'wireguard' }, formatName: 'wg show' };
    }
    if (args[0] === 'showconf') return { format: { kind: 'wireguard', showconfInterface: args[1] }, formatName: 'wg showconf' };
    return { unsupported: `wg ${args[0]} is not read (wg show and wg showconf are)` };
  }
  return { unsupported: `"${program || words[0] || ''}" is not a command Routescope reads` };
}

function positionalsOf(args: string[], withValue: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (withValue.includes(args[i])) {
      i++;
      continue;
    }
    if (!args[i].startsWith('-')) out.push(args[i]);
  }
  return out;
}

function recogniseTcpdump(args: string[]): CommandMeaning {
  let iface: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-w' || (a.startsWith('-') && !a.startsWith('--') && a.endsWith('w') && args[i + 1] && !args[i + 1].startsWith('-'))) {
      if (a === '-w' || /^-[A-Za-z]*w$/.test(a)) return { unsupported: 'tcpdump -w writes the frames to a file; nothing is printed' };
    }
    if (a === '-i' || a === '--interface') iface = args[i + 1];
    else if (a.startsWith('--interface=')) iface = a.slice(12);
    else if (/^-[A-Za-z]*i$/.test(a) && !a.startsWith('--')) iface = args[i + 1];
    else if (/^-i\S+$/.test(a)) iface = a.slice(2);
  }
  return { format: { kind: 'tcpdump', interface: iface === 'any' ? undefined : iface }, formatName: 'tcpdump' };
}

function recogniseIp(tokens: string[]): CommandMeaning {
  const found: { netns?: string } = {};
  const meaning = recogniseIpObject(tokens, found);
  return found.netns !== undefined && meaning.format ? { ...meaning, pod: found.netns } : meaning;
}

function recogniseIpObject(tokens: string[], found: { netns?: string }): CommandMeaning {
  let json = false;
  let brief = false;
  let family: 'inet' | 'inet6' | undefined;
  let object: 'link' | 'addr' | 'route' | 'neigh' | 'monitor' | undefined;
  const options: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!object && token.startsWith('-')) {
      const option = token.replace(/^--?/, '-');
      options.push(option);
      if (option === '-j' || option === '-json') json = true;
      else if (option === '-br' || option === '-brief') brief = true;
      else if (option === '-6') family = 'inet6';
      else if (option === '-4') family = 'inet';
      else if (/^-\w+$/.test(option) && /^-(?:[sdc4]*j[sdc4]*)$/.test(option)) json = true;
      else if (IP_OPTIONS_WITH_VALUE.has(option)) {
        if ((option === '-f' || option === '-family') && tokens[i + 1]) family = tokens[i + 1] === 'inet6' ? 'inet6' : 'inet';
        // `ip -n cni-1234 route`: it ran in that namespace
        if ((option === '-n' || option === '-netns') && tokens[i + 1]) found.netns = tokens[i + 1];
        i++;
      }
      continue;
    }
    if (!object) {
      object = IP_OBJECTS.find(([pattern]) => pattern.test(token))?.[1];
      if (!object) return { unsupported: `ip ${token} is not read (ip link, addr, route, neigh and monitor are)` };
      continue;
    }
    rest.push(token);
  }
  if (!object) return { unsupported: 'ip without an object prints no state' };
  const verb = rest[0];
  if (verb && /^(add|del|delete|change|replace|append|set|flush|save|restore|prepend|test)$/.test(verb)) {
    return { unsupported: `ip ${object} ${verb} changes state; it prints none` };
  }
  if (brief && (object === 'route' || object === 'neigh')) return { unsupported: `ip -brief ${object} is not read (ip -br link and ip -br addr are)` };
  const args = verb && /^(show|list|lst|sh|ls|s|l)$/.test(verb) ? rest.slice(1) : rest;
  const name = `ip ${object}`;
  switch (object) {
    case 'monitor':
      return { format: { kind: 'monitor' }, formatName: 'ip monitor' };

    case 'link':
    case 'addr': {
      const meaning: CommandMeaning = { format: { kind: object, json, ...(brief && !json ? { brief } : {}) }, formatName: brief ? `ip -br ${object}` : name };
      const filtered = args.filter((a) => !/^(all)$/.test(a));
      if (filtered.length > 0) meaning.partial = `only ${filtered.join(' ').slice(0, 60)}`;
      else if (object === 'addr' && family) meaning.partial = `only ${family === 'inet' ? 'IPv4' : 'IPv6'} addresses (-${family === 'inet' ? 4 : 6})`;
      return meaning;
    }
    case 'route': {
      if (verb === 'get') return { unsupported: 'ip route get prints one lookup, not routing table entries' };
      const meaning: CommandMeaning = { format: { kind: 'route', json, family }, formatName: name };
      const filtered: string[] = [];
      for (let i = 0; i < args.length; i++) {
        if (args[i] === 'table' && /^(main|all|unspec|254|0)$/.test(args[i + 1] ?? '')) {
          i++;
          continue;
        }
        filtered.push(args[i]);
      }
      if (filtered.length > 0) meaning.partial = `only ${filtered.join(' ').slice(0, 60)}`;
      return meaning;
    }
    case 'neigh': {
      const proxy = args.includes('proxy');
      const meaning: CommandMeaning = { format: { kind: 'neigh', json, proxy }, formatName: proxy ? 'ip neigh show proxy' : name };
      const filtered: string[] = [];
      for (let i = 0; i < args.length; i++) {
        if (args[i] === 'proxy' || args[i] === 'all') continue;
        if (args[i] === 'nud' && args[i + 1] === 'all') {
          i++;
          continue;
        }
        filtered.push(args[i]);
      }
      if (filtered.length > 0) meaning.partial = `only ${filtered.join(' ').slice(0, 60)}`;
      return meaning;
    }
  }
}
