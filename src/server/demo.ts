/**
 * Demo data for the embedded emulator, so the first query in GraphiQL returns something real:
 * a routed session with two simulated publishers, an available archive and a live broadcast.
 * Simulated clients join through the emulator's control API with tokens the client minted,
 * exactly as browsers would with a real OpenTok.
 */
import type { OpenTokClient } from '../client/types.js';

export interface DemoData {
  sessionId: string;
  connectionIds: string[];
  streamIds: string[];
  archiveId: string;
  broadcastId: string;
}

async function control<T>(emulatorUrl: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${emulatorUrl}/_emulator${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`emulator control ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json().catch(() => ({}))) as T;
}

export async function seedDemo(client: OpenTokClient, emulatorUrl: string): Promise<DemoData> {
  const { sessionId } = await client.createSession({ mediaMode: 'routed' });
  const people = [
    { name: 'Ada', videoType: 'camera' },
    { name: 'Grace', videoType: 'screen' },
  ] as const;
  const connectionIds: string[] = [];
  const streamIds: string[] = [];
  for (const person of people) {
    const token = client.generateToken(sessionId, { role: 'publisher', data: `name=${person.name}` });
    const { connectionId } = await control<{ connectionId: string }>(emulatorUrl, `/sessions/${sessionId}/connections`, { token, data: `name=${person.name}` });
    const { streamId } = await control<{ streamId: string }>(emulatorUrl, `/sessions/${sessionId}/connections/${connectionId}/streams`, {
      name: `${person.name}'s ${person.videoType}`,
      videoType: person.videoType,
    });
    connectionIds.push(connectionId);
    streamIds.push(streamId);
  }

  const recording = await client.startArchive(sessionId, { name: 'Demo recording', resolution: '1280x720' });
  // A minute of recording, in emulator time.
  await control(emulatorUrl, '/clock', { advanceMs: 60_000 });
  await client.stopArchive(recording.id);
  // stopped → available takes about a second of emulator time; advance its clock instead of waiting.
  await control(emulatorUrl, '/clock', { advanceMs: 5_000 });
  for (let i = 0; i < 50; i++) {
    const archive = await client.getArchive(recording.id);
    if (archive.status === 'available') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const broadcast = await client.startBroadcast(sessionId, {
    outputs: { hls: { lowLatency: true }, rtmp: [{ id: 'demo', serverUrl: 'rtmp://live.example.com/app', streamName: 'demo-stream' }] },
    layout: { type: 'bestFit', screenshareType: 'horizontalPresentation' },
  });

  return { sessionId, connectionIds, streamIds, archiveId: recording.id, broadcastId: broadcast.id };
}
