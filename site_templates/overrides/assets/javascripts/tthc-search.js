// Header search backed by Pagefind (bundle built by generator/search.py).
//
// - Diacritics are optional: Pagefind folds tones and vowel marks; the index
//   holds the title as written plus a folded copy of its "đ" words, and the
//   other words folded (see generator/search.py), so "dang ky" finds
//   "Đăng ký". The first results are re-ordered by how their title holds the
//   whole query (exact diacritics first; see rerank()).
// - How people ask (generator/search_terms.yaml, shipped as
//   pagefind/tthc-terms.json and loaded with the first search): a query is
//   also searched with its abbreviations and everyday words replaced by the
//   catalog's wording ("cccd" -> "thẻ căn cước", "làm" -> "cấp"), a word of
//   five letters or more that is no word of the index by the index's words
//   one edit away, and names that begin with what the query asks for ("cấp",
//   "đăng ký", "đổi") come before names about the same object ("trình báo
//   mất", "khai thác thông tin"). See variants() and titleScore().
// - Each result marks the words it matched in its name and lists, as
//   written, the words it matched elsewhere on its page (pageWords()).
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

  // ---- How people ask: the terms table and the vocabulary (tthc-terms.json)
  const tokens = (text) => text.toLocaleLowerCase("vi").normalize("NFC").split(/[^\p{L}\p{N}]+/u).filter(Boolean);
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
      entries.push({ asked: t.asked.map(tokens), means: means.length ? means : [[]], keep: t.keep });
      // both ways: the full form also finds the abbreviation the names use
      if (t.both) entries.push({ asked: means, means: t.asked.map(tokens), keep: means.map(() => true) });
    }
    const words = data.words ? data.words.split(" ") : [];
    const byLength = (a, b) => b.length - a.length;
    return {
      entries,
      words,
      known: new Set(words),
      typoMin: data.typo_min || 5,
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
        out.push({ words, options: [...best.entry.means, ...(best.keep ? [words] : [])], changed: true });
        i += best.length;
      } else {
        const fixes = typoFixes(typed[i]);
        out.push(fixes ? { words: [typed[i]], options: fixes, changed: true, typo: true } : { words: [typed[i]], options: [[typed[i]]] });
        i += 1;
      }
    }
    return out;
  }

  const MAX_VARIANTS = 6;
  const MIN_RESULTS = 5;
  const RELAXED_WEIGHT = 0.6;

  // The words of a query without the action it begins with ("cấp hộ
  // chiếu" -> "hộ chiếu"), or null when it begins with none.
  function objectOnly(query) {
    const f = fold(query);
    const a = terms.askedFor.find((x) => f.startsWith(`${x} `));
    return a ? query.split(" ").slice(a.split(" ").length).join(" ") : null;
  }

  // The searches a query stands for, in tiers: [the query with the table
  // applied (every combination of options, at most MAX_VARIANTS)], [the
  // query as typed (typos fixed), and the first tier without its leading
  // action ("tài khoản định danh điện tử" for "đăng ký vneid")], [the first
  // combination with one of its parts left out in turn]. run() searches tier
  // after tier until MIN_RESULTS pages are found (tier 3 weighs RELAXED_WEIGHT).
  function variants(query) {
    if (!terms || /^[0-9.]+$/.test(query)) return [[query]];
    const segs = segments(tokens(query));
    let combos = [[]];
    for (const seg of segs) {
      combos = combos.flatMap((c) => seg.options.map((o) => [...c, ...o])).slice(0, MAX_VARIANTS);
    }
    const first = [...new Set(combos.map((c) => c.join(" ")).filter(Boolean))];
    const asTyped = segs.flatMap((s) => (s.typo ? s.options[0] : s.words)).join(" ");
    const second = [...new Set([asTyped, ...first.map(objectOnly)].filter((q) => q && !first.includes(q)))];
    const parts = segs.map((s) => s.options[0]);
    const third = parts.length < 2 || parts.length > 6 ? []
      : [...new Set(parts.map((_, i) => parts.filter((__, k) => k !== i).flat().join(" ")))].filter((q) => q && !first.includes(q) && !second.includes(q));
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

  // The folded words of the searches run; a name's or page's word matches
  // one when it starts with it, as Pagefind matches.
  let queryWords = [];
  const matches = (word, q) => word.startsWith(q) && (q.length >= 2 || word === q);

  // Fill `el` with `text`, its words matching the query in <mark>; return the query words matched.
  function marked(el, text, query) {
    const found = new Set();
    for (const part of text.split(/([^\p{L}\p{N}]+)/u)) {
      const f = fold(part.toLocaleLowerCase("vi"));
      const hits = part && query.filter((q) => matches(f, q));
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
  // the index, pagefind/tthc-words/<page path>.txt), fetched only for a
  // result whose name lacks a query word; "" when there are none.
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

  function matchedWords(text, query) {
    if (!query.length) return [];
    const out = [];
    for (const word of text.split(/[^\p{L}\p{N}]+/u)) {
      const f = fold(word.toLocaleLowerCase("vi"));
      if (word && query.some((q) => q.length >= 2 && matches(f, q)) && !out.includes(word)) out.push(word);
      if (out.length >= 6) break;
    }
    return out;
  }

  function item(data) {
    const li = document.createElement("li");
    li.className = "md-search-result__item";
    const a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = data.url;
    const article = document.createElement("article");
    article.className = "md-search-result__article md-typeset tthc-search__hit";
    const title = document.createElement("h3");
    const name = (data.meta && data.meta.title) || data.url;
    const inTitle = marked(title, name, queryWords);
    const meta = document.createElement("p");
    meta.className = "tthc-search__facts";
    const filters = data.filters || {};
    const facts = [codeOf(data), ...(filters.agency || []), ...(filters.status || [])].filter(Boolean);
    meta.textContent = facts.join(" · ");
    // No Pagefind excerpt (it would show the index's folded words): the
    // words matched outside the name, as written on the page.
    const sector = document.createElement("p");
    sector.className = "tthc-search__sector";
    sector.textContent = [...(filters.sector || []), ...(filters.level || [])].join(" · ");
    article.append(title, meta, sector);
    const missing = queryWords.filter((w) => w.length >= 2 && !inTitle.has(w));
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
  const words = (text) => ` ${text.toLocaleLowerCase("vi").normalize("NFC").replace(/[^\p{L}\p{N}]+/gu, " ").trim()} `;
  const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");

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
  // after the others (-1); when the query names no action, names
  // beginning with an asked-for one (+0.5).
  function actionScore(tf, asked) {
    const lead = leadAction(tf);
    if (!lead) return 0;
    if (asked.includes(lead.a)) return 2;
    if (lead.about) return -1;
    if (!asked.length) return 0.5;
    return asked.some((a) => lead.a.startsWith(`${a} `) || a.startsWith(`${lead.a} `)) ? 0.5 : 0;
  }

  function titleScore(title, query) {
    const t = words(title);
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
    // shorter titles first; a closing parenthesis ("(thực hiện tại cấp tỉnh)") does not count
    const length = words(title.replace(/\([^()]*\)/g, " ")).trim().split(" ").length || 1;
    const share = score ? Math.min(2, (2 * qWords.length) / length) : 0;
    score += share + exact / qWords.length + (4 * covered) / qWords.length;
    if (!terms) return score;
    const asked = queryActions(` ${qf} `);
    const actionWords = new Set(asked.flatMap((a) => a.split(" ")));
    const object = qWords.map((w, i) => [fold(w), hits[i]]).filter(([f]) => !actionWords.has(f));
    const held = object.length ? object.reduce((a, [, h]) => a + h, 0) / object.length : 0;
    // the object as one phrase of the name ("nhập quốc tịch", not "nhập cảnh … quốc tịch")
    const phrase = object.length > 1 && tf.includes(` ${object.map(([f]) => f).join(" ")} `) ? 5 : 0;
    return score + phrase + held * (3 + actionScore(tf, asked));
  }

  // Merge the results of several searches: round-robin by rank, each page once.
  function merge(searches) {
    const seen = new Set();
    const out = [];
    const longest = Math.max(0, ...searches.map((s) => s.results.length));
    for (let k = 0; k < longest; k++) {
      for (const s of searches) {
        const r = s.results[k];
        if (r && !seen.has(r.id)) {
          seen.add(r.id);
          out.push(r);
        }
      }
    }
    return out;
  }

  async function rerank(found, queries, weights) {
    const head = found.slice(0, RERANK);
    const data = await Promise.all(head.map((r) => r.data()));
    const score = (title) => Math.max(...queries.map((q, i) => titleScore(title, q) * weights[i]));
    const scored = head.map((r, i) => ({ r: { ...r, data: async () => data[i] }, i, s: score(data[i].meta.title || "") }));
    scored.sort((a, b) => b.s - a.s || a.i - b.i);
    return [...scored.map((x) => x.r), ...found.slice(RERANK)];
  }

  async function showMore(current) {
    const slice = results.slice(shown, shown + PAGE_SIZE);
    const data = await Promise.all(slice.map((r) => r.data()));
    if (current !== generation) return;
    list.append(...data.map(item));
    shown += slice.length;
    more.hidden = shown >= results.length;
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
    let searches = [];
    let used = [];
    let weights = [];
    let relaxedUsed = false;
    try {
      const pf = await load();
      if (!query) {
        searches = [await pf.search(null, { filters })];
      } else {
        const tiers = variants(query);
        for (const [n, tier] of tiers.entries()) {
          if (!tier.length) continue;
          // the note "not every word" only when nothing held them all
          if (n === 2) relaxedUsed = !searches.some((s) => s.results.length);
          const found = await Promise.all(tier.map((q) => pf.search(q, { filters })));
          if (found.some((s) => !s)) return;
          searches.push(...found);
          used.push(...tier);
          // a search with a part of the query left out counts for that much less
          weights.push(...tier.map(() => (n === 2 ? RELAXED_WEIGHT : 1)));
          if (new Set(searches.flatMap((s) => s.results.map((r) => r.id))).size >= MIN_RESULTS) break;
        }
      }
    } catch (err) {
      if (current === generation) status.textContent = "Không tải được chỉ mục tìm kiếm.";
      return;
    }
    if (current !== generation || !searches.length || searches.some((s) => !s)) return;
    const found = searches.length === 1 ? searches[0].results : merge(searches);
    queryWords = [...new Set((used.length ? used : [query]).flatMap((q) => tokens(q).map(fold)))];
    results = query ? await rerank(found, used.length ? used : [query], used.length ? weights : [1]) : found;
    if (current !== generation) return;
    last = { searches, results };
    shown = 0;
    list.replaceChildren();
    const typed = fold(tokens(query).join(" "));
    const also = (terms ? variants(query)[0] : []).filter((q) => fold(q) !== typed).slice(0, 3);
    const notes = [];
    if (also.length) notes.push(`tìm cả: ${also.map((q) => `“${q}”`).join(", ")}`);
    if (relaxedUsed) notes.push("không trang nào có đủ mọi từ: đã bỏ bớt từng từ");
    const note = notes.length ? ` (${notes.join("; ")})` : "";
    status.textContent = results.length
      ? `${results.length.toLocaleString("vi-VN")} kết quả${note}`
      : "Không tìm thấy thủ tục nào. Thử bỏ bớt từ khóa hoặc bộ lọc.";
    await showMore(current);
    if (filterTotals) showCounts(current);
  }

  // ---- Filter counts for the current query (once the filter panel was opened)
  let last = null;
  const COUNT_FROM_PAGES = 300;

  async function countsOf(state) {
    if (!state) return filterTotals;
    if (state.searches.length === 1) return state.searches[0].filters || filterTotals;
    // several searches: count their merged pages (their fragments), when not too many
    if (state.results.length > COUNT_FROM_PAGES) return null;
    const data = await Promise.all(state.results.map((r) => r.data()));
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
    const counts = await countsOf(input.value.trim() || Object.keys(chosenFilters()).length ? last : null);
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
