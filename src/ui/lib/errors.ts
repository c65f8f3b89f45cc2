/**
 * Turns a failure into a message a user can act on: what went wrong, in whose words (the engine's
 * reason is kept verbatim), and what to do next. Errors cross the worker boundary as plain
 * {name, message}, so they are told apart by name and message.
 */

export type ErrorKind =
  | 'not-an-image'
  | 'corrupt-image'
  | 'unsupported-checkpoint'
  | 'download-failed'
  | 'out-of-memory'
  | 'no-model'
  | 'bad-input'
  | 'unknown';

export interface UserError {
  kind: ErrorKind;
  title: string;
  /** the engine's own words */
  detail: string;
  /** what to try */
  hint: string;
}

/** where the error happened, for the title */
export type ErrorContext = 'image' | 'model' | 'download' | 'analysis' | 'runtime';

function parts(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  if (err && typeof err === 'object' && 'message' in err) return { name: String((err as { name?: unknown }).name ?? 'Error'), message: String((err as { message: unknown }).message) };
  return { name: 'Error', message: String(err) };
}

const OOM = /out of memory|allocation failed|bad_alloc|failed to allocate|Array buffer allocation|OOM|memory access out of bounds|Maximum call stack/i;
const NETWORK = /failed to fetch|networkerror|network error|load failed|HTTP \d{3}|status \d{3}|\b(404|403|500|502|503)\b|ERR_|aborted/i;

export function explainError(err: unknown, context: ErrorContext, subject = ''): UserError {
  const { name, message } = parts(err);
  const about = subject ? ` ${subject}` : '';
  if (OOM.test(message) || name === 'RangeError' && /allocation|length/i.test(message)) {
    return {
      kind: 'out-of-memory',
      title: `Out of memory${about ? ` while working on${about}` : ''}`,
      detail: message,
      hint: 'Remove some images, pick a smaller model, or close other tabs; then try again.',
    };
  }
  if (name === 'ImageDecodeError' || /not an image|unsupported image format|corrupt|truncated/i.test(message) && context === 'image') {
    const notImage = /not an image|unsupported image format/i.test(message);
    return {
      kind: notImage ? 'not-an-image' : 'corrupt-image',
      title: notImage ? `Not an image:${about}` : `Corrupt image:${about}`,
      detail: message,
      hint: notImage ? 'Drop PNG or JPEG files.' : 'The file could not be decoded; re-export it as PNG or JPEG and drop it again.',
    };
  }
  if (name === 'CheckpointError' || (context === 'model' && /unsupported|safetensors|config|pickle|architecture/i.test(message))) {
    return {
      kind: 'unsupported-checkpoint',
      title: `Cannot use this checkpoint${about}`,
      detail: message,
      hint: 'clipscope reads CLIP ViT checkpoints as safetensors with their config (Hugging Face or OpenCLIP layout). Pick another model or folder.',
    };
  }
  if (context === 'download' || NETWORK.test(message)) {
    return {
      kind: 'download-failed',
      title: `Download failed${about}`,
      detail: message,
      hint: 'Check the connection and try again; the demo model works offline.',
    };
  }
  if (/no model is loaded/i.test(message)) {
    return { kind: 'no-model', title: 'No model loaded', detail: message, hint: 'Pick a model first (the demo model loads in a second).' };
  }
  if (/syntax|expected|invalid|out of range|no image/i.test(message)) {
    return { kind: 'bad-input', title: `Cannot do that${about}`, detail: message, hint: 'Fix the input and try again.' };
  }
  const titles: Record<ErrorContext, string> = {
    image: 'Could not add the image',
    model: 'Could not load the model',
    download: 'Download failed',
    analysis: 'The analysis failed',
    runtime: 'Could not start the model runtime',
  };
  return { kind: 'unknown', title: `${titles[context]}${about}`, detail: message, hint: 'Try again; if it keeps failing, reload the page.' };
}
