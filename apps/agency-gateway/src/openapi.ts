import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** OpenAPI generated from the same contract classes that validate requests; UI at /docs, JSON at /docs-json. */
export function mountOpenApi(app: NestExpressApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Alert Exchange Hub — agency gateway')
      .setDescription(
        'Submit, update and cancel alerts, read the inbox (paged and live), acknowledge; admin onboarding.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
