// A small PromQL checker for the rules and dashboard of deploy/monitoring (promtool is not on
// every machine): brackets balance, label matchers and range durations are well formed,
// functions are PromQL's, and it lists the metric names an expression selects.

const FUNCTIONS = new Set([
  'abs', 'absent', 'absent_over_time', 'avg_over_time', 'ceil', 'changes', 'clamp', 'clamp_max', 'clamp_min', 'count_over_time', 'day_of_month', 'day_of_week', 'delta', 'deriv', 'exp', 'floor',
  'histogram_quantile', 'holt_winters', 'hour', 'idelta', 'increase', 'irate', 'label_join', 'label_replace', 'last_over_time', 'ln', 'log2', 'log10', 'max_over_time', 'min_over_time', 'minute', 'month',
  'predict_linear', 'quantile_over_time', 'rate', 'resets', 'round', 'scalar', 'sort', 'sort_desc', 'sqrt', 'stddev_over_time', 'sum_over_time', 'time', 'timestamp', 'vector', 'year',
]);
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile']);
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
const CLOSING: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

type Token = { kind: 'ident' | 'string' | 'number' | 'duration' | 'var' | 'op' | 'open' | 'close' | 'comma' | 'colon'; text: string };

const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)|(\d+(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*)|(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|(\$\{?\w+\}?)|([a-zA-Z_:][a-zA-Z0-9_:]*)|(==|!=|<=|>=|=~|!~|[-+*/%^<>=])|([([{])|([)\]}])|(,)|(:))/y;

function tokenize(expr: string): { tokens: Token[]; problem?: string } {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expr.length) {
    if (/^\s*$/.test(expr.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(expr);
    if (!m) return { tokens, problem: `cannot read "${expr.slice(at, at + 20)}"` };
    const kinds: Token['kind'][] = ['string', 'duration', 'number', 'var', 'ident', 'op', 'open', 'close', 'comma', 'colon'];
    const index = m.slice(1).findIndex((g) => g !== undefined);
    tokens.push({ kind: kinds[index], text: m[index + 1] });
  }
  return { tokens };
}

export function checkPromql(expr: string): { metrics: string[]; problems: string[] } {
  const problems: string[] = [];
  const metrics: string[] = [];
  const { tokens, problem } = tokenize(expr);
  if (problem) return { metrics, problems: [problem] };
  const stack: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const next = tokens[i + 1];
    if (token.kind === 'open') {
      stack.push(token.text);
      if (token.text === '{') i = labelMatchers(tokens, i + 1, problems) - 1;
      else if (token.text === '[') i = rangeSelector(tokens, i + 1, problems) - 1;
      continue;
    }
    if (token.kind === 'close') {
      if (stack.pop() !== CLOSING[token.text]) problems.push(`unbalanced "${token.text}"`);
      continue;
    }
    if (token.kind !== 'ident') continue;
    if (LABEL_LISTS.has(token.text)) {
      if (next?.kind === 'open' && next.text === '(') {
        let j = i + 2;
        while (tokens[j] && !(tokens[j].kind === 'close' && tokens[j].text === ')')) {
          if (tokens[j].kind !== 'ident' && tokens[j].kind !== 'comma') problems.push(`${token.text}(…) takes label names, not "${tokens[j].text}"`);
          j++;
        }
        if (!tokens[j]) problems.push(`unclosed ${token.text}(`);
        i = j;
      } else if (token.text !== 'group_left' && token.text !== 'group_right') problems.push(`"${token.text}" needs a label list`);
      continue;
    }
    if (KEYWORDS.has(token.text.toLowerCase())) continue;
    if (next?.kind === 'open' && next.text === '(') {
      if (!FUNCTIONS.has(token.text) && !AGGREGATIONS.has(token.text)) problems.push(`unknown function ${token.text}()`);
      continue;
    }
    if (AGGREGATIONS.has(token.text) && next?.kind === 'ident' && LABEL_LISTS.has(next.text)) continue;
    metrics.push(token.text);
  }
  if (stack.length > 0) problems.push(`unclosed "${stack.join('')}"`);
  return { metrics: [...new Set(metrics)], problems };
}

/** `{name op "value", …}` from `start` (after the brace); returns the index of the closing brace. */
function labelMatchers(tokens: Token[], start: number, problems: string[]): number {
  let i = start;
  while (tokens[i] && tokens[i].text !== '}') {
    const [name, op, value] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (name?.kind !== 'ident' || op?.kind !== 'op' || !['=', '!=', '=~', '!~'].includes(op.text) || value?.kind !== 'string') {
      problems.push(`bad label matcher at "${tokens.slice(i, i + 3).map((t) => t.text).join('')}"`);
      return skipTo(tokens, i, '}');
    }
    i += 3;
    if (tokens[i]?.kind === 'comma') i++;
  }
  if (!tokens[i]) problems.push('unclosed "{"');
  return i;
}

/** `[5m]`, `[$__rate_interval]` or a subquery `[1h:5m]`; returns the index of the closing bracket. */
function rangeSelector(tokens: Token[], start: number, problems: string[]): number {
  const end = skipTo(tokens, start, ']');
  const inside = tokens.slice(start, end).map((t) => t.text).join('');
  if (!/^(\d+(ms|[smhdwy]))+(:(\d+(ms|[smhdwy]))*)?$|^\$\{?\w+\}?$/.test(inside)) problems.push(`bad range "[${inside}]"`);
  if (!tokens[end]) problems.push('unclosed "["');
  return end;
}

function skipTo(tokens: Token[], from: number, text: string): number {
  let i = from;
  while (tokens[i] && tokens[i].text !== text) i++;
  return i;
}
