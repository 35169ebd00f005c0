import { Body, Controller, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { AckRequest, CancelAlertRequest, SubmitAlertRequest, UpdateAlertRequest } from './requests';

@Controller('v1/alerts')
class DocumentedAlertsController {
  @Post() submit(@Body() _body: SubmitAlertRequest): void {}
  @Post(':alertId/versions') update(@Body() _body: UpdateAlertRequest): void {}
  @Post(':alertId/cancel') cancel(@Body() _body: CancelAlertRequest): void {}
  @Post(':alertId/ack') ack(@Body() _body: AckRequest): void {}
}

@Module({ controllers: [DocumentedAlertsController] })
class DocumentedAlertsModule {}

describe('OpenAPI document generated from the request classes', () => {
  let document: OpenAPIObject;

  beforeAll(async () => {
    const app = await NestFactory.create(DocumentedAlertsModule, { logger: false });
    document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    await app.close();
  });

  function schema(name: string): SchemaObject {
    const found = document.components?.schemas?.[name] as SchemaObject | undefined;
    if (!found) throw new Error(`no schema ${name}`);
    return found;
  }

  function property(schemaName: string, propertyName: string): SchemaObject {
    return schema(schemaName).properties?.[propertyName] as SchemaObject;
  }

  it('describes the submission with the enforced limits and required fields', () => {
    expect(property('SubmitAlertRequest', 'headline')).toMatchObject({ type: 'string', minLength: 1, maxLength: 160 });
    expect(property('SubmitAlertRequest', 'tlp').enum).toEqual(['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED']);
    expect(schema('SubmitAlertRequest').required).toEqual(
      expect.arrayContaining(['status', 'headline', 'tlp', 'distribution', 'subjects']),
    );
    // Absent means empty: documented as optional with an empty default.
    expect(schema('SubmitAlertRequest').required).not.toContain('references');
    expect(property('SubmitAlertRequest', 'references')).toMatchObject({ type: 'array', default: [] });
    expect(schema('SubmitAlertRequest').required).not.toContain('description');
    expect(property('SubmitAlertRequest', 'distribution')).toEqual({ $ref: '#/components/schemas/Distribution' });
    expect(property('Distribution', 'recipients')).toMatchObject({ type: 'array', maxItems: 100 });
    expect(property('Evaluation', 'information').enum).toEqual([1, 2, 3, 4]);
    expect(property('Location', 'lat')).toMatchObject({ type: 'number', minimum: -90, maximum: 90 });
  });

  it('has no hub-stamped field in the alert bodies', () => {
    for (const name of ['SubmitAlertRequest', 'UpdateAlertRequest']) {
      const properties = Object.keys(schema(name).properties ?? {});
      for (const field of ['alertId', 'version', 'messageId', 'sender', 'receivedAt'])
        expect(properties).not.toContain(field);
    }
  });

  it('describes subjects as one of six shapes chosen by type', () => {
    const items = property('SubmitAlertRequest', 'subjects').items as SchemaObject;
    expect(items.oneOf).toHaveLength(6);
    expect(items.discriminator?.propertyName).toBe('type');
    expect(property('ContainerSubject', 'number')).toMatchObject({ type: 'string', example: 'CSQU 305438-3' });
  });

  it('adds baseVersion to the update and describes cancel and ack', () => {
    expect(property('UpdateAlertRequest', 'baseVersion')).toMatchObject({ type: 'integer', minimum: 1 });
    expect(schema('UpdateAlertRequest').required).toContain('baseVersion');
    expect(property('CancelAlertRequest', 'reason')).toMatchObject({ maxLength: 2000 });
    expect(property('AckRequest', 'status').enum).toEqual(['received', 'actioned', 'rejected']);
    expect(schema('AckRequest').required).not.toContain('note');
  });
});
