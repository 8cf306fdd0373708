// Header search backed by Pagefind (bundle built by generator/search.py).
//
// - Diacritics are optional: Pagefind folds tones and vowel marks; the index
//   holds the title as written plus a folded copy of its "đ" words, and the
//   other words folded (see generator/search.py), so "dang ky" finds
//   "Đăng ký". The first results are re-ordered by how their title holds the
//   whole query (exact diacritics first; see rerank()).
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
      pagefind = await import(new URL("pagefind.js", bundle).href);
      await pagefind.options({ baseUrl: new URL("../", bundle).pathname });
      await pagefind.init();
    }
    return pagefind;
  }

  // The filter lists are loaded only when the filter panel is opened: they
  // are not needed for a first search (about 120 kB at 10,000 procedures).
  let filtersLoaded = null;
  function loadFilters() {
    if (!filtersLoaded) {
      filtersLoaded = load()
        .then((pf) => pf.filters())
        .then(fillFilters)
        .catch(() => {
          filtersLoaded = null;
        });
    }
    return filtersLoaded;
  }

  function fillFilters(filters) {
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

  function item(data) {
    const li = document.createElement("li");
    li.className = "md-search-result__item";
    const a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = data.url;
    const article = document.createElement("article");
    article.className = "md-search-result__article md-typeset tthc-search__hit";
    const title = document.createElement("h3");
    title.textContent = (data.meta && data.meta.title) || data.url;
    const meta = document.createElement("p");
    meta.className = "tthc-search__facts";
    const filters = data.filters || {};
    const facts = [codeOf(data), ...(filters.agency || []), ...(filters.status || [])].filter(Boolean);
    meta.textContent = facts.join(" · ");
    // No excerpt: Pagefind's would show the index's folded words.
    const sector = document.createElement("p");
    sector.className = "tthc-search__sector";
    sector.textContent = [...(filters.sector || []), ...(filters.level || [])].join(" · ");
    article.append(title, meta, sector);
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

  function titleScore(title, query) {
    const t = words(title);
    const q = words(query).trim();
    if (!q) return 0;
    const [tf, qf] = [fold(t), fold(q)];
    let score = 0;
    if (t.includes(` ${q}`)) score += 8 + (t.startsWith(` ${q}`) ? 2 : 0) + (t.trim() === q ? 2 : 0);
    else if (tf.includes(` ${qf}`)) score += 4 + (tf.startsWith(` ${qf}`) ? 2 : 0) + (tf.trim() === qf ? 2 : 0);
    const qWords = q.split(" ");
    const exact = qWords.filter((w) => t.includes(` ${w} `)).length;
    const share = score ? (2 * qWords.length) / t.trim().split(" ").length : 0; // shorter titles first
    return score + share + exact / qWords.length;
  }

  async function rerank(found, query) {
    const head = found.slice(0, RERANK);
    const data = await Promise.all(head.map((r) => r.data()));
    const scored = head.map((r, i) => ({ r: { ...r, data: async () => data[i] }, i, s: titleScore(data[i].meta.title || "", query) }));
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
      return;
    }
    status.textContent = "Đang tìm…";
    let search;
    try {
      const pf = await load();
      search = await pf.search(query || null, { filters });
    } catch (err) {
      if (current === generation) status.textContent = "Không tải được chỉ mục tìm kiếm.";
      return;
    }
    if (current !== generation || !search) return;
    results = query ? await rerank(search.results, query) : search.results;
    if (current !== generation) return;
    shown = 0;
    list.replaceChildren();
    status.textContent = results.length
      ? `${results.length.toLocaleString("vi-VN")} kết quả`
      : "Không tìm thấy thủ tục nào. Thử bỏ bớt từ khóa hoặc bộ lọc.";
    await showMore(current);
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
  form.addEventListener("reset", () => setTimeout(run, 0));
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
