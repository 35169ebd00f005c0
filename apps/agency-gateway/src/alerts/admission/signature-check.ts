import { Injectable } from '@nestjs/common';
import { Principal } from '@hub/auth/principal';
import { AlertContent } from '@hub/contracts/alert/alert-content';
import { SigningKeysService } from '../../signing/signing-keys.service';
import { Refusals } from './refusals';

/** An Alert-Signature that does not verify, or a missing one when the sender requires them: audited, then 400. */
@Injectable()
export class SignatureCheck {
  constructor(
    private readonly signingKeys: SigningKeysService,
    private readonly refusals: Refusals,
  ) {}

  async assertSignature(
    principal: Principal,
    alertId: string | null,
    content: AlertContent,
    signature: string | undefined,
  ): Promise<void> {
    const problem = await this.signingKeys.signatureProblem(principal.agencyId, signature, content);
    if (problem) await this.refusals.refuse(principal, alertId, [problem]);
  }
}
