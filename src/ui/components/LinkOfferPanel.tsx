/**
 * A shared link named a hub model this browser has not stored: instead of an empty page, say which
 * model at which commit, its download size and whether it fits here, and offer the download.
 */
import { acceptLinkOffer } from '../actions/sharedLink.ts';
import { formatBytes } from '../lib/format.ts';
import type { LinkOffer } from '../store.ts';
import { useAppStore } from '../store.ts';

export function LinkOfferPanel({ offer }: { offer: LinkOffer }) {
  const busy = useAppStore((s) => Boolean(s.progress));
  const provider = useAppStore((s) => s.runtime?.provider ?? 'wasm');
  const verdict = offer.fit?.[provider];
  return (
    <div className="panel welcome" data-testid="link-offer" data-repo={offer.repo} data-commit={offer.commit} data-download-bytes={offer.fit?.downloadBytes} data-fits={verdict?.fits}>
      <h2>This link shows {offer.repo}</h2>
      <p>
        It names <code>{offer.repo}</code> at commit <code title={offer.commit}>{offer.commit.slice(0, 12)}</code>, which is not stored in this browser yet.
        {offer.images.length > 0 && ` Once it is in, the link's photos (${offer.images.join(', ')}) are added.`}
      </p>
      {offer.fit ? (
        <p className={verdict?.fits ? '' : 'warning'} data-testid="link-offer-fit">
          {formatBytes(offer.fit.downloadBytes)} to download; on {provider.toUpperCase()}: {verdict?.fits ? 'fits' : 'does not fit'} ({verdict?.reason})
        </p>
      ) : (
        <p className="muted">asking the hub for its size…</p>
      )}
      <button type="button" className="button" disabled={busy} onClick={() => void acceptLinkOffer()} data-testid="link-offer-download">
        Download and open
      </button>
    </div>
  );
}
