/** The GraphQL schema: each domain file registers its types and root fields on the builder. */
import { builder } from './builder.js';
import './enums.js';
import './refs.js';
import './layout.js';
import './session.js';
import './stream.js';
import './token.js';
import './archive.js';
import './broadcast.js';
import './moderation.js';
import './signal.js';
import './sip.js';
import './audio-connector.js';
import './render.js';
import './captions.js';
import './events.js';
import './subscriptions.js';

export const schema = builder.toSchema();

