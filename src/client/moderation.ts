/** Moderation (API.md §5.5): force disconnect, force mute one stream, mute all, disable force mute. */
import { projectPath, requestVoid, type RequestContext } from './context.js';
import type { CallOptions, MuteAllOptions } from './types.js';
import { validateId, validateMuteAll } from './validation.js';

/** Disconnects a client from a session. */
export async function forceDisconnect(ctx: RequestContext, sessionId: string, connectionId: string, call: CallOptions = {}): Promise<void> {
  validateId('sessionId', sessionId, 'forceDisconnect');
  validateId('connectionId', connectionId, 'forceDisconnect');
  return requestVoid(ctx, {
    operation: 'forceDisconnect',
    method: 'DELETE',
    path: projectPath(ctx, 'session', sessionId, 'connection', connectionId),
    // 204 is what the API and Ruby use; the 2022 OpenAPI file says 200.
    expect: [204, 200],
    signal: call.signal,
  });
}

/** Mutes the audio of one stream. The response body (project details) is ignored. */
export async function muteStream(ctx: RequestContext, sessionId: string, streamId: string, call: CallOptions = {}): Promise<void> {
  validateId('sessionId', sessionId, 'muteStream');
  validateId('streamId', streamId, 'muteStream');
  return requestVoid(ctx, {
    operation: 'muteStream',
    method: 'POST',
    path: projectPath(ctx, 'session', sessionId, 'stream', streamId, 'mute'),
    expect: [200],
    signal: call.signal,
  });
}

/** Mutes every current and future stream of a session except the excluded ones. */
export async function muteAllStreams(ctx: RequestContext, sessionId: string, options: MuteAllOptions = {}, call: CallOptions = {}): Promise<void> {
  validateMuteAll(sessionId, options);
  return requestVoid(ctx, {
    operation: 'muteAllStreams',
    method: 'POST',
    path: projectPath(ctx, 'session', sessionId, 'mute'),
    json: { active: true, ...(options.excludedStreamIds !== undefined ? { excludedStreamIds: [...options.excludedStreamIds] } : {}) },
    expect: [200],
    signal: call.signal,
  });
}

/** Stops muting new streams of a session (already-muted streams stay muted). */
export async function disableForceMute(ctx: RequestContext, sessionId: string, call: CallOptions = {}): Promise<void> {
  validateId('sessionId', sessionId, 'disableForceMute');
  return requestVoid(ctx, {
    operation: 'disableForceMute',
    method: 'POST',
    path: projectPath(ctx, 'session', sessionId, 'mute'),
    json: { active: false },
    expect: [200],
    signal: call.signal,
  });
}
