/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests: every line must be a comment, a
 * `# HELP`/`# TYPE` line or a sample `name{label="value",...} value [timestamp]`; anything else throws naming the line.
 * Samples of a metric must follow its TYPE line, as the format requires.
 */
export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PrometheusExposition {
  types: Map<string, string>;
  samples: PrometheusSample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+-?\\d+)?$`);
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const HELP = new RegExp(`^# HELP (${NAME}) `);
const SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count'] };

export function parsePrometheusText(text: string): PrometheusExposition {
  const types = new Map<string, string>();
  const samples: PrometheusSample[] = [];
  text.split('\n').forEach((line, index) => {
    const where = `line ${index + 1} ("${line.slice(0, 120)}")`;
    if (line.trim() === '') return;
    const type = TYPE.exec(line);
    if (type) {
      if (types.has(type[1])) throw new Error(`${where}: a second TYPE for ${type[1]}`);
      types.set(type[1], type[2]);
      return;
    }
    if (HELP.test(line)) return;
    if (line.startsWith('#')) {
      if (/^# (HELP|TYPE)\b/.test(line)) throw new Error(`${where}: malformed ${line.split(' ')[1]} line`);
      return;
    }
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`${where}: not a sample`);
    const [, name, labelText, valueText] = sample;
    if (!familyOf(name, types)) throw new Error(`${where}: sample of ${name} before any TYPE line of its metric`);
    const value = numberOf(valueText);
    if (value === undefined) throw new Error(`${where}: value "${valueText}" is not a number`);
    samples.push({ name, labels: parseLabels(labelText ?? '', where), value });
  });
  return { types, samples };
}

/** A sample value as Prometheus reads it (Go's ParseFloat: NaN and Inf in any case, e.g. prom-client's `Nan`). */
function numberOf(text: string): number | undefined {
  if (/^nan$/i.test(text)) return NaN;
  const infinite = /^([+-]?)inf(inity)?$/i.exec(text);
  if (infinite) return infinite[1] === '-' ? -Infinity : Infinity;
  const value = Number(text);
  return text.trim() === '' || Number.isNaN(value) ? undefined : value;
}

/** The metric (TYPE line) a sample name belongs to: itself, or a histogram's or summary's family by its suffix. */
export function familyOf(name: string, types: ReadonlyMap<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const [family, type] of types)
    if ((SUFFIXES[type] ?? []).some((suffix) => name === family + suffix)) return family;
  return undefined;
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex;
    const match = LABEL.exec(text);
    if (!match) throw new Error(`${where}: malformed labels at "${text.slice(start, start + 40)}"`);
    labels[match[1]] = match[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    if (match[3] === '') break;
  }
  return labels;
}

/** The samples named `name` whose labels include every given label. */
export function samplesOf(
  exposition: PrometheusExposition,
  name: string,
  labels: Record<string, string> = {},
): PrometheusSample[] {
  return exposition.samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
}

/** The sum of the matching samples' values (0 when there is none). */
export function sumOf(exposition: PrometheusExposition, name: string, labels: Record<string, string> = {}): number {
  return samplesOf(exposition, name, labels).reduce((sum, sample) => sum + sample.value, 0);
}
