import { z } from 'zod';
import { labelSchema, loginEventSchema, withdrawalEventSchema } from '../data/schemas';

let cached: unknown;

/** The OpenAPI 3.1 document of `/v1`, generated from the same zod schemas that validate requests. */
export function openApiDocument(): unknown {
  cached ??= {
    openapi: '3.1.0',
    info: { title: 'Vigil', version: '1' },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } },
      schemas: {
        LoginEvent: z.toJSONSchema(loginEventSchema.partial({ type: true }), { io: 'input', unrepresentable: 'any' }),
        WithdrawalEvent: z.toJSONSchema(withdrawalEventSchema, { io: 'input', unrepresentable: 'any' }),
        Label: z.toJSONSchema(labelSchema, { io: 'input', unrepresentable: 'any' }),
      },
    },
    security: [{ apiKey: [] }],
    paths: {},
  };
  return cached;
}
