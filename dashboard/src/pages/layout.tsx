import type { Context } from 'hono';
import { tryGetContext } from 'hono/context-storage';
import { raw } from 'hono/html';
import type { Child, FC } from 'hono/jsx';
import { menuFor } from '../access/menu.js';
import type { Viewer } from '../auth/access.js';
import type { Lang, Translate } from '../i18n.js';
import { switchLanguageHref } from '../language/middleware.js';
import { STYLE } from './style.js';

export { figureCell, figureText, num } from './figure-cell.js';

/** A data block for a page's client module: read with `JSON.parse`, never executed. */
export interface PageData {
  id: string;
  value: unknown;
}

export interface LayoutProps {
  lang: Lang;
  t: Translate;
  title: string;
  /** Who is signed in: the menu shows only what their role may open. `null` on public pages. */
  staff: Viewer | null;
  /** This response's CSP nonce (`secureHeaders`): the only scripts and styles the browser runs. */
  nonce: string | undefined;
  /** The language switch's link: the current query with only `lang` replaced. */
  langHref: string;
  /** The term of a search page, kept in the header's search box. */
  searched?: string | undefined;
  /** A page for citizens (the comment form): their title, not the staff tool's name. */
  citizen?: boolean | undefined;
  /** Bundled client modules (`/assets/…`) the page loads. */
  modules?: readonly string[] | undefined;
  data?: readonly PageData[] | undefined;
  children?: Child;
}

/** Leaders find a receipt's dossier or ticket from any page (`/search`). */
const SearchBox: FC<{ t: Translate; searched: string | undefined }> = ({ t, searched }) => (
  // biome-ignore lint/a11y/useSemanticElements: the older phones some wards use lack <search>; role=search works on all
  <form method="get" action="/search" role="search" class="search">
    <input
      type="search"
      name="q"
      value={searched ?? ''}
      maxlength={64}
      required
      aria-label={t('searchLabel')}
      placeholder={t('searchLabel')}
    />{' '}
    <button type="submit">{t('search')}</button>
  </form>
);

/** The header menu: the entries `menuFor` gives this person, and signing out. */
const Menu: FC<{ t: Translate; staff: Viewer }> = ({ t, staff }) => (
  <>
    {menuFor(staff).map((item) => (
      <a href={item.href}>
        {t(item.label)}
        {item.badge ? (
          <>
            {' '}
            <span class="badge" data-testid="new-comments" title={t('newCommentsBadge')}>
              {item.badge}
              <span class="sr"> {t('newCommentsBadge')}</span>
            </span>
          </>
        ) : (
          ''
        )}
      </a>
    ))}
    <form method="post" action="/logout" class="account">
      <span class="who">{staff.displayName}</span> <button type="submit">{t('signOut')}</button>
    </form>
  </>
);

/** JSON inside `<script>`: `<` escaped so no value can close the element. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}

export const Layout: FC<LayoutProps> = (p) => {
  const other: Lang = p.lang === 'vi' ? 'en' : 'vi';
  const leader = p.staff?.role === 'city' || p.staff?.role === 'ward';
  return (
    <>
      {raw('<!doctype html>\n')}
      <html lang={p.lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width,initial-scale=1" />
          <title>{p.citizen ? p.title : `${p.title} · onestop-counter`}</title>
          {/* An empty icon: browsers stop asking for /favicon.ico, whose 404 lands in the console. */}
          <link rel="icon" href="data:," />
          <style nonce={p.nonce}>{raw(STYLE)}</style>
        </head>
        <body>
          <header>
            <h1>{p.t(p.citizen ? 'citizenTitle' : 'title')}</h1>
            {p.staff ? <Menu t={p.t} staff={p.staff} /> : ''}
            {leader ? <SearchBox t={p.t} searched={p.searched} /> : ''}
            <a href={p.langHref} data-testid="lang-switch">
              {other === 'en' ? 'English' : 'Tiếng Việt'}
            </a>
          </header>
          <main>{p.children}</main>
          {(p.data ?? []).map((d) => (
            <script type="application/json" id={d.id} nonce={p.nonce}>
              {raw(jsonForScript(d.value))}
            </script>
          ))}
          {(p.modules ?? []).map((src) => (
            <script type="module" src={src} nonce={p.nonce} />
          ))}
        </body>
      </html>
    </>
  );
};

/** What a route hands the layout; the nonce and language link come from its request. */
export type PageProps = Omit<LayoutProps, 'nonce' | 'langHref'>;

/** `Layout` for this request: its CSP nonce and its query for the language switch. */
export function pageProps(c: Context, lang: Lang): Pick<LayoutProps, 'nonce' | 'langHref'> {
  return {
    nonce: c.get('secureHeadersNonce'),
    langHref: switchLanguageHref(c.req.url, lang === 'vi' ? 'en' : 'vi'),
  };
}

export interface LayoutOptions {
  lang: Lang;
  t: Translate;
  title: string;
  body: Child;
  staff: Viewer | null;
  /** Only used outside a request (no context): the query the language switch keeps. */
  periodSearch?: string;
  searched?: string;
  citizen?: boolean;
  /** Where the language switch leads when not to this same address (a page answering a POST). */
  langHref?: string;
}

/**
 * `Layout` for pages still built from `html` templates: the request comes from hono's context
 * storage (`contextStorage()` in the app), so these callers need not pass the nonce themselves.
 */
export function layout(opts: LayoutOptions) {
  const c = tryGetContext();
  const other: Lang = opts.lang === 'vi' ? 'en' : 'vi';
  const request = c
    ? pageProps(c, opts.lang)
    : { nonce: undefined, langHref: `?${opts.periodSearch ? `${opts.periodSearch}&` : ''}lang=${other}` };
  return (
    <Layout
      lang={opts.lang}
      t={opts.t}
      title={opts.title}
      staff={opts.staff}
      searched={opts.searched}
      citizen={opts.citizen}
      {...request}
      {...(opts.langHref ? { langHref: opts.langHref } : {})}
    >
      {opts.body}
    </Layout>
  );
}
