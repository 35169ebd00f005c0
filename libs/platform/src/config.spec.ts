import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsString, Max, Min } from 'class-validator';
import { ConfigError, loadConfig } from './config';

class ExampleConfig {
  @IsInt() @Min(1) @Max(65535) @Type(() => Number) EXAMPLE_PORT: number = 3000;
  @IsString() @IsNotEmpty() EXAMPLE_URL: string = 'postgres://localhost/x';
}

describe('loadConfig', () => {
  it('keeps defaults when the environment is silent', () => {
    expect(loadConfig(ExampleConfig, {})).toMatchObject({ EXAMPLE_PORT: 3000, EXAMPLE_URL: 'postgres://localhost/x' });
  });

  it('converts numeric variables from their string form', () => {
    expect(loadConfig(ExampleConfig, { EXAMPLE_PORT: '4100' }).EXAMPLE_PORT).toBe(4100);
  });

  it('fails naming the variable and what is wrong with it, never its value (it may be a secret)', () => {
    expect(() => loadConfig(ExampleConfig, { EXAMPLE_PORT: 'ninety' })).toThrow(ConfigError);
    expect(() => loadConfig(ExampleConfig, { EXAMPLE_PORT: '70000' })).toThrow(
      /EXAMPLE_PORT: EXAMPLE_PORT must not be greater than 65535/,
    );
    const secret = 'short-secret-x';
    let message = '';
    try {
      loadConfig(ExampleConfig, { EXAMPLE_PORT: secret });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/EXAMPLE_PORT: EXAMPLE_PORT must/);
    expect(message).not.toContain(secret);
  });
});
