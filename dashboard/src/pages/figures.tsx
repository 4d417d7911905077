import {
  countAt,
  type DossierSatisfaction,
  dossierSatisfaction,
  expressionIndex,
  type Figure,
  type FigureKind,
  type FormulaDoc,
  NO_OVERDUE_FEED,
  OFFICIAL_LEVEL_NAMES,
  OFFICIAL_LEVELS,
  type RatingFigures,
  satisfactionIndex,
  satisfiedShare,
  verySatisfiedShare,
} from '@onestop/evaluation';
import type { FC } from 'hono/jsx';
import type { Lang, MessageKey, Translate } from '../i18n.js';
import { FigureCell } from './figure-cell.js';

/**
 * The figure columns every evaluation table shows, and the CSV exports: one list, so that the
 * page and the file can only differ in layout, never in which figure or how it is rounded.
 */
export interface FigureColumn<R> {
  doc: FormulaDoc;
  kind: FigureKind;
  header: MessageKey;
  pick(row: R): Figure;
  few: 'tooFew' | 'tooFewSamples';
  sample?: MessageKey;
}

function column<R>(
  doc: FormulaDoc,
  header: MessageKey,
  pick: (r: R) => Figure,
  more: Partial<FigureColumn<R>> = {},
) {
  // Every figure formula declares how it prints; a formula without a kind is not a figure.
  if (!doc.kind) throw new Error(`${doc.id} is not a figure`);
  return { doc, kind: doc.kind, header, pick, few: 'tooFew', ...more } satisfies FigureColumn<R>;
}

export const SATISFIED_SHARE_COLUMN: FigureColumn<Pick<RatingFigures, 'satisfiedShare'>> = column(
  satisfiedShare.doc,
  'satisfiedShare',
  (r) => r.satisfiedShare,
);

export const RATING_COLUMNS: ReadonlyArray<FigureColumn<RatingFigures>> = [
  SATISFIED_SHARE_COLUMN,
  column(verySatisfiedShare.doc, 'verySatisfiedShare', (r) => r.verySatisfiedShare),
  column(satisfactionIndex.doc, 'satisfactionIndex', (r) => r.index),
];

export const DOSSIER_COLUMN: FigureColumn<{ dossierSatisfaction: DossierSatisfaction }> = column(
  dossierSatisfaction.doc,
  'dossierShare',
  (r) => r.dossierSatisfaction.share,
  { few: 'tooFewSamples', sample: 'dossiers' },
);

export const CAMERA_COLUMN: FigureColumn<RatingFigures> = column(
  expressionIndex.doc,
  'cameraIndex',
  (r) => r.expression,
  { few: 'tooFewSamples', sample: 'samples' },
);

/** Every figure column, in the order of the CSV. */
export const FIGURE_COLUMNS = [...RATING_COLUMNS, DOSSIER_COLUMN, CAMERA_COLUMN] as ReadonlyArray<
  FigureColumn<RatingFigures & { dossierSatisfaction: DossierSatisfaction }>
>;

export const FigureHeaders = <R,>({
  t,
  columns,
}: {
  t: Translate;
  columns: ReadonlyArray<FigureColumn<R>>;
}) => (
  <>
    {columns.map((c) => (
      <th>
        <a href={`/cach-tinh#${c.doc.id}`}>{t(c.header)}</a>
      </th>
    ))}
  </>
);

type FigureCellsProps<R> = { t: Translate; columns: ReadonlyArray<FigureColumn<R>>; row: R };

export const FigureCells = <R,>({ t, columns, row }: FigureCellsProps<R>) => (
  <>
    {columns.map((c) => (
      <FigureCell
        t={t}
        kind={c.kind}
        figure={c.pick(row)}
        id={c.doc.id}
        few={c.few}
        label={t(c.header)}
        sample={c.sample ? t(c.sample) : undefined}
      />
    ))}
  </>
);

/** Rất hài lòng · Hài lòng · Không hài lòng headers (Circular 01/2018's three levels). */
export const OfficialHeaders: FC<{ lang: Lang }> = ({ lang }) => (
  <>
    {OFFICIAL_LEVELS.map((l) => (
      <th class="num">{OFFICIAL_LEVEL_NAMES[l][lang]}</th>
    ))}
  </>
);

export const OfficialCells: FC<{ lang: Lang; row: RatingFigures }> = ({ lang, row }) => (
  <>
    {OFFICIAL_LEVELS.map((l) => (
      <td class="num" data-official={l} data-label={OFFICIAL_LEVEL_NAMES[l][lang]}>
        {countAt(row.official, l)}
      </td>
    ))}
  </>
);

type OverdueRows = ReadonlyArray<{ dossierSatisfaction: DossierSatisfaction }>;

/** Said beside the Decision 766 figure while no dossier system feeds "overdue". */
export const OverdueNote: FC<{ t: Translate; rows: OverdueRows }> = ({ t, rows }) => (
  <>
    {[...new Set(rows.map((r) => r.dossierSatisfaction.overdueSource))].map((s) =>
      s === NO_OVERDUE_FEED ? (
        <p class="note" data-testid="overdue-not-fed">
          {t('overdueNotFed')}
        </p>
      ) : (
        <p class="note">
          {t('overdueFedBy')}: {s}
        </p>
      ),
    )}
  </>
);
