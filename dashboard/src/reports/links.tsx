import type { Translate } from '../i18n.js';

/**
 * The line under a ward's or the city's period bar leading to the monthly report, its PDF and the
 * exports of the period shown. `unitId` null: the city's.
 */
export function ReportLinks({ t, unitId, search }: { t: Translate; unitId: string | null; search: string }) {
  const base = unitId === null ? '' : `/units/${encodeURIComponent(unitId)}`;
  const data = unitId === null ? 'units' : `${base}/ratings`;
  return (
    <p class="report-links" data-testid="report-links">
      <a href={`${base}/report?${search}`}>{t('reportOpen')}</a> ·{' '}
      <a href={`${base}/report.pdf?${search}`}>{t('reportPdf')}</a> ·{' '}
      <a href={`${unitId === null ? '/units' : data}.xlsx?${search}`} download>
        {unitId === null ? t('unitsXlsx') : t('ratingsXlsx')}
      </a>{' '}
      ·{' '}
      <a href={`${unitId === null ? '/units' : data}.csv?${search}`} download>
        {unitId === null ? t('unitsCsv') : t('ratingsCsv')}
      </a>
    </p>
  );
}
