/**
 * The JSON schemas of what sync writes (schemas/plan.v1.schema.json,
 * schemas/manifest.v1.schema.json), compiled once with ajv, and their errors
 * as a few readable lines.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

export type SchemaName = 'plan.v1' | 'manifest.v1';

const compiled = new Map<SchemaName, ValidateFunction>();

/** The package's schemas/ folder, two folders above both src/sync and dist/sync. */
export function schemaUrl(name: SchemaName): URL {
  return new URL(`../../schemas/${name}.schema.json`, import.meta.url);
}

export function schemaValidator(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    const schema = JSON.parse(readFileSync(schemaUrl(name), 'utf8')) as Record<string, unknown>;
    // strictRequired off: `if/then` branches name properties defined one level up.
    validate = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true }).compile(schema);
    compiled.set(name, validate);
  }
  return validate;
}

/** At most eight distinct lines, one per real mistake (summary keywords dropped). */
export function describeSchemaErrors(errors: readonly ErrorObject[]): string {
  const lines = errors
    .filter((e) => !['if', 'oneOf', 'anyOf', 'allOf'].includes(e.keyword))
    .map((e) => {
      const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : '';
      return `  ${e.instancePath || '(top level)'}: ${e.message ?? e.keyword}${extra}`;
    });
  return [...new Set(lines)].slice(0, 8).join('\n');
}
