/**
 * The one import of `graphql` for the gateway's own code.
 *
 * The package ships CommonJS (`main`) and ESM (`module`) builds without an `exports` map.
 * Node, and therefore Pothos and yoga, load the CommonJS one; Vite-based tools (vitest)
 * resolve a bare `graphql` in our sources to the ESM one. Two copies break `instanceof`
 * checks ("Cannot use GraphQLObjectType from another module or realm"), so we name the file
 * Node loads, and every runtime agrees on one instance.
 */
export * from 'graphql/index.js';
