import { TegamiError } from '../../shared/domain/errors.js';

export const REMOTE_IMAGE_LIMIT = 5 * 1024 * 1024;

/**
 * Fetches one remote image a message refers to, after the user allowed remote content for it
 * (DESIGN.md 6): the renderer itself never touches the network, so its CSP stays `img-src data:`,
 * and what a sender learns is limited to one plain GET without cookies or a referrer.
 */
export async function fetchRemoteImage(
  rawUrl: string,
  opts: { limit?: number; timeoutMs?: number; fetchImpl?: typeof fetch } = {},
): Promise<{ contentType: string; base64: string; size: number }> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new TegamiError({ code: 'INVALID_INPUT', message: 'That is not a web address.' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TegamiError({ code: 'INVALID_INPUT', message: 'Only http and https images can be loaded.' });
  if (url.username || url.password)
    throw new TegamiError({ code: 'INVALID_INPUT', message: 'Image addresses with a user name are not loaded.' });
  const limit = opts.limit ?? REMOTE_IMAGE_LIMIT;
  let response: Response;
  try {
    response = await (opts.fetchImpl ?? fetch)(url, {
      redirect: 'follow',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      headers: { accept: 'image/*' },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
  } catch (error) {
    throw new TegamiError({ code: 'NETWORK', message: `Could not load the image from ${url.host}.` }, { cause: error });
  }
  if (!response.ok) throw new TegamiError({ code: 'NOT_FOUND', message: `${url.host} answered ${response.status} for the image.` });
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  // SVG can carry script: it is never loaded as a remote image.
  if (!/^image\/(png|jpeg|gif|webp|avif|bmp|x-icon|vnd\.microsoft\.icon)$/.test(contentType)) {
    throw new TegamiError({ code: 'INVALID_INPUT', message: `${url.host} did not send a picture (${contentType || 'no type'}).` });
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > limit) throw new TegamiError({ code: 'INVALID_INPUT', message: 'The image is too large.' });
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  for (;;) {
    const next = await reader?.read();
    if (!next || next.done) break;
    size += next.value.byteLength;
    if (size > limit) {
      await reader?.cancel();
      throw new TegamiError({ code: 'INVALID_INPUT', message: 'The image is too large.' });
    }
    chunks.push(next.value);
  }
  return { contentType, base64: Buffer.concat(chunks).toString('base64'), size };
}
