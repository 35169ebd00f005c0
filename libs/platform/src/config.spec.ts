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

  it('fails naming the variable and its bad value', () => {
    expect(() => loadConfig(ExampleConfig, { EXAMPLE_PORT: 'ninety' })).toThrow(ConfigError);
    expect(() => loadConfig(ExampleConfig, { EXAMPLE_PORT: '70000' })).toThrow(
      /EXAMPLE_PORT=70000: EXAMPLE_PORT must not be greater than 65535/,
    );
  });
});
