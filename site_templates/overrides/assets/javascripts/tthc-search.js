// Header search backed by Pagefind (bundle built by generator/search.py).
//
// - Diacritics are optional: Pagefind folds tones and vowel marks; the index
//   holds the title as written plus a folded copy of its "đ" words, and the
//   other words folded (see generator/search.py), so "dang ky" finds
//   "Đăng ký". The first results are re-ordered by how their title holds the
//   whole query (exact diacritics first; see rerank()).
// - Typed diacritics exclude: a word typed with them (and the table's catalog
//   wording) must stand on the page as written, tone placement aside ("hộ
//   chiếu" does not list pages holding only "hỗ"/"hồ"); typed without
//   diacritics, everything folds. The name and facts are checked first, the
//   page's words file only when they do not tell (check()); the first RERANK
//   results are checked at once, the others as they are shown or counted, and
//   until then the count says "Ít nhất N kết quả".
// - A name holding the abbreviation as typed ("BHXH") is scored as if it
//   spelled it out, plus a bonus (scoreFor()); pages found with every word
//   come before those found with a word left out.
// - The status line says what was searched: "N kết quả cho “thẻ căn cước”
//   (từ “CCCD”)" (statusText()).
// - How people ask (generator/search_terms.yaml, shipped as
//   pagefind/tthc-terms.json and loaded with the first search): a query is
//   also searched with its abbreviations and everyday words replaced by the
//   catalog's wording ("cccd" -> "thẻ căn cước", "làm" -> "cấp"), a word of
//   five letters or more that is no word of the index by the index's words
//   one edit away, and names that begin with what the query asks for ("cấp",
//   "đăng ký", "đổi") come before names about the same object ("trình báo
//   mất", "khai thác thông tin"). See variants() and titleScore().
// - Each result marks the words it matched in its name and lists, as
//   written, the words of its best search it matched elsewhere on its page
//   (pageWords()), without stop words (the table's stop_words).
// - The filter lists show, once opened, the counts for the current query.
// - Filters (agency, sector, level, kind, status) come from the pages'
//   data-pagefind-filter attributes; a filter alone lists its procedures.
// - Everything shown is built with DOM text nodes (textContent): no result
//   text is ever parsed as HTML.
// - The query and the chosen filters are kept in the URL (?q=...&agency=...)
//   so a search can be shared or reloaded.

const PAGE_SIZE = 10;
const root = document.querySelector("[data-tthc-search]");

