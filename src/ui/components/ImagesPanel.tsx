/** The loaded images (select, remove), ways to add more (files, folder, gallery) and the drop hint. */
import { useEffect, useState, type ChangeEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ClosureReport } from '../../api/explorer.ts';
import { addGalleryImages, addImages, removeImage } from '../actions/images.ts';
import { toUploads } from '../lib/dropFiles.ts';
import { useAppStore } from '../store.ts';
import { HeatmapCanvas } from './HeatmapCanvas.tsx';
import { ImageQueueStatus } from './ImageQueueStatus.tsx';

interface GalleryItem {
  file: string;
  title: string;
  licence: string;
}

function Gallery({ disabled }: { disabled: boolean }) {
  const [items, setItems] = useState<GalleryItem[]>([]);
  useEffect(() => {
    fetch(`${import.meta.env.BASE_URL}gallery/index.json`)
      .then((r) => (r.ok ? (r.json() as Promise<GalleryItem[]>) : []))
      .then(setItems)
      .catch(() => setItems([]));
  }, []);
  if (items.length === 0) return null;
  return (
    <details className="gallery" open>
      <summary>Example gallery</summary>
      <div className="gallery-grid" data-testid="gallery">
        {items.map((g) => (
          <button key={g.file} type="button" className="gallery-item" disabled={disabled} title={`${g.title} (${g.licence}): add`} onClick={() => void addGalleryImages([g.file])} data-file={g.file}>
            <img src={`${import.meta.env.BASE_URL}gallery/${g.file}`} alt={g.title} loading="lazy" crossOrigin="anonymous" />
          </button>
        ))}
      </div>
      <div className="row">
        <button type="button" className="link small" disabled={disabled} onClick={() => void addGalleryImages(items.map((g) => g.file))}>
          add all {items.length}
        </button>
        <a className="small muted" href={`${import.meta.env.BASE_URL}gallery/CREDITS.md`} target="_blank" rel="noreferrer">
          credits
        </a>
      </div>
    </details>
  );
}

/** how far the image's parts are from summing to its embedding (METHOD 2.7 invariant 5) */
function ClosureBadge({ closure }: { closure: ClosureReport }) {
  const value = Number.isNaN(closure.maxAbs) ? 'NaN' : closure.maxAbs.toExponential(1);
  const title = closure.flagged
    ? `The parts do not sum to the embedding: max|û − Σ parts| = ${value}, above ${closure.tolerance}. Every contribution shown for this image is suspect.`
    : `The parts sum to the embedding: max|û − Σ parts| = ${value} (flagged above ${closure.tolerance}).`;
  return (
    <span className={`closure small${closure.flagged ? ' flagged' : ' muted'}`} title={title} data-testid="closure" data-max-abs={closure.maxAbs} data-flagged={closure.flagged}>
      {closure.flagged ? '⚠ ' : ''}|û−Σ| {value}
    </span>
  );
}

export function ImagesPanel() {
  const images = useAppStore(useShallow((s) => s.images));
  const selected = useAppStore((s) => s.selectedImage);
  const hasModel = useAppStore((s) => Boolean(s.model));
  const set = useAppStore((s) => s.set);

  const onFiles = async (e: ChangeEvent<HTMLInputElement>) => {
    const files = Array.from(e.target.files ?? []);
    e.target.value = '';
    await addImages(await toUploads(files));
  };

  return (
    <section className="panel" aria-labelledby="images-h">
      <h2 id="images-h">Images {images.length > 0 && <span className="muted">({images.length})</span>}</h2>
      <p className="muted small">Drop images or a folder anywhere on the page, paste one (Ctrl+V), or pick:</p>
      <div className="row wrap">
        <label className={`button small${hasModel ? '' : ' disabled'}`}>
          Files…
          <input type="file" accept="image/png,image/jpeg" multiple disabled={!hasModel} onChange={(e) => void onFiles(e)} data-testid="image-input" hidden />
        </label>
        <label className={`button small${hasModel ? '' : ' disabled'}`}>
          Folder…
          <input type="file" multiple disabled={!hasModel} onChange={(e) => void onFiles(e)} hidden {...{ webkitdirectory: '' }} />
        </label>
      </div>
      <ImageQueueStatus />
      {images.length > 0 && (
        <ul className="image-list" data-testid="image-list">
          {images.map((img) => (
            <li key={img.id} className={img.id === selected ? 'selected' : ''} data-status={img.status} data-name={img.name}>
              <button type="button" className="thumb" disabled={img.status !== 'ready'} aria-pressed={img.id === selected} onClick={() => set({ selectedImage: img.id })} title={img.name}>
                {img.status === 'ready' ? <HeatmapCanvas imageId={img.id} opacity={0} size={40} label={img.name} /> : <span className="spinner" aria-label="decomposing" />}
                <span className="thumb-name">{img.name}</span>
                {img.closure && <ClosureBadge closure={img.closure} />}
              </button>
              <button type="button" className="icon" aria-label={`remove ${img.name}`} onClick={() => void removeImage(img.id)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <Gallery disabled={!hasModel} />
    </section>
  );
}
