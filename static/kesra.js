// Behaviour every page may need, kept out of the HTML so that the
// Content-Security-Policy can forbid inline scripts, hx-on attributes and
// inline <style> elements (kesra_coord/settings.py, SECURE_CSP).
(() => {
  "use strict";

  // Code colours: the server sends the rules in <template data-css> (inert markup
  // that CSP allows) and they are adopted as constructed style sheets, which CSP
  // does not govern. Adopted sheets follow the document's own sheets, so they win
  // ties exactly as the <style> elements in <body> did before.
  const adoptCss = () => {
    const templates = document.querySelectorAll("template[data-css]");
    if (!templates.length || !("adoptedStyleSheets" in document)) return;
    const sheets = [];
    for (const template of templates) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(template.content.textContent);
      sheets.push(sheet);
      template.remove();
    }
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, ...sheets];
  };
  adoptCss();
  document.addEventListener("htmx:afterSettle", adoptCss);
  document.addEventListener("htmx:oobAfterSwap", adoptCss);

  // <select data-autosubmit>: choosing an option sends its form (a <noscript>
  // button does it without JavaScript).
  document.addEventListener("change", (event) => {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
  });

  // Pollers marked data-poll-visible ask nothing while the tab is hidden.
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (document.hidden && event.detail.elt.matches("[data-poll-visible]")) {
      event.preventDefault();
    }
  });

  // Forms marked data-upload-progress show their <progress> while the files go up,
  // and are emptied once the server answered with success.
  const progressOf = (event) =>
    event.detail.elt.matches?.("form[data-upload-progress]")
      ? event.detail.elt.querySelector("progress")
      : null;
  document.addEventListener("htmx:beforeRequest", (event) => {
    const bar = progressOf(event);
    if (bar) bar.hidden = false;
  });
  document.addEventListener("htmx:xhr:progress", (event) => {
    const bar = progressOf(event);
    if (bar && event.detail.lengthComputable) {
      bar.value = (event.detail.loaded / event.detail.total) * 100;
    }
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    const bar = progressOf(event);
    if (!bar) return;
    if (event.detail.successful) event.detail.elt.reset();
    bar.hidden = true;
  });
})();
