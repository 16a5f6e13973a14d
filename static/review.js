// Review queue: one keystroke per verdict, focus moves on to the next coding.
(() => {
  "use strict";
  const queue = document.querySelector("[data-review-queue]");
  if (!queue) return;
  const items = () => [...queue.querySelectorAll("[data-review-item]")];
  const move = (from, step) => {
    const list = items();
    const next = list[list.indexOf(from) + step];
    if (next) {
      next.focus();
      next.scrollIntoView({ block: "nearest" });
    }
  };
  queue.addEventListener("keydown", (event) => {
    const item = event.target.closest("[data-review-item]");
    if (!item || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.matches("textarea")) {
      if (event.key === "Escape") item.focus();
      return;
    }
    const key = event.key.toLowerCase();
    if (key === "j") move(item, 1);
    else if (key === "k") move(item, -1);
    else if (key === "c") item.querySelector("textarea")?.focus();
    else if (key === "a" || key === "r") item.querySelector(`button[data-key="${key}"]`)?.click();
    else return;
    event.preventDefault();
  });
  queue.addEventListener("keydown", (event) => {
    if (event.target.matches("textarea") && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.target.form.requestSubmit();
      event.preventDefault();
    }
  });
  // After a verdict the item is swapped: give the focus to the one after it. (On
  // afterSettle: until then htmx keeps the old item's classes on the new one.)
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const item = event.detail.target?.id ? document.getElementById(event.detail.target.id) : null;
    const fresh = item?.matches?.("[data-review-item]") ? item : null;
    if (fresh && fresh.classList.contains("reviewed") && !fresh.querySelector("[role=alert]")) move(fresh, 1);
  });
})();
