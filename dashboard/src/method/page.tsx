import {
  countAt,
  FORMULA_CATALOGUE,
  type FormulaDoc,
  OFFICIAL_LEVEL_NAMES,
  OFFICIAL_LEVELS,
  WORKED_EXAMPLE,
  workedExample,
} from '@onestop/evaluation';
import { officialLevel, RatingScale, ratingIndex } from '@onestop/protocol';
import type { FC } from 'hono/jsx';
import { type Lang, levelLabel, scaleLevels, scaleName, type Translate } from '../i18n.js';
import { JudgementMethod, type MethodRules } from '../judgement/method.js';
import { FIGURE_COLUMNS } from '../pages/figures.js';
import { figureCell } from '../pages/layout.js';

type View = { lang: Lang; t: Translate };

const FormulaSection: FC<View & { d: FormulaDoc }> = ({ lang, t, d }) => (
  <section id={d.id} data-formula={d.id}>
    <h3>{d.name[lang]}</h3>
    <dl>
      <dt>{t('formula')}</dt>
      <dd>{d.formula[lang]}</dd>
      <dt>{t('legalSource')}</dt>
      <dd>{d.source[lang]}</dd>
      <dt>{t('intervalMethod')}</dt>
      <dd>{d.interval[lang]}</dd>
      <dt>{t('colourRule')}</dt>
      <dd>{d.colour[lang]}</dd>
      <dt>{t('sampleOf')}</dt>
      <dd>
        {d.sample[lang]}
        {d.minSample !== null ? ` (${t('minSample')}: ${d.minSample})` : ''}
      </dd>
    </dl>
  </section>
);

/** Every pressed level of every scale, through the protocol's own mapping and weights. */
const LevelMapping: FC<View> = ({ lang, t }) => (
  <table data-testid="level-mapping">
    <thead>
      <tr>
        <th>{t('scale')}</th>
        <th>{t('pressedLevel')}</th>
        <th>{t('officialLevel')}</th>
        <th class="num">{t('indexPoints')}</th>
      </tr>
    </thead>
    <tbody>
      {RatingScale.options.flatMap((scale) =>
        scaleLevels(scale).map((level) => (
          <tr>
            <td data-label={t('scale')}>{scaleName(lang, scale)}</td>
            <td data-label={t('pressedLevel')}>{levelLabel(lang, scale, level)}</td>
            <td data-label={t('officialLevel')}>{OFFICIAL_LEVEL_NAMES[officialLevel(scale, level)][lang]}</td>
            <td class="num" data-label={t('indexPoints')}>
              {ratingIndex(scale, level)}
            </td>
          </tr>
        )),
      )}
    </tbody>
  </table>
);

const Example: FC<View> = ({ lang, t }) => {
  const w = workedExample();
  const yes = (b: boolean) => (b ? '✓' : '–');
  return (
    <>
      <p>{t('exampleInput')}</p>
      <table data-testid="example-ratings">
        <thead>
          <tr>
            <th>{t('scale')}</th>
            <th>{t('pressedLevel')}</th>
            <th class="num">{t('ratings')}</th>
            <th>{t('officialLevel')}</th>
          </tr>
        </thead>
        <tbody>
          {WORKED_EXAMPLE.ratings.map((r) => (
            <tr>
              <td data-label={t('scale')}>{scaleName(lang, r.scale)}</td>
              <td data-label={t('pressedLevel')}>{levelLabel(lang, r.scale, r.level)}</td>
              <td class="num" data-label={t('ratings')}>
                {r.count}
              </td>
              <td data-label={t('officialLevel')}>
                {OFFICIAL_LEVEL_NAMES[officialLevel(r.scale, r.level)][lang]}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        {t('officialLevels')}:{' '}
        {OFFICIAL_LEVELS.map((l, i) => (
          <>
            {i > 0 ? ' · ' : ''}
            {OFFICIAL_LEVEL_NAMES[l][lang]} <b>{countAt(w.official, l)}</b>
          </>
        ))}
      </p>
      <table data-testid="example-dossiers">
        <thead>
          <tr>
            <th>{t('exampleDossiers')}</th>
            <th>{t('ratedUnsatisfied')}</th>
            <th>{t('complainedAbout')}</th>
            <th>{t('overdue')}</th>
          </tr>
        </thead>
        <tbody>
          {WORKED_EXAMPLE.dossiers.map((d) => (
            <tr>
              <td class="num" data-label={t('exampleDossiers')}>
                {d.count}
              </td>
              <td data-label={t('ratedUnsatisfied')}>{yes(d.ratedUnsatisfied)}</td>
              <td data-label={t('complainedAbout')}>{yes(d.complainedAbout)}</td>
              <td data-label={t('overdue')}>{yes(d.overdue)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        {t('exampleCamera')}: {WORKED_EXAMPLE.camera.join(' · ')}
      </p>
      <table data-testid="example-results">
        <thead>
          <tr>
            <th>{t('figure')}</th>
            <th class="num">{t('result')}</th>
          </tr>
        </thead>
        <tbody>
          {w.figures.map(({ doc, figure }) => {
            const column = FIGURE_COLUMNS.find((c) => c.doc.id === doc.id);
            return (
              <tr>
                <td data-label={t('figure')}>
                  <a href={`#${doc.id}`}>{doc.name[lang]}</a>
                </td>
                {column
                  ? figureCell(t, column.kind, figure, { id: doc.id, few: column.few, label: t('result') })
                  : ''}
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
};

/**
 * "Cách tính": each figure explained from the catalogue beside the code that computes it, and
 * what counts at all (`rules`: a unit's settings, or the defaults with `unitName` null).
 */
export const MethodPage: FC<View & { rules: MethodRules }> = ({ lang, t, rules }) => (
  <>
    <h2>{t('method')}</h2>
    <p class="note">{t('methodIntro')}</p>
    {FORMULA_CATALOGUE.map((d) => (
      <FormulaSection lang={lang} t={t} d={d} />
    ))}
    <JudgementMethod t={t} rules={rules} />
    <h3>{t('levelMapping')}</h3>
    <LevelMapping lang={lang} t={t} />
    <h3>{t('workedExample')}</h3>
    <Example lang={lang} t={t} />
  </>
);
