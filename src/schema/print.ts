/** The text of schema.graphql: the schema printed from code, sorted so it diffs cleanly. */
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './index.js';

export function printSchemaFile(): string {
  return `# Generated from the code in src/schema by \`npm run schema:print\`. Do not edit.\n\n${printSchema(lexicographicSortSchema(schema))}\n`;
}
