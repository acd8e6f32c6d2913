import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * The official SARIF 2.1.0 JSON schema (OASIS, vendored in test/fixtures/audit/ — see README.md there) as an ajv
 * validator. The schema is written in JSON Schema draft-04, which ajv 8 reads once its one draft-04-only keyword
 * is renamed: the root `id` becomes `$id` (and the draft-04 `$schema` is dropped). Nothing else in it differs
 * between draft-04 and draft-07 (no boolean exclusiveMinimum/Maximum), so what it accepts is unchanged.
 */
const SCHEMA_FILE = join(import.meta.dirname, '..', '..', 'fixtures', 'audit', 'sarif-schema-2.1.0.json');

let validator: ValidateFunction | undefined;

export function sarifValidator(): ValidateFunction {
  if (validator) return validator;
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  const { id, $schema: _draft04, ...rest } = schema;
  const ajv = new Ajv({ allErrors: true });
  // ajv-formats is CommonJS: its default export arrives wrapped under ESM.
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
    addFormatsModule) as unknown as (a: Ajv) => Ajv;
  addFormats(ajv);
  validator = ajv.compile({ $id: id as string, ...rest });
  return validator;
}

/** The validation errors, one line each (empty when valid). */
export function sarifErrors(log: unknown): string[] {
  const validate = sarifValidator();
  if (validate(log)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
