/**
 * Turns a failure into a message a user can act on: what went wrong, in whose words (the engine's
 * reason is kept verbatim), and what to do next. Failures are told apart by their error class and
 * code (errors from the worker arrive with both, src/api/errors.ts); no message is parsed here.
 */
import { ERROR_CODES, errorReport, type ErrorReport } from '../../api/errors.ts';
import { STORAGE_QUOTA } from './storageQuota.ts';

export type ErrorKind =
  | 'not-an-image'
  | 'corrupt-image'
  | 'unsupported-checkpoint'
  | 'download-failed'
  | 'storage-full'
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

/** image decoding codes that mean "not a format we read" rather than a damaged file */
const NOT_AN_IMAGE_CODES = new Set(['not-an-image', 'unsupported']);
/** error classes whose every code is a problem with the checkpoint's files */
const CHECKPOINT_CLASSES = new Set(['CheckpointError', 'TokenizerError']);
/** codes of a request or a file the user can fix */
const BAD_INPUT_CODES = new Set<string>([ERROR_CODES.badRequest, 'ablation-syntax', 'label-file']);

function kindOf(r: ErrorReport, context: ErrorContext): ErrorKind {
  if (r.code === ERROR_CODES.outOfMemory) return 'out-of-memory';
  if (r.name === 'ImageDecodeError') return NOT_AN_IMAGE_CODES.has(r.code) ? 'not-an-image' : 'corrupt-image';
  if (CHECKPOINT_CLASSES.has(r.name)) return 'unsupported-checkpoint';
  if (r.code === STORAGE_QUOTA) return 'storage-full';
  if (r.name === 'HubError' || r.code === ERROR_CODES.network || r.code === ERROR_CODES.http || context === 'download') return 'download-failed';
  if (r.code === ERROR_CODES.noModel) return 'no-model';
  if (BAD_INPUT_CODES.has(r.code)) return 'bad-input';
  return 'unknown';
}

const NETWORK_HINT = 'Check the connection and try again; the demo model works offline.';
const REPO_HINT = 'Check the repository id and the revision (branch, tag or commit) on the hub.';
/** what to do about a hub answer, by HubError code (src/hub/errors.ts) */
const HUB_HINTS: Record<string, string> = {
  unauthorized: 'Paste a Hugging Face access token (hf_…) of an account that may read this repo in the token field, then download again; the token stays in this page only.',
  'not-found': REPO_HINT,
  'revision-not-found': REPO_HINT,
  'entry-not-found': REPO_HINT,
};

const TITLES: Record<ErrorContext, string> = {
  image: 'Could not add the image',
  model: 'Could not load the model',
  download: 'Download failed',
  analysis: 'The analysis failed',
  runtime: 'Could not start the model runtime',
};

/** `subject` names what the user was working on; without it, the subject the error reports */
export function explainError(err: unknown, context: ErrorContext, subject = ''): UserError {
  const report = errorReport(err);
  const detail = report.message;
  const about = subject ? ` ${subject}` : report.subject ? ` ${report.subject}` : '';
  const kind = kindOf(report, context);
  switch (kind) {
    case 'out-of-memory':
      return { kind, title: `Out of memory${about ? ` while working on${about}` : ''}`, detail, hint: 'Remove some images, pick a smaller model, or close other tabs; then try again.' };
    case 'not-an-image':
      return { kind, title: `Not an image:${about}`, detail, hint: 'Drop PNG or JPEG files.' };
    case 'corrupt-image':
      return { kind, title: `Corrupt image:${about}`, detail, hint: 'The file could not be decoded; re-export it as PNG or JPEG and drop it again.' };
    case 'unsupported-checkpoint':
      return {
        kind,
        title: `Cannot use this checkpoint${about}`,
        detail,
        hint: 'clipscope reads CLIP ViT checkpoints as safetensors with their config (Hugging Face or OpenCLIP layout). Pick another model or folder.',
      };
    case 'download-failed':
      return { kind, title: `Download failed${about}`, detail, hint: report.name === 'HubError' ? (HUB_HINTS[report.code] ?? NETWORK_HINT) : NETWORK_HINT };
    case 'storage-full':
      return { kind, title: `Not enough browser storage for${about || ' this model'}`, detail, hint: 'Delete stored models you no longer need (hub panel) or other sites’ data, then download again.' };
    case 'no-model':
      return { kind, title: 'No model loaded', detail, hint: 'Pick a model first (the demo model loads in a second).' };
    case 'bad-input':
      return { kind, title: `Cannot do that${about}`, detail, hint: 'Fix the input and try again.' };
    default:
      return { kind: 'unknown', title: `${TITLES[context]}${about}`, detail, hint: 'Try again; if it keeps failing, reload the page.' };
  }
}
