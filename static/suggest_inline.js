// Suggested codes on the coding page, off by default. The toggle (remembered per user
// and project) asks for this source's suggestions in a request of their own, so the
// page costs nothing while it is off. Each suggested passage gets a dotted underline in
// its code's colour through the CSS Custom Highlight API: the text's runs and offsets
// are not touched. Accept and reject go through the page's write queue (coding/queue.js), so
// they are confirmed or visibly waiting, and an acceptance is undone like any coding.
// Keys: s next suggestion (Shift+S back), y accept, x reject.
(() => {
  "use strict";
  const box = document.getElementById("suggest-box");
  const article = document.getElementById("source-text");
  if (!box || !article) return;
  const toggle = document.getElementById("suggest-toggle");
  const tip = document.getElementById("suggest-tip");
  const writer = document.getElementById("write-queue");
  const canCode = article.dataset.canCode === "1";
  const highlights = window.CSS?.highlights;
  const holder = () => document.getElementById("suggest-inline");
  const items = () => [...(holder()?.querySelectorAll("li[data-sg]") || [])];
  let currentId = ""; // the id of the suggestion in hand

  const said = (name, values) =>
    (box.dataset[name] || "").replace(/\{(\w+)\}/g, (_m, key) => values[key] ?? "");
  const shorten = (text, n) => {
    const points = Array.from(text);
    return points.length > n ? `${points.slice(0, n).join("")}…` : text;
  };

  function remembered() {
    try {
      return localStorage.getItem(box.dataset.remember) === "1";
    } catch {
      return false;
    }
  }

  function remember(on) {
    try {
      if (on) localStorage.setItem(box.dataset.remember, "1");
      else localStorage.removeItem(box.dataset.remember);
    } catch {
      // Storage forbidden: the toggle still works on this page.
    }
  }

  // --- Loading and painting ------------------------------------------------

  // One list request at a time (htmx drops a request on a target that is still
  // loading): a judgment saved while the list loads asks for it again, and the answer
  // in flight, read before that judgment, is not shown.
  let loading = false;
  let again = false;

  function load() {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    const list = holder();
    const params = new URLSearchParams();
    if (list?.dataset.version) params.set("version", list.dataset.version);
    if (list?.dataset.threshold) params.set("threshold", list.dataset.threshold);
    const url = `${box.dataset.inlineUrl}${params.size ? `?${params}` : ""}`;
    htmx
      .ajax("GET", url, { target: "#suggest-inline", swap: "outerHTML" })
      .catch(() => {})
      .finally(() => {
        loading = false;
        if (again) {
          again = false;
          load();
        }
      });
  }
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (again && event.detail.target?.id === "suggest-inline") event.detail.shouldSwap = false;
  });

  /** The text's runs as [start, end, text node, text], in order (read once per paint). */
  function runTable() {
    const { cpLength } = window.KesraCoding;
    return [...article.querySelectorAll("span[data-o]")].map((run) => {
      const start = Number(run.dataset.o);
      return [start, start + cpLength(run.textContent), run.firstChild, run.textContent];
    });
  }

  /** The DOM range of code points [start, end), or null where that text is not loaded. */
  function rangeIn(table, start, end) {
    const { cpToUtf16 } = window.KesraCoding;
    let low = 0;
    let high = table.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (table[middle][0] <= start) low = middle;
      else high = middle - 1;
    }
    const first = table[low];
    if (!first || first[0] > start || start >= first[1]) return null;
    for (let i = low; i < table.length; i++) {
      const [s, e, node, text] = table[i];
      if (end <= e) {
        const range = new Range();
        range.setStart(first[2], cpToUtf16(first[3], start - first[0]));
        range.setEnd(node, cpToUtf16(text, end - s));
        return range;
      }
    }
    return null;
  }

  function paint() {
    const table = toggle.checked ? runTable() : [];
    const byCode = new Map();
    for (const li of items()) {
      li.kesraRange = rangeIn(table, Number(li.dataset.start), Number(li.dataset.end));
      li.classList.toggle("current", li.id === currentId);
      if (!li.kesraRange) continue;
      const name = `sg-${li.dataset.code}`;
      if (!byCode.has(name)) byCode.set(name, []);
      byCode.get(name).push(li.kesraRange);
    }
    if (!highlights) return; // no Custom Highlight API: the list alone shows them
    for (const name of [...highlights.keys()]) if (name.startsWith("sg-")) highlights.delete(name);
    for (const [name, ranges] of byCode) highlights.set(name, new Highlight(...ranges));
    const current = currentId && document.getElementById(currentId);
    if (current?.kesraRange) highlights.set("sg-current", new Highlight(current.kesraRange));
  }

  // --- The suggestion in hand ----------------------------------------------

  function showTip(li) {
    const range = li?.kesraRange;
    if (!range) {
      tip.hidden = true;
      return;
    }
    const rect = range.getBoundingClientRect();
    tip.textContent = `${li.dataset.name} · p = ${li.dataset.p}${canCode ? " · y / x" : ""}`;
    tip.hidden = false;
    tip.style.left = `${Math.max(8, Math.min(rect.left, window.innerWidth - tip.offsetWidth - 8))}px`;
    tip.style.top = `${rect.bottom + 6}px`;
  }

  function choose(li) {
    for (const other of items()) other.classList.toggle("current", other === li);
    currentId = li?.id || "";
    if (!li) {
      tip.hidden = true;
      paint();
      return;
    }
    paint();
    li.focus({ preventScroll: true });
    li.scrollIntoView({ block: "nearest" });
    if (!li.kesraRange) {
      // Its text is in a window of the source not loaded yet: open the page there.
      const params = new URLSearchParams(window.location.search);
      params.set("at", li.dataset.start);
      try {
        sessionStorage.setItem(`${box.dataset.remember}:at`, li.id); // taken up again there
      } catch {
        // No storage: the page opens at the passage all the same.
      }
      window.location.search = params.toString();
      return;
    }
    const rect = li.kesraRange.getBoundingClientRect();
    if (rect.top < 60 || rect.bottom > window.innerHeight - 60) {
      window.scrollBy({ top: rect.top - window.innerHeight / 3 });
    }
    showTip(li);
  }

  function step(direction) {
    const list = items();
    if (!list.length) return;
    const index = list.findIndex((li) => li.id === currentId);
    const next = index < 0 ? (direction > 0 ? 0 : list.length - 1) : index + direction;
    choose(list[(next + list.length) % list.length]);
  }

  // --- Judging -------------------------------------------------------------

  function judge(li, verdict) {
    if (!li || li.classList.contains("pending") || !window.KesraCoding?.write) return;
    const list = holder();
    const label = said(verdict === "accepted" ? "labelAccepted" : "labelRejected", {
      passage: shorten(li.querySelector("q")?.textContent || "", 30),
      code: li.dataset.name.split(" › ").pop(),
    });
    li.classList.add("pending");
    const following = items().filter((item) => !item.classList.contains("pending"));
    const next = following.find((item) => Number(item.dataset.start) >= Number(li.dataset.start));
    window.KesraCoding.write(
      {
        url: box.dataset.judgeUrl,
        values: {
          version: list.dataset.version,
          threshold: list.dataset.threshold,
          code: li.dataset.code,
          start: li.dataset.start,
          end: li.dataset.end,
          verdict,
        },
        kind: "suggestion",
        label,
        saved: () => {
          li.remove();
          paint();
        },
        failed: () => li.classList.remove("pending"),
      },
      verdict === "accepted",
    );
    if (li.id === currentId) choose(next || following.at(-1) || null);
  }

  function acceptAll(button) {
    const list = holder();
    button.disabled = true;
    window.KesraCoding.write(
      {
        url: box.dataset.judgeAllUrl,
        values: { version: list.dataset.version, threshold: list.dataset.threshold },
        kind: "suggestion",
        label: said("labelAll", { n: button.dataset.n }),
        failed: () => {
          button.disabled = false;
        },
      },
      true,
    );
  }

  // --- Events --------------------------------------------------------------

  function switched() {
    remember(toggle.checked);
    const list = holder();
    if (toggle.checked) {
      list.hidden = false;
      load();
    } else {
      list.replaceChildren();
      list.hidden = true;
      delete list.dataset.version;
      delete list.dataset.threshold;
      choose(null);
    }
  }

  toggle.addEventListener("change", switched);

  box.addEventListener("click", (event) => {
    const verdict = event.target.closest("button[data-sg-verdict]");
    const all = event.target.closest("button[data-sg-all]");
    const li = event.target.closest("li[data-sg]");
    if (verdict) judge(li, verdict.dataset.sgVerdict);
    else if (all) acceptAll(all);
    else if (li) choose(li);
  });

  document.addEventListener("keydown", (event) => {
    if (!toggle.checked || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest?.("input, select, textarea, [contenteditable]")) return;
    const picker = document.getElementById("picker");
    if (picker && !picker.hidden) return;
    const key = event.key.toLowerCase();
    const current = (currentId && document.getElementById(currentId)) || null;
    if (key === "s") step(event.shiftKey ? -1 : 1);
    else if ((key === "y" || key === "x") && canCode) {
      judge(current || items()[0], key === "y" ? "accepted" : "rejected");
    } else return;
    event.preventDefault();
  });

  // A write of the page saved (a coding, an undo, an acceptance): the list is read again,
  // as what is open to suggest may have changed.
  writer?.addEventListener("htmx:afterRequest", (event) => {
    if (toggle.checked && event.detail.xhr?.getResponseHeader("Kesra-Write") === "saved") load();
  });
  document.addEventListener("htmx:afterSettle", (event) => {
    paint(); // the list, or a window of text
    if (event.detail.target?.id !== "suggest-inline") return;
    let wanted = null;
    try {
      wanted = sessionStorage.getItem(`${box.dataset.remember}:at`);
      sessionStorage.removeItem(`${box.dataset.remember}:at`);
    } catch {
      wanted = null;
    }
    const li = wanted && document.getElementById(wanted);
    if (li?.kesraRange) choose(li);
  });
  document.addEventListener("htmx:oobAfterSwap", paint); // paragraphs redrawn after a write
  document.body.addEventListener("htmx:responseError", (event) => {
    if (event.detail.target?.id !== "suggest-inline") return;
    const note = document.createElement("p");
    note.className = "muted";
    note.textContent = box.dataset.off;
    holder().replaceChildren(note);
  });
  window.addEventListener("scroll", () => {
    if (!tip.hidden) showTip(document.getElementById(currentId));
  });

  if (remembered()) {
    toggle.checked = true;
    switched();
  }
})();
