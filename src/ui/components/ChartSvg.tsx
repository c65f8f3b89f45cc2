/** Shows a chart drawn as a pure SVG string, with a button that saves exactly that SVG. */
import { saveText } from '../lib/saveFile.ts';

export interface ChartSvgProps {
  svg: string;
  fileName: string;
  testId?: string;
  className?: string;
}

export function ChartSvg({ svg, fileName, testId, className }: ChartSvgProps) {
  return (
    <figure className={`chart-frame ${className ?? ''}`} data-testid={testId}>
      {/* the SVG string is built by our own pure chart functions, with every text escaped */}
      <div className="chart-svg" dangerouslySetInnerHTML={{ __html: svg }} />
      <button type="button" className="link small" onClick={() => saveText(fileName, svg, 'image/svg+xml')}>
        Save SVG
      </button>
    </figure>
  );
}

export function Legend({ svg }: { svg: string }) {
  return <div className="legend" data-testid="legend" dangerouslySetInnerHTML={{ __html: svg }} />;
}
