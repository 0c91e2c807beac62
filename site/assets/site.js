// runbook docs site: copy buttons and search. The pages read fully without this script.
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";

  function copy(text, button) {
    function done() { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy"; }, 1500); }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallback(text); done(); });
    } else { fallback(text); done(); }
  }
  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text; area.setAttribute("readonly", ""); area.className = "copy-buffer";
    document.body.appendChild(area); area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    document.body.removeChild(area);
  }
  document.querySelectorAll("main pre").forEach(function (pre) {
    var button = document.createElement("button");
    button.type = "button"; button.className = "copy"; button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy to clipboard");
    button.addEventListener("click", function () {
      var code = pre.querySelector("code") || pre;
      copy(code.textContent.replace(/\n$/, ""), button);
    });
    // The button sits on a wrapper, not in the <pre>, so it stays put when the code scrolls.
    var holder = document.createElement("div");
    holder.className = "copyable";
    pre.parentNode.insertBefore(holder, pre);
    holder.appendChild(pre);
    holder.appendChild(button);
  });

  var entries = (window.RUNBOOK_SEARCH || []).map(function (e) {
    return { e: e, title: e.title.toLowerCase(), hay: (e.title + " " + e.text).toLowerCase() };
  });
  function search(query) {
    var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.length) return [];
    var hits = [];
    entries.forEach(function (item) {
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        if (item.hay.indexOf(terms[i]) < 0) return;
        score += item.title.indexOf(terms[i]) >= 0 ? 10 : 1;
      }
      score += item.e.kind === "procedure" ? 5 : 0;
      hits.push({ score: score, item: item });
    });
    hits.sort(function (a, b) { return b.score - a.score; });
    return hits.slice(0, 25).map(function (h) { return h.item; });
  }
  function snippet(item, query) {
    var term = query.toLowerCase().split(/\s+/).filter(Boolean)[0] || "";
    var text = item.e.text, at = text.toLowerCase().indexOf(term);
    if (at < 0) return text.slice(0, 120);
    var start = Math.max(0, at - 50);
    return (start ? "…" : "") + text.slice(start, at + 90).replace(/\s+/g, " ") + "…";
  }
  function render(list, hits, query) {
    list.textContent = "";
    if (!hits.length) {
      var none = document.createElement("li"); none.textContent = "No match for “" + query + "”.";
      list.appendChild(none); return;
    }
    hits.forEach(function (item) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = root + item.e.url; a.textContent = item.e.title; li.appendChild(a);
      var where = document.createElement("div"); where.className = "where";
      where.textContent = item.e.kind + " in " + item.e.runbook; li.appendChild(where);
      var p = document.createElement("p"); p.className = "snippet"; p.textContent = snippet(item, query);
      li.appendChild(p); list.appendChild(li);
    });
  }
  var form = document.querySelector(".site-header .search");
  var input = form && form.querySelector("input");
  var panel = form && form.querySelector(".search-results");
  var page = document.querySelector(".search-page-results");
  if (input && panel && !page) {
    var list = document.createElement("ol"); panel.appendChild(list);
    input.addEventListener("input", function () {
      var query = input.value.trim();
      panel.hidden = !query;
      if (query) render(list, search(query), query);
    });
    input.addEventListener("keydown", function (event) { if (event.key === "Escape") { panel.hidden = true; } });
  }
  if (page && input) {
    var query = new URLSearchParams(location.search).get("q") || "";
    input.value = query;
    if (query) render(page, search(query), query);
    input.addEventListener("input", function () { render(page, search(input.value.trim()), input.value.trim()); });
  }
})();
