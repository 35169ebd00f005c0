/**
 * OpenTelemetry tracing configured only by the standard variables
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/). Tracing is off — no SDK
 * loaded, nothing exported, one boolean checked on the hot path — unless an OTLP endpoint is set.
 */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

export interface TracingConfig {
  serviceName: string;
  protocol: OtlpProtocol;
  sampler: SamplerName;
  /** The ratio for the traceidratio samplers (OTEL_TRACES_SAMPLER_ARG), 1 when not given. */
  ratio: number;
}

/** A standard variable with a value the hub cannot use: names the variable, as config errors do. */
export class TracingConfigError extends Error {}

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];
const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

/** The tracing configuration from the environment, or null when tracing is off (no endpoint, or disabled). */
export function tracingConfigFromEnv(env: NodeJS.ProcessEnv, defaultServiceName: string): TracingConfig | null {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return null;
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return null;
  const exporter = (env.OTEL_TRACES_EXPORTER ?? 'otlp').trim().toLowerCase();
  if (exporter === 'none') return null;
  if (exporter !== 'otlp')
    throw new TracingConfigError(`OTEL_TRACES_EXPORTER must be otlp or none, not "${env.OTEL_TRACES_EXPORTER}"`);
  if (!isHttpUrl(endpoint)) {
    const name = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
      ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
      : 'OTEL_EXPORTER_OTLP_ENDPOINT';
    throw new TracingConfigError(`${name} must be a URL such as http://127.0.0.1:4318, not "${endpoint}"`);
  }
  const protocolVariable = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = (env[protocolVariable] || 'http/protobuf').trim() as OtlpProtocol;
  if (!PROTOCOLS.includes(protocol))
    throw new TracingConfigError(
      `${protocolVariable} must be http/protobuf or http/json (grpc is not built in), not "${env[protocolVariable]}"`,
    );
  const sampler = (env.OTEL_TRACES_SAMPLER || 'parentbased_always_on').trim() as SamplerName;
  if (!SAMPLERS.includes(sampler))
    throw new TracingConfigError(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}, not "${sampler}"`);
  let ratio = 1;
  if (sampler.endsWith('traceidratio') && env.OTEL_TRACES_SAMPLER_ARG !== undefined) {
    ratio = Number(env.OTEL_TRACES_SAMPLER_ARG);
    if (env.OTEL_TRACES_SAMPLER_ARG.trim() === '' || !(ratio >= 0 && ratio <= 1))
      throw new TracingConfigError(
        `OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1, not "${env.OTEL_TRACES_SAMPLER_ARG}"`,
      );
  }
  return { serviceName: env.OTEL_SERVICE_NAME?.trim() || defaultServiceName, protocol, sampler, ratio };
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
