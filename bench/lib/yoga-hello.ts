/**
 * The yoga baseline that row 2's target is set against: a trivial `{ hello }`
 * schema served by graphql-yoga on node:http, nothing else. What this reaches
 * on the gateway's core is the ceiling any yoga-based gateway can approach.
 */
import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';

const yoga = createYoga({
  schema: createSchema({ typeDefs: 'type Query { hello: String! }', resolvers: { Query: { hello: () => 'world' } } }),
  logging: false,
  graphiql: false,
});

const port = Number(process.env.PORT ?? 4400);
createServer(yoga).listen(port, '127.0.0.1', () => {
  process.stdout.write(`yoga-hello listening on ${port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