if (root) {
  const input = root.querySelector("input[name=q]");
  const form = root.querySelector("form");
  const status = root.querySelector(".tthc-search__status");
  const list = root.querySelector(".tthc-search__results");
  const more = root.querySelector(".tthc-search__more");
  const selects = [...root.querySelectorAll("select[data-tthc-filter]")];
  const toggle = document.getElementById("__search");
  const bundle = new URL(root.dataset.bundle, document.baseURI);
  const collator = new Intl.Collator("vi");
  const hint = status.textContent;
  const details = root.querySelector(".tthc-search__filters");
  const active = root.querySelector("[data-tthc-active]");

  let pagefind = null;
  let results = [];
  let shown = 0;
  let generation = 0;
  let timer = 0;

  const open = () => {
    if (toggle && !toggle.checked) {
      toggle.checked = true;
      toggle.dispatchEvent(new Event("change"));
    }
  };
  const close = () => {
    if (toggle && toggle.checked) {
      toggle.checked = false;
      toggle.dispatchEvent(new Event("change"));
    }
  };

  async function load() {
    if (!pagefind) {
      const [pf] = await Promise.all([import(new URL("pagefind.js", bundle).href), loadTerms()]);
      await pf.options({ baseUrl: new URL("../", bundle).pathname });
      await pf.init();
      pagefind = pf;
    }
    return pagefind;
  }

  // ---- Words as compared
  const lower = (text) => text.toLocaleLowerCase("vi").normalize("NFC");
  const tokens = (text) => lower(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
  // The five tones (huyền, sắc, ngã, hỏi, nặng) as combining marks; the other marks
  // (â ă ê ô ơ ư) and đ tell letters apart.
  const TONE = /[\u0300\u0301\u0303\u0309\u0323]/g;
  // A (lower-case) word with its tone moved to its end, so that the old and new tone
  // placements are one word ("hoá" and "hóa", "thuỷ" and "thủy"); compared, never shown.
  function canon(word) {
    const d = word.normalize("NFD");
    const tones = d.match(TONE);
    return tones ? d.replace(TONE, "") + tones.join("") : d;
  }
  // Typed with diacritics: a tone, a vowel mark or đ ("hộ", "đang"; not "ho", "dang").
  const hasMarks = (word) => fold(word) !== word;
  const pageWord = (word) => {
    const c = canon(word);
    return { f: fold(word), c, base: c.replace(TONE, ""), tone: (c.match(TONE) || []).join("") };
  };

  // A word of a search: `exact` when a page must hold it with its diacritics (typed
  // with them, or the catalog's wording of the table); the last word of a search may
  // be the start of a word (still being typed), as Pagefind matches it.
  function queryWord(w, exact, last, seg) {
    return { ...pageWord(w), w, exact: exact && hasMarks(w), last, seg };
  }

  // Does a page's word (pageWord()) stand for a query word? Folded alike when the
  // query word was typed without diacritics ("ho" is "hộ", "hồ", "hỗ"); with the same
  // letters and tone when it was typed with them ("hộ" is not "hỗ" nor "hồ"); the last
  // word of a search may be the start of the page's word, and a last word typed
  // without its tone yet ("hô") takes any tone.
  function holds(p, q) {
    if (!q.exact) return p.f === q.f || (q.last && q.f.length >= 2 && p.f.startsWith(q.f));
    if (p.c === q.c) return true;
    return q.last && p.base.startsWith(q.base) && (!q.tone || q.tone === p.tone);
  }

  // ---- How people ask: the terms table and the vocabulary (tthc-terms.json)
  let terms = null;
  let termsLoaded = null;
  function loadTerms() {
    if (!termsLoaded) {
      termsLoaded = fetch(new URL("tthc-terms.json", bundle).href)
        .then((r) => (r.ok ? r.json() : null))
        .then((data) => (terms = data ? prepareTerms(data) : null))
        .catch(() => null);
    }
    return termsLoaded;
  }

  function prepareTerms(data) {
    const entries = [];
    for (const t of data.terms) {
      const means = t.means.map(tokens);
      entries.push({ asked: t.asked.map(tokens), means: means.length ? means : [[]], keep: t.keep, both: t.both });
      // both ways: the full form also finds the abbreviation the names use
      if (t.both) entries.push({ asked: means, means: t.asked.map(tokens), keep: means.map(() => true), both: true });
    }
    const words = data.words ? data.words.split(" ") : [];
    const byLength = (a, b) => b.length - a.length;
    return {
      entries,
      words,
      known: new Set(words),
      typoMin: data.typo_min || 5,
      stop: new Set((data.stop_words || []).map((w) => canon(lower(w)))),
      askedFor: data.actions.asked_for.map(fold).sort(byLength),
      about: data.actions.about.map(fold).sort(byLength),
    };
  }

  // A typed word stands for a word of the table: as written, or, typed
  // without diacritics, folded ("so do" is "sổ đỏ"; "sơ đồ" is not).
  const sameWord = (typed, word) => typed === word || (fold(typed) === typed && fold(word) === typed);

  // Optimal string alignment distance, stopped above 1: one letter added,
  // dropped, changed, or two neighbours swapped.
  function oneEdit(a, b) {
    if (Math.abs(a.length - b.length) > 1 || a === b) return false;
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    const [ra, rb] = [a.slice(i + 1), b.slice(i + 1)];
    return ra === rb || a.slice(i) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i)
      || (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
  }

  // The index words one edit away from a typed word that is no word of the
  // index nor the start of one (Pagefind matches prefixes), most frequent first.
  function typoFixes(word) {
    const folded = fold(word);
    if (!terms || folded.length < terms.typoMin || !/^[a-z]+$/.test(folded) || terms.known.has(folded)) return null;
    if (terms.words.some((w) => w.startsWith(folded))) return null;
    const fixes = terms.words.filter((w) => oneEdit(folded, w)).slice(0, 2);
    return fixes.length ? fixes.map((w) => [w]) : null;
  }

  // The query as segments: a phrase of the table (longest first) with the
  // catalog's words it stands for, a typo with its fixes, or a word as typed.
  // Each option: {words, exact (a page must hold its marked words as written),
  // sub (the typed words replaced)}.
  function segments(typed) {
    const out = [];
    const whole = ` ${typed.map(fold).join(" ")} `;
    // an entry whose catalog wording (of two words or more) the query already
    // holds is not applied ("cấp tài khoản định danh điện tử" stays as typed)
    const applies = (entry) => !entry.means.some((m) => m.length > 1 && whole.includes(` ${m.map(fold).join(" ")} `));
    let i = 0;
    while (i < typed.length) {
      let best = null;
      for (const entry of terms.entries) {
        if (!applies(entry)) continue;
        entry.asked.forEach((phrase, n) => {
          if (phrase.length > (best ? best.length : 0) && phrase.every((w, k) => i + k < typed.length && sameWord(typed[i + k], w))) {
            best = { length: phrase.length, entry, keep: entry.keep[n] };
          }
        });
      }
      if (best) {
        const words = typed.slice(i, i + best.length);
        const options = best.entry.means.map((m) => ({ words: m, exact: true, sub: true }));
        if (best.keep) options.push({ words, exact: true, sub: false });
        out.push({ words, options, changed: true, both: best.entry.both });
        i += best.length;
      } else {
        const fixes = typoFixes(typed[i]);
        out.push(fixes
          ? { words: [typed[i]], options: fixes.map((f) => ({ words: f, exact: false, sub: true })), changed: true, typo: true }
          : { words: [typed[i]], options: [{ words: [typed[i]], exact: true, sub: false }] });
        i += 1;
      }
    }
    return out;
  }

  const MAX_VARIANTS = 6;
  const MIN_RESULTS = 5;
  const RELAXED_WEIGHT = 0.6;

  // A search of a query: {q (what Pagefind is given), words (queryWord() of each),
  // parts ([{seg, option}] in order)}.
  function variant(parts) {
    const flat = parts.flatMap(({ seg, option }) => option.words.map((w) => [w, option.exact, seg]));
    const words = flat.map(([w, exact, seg], i) => queryWord(w, exact, i === flat.length - 1, seg));
    return { q: flat.map(([w]) => w).join(" "), words, parts };
  }

  // A search without the action it begins with ("cấp hộ chiếu" -> "hộ
  // chiếu"), or null when it begins with none.
  function objectOnly(v) {
    const f = fold(v.q);
    const a = terms.askedFor.find((x) => f.startsWith(`${x} `));
    if (!a) return null;
    let drop = a.split(" ").length;
    const parts = [];
    for (const { seg, option } of v.parts) {
      const cut = Math.min(drop, option.words.length);
      drop -= cut;
      if (cut < option.words.length) parts.push({ seg, option: { ...option, words: option.words.slice(cut) } });
    }
    return parts.length ? variant(parts) : null;
  }

  let segs = [];

  // The searches a query stands for, in tiers: [the query with the table
  // applied (every combination of options, at most MAX_VARIANTS)], [the
  // query as typed (typos fixed), and the first tier without its leading
  // action ("tài khoản định danh điện tử" for "đăng ký vneid")], [the first
  // combination with one of its parts left out in turn]. run() searches tier
  // after tier until MIN_RESULTS pages are found (tier 3 weighs RELAXED_WEIGHT).
  function variants(query) {
    if (!terms || /^[0-9.]+$/.test(query)) {
      segs = [];
      return [[{ q: query, words: [], parts: [] }]];
    }
    segs = segments(tokens(query));
    let combos = [[]];
    segs.forEach((seg, i) => {
      combos = combos.flatMap((c) => seg.options.map((option) => [...c, { seg: i, option }])).slice(0, MAX_VARIANTS);
    });
    const unique = (list, taken) => {
      const out = [];
      for (const v of list) {
        if (v && v.q && !taken.has(v.q)) {
          taken.add(v.q);
          out.push(v);
        }
      }
      return out;
    };
    const taken = new Set();
    const first = unique(combos.map(variant), taken);
    const asTyped = variant(segs.map((seg, i) => ({
      seg: i, option: seg.typo ? seg.options[0] : { words: seg.words, exact: true, sub: false },
    })));
    const second = unique([asTyped, ...first.map(objectOnly)], taken);
    const parts = segs.map((seg, i) => ({ seg: i, option: seg.options[0] }));
    const third = parts.length < 2 || parts.length > 6 ? []
      : unique(parts.map((_, i) => variant(parts.filter((__, k) => k !== i))), taken);
    return [first, second, third];
  }

  // The filter lists are loaded only when the filter panel is opened: they
  // are not needed for a first search (about 120 kB at 10,000 procedures).
  let filtersLoaded = null;
  function loadFilters() {
    if (!filtersLoaded) {
      filtersLoaded = load()
        .then((pf) => pf.filters())
        .then(fillFilters)
        .then(() => (last ? run() : showCounts(generation)))
        .catch(() => {
          filtersLoaded = null;
        });
    }
    return filtersLoaded;
  }

  let filterTotals = null;
  function fillFilters(filters) {
    filterTotals = filters;
    for (const select of selects) {
      const values = filters[select.dataset.tthcFilter] || {};
      const names = Object.keys(values).sort(collator.compare);
      for (const name of names) {
        const option = document.createElement("option");
        option.value = name;
        option.textContent = `${name} (${values[name]})`;
        select.append(option);
      }
      select.disabled = names.length === 0;
    }
  }

  function chosenFilters() {
    const filters = {};
    for (const select of selects) {
      if (select.value) filters[select.dataset.tthcFilter] = select.value;
    }
    const count = Object.keys(filters).length;
    if (active) active.textContent = count ? `(${count} đang chọn)` : "";
    return filters;
  }

  function codeOf(data) {
    if (data.meta && data.meta.code) return data.meta.code;
    const match = /\/thu-tuc\/([0-9]\.[0-9]{6})\//.exec(data.url);
    return match ? match[1] : "";
  }

  // The query words of all the searches run, for marking names.
  let queryWords = [];

  // Fill `el` with `text`, its words standing for a query word in <mark>; return the query words held.
  function marked(el, text, query) {
    const found = new Set();
    for (const part of text.split(/([^\p{L}\p{N}]+)/u)) {
      const p = part && pageWord(lower(part));
      const hits = p && query.filter((q) => holds(p, q));
      if (hits && hits.length) {
        hits.forEach((q) => found.add(q));
        const mark = document.createElement("mark");
        mark.textContent = part;
        el.append(mark);
      } else if (part) {
        el.append(part);
      }
    }
    return found;
  }

  // The words of a page as written (generator/search.py writes them beside
  // the index, pagefind/tthc-words/<page path>.txt), fetched for a result
  // whose name lacks a query word; "" when there are none.
  const wordsOf = new Map();
  function pageWords(url) {
    const path = new URL(url, document.baseURI).pathname;
    const root = new URL("../", bundle).pathname;
    if (!path.startsWith(root)) return Promise.resolve("");
    const page = path.slice(root.length).replace(/\/$/, "").replace(/\.html$/, "") || "index";
    if (!wordsOf.has(page)) {
      const file = new URL(`tthc-words/${page.split("/").map(encodeURIComponent).join("/")}.txt`, bundle);
      wordsOf.set(page, fetch(file.href).then((r) => (r.ok ? r.text() : "")).catch(() => ""));
    }
    return wordsOf.get(page);
  }

  // The words of `text` (as written, once each) that stand for a query word and
  // tell why the page matched: no stop words ("của", "và", "cho"; the table's
  // stop_words), at most six.
  function matchedWords(text, query) {
    if (!query.length) return [];
    const page = [];
    const seen = new Set();
    for (const word of text.split(/[^\p{L}\p{N}]+/u)) {
      if (!word) continue;
      const p = pageWord(lower(word));
      if (seen.has(p.c) || (terms && terms.stop.has(p.c))) continue;
      seen.add(p.c);
      page.push([word, p]);
    }
    // a word typed last may be the start of a word: its whole-word matches when there are some ("con", not "công")
    const whole = (q) => page.filter(([, p]) => holds(p, { ...q, last: false }));
    const picked = new Set(query.filter((q) => q.f.length >= 2).flatMap((q) => {
      const exact = whole(q);
      return exact.length ? exact : page.filter(([, p]) => holds(p, q));
    }).map(([word]) => word));
    return page.map(([word]) => word).filter((word) => picked.has(word)).slice(0, 6);
  }

  // ---- Results: a candidate is {r (Pagefind's result), via (indexes of the
  // searches that found it), ok (true: its page holds every word that must be
  // exact for one of them; undefined: not checked yet), best (the search whose
  // words its name matches best)}.
  let searches = [];

  // The words of a page a result can be checked against without fetching:
  // its name, code and filter values (agency, sector, level).
  function ownWords(data) {
    const f = data.filters || {};
    const filters = [...(f.agency || []), ...(f.sector || []), ...(f.level || [])];   // indexed (generator/search.py FACT_FILTERS)
    return tokens([(data.meta && data.meta.title) || "", codeOf(data), ...filters].join(" ")).map(pageWord);
  }

  const needs = (c) => c.via.map((i) => searches[i].v.words.filter((w) => w.exact));

  // Whether the page of a candidate holds, for one of the searches that found it,
  // every word that must be exact; the page's words file is fetched only when its
  // name and facts do not tell.
  async function check(c) {
    const wanted = needs(c);
    if (wanted.some((n) => !n.length)) return true;
    const data = await c.r.data();
    const own = ownWords(data);
    const all = (list) => wanted.some((n) => n.every((q) => list.some((p) => holds(p, q))));
    if (all(own)) return true;
    const text = await pageWords(data.url);
    return all([...own, ...tokens(text).map(pageWord)]);
  }

  function item(c, data) {
    const li = document.createElement("li");
    li.className = "md-search-result__item";
    const a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = data.url;
    const article = document.createElement("article");
    article.className = "md-search-result__article md-typeset tthc-search__hit";
    const title = document.createElement("h3");
    const name = (data.meta && data.meta.title) || data.url;
    marked(title, name, queryWords);
    const meta = document.createElement("p");
    meta.className = "tthc-search__facts";
    const filters = data.filters || {};
    const facts = [codeOf(data), ...(filters.agency || []), ...(filters.status || [])].filter(Boolean);
    meta.textContent = facts.join(" · ");
    // No Pagefind excerpt (it would show the index's folded words): the
    // words of its best search matched outside the name, as written on the page.
    const sector = document.createElement("p");
    sector.className = "tthc-search__sector";
    sector.textContent = [...(filters.sector || []), ...(filters.level || [])].join(" · ");
    article.append(title, meta, sector);
    const best = searches[c.best] ? searches[c.best].v.words : [];
    const nameWords = tokens(name).map(pageWord);
    const missing = best.filter((q) => q.f.length >= 2 && !nameWords.some((p) => holds(p, q)) && !(terms && terms.stop.has(q.c)));
    if (missing.length) {
      pageWords(data.url).then((text) => {
        const elsewhere = matchedWords(text, missing);
        if (!elsewhere.length) return;
        const why = document.createElement("p");
        why.className = "tthc-search__why";
        why.append("Có trong trang: ");
        elsewhere.forEach((word, i) => {
          const mark = document.createElement("mark");
          mark.textContent = word;
          why.append(...(i ? [", ", mark] : [mark]));
        });
        article.append(why);
      });
    }
    a.append(article);
    li.append(a);
    return li;
  }

  // Pagefind scores words one by one and folds diacritics, so "tạm trú"
  // and "Trung tâm" weigh alike. The first RERANK results are re-ordered by
  // how their title holds the query: the whole phrase with its diacritics
  // first, then the phrase without diacritics (shorter titles first), then
  // exact words; ties keep Pagefind's order. Their fragments are then already loaded for display.
  const RERANK = 40;
  // A name's words, canonical (canon()), padded with spaces.
  const words = (text) => ` ${tokens(text).map(canon).join(" ")} `;

  // The action a (folded, padded) name begins with, after "Thủ tục": the
  // longest of the table's, and whether it is an "about" action.
  function leadAction(tf) {
    let s = tf.trim();
    if (s.startsWith("thu tuc ")) s = s.slice(8);
    for (const [list, about] of [[terms.askedFor, false], [terms.about, true]]) {
      for (const a of list) if (s === a || s.startsWith(`${a} `)) return { a, about };
    }
    return null;
  }

  // The actions a (folded, padded) query names, longest first, none inside another.
  function queryActions(qf) {
    const found = [];
    for (const a of [...terms.about, ...terms.askedFor].sort((x, y) => y.length - x.length)) {
      if (qf.includes(` ${a} `) && !found.some((b) => ` ${b} `.includes(` ${a} `))) found.push(a);
    }
    return found;
  }

  // How much a query word stands in a (padded) name: 1 as written, or
  // folded when it was typed without diacritics; 0.5 folded only ("hỗ" for
  // "hộ"); the query's last word may be the start of a word (still typing).
  function wordHit(w, t, tf, last) {
    const f = fold(w);
    const end = last ? "" : " ";
    if (t.includes(` ${w}${end}`)) return 1;
    if (tf.includes(` ${f}${end}`)) return f === w ? 1 : 0.5;
    return 0;
  }

  // Relative to how much of the query's object (its words that are no
  // action) the name holds: a name that does what the query asks first
  // (+2); one that begins with an "about" action the query does not name
  // after the others (-1), unless the query holds its first word ("xóa tạm
  // trú" asks for "Xóa đăng ký tạm trú": +2); when the query names no action,
  // names beginning with an asked-for one (+0.5).
  function actionScore(tf, asked, qf) {
    const lead = leadAction(tf);
    if (!lead) return 0;
    if (asked.includes(lead.a)) return 2;
    if (lead.about) return qf.includes(` ${lead.a.split(" ")[0]} `) ? 2 : -1;
    if (!asked.length) return 0.5;
    return asked.some((a) => lead.a.startsWith(`${a} `) || a.startsWith(`${lead.a} `)) ? 0.5 : 0;
  }

  // `t`: the name's words (words()); `bare`: the same without its closing
  // parentheses ("(thực hiện tại cấp tỉnh)" does not make a name longer).
  function titleScore(t, bare, query) {
    const q = words(query).trim();
    if (!q) return 0;
    const [tf, qf] = [fold(t), fold(q)];
    let score = 0;
    if (t.includes(` ${q}`)) score += 8 + (t.startsWith(` ${q}`) ? 2 : 0) + (t.trim() === q ? 2 : 0);
    else if (tf.includes(` ${qf}`)) score += 4 + (tf.startsWith(` ${qf}`) ? 2 : 0) + (tf.trim() === qf ? 2 : 0);
    const qWords = q.split(" ");
    const hits = qWords.map((w, i) => wordHit(w, t, tf, i === qWords.length - 1));
    const exact = qWords.filter((w) => t.includes(` ${w} `)).length;
    const covered = hits.reduce((a, b) => a + b, 0);
    // shorter titles first
    const length = bare.trim().split(" ").length || 1;
    const share = score ? Math.min(2, (2 * qWords.length) / length) : 0;
    score += share + exact / qWords.length + (4 * covered) / qWords.length;
    if (!terms) return score;
    const asked = queryActions(` ${qf} `);
    const actionWords = new Set(asked.flatMap((a) => a.split(" ")));
    const object = qWords.map((w, i) => [fold(w), hits[i]]).filter(([f]) => !actionWords.has(f));
    const held = object.length ? object.reduce((a, [, h]) => a + h, 0) / object.length : 0;
    // the object as one phrase of the name ("nhập quốc tịch", not "nhập cảnh … quốc tịch")
    const phrase = object.length > 1 && tf.includes(` ${object.map(([f]) => f).join(" ")} `) ? 5 : 0;
    return score + phrase + held * (3 + actionScore(tf, asked, ` ${qf} `));
  }

  // A name holding the abbreviation as typed ("BHXH") is scored, against a
  // search of its long form ("bảo hiểm xã hội"), as if it spelled it out, and
  // gains LITERAL_BONUS: it ranks at least as high as the names that spell it
  // out (the table's both_ways entries, whose abbreviations the names use).
  const LITERAL_BONUS = 3;
  function scoreFor(title, v) {
    let t = words(title);
    let bare = words(title.replace(/\([^()]*\)/g, " "));
    let bonus = 0;
    for (const { seg, option } of v.parts) {
      const s = segs[seg];
      if (!s || !s.both || !option.sub) continue;
      const typed = ` ${s.words.map(canon).join(" ")} `;
      if (!t.includes(typed)) continue;
      const long = ` ${option.words.map(canon).join(" ")} `;
      t = t.split(typed).join(long);
      bare = bare.split(typed).join(long);
      bonus = LITERAL_BONUS;
    }
    return titleScore(t, bare, v.q) + bonus;
  }

  // Merge the results of several searches: round-robin by rank, each page once.
  function merge(found) {
    const byId = new Map();
    const out = [];
    const longest = Math.max(0, ...found.map((s) => s.results.length));
    for (let k = 0; k < longest; k++) {
      found.forEach((s, i) => {
        const r = s.results[k];
        if (!r) return;
        if (byId.has(r.id)) {
          byId.get(r.id).via.push(i);
        } else {
          const c = { r, via: [i], best: i, ok: undefined };
          byId.set(r.id, c);
          out.push(c);
        }
      });
    }
    // pages found by a search with no word to check need no check
    for (const c of out) if (needs(c).some((n) => !n.length)) c.ok = true;
    return out;
  }

  // Check the first RERANK candidates and re-order those kept; the others are
  // checked as they are shown (showMore) or counted (showCounts).
  // A page whose words (as written, in page order) hold a search of two words or
  // more as one phrase ("hộ chiếu" among its documents) gains PAGE_PHRASE_BONUS:
  // it comes before names holding one of the words only ("Tách hộ").
  const PAGE_PHRASE_BONUS = 5;
  async function rerank(found) {
    const head = found.slice(0, RERANK);
    const [data, ok] = await Promise.all([
      Promise.all(head.map((c) => c.r.data())),
      Promise.all(head.map((c) => (c.ok === undefined ? check(c) : true))),
    ]);
    // the words of the pages whose name lacks a word of their search (shown as "Có trong trang" anyway)
    const texts = await Promise.all(head.map((c, i) => {
      const name = tokens((data[i].meta && data[i].meta.title) || "").map(pageWord);
      const lacks = searches[c.via[0]].v.words.some((q) => !name.some((p) => holds(p, q)));
      return ok[i] && lacks ? pageWords(data[i].url).then((text) => words(text)) : "";
    }));
    const scored = [];
    head.forEach((c, i) => {
      if (!ok[i]) return;
      c.ok = true;
      const title = data[i].meta.title || "";
      c.title = title;
      let s = -Infinity;
      searches.forEach((search, k) => {
        const phrase = search.v.words.length > 1 && texts[i].includes(` ${search.v.words.map((q) => q.c).join(" ")} `);
        const score = (scoreFor(title, search.v) + (phrase ? PAGE_PHRASE_BONUS : 0)) * search.weight;
        if (score > s) [s, c.best] = [score, k];
      });
      // pages found by a search of every word come before those found with a word left out
      scored.push({ c, i, s, all: c.via.some((k) => searches[k].weight === 1) });
    });
    scored.sort((a, b) => b.all - a.all || b.s - a.s || a.i - b.i);
    return [...scored.map((x) => x.c), ...found.slice(RERANK)];
  }

  // Check the candidates from `from` on, in order, until `wanted` are kept
  // (all of them when wanted is Infinity); those not kept leave `results`.
  let checking = Promise.resolve();
  function keepFrom(from, wanted, current) {
    const done = checking.then(() => keepNow(from, wanted, current));
    checking = done.catch(() => {});
    return done;
  }

  async function keepNow(from, wanted, current) {
    let i = from;
    let kept = 0;
    while (kept < wanted && i < results.length) {
      const batch = results.slice(i, i + Math.min(PAGE_SIZE * 2, wanted === Infinity ? 50 : wanted - kept));
      const ok = await Promise.all(batch.map((c) => (c.ok === undefined ? check(c) : c.ok)));
      if (current !== generation) return false;
      const keep = batch.filter((c, k) => ok[k]);
      keep.forEach((c) => (c.ok = true));
      results.splice(i, batch.length, ...keep);
      i += keep.length;
      kept += keep.length;
    }
    return true;
  }

  async function showMore(current) {
    if (!(await keepFrom(shown, PAGE_SIZE, current))) return;
    const slice = results.slice(shown, shown + PAGE_SIZE);
    const data = await Promise.all(slice.map((c) => c.r.data()));
    if (current !== generation) return;
    list.append(...slice.map((c, i) => item(c, data[i])));
    shown += slice.length;
    more.hidden = shown >= results.length;
    status.textContent = statusText();
  }

  function remember(query) {
    const url = new URL(window.location.href);
    if (query) url.searchParams.set("q", query);
    else url.searchParams.delete("q");
    for (const select of selects) {
      const name = select.dataset.tthcFilter;
      if (select.value) url.searchParams.set(name, select.value);
      else url.searchParams.delete(name);
    }
    window.history.replaceState(window.history.state, "", url);
  }

  // ---- The status line: how many results, and for what
  const quoted = (q) => `“${q}”`;
  // "“a”", "“a” hoặc “b”", "“a”, “b” hoặc “c”"
  function orList(list) {
    const q = list.map(quoted);
    return q.length < 2 ? q.join("") : `${q.slice(0, -1).join(", ")} hoặc ${q[q.length - 1]}`;
  }

  let said = null;   // {typed, rewritten, typedSearched, relaxed} of the last search
  function statusText() {
    if (!results.length) return "Không tìm thấy thủ tục nào. Thử bỏ bớt từ khóa hoặc bộ lọc.";
    const unchecked = results.some((c) => c.ok === undefined);
    const kept = results.filter((c) => c.ok !== undefined).length;
    // not every result is checked yet (diacritics): say how many are sure
    const count = unchecked ? `Ít nhất ${kept.toLocaleString("vi-VN")} kết quả` : `${results.length.toLocaleString("vi-VN")} kết quả`;
    if (!said || !said.typed) return count;
    if (said.relaxed) return `${count} gần đúng cho ${quoted(said.typed)} (không thủ tục nào có đủ mọi từ)`;
    if (!said.rewritten.length) return count;
    if (said.typedSearched) return `${count} cho ${orList([said.typed, ...said.rewritten])}`;
    return `${count} cho ${orList(said.rewritten)} (từ ${quoted(said.typed)})`;
  }

  async function run() {
    const current = ++generation;
    const query = input.value.trim();
    const filters = chosenFilters();
    remember(query);
    if (!query && Object.keys(filters).length === 0) {
      list.replaceChildren();
      more.hidden = true;
      status.textContent = hint;
      last = null;
      if (filterTotals) showCounts(current);
      return;
    }
    status.textContent = "Đang tìm…";
    const found = [];
    let tiers = [[]];
    let relaxed = false;
    let kept = [];
    try {
      const pf = await load();
      if (!query) {
        found.push({ s: await pf.search(null, { filters }), v: { q: "", words: [], parts: [] }, weight: 1 });
        searches = found;
        kept = merge(found.map((f) => f.s));
      } else {
        tiers = variants(query);
        for (const [n, tier] of tiers.entries()) {
          if (!tier.length) continue;
          // the note "not every word" only when nothing held them all
          if (n === 2) relaxed = kept.length === 0;
          const got = await Promise.all(tier.map((v) => pf.search(v.q, { filters })));
          if (got.some((s) => !s) || current !== generation) return;
          // a search with a part of the query left out counts for that much less
          got.forEach((s, i) => found.push({ s, v: tier[i], weight: n === 2 ? RELAXED_WEIGHT : 1 }));
          searches = found;
          kept = await rerank(merge(found.map((f) => f.s)));
          if (current !== generation) return;
          // enough pages that hold the words (checked, or not checked yet): no further tier
          if (kept.length >= MIN_RESULTS) break;
        }
      }
    } catch (err) {
      if (current === generation) status.textContent = "Không tải được chỉ mục tìm kiếm.";
      return;
    }
    if (current !== generation || !found.length) return;
    queryWords = searches.flatMap((f) => f.v.words);
    results = kept;
    last = { searches, results };
    shown = 0;
    list.replaceChildren();
    const typedFold = fold(tokens(query).join(" "));
    // a word put right (typo) is shown as the first names write it ("chieuu" -> "chiếu", not "chieu")
    const written = new Map();
    for (const c of results.slice(0, PAGE_SIZE)) {
      for (const w of tokens(c.title || "")) if (!written.has(fold(w))) written.set(fold(w), w);
    }
    const rewritten = tiers[0]
      .map((v) => v.words.map((w) => (segs[w.seg] && segs[w.seg].typo && written.get(w.f)) || w.w).join(" ") || v.q)
      .filter((q) => fold(tokens(q).join(" ")) !== typedFold);
    said = {
      typed: query,
      rewritten: rewritten.slice(0, 3),
      typedSearched: rewritten.length > 0 && tiers[0].some((v) => fold(tokens(v.q).join(" ")) === typedFold),
      relaxed: relaxed && results.length > 0,
    };
    status.textContent = statusText();
    await showMore(current);
    if (filterTotals) showCounts(current);
  }

  // ---- Filter counts for the current query (once the filter panel was opened)
  let last = null;
  const COUNT_FROM_PAGES = 300;

  async function countsOf(state, current) {
    if (!state) return filterTotals;
    const exact = state.searches.some((f) => f.v.words.some((w) => w.exact));
    if (state.searches.length === 1 && !exact) return state.searches[0].s.filters || filterTotals;
    // several searches, or words to check: count the pages kept (their fragments), when not too many
    if (state.results.length > COUNT_FROM_PAGES) return null;
    if (!(await keepFrom(0, Infinity, current))) return null;
    status.textContent = statusText();
    more.hidden = shown >= results.length;
    const data = await Promise.all(state.results.map((c) => c.r.data()));
    const counts = {};
    for (const d of data) {
      for (const [name, values] of Object.entries(d.filters || {})) {
        counts[name] = counts[name] || {};
        for (const v of values) counts[name][v] = (counts[name][v] || 0) + 1;
      }
    }
    return counts;
  }

  async function showCounts(current) {
    const counts = await countsOf(input.value.trim() || Object.keys(chosenFilters()).length ? last : null, current);
    if (current !== generation) return;
    for (const select of selects) {
      const values = (counts && counts[select.dataset.tthcFilter]) || {};
      for (const option of select.options) {
        if (!option.value) continue;
        option.textContent = counts ? `${option.value} (${(values[option.value] || 0).toLocaleString("vi-VN")})` : option.value;
      }
    }
  }

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(run, 150);
  };

  input.addEventListener("focus", () => {
    open();
    load().catch(() => {});
  });
  input.addEventListener("input", schedule);
  selects.forEach((select) => select.addEventListener("change", run));
  if (details) {
    details.addEventListener("toggle", () => {
      if (details.open) loadFilters();
    });
  }
  more.addEventListener("click", () => showMore(generation));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run();
    input.blur();
  });
  form.addEventListener("reset", () => setTimeout(() => { last = null; run(); }, 0));
  if (toggle) {
    toggle.addEventListener("change", () => {
      if (toggle.checked) input.focus();
    });
  }
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && toggle && toggle.checked) {
      close();
      input.blur();
    } else if (event.key === "/" && document.activeElement === document.body) {
      event.preventDefault();
      open();
      input.focus();
    }
  });

  // A shared link (?q=...&agency=...) opens the same search with the same filters.
  const params = new URL(window.location.href).searchParams;
  const initial = params.get("q");
  const wanted = selects.filter((select) => params.get(select.dataset.tthcFilter));
  if (initial || wanted.length) {
    input.value = initial || "";
    open();
    (wanted.length ? loadFilters() : Promise.resolve()).then(() => {
      for (const select of wanted) select.value = params.get(select.dataset.tthcFilter);
      run();
    });
  }
}
