/** A verification report as plain text, one line per value (the CLI's output). */
import type { VerifyPhoto, VerifyReport, VerifyValue } from '../api/explorer.ts';

const signed = (x: number, digits: number) => (Number.isNaN(x) ? 'NaN' : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`);

function photoLine(p: VerifyPhoto): string {
  switch (p.status) {
    case 'gallery':
    case 'given':
      return `  ${p.name}: ${p.status === 'gallery' ? 'gallery' : 'given'} ${p.matchedFile}`;
    case 'missing':
      return `  ${p.name}: not found (add ${p.file} to compare it)`;
    case 'unavailable':
      return `  ${p.name}: cannot be compared — ${p.note ?? 'its pixels are not known'}`;
  }
}

/** `label (computed − published = +0.0123, tolerance 0.01)` */
export function describeValue(v: VerifyValue): string {
  return `${v.label} (${signed(v.diff, 5)} against ±${v.tolerance})`;
}

export function formatVerifyReport(report: VerifyReport): string {
  const lines = [`reference: ${report.reference.name}`, `model it describes: ${report.reference.model}`, 'photos (found by the sha256 of their pixels):'];
  lines.push(...report.photoStatus.map(photoLine));
  if (report.unmatchedFiles.length) lines.push(`  not reference photos: ${report.unmatchedFiles.join(', ')}`);
  const width = Math.max(20, ...report.values.map((v) => v.label.length));
  report.groups.forEach((g, i) => {
    lines.push('', `${g.title}: tolerance ±${g.tolerance}`, `  source: ${g.source}`, `  obtained: ${g.obtained}`, `  tolerance: ${g.toleranceWhy}`);
    if (g.notCompared) {
      lines.push(`  not compared: ${g.notCompared}`);
      return;
    }
    lines.push(`  ${'value'.padEnd(width)}  ${'computed'.padStart(9)}  ${'published'.padStart(9)}  ${'diff'.padStart(9)}`);
    for (const v of report.values.filter((x) => x.group === i)) {
      lines.push(`  ${v.label.padEnd(width)}  ${v.computed.toFixed(5).padStart(9)}  ${String(v.published).padStart(9)}  ${signed(v.diff, 5).padStart(9)}  ${v.pass ? 'ok' : 'OFF'}`);
    }
    lines.push(`  ${g.compared - g.failing} of ${g.compared} within ±${g.tolerance}; largest |diff| ${g.maxAbsDiff.toFixed(4)}`);
  });
  lines.push('', `${report.pass ? 'PASS' : 'FAIL'}: ${report.compared - report.failing} of ${report.compared} values within their tolerance`);
  return `${lines.join('\n')}\n`;
}
