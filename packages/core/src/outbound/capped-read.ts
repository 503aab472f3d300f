/**
 * Reading an answer body with a size cap: a peer that announces, or streams, more than the cap is cut
 * off at once, the stream (and with it the connection) destroyed, rather than read to the end.
 */
import type { Dispatcher } from 'undici';

/** The parts of an undici answer {@link readCapped} reads. */
export type CappedResponse = Pick<Dispatcher.ResponseData, 'body' | 'headers'>;

/**
 * The body of `response` as UTF-8 text, at most `maxBytes` bytes. When its `content-length` announces
 * more, nothing is read; when more arrives than announced (or than the cap, without an announcement),
 * reading stops at the cap. Either way the body is destroyed and `tooLarge()` is thrown, so each
 * caller keeps its own error.
 */
export async function readCapped(response: CappedResponse, maxBytes: number, tooLarge: () => Error): Promise<string> {
  const { body } = response;
  const announced = response.headers['content-length'];
  if (typeof announced === 'string' && Number(announced) > maxBytes) {
    // Nobody reads this body: its abort error must not surface as an unhandled 'error' event.
    body.on('error', ignore).destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function ignore(): void {}
