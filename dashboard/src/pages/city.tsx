import type { UnitComparison } from '@onestop/store';
import type { FC } from 'hono/jsx';
import type { Lang, Translate } from '../i18n.js';
import { ChangeCell } from './change.js';
import {
  CAMERA_COLUMN,
  DOSSIER_COLUMN,
  FigureCells,
  FigureHeaders,
  OfficialCells,
  OfficialHeaders,
  OverdueNote,
  RATING_COLUMNS,
} from './figures.js';

type CityTableProps = {
  lang: Lang;
  t: Translate;
  rows: UnitComparison[];
  /** The period's query, kept in links. */
  search: string;
  /** The same table for the previous period. */
  previous: readonly UnitComparison[];
};

export const CityTable: FC<CityTableProps> = ({ lang, t, rows, search, previous }) => {
  const before = new Map(previous.map((u) => [u.unitId, u]));
  if (rows.length === 0) return <p class="muted">{t('empty')}</p>;
  return (
    <>
      <table data-testid="unit-comparison">
        <thead>
          <tr>
            <th>{t('unitName')}</th>
            <th class="num">{t('ratings')}</th>
            <OfficialHeaders lang={lang} />
            <FigureHeaders t={t} columns={RATING_COLUMNS} />
            <FigureHeaders t={t} columns={[DOSSIER_COLUMN]} />
            <th class="num">{t('visits')}</th>
            <th class="num">{t('unrated')}</th>
            <FigureHeaders t={t} columns={[CAMERA_COLUMN]} />
            <th>{t('vsPrevious')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((u) => (
            <tr data-unit={u.unitId}>
              <td data-label={t('unitName')}>
                <a href={`/units/${u.unitId}?${search}`}>{u.unitName}</a>{' '}
                <small class="muted">{u.province}</small>
              </td>
              <td class="num" data-label={t('ratings')}>
                {u.ratings}
              </td>
              <OfficialCells lang={lang} row={u} />
              <FigureCells t={t} columns={RATING_COLUMNS} row={u} />
              <FigureCells t={t} columns={[DOSSIER_COLUMN]} row={u} />
              <td class="num" data-label={t('visits')}>
                {u.visits}
              </td>
              <td class="num" data-label={t('unrated')}>
                {u.unratedVisits}
              </td>
              <FigureCells t={t} columns={[CAMERA_COLUMN]} row={u} />
              <ChangeCell t={t} current={u} previous={before.get(u.unitId)} />
            </tr>
          ))}
        </tbody>
      </table>
      <OverdueNote t={t} rows={rows} />
    </>
  );
};
