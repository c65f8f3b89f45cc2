/**
 * A model named on the hub as `owner/name[@revision]`, checked the way huggingface_hub checks
 * repo ids (letters, digits, `-`, `_`, `.`; no `--` or `..`), so an id can never name a path
 * outside its cache folder.
 */
export interface HubModelId {
  /** `owner/name` */
  repo: string;
  /** a branch, tag or commit; 'main' when the id names none */
  revision: string;
}

const PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function validPart(part: string): boolean {
  return PART.test(part) && part.length <= 96 && !part.includes('--') && !part.includes('..') && !part.endsWith('.');
}

/** a revision is a path under `refs/` in the cache: no empty, `.` or `..` segments */
function validRevision(revision: string): boolean {
  return revision.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && !/[\s\\]/.test(s));
}

/** the id, or undefined when `text` is not of the form owner/name[@revision] */
export function parseHubModelId(text: string): HubModelId | undefined {
  const at = text.indexOf('@');
  const repo = at < 0 ? text : text.slice(0, at);
  const revision = at < 0 ? 'main' : text.slice(at + 1);
  const parts = repo.split('/');
  if (parts.length !== 2 || !parts.every(validPart) || !validRevision(revision)) return undefined;
  return { repo, revision };
}

export function formatHubModelId(id: HubModelId): string {
  return `${id.repo}@${id.revision}`;
}
