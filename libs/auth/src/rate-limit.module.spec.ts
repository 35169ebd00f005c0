import { Controller, Get, Global, INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CredentialRecord } from '@hub/contracts/reference';
import { issueApiKey } from './api-key';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { BootstrapAdminKey, CredentialStore } from './credential-store';
import { RateLimitModule } from './rate-limit.module';

@Controller()
class PingController {
  @Get('ping')
  ping() {
    return { ok: true };
  }
}

/** The limiter in a bare Nest app (the keys are an in-memory store here; the e2e tests use the real services). */
describe('RateLimitModule', () => {
  let app: INestApplication;
  const victim = issueApiKey();
  const record: CredentialRecord = {
    keyId: victim.keyId,
    agencyId: 'TJ-DCA',
    role: 'agency',
    secretHash: victim.secretHash,
    expiresAt: null,
    revokedAt: null,
    updatedAt: '2026-01-01T00:00:00.000Z',
  } as CredentialRecord;

  beforeAll(async () => {
    // Global, like AuthModule in the services.
    @Global()
    @Module({
      providers: [
        ApiKeyAuthenticator,
        {
          provide: CredentialStore,
          useValue: { findByKeyId: async (id: string) => (id === victim.keyId ? record : null) },
        },
        { provide: BootstrapAdminKey, useValue: { value: null } },
      ],
      exports: [ApiKeyAuthenticator],
    })
    class Keys {}
    const moduleRef = await Test.createTestingModule({
      imports: [Keys, RateLimitModule.forRoot(3)],
      controllers: [PingController],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });

  afterAll(() => app?.close());

  it('answers 429 beyond the limit with Retry-After stating the rest of the window in seconds', async () => {
    for (let i = 0; i < 3; i++) expect((await request(app.getHttpServer()).get('/ping')).status).toBe(200);
    const refused = await request(app.getHttpServer()).get('/ping');
    expect(refused.status).toBe(429);
    const wait = Number(refused.headers['retry-after']);
    expect(wait).toBeGreaterThan(1);
    expect(wait).toBeLessThanOrEqual(60);
  });

  it('counts a valid key on its own budget, not the address it comes from, and a forged secret against the address', async () => {
    // The address above is used up; the verified key still has its own budget.
    expect((await request(app.getHttpServer()).get('/ping').set('authorization', `Bearer ${victim.key}`)).status).toBe(
      200,
    );
    const forged = victim.key.slice(0, -4) + (victim.key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await request(app.getHttpServer()).get('/ping').set('authorization', `Bearer ${forged}`)).status).toBe(429);
    expect((await request(app.getHttpServer()).get('/ping').set('authorization', `Bearer ${victim.key}`)).status).toBe(
      200,
    );
  });
});
