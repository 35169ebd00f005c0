import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/**
 * OpenAPI generated from the controllers and the same classes that validate requests; UI at /docs, JSON at
 * /docs-json. Every service mounts it (bootstrapHybridApp's `configure`), with its own title and description.
 */
export function mountOpenApi(app: NestExpressApplication, info: { title: string; description: string }): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`Alert Exchange Hub — ${info.title}`)
      .setDescription(info.description)
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
