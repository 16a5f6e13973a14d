// Kesra Coord, coding page: what the other parts share — the page's elements, its
// translated strings, and the passage being coded.
(() => {
  "use strict";
  const K = window.KesraCodingParts;
  const article = K?.article;
  if (!article) return;

  // Names of codes and coders: replaced out of band when the server sends new ones.
  const names = (id) => JSON.parse(document.getElementById(id)?.textContent || "{}");
  const strings = names("coding-strings");

  /** A translated string with its %(name)s placeholders filled in. */
  const say = (key, values = {}) =>
    (strings[key] || key).replace(/%\((\w+)\)s/g, (_m, name) => values[name] ?? "");

  /** At most `n` code points of `text`, with … when cut (never half an emoji). */
  function shorten(text, n) {
    const points = Array.from(text);
    return points.length > n ? `${points.slice(0, n).join("")}…` : text;
  }

  Object.assign(K, {
    picker: document.getElementById("picker"),
    search: document.getElementById("picker-search"),
    several: document.getElementById("picker-more"),
    status: document.getElementById("coding-status"),
    stepCount: document.getElementById("step-count"),
    panel: document.getElementById("coding-panel"),
    tip: document.getElementById("tip"),
    canCode: article.dataset.canCode === "1",
    csrf: JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"],
    names,
    say,
    shorten,
    // selection: {start, end, passage}, the passage being coded;
    // pointer: "mouse", "touch" or "pen", the last pointer pressed.
    state: { selection: null, pointer: "" },
  });
})();
